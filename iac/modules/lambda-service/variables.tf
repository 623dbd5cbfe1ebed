variable "name" {
  description = "Function and API name, e.g. \"podinfo-prod\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,40}$", var.name))
    error_message = "name must be 2-41 characters of lowercase letters, digits and '-', starting with a letter, e.g. \"podinfo-prod\"."
  }
}

variable "image_uri" {
  description = "Service image by digest: <repository_url>@sha256:<64 hex>. One single-platform manifest; the binary serves API Gateway events when Lambda sets AWS_LAMBDA_RUNTIME_API."
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

variable "memory_mb" {
  description = "Memory of the function in MB (CPU scales with it)."
  type        = number
  default     = 256

  validation {
    condition     = var.memory_mb >= 128 && var.memory_mb <= 10240 && floor(var.memory_mb) == var.memory_mb
    error_message = "memory_mb must be a whole number of MB from 128 to 10240."
  }
}

variable "timeout_seconds" {
  description = "Function timeout in seconds; API Gateway HTTP APIs wait at most 30 s."
  type        = number
  default     = 15

  validation {
    condition     = var.timeout_seconds >= 1 && var.timeout_seconds <= 29 && floor(var.timeout_seconds) == var.timeout_seconds
    error_message = "timeout_seconds must be a whole number from 1 to 29 (API Gateway's integration limit is 30 s)."
  }
}

variable "reserved_concurrency" {
  description = "Concurrent executions reserved for the function; -1 leaves it unreserved."
  type        = number
  default     = -1

  validation {
    condition     = var.reserved_concurrency >= -1 && var.reserved_concurrency <= 10000 && floor(var.reserved_concurrency) == var.reserved_concurrency
    error_message = "reserved_concurrency must be -1 (unreserved) or a whole number from 0 to 10000."
  }
}

variable "provisioned_concurrency" {
  description = "Provisioned concurrent executions on the live alias; 0 turns it off."
  type        = number
  default     = 0

  validation {
    condition     = var.provisioned_concurrency >= 0 && var.provisioned_concurrency <= 1000 && floor(var.provisioned_concurrency) == var.provisioned_concurrency
    error_message = "provisioned_concurrency must be a whole number from 0 (off) to 1000."
  }
}

variable "secret_arn" {
  description = "ARN of the JWT signing secret; the function may read this one secret only."
  type        = string

  validation {
    condition     = can(regex("^arn:[a-z-]+:secretsmanager:", var.secret_arn))
    error_message = "secret_arn must be a Secrets Manager secret ARN (arn:aws:secretsmanager:...)."
  }
}

variable "secret_kms_key_arn" {
  description = "KMS key encrypting the secret; the function may decrypt with it through Secrets Manager only."
  type        = string

  validation {
    condition     = can(regex("^arn:[a-z-]+:kms:", var.secret_kms_key_arn))
    error_message = "secret_kms_key_arn must be a KMS key ARN (arn:aws:kms:...)."
  }
}

variable "log_group_name" {
  description = "CloudWatch log group of the function (created by the observability module)."
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

variable "access_log_group_arn" {
  description = "CloudWatch log group ARN for the API's access logs."
  type        = string

  validation {
    condition     = startswith(var.access_log_group_arn, "arn:")
    error_message = "access_log_group_arn must be a log group ARN (arn:aws:logs:...)."
  }
}

variable "log_level" {
  description = "Service log level (PODINFO_LEVEL)."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["debug", "info", "warn", "error"], var.log_level)
    error_message = "log_level must be one of debug, info, warn, error."
  }
}

variable "throttle_rate_limit" {
  description = "Steady-state requests per second the API's default route accepts."
  type        = number
  default     = 100

  validation {
    condition     = var.throttle_rate_limit >= 1 && var.throttle_rate_limit <= 10000
    error_message = "throttle_rate_limit must be from 1 to 10000 requests per second."
  }
}

variable "throttle_burst_limit" {
  description = "Burst of requests the API's default route accepts above the rate limit."
  type        = number
  default     = 200

  validation {
    condition     = var.throttle_burst_limit >= 1 && var.throttle_burst_limit <= 5000 && floor(var.throttle_burst_limit) == var.throttle_burst_limit
    error_message = "throttle_burst_limit must be a whole number from 1 to 5000."
  }
}

variable "domain_name" {
  description = "Custom domain of the API (e.g. \"api.example.com\"); null serves only the execute-api URL."
  type        = string
  default     = null

  validation {
    condition     = var.domain_name == null || can(regex("^([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$", var.domain_name))
    error_message = "domain_name must be null or a lowercase DNS name such as \"api.example.com\"."
  }
}

variable "certificate_arn" {
  description = "ACM certificate (same region) for domain_name; required when domain_name is set."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:[a-z-]+:acm:", var.certificate_arn))
    error_message = "certificate_arn must be null or an ACM certificate ARN (arn:aws:acm:...)."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
