variable "size" {
  description = "A size the README forgot."
  type        = number
}

variable "listed" {
  description = "A variable the README lists."
  type        = string
}
