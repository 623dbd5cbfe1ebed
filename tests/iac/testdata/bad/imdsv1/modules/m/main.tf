resource "aws_launch_template" "optional" {
  name_prefix = "a-"

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "optional"
  }
}

resource "aws_launch_template" "none" {
  name_prefix = "b-"
}

resource "aws_launch_template" "good" {
  name_prefix = "c-"

  metadata_options {
    http_tokens = "required"
  }
}

resource "aws_instance" "single" {
  ami           = "ami-123"
  instance_type = "t3.micro"
}
