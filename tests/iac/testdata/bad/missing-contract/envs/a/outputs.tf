output "environment" {
  description = "Environment."
  value       = "a"
}

output "image_uri" {
  description = "Image."
  value       = "x"
}

output "state_table_name" {
  description = "Table."
  value       = "t"
}
