// Package envout turns an environment root's Terraform outputs into the typed
// values the deployer uses, checking every name ci/deploycontract lists.
package envout

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/deliverykit/podinfo/ci/deploycontract"
)

// Outputs holds the deploy contract's values: one field per output, named
// by its json tag; ci/deploycontract describes each.
type Outputs struct {
	Environment               string   `json:"environment"`
	AWSRegion                 string   `json:"aws_region"`
	ImageDigest               string   `json:"image_digest"`
	ImageURI                  string   `json:"image_uri"`
	LambdaFunctionName        string   `json:"lambda_function_name"`
	LambdaAliasName           string   `json:"lambda_alias_name"`
	CodeDeployAppName         string   `json:"codedeploy_app_name"`
	CodeDeployLambdaGroupName string   `json:"codedeploy_lambda_group_name"`
	LambdaDeploymentConfig    string   `json:"lambda_deployment_config"`
	APIURL                    string   `json:"api_url"`
	ALBListenerARN            string   `json:"alb_listener_arn"`
	BlueTargetGroupARN        string   `json:"blue_target_group_arn"`
	GreenTargetGroupARN       string   `json:"green_target_group_arn"`
	BlueASGName               string   `json:"blue_asg_name"`
	GreenASGName              string   `json:"green_asg_name"`
	LaunchTemplateID          string   `json:"launch_template_id"`
	ASGDesiredCapacity        int32    `json:"asg_desired_capacity"`
	ALBURL                    string   `json:"alb_url"`
	AlarmNames                []string `json:"alarm_names"`
	EC2ShiftSteps             []int32  `json:"ec2_shift_steps"`
	EC2BakeSeconds            int      `json:"ec2_bake_seconds"`
	StateTableName            string   `json:"state_table_name"`
}

// MissingError names the contract outputs an environment root lacks.
type MissingError struct {
	// Root is the Terraform root directory.
	Root string
	// Names are the missing output names, sorted.
	Names []string
}

// Error lists the missing outputs and where to declare them.
func (e *MissingError) Error() string {
	return fmt.Sprintf("terraform root %s is missing deploy outputs: %s; declare them in its outputs.tf (the list is in ci/deploycontract/outputs.go)",
		e.Root, strings.Join(e.Names, ", "))
}

// CheckDeclared returns a *MissingError when declared (output names found in
// the configuration or state) lacks any contract output.
func CheckDeclared(root string, declared map[string]bool) error {
	var missing []string
	for _, n := range deploycontract.Names() {
		if !declared[n] {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return &MissingError{Root: root, Names: missing}
	}
	return nil
}

// Parse decodes raw output values (name to JSON value, as `terraform output
// -json` gives them) into Outputs and validates them.
func Parse(root string, raw map[string]json.RawMessage) (Outputs, error) {
	declared := map[string]bool{}
	for n, v := range raw {
		if len(v) > 0 && string(v) != "null" {
			declared[n] = true
		}
	}
	if err := CheckDeclared(root, declared); err != nil {
		return Outputs{}, err
	}
	var o Outputs
	var problems []string
	for _, n := range deploycontract.Names() {
		one, err := json.Marshal(map[string]json.RawMessage{n: raw[n]})
		if err != nil {
			return Outputs{}, fmt.Errorf("output %s: %w", n, err)
		}
		if err := json.Unmarshal(one, &o); err != nil {
			problems = append(problems, fmt.Sprintf("output %s = %s: %v", n, raw[n], err))
		}
	}
	if len(problems) == 0 {
		problems = o.validate()
	}
	if len(problems) > 0 {
		return Outputs{}, fmt.Errorf("terraform root %s has invalid deploy outputs:\n  %s\nfix the outputs in its outputs.tf (see ci/deploycontract/outputs.go)", root, strings.Join(problems, "\n  "))
	}
	return o, nil
}

// validate returns one line per value that cannot drive a deploy.
func (o Outputs) validate() []string {
	var p []string
	req := map[string]string{
		"environment": o.Environment, "aws_region": o.AWSRegion, "image_uri": o.ImageURI,
		"lambda_function_name": o.LambdaFunctionName, "lambda_alias_name": o.LambdaAliasName,
		"codedeploy_app_name": o.CodeDeployAppName, "codedeploy_lambda_group_name": o.CodeDeployLambdaGroupName,
		"lambda_deployment_config": o.LambdaDeploymentConfig, "alb_listener_arn": o.ALBListenerARN,
		"blue_target_group_arn": o.BlueTargetGroupARN, "green_target_group_arn": o.GreenTargetGroupARN,
		"blue_asg_name": o.BlueASGName, "green_asg_name": o.GreenASGName, "launch_template_id": o.LaunchTemplateID,
		"state_table_name": o.StateTableName,
	}
	names := make([]string, 0, len(req))
	for n := range req {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if strings.TrimSpace(req[n]) == "" {
			p = append(p, fmt.Sprintf("output %s is empty", n))
		}
	}
	if o.BlueTargetGroupARN != "" && o.BlueTargetGroupARN == o.GreenTargetGroupARN {
		p = append(p, "outputs blue_target_group_arn and green_target_group_arn are the same target group; blue/green needs two")
	}
	if o.BlueASGName != "" && o.BlueASGName == o.GreenASGName {
		p = append(p, "outputs blue_asg_name and green_asg_name are the same group; blue/green needs two")
	}
	if o.ASGDesiredCapacity < 1 {
		p = append(p, fmt.Sprintf("output asg_desired_capacity = %d, want at least 1", o.ASGDesiredCapacity))
	}
	if o.EC2BakeSeconds < 0 {
		p = append(p, fmt.Sprintf("output ec2_bake_seconds = %d, want 0 or more", o.EC2BakeSeconds))
	}
	if err := CheckSteps(o.EC2ShiftSteps); err != nil {
		p = append(p, "output ec2_shift_steps: "+err.Error())
	}
	return p
}

// CheckSteps requires weight steps that rise strictly within 1..100 and end at 100.
func CheckSteps(steps []int32) error {
	if len(steps) == 0 {
		return fmt.Errorf("no steps; want rising percentages ending at 100, e.g. [10, 50, 100]")
	}
	prev := int32(0)
	for _, s := range steps {
		if s <= prev || s > 100 {
			return fmt.Errorf("%v must rise strictly within 1..100, e.g. [10, 50, 100]", steps)
		}
		prev = s
	}
	if prev != 100 {
		return fmt.Errorf("%v must end at 100 so the new colour takes all traffic", steps)
	}
	return nil
}
