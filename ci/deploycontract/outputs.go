// Package deploycontract names the Terraform outputs every environment root in
// iac/envs/ must expose for the deployer. The deployer reads exactly these
// names; the iac structural tests check every root declares them.
package deploycontract

// Output is one Terraform output the deployer reads.
type Output struct {
	// Name is the output's name in every environment root.
	Name string
	// Description says what the deployer does with it.
	Description string
}

// Outputs lists the deployer contract, in the order iac/README.md documents it.
var Outputs = []Output{
	{"environment", "environment name (dev, staging, prod); checked against --env"},
	{"aws_region", "region every AWS call is made in"},
	{"image_digest", "image digest Terraform was applied with (sha256:...)"},
	{"image_uri", "repository@digest the Lambda function and launch template run"},
	{"lambda_function_name", "Lambda function the image is deployed to"},
	{"lambda_alias_name", "alias carrying live traffic (\"live\")"},
	{"codedeploy_app_name", "CodeDeploy application for the Lambda alias shift"},
	{"codedeploy_lambda_group_name", "CodeDeploy deployment group for the Lambda alias"},
	{"lambda_deployment_config", "CodeDeploy deployment config name (canary, linear or all-at-once)"},
	{"api_url", "API Gateway HTTP API base URL, smoke-tested after the shift"},
	{"alb_listener_arn", "ALB listener whose default action forwards to blue and green"},
	{"blue_target_group_arn", "blue target group ARN"},
	{"green_target_group_arn", "green target group ARN"},
	{"blue_asg_name", "Auto Scaling group serving the blue target group"},
	{"green_asg_name", "Auto Scaling group serving the green target group"},
	{"launch_template_id", "launch template whose newest version runs image_uri"},
	{"asg_desired_capacity", "capacity the active colour runs at"},
	{"alb_url", "ALB base URL, smoke-tested after every weight step"},
	{"alarm_names", "CloudWatch alarms that stop a shift when in ALARM"},
	{"ec2_shift_steps", "ALB weight steps for the new colour in percent, e.g. [10, 50, 100]"},
	{"ec2_bake_seconds", "seconds to wait between weight steps while watching alarms"},
	{"state_table_name", "DynamoDB table holding deploy records and the deploy lock"},
}

// Names returns the output names in contract order.
func Names() []string {
	names := make([]string, len(Outputs))
	for i, o := range Outputs {
		names[i] = o.Name
	}
	return names
}
