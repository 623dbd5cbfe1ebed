variable "name" {
  description = "Name prefix of log groups, alarms, dashboard and queries, e.g. \"podinfo-prod\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,40}$", var.name))
    error_message = "name must be 2-41 characters of lowercase letters, digits and '-', starting with a letter, e.g. \"podinfo-prod\"."
  }
}

variable "environment" {
  description = "Environment the resources belong to: dev, staging or prod."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be \"dev\", \"staging\" or \"prod\"."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the logs; one of the values CloudWatch Logs accepts."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "alarm_email" {
  description = "Address subscribed to the alarm topic (it must confirm the subscription); null subscribes nobody."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_email == null || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alarm_email))
    error_message = "alarm_email must be null or an e-mail address such as \"oncall@example.com\"."
  }
}

variable "lambda_function_name" {
  description = "Service function whose live alias the Lambda alarms watch."
  type        = string
}

variable "lambda_alias_name" {
  description = "Alias carrying live traffic (\"live\")."
  type        = string
}

variable "rotator_function_name" {
  description = "Secret rotation function, shown on the dashboard and alarmed on errors."
  type        = string
}

variable "api_id" {
  description = "HTTP API ID (CloudWatch dimension ApiId)."
  type        = string
}

variable "alb_arn_suffix" {
  description = "ALB ARN suffix (CloudWatch dimension LoadBalancer)."
  type        = string
}

variable "target_group_arn_suffixes" {
  description = "Target group ARN suffixes by colour: { blue = \"targetgroup/...\", green = \"targetgroup/...\" }."
  type        = object({ blue = string, green = string })
}

variable "asg_names" {
  description = "Auto Scaling group names by colour: { blue = \"...\", green = \"...\" }."
  type        = object({ blue = string, green = string })
}

variable "thresholds" {
  description = "Alarm thresholds: Lambda errors and throttles and ALB/API 5xx per minute, EC2 CPU percent."
  type = object({
    lambda_errors_per_minute    = number
    lambda_throttles_per_minute = number
    http_5xx_per_minute         = number
    cpu_percent                 = number
  })
  default = {
    lambda_errors_per_minute    = 5
    lambda_throttles_per_minute = 5
    http_5xx_per_minute         = 5
    cpu_percent                 = 80
  }

  validation {
    condition = (
      var.thresholds.lambda_errors_per_minute >= 1 &&
      var.thresholds.lambda_throttles_per_minute >= 1 &&
      var.thresholds.http_5xx_per_minute >= 1 &&
      var.thresholds.cpu_percent >= 10 && var.thresholds.cpu_percent <= 100
    )
    error_message = "thresholds: the per-minute counts must be at least 1 and cpu_percent must be from 10 to 100."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
