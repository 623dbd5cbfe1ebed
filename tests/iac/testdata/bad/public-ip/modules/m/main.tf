resource "aws_launch_template" "public" {
  name_prefix = "a-"

  network_interfaces {
    associate_public_ip_address = true
  }
}

resource "aws_launch_template" "implicit" {
  name_prefix = "b-"
}

resource "aws_launch_template" "private" {
  name_prefix = "c-"

  network_interfaces {
    associate_public_ip_address = false
  }
}

resource "aws_instance" "public" {
  ami                         = "ami-123"
  instance_type               = "t3.micro"
  associate_public_ip_address = true
}

resource "aws_subnet" "public" {
  vpc_id                  = "vpc-1"
  cidr_block              = "10.0.0.0/24"
  map_public_ip_on_launch = true
}

resource "aws_subnet" "private" {
  vpc_id                  = "vpc-1"
  cidr_block              = "10.0.1.0/24"
  map_public_ip_on_launch = false
}
