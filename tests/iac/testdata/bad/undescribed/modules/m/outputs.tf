output "bare" {
  value = 1
}

output "described" {
  description = "Has a description."
  value       = 2
}
