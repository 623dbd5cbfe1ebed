resource "aws_ecr_repository" "mutable" {
  name                 = "a"
  image_tag_mutability = "MUTABLE"
}

resource "aws_ecr_repository" "unset" {
  name = "b"
}

resource "aws_ecr_repository" "good" {
  name                 = "c"
  image_tag_mutability = "IMMUTABLE"
}
