package iac

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestVariableValidation evaluates the validation blocks of iac/ against
// accepted and refused values, and checks a refusal's message states what
// is accepted.
func TestVariableValidation(t *testing.T) {
	const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	const repo = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/podinfo-prod"
	tests := []struct {
		dir, variable, value string
		// wantMsg is empty for an accepted value; else every part must
		// appear in the refusal's messages.
		wantMsg []string
	}{
		{"envs/prod", "image_digest", `"` + digest + `"`, nil},
		{"envs/prod", "image_digest", `"latest"`, []string{`"sha256:" followed by 64 lowercase hex digits`}},
		{"envs/dev", "image_digest", `"sha256:abc"`, []string{"64 lowercase hex"}},
		{"envs/staging", "image_digest", `"` + strings.ToUpper(digest) + `"`, []string{"sha256:"}},
		{"envs/dev", "architecture", `"arm64"`, nil},
		{"envs/dev", "architecture", `"amd64"`, []string{`"x86_64"`, `"arm64"`}},
		{"envs/prod", "aws_region", `"eu-central-1"`, nil},
		{"envs/prod", "aws_region", `"Frankfurt"`, []string{"AWS region name"}},
		{"envs/prod", "github_repository", `"deliverykit/*"`, []string{"owner/name"}},
		{"modules/lambda-service", "image_uri", `"` + repo + "@" + digest + `"`, nil},
		{"modules/lambda-service", "image_uri", `"` + repo + `:latest"`, []string{"<repository>@sha256:", ":latest are not accepted"}},
		{"modules/ec2-service", "image_uri", `"` + repo + `:v1@` + digest + `"`, []string{"<repository>@sha256:"}},
		{"modules/secrets", "image_uri", `"` + repo + `"`, []string{"<repository>@sha256:"}},
		{"modules/lambda-service", "architecture", `"x86_64"`, nil},
		{"modules/lambda-service", "architecture", `"aarch64"`, []string{`"x86_64"`, `"arm64"`}},
		{"modules/lambda-service", "memory_mb", `512`, nil},
		{"modules/lambda-service", "memory_mb", `100`, []string{"128 to 10240"}},
		{"modules/lambda-service", "timeout_seconds", `30`, []string{"1 to 29"}},
		{"modules/lambda-service", "provisioned_concurrency", `-1`, []string{"0 (off) to 1000"}},
		{"modules/lambda-service", "domain_name", `null`, nil},
		{"modules/lambda-service", "domain_name", `"API.Example.com"`, []string{"lowercase DNS name"}},
		{"modules/ec2-service", "asg_min_size", `0`, []string{"1 to 100"}},
		{"modules/ec2-service", "asg_desired_capacity", `2.5`, []string{"whole number from 1 to 100"}},
		{"modules/ec2-service", "vpc_cidr", `"10.0.0.0/16"`, nil},
		{"modules/ec2-service", "vpc_cidr", `"10.0.0.0/8"`, []string{"/16 to /20"}},
		{"modules/ec2-service", "vpc_cidr", `"ten.zero/16"`, []string{"/16 to /20"}},
		{"modules/ec2-service", "vpc_cidr", `"nonsense"`, []string{"/16 to /20"}},
		{"modules/ec2-service", "instance_type", `"m7g.large"`, nil},
		{"modules/ec2-service", "instance_type", `"large"`, []string{`"t3.small"`}},
		{"modules/ec2-service", "az_count", `1`, []string{"2, 3 or 4"}},
		{"modules/ec2-service", "name", `"podinfo-production-environment"`, []string{"2-23 characters"}},
		{"modules/observability", "environment", `"staging"`, nil},
		{"modules/observability", "environment", `"production"`, []string{`"dev"`, `"staging"`, `"prod"`}},
		{"modules/observability", "log_retention_days", `31`, []string{"1, 3, 5, 7, 14, 30"}},
		{"modules/observability", "thresholds", `{lambda_errors_per_minute = 1, lambda_throttles_per_minute = 1, http_5xx_per_minute = 1, cpu_percent = 101}`, []string{"cpu_percent must be from 10 to 100"}},
		{"modules/observability", "alarm_email", `"oncall"`, []string{"e-mail address"}},
		{"modules/delivery", "lambda_deployment_config", `"CodeDeployDefault.LambdaCanary10Percent5Minutes"`, nil},
		{"modules/delivery", "lambda_deployment_config", `"CodeDeployDefault.AllAtOnce"`, []string{"CodeDeployDefault.LambdaAllAtOnce", "CodeDeployDefault.LambdaLinear10PercentEvery10Minutes"}},
		{"modules/delivery", "ec2_shift_steps", `[10, 50, 100]`, nil},
		{"modules/delivery", "ec2_shift_steps", `[100]`, nil},
		{"modules/delivery", "ec2_shift_steps", `[50, 10, 100]`, []string{"strictly increasing"}},
		{"modules/delivery", "ec2_shift_steps", `[10, 50]`, []string{"ending at 100"}},
		{"modules/delivery", "ec2_shift_steps", `[0, 100]`, []string{"from 1 to 100"}},
		{"modules/delivery", "ec2_shift_steps", `[]`, []string{"e.g. [10, 50, 100]"}},
		{"modules/delivery", "ec2_bake_seconds", `3601`, []string{"0 to 3600"}},
		{"modules/delivery", "alarm_names", `["a","b","c","d","e","f","g","h","i","j","k"]`, []string{"at most 10"}},
		{"modules/secrets", "rotation_days", `7`, nil},
		{"modules/secrets", "rotation_days", `0`, []string{"1 to 365"}},
		{"modules/secrets", "rotator_command", `["rotator"]`, []string{"absolute path"}},
		{"modules/secrets", "rotator_command", `[]`, []string{"non-empty list"}},
		{"modules/secrets", "recovery_window_days", `3`, []string{"0 or a whole number from 7 to 30"}},
		{"modules/registry", "name", `"Podinfo"`, []string{"lowercase"}},
		{"modules/registry", "keep_tagged_images", `5`, []string{"10 to 10000"}},
		{"modules/registry", "replication_regions", `["eu-west-2", "mars"]`, []string{"region names"}},
		{"modules/github-oidc", "repository", `"deliverykit/podinfo"`, nil},
		{"modules/github-oidc", "repository", `"deliverykit/*"`, []string{"wildcards are not accepted"}},
		{"modules/github-oidc", "deploy_roles", `{prod = {role_name = "podinfo-prod-deploy", policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}}`, nil},
		{"modules/github-oidc", "deploy_roles", `{qa = {role_name = "x", policy_arns = []}}`, []string{`"dev", "staging" or "prod"`}},
		{"modules/github-oidc", "deploy_roles", `{prod = {role_name = "x", policy_arns = ["ReadOnlyAccess"]}}`, []string{"IAM policy ARNs"}},
	}
	dirs := map[string]*Dir{}
	for _, tt := range tests {
		t.Run(tt.dir+"/"+tt.variable+"="+tt.value, func(t *testing.T) {
			d, ok := dirs[tt.dir]
			if !ok {
				var err error
				if d, err = LoadDir(filepath.Join(iacRoot, tt.dir)); err != nil {
					t.Fatal(err)
				}
				dirs[tt.dir] = d
			}
			msgs, err := CheckValue(d, tt.variable, tt.value)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantMsg == nil {
				if len(msgs) > 0 {
					t.Errorf("refused, want accepted: %s", strings.Join(msgs, "; "))
				}
				return
			}
			if len(msgs) == 0 {
				t.Fatalf("accepted, want refused with a message naming %q", tt.wantMsg)
			}
			all := strings.Join(msgs, "\n")
			for _, w := range tt.wantMsg {
				if !strings.Contains(all, w) {
					t.Errorf("message %q does not contain %q", all, w)
				}
			}
		})
	}
}

