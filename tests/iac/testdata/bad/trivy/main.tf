# Deliberately insecure: trivy config must report HIGH or CRITICAL findings.

resource "aws_ecr_repository" "mutable" {
  name                 = "insecure"
  image_tag_mutability = "MUTABLE"

  image_scanning_configuration {
    scan_on_push = false
  }
}

resource "aws_security_group" "ssh_from_anywhere" {
  name        = "ssh"
  description = "SSH from anywhere"

  ingress {
    description = "SSH"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
