resource "terraform_data" "x" {
input = "misaligned"
    triggers_replace = ["a","b"]
}
