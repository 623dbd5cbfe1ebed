output "codedeploy_app_name" {
  description = "CodeDeploy application (compute platform Lambda)."
  value       = aws_codedeploy_app.this.name
}

output "codedeploy_lambda_group_name" {
  description = "CodeDeploy deployment group that shifts the Lambda alias."
  value       = aws_codedeploy_deployment_group.lambda.deployment_group_name
}

output "lambda_deployment_config" {
  description = "CodeDeploy deployment configuration of the Lambda group."
  value       = aws_codedeploy_deployment_group.lambda.deployment_config_name
}

output "ec2_shift_steps" {
  description = "ALB weight steps of the new colour in percent, ending at 100."
  value       = var.ec2_shift_steps
}

output "ec2_bake_seconds" {
  description = "Seconds to wait at each EC2 weight step while watching the alarms."
  value       = var.ec2_bake_seconds
}

output "alarm_names" {
  description = "Alarms that stop a rollout."
  value       = var.alarm_names
}

output "state_table_name" {
  description = "DynamoDB table holding deploy records and the deploy lock (string keys pk and sk, TTL attribute expires_at)."
  value       = aws_dynamodb_table.state.name
}

output "state_table_arn" {
  description = "ARN of the deploy state table, for the deploy role's policy."
  value       = aws_dynamodb_table.state.arn
}

output "state_table_kms_key_arn" {
  description = "KMS key encrypting the deploy state table; the deploy role needs kms:Decrypt and kms:GenerateDataKey on it."
  value       = aws_kms_key.state.arn
}
