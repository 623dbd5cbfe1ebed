# Alarms. The ones in local.deploy_alarms gate a rollout: CodeDeploy stops and
# rolls back the Lambda shift when one fires, and the deployer stops the EC2
# weight steps. Every alarm notifies the SNS topic.

locals {
  alarm_actions = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "lambda_errors" {
  alarm_name          = "${var.name}-lambda-errors"
  alarm_description   = "Errors of ${local.alias_resource} reached ${var.thresholds.lambda_errors_per_minute} in a minute."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = var.lambda_function_name, Resource = local.alias_resource }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  threshold           = var.thresholds.lambda_errors_per_minute
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "lambda_throttles" {
  alarm_name          = "${var.name}-lambda-throttles"
  alarm_description   = "Throttles of ${local.alias_resource} reached ${var.thresholds.lambda_throttles_per_minute} in a minute."
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = var.lambda_function_name, Resource = local.alias_resource }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  threshold           = var.thresholds.lambda_throttles_per_minute
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "api_5xx" {
  alarm_name          = "${var.name}-api-5xx"
  alarm_description   = "The HTTP API answered ${var.thresholds.http_5xx_per_minute} or more 5xx in a minute."
  namespace           = "AWS/ApiGateway"
  metric_name         = "5xx"
  dimensions          = { ApiId = var.api_id, Stage = "$default" }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  threshold           = var.thresholds.http_5xx_per_minute
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "alb_5xx" {
  alarm_name          = "${var.name}-alb-5xx"
  alarm_description   = "The ALB and its targets answered ${var.thresholds.http_5xx_per_minute} or more 5xx in a minute."
  evaluation_periods  = 1
  threshold           = var.thresholds.http_5xx_per_minute
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "total"
    expression  = "FILL(target, 0) + FILL(elb, 0)"
    label       = "5xx per minute"
    return_data = true
  }

  metric_query {
    id = "target"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      dimensions  = { LoadBalancer = var.alb_arn_suffix }
      stat        = "Sum"
      period      = 60
    }
  }

  metric_query {
    id = "elb"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_ELB_5XX_Count"
      dimensions  = { LoadBalancer = var.alb_arn_suffix }
      stat        = "Sum"
      period      = 60
    }
  }

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "unhealthy_hosts" {
  for_each            = tomap(var.target_group_arn_suffixes)
  alarm_name          = "${var.name}-${each.key}-unhealthy-hosts"
  alarm_description   = "The ${each.key} target group has failed /readyz health checks for two minutes."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  dimensions          = { TargetGroup = each.value, LoadBalancer = var.alb_arn_suffix }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 2
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

# Application health: no healthy target in either colour means the service is
# down on EC2, whatever the weights say.
resource "aws_cloudwatch_metric_alarm" "app_health" {
  alarm_name          = "${var.name}-app-health"
  alarm_description   = "No target of ${var.name} passes /readyz in either colour."
  evaluation_periods  = 2
  threshold           = 1
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "healthy"
    expression  = "FILL(blue, 0) + FILL(green, 0)"
    label       = "healthy targets"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = tomap(var.target_group_arn_suffixes)
    content {
      id = metric_query.key
      metric {
        namespace   = "AWS/ApplicationELB"
        metric_name = "HealthyHostCount"
        dimensions  = { TargetGroup = metric_query.value, LoadBalancer = var.alb_arn_suffix }
        stat        = "Minimum"
        period      = 60
      }
    }
  }

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "cpu" {
  for_each            = tomap(var.asg_names)
  alarm_name          = "${var.name}-${each.key}-cpu"
  alarm_description   = "Average CPU of the ${each.key} group above ${var.thresholds.cpu_percent}% for ten minutes."
  namespace           = "AWS/EC2"
  metric_name         = "CPUUtilization"
  dimensions          = { AutoScalingGroupName = each.value }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 2
  threshold           = var.thresholds.cpu_percent
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "rotation_errors" {
  alarm_name          = "${var.name}-secret-rotation-errors"
  alarm_description   = "The JWT secret rotation function failed; the signing key may not have rotated."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = var.rotator_function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

locals {
  # Alarms that stop a rollout (CodeDeploy for Lambda, the deployer for EC2).
  deploy_alarms = concat(
    [
      aws_cloudwatch_metric_alarm.lambda_errors.alarm_name,
      aws_cloudwatch_metric_alarm.lambda_throttles.alarm_name,
      aws_cloudwatch_metric_alarm.api_5xx.alarm_name,
      aws_cloudwatch_metric_alarm.alb_5xx.alarm_name,
      aws_cloudwatch_metric_alarm.app_health.alarm_name,
    ],
    [for c in ["blue", "green"] : aws_cloudwatch_metric_alarm.unhealthy_hosts[c].alarm_name],
  )

  other_alarms = concat(
    [for c in ["blue", "green"] : aws_cloudwatch_metric_alarm.cpu[c].alarm_name],
    [aws_cloudwatch_metric_alarm.rotation_errors.alarm_name],
  )
}
