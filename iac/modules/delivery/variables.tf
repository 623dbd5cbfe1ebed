variable "name" {
  description = "Name prefix of the CodeDeploy application, deployment group and state table, e.g. \"podinfo-prod\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,40}$", var.name))
    error_message = "name must be 2-41 characters of lowercase letters, digits and '-', starting with a letter, e.g. \"podinfo-prod\"."
  }
}

variable "environment" {
  description = "Environment: dev, staging or prod. Only dev may shift Lambda traffic all at once."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be \"dev\", \"staging\" or \"prod\"."
  }
}

variable "lambda_function_arn" {
  description = "Unqualified ARN of the service function; CodeDeploy may move its aliases only."
  type        = string

  validation {
    condition     = can(regex("^arn:[a-z-]+:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]+$", var.lambda_function_arn))
    error_message = "lambda_function_arn must be an unqualified Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>)."
  }
}

variable "lambda_deployment_config" {
  description = "CodeDeploy configuration that shifts the Lambda alias: a predefined CodeDeployDefault.Lambda* name."
  type        = string

  validation {
    condition = contains([
      "CodeDeployDefault.LambdaAllAtOnce",
      "CodeDeployDefault.LambdaCanary10Percent5Minutes",
      "CodeDeployDefault.LambdaCanary10Percent10Minutes",
      "CodeDeployDefault.LambdaCanary10Percent15Minutes",
      "CodeDeployDefault.LambdaCanary10Percent30Minutes",
      "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
      "CodeDeployDefault.LambdaLinear10PercentEvery2Minutes",
      "CodeDeployDefault.LambdaLinear10PercentEvery3Minutes",
      "CodeDeployDefault.LambdaLinear10PercentEvery10Minutes",
    ], var.lambda_deployment_config)
    error_message = "lambda_deployment_config must be one of CodeDeployDefault.LambdaAllAtOnce, CodeDeployDefault.LambdaCanary10Percent5Minutes, CodeDeployDefault.LambdaCanary10Percent10Minutes, CodeDeployDefault.LambdaCanary10Percent15Minutes, CodeDeployDefault.LambdaCanary10Percent30Minutes, CodeDeployDefault.LambdaLinear10PercentEvery1Minute, CodeDeployDefault.LambdaLinear10PercentEvery2Minutes, CodeDeployDefault.LambdaLinear10PercentEvery3Minutes, CodeDeployDefault.LambdaLinear10PercentEvery10Minutes."
  }
}

variable "alarm_names" {
  description = "CloudWatch alarms that stop and roll back a Lambda deployment (and that the deployer watches between EC2 weight steps)."
  type        = list(string)

  validation {
    condition     = length(var.alarm_names) <= 10
    error_message = "alarm_names may hold at most 10 alarms (CodeDeploy's limit per deployment group)."
  }
}

variable "ec2_shift_steps" {
  description = "ALB weights (percent) of the new colour, one per step, strictly increasing and ending at 100, e.g. [10, 50, 100]; [100] shifts at once."
  type        = list(number)

  validation {
    condition = (
      length(var.ec2_shift_steps) >= 1 &&
      alltrue([for s in var.ec2_shift_steps : s >= 1 && s <= 100 && floor(s) == s]) &&
      try(alltrue([for i in range(1, length(var.ec2_shift_steps)) : var.ec2_shift_steps[i] > var.ec2_shift_steps[i - 1]]), false) &&
      try(var.ec2_shift_steps[length(var.ec2_shift_steps) - 1] == 100, false)
    )
    error_message = "ec2_shift_steps must be whole percentages from 1 to 100, strictly increasing, ending at 100, e.g. [10, 50, 100] or [100]."
  }
}

variable "ec2_bake_seconds" {
  description = "Seconds the deployer waits at each EC2 weight step while watching the alarms."
  type        = number

  validation {
    condition     = var.ec2_bake_seconds >= 0 && var.ec2_bake_seconds <= 3600 && floor(var.ec2_bake_seconds) == var.ec2_bake_seconds
    error_message = "ec2_bake_seconds must be a whole number of seconds from 0 to 3600."
  }
}

variable "deletion_protection" {
  description = "Protect the deploy state table from deletion."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
