# One dashboard per environment. The correlation-ID widget reads the
# dashboard variable "correlation_id": type an ID into the box at the top of
# the dashboard to see every line that request left.

locals {
  dashboard_region = local.region

  metric_widget = {
    view    = "timeSeries"
    stacked = false
    region  = local.dashboard_region
    period  = 60
  }

  dashboard_widgets = [
    {
      type = "text", x = 0, y = 0, width = 24, height = 2
      properties = {
        markdown = "# ${var.name} (${var.environment})\nLambda alias **${local.alias_resource}** behind the HTTP API; EC2 blue/green behind the ALB. Rollouts stop on the alarms in the alarm widget. Saved queries: **${var.name}/**."
      }
    },
    {
      type = "metric", x = 0, y = 2, width = 8, height = 6
      properties = merge(local.metric_widget, {
        title = "Lambda invocations, errors, throttles (${local.alias_resource})"
        stat  = "Sum"
        metrics = [
          ["AWS/Lambda", "Invocations", "FunctionName", var.lambda_function_name, "Resource", local.alias_resource],
          [".", "Errors", ".", ".", ".", "."],
          [".", "Throttles", ".", ".", ".", "."],
        ]
      })
    },
    {
      type = "metric", x = 8, y = 2, width = 8, height = 6
      properties = merge(local.metric_widget, {
        title = "Lambda duration (ms)"
        metrics = [
          ["AWS/Lambda", "Duration", "FunctionName", var.lambda_function_name, "Resource", local.alias_resource, { stat = "p50" }],
          ["...", { stat = "p99" }],
          ["...", { stat = "Maximum" }],
        ]
      })
    },
    {
      type = "metric", x = 16, y = 2, width = 8, height = 6
      properties = merge(local.metric_widget, {
        title = "Deployment: Lambda invocations by executed version"
        stat  = "Sum"
        metrics = [
          [{ expression = "SEARCH('{AWS/Lambda,ExecutedVersion,FunctionName,Resource} FunctionName=\"${var.lambda_function_name}\" MetricName=\"Invocations\"', 'Sum', 60)", id = "versions", label = "version" }],
        ]
      })
    },
    {
      type = "metric", x = 0, y = 8, width = 8, height = 6
      properties = merge(local.metric_widget, {
        title = "ALB requests by colour"
        stat  = "Sum"
        metrics = [
          ["AWS/ApplicationELB", "RequestCount", "TargetGroup", var.target_group_arn_suffixes.blue, "LoadBalancer", var.alb_arn_suffix, { label = "blue" }],
          ["AWS/ApplicationELB", "RequestCount", "TargetGroup", var.target_group_arn_suffixes.green, "LoadBalancer", var.alb_arn_suffix, { label = "green" }],
        ]
      })
    },
    {
      type = "metric", x = 8, y = 8, width = 8, height = 6
      properties = merge(local.metric_widget, {
        title = "ALB latency and 5xx"
        metrics = [
          ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", var.alb_arn_suffix, { stat = "p99", label = "p99 latency (s)" }],
          [".", "HTTPCode_Target_5XX_Count", ".", ".", { stat = "Sum", yAxis = "right", label = "target 5xx" }],
          [".", "HTTPCode_ELB_5XX_Count", ".", ".", { stat = "Sum", yAxis = "right", label = "ALB 5xx" }],
        ]
      })
    },
    {
      type = "metric", x = 16, y = 8, width = 8, height = 6
      properties = merge(local.metric_widget, {
        title = "Target health by colour (deployment colour)"
        stat  = "Minimum"
        metrics = [
          ["AWS/ApplicationELB", "HealthyHostCount", "TargetGroup", var.target_group_arn_suffixes.blue, "LoadBalancer", var.alb_arn_suffix, { label = "blue healthy" }],
          [".", ".", ".", var.target_group_arn_suffixes.green, ".", ".", { label = "green healthy" }],
          [".", "UnHealthyHostCount", ".", var.target_group_arn_suffixes.blue, ".", ".", { label = "blue unhealthy", stat = "Maximum" }],
          [".", ".", ".", var.target_group_arn_suffixes.green, ".", ".", { label = "green unhealthy", stat = "Maximum" }],
        ]
      })
    },
    {
      type = "metric", x = 0, y = 14, width = 8, height = 6
      properties = merge(local.metric_widget, {
        title  = "EC2 CPU by colour (%)"
        stat   = "Average"
        period = 300
        metrics = [
          ["AWS/EC2", "CPUUtilization", "AutoScalingGroupName", var.asg_names.blue, { label = "blue" }],
          [".", ".", ".", var.asg_names.green, { label = "green" }],
        ]
      })
    },
    {
      type = "metric", x = 8, y = 14, width = 8, height = 6
      properties = merge(local.metric_widget, {
        title  = "EC2 network by colour (bytes)"
        stat   = "Sum"
        period = 300
        metrics = [
          ["AWS/EC2", "NetworkIn", "AutoScalingGroupName", var.asg_names.blue, { label = "blue in" }],
          [".", "NetworkOut", ".", ".", { label = "blue out" }],
          [".", "NetworkIn", ".", var.asg_names.green, { label = "green in" }],
          [".", "NetworkOut", ".", ".", { label = "green out" }],
        ]
      })
    },
    {
      type = "metric", x = 16, y = 14, width = 8, height = 6
      properties = merge(local.metric_widget, {
        title  = "Secret rotation (rotator invocations and errors)"
        stat   = "Sum"
        period = 3600
        metrics = [
          ["AWS/Lambda", "Invocations", "FunctionName", var.rotator_function_name],
          [".", "Errors", ".", "."],
        ]
      })
    },
    {
      type = "metric", x = 0, y = 20, width = 12, height = 6
      properties = merge(local.metric_widget, {
        title = "Deployment colour: in-service instances"
        stat  = "Average"
        metrics = [
          ["AWS/AutoScaling", "GroupInServiceInstances", "AutoScalingGroupName", var.asg_names.blue, { label = "blue" }],
          [".", ".", ".", var.asg_names.green, { label = "green" }],
        ]
      })
    },
    {
      type = "alarm", x = 12, y = 20, width = 12, height = 6
      properties = {
        title  = "Alarms"
        alarms = [for a in concat(local.deploy_alarms, local.other_alarms) : "arn:${local.partition}:cloudwatch:${local.region}:${local.account}:alarm:${a}"]
      }
    },
    {
      type = "log", x = 0, y = 26, width = 12, height = 6
      properties = {
        title  = "Deployment version by target (requests, last interval)"
        region = local.dashboard_region
        view   = "table"
        query  = "${join(" | ", [for g in [local.log_groups.lambda, local.log_groups.ec2] : "SOURCE '${g}'"])} | filter msg = \"request\" | stats count(*) as requests by target, version"
      }
    },
    {
      type = "log", x = 12, y = 26, width = 12, height = 6
      properties = {
        title  = "Secret rotation log"
        region = local.dashboard_region
        view   = "table"
        query  = "SOURCE '${local.log_groups.rotator}' | fields @timestamp, level, msg | sort @timestamp desc | limit 50"
      }
    },
    {
      type = "log", x = 0, y = 32, width = 24, height = 8
      properties = {
        title  = "Correlation ID search (set the correlation_id variable above)"
        region = local.dashboard_region
        view   = "table"
        query  = "${join(" | ", [for g in local.request_log_groups : "SOURCE '${g}'"])} | fields @timestamp, @log, level, msg, target, version, status | filter correlation_id = \"${local.correlation_placeholder}\" | sort @timestamp asc | limit 500"
      }
    },
  ]
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name
  dashboard_body = jsonencode({
    start          = "-PT3H"
    periodOverride = "inherit"
    widgets        = local.dashboard_widgets
    variables = [{
      type         = "pattern"
      pattern      = local.correlation_placeholder
      inputType    = "input"
      id           = "correlation_id"
      label        = "Correlation ID"
      defaultValue = local.correlation_placeholder
      visible      = true
    }]
  })
}
