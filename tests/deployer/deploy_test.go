package deployer_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/deliverykit/podinfo/ci/deploy"
	"github.com/deliverykit/podinfo/ci/deploy/awsconf"
	"github.com/deliverykit/podinfo/ci/deploy/clock"
	"github.com/deliverykit/podinfo/ci/deploy/ec2roll"
	"github.com/deliverykit/podinfo/ci/deploy/record"
	"github.com/deliverykit/podinfo/ci/deploy/report"
	"github.com/deliverykit/podinfo/tests/deployer/fakeaws"
)

// world is one environment: a fake AWS account holding the Lambda function
// (alias live on version 1, digest A) and the EC2 pair (blue live on
// launch template version 3), the fixture root, and a real service the
// api_url and alb_url outputs point at.
type world struct {
	f       *fakeaws.Server
	dir     string
	service string
}

func newWorld(t *testing.T, fixture string) *world {
	f := ec2Env(t)
	f.Lock()
	fn := f.AddFunction(function, "live", repo+"@"+digestA)
	fn.UpdatePolls = 1
	f.Tables[stateTable] = map[string]fakeaws.Item{}
	f.Unlock()
	return &world{f: f, dir: copyFixture(t, fixture), service: startService(t)}
}

func (w *world) config(t *testing.T, digest string) deploy.Config {
	bake := 60 * time.Second
	return deploy.Config{
		Env: "prod", Digest: digest, IaCDir: w.dir, BackendConfig: filepath.Join(w.dir, "local.tfbackend"),
		Terraform: terraformBin(t), Actor: "tester", Run: "run-1",
		LambdaUpdateTimeout: time.Minute, LambdaDeployTimeout: 10 * time.Minute, EC2HealthTimeout: 5 * time.Minute,
		Poll: 10 * time.Second, Grace: 30 * time.Second, Bake: &bake, LockTTL: time.Hour,
		SmokeAttempts: 1, SmokeInterval: 10 * time.Millisecond,
		AWS: awsconf.Options{Endpoint: w.f.URL, StaticKeyID: "AKIDFAKE", StaticSecret: "fake-secret",
			MaxAttempts: 2, MaxBackoff: 10 * time.Millisecond, CallTimeout: 10 * time.Second},
		Vars:         []string{"api_url=" + w.service, "alb_url=" + w.service},
		TerraformEnv: map[string]string{"PATH": os.Getenv("PATH"), "HOME": t.TempDir()},
		Clock:        clock.NewFake(start),
	}
}

func (w *world) store(t *testing.T) record.Store {
	return record.Store{API: clientsFor(t, w.f).ddb, Table: stateTable}
}

func stateExists(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "state", "terraform.tfstate"))
	return err == nil
}

