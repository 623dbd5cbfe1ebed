output "log_group_names" {
  description = "Log group names by source: lambda, rotator, api (access logs), ec2, flow_logs."
  value       = { for k, g in aws_cloudwatch_log_group.this : k => g.name }
}

output "log_group_arns" {
  description = "Log group ARNs by source: lambda, rotator, api, ec2, flow_logs."
  value       = { for k, g in aws_cloudwatch_log_group.this : k => g.arn }
}

output "alarm_topic_arn" {
  description = "SNS topic every alarm notifies."
  value       = aws_sns_topic.alarms.arn
}

output "deploy_alarm_names" {
  description = "Alarms that stop a rollout when in ALARM (Lambda errors and throttles, API and ALB 5xx, unhealthy hosts, application health)."
  value       = local.deploy_alarms
}

output "all_alarm_names" {
  description = "Every alarm of the environment, including EC2 CPU and secret rotation."
  value       = concat(local.deploy_alarms, local.other_alarms)
}

output "dashboard_name" {
  description = "CloudWatch dashboard of the environment."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "query_definition_names" {
  description = "Saved Logs Insights queries (a folder named after the environment)."
  value = [
    aws_cloudwatch_query_definition.follow_correlation_id.name,
    aws_cloudwatch_query_definition.errors_by_correlation_id.name,
    aws_cloudwatch_query_definition.requests_by_version.name,
  ]
}

output "kms_key_arn" {
  description = "KMS key encrypting the log groups and the alarm topic."
  value       = aws_kms_key.observability.arn
}
