# prod: canary shifts gated by alarms, larger minimums, one NAT gateway per zone.
# Every environment root calls the same modules; only the sizes and the
# deployment configuration below differ.

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = local.tags
  }
}

locals {
  environment = "prod"
  name        = "podinfo-${local.environment}"
  image_uri   = "${module.registry.repository_url}@${var.image_digest}"

  tags = {
    Project     = "podinfo"
    Environment = local.environment
    ManagedBy   = "terraform"
  }

  sizes = {
    lambda_memory_mb     = 1024
    lambda_reserved      = 200
    lambda_provisioned   = 5
    instance_type        = "t3.medium"
    asg_min_size         = 3
    asg_max_size         = 9
    asg_desired_capacity = 3
    az_count             = 3
    single_nat_gateway   = false
    vpc_cidr             = "10.30.0.0/16"
    log_retention_days   = 365
    keep_tagged_images   = 500
    secret_recovery_days = 30
    deletion_protection  = true
    log_level            = "info"
  }

  deployment = {
    lambda_deployment_config = "CodeDeployDefault.LambdaCanary10Percent10Minutes"
    ec2_shift_steps          = [10, 25, 50, 100]
    ec2_bake_seconds         = 300
    thresholds = {
      lambda_errors_per_minute    = 1
      lambda_throttles_per_minute = 1
      http_5xx_per_minute         = 1
      cpu_percent                 = 70
    }
  }
}

module "registry" {
  source = "../../modules/registry"

  name               = local.name
  keep_tagged_images = local.sizes.keep_tagged_images
}

module "observability" {
  source = "../../modules/observability"

  name               = local.name
  environment        = local.environment
  log_retention_days = local.sizes.log_retention_days
  alarm_email        = var.alarm_email
  thresholds         = local.deployment.thresholds

  lambda_function_name  = module.lambda_service.function_name
  lambda_alias_name     = module.lambda_service.alias_name
  rotator_function_name = module.secrets.rotator_function_name
  api_id                = module.lambda_service.api_id
  alb_arn_suffix        = module.ec2_service.alb_arn_suffix
  target_group_arn_suffixes = {
    blue  = module.ec2_service.blue_target_group_arn_suffix
    green = module.ec2_service.green_target_group_arn_suffix
  }
  asg_names = {
    blue  = module.ec2_service.blue_asg_name
    green = module.ec2_service.green_asg_name
  }
}

module "secrets" {
  source = "../../modules/secrets"

  name                 = local.name
  image_uri            = local.image_uri
  architecture         = var.architecture
  recovery_window_days = local.sizes.secret_recovery_days
  log_group_name       = module.observability.log_group_names["rotator"]
  log_group_arn        = module.observability.log_group_arns["rotator"]
}

module "lambda_service" {
  source = "../../modules/lambda-service"

  name                    = local.name
  image_uri               = local.image_uri
  architecture            = var.architecture
  memory_mb               = local.sizes.lambda_memory_mb
  reserved_concurrency    = local.sizes.lambda_reserved
  provisioned_concurrency = local.sizes.lambda_provisioned
  log_level               = local.sizes.log_level
  secret_arn              = module.secrets.secret_arn
  secret_kms_key_arn      = module.secrets.kms_key_arn
  log_group_name          = module.observability.log_group_names["lambda"]
  log_group_arn           = module.observability.log_group_arns["lambda"]
  access_log_group_arn    = module.observability.log_group_arns["api"]
  domain_name             = var.api_domain_name
  certificate_arn         = var.api_domain_name == null ? null : var.certificate_arn
}

module "ec2_service" {
  source = "../../modules/ec2-service"

  name                 = local.name
  image_uri            = local.image_uri
  architecture         = var.architecture
  instance_type        = local.sizes.instance_type
  vpc_cidr             = local.sizes.vpc_cidr
  az_count             = local.sizes.az_count
  single_nat_gateway   = local.sizes.single_nat_gateway
  asg_min_size         = local.sizes.asg_min_size
  asg_max_size         = local.sizes.asg_max_size
  asg_desired_capacity = local.sizes.asg_desired_capacity
  certificate_arn      = var.certificate_arn
  domain_name          = var.alb_domain_name
  deletion_protection  = local.sizes.deletion_protection
  log_level            = local.sizes.log_level
  repository_arn       = module.registry.repository_arn
  secret_arn           = module.secrets.secret_arn
  secret_kms_key_arn   = module.secrets.kms_key_arn
  log_group_name       = module.observability.log_group_names["ec2"]
  log_group_arn        = module.observability.log_group_arns["ec2"]
  flow_log_group_arn   = module.observability.log_group_arns["flow_logs"]
}

module "delivery" {
  source = "../../modules/delivery"

  name                     = local.name
  environment              = local.environment
  lambda_function_arn      = module.lambda_service.function_arn
  lambda_deployment_config = local.deployment.lambda_deployment_config
  alarm_names              = module.observability.deploy_alarm_names
  ec2_shift_steps          = local.deployment.ec2_shift_steps
  ec2_bake_seconds         = local.deployment.ec2_bake_seconds
  deletion_protection      = local.sizes.deletion_protection
}

module "github_oidc" {
  source = "../../modules/github-oidc"

  repository               = var.github_repository
  create_provider          = var.create_github_oidc_provider
  permissions_boundary_arn = var.deploy_role_permissions_boundary_arn
  deploy_roles = {
    (local.environment) = {
      role_name   = "${local.name}-deploy"
      policy_arns = var.deploy_role_policy_arns
    }
  }
}
