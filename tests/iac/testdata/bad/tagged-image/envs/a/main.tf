locals {
  fallback_image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/podinfo:latest"
}
