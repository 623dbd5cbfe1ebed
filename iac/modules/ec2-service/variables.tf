variable "name" {
  description = "Name prefix of every resource, e.g. \"podinfo-prod\" (ALB and target group names allow 32 characters, so keep it short)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,22}$", var.name))
    error_message = "name must be 2-23 characters of lowercase letters, digits and '-', starting with a letter, e.g. \"podinfo-prod\"."
  }
}

variable "image_uri" {
  description = "Service image by digest: <repository_url>@sha256:<64 hex>. The launch template runs exactly this digest."
  type        = string

  validation {
    condition     = can(regex("^[^@:]+(:[0-9]+)?/[^@:]+@sha256:[a-f0-9]{64}$", var.image_uri))
    error_message = "image_uri must be <repository>@sha256:<64 lowercase hex digits>; tags such as :latest are not accepted."
  }
}

variable "architecture" {
  description = "Instruction set of the image and the instances: x86_64 or arm64."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be \"x86_64\" or \"arm64\"."
  }
}

variable "instance_type" {
  description = "EC2 instance type; it must match architecture (e.g. t3.small for x86_64, t4g.small for arm64)."
  type        = string
  default     = "t3.small"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", var.instance_type))
    error_message = "instance_type must be an EC2 instance type such as \"t3.small\" or \"m7g.large\"."
  }
}

variable "vpc_cidr" {
  description = "IPv4 CIDR of the VPC, /16 to /20; subnets take /4 more bits each."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && try(tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 20, false)
    error_message = "vpc_cidr must be an IPv4 CIDR with a prefix from /16 to /20, e.g. \"10.0.0.0/16\"."
  }
}

variable "az_count" {
  description = "Availability zones the public and private subnets span."
  type        = number
  default     = 2

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 4 && floor(var.az_count) == var.az_count
    error_message = "az_count must be 2, 3 or 4."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all zones (cheaper, one zone's outage cuts egress) instead of one per zone."
  type        = bool
  default     = false
}

variable "asg_min_size" {
  description = "Minimum instances of the active colour."
  type        = number

  validation {
    condition     = var.asg_min_size >= 1 && var.asg_min_size <= 100 && floor(var.asg_min_size) == var.asg_min_size
    error_message = "asg_min_size must be a whole number from 1 to 100."
  }
}

variable "asg_max_size" {
  description = "Maximum instances of each colour."
  type        = number

  validation {
    condition     = var.asg_max_size >= 1 && var.asg_max_size <= 100 && floor(var.asg_max_size) == var.asg_max_size
    error_message = "asg_max_size must be a whole number from 1 to 100."
  }
}

variable "asg_desired_capacity" {
  description = "Instances the active colour runs; the deployer scales the new colour to it. Must lie between asg_min_size and asg_max_size."
  type        = number

  validation {
    condition     = var.asg_desired_capacity >= 1 && var.asg_desired_capacity <= 100 && floor(var.asg_desired_capacity) == var.asg_desired_capacity
    error_message = "asg_desired_capacity must be a whole number from 1 to 100 (and between asg_min_size and asg_max_size)."
  }
}

variable "certificate_arn" {
  description = "ACM certificate for an HTTPS listener on 443; null serves HTTP on port 80 only. With a certificate, port 80 redirects to 443."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:[a-z-]+:acm:", var.certificate_arn))
    error_message = "certificate_arn must be null or an ACM certificate ARN (arn:aws:acm:...)."
  }
}

variable "ssl_policy" {
  description = "TLS policy of the HTTPS listener."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"

  validation {
    condition     = contains(["ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-TLS13-1-3-2021-06", "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"], var.ssl_policy)
    error_message = "ssl_policy must be one of ELBSecurityPolicy-TLS13-1-2-2021-06, ELBSecurityPolicy-TLS13-1-3-2021-06, ELBSecurityPolicy-TLS13-1-2-Res-2021-06."
  }
}

variable "repository_arn" {
  description = "ECR repository the instances pull the image from."
  type        = string

  validation {
    condition     = can(regex("^arn:[a-z-]+:ecr:", var.repository_arn))
    error_message = "repository_arn must be an ECR repository ARN (arn:aws:ecr:...)."
  }
}

variable "secret_arn" {
  description = "ARN of the JWT signing secret; the instances may read this one secret only."
  type        = string

  validation {
    condition     = can(regex("^arn:[a-z-]+:secretsmanager:", var.secret_arn))
    error_message = "secret_arn must be a Secrets Manager secret ARN (arn:aws:secretsmanager:...)."
  }
}

variable "secret_kms_key_arn" {
  description = "KMS key encrypting the secret."
  type        = string

  validation {
    condition     = can(regex("^arn:[a-z-]+:kms:", var.secret_kms_key_arn))
    error_message = "secret_kms_key_arn must be a KMS key ARN (arn:aws:kms:...)."
  }
}

variable "log_group_name" {
  description = "CloudWatch log group the container's JSON logs go to (docker awslogs driver)."
  type        = string

  validation {
    condition     = length(var.log_group_name) > 0
    error_message = "log_group_name must name an existing CloudWatch log group."
  }
}

variable "log_group_arn" {
  description = "ARN of log_group_name, to scope the instances' log permissions."
  type        = string

  validation {
    condition     = startswith(var.log_group_arn, "arn:")
    error_message = "log_group_arn must be a log group ARN (arn:aws:logs:...)."
  }
}

variable "flow_log_group_arn" {
  description = "CloudWatch log group ARN receiving the VPC flow logs."
  type        = string

  validation {
    condition     = startswith(var.flow_log_group_arn, "arn:")
    error_message = "flow_log_group_arn must be a log group ARN (arn:aws:logs:...)."
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

variable "deregistration_delay_seconds" {
  description = "Seconds the ALB drains a target before deregistering it."
  type        = number
  default     = 30

  validation {
    condition     = var.deregistration_delay_seconds >= 0 && var.deregistration_delay_seconds <= 3600 && floor(var.deregistration_delay_seconds) == var.deregistration_delay_seconds
    error_message = "deregistration_delay_seconds must be a whole number from 0 to 3600."
  }
}

variable "deletion_protection" {
  description = "Protect the ALB from deletion."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}

variable "domain_name" {
  description = "DNS name pointing at the ALB and covered by certificate_arn (e.g. \"app.example.com\"); alb_url uses it when set. Null uses the ALB's own DNS name."
  type        = string
  default     = null

  validation {
    condition     = var.domain_name == null || can(regex("^([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$", var.domain_name))
    error_message = "domain_name must be null or a lowercase DNS name such as \"app.example.com\"."
  }
}
