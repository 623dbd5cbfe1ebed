output "environment" {
  description = "Environment."
  value       = "b"
}
