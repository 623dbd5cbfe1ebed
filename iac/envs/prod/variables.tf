variable "aws_region" {
  description = "Region the environment lives in."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must be an AWS region name such as \"eu-west-1\" or \"us-east-2\"."
  }
}

variable "image_digest" {
  description = "Digest of the signed, verified service image to run (sha256:<64 hex>). Images are deployed by digest only, never by tag."
  type        = string

  validation {
    condition     = can(regex("^sha256:[a-f0-9]{64}$", var.image_digest))
    error_message = "image_digest must be \"sha256:\" followed by 64 lowercase hex digits, e.g. the digest build-and-sign printed; tags such as \"latest\" are not accepted."
  }
}

variable "architecture" {
  description = "Instruction set of the image: x86_64 or arm64 (the image is single-platform)."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be \"x86_64\" or \"arm64\"."
  }
}

variable "github_repository" {
  description = "GitHub repository (owner/name) whose prod environment may assume the deploy role."
  type        = string
  default     = "deliverykit/podinfo"

  validation {
    condition     = can(regex("^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$", var.github_repository))
    error_message = "github_repository must be \"owner/name\", e.g. \"deliverykit/podinfo\"."
  }
}

variable "create_github_oidc_provider" {
  description = "Create the account's GitHub OIDC provider; set false when another root in the same account already does."
  type        = bool
  default     = true
}

variable "deploy_role_policy_arns" {
  description = "Managed policies of the GitHub deploy role (terraform apply creates IAM, network, compute and data resources). Narrow them with deploy_role_permissions_boundary_arn."
  type        = list(string)
  default     = ["arn:aws:iam::aws:policy/AdministratorAccess"]

  validation {
    condition     = alltrue([for p in var.deploy_role_policy_arns : can(regex("^arn:[a-z-]+:iam::(aws|[0-9]{12}):policy/", p))])
    error_message = "deploy_role_policy_arns must hold IAM policy ARNs (arn:aws:iam::<account or aws>:policy/...)."
  }
}

variable "deploy_role_permissions_boundary_arn" {
  description = "Permissions boundary of the GitHub deploy role; null attaches none."
  type        = string
  default     = null
}

variable "alarm_email" {
  description = "Address that receives alarm notifications; null subscribes nobody."
  type        = string
  default     = null
}

variable "certificate_arn" {
  description = "ACM certificate for HTTPS on the ALB (and the API custom domain); null serves the ALB over HTTP."
  type        = string
  default     = null
}

variable "alb_domain_name" {
  description = "DNS name of the ALB covered by certificate_arn; null uses the ALB's own name."
  type        = string
  default     = null
}

variable "api_domain_name" {
  description = "Custom domain of the HTTP API (needs certificate_arn); null uses the execute-api URL."
  type        = string
  default     = null
}
