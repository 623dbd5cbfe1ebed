variable "no_description" {
  type = string
}

variable "no_type" {
  description = "Has no type."
}

variable "anything" {
  description = "Takes anything."
  type        = map(any)
}

variable "fine" {
  description = "Described and typed."
  type        = list(string)
}
