variable "name" {
  description = "Repository name, e.g. \"podinfo-prod\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$", var.name)) && length(var.name) >= 2 && length(var.name) <= 256
    error_message = "name must be 2-256 characters of lowercase letters, digits and single '.', '_', '-' or '/' separators, e.g. \"podinfo-prod\"."
  }
}

variable "keep_tagged_images" {
  description = "How many tagged images to keep; older tagged images expire. Untagged manifests (signatures, attestations, SBOMs and digest-only pushes) never expire."
  type        = number
  default     = 200

  validation {
    condition     = var.keep_tagged_images >= 10 && var.keep_tagged_images <= 10000 && floor(var.keep_tagged_images) == var.keep_tagged_images
    error_message = "keep_tagged_images must be a whole number from 10 to 10000."
  }
}

variable "replication_regions" {
  description = "Regions this account's ECR replicates the repository into (empty: no replication). ECR keeps one replication configuration per registry, so set this in one root per account only."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for r in var.replication_regions : can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", r))])
    error_message = "replication_regions must hold AWS region names such as \"eu-west-1\" or \"us-east-2\"."
  }
}

variable "lambda_pull_enabled" {
  description = "Whether the repository policy lets the Lambda service of this account pull images (needed when a Lambda function runs an image from this repository)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
