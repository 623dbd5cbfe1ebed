variable "name" {
  description = "Name prefix of the secret and its rotation function, e.g. \"podinfo-prod\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,40}$", var.name))
    error_message = "name must be 2-41 characters of lowercase letters, digits and '-', starting with a letter, e.g. \"podinfo-prod\"."
  }
}

variable "image_uri" {
  description = "Image the rotation function runs, by digest: <repository_url>@sha256:<64 hex>. It is the service image, whose second binary rotates the key."
  type        = string

  validation {
    condition     = can(regex("^[^@:]+(:[0-9]+)?/[^@:]+@sha256:[a-f0-9]{64}$", var.image_uri))
    error_message = "image_uri must be <repository>@sha256:<64 lowercase hex digits>; tags such as :latest are not accepted."
  }
}

variable "architecture" {
  description = "Instruction set of the image: x86_64 or arm64."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be \"x86_64\" or \"arm64\"."
  }
}

variable "rotator_command" {
  description = "Entry point of the rotation function inside the image (overrides the image's ENTRYPOINT; the service binary's `rotator` argument makes it the rotation function)."
  type        = list(string)
  default     = ["/ko-app/podinfo", "rotator"]

  validation {
    condition     = try(startswith(var.rotator_command[0], "/"), false)
    error_message = "rotator_command must be a non-empty list whose first element is an absolute path, e.g. [\"/ko-app/podinfo\", \"rotator\"]."
  }
}

variable "rotation_days" {
  description = "Days between automatic rotations of the signing key."
  type        = number
  default     = 7

  validation {
    condition     = var.rotation_days >= 1 && var.rotation_days <= 365 && floor(var.rotation_days) == var.rotation_days
    error_message = "rotation_days must be a whole number of days from 1 to 365."
  }
}

variable "recovery_window_days" {
  description = "Days a deleted secret can still be restored: 0 (delete at once) or 7-30."
  type        = number
  default     = 30

  validation {
    condition     = var.recovery_window_days == 0 || (var.recovery_window_days >= 7 && var.recovery_window_days <= 30)
    error_message = "recovery_window_days must be 0 or a whole number from 7 to 30."
  }
}

variable "log_group_name" {
  description = "CloudWatch log group the rotation function writes to (created by the observability module)."
  type        = string

  validation {
    condition     = length(var.log_group_name) > 0
    error_message = "log_group_name must name an existing CloudWatch log group."
  }
}

variable "log_group_arn" {
  description = "ARN of log_group_name, to scope the function's log permissions."
  type        = string

  validation {
    condition     = startswith(var.log_group_arn, "arn:")
    error_message = "log_group_arn must be a log group ARN (arn:aws:logs:...)."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
