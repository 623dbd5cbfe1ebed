# Delivery: CodeDeploy shifts the Lambda alias (canary, linear or all at
# once, rolled back on alarms); the deployer shifts EC2 itself through the ALB
# listener weights, in the steps and bake time declared here, and keeps its
# deploy records and lock in the state table.

resource "aws_codedeploy_app" "this" {
  name             = var.name
  compute_platform = "Lambda"
  tags             = var.tags
}

data "aws_iam_policy_document" "assume_codedeploy" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["codedeploy.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "codedeploy" {
  name               = "${var.name}-codedeploy"
  assume_role_policy = data.aws_iam_policy_document.assume_codedeploy.json
  tags               = var.tags
}

# What CodeDeploy needs to shift one function's alias and watch the alarms:
# the managed AWSCodeDeployRoleForLambdaLimited, scoped to this function.
data "aws_iam_policy_document" "codedeploy" {
  statement {
    sid       = "ShiftAlias"
    actions   = ["lambda:GetAlias", "lambda:UpdateAlias", "lambda:GetProvisionedConcurrencyConfig"]
    resources = [var.lambda_function_arn, "${var.lambda_function_arn}:*"]
  }

  # DescribeAlarms has no resource-level permissions: IAM accepts only "*".
  statement {
    sid       = "WatchAlarms"
    actions   = ["cloudwatch:DescribeAlarms"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "codedeploy" {
  name   = "shift-lambda-alias"
  role   = aws_iam_role.codedeploy.id
  policy = data.aws_iam_policy_document.codedeploy.json
}

resource "aws_codedeploy_deployment_group" "lambda" {
  app_name               = aws_codedeploy_app.this.name
  deployment_group_name  = "${var.name}-lambda"
  service_role_arn       = aws_iam_role.codedeploy.arn
  deployment_config_name = var.lambda_deployment_config

  deployment_style {
    deployment_type   = "BLUE_GREEN"
    deployment_option = "WITH_TRAFFIC_CONTROL"
  }

  auto_rollback_configuration {
    enabled = true
    events  = length(var.alarm_names) > 0 ? ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"] : ["DEPLOYMENT_FAILURE"]
  }

  dynamic "alarm_configuration" {
    for_each = length(var.alarm_names) > 0 ? [1] : []
    content {
      enabled = true
      alarms  = var.alarm_names
    }
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy.codedeploy]

  # Only dev may shift all at once or without alarms.
  lifecycle {
    precondition {
      condition     = var.environment == "dev" || (var.lambda_deployment_config != "CodeDeployDefault.LambdaAllAtOnce" && length(var.ec2_shift_steps) > 1 && length(var.alarm_names) > 0)
      error_message = "${var.environment} must shift gradually: use a CodeDeployDefault.LambdaCanary* or LambdaLinear* lambda_deployment_config, more than one ec2_shift_steps (e.g. [10, 50, 100]) and at least one alarm; only dev may shift all at once."
    }
  }
}

# Deploy records and the deploy lock. Keys are strings: pk (e.g.
# "lock#<env>", "deploy#<env>") and sk (e.g. "current", an RFC 3339 time);
# items may carry a numeric expires_at (epoch seconds) for TTL.
resource "aws_kms_key" "state" {
  description             = "Deploy state table of ${var.name}"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  tags                    = var.tags
}

resource "aws_kms_alias" "state" {
  name          = "alias/${var.name}-deploy-state"
  target_key_id = aws_kms_key.state.key_id
}

resource "aws_dynamodb_table" "state" {
  name                        = "${var.name}-deploy-state"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  range_key                   = "sk"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "pk"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "S"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.state.arn
  }

  tags = var.tags
}
