package report

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/deliverykit/podinfo/ci/deploy/awsconf"
	"github.com/deliverykit/podinfo/ci/deploy/ec2roll"
	"github.com/deliverykit/podinfo/ci/deploy/lambdaroll"
	"github.com/deliverykit/podinfo/ci/deploy/tfrun"
	"github.com/deliverykit/podinfo/ci/smoke"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func at(min, sec int) time.Time { return time.Date(2026, 11, 26, 12, min, sec, 0, time.UTC) }

func sample() Report {
	return Report{
		Env: "prod", Digest: "sha256:2222222222222222222222222222222222222222222222222222222222222222",
		ImageURI: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/podinfo-prod@sha256:2222222222222222222222222222222222222222222222222222222222222222",
		Actor:    "octocat", Run: "4242.1", StartedAt: at(0, 0), FinishedAt: at(9, 30),
		Outcome: OutcomeRolledBack, Error: "ec2 rollout rolled back to blue: alarm(s) in ALARM during bake at 50%: podinfo-prod-5xx",
		Plan: &tfrun.Summary{HasChanges: true, Replace: 1, Change: 1, Allowed: true, Changes: []tfrun.Change{
			{Address: "module.ec2.aws_launch_template.this", Action: "update"}, {Address: "terraform_data.image", Action: "replace"},
		}},
		Applied:  true,
		Identity: &awsconf.Identity{Account: "123456789012", ARN: "arn:aws:sts::123456789012:assumed-role/deploy/gh"},
		Lambda: &lambdaroll.Result{Outcome: lambdaroll.OutcomeRolledBack, PreviousVersion: "7", NewVersion: "8", DeploymentID: "d-ABC",
			Events: []lambdaroll.Event{
				{At: at(1, 0), Name: "create-deployment", OK: true, Detail: "d-ABC shifting live from 7 to 8"},
				{At: at(6, 0), Name: "deployment-status", OK: true, Detail: "d-ABC Succeeded"},
				{At: at(9, 20), Name: "alias-restored", OK: true, Detail: "live moved back to version 7"},
			}},
		EC2: &ec2roll.Result{Outcome: ec2roll.OutcomeRolledBack, From: ec2roll.Blue, To: ec2roll.Green, LaunchTemplateVersion: "12",
			Steps: []ec2roll.Step{
				{Weight: 10, At: at(7, 0), Checks: []ec2roll.Check{{Name: "alarms", OK: true}, {Name: "target-health", OK: true}}},
				{Weight: 50, At: at(8, 0), Checks: []ec2roll.Check{{Name: "alarms", OK: false, Detail: "podinfo-prod-5xx"}}},
			},
			Checks:  []ec2roll.Check{{Name: "rollback", OK: true, At: at(9, 10), Detail: "all traffic on blue, green scaled to 0"}},
			Message: "rolled back: alarm(s) in ALARM during bake at 50%: podinfo-prod-5xx"},
		Smoke:   []smoke.Result{{BaseURL: "https://api.example.com", Version: "1.4.0", Checks: []smoke.Check{{Name: "healthz", OK: true, Status: 200}, {Name: "token", OK: false, Status: 401, Detail: "GET /token/validate | 401"}}}},
		Version: "1.4.0", Revision: "abc123",
		Notes: []string{"EC2 rollout failed, so the Lambda alias was put back on version 7 too"},
	}
}

func TestMarkdownGolden(t *testing.T) {
	got := sample().Markdown()
	path := filepath.Join("testdata", "rolled-back.md")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("markdown (-want +got):\n%s", diff)
	}
}

func TestWriteRoundTrip(t *testing.T) {
	dir := t.TempDir()
	r := sample()
	if err := Write(dir, r); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, back); diff != "" {
		t.Errorf("JSON round trip (-want +got):\n%s", diff)
	}
	md, _ := os.ReadFile(filepath.Join(dir, MarkdownFile))
	if string(md) != r.Markdown() {
		t.Error("markdown file differs from Markdown()")
	}
}

func BenchmarkMarkdown(b *testing.B) {
	r := sample()
	b.ReportAllocs()
	for b.Loop() {
		_ = r.Markdown()
	}
}
