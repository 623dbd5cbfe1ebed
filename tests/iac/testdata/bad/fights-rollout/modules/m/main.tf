resource "aws_lambda_alias" "live" {
  name             = "live"
  function_name    = "f"
  function_version = "1"
}

resource "aws_lb_listener" "weighted" {
  load_balancer_arn = "arn"
  port              = 80

  default_action {
    type = "forward"
    forward {
      target_group {
        arn    = "blue"
        weight = 100
      }
      target_group {
        arn    = "green"
        weight = 0
      }
    }
  }
}

resource "aws_lb_listener" "redirect" {
  load_balancer_arn = "arn"
  port              = 80

  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_autoscaling_group" "blue" {
  max_size = 2
  min_size = 1

  lifecycle {
    ignore_changes = [desired_capacity]
  }
}

resource "aws_autoscaling_group" "green" {
  max_size = 2
  min_size = 0

  lifecycle {
    ignore_changes = [min_size, desired_capacity]
  }
}
