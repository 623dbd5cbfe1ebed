# Fixture for the plan policy: only built-in resources and a local backend.
terraform {
  backend "local" {}
}

variable "image_digest" {
  type        = string
  description = "digest the app resource records"
}

variable "keep_db" {
  type        = bool
  default     = true
  description = "false plans the destruction of the protected db"
}

variable "db_generation" {
  type        = number
  default     = 1
  description = "changing it plans a replacement of the protected db"
}

# Tagged deploy:protected, so the policy guards it whatever its type.
resource "terraform_data" "db" {
  count = var.keep_db ? 1 : 0
  input = {
    tags       = { "deploy:protected" = "true" }
    generation = var.db_generation
  }
  triggers_replace = [var.db_generation]
}

# Unprotected: replaced on every digest change.
resource "terraform_data" "app" {
  input            = var.image_digest
  triggers_replace = [var.image_digest]
}

output "image_digest" {
  value = terraform_data.app.output
}

output "db_count" {
  value = length(terraform_data.db)
}
