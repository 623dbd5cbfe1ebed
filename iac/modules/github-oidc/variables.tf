variable "repository" {
  description = "GitHub repository the roles trust, as \"owner/name\" (e.g. \"deliverykit/podinfo\")."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$", var.repository))
    error_message = "repository must be \"owner/name\" as GitHub spells it, e.g. \"deliverykit/podinfo\"; wildcards are not accepted."
  }
}

variable "create_provider" {
  description = "Create the account's GitHub OIDC provider (true), or use the one that already exists (false). An account holds one provider per URL, so only one root per account creates it."
  type        = bool
  default     = true
}

variable "deploy_roles" {
  description = "Deploy roles by GitHub environment name (\"dev\", \"staging\", \"prod\"): each trusts only workflow jobs of repository running in that GitHub environment. role_name names the IAM role; policy_arns are the managed policies it gets (what terraform apply and the deployer need)."
  type = map(object({
    role_name   = string
    policy_arns = list(string)
  }))

  validation {
    condition     = length(var.deploy_roles) > 0 && alltrue([for env in keys(var.deploy_roles) : contains(["dev", "staging", "prod"], env)])
    error_message = "deploy_roles must have at least one entry and its keys must be GitHub environment names \"dev\", \"staging\" or \"prod\"."
  }

  validation {
    condition     = alltrue([for r in values(var.deploy_roles) : can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", r.role_name))])
    error_message = "deploy_roles[*].role_name must be 1-64 characters of letters, digits and +=,.@_-."
  }

  validation {
    condition     = alltrue(flatten([for r in values(var.deploy_roles) : [for p in r.policy_arns : can(regex("^arn:[a-z-]+:iam::(aws|[0-9]{12}):policy/", p))]]))
    error_message = "deploy_roles[*].policy_arns must be IAM policy ARNs (arn:aws:iam::<account or aws>:policy/...)."
  }
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary attached to every deploy role; null attaches none."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary_arn == null || can(regex("^arn:[a-z-]+:iam::(aws|[0-9]{12}):policy/", var.permissions_boundary_arn))
    error_message = "permissions_boundary_arn must be null or an IAM policy ARN."
  }
}

variable "max_session_seconds" {
  description = "Longest session a deploy role grants, in seconds (a canary deploy with bake times must fit in it)."
  type        = number
  default     = 3600

  validation {
    condition     = var.max_session_seconds >= 3600 && var.max_session_seconds <= 43200 && floor(var.max_session_seconds) == var.max_session_seconds
    error_message = "max_session_seconds must be a whole number from 3600 to 43200."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
