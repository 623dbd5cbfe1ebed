output "repository_name" {
  description = "ECR repository name."
  value       = aws_ecr_repository.this.name
}

output "repository_url" {
  description = "Repository URL without tag or digest (<account>.dkr.ecr.<region>.amazonaws.com/<name>); append @sha256:... to address an image."
  value       = aws_ecr_repository.this.repository_url
}

output "repository_arn" {
  description = "ECR repository ARN, for pull and push policies."
  value       = aws_ecr_repository.this.arn
}

output "registry_id" {
  description = "Account ID of the registry holding the repository."
  value       = aws_ecr_repository.this.registry_id
}

output "kms_key_arn" {
  description = "KMS key encrypting the repository."
  value       = aws_kms_key.ecr.arn
}
