output "id" {
  description = "An output the README forgot."
  value       = 1
}
