package iac

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deliverykit/podinfo/ci/deploycontract"
	"github.com/google/go-cmp/cmp"
)

// iacRoot is the repository's Terraform, relative to this package.
var iacRoot = filepath.Join("..", "..", "iac")

func loadIAC(t testing.TB) *Tree {
	t.Helper()
	tree, err := LoadTree(iacRoot)
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// TestTreeLayout pins what the structural rules run over, so a rule cannot
// pass because a directory went missing.
func TestTreeLayout(t *testing.T) {
	tree := loadIAC(t)
	var modules, envs []string
	for _, d := range sortedDirs(tree.Modules) {
		modules = append(modules, d.Name)
	}
	for _, d := range sortedDirs(tree.Envs) {
		envs = append(envs, d.Name)
	}
	wantModules := []string{"delivery", "ec2-service", "github-oidc", "lambda-service", "observability", "registry", "secrets"}
	if diff := cmp.Diff(wantModules, modules); diff != "" {
		t.Errorf("modules (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"dev", "prod", "staging"}, envs); diff != "" {
		t.Errorf("environment roots (-want +got):\n%s", diff)
	}
}

// TestRulesHoldForIAC runs every structural rule over iac/.
func TestRulesHoldForIAC(t *testing.T) {
	tree := loadIAC(t)
	for _, r := range Rules(deploycontract.Names()) {
		t.Run(r.Name, func(t *testing.T) {
			for _, f := range r.Check(tree) {
				t.Error(f)
			}
		})
	}
}

// TestRulesCatchBadFixtures feeds each rule a small tree that breaks it and
// checks the rule reports each break.
func TestRulesCatchBadFixtures(t *testing.T) {
	tests := []struct {
		rule    string
		fixture string
		// want are substrings of the expected findings' messages, one per
		// finding, in order.
		want []string
	}{
		{"module-files", "module-files", []string{
			"lacks outputs.tf",
			"lacks README.md",
			`variable "size" of module documented is not listed`,
			`output "id" of module documented is not listed`,
		}},
		{"described-interface", "undescribed", []string{
			`variable "no_description" has no description`,
			`variable "no_type" has no type`,
			`variable "anything" has a type with ` + "`any`",
			`output "bare" has no description`,
		}},
		{"same-modules", "different-modules", []string{
			`environment b takes module "network" from "../../modules/net2"`,
			`environment b does not call module "registry"`,
			`environment b calls module "extra"`,
			`module "extra" comes from "git::https://example.com/x.git"`,
		}},
		{"contract-outputs", "missing-contract", []string{
			`lacks output "image_uri"`,
			`lacks output "state_table_name"`,
		}},
		{"digest-only", "tagged-image", []string{
			`variable "image_digest" accepts "latest"`,
			`variable "image_digest" accepts "sha256:0123"`,
			`variable "image_digest" accepts "SHA256:0123`,
			`variable "image_digest" accepts "sha256:0123456789ABCDEF`,
			`variable "image_uri" accepts "` + goodRepo + `:latest"`,
			`variable "image_uri" accepts "` + goodRepo + `:v1.2.3"`,
			`variable "image_uri" accepts "` + goodRepo + `:v1@sha256:`,
			`variable "image_uri" accepts "` + goodRepo + `@SHA256:`,
			`variable "image_uri" accepts "` + goodRepo + `@sha256:abc"`,
			`podinfo:latest" names an image by tag`,
			`aws_lambda_function.tagged sets image_uri to a constant`,
			`the template names the tag :latest`,
		}},
		{"validated-values", "unvalidated", []string{
			`variable "architecture" has no validation block`,
			`variable "asg_max_size" has no validation block`,
			`error_message of "lambda_deployment_config" does not name the accepted value "CodeDeployDefault.LambdaLinear10PercentEvery1Minute"`,
		}},
		{"ecr-immutable", "mutable-ecr", []string{
			`aws_ecr_repository.mutable: set image_tag_mutability = "IMMUTABLE" (got "MUTABLE")`,
			`aws_ecr_repository.unset: set image_tag_mutability = "IMMUTABLE" (got "")`,
		}},
		{"imdsv2", "imdsv1", []string{
			`aws_launch_template.optional: metadata_options.http_tokens must be "required" (got "optional")`,
			`aws_launch_template.none has no metadata_options`,
			`aws_instance.single has no metadata_options`,
		}},
		{"no-public-ip", "public-ip", []string{
			`aws_launch_template.public gives instances a public IP`,
			`aws_launch_template.implicit has no network_interfaces block`,
			`aws_instance.public gets a public IP`,
			`aws_subnet.public maps public IPs on launch`,
		}},
		{"sg-world-ingress", "open-ingress", []string{
			`aws_security_group.alb ingress opens 0.0.0.0/0 to the world on ports 8080-8080/tcp`,
			`aws_security_group.instances ingress opens 0.0.0.0/0 to the world on a security group that is not a load balancer's`,
			`aws_vpc_security_group_ingress_rule.ssh opens ::/0 to the world on a security group that is not a load balancer's`,
			`aws_vpc_security_group_ingress_rule.all_ports opens 0.0.0.0/0 to the world on ports 0-65535/tcp`,
			`aws_security_group_rule.legacy opens 0.0.0.0/0 to the world on a security group that is not a load balancer's`,
		}},
		{"rollout-not-fought", "fights-rollout", []string{
			`aws_lambda_alias.live: add function_version`,
			`aws_lambda_alias.live: add routing_config`,
			`aws_lb_listener.weighted: add default_action`,
			`aws_autoscaling_group.blue: add min_size`,
			`aws_autoscaling_group.blue: add launch_template`,
			`aws_autoscaling_group.green: add launch_template`,
		}},
		{"backend-locking", "no-locking", []string{
			`environment a has no backend "s3" {} block`,
			`set use_lockfile = true`,
			`environments a and b share the state`,
			`environment c needs a backend config file backend.tfbackend`,
		}},
	}
	rules := map[string]Rule{}
	for _, r := range Rules([]string{"environment", "image_uri", "state_table_name"}) {
		rules[r.Name] = r
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			r, ok := rules[tt.rule]
			if !ok {
				t.Fatalf("no rule %q", tt.rule)
			}
			tree, err := LoadTree(filepath.Join("testdata", "bad", tt.fixture))
			if err != nil {
				t.Fatal(err)
			}
			got := r.Check(tree)
			var msgs []string
			for _, f := range got {
				msgs = append(msgs, f.Message)
			}
			if len(got) != len(tt.want) {
				t.Errorf("got %d findings, want %d:\n%s", len(got), len(tt.want), strings.Join(msgs, "\n"))
			}
			for _, w := range tt.want {
				found := false
				for _, m := range msgs {
					if strings.Contains(m, w) {
						found = true
					}
				}
				if !found {
					t.Errorf("no finding contains %q; got:\n%s", w, strings.Join(msgs, "\n"))
				}
			}
		})
	}
}

