variable "image_uri" {
  description = "Image without a digest validation."
  type        = string
}
