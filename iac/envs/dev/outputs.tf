# The deployer contract (ci/deploycontract): the deployer reads exactly these
# names. iac/README.md documents them; tests/iac checks every root has them.

output "environment" {
  description = "Environment name (dev, staging, prod); checked against --env."
  value       = local.environment
}

output "aws_region" {
  description = "Region every AWS call is made in."
  value       = var.aws_region
}

output "image_digest" {
  description = "Image digest Terraform was applied with (sha256:...)."
  value       = var.image_digest
}

output "image_uri" {
  description = "repository@digest the Lambda function and launch template run."
  value       = local.image_uri
}

output "lambda_function_name" {
  description = "Lambda function the image is deployed to."
  value       = module.lambda_service.function_name
}

output "lambda_alias_name" {
  description = "Alias carrying live traffic (\"live\")."
  value       = module.lambda_service.alias_name
}

output "codedeploy_app_name" {
  description = "CodeDeploy application for the Lambda alias shift."
  value       = module.delivery.codedeploy_app_name
}

output "codedeploy_lambda_group_name" {
  description = "CodeDeploy deployment group for the Lambda alias."
  value       = module.delivery.codedeploy_lambda_group_name
}

output "lambda_deployment_config" {
  description = "CodeDeploy deployment config name (canary, linear or all-at-once)."
  value       = module.delivery.lambda_deployment_config
}

output "api_url" {
  description = "API Gateway HTTP API base URL, smoke-tested after the shift."
  value       = module.lambda_service.api_url
}

output "alb_listener_arn" {
  description = "ALB listener whose default action forwards to blue and green."
  value       = module.ec2_service.listener_arn
}

output "blue_target_group_arn" {
  description = "Blue target group ARN."
  value       = module.ec2_service.blue_target_group_arn
}

output "green_target_group_arn" {
  description = "Green target group ARN."
  value       = module.ec2_service.green_target_group_arn
}

output "blue_asg_name" {
  description = "Auto Scaling group serving the blue target group."
  value       = module.ec2_service.blue_asg_name
}

output "green_asg_name" {
  description = "Auto Scaling group serving the green target group."
  value       = module.ec2_service.green_asg_name
}

output "launch_template_id" {
  description = "Launch template whose newest version runs image_uri."
  value       = module.ec2_service.launch_template_id
}

output "asg_desired_capacity" {
  description = "Capacity the active colour runs at."
  value       = module.ec2_service.asg_desired_capacity
}

output "alb_url" {
  description = "ALB base URL, smoke-tested after every weight step."
  value       = module.ec2_service.alb_url
}

output "alarm_names" {
  description = "CloudWatch alarms that stop a shift when in ALARM."
  value       = module.delivery.alarm_names
}

output "ec2_shift_steps" {
  description = "ALB weight steps for the new colour in percent, e.g. [10, 50, 100]."
  value       = module.delivery.ec2_shift_steps
}

output "ec2_bake_seconds" {
  description = "Seconds to wait between weight steps while watching alarms."
  value       = module.delivery.ec2_bake_seconds
}

output "state_table_name" {
  description = "DynamoDB table holding deploy records and the deploy lock."
  value       = module.delivery.state_table_name
}

# Beyond the contract: useful to operators and to the deployer's IAM.

output "asg_min_size" {
  description = "Minimum size the deployer gives the active colour."
  value       = module.ec2_service.asg_min_size
}

output "asg_max_size" {
  description = "Maximum size of each colour."
  value       = module.ec2_service.asg_max_size
}

output "repository_url" {
  description = "ECR repository the image must be in (promote copies it here by digest)."
  value       = module.registry.repository_url
}

output "secret_arn" {
  description = "JWT signing secret (PODINFO_JWT_SECRET_ID)."
  value       = module.secrets.secret_arn
}

output "dashboard_name" {
  description = "CloudWatch dashboard of the environment."
  value       = module.observability.dashboard_name
}

output "alarm_topic_arn" {
  description = "SNS topic the alarms notify."
  value       = module.observability.alarm_topic_arn
}

output "deploy_role_arn" {
  description = "Role the GitHub environment's deploy job assumes."
  value       = module.github_oidc.deploy_role_arns[local.environment]
}

output "launch_template_version" {
  description = "Newest launch template version: the one that runs image_uri."
  value       = module.ec2_service.launch_template_version
}
