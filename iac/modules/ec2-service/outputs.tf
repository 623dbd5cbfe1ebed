output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "public_subnet_ids" {
  description = "Public subnets (ALB, NAT gateways)."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "Private subnets (instances)."
  value       = aws_subnet.private[*].id
}

output "alb_arn" {
  description = "ARN of the ALB."
  value       = aws_lb.this.arn
}

output "alb_arn_suffix" {
  description = "ARN suffix of the ALB (CloudWatch dimension LoadBalancer)."
  value       = aws_lb.this.arn_suffix
}

output "alb_dns_name" {
  description = "DNS name of the ALB."
  value       = aws_lb.this.dns_name
}

output "alb_url" {
  description = "Base URL of the service behind the ALB (https://domain_name with a certificate, else http://<alb dns>)."
  value       = local.alb_url
}

output "listener_arn" {
  description = "Listener whose default action forwards, weighted, to blue and green (HTTPS with a certificate, else HTTP)."
  value       = local.forward_listener_arn
}

output "blue_target_group_arn" {
  description = "ARN of the blue target group."
  value       = aws_lb_target_group.colour["blue"].arn
}

output "green_target_group_arn" {
  description = "ARN of the green target group."
  value       = aws_lb_target_group.colour["green"].arn
}

output "blue_target_group_arn_suffix" {
  description = "ARN suffix of the blue target group (CloudWatch dimension TargetGroup)."
  value       = aws_lb_target_group.colour["blue"].arn_suffix
}

output "green_target_group_arn_suffix" {
  description = "ARN suffix of the green target group (CloudWatch dimension TargetGroup)."
  value       = aws_lb_target_group.colour["green"].arn_suffix
}

output "blue_asg_name" {
  description = "Auto Scaling group registered with the blue target group."
  value       = aws_autoscaling_group.colour["blue"].name
}

output "green_asg_name" {
  description = "Auto Scaling group registered with the green target group."
  value       = aws_autoscaling_group.colour["green"].name
}

output "launch_template_id" {
  description = "Launch template shared by both groups; its newest version runs image_uri."
  value       = aws_launch_template.this.id
}

output "launch_template_version" {
  description = "Newest version of the launch template."
  value       = aws_launch_template.this.latest_version
}

output "asg_min_size" {
  description = "Minimum size of the active colour."
  value       = var.asg_min_size
}

output "asg_max_size" {
  description = "Maximum size of each colour."
  value       = var.asg_max_size
}

output "asg_desired_capacity" {
  description = "Capacity the active colour runs at."
  value       = var.asg_desired_capacity
}

output "instance_role_arn" {
  description = "Role of the instances."
  value       = aws_iam_role.instances.arn
}

output "alb_security_group_id" {
  description = "Security group of the ALB."
  value       = aws_security_group.alb.id
}

output "instance_security_group_id" {
  description = "Security group of the instances."
  value       = aws_security_group.instances.id
}
