output "function_name" {
  description = "Name of the service's Lambda function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the function (unqualified)."
  value       = aws_lambda_function.this.arn
}

output "function_version" {
  description = "Version published by the last apply; the deployer shifts the alias to it."
  value       = aws_lambda_function.this.version
}

output "alias_name" {
  description = "Alias carrying live traffic (\"live\")."
  value       = aws_lambda_alias.live.name
}

output "alias_arn" {
  description = "ARN of the live alias, the API's integration target."
  value       = aws_lambda_alias.live.arn
}

output "role_arn" {
  description = "Execution role of the function."
  value       = aws_iam_role.function.arn
}

output "api_id" {
  description = "ID of the HTTP API (CloudWatch dimension ApiId)."
  value       = aws_apigatewayv2_api.this.id
}

output "api_url" {
  description = "Base URL of the API: https://<domain_name> when a custom domain is set, else the execute-api endpoint."
  value       = var.domain_name == null ? aws_apigatewayv2_stage.default.invoke_url : "https://${var.domain_name}"
}

output "api_domain_target" {
  description = "Regional domain name to point the custom domain's DNS record at (null without a custom domain)."
  value       = var.domain_name == null ? null : aws_apigatewayv2_domain_name.this[0].domain_name_configuration[0].target_domain_name
}
