package workflows

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/deliverykit/podinfo/tests/workflows/daggercli"
	"github.com/google/go-cmp/cmp"
)

// fixtureChecker checks fixtures against the fixture module, so that the
// rules' tests do not move when the real module does.
func fixtureChecker(t testing.TB) Checker {
	t.Helper()
	m, err := daggercli.Load("daggercli/testdata/module")
	if err != nil {
		t.Fatal(err)
	}
	return Checker{EngineVersion: "v0.21.9", Module: m, Root: "daggercli/testdata/module"}
}

func rulesOf(fs []Finding) []string {
	set := map[string]bool{}
	for _, f := range fs {
		set[f.Rule] = true
	}
	out := make([]string, 0, len(set))
	for r := range set {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

func TestGoodFixturesPass(t *testing.T) {
	for _, name := range []string{"good.yml", "good-tests-module.yml"} {
		w, err := Load(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fixtureChecker(t).Check(w) {
			t.Errorf("finding on %s: %s", name, f)
		}
	}
}

// badFixtures lists each fixture that breaks one rule, the rule, and what
// its finding must say.
var badFixtures = []struct {
	file, rule, wantIn string
}{
	{"bad-two-dagger-calls.yml", RuleOneDaggerCall, "runs 2 dagger calls"},
	{"bad-unused-id-token.yml", RuleLeastPrivilege, "grants id-token: write but does not use it (a use is an OIDC exchange"},
	{"bad-unused-security-events.yml", RuleLeastPrivilege, "grants security-events: write but does not use it (a use is a github/codeql-action/upload-sarif step)"},
	{"bad-called-unused-write.yml", RuleLeastPrivilege, "job reuse: grants security-events: write but does not use it"},
	{"bad-unmapped-write.yml", RuleLeastPrivilege, "grants statuses: write, which no rule maps to a use"},
	{"bad-top-level-permissions.yml", RuleLeastPrivilege, "top-level permissions must be {}"},
	{"bad-job-without-permissions.yml", RuleLeastPrivilege, "has no permissions block"},
	{"bad-tag-ref.yml", RulePinned, `"actions/checkout@v7" is not pinned to a full 40-hex commit SHA`},
	{"bad-short-sha.yml", RulePinned, "is not pinned to a full 40-hex commit SHA"},
	{"bad-no-version-comment.yml", RulePinned, "has no version comment"},
	{"bad-unknown-function.yml", RuleModuleCalls, `no function "ship" on Podinfo; it has build-and-sign, deploy, release, serve`},
	{"bad-missing-required-flag.yml", RuleModuleCalls, "function deploy needs --digest, which is required"},
	{"bad-secret-value.yml", RuleModuleCalls, "secret flag --oidc-request-token of function build-and-sign is given \"$ACTIONS_ID_TOKEN_REQUEST_TOKEN\""},
	{"bad-unknown-flag.yml", RuleModuleCalls, "unknown flag --key-less for function build-and-sign"},
	{"bad-tests-module-function.yml", RuleModuleCalls, `no function "everything" on Tests; it has all`},
	{"bad-remote-module.yml", RuleModuleCalls, "calls the remote module github.com/example/mod@v1"},
	{"bad-engine-version.yml", RuleEngineVersion, `installs Dagger "latest"; set with.version: "v0.21.9"`},
	{"bad-no-tee.yml", RuleFailureSummary, "does not capture the call's output"},
	{"bad-summary-line-differs.yml", RuleFailureSummary, "no later step with if: failure()"},
	{"bad-summary-not-on-failure.yml", RuleFailureSummary, "no later step with if: failure()"},
	{"bad-summary-undefined-var.yml", RuleFailureSummary, "its failure summary step prints $REGISTRY but does not define it in env:"},
	{"bad-deploy-no-environment.yml", RuleDeployGated, "calls deploy outside a GitHub environment"},
	{"bad-deploy-cancels.yml", RuleDeployGated, "set cancel-in-progress: false"},
	{"bad-deploy-shared-group.yml", RuleDeployGated, "without a concurrency group named after its environment dev"},
	{"bad-shell-logic.yml", RuleNoShellLogic, "run script makes decisions (if, [[ ]], exit)"},
	{"bad-checkout-credentials.yml", RuleCheckoutCreds, "set with.persist-credentials: false"},
	{"bad-action-call-input.yml", RuleFailureSummary, "through the action's call input"},
}

// TestEachRuleFailsOnItsFixture runs every rule over fixtures that each break
// one rule, and checks that exactly that rule fires, with a message that
// says what to change.
func TestEachRuleFailsOnItsFixture(t *testing.T) {
	c := fixtureChecker(t)
	for _, tc := range badFixtures {
		t.Run(tc.file, func(t *testing.T) {
			w, err := Load(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			fs := c.Check(w)
			if d := cmp.Diff([]string{tc.rule}, rulesOf(fs)); d != "" {
				t.Fatalf("rules that fired (-want +got):\n%s\nfindings:\n%s", d, render(fs))
			}
			if !strings.Contains(render(fs), tc.wantIn) {
				t.Errorf("findings do not say %q:\n%s", tc.wantIn, render(fs))
			}
		})
	}
}

// TestEveryBadFixtureIsListed keeps the table above and testdata in step.
func TestEveryBadFixtureIsListed(t *testing.T) {
	files, err := filepath.Glob("testdata/bad-*.yml")
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, f := range badFixtures {
		listed = append(listed, filepath.Join("testdata", f.file))
	}
	sort.Strings(listed)
	if d := cmp.Diff(listed, files); d != "" {
		t.Errorf("bad fixtures in the table vs in testdata (-table +testdata):\n%s", d)
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct{ path, wantIn string }{
		{"testdata/missing.yml", "read workflow"},
		{"daggercli/testdata/module/dagger.json", "no jobs"},
	} {
		if _, err := Load(tc.path); err == nil || !strings.Contains(err.Error(), tc.wantIn) {
			t.Errorf("Load(%s) error = %v, want it to contain %q", tc.path, err, tc.wantIn)
		}
	}
}

func render(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.String())
		b.WriteByte('\n')
	}
	return b.String()
}
