package tfrun

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	tfjson "github.com/hashicorp/terraform-json"
)

func rc(addr, typ string, before map[string]interface{}, actions ...tfjson.Action) *tfjson.ResourceChange {
	return &tfjson.ResourceChange{Address: addr, Type: typ, Mode: tfjson.ManagedResourceMode,
		Change: &tfjson.Change{Actions: actions, Before: before}}
}

func TestSummarize(t *testing.T) {
	protectedTag := map[string]interface{}{"tags_all": map[string]interface{}{ProtectTagKey: "true"}}
	plan := &tfjson.Plan{ResourceChanges: []*tfjson.ResourceChange{
		rc("aws_lambda_function.app", "aws_lambda_function", nil, tfjson.ActionUpdate),
		rc("aws_db_instance.main", "aws_db_instance", nil, tfjson.ActionDelete, tfjson.ActionCreate),
		rc("aws_iam_role.x", "aws_iam_role", protectedTag, tfjson.ActionDelete),
		rc("aws_iam_role.y", "aws_iam_role", nil, tfjson.ActionDelete),
		rc("aws_vpc.main", "aws_vpc", nil, tfjson.ActionCreate),
		rc("aws_subnet.a", "aws_subnet", nil, tfjson.ActionNoop),
		rc("aws_s3_bucket.logs", "aws_s3_bucket", nil, tfjson.ActionCreate, tfjson.ActionDelete),
	}}
	violations := []Violation{
		{Address: "aws_db_instance.main", Type: "aws_db_instance", Action: "replace", Reason: "type aws_db_instance is protected (stateful or networking)"},
		{Address: "aws_iam_role.x", Type: "aws_iam_role", Action: "delete", Reason: "tagged deploy:protected=true"},
		{Address: "aws_s3_bucket.logs", Type: "aws_s3_bucket", Action: "replace", Reason: "type aws_s3_bucket is protected (stateful or networking)"},
	}
	changes := []Change{
		{"aws_db_instance.main", "replace"}, {"aws_iam_role.x", "delete"}, {"aws_iam_role.y", "delete"},
		{"aws_lambda_function.app", "update"}, {"aws_s3_bucket.logs", "replace"}, {"aws_vpc.main", "create"},
	}
	tests := []struct {
		name   string
		policy Policy
		want   Summary
	}{
		{"prod refuses", Policy{Env: "prod", ProtectedTypes: DefaultProtectedTypes},
			Summary{HasChanges: true, Add: 1, Change: 1, Destroy: 2, Replace: 2, Changes: changes, Violations: violations}},
		{"prod with allow flag", Policy{Env: "prod", AllowDestroy: true, ProtectedTypes: DefaultProtectedTypes},
			Summary{HasChanges: true, Add: 1, Change: 1, Destroy: 2, Replace: 2, Changes: changes, Violations: violations, Allowed: true, Override: true}},
		{"dev allows", Policy{Env: "dev", ProtectedTypes: DefaultProtectedTypes},
			Summary{HasChanges: true, Add: 1, Change: 1, Destroy: 2, Replace: 2, Changes: changes, Violations: violations, Allowed: true}},
		{"no protected types: only the tag guards", Policy{Env: "prod"},
			Summary{HasChanges: true, Add: 1, Change: 1, Destroy: 2, Replace: 2, Changes: changes, Violations: violations[1:2]}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.policy.Summarize(plan)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("summary (-want +got):\n%s", diff)
			}
			err := got.Err()
			if (err == nil) != tc.want.Allowed {
				t.Fatalf("Err() = %v, want allowed %v", err, tc.want.Allowed)
			}
			if err != nil && !strings.Contains(err.Error(), "delete aws_iam_role.x: tagged deploy:protected=true") {
				t.Errorf("error does not list the refused change: %v", err)
			}
		})
	}
}

func BenchmarkSummarize(b *testing.B) {
	plan := &tfjson.Plan{}
	for i := 0; i < 2000; i++ {
		typ := []string{"aws_iam_role", "aws_db_instance", "aws_lambda_function", "aws_vpc"}[i%4]
		act := []tfjson.Actions{{tfjson.ActionUpdate}, {tfjson.ActionDelete, tfjson.ActionCreate}, {tfjson.ActionNoop}, {tfjson.ActionDelete}}[i%4]
		plan.ResourceChanges = append(plan.ResourceChanges, rc(typ+".r"+strings.Repeat("x", i%7), typ, map[string]interface{}{"tags": map[string]interface{}{"a": "b"}}, act...))
	}
	p := Policy{Env: "prod", ProtectedTypes: DefaultProtectedTypes}
	b.ReportAllocs()
	for b.Loop() {
		p.Summarize(plan)
	}
}
