package deployer_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/deliverykit/podinfo/ci/deploy/clock"
	"github.com/deliverykit/podinfo/ci/deploy/lambdaroll"
	"github.com/deliverykit/podinfo/tests/deployer/fakeaws"
)

const (
	repo     = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/podinfo-prod"
	function = "podinfo-prod"
	digestC  = "sha256:3333333333333333333333333333333333333333333333333333333333333333"
)

func lambdaEnv(t *testing.T) *fakeaws.Server {
	f := fakeaws.New(t)
	f.Lock()
	defer f.Unlock()
	fn := f.AddFunction(function, "live", repo+"@"+digestA)
	fn.UpdatePolls = 2
	return f
}

func lambdaConfig(clk clock.Clock) lambdaroll.Config {
	return lambdaroll.Config{
		FunctionName: function, Alias: "live", ImageURI: repo + "@" + digestB,
		AppName: "podinfo-prod", GroupName: "podinfo-prod-live",
		DeploymentConfig: "CodeDeployDefault.LambdaCanary10Percent5Minutes",
		UpdateTimeout:    2 * time.Minute, DeployTimeout: 15 * time.Minute, Poll: 15 * time.Second,
		Clock: clk,
	}
}

type aliasState struct {
	Version string
	Extra   map[string]float64
	Image   string // image of the alias's version
}

func lambdaAlias(f *fakeaws.Server) aliasState {
	f.Lock()
	defer f.Unlock()
	fn := f.Functions[function]
	a := fn.Aliases["live"]
	return aliasState{Version: a.Version, Extra: a.Extra, Image: fn.Versions[a.Version]}
}

