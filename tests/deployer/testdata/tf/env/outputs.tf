output "environment" { value = var.environment }
output "aws_region" { value = var.aws_region }
output "image_digest" { value = var.image_digest }
output "image_uri" { value = terraform_data.image.output }
output "lambda_function_name" { value = local.name }
output "lambda_alias_name" { value = "live" }
output "codedeploy_app_name" { value = local.name }
output "codedeploy_lambda_group_name" { value = "${local.name}-live" }
output "lambda_deployment_config" { value = "CodeDeployDefault.LambdaCanary10Percent5Minutes" }
output "api_url" { value = var.api_url }
output "alb_listener_arn" { value = "${local.elb}:listener/app/podinfo/abc/def" }
output "blue_target_group_arn" { value = "${local.elb}:targetgroup/podinfo-blue/1" }
output "green_target_group_arn" { value = "${local.elb}:targetgroup/podinfo-green/2" }
output "blue_asg_name" { value = "podinfo-blue" }
output "green_asg_name" { value = "podinfo-green" }
output "launch_template_id" { value = "lt-0123456789abcdef0" }
output "launch_template_version" { value = var.launch_template_version }
output "asg_desired_capacity" { value = 2 }
output "alb_url" { value = var.alb_url }
output "alarm_names" { value = var.alarm_names }
output "ec2_shift_steps" { value = [10, 50, 100] }
output "ec2_bake_seconds" { value = 60 }
output "state_table_name" { value = terraform_data.state_table.output.name }
output "asg_min_size" { value = 1 }

# Sensitive: must never reach the deployer's logs or report.
output "admin_token" {
  value     = "fixture-sensitive-${substr(var.image_digest, 7, 8)}"
  sensitive = true
}
