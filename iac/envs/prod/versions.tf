terraform {
  required_version = ">= 1.10.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }

  # S3 state with S3-native locking. Bucket, key and region come from
  # backend.tfbackend: terraform init -backend-config=backend.tfbackend
  backend "s3" {}
}
