# The JWT signing key: a Secrets Manager secret encrypted with its own KMS key
# and rotated every rotation_days by the `rotator` binary of the service image.
# The first rotation runs when rotation is configured and creates AWSCURRENT,
# so the key material never passes through Terraform or its state.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  rotator_name = "${var.name}-rotator"
}

resource "aws_kms_key" "secret" {
  description             = "JWT signing secret of ${var.name}"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  tags                    = var.tags
}

resource "aws_kms_alias" "secret" {
  name          = "alias/${var.name}-jwt"
  target_key_id = aws_kms_key.secret.key_id
}

resource "aws_secretsmanager_secret" "jwt" {
  name                    = "${var.name}/jwt-signing-key"
  description             = "HMAC key signing the service's JWTs (AWSCURRENT signs; AWSCURRENT and AWSPREVIOUS validate)."
  kms_key_id              = aws_kms_key.secret.arn
  recovery_window_in_days = var.recovery_window_days
  tags                    = var.tags
}

data "aws_iam_policy_document" "assume_lambda" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "rotator" {
  name               = local.rotator_name
  assume_role_policy = data.aws_iam_policy_document.assume_lambda.json
  tags               = var.tags
}

data "aws_iam_policy_document" "rotator" {
  statement {
    sid = "RotateThisSecret"
    actions = [
      "secretsmanager:DescribeSecret",
      "secretsmanager:GetSecretValue",
      "secretsmanager:PutSecretValue",
      "secretsmanager:UpdateSecretVersionStage",
    ]
    resources = [aws_secretsmanager_secret.jwt.arn]
  }

  # GetRandomPassword has no resource type: IAM accepts only "*" for it.
  statement {
    sid       = "RandomKeyMaterial"
    actions   = ["secretsmanager:GetRandomPassword"]
    resources = ["*"]
  }

  statement {
    sid       = "UseTheSecretKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.secret.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${data.aws_region.current.region}.amazonaws.com"]
    }
  }

  statement {
    sid       = "WriteItsLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${var.log_group_arn}:*"]
  }
}

resource "aws_iam_role_policy" "rotator" {
  name   = "rotate-jwt-secret"
  role   = aws_iam_role.rotator.id
  policy = data.aws_iam_policy_document.rotator.json
}

resource "aws_lambda_function" "rotator" {
  function_name = local.rotator_name
  description   = "Rotates ${aws_secretsmanager_secret.jwt.name}"
  role          = aws_iam_role.rotator.arn
  package_type  = "Image"
  image_uri     = var.image_uri
  architectures = [var.architecture]
  memory_size   = 128
  timeout       = 60

  # The image's entry point starts the service; the rotation function runs
  # the image's second binary instead.
  image_config {
    entry_point = var.rotator_command
  }

  logging_config {
    log_format = "Text"
    log_group  = var.log_group_name
  }

  tracing_config {
    mode = "Active"
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy.rotator]
}

resource "aws_lambda_permission" "secretsmanager" {
  statement_id   = "AllowSecretsManagerRotation"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.rotator.function_name
  principal      = "secretsmanager.amazonaws.com"
  source_arn     = aws_secretsmanager_secret.jwt.arn
  source_account = data.aws_caller_identity.current.account_id
}

resource "aws_secretsmanager_secret_rotation" "jwt" {
  secret_id           = aws_secretsmanager_secret.jwt.id
  rotation_lambda_arn = aws_lambda_function.rotator.arn

  rotation_rules {
    automatically_after_days = var.rotation_days
  }

  depends_on = [aws_lambda_permission.secretsmanager]
}