func TestLambdaRollout(t *testing.T) {
	tests := []struct {
		name        string
		setup       func(f *fakeaws.Server)
		wantOutcome string
		wantErr     string
		want        aliasState
		wantCalls   map[string]int
		check       func(t *testing.T, f *fakeaws.Server, r lambdaroll.Result)
	}{
		{
			name:        "successful canary",
			setup:       func(*fakeaws.Server) {},
			wantOutcome: lambdaroll.OutcomeSucceeded,
			want:        aliasState{Version: "2", Image: repo + "@" + digestB},
			wantCalls:   map[string]int{"lambda:UpdateFunctionCode": 1, "lambda:PublishVersion": 1, "codedeploy:CreateDeployment": 1, "lambda:UpdateAlias": 0},
			check: func(t *testing.T, f *fakeaws.Server, r lambdaroll.Result) {
				f.Lock()
				defer f.Unlock()
				d := f.Deployments[r.DeploymentID]
				if d == nil || d.Config != "CodeDeployDefault.LambdaCanary10Percent5Minutes" || d.Current != "1" || d.Target != "2" {
					t.Errorf("deployment = %+v, want canary config moving 1 -> 2", d)
				}
				if r.PreviousVersion != "1" || r.NewVersion != "2" {
					t.Errorf("versions %s -> %s, want 1 -> 2", r.PreviousVersion, r.NewVersion)
				}
			},
		},
		{
			name: "alarm stops the deployment, CodeDeploy rolls back",
			setup: func(f *fakeaws.Server) {
				f.DeployBehaviour = fakeaws.DeployBehaviour{Outcome: "Stopped", Polls: 3, RollbackAlias: true, ErrorCode: "ALARM_ACTIVE"}
			},
			wantOutcome: lambdaroll.OutcomeRolledBack,
			wantErr:     "ALARM_ACTIVE",
			want:        aliasState{Version: "1", Image: repo + "@" + digestA},
			wantCalls:   map[string]int{"lambda:UpdateAlias": 0},
		},
		{
			name: "failed deployment leaves the alias weighted, deployer restores it",
			setup: func(f *fakeaws.Server) {
				f.DeployBehaviour = fakeaws.DeployBehaviour{Outcome: "Failed", Polls: 3, ErrorCode: "HEALTH_CONSTRAINTS"}
			},
			wantOutcome: lambdaroll.OutcomeRolledBack,
			wantErr:     "HEALTH_CONSTRAINTS",
			want:        aliasState{Version: "1", Image: repo + "@" + digestA},
			wantCalls:   map[string]int{"lambda:UpdateAlias": 1},
		},
		{
			name: "deployment that never ends is stopped at the deadline",
			setup: func(f *fakeaws.Server) {
				f.DeployBehaviour = fakeaws.DeployBehaviour{Outcome: "Hang"}
			},
			wantOutcome: lambdaroll.OutcomeRolledBack,
			wantErr:     "did not finish within 15m0s",
			want:        aliasState{Version: "1", Image: repo + "@" + digestA},
			wantCalls:   map[string]int{"codedeploy:StopDeployment": 1},
		},
		{
			name: "code update fails before any traffic moves",
			setup: func(f *fakeaws.Server) {
				f.Functions[function].UpdateFails = true
			},
			wantOutcome: lambdaroll.OutcomeFailed,
			wantErr:     "single-platform",
			want:        aliasState{Version: "1", Image: repo + "@" + digestA},
			wantCalls:   map[string]int{"codedeploy:CreateDeployment": 0, "lambda:PublishVersion": 0},
		},
		{
			name: "already live is a no-op",
			setup: func(f *fakeaws.Server) {
				fn := f.Functions[function]
				fn.Versions["1"] = repo + "@" + digestB
				fn.ImageURI = repo + "@" + digestB
			},
			wantOutcome: lambdaroll.OutcomeNoOp,
			want:        aliasState{Version: "1", Image: repo + "@" + digestB},
			wantCalls:   map[string]int{"lambda:UpdateFunctionCode": 0, "codedeploy:CreateDeployment": 0},
			check: func(t *testing.T, _ *fakeaws.Server, r lambdaroll.Result) {
				if !strings.Contains(r.Message, "already live") {
					t.Errorf("message %q does not say already live", r.Message)
				}
			},
		},
		{
			name: "interrupted deployment of the same digest is resumed",
			setup: func(f *fakeaws.Server) {
				interrupted(f, digestB)
			},
			wantOutcome: lambdaroll.OutcomeSucceeded,
			want:        aliasState{Version: "2", Image: repo + "@" + digestB},
			wantCalls:   map[string]int{"lambda:UpdateFunctionCode": 0, "codedeploy:CreateDeployment": 0, "codedeploy:StopDeployment": 0},
			check: func(t *testing.T, _ *fakeaws.Server, r lambdaroll.Result) {
				if !r.Resumed || r.DeploymentID != "d-interrupted" {
					t.Errorf("Resumed=%v deployment %s, want resumed d-interrupted", r.Resumed, r.DeploymentID)
				}
			},
		},
		{
			name: "interrupted deployment of another digest is stopped, then replaced",
			setup: func(f *fakeaws.Server) {
				interrupted(f, digestC)
			},
			wantOutcome: lambdaroll.OutcomeSucceeded,
			want:        aliasState{Version: "3", Image: repo + "@" + digestB},
			wantCalls:   map[string]int{"codedeploy:StopDeployment": 1, "codedeploy:CreateDeployment": 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := lambdaEnv(t)
			f.Lock()
			tc.setup(f)
			f.Unlock()
			c := clientsFor(t, f)
			res, err := lambdaroll.Rollout(context.Background(), lambdaroll.Clients{Lambda: c.lam, CodeDeploy: c.cd}, lambdaConfig(clock.NewFake(start)))
			if tc.wantErr == "" && err != nil {
				t.Fatalf("Rollout: %v", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("Rollout error = %v, want it to contain %q", err, tc.wantErr)
			}
			if res.Outcome != tc.wantOutcome {
				t.Errorf("outcome %q, want %q", res.Outcome, tc.wantOutcome)
			}
			if diff := cmp.Diff(tc.want, lambdaAlias(f)); diff != "" {
				t.Errorf("alias (-want +got):\n%s", diff)
			}
			for op, n := range tc.wantCalls {
				if got := f.Count(op); got != n {
					t.Errorf("%s calls = %d, want %d", op, got, n)
				}
			}
			if tc.check != nil {
				tc.check(t, f, res)
			}
		})
	}
}

// interrupted leaves a CodeDeploy deployment mid-canary: version 2 runs
// digest, the alias sends it 10%.
func interrupted(f *fakeaws.Server, digest string) {
	fn := f.Functions[function]
	fn.Versions["2"], fn.LastVersion, fn.ImageURI = repo+"@"+digest, 2, repo+"@"+digest
	fn.Aliases["live"].Extra = map[string]float64{"2": 0.1}
	f.Deployments["d-interrupted"] = &fakeaws.Deployment{
		ID: "d-interrupted", App: "podinfo-prod", Group: "podinfo-prod-live", Config: "CodeDeployDefault.LambdaCanary10Percent5Minutes",
		Status: "InProgress", AppSpec: lambdaroll.NewAppSpec(function, "live", "1", "2"),
		Function: function, Alias: "live", Current: "1", Target: "2", Polls: 1,
		Behaviour: fakeaws.DeployBehaviour{Outcome: "Succeeded", Polls: 3},
	}
}
