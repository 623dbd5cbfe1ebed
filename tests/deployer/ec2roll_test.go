package deployer_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/deliverykit/podinfo/ci/deploy/alarms"
	"github.com/deliverykit/podinfo/ci/deploy/clock"
	"github.com/deliverykit/podinfo/ci/deploy/ec2roll"
	"github.com/deliverykit/podinfo/tests/deployer/fakeaws"
)

func TestEC2Rollout(t *testing.T) {
	tests := []struct {
		name        string
		setup       func(f *fakeaws.Server, cfg *ec2roll.Config)
		wantOutcome string
		wantErr     string
		wantSteps   []int32
		wantState   groupState
		wantShifts  int // ModifyListener calls
		check       func(t *testing.T, r ec2roll.Result)
	}{
		{
			name:        "successful blue to green",
			setup:       func(*fakeaws.Server, *ec2roll.Config) {},
			wantOutcome: ec2roll.OutcomeSucceeded,
			wantSteps:   []int32{10, 50, 100},
			wantState:   groupState{0, 100, 0, 2, "3", "4"},
			wantShifts:  3,
			check: func(t *testing.T, r ec2roll.Result) {
				if r.From != ec2roll.Blue || r.To != ec2roll.Green {
					t.Errorf("from %s to %s, want blue to green", r.From, r.To)
				}
				// each step bakes 60s on the fake clock
				for i := 1; i < len(r.Steps); i++ {
					if d := r.Steps[i].At.Sub(r.Steps[i-1].At); d < 60*time.Second {
						t.Errorf("step %d came %s after the previous, want at least the 60s bake", i, d)
					}
				}
				for _, s := range r.Steps {
					if len(s.Checks) != 2 || !s.Checks[0].OK || !s.Checks[1].OK {
						t.Errorf("step %d%% checks = %+v, want alarms and target-health OK", s.Weight, s.Checks)
					}
				}
			},
		},
		{
			name: "alarm fires mid-shift",
			setup: func(f *fakeaws.Server, _ *ec2roll.Config) {
				f.After = func(s *fakeaws.Server, op string) {
					if op == "elbv2:ModifyListener" && s.Listeners[listenerARN].Modified == 2 {
						s.Alarms["podinfo-prod-5xx"] = "ALARM"
					}
				}
			},
			wantOutcome: ec2roll.OutcomeRolledBack,
			wantErr:     "podinfo-prod-5xx",
			wantSteps:   []int32{10, 50},
			wantState:   groupState{100, 0, 2, 0, "3", "4"},
			wantShifts:  3, // 10, 50, back to 0
		},
		{
			name: "green never healthy",
			setup: func(f *fakeaws.Server, _ *ec2roll.Config) {
				f.TargetGroups[greenTG].NeverHealthy = true
			},
			wantOutcome: ec2roll.OutcomeRolledBack,
			wantErr:     "green targets not healthy within 5m0s",
			wantState:   groupState{100, 0, 2, 0, "3", "4"},
			wantShifts:  0, // traffic untouched
		},
		{
			name: "alarm already firing before any shift",
			setup: func(f *fakeaws.Server, _ *ec2roll.Config) {
				f.Alarms["podinfo-prod-latency"] = "ALARM"
			},
			wantOutcome: ec2roll.OutcomeRolledBack,
			wantErr:     "alarms in ALARM before shifting: podinfo-prod-latency",
			wantState:   groupState{100, 0, 2, 0, "3", "4"},
			wantShifts:  0,
		},
		{
			name: "smoke test fails at 10%",
			setup: func(_ *fakeaws.Server, cfg *ec2roll.Config) {
				cfg.Smoke = func(context.Context, int32) error { return errString("GET /readyz: 503") }
			},
			wantOutcome: ec2roll.OutcomeRolledBack,
			wantErr:     "smoke test at 10%: GET /readyz: 503",
			wantSteps:   []int32{10},
			wantState:   groupState{100, 0, 2, 0, "3", "4"},
			wantShifts:  2,
		},
		{
			name: "interrupted shift of the same digest is resumed",
			setup: func(f *fakeaws.Server, cfg *ec2roll.Config) {
				f.Listeners[listenerARN].Forward = []fakeaws.Weight{fakeaws.W(blueTG, 50), fakeaws.W(greenTG, 50)}
				g := f.Groups["podinfo-green"]
				g.Version, g.Min, g.Desired = "4", 2, 2
				g.Instances = []*fakeaws.Instance{{ID: "i-g1", Version: "4"}, {ID: "i-g2", Version: "4"}}
				cfg.Hint = &ec2roll.InProgress{Digest: digestB, From: ec2roll.Blue, To: ec2roll.Green, LaunchTemplateVersion: "4"}
			},
			wantOutcome: ec2roll.OutcomeSucceeded,
			wantSteps:   []int32{100},
			wantState:   groupState{0, 100, 0, 2, "3", "4"},
			wantShifts:  1,
			check: func(t *testing.T, r ec2roll.Result) {
				if !r.Resumed {
					t.Error("Resumed = false, want true")
				}
			},
		},
		{
			name: "interrupted shift without a record is resumed from the group versions",
			setup: func(f *fakeaws.Server, cfg *ec2roll.Config) {
				f.Listeners[listenerARN].Forward = []fakeaws.Weight{fakeaws.W(blueTG, 90), fakeaws.W(greenTG, 10)}
				g := f.Groups["podinfo-green"]
				g.Version, g.Min, g.Desired = "4", 2, 2
				g.Instances = []*fakeaws.Instance{{ID: "i-g1", Version: "4"}, {ID: "i-g2", Version: "4"}}
			},
			wantOutcome: ec2roll.OutcomeSucceeded,
			wantSteps:   []int32{50, 100},
			wantState:   groupState{0, 100, 0, 2, "3", "4"},
			wantShifts:  2,
		},
		{
			name: "interrupted shift of another digest is rolled back, then deployed",
			setup: func(f *fakeaws.Server, cfg *ec2roll.Config) {
				f.Listeners[listenerARN].Forward = []fakeaws.Weight{fakeaws.W(blueTG, 50), fakeaws.W(greenTG, 50)}
				g := f.Groups["podinfo-green"]
				g.Version, g.Min, g.Desired = "9", 2, 2
				g.Instances = []*fakeaws.Instance{{ID: "i-g1", Version: "9"}, {ID: "i-g2", Version: "9"}}
				cfg.Hint = &ec2roll.InProgress{Digest: digestA, From: ec2roll.Blue, To: ec2roll.Green, LaunchTemplateVersion: "9"}
			},
			wantOutcome: ec2roll.OutcomeSucceeded,
			wantSteps:   []int32{10, 50, 100},
			wantState:   groupState{0, 100, 0, 2, "3", "4"},
			wantShifts:  4, // back to 100/0, then 10, 50, 100
			check: func(t *testing.T, r ec2roll.Result) {
				if !r.RolledBackInterrupted || r.Resumed {
					t.Errorf("RolledBackInterrupted=%v Resumed=%v, want true false", r.RolledBackInterrupted, r.Resumed)
				}
			},
		},
		{
			name: "group on $Latest counts as the newest version",
			setup: func(f *fakeaws.Server, _ *ec2roll.Config) {
				f.Groups["podinfo-blue"].Version = "$Latest"
			},
			wantOutcome: ec2roll.OutcomeNoOp,
			wantState:   groupState{100, 0, 2, 0, "$Latest", "3"},
		},
		{
			name: "already live is a no-op",
			setup: func(f *fakeaws.Server, _ *ec2roll.Config) {
				f.Groups["podinfo-blue"].Version = "4"
			},
			wantOutcome: ec2roll.OutcomeNoOp,
			wantState:   groupState{100, 0, 2, 0, "4", "3"},
			wantShifts:  0,
			check: func(t *testing.T, r ec2roll.Result) {
				if !strings.Contains(r.Message, "already live on blue") {
					t.Errorf("message %q does not say it is already live", r.Message)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := ec2Env(t)
			clk := clock.NewFake(start)
			cfg := ec2Config(clk)
			f.Lock()
			tc.setup(f, &cfg)
			f.Unlock()
			res, err := ec2roll.Rollout(context.Background(), ec2Clients(clientsFor(t, f)), cfg)
			if tc.wantErr == "" && err != nil {
				t.Fatalf("Rollout: %v", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("Rollout error = %v, want it to contain %q", err, tc.wantErr)
			}
			if res.Outcome != tc.wantOutcome {
				t.Errorf("outcome %q, want %q (message %q)", res.Outcome, tc.wantOutcome, res.Message)
			}
			if diff := cmp.Diff(tc.wantSteps, stepWeights(res)); diff != "" {
				t.Errorf("steps (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantState, ec2State(f)); diff != "" {
				t.Errorf("final state (-want +got):\n%s", diff)
			}
			if got := f.Count("elbv2:ModifyListener"); got != tc.wantShifts {
				t.Errorf("ModifyListener calls = %d, want %d", got, tc.wantShifts)
			}
			if tc.check != nil {
				tc.check(t, res)
			}
		})
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func TestAlarmsMustExist(t *testing.T) {
	f := ec2Env(t)
	c := clientsFor(t, f)
	ctx := context.Background()
	if err := alarms.CheckExist(ctx, c.cw, f.Region, []string{"podinfo-prod-5xx", "podinfo-prod-latency"}); err != nil {
		t.Fatalf("existing alarms refused: %v", err)
	}
	err := alarms.CheckExist(ctx, c.cw, f.Region, []string{"podinfo-prod-5xx", "podinfo-prod-typo"})
	if err == nil || !strings.Contains(err.Error(), "podinfo-prod-typo do not exist in region eu-west-1") || !strings.Contains(err.Error(), "alarm_names") {
		t.Fatalf("missing alarm error = %v, want it to name podinfo-prod-typo, the region and the fix", err)
	}
}
