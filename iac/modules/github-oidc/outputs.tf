output "provider_arn" {
  description = "ARN of the GitHub OIDC provider the roles trust."
  value       = local.provider_arn
}

output "deploy_role_arns" {
  description = "Deploy role ARNs by GitHub environment; set each as the role-to-assume of that environment's workflow job."
  value       = { for env, r in aws_iam_role.deploy : env => r.arn }
}

output "trusted_subjects" {
  description = "The exact OIDC subject each role trusts, by GitHub environment."
  value       = { for env, _ in var.deploy_roles : env => "repo:${var.repository}:environment:${env}" }
}
