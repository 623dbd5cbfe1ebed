output "secret_arn" {
  description = "ARN of the JWT signing secret; the service reads it from PODINFO_JWT_SECRET_ID."
  value       = aws_secretsmanager_secret.jwt.arn
}

output "secret_name" {
  description = "Name of the JWT signing secret."
  value       = aws_secretsmanager_secret.jwt.name
}

output "kms_key_arn" {
  description = "KMS key encrypting the secret; readers need kms:Decrypt through Secrets Manager."
  value       = aws_kms_key.secret.arn
}

output "rotator_function_name" {
  description = "Name of the rotation Lambda function."
  value       = aws_lambda_function.rotator.function_name
}

output "rotation_days" {
  description = "Days between automatic rotations."
  value       = aws_secretsmanager_secret_rotation.jwt.rotation_rules[0].automatically_after_days
}
