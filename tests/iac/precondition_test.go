package iac

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

func hclValues(t *testing.T, src map[string]string) map[string]cty.Value {
	t.Helper()
	out := map[string]cty.Value{}
	for k, s := range src {
		expr, diags := hclsyntax.ParseExpression([]byte(s), k, hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatalf("%s = %s: %s", k, s, diags.Error())
		}
		v, diags := expr.Value(nil)
		if diags.HasErrors() {
			t.Fatalf("%s = %s: %s", k, s, diags.Error())
		}
		out[k] = v
	}
	return out
}

// TestPreconditions evaluates the rules that span several variables: only
// dev may shift all at once, the group sizes are ordered, and the instance
// type matches the image's architecture.
func TestPreconditions(t *testing.T) {
	delivery := map[string]string{
		"name": `"podinfo-x"`, "lambda_function_arn": `"arn:aws:lambda:eu-west-1:123456789012:function:podinfo-x"`,
		"alarm_names": `["podinfo-x-lambda-errors"]`, "ec2_bake_seconds": `60`,
	}
	ec2 := map[string]string{
		"name": `"podinfo-x"`, "image_uri": `"r/x@` + goodDigest + `"`,
		"repository_arn": `"arn:aws:ecr:eu-west-1:123456789012:repository/x"`, "secret_arn": `"arn:aws:secretsmanager:eu-west-1:123456789012:secret:x"`,
		"secret_kms_key_arn": `"arn:aws:kms:eu-west-1:123456789012:key/x"`, "log_group_name": `"/x"`,
		"log_group_arn": `"arn:aws:logs:eu-west-1:123456789012:log-group:/x"`, "flow_log_group_arn": `"arn:aws:logs:eu-west-1:123456789012:log-group:/y"`,
		"asg_min_size": `2`, "asg_max_size": `4`, "asg_desired_capacity": `2`,
	}
	with := func(base map[string]string, kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range base {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	tests := []struct {
		name, module string
		vars         map[string]string
		wantMsg      string // empty: every precondition holds
	}{
		{"dev all at once", "delivery", with(delivery, "environment", `"dev"`, "lambda_deployment_config", `"CodeDeployDefault.LambdaAllAtOnce"`, "ec2_shift_steps", `[100]`), ""},
		{"prod all at once", "delivery", with(delivery, "environment", `"prod"`, "lambda_deployment_config", `"CodeDeployDefault.LambdaAllAtOnce"`, "ec2_shift_steps", `[10, 100]`), "prod must shift gradually"},
		{"staging one step", "delivery", with(delivery, "environment", `"staging"`, "lambda_deployment_config", `"CodeDeployDefault.LambdaLinear10PercentEvery1Minute"`, "ec2_shift_steps", `[100]`), "staging must shift gradually"},
		{"prod without alarms", "delivery", with(delivery, "environment", `"prod"`, "lambda_deployment_config", `"CodeDeployDefault.LambdaCanary10Percent5Minutes"`, "ec2_shift_steps", `[10, 100]`, "alarm_names", `[]`), "at least one alarm"},
		{"prod canary", "delivery", with(delivery, "environment", `"prod"`, "lambda_deployment_config", `"CodeDeployDefault.LambdaCanary10Percent5Minutes"`, "ec2_shift_steps", `[10, 100]`), ""},
		{"sizes in order", "ec2-service", ec2, ""},
		{"desired below min", "ec2-service", with(ec2, "asg_desired_capacity", `1`), "asg_min_size <= asg_desired_capacity <= asg_max_size must hold; got 2, 1, 4"},
		{"desired above max", "ec2-service", with(ec2, "asg_desired_capacity", `5`), "got 2, 5, 4"},
		{"arm64 on graviton", "ec2-service", with(ec2, "architecture", `"arm64"`, "instance_type", `"t4g.small"`), ""},
		{"arm64 on intel", "ec2-service", with(ec2, "architecture", `"arm64"`, "instance_type", `"t3.small"`), "does not match architecture arm64"},
		{"x86_64 on graviton", "ec2-service", with(ec2, "instance_type", `"m7g.large"`), "does not match architecture x86_64"},
		{"x86_64 on amd", "ec2-service", with(ec2, "instance_type", `"c7a.large"`), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := LoadDir(filepath.Join(iacRoot, "modules", tt.module))
			if err != nil {
				t.Fatal(err)
			}
			msgs, err := CheckPreconditions(d, hclValues(t, tt.vars))
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(msgs, "\n")
			switch {
			case tt.wantMsg == "" && got != "":
				t.Errorf("preconditions failed, want them to hold: %s", got)
			case tt.wantMsg != "" && !strings.Contains(got, tt.wantMsg):
				t.Errorf("failed preconditions %q, want one containing %q", got, tt.wantMsg)
			}
		})
	}
}

// TestEnvironmentPreconditions evaluates the preconditions of delivery and
// ec2-service with each root's settings (the alarm list, an output of
// observability, stands in as one name).
func TestEnvironmentPreconditions(t *testing.T) {
	tree := loadIAC(t)
	for _, env := range sortedDirs(tree.Envs) {
		args := ModuleArguments(env)
		for call, module := range map[string]string{"delivery": "delivery", "ec2_service": "ec2-service"} {
			t.Run(env.Name+"/"+call, func(t *testing.T) {
				vars := map[string]cty.Value{"alarm_names": cty.ListVal([]cty.Value{cty.StringVal("alarm")})}
				for k, v := range args[call] {
					vars[k] = v
				}
				msgs, err := CheckPreconditions(tree.Modules[module], vars)
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range msgs {
					t.Error(m)
				}
			})
		}
	}
}