// TestRulesCoverAllNamedRules keeps the fixture table and the rule list in
// step: a new rule without a bad fixture fails here.
func TestRulesCoverAllNamedRules(t *testing.T) {
	var names []string
	for _, r := range Rules(nil) {
		names = append(names, r.Name)
	}
	want := []string{"module-files", "described-interface", "same-modules", "contract-outputs", "digest-only", "validated-values",
		"ecr-immutable", "imdsv2", "no-public-ip", "sg-world-ingress", "rollout-not-fought", "backend-locking"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
}

func BenchmarkLoadAndCheck(b *testing.B) {
	contract := deploycontract.Names()
	for b.Loop() {
		tree := loadIAC(b)
		for _, r := range Rules(contract) {
			r.Check(tree)
		}
	}
}

// TestREADMEDocumentsContract checks iac/README.md has the resource and
// deployment-order diagrams, a row for every output of the deployer
// contract, and the drift section.
func TestREADMEDocumentsContract(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(iacRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	if n := strings.Count(text, "```mermaid"); n < 2 {
		t.Errorf("iac/README.md has %d mermaid diagrams, want the resources and the deployment order", n)
	}
	for _, want := range []string{"sequenceDiagram", "## Drift", "ignore_changes", "routing_config", "function_version", "default_action", "desired_capacity"} {
		if !strings.Contains(text, want) {
			t.Errorf("iac/README.md does not mention %q", want)
		}
	}
	for _, o := range deploycontract.Outputs {
		if !strings.Contains(text, "| `"+o.Name+"` |") {
			t.Errorf("iac/README.md has no contract table row for output %q", o.Name)
		}
	}
}
