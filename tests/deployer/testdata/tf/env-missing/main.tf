# Fixture environment root for the deployer: the deploy contract's outputs
# (ci/deploycontract) computed from variables, with only built-in resources
# and a local backend. The AWS names point at the tests' fake endpoints; the
# URLs at a real service the tests start.
terraform {
  backend "local" {}
}

variable "image_digest" {
  type        = string
  description = "digest to deploy"

  validation {
    condition     = can(regex("^sha256:[a-f0-9]{64}$", var.image_digest))
    error_message = "image_digest must be sha256:<64 hex>."
  }
}

variable "environment" {
  type    = string
  default = "prod"
}

variable "aws_region" {
  type    = string
  default = "eu-west-1"
}

variable "api_url" {
  type    = string
  default = "http://127.0.0.1:1"
}

variable "alb_url" {
  type    = string
  default = "http://127.0.0.1:1"
}

variable "alarm_names" {
  type    = list(string)
  default = ["podinfo-prod-5xx", "podinfo-prod-latency"]
}

variable "launch_template_version" {
  type    = string
  default = "4"
}

locals {
  name       = "podinfo-${var.environment}"
  repository = "123456789012.dkr.ecr.${var.aws_region}.amazonaws.com/${local.name}"
  elb        = "arn:aws:elasticloadbalancing:${var.aws_region}:123456789012"
}

# Stands in for the Lambda function and launch template: replaced when the
# digest changes, as their image reference would be updated.
resource "terraform_data" "image" {
  input            = "${local.repository}@${var.image_digest}"
  triggers_replace = [var.image_digest]
}

# Stands in for the state table: created once, never replaced.
resource "terraform_data" "state_table" {
  input = { name = "${local.name}-deploy-state", tags = { "deploy:protected" = "true" } }
}
