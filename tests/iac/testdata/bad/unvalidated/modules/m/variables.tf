variable "architecture" {
  description = "No validation."
  type        = string
}

variable "asg_max_size" {
  description = "No validation."
  type        = number
}

variable "lambda_deployment_config" {
  description = "The message forgets an accepted value."
  type        = string

  validation {
    condition     = contains(["CodeDeployDefault.LambdaAllAtOnce", "CodeDeployDefault.LambdaLinear10PercentEvery1Minute"], var.lambda_deployment_config)
    error_message = "lambda_deployment_config must be CodeDeployDefault.LambdaAllAtOnce."
  }
}

variable "free_text" {
  description = "Not a size, needs no validation."
  type        = string
}
