variable "image_digest" {
  description = "Digest, but the validation lets a tag through."
  type        = string

  validation {
    condition     = length(var.image_digest) > 0
    error_message = "image_digest must not be empty."
  }
}
