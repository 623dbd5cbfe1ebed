# Instances: one launch template that runs the image by digest, shared by the
# blue and the green Auto Scaling group. No SSH key, IMDSv2 only, no public
# IP; the only way in is the ALB on the service port.

resource "aws_security_group" "instances" {
  name        = "${var.name}-instances"
  description = "Instances of ${var.name}: service port from the ALB only, HTTPS out to AWS APIs"
  vpc_id      = aws_vpc.this.id
  tags        = merge(var.tags, { Name = "${var.name}-instances" })
}

resource "aws_vpc_security_group_ingress_rule" "instances_from_alb" {
  security_group_id            = aws_security_group.instances.id
  description                  = "Service port from the ALB"
  ip_protocol                  = "tcp"
  from_port                    = local.app_port
  to_port                      = local.app_port
  referenced_security_group_id = aws_security_group.alb.id
}

# ECR, S3 (image layers), Secrets Manager, CloudWatch Logs and the package
# repositories are reached over HTTPS through the NAT gateways.
resource "aws_vpc_security_group_egress_rule" "instances_https" {
  security_group_id = aws_security_group.instances.id
  description       = "HTTPS to AWS APIs and package repositories through NAT"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

data "aws_ssm_parameter" "al2023" {
  name = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${var.architecture}"
}

data "aws_iam_policy_document" "instances_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "instances" {
  name               = "${var.name}-instances"
  assume_role_policy = data.aws_iam_policy_document.instances_assume.json
  tags               = var.tags
}

# Least privilege: pull from one repository, read one secret, write one log
# group.
data "aws_iam_policy_document" "instances" {
  # GetAuthorizationToken has no resource type: IAM accepts only "*".
  statement {
    sid       = "RegistryLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "PullServiceImage"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = [var.repository_arn]
  }

  statement {
    sid       = "ReadSigningKey"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = [var.secret_arn]
  }

  statement {
    sid       = "DecryptSigningKey"
    actions   = ["kms:Decrypt"]
    resources = [var.secret_kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${data.aws_region.current.region}.amazonaws.com"]
    }
  }

  statement {
    sid       = "WriteServiceLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = [var.log_group_arn, "${var.log_group_arn}:*"]
  }
}

resource "aws_iam_role_policy" "instances" {
  name   = "service"
  role   = aws_iam_role.instances.id
  policy = data.aws_iam_policy_document.instances.json
}

resource "aws_iam_instance_profile" "instances" {
  name = "${var.name}-instances"
  role = aws_iam_role.instances.name
  tags = var.tags
}

resource "aws_launch_template" "this" {
  name_prefix            = "${var.name}-"
  description            = "podinfo ${var.name}: runs ${var.image_uri}"
  image_id               = data.aws_ssm_parameter.al2023.value
  instance_type          = var.instance_type
  update_default_version = true
  ebs_optimized          = true

  iam_instance_profile {
    arn = aws_iam_instance_profile.instances.arn
  }

  network_interfaces {
    associate_public_ip_address = false
    delete_on_termination       = true
    security_groups             = [aws_security_group.instances.id]
  }

  # IMDSv2 only. Hop limit 2 lets the container (one network hop further)
  # reach the instance role's credentials.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
    instance_metadata_tags      = "disabled"
  }

  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_size           = 30
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  monitoring {
    enabled = true
  }

  user_data = base64encode(templatefile("${path.module}/user_data.sh.tftpl", {
    region         = data.aws_region.current.region
    registry       = split("/", var.image_uri)[0]
    image_uri      = var.image_uri
    port           = local.app_port
    secret_arn     = var.secret_arn
    log_group_name = var.log_group_name
    log_level      = var.log_level
  }))

  tag_specifications {
    resource_type = "instance"
    tags          = merge(var.tags, { Name = var.name })
  }

  tag_specifications {
    resource_type = "volume"
    tags          = merge(var.tags, { Name = var.name })
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = (var.architecture == "arm64") == can(regex("^(a1|[a-z]+[0-9]+[a-z-]*g[a-z-]*)\\.", var.instance_type))
      error_message = "instance_type ${var.instance_type} does not match architecture ${var.architecture}: use a Graviton type (t4g, m7g, c7g ...) for arm64 and an Intel or AMD type (t3, m7i, c7a ...) for x86_64."
    }
  }
}

# Blue starts active at the desired capacity, green idle at zero, both on
# the newest launch template version. After creation the deployer owns
# min_size, desired_capacity and the launch template version of both groups:
# it pins the new colour to the version running image_uri, scales it up,
# shifts the listener weights, then scales the old colour to zero (which
# keeps its own version, so a rollback runs the old digest).
resource "aws_autoscaling_group" "colour" {
  for_each                  = local.colours
  name                      = "${var.name}-${each.key}"
  vpc_zone_identifier       = aws_subnet.private[*].id
  target_group_arns         = [aws_lb_target_group.colour[each.key].arn]
  health_check_type         = "ELB"
  health_check_grace_period = 60
  min_size                  = each.key == "blue" ? var.asg_min_size : 0
  max_size                  = var.asg_max_size
  desired_capacity          = each.key == "blue" ? var.asg_desired_capacity : 0
  wait_for_capacity_timeout = "0"
  default_instance_warmup   = 60
  enabled_metrics           = ["GroupInServiceInstances", "GroupDesiredCapacity", "GroupPendingInstances", "GroupTerminatingInstances"]

  launch_template {
    id      = aws_launch_template.this.id
    version = "$Latest"
  }

  tag {
    key                 = "Colour"
    value               = each.key
    propagate_at_launch = true
  }

  dynamic "tag" {
    for_each = var.tags
    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }

  lifecycle {
    ignore_changes = [min_size, desired_capacity, launch_template]

    precondition {
      condition     = var.asg_min_size <= var.asg_desired_capacity && var.asg_desired_capacity <= var.asg_max_size
      error_message = "asg_min_size <= asg_desired_capacity <= asg_max_size must hold; got ${var.asg_min_size}, ${var.asg_desired_capacity}, ${var.asg_max_size}."
    }
  }
}
