resource "aws_lambda_function" "tagged" {
  function_name = "x"
  role          = "arn:aws:iam::123456789012:role/x"
  package_type  = "Image"
  image_uri     = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/podinfo@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
}
