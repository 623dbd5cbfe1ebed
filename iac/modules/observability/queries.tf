# Saved Logs Insights queries. The service writes one JSON object per line
# with a correlation_id field (EC2 and Lambda alike), and the API access log
# carries API Gateway's request ID under the same name, so one filter follows
# a request across the API, the function and the instances.

locals {
  correlation_placeholder = "PASTE-CORRELATION-ID"

  follow_correlation_query = <<-EOT
    fields @timestamp, @log, level, msg, target, version, method, route, status, duration_ms
    | filter correlation_id = "${local.correlation_placeholder}"
    | sort @timestamp asc
    | limit 1000
  EOT

  errors_by_correlation_query = <<-EOT
    fields @timestamp, correlation_id, target, version, msg
    | filter level = "error"
    | stats count(*) as errors, earliest(@timestamp) as first_seen, latest(@timestamp) as last_seen by correlation_id, target, version
    | sort errors desc
    | limit 100
  EOT

  requests_by_version_query = <<-EOT
    fields @timestamp, target, version, duration_ms, status
    | filter msg = "request"
    | stats count(*) as requests, avg(duration_ms) as avg_ms, pct(duration_ms, 99) as p99_ms by target, version, bin(5m)
  EOT
}

resource "aws_cloudwatch_query_definition" "follow_correlation_id" {
  name            = "${var.name}/follow-correlation-id"
  log_group_names = local.request_log_groups
  query_string    = local.follow_correlation_query

  depends_on = [aws_cloudwatch_log_group.this]
}

resource "aws_cloudwatch_query_definition" "errors_by_correlation_id" {
  name            = "${var.name}/errors-by-correlation-id"
  log_group_names = [local.log_groups.lambda, local.log_groups.ec2, local.log_groups.rotator]
  query_string    = local.errors_by_correlation_query

  depends_on = [aws_cloudwatch_log_group.this]
}

resource "aws_cloudwatch_query_definition" "requests_by_version" {
  name            = "${var.name}/requests-by-target-and-version"
  log_group_names = [local.log_groups.lambda, local.log_groups.ec2]
  query_string    = local.requests_by_version_query

  depends_on = [aws_cloudwatch_log_group.this]
}