// TestEnvironmentSettingsPassModuleValidation evaluates each root's sizes
// and deployment settings (its constant locals) against the validation
// blocks of the modules they are passed to.
func TestEnvironmentSettingsPassModuleValidation(t *testing.T) {
	tree := loadIAC(t)
	for _, env := range sortedDirs(tree.Envs) {
		t.Run(env.Name, func(t *testing.T) {
			args := ModuleArguments(env)
			checked := 0
			for _, call := range env.OfType("module") {
				src, _ := attrString(call.Block, "source")
				mod := tree.Modules[filepath.Base(src)]
				if mod == nil {
					t.Fatalf("module %q: no module at %s", call.Labels[0], src)
				}
				names := make([]string, 0, len(args[call.Labels[0]]))
				for n := range args[call.Labels[0]] {
					names = append(names, n)
				}
				sort.Strings(names)
				for _, n := range names {
					msgs, err := CheckCty(mod, n, args[call.Labels[0]][n])
					if err != nil {
						t.Errorf("module %s, %s: %v", call.Labels[0], n, err)
						continue
					}
					for _, m := range msgs {
						t.Errorf("module %s, %s: %s", call.Labels[0], n, m)
					}
					checked++
				}
			}
			// Sizes, deployment settings and names of every module are
			// constant: make sure they were all seen.
			if checked < 25 {
				t.Errorf("checked %d constant module arguments, want at least 25: are the settings still locals?", checked)
			}
		})
	}
}

// TestEnvironmentsDiffer pins the per-environment choices the issue asks
// for: prod shifts by canary with alarms and has the largest minimum; dev
// may shift all at once.
func TestEnvironmentsDiffer(t *testing.T) {
	tree := loadIAC(t)
	type settings struct {
		Config   string
		Steps    int
		MinSize  int64
		Alarmed  bool
		Capacity int64
	}
	got := map[string]settings{}
	for _, env := range sortedDirs(tree.Envs) {
		args := ModuleArguments(env)
		del, ec2 := args["delivery"], args["ec2_service"]
		minSize, _ := ec2["asg_min_size"].AsBigFloat().Int64()
		capacity, _ := ec2["asg_desired_capacity"].AsBigFloat().Int64()
		got[env.Name] = settings{
			Config:   del["lambda_deployment_config"].AsString(),
			Steps:    del["ec2_shift_steps"].LengthInt(),
			MinSize:  minSize,
			Capacity: capacity,
			Alarmed:  strings.Contains(Source(env.OfType("module", "delivery")[0].Body.Attributes["alarm_names"].Expr.Range()), "module.observability.deploy_alarm_names"),
		}
	}
	want := map[string]settings{
		"dev":     {Config: "CodeDeployDefault.LambdaAllAtOnce", Steps: 1, MinSize: 1, Capacity: 1, Alarmed: true},
		"staging": {Config: "CodeDeployDefault.LambdaLinear10PercentEvery1Minute", Steps: 3, MinSize: 2, Capacity: 2, Alarmed: true},
		"prod":    {Config: "CodeDeployDefault.LambdaCanary10Percent10Minutes", Steps: 4, MinSize: 3, Capacity: 3, Alarmed: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("environment settings (-want +got):\n%s", diff)
	}
}