// TestDeploy runs whole deploys in-process: real terraform on the fixture
// root, fake AWS, the real service behind the URLs.
func TestDeploy(t *testing.T) {
	ctx := context.Background()

	t.Run("deploy, re-run no-op, promote", func(t *testing.T) {
		w := newWorld(t, "env")
		cfg := w.config(t, digestB)
		cfg.ExpectVersion = serviceVersion
		rep, err := deploy.Run(ctx, cfg)
		if err != nil {
			t.Fatalf("deploy: %v\n%s", err, rep.Markdown())
		}
		if rep.Outcome != report.OutcomeSucceeded || !rep.Healthy || !rep.Applied || rep.Version != serviceVersion {
			t.Fatalf("outcome %s healthy %v applied %v version %q, want succeeded, healthy, applied, %s", rep.Outcome, rep.Healthy, rep.Applied, rep.Version, serviceVersion)
		}
		if diff := cmp.Diff(aliasState{Version: "2", Image: repo + "@" + digestB}, lambdaAlias(w.f)); diff != "" {
			t.Errorf("alias (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(groupState{0, 100, 0, 2, "3", "4"}, ec2State(w.f)); diff != "" {
			t.Errorf("ec2 (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]int32{10, 50, 100}, stepWeights(*rep.EC2)); diff != "" {
			t.Errorf("steps (-want +got):\n%s", diff)
		}
		w.f.Lock()
		lock := w.f.Get(stateTable, "env#prod", "lock")
		greenMin := w.f.Groups["podinfo-green"].Min
		w.f.Unlock()
		if greenMin != 1 {
			t.Errorf("green min size %d, want the asg_min_size output 1", greenMin)
		}
		if lock != nil {
			t.Errorf("deploy lock still held after the deploy: %v", lock)
		}
		rec, err := w.store(t).CheckPromotable(ctx, "prod", digestB)
		if err != nil {
			t.Fatalf("promotion check of the deployed digest: %v", err)
		}
		if rec.Version != serviceVersion || rec.Actor != "tester" || rec.Run != "run-1" || rec.Status != record.StatusSucceeded {
			t.Errorf("record = %+v", rec)
		}
		if _, err := w.store(t).CheckPromotable(ctx, "prod", digestC); err == nil || !strings.Contains(err.Error(), "never deployed to prod") {
			t.Errorf("promotion check of an undeployed digest = %v, want never deployed", err)
		}

		shifts, creates := w.f.Count("elbv2:ModifyListener"), w.f.Count("codedeploy:CreateDeployment")
		cfg.Run = "run-2"
		rep, err = deploy.Run(ctx, cfg)
		if err != nil {
			t.Fatalf("re-run: %v", err)
		}
		if rep.Outcome != report.OutcomeNoOp || rep.Applied || rep.Plan.HasChanges || !rep.Healthy {
			t.Errorf("re-run outcome %s applied %v changes %v healthy %v, want no-op without apply, healthy", rep.Outcome, rep.Applied, rep.Plan.HasChanges, rep.Healthy)
		}
		if !strings.Contains(strings.Join(rep.Notes, "\n"), "already live") {
			t.Errorf("re-run notes %q do not say already live", rep.Notes)
		}
		if w.f.Count("elbv2:ModifyListener") != shifts || w.f.Count("codedeploy:CreateDeployment") != creates {
			t.Error("re-run moved traffic")
		}
	})

	t.Run("dry run applies nothing", func(t *testing.T) {
		w := newWorld(t, "env")
		cfg := w.config(t, digestB)
		cfg.DryRun = true
		rep, err := deploy.Run(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Outcome != report.OutcomeDryRun || rep.Plan == nil || rep.Plan.Add != 2 || stateExists(w.dir) || len(w.f.Calls) != 0 {
			t.Errorf("dry run: outcome %s plan %+v state written %v aws calls %v", rep.Outcome, rep.Plan, stateExists(w.dir), w.f.Calls)
		}
	})

	// Each of these fails before any traffic moves.
	refusals := []struct {
		name    string
		fixture string
		prepare func(w *world, cfg *deploy.Config)
		wantErr []string
		applied bool
		outcome string
	}{
		{
			name: "unknown environment", fixture: "env",
			prepare: func(_ *world, cfg *deploy.Config) { cfg.Env = "qa" },
			wantErr: []string{`--env "qa": unknown environment; use one of dev, staging, prod`}, outcome: report.OutcomeRefused,
		},
		{
			name: "tag instead of digest", fixture: "env",
			prepare: func(_ *world, cfg *deploy.Config) { cfg.Digest = "latest" },
			wantErr: []string{`--digest "latest": not an image digest`, "sha256:<64 lowercase hex>"}, outcome: report.OutcomeRefused,
		},
		{
			name: "root of another environment", fixture: "env",
			prepare: func(_ *world, cfg *deploy.Config) { cfg.Env = "staging" },
			wantErr: []string{`--env staging but terraform root`, `is environment "prod"`}, outcome: report.OutcomeRefused,
		},
		{
			name: "missing outputs", fixture: "env-missing",
			prepare: func(*world, *deploy.Config) {},
			wantErr: []string{"missing deploy outputs: alarm_names, state_table_name", "ci/deploycontract"}, outcome: report.OutcomeRefused,
		},
		{
			name: "wrong region", fixture: "env",
			prepare: func(_ *world, cfg *deploy.Config) { cfg.Region = "us-east-1" },
			wantErr: []string{"--region us-east-1 but the environment's aws_region output is eu-west-1"}, applied: true, outcome: report.OutcomeFailed,
		},
		{
			name: "bad credentials", fixture: "env",
			prepare: func(w *world, _ *deploy.Config) { w.f.RejectCredentials = true },
			wantErr: []string{"aws rejected the credentials (InvalidClientTokenId", "fix: supply valid credentials"}, applied: true, outcome: report.OutcomeFailed,
		},
		{
			name: "alarm that does not exist", fixture: "env",
			prepare: func(w *world, cfg *deploy.Config) {
				cfg.Vars = append(cfg.Vars, `alarm_names=["podinfo-prod-5xx","podinfo-prod-typo"]`)
			},
			wantErr: []string{"alarm(s) podinfo-prod-typo do not exist in region eu-west-1", "alarm_names output"}, applied: true, outcome: report.OutcomeFailed,
		},
		{
			name: "another deploy holds the lock", fixture: "env",
			prepare: func(w *world, cfg *deploy.Config) {
				w.f.Tables[stateTable]["env#prod\x00lock"] = fakeaws.Item{
					"pk": map[string]any{"S": "env#prod"}, "sk": map[string]any{"S": "lock"},
					"owner": map[string]any{"S": "alice"}, "run": map[string]any{"S": "run-7"},
					"acquired_at": map[string]any{"S": "2026-11-26T11:50:00Z"},
					"expires_at":  map[string]any{"N": "9999999999"},
				}
			},
			wantErr: []string{"another deploy to prod is running: lock held by alice (run run-7)"}, applied: true, outcome: report.OutcomeRefused,
		},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, tc.fixture)
			cfg := w.config(t, digestB)
			w.f.Lock()
			tc.prepare(w, &cfg)
			w.f.Unlock()
			rep, err := deploy.Run(ctx, cfg)
			if err == nil {
				t.Fatalf("deploy succeeded, want it refused:\n%s", rep.Markdown())
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if rep.Outcome != tc.outcome || rep.Applied != tc.applied {
				t.Errorf("outcome %s applied %v, want %s %v", rep.Outcome, rep.Applied, tc.outcome, tc.applied)
			}
			for _, op := range []string{"elbv2:ModifyListener", "autoscaling:UpdateAutoScalingGroup", "lambda:UpdateFunctionCode", "codedeploy:CreateDeployment"} {
				if n := w.f.Count(op); n != 0 {
					t.Errorf("%s called %d times before the refusal", op, n)
				}
			}
		})
	}

	t.Run("ec2 failure puts the lambda alias back", func(t *testing.T) {
		w := newWorld(t, "env")
		w.f.Lock()
		w.f.TargetGroups[greenTG].NeverHealthy = true
		w.f.Unlock()
		rep, err := deploy.Run(ctx, w.config(t, digestB))
		if err == nil || !strings.Contains(err.Error(), "green targets not healthy") {
			t.Fatalf("deploy error = %v, want green targets not healthy", err)
		}
		if rep.Outcome != report.OutcomeRolledBack || rep.Lambda.Outcome != "rolled-back" {
			t.Errorf("outcome %s lambda %s, want rolled-back both", rep.Outcome, rep.Lambda.Outcome)
		}
		if diff := cmp.Diff(aliasState{Version: "1", Image: repo + "@" + digestA}, lambdaAlias(w.f)); diff != "" {
			t.Errorf("alias (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(groupState{100, 0, 2, 0, "3", "4"}, ec2State(w.f)); diff != "" {
			t.Errorf("ec2 (-want +got):\n%s", diff)
		}
		if _, err := w.store(t).CheckPromotable(ctx, "prod", digestB); err == nil || !strings.Contains(err.Error(), "ended rolled-back") {
			t.Errorf("promotion of a rolled-back digest = %v, want refused", err)
		}
	})

	t.Run("failed smoke test after the lambda shift puts the alias back", func(t *testing.T) {
		w := newWorld(t, "env")
		cfg := w.config(t, digestB)
		cfg.Vars = append(cfg.Vars, "api_url=http://127.0.0.1:1") // nothing listens there
		rep, err := deploy.Run(ctx, cfg)
		if err == nil || !strings.Contains(err.Error(), "lambda smoke test after the shift") || !strings.Contains(err.Error(), "alias put back on version 1") {
			t.Fatalf("deploy error = %v, want the lambda smoke failure and the alias restored", err)
		}
		if rep.Outcome != report.OutcomeRolledBack || rep.Healthy {
			t.Errorf("outcome %s healthy %v, want rolled-back, unhealthy", rep.Outcome, rep.Healthy)
		}
		if diff := cmp.Diff(aliasState{Version: "1", Image: repo + "@" + digestA}, lambdaAlias(w.f)); diff != "" {
			t.Errorf("alias (-want +got):\n%s", diff)
		}
		if n := w.f.Count("elbv2:ModifyListener") + w.f.Count("autoscaling:UpdateAutoScalingGroup"); n != 0 {
			t.Errorf("EC2 touched %d times after the Lambda smoke test failed", n)
		}
	})

	t.Run("interrupted shift recorded in progress is resumed", func(t *testing.T) {
		w := newWorld(t, "env")
		cfg := w.config(t, digestB)
		w.f.Lock()
		// A previous run of digest B moved Lambda and got EC2 to 50% before dying.
		fn := w.f.Functions[function]
		fn.Versions["2"], fn.LastVersion, fn.ImageURI = repo+"@"+digestB, 2, repo+"@"+digestB
		fn.Aliases["live"].Version = "2"
		w.f.Listeners[listenerARN].Forward = []fakeaws.Weight{fakeaws.W(blueTG, 50), fakeaws.W(greenTG, 50)}
		g := w.f.Groups["podinfo-green"]
		g.Version, g.Min, g.Desired = "4", 2, 2
		g.Instances = []*fakeaws.Instance{{ID: "i-g1", Version: "4"}, {ID: "i-g2", Version: "4"}}
		w.f.Unlock()
		prev := record.Deploy{Env: "prod", Digest: digestB, Actor: "bob", Run: "run-0", StartedAt: start,
			EC2: &ec2roll.InProgress{Digest: digestB, From: ec2roll.Blue, To: ec2roll.Green, LaunchTemplateVersion: "4"}}
		if err := w.store(t).Begin(ctx, prev); err != nil {
			t.Fatal(err)
		}
		rep, err := deploy.Run(ctx, cfg)
		if err != nil {
			t.Fatalf("deploy: %v", err)
		}
		if !rep.EC2.Resumed || rep.Lambda.Outcome != "no-op" || rep.Outcome != report.OutcomeSucceeded {
			t.Errorf("ec2 resumed %v lambda %s outcome %s, want resumed, no-op, succeeded", rep.EC2.Resumed, rep.Lambda.Outcome, rep.Outcome)
		}
		if diff := cmp.Diff([]int32{100}, stepWeights(*rep.EC2)); diff != "" {
			t.Errorf("steps (-want +got):\n%s", diff)
		}
		if !strings.Contains(strings.Join(rep.Notes, "\n"), "unfinished deploy of "+digestB+" (run run-0 by bob); same digest: resuming it") {
			t.Errorf("notes %q do not explain the resumption", rep.Notes)
		}
		cur, err := w.store(t).Current(ctx, "prod")
		if err != nil || cur.Status != record.StatusSucceeded || cur.EC2 != nil {
			t.Errorf("current record after resume = %+v, %v", cur, err)
		}
	})
}

// TestDeployReportFiles checks the files the command writes for the
// GitHub job summary.
func TestDeployReportFiles(t *testing.T) {
	w := newWorld(t, "env")
	rep, err := deploy.Run(context.Background(), w.config(t, digestB))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := report.Write(dir, *rep); err != nil {
		t.Fatal(err)
	}
	var back report.Report
	b, err := os.ReadFile(filepath.Join(dir, report.JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &back); err != nil || back.Outcome != report.OutcomeSucceeded || back.EC2 == nil || len(back.EC2.Steps) != 3 {
		t.Errorf("report JSON round trip: %v %+v", err, back)
	}
	md, err := os.ReadFile(filepath.Join(dir, report.MarkdownFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Deploy to prod: succeeded", "## Terraform plan", "## Lambda: succeeded", "| 12:0", "| 50% |", "## Smoke tests"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("markdown report lacks %q:\n%s", want, md)
		}
	}
}
