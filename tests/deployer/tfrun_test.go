package deployer_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/deliverykit/podinfo/ci/deploy/tfrun"
	"github.com/deliverykit/podinfo/tests/internal/toolbuild"
)

const (
	digestA = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	digestB = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
)

// terraformBin builds (or finds) the pinned terraform and returns its path.
func terraformBin(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	bin, err := toolbuild.Ensure(ctx, "terraform")
	if err != nil {
		t.Fatalf("build terraform: %v", err)
	}
	return bin
}

// copyFixture copies testdata/tf/<name> into a fresh temp dir.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	src := filepath.Join("testdata", "tf", name)
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatalf("copy fixture %s: %v", name, err)
	}
	return dst
}

func newRunner(t *testing.T, dir string) *tfrun.Runner {
	t.Helper()
	r, err := tfrun.New(dir, terraformBin(t), tfrun.Options{LockTimeout: "10s", Env: map[string]string{
		"HOME": t.TempDir(), "PATH": os.Getenv("PATH"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// planAndSummarize plans with vars and evaluates the policy.
func planAndSummarize(t *testing.T, r *tfrun.Runner, p tfrun.Policy, vars ...string) (string, tfrun.Summary) {
	t.Helper()
	ctx := context.Background()
	planFile := filepath.Join(r.Dir(), "deploy.tfplan")
	changes, err := r.Plan(ctx, planFile, vars)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := r.ShowPlan(ctx, planFile)
	if err != nil {
		t.Fatal(err)
	}
	s := p.Summarize(plan)
	if s.HasChanges != changes {
		t.Errorf("plan exit code says changes=%v, JSON plan says %v", changes, s.HasChanges)
	}
	return planFile, s
}

// TestTerraformLifecycle runs the real terraform through tfrun: init with a
// backend config file, plan, policy, apply of the saved plan, outputs, and a
// re-run that plans no change.
func TestTerraformLifecycle(t *testing.T) {
	ctx := context.Background()
	dir := copyFixture(t, "policy")
	r := newRunner(t, dir)
	if err := r.Init(ctx, filepath.Join(dir, "local.tfbackend")); err != nil {
		t.Fatal(err)
	}
	prod := tfrun.Policy{Env: "prod", ProtectedTypes: tfrun.DefaultProtectedTypes}

	planFile, s := planAndSummarize(t, r, prod, "image_digest="+digestA)
	want := tfrun.Summary{HasChanges: true, Add: 2, Allowed: true, Changes: []tfrun.Change{
		{Address: "terraform_data.app", Action: "create"},
		{Address: "terraform_data.db[0]", Action: "create"},
	}}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Fatalf("first plan summary (-want +got):\n%s", diff)
	}
	if err := r.Apply(ctx, planFile); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "state", "terraform.tfstate")); err != nil {
		t.Fatalf("backend config path not used: %v", err)
	}
	out, err := r.Outputs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(out["image_digest"].Value); got != `"`+digestA+`"` {
		t.Errorf("output image_digest = %s, want %q", got, digestA)
	}

	// Re-run with the same digest: nothing to do.
	_, s = planAndSummarize(t, r, prod, "image_digest="+digestA)
	if diff := cmp.Diff(tfrun.Summary{Allowed: true}, s); diff != "" {
		t.Errorf("re-run plan summary (-want +got):\n%s", diff)
	}

	// A new digest replaces only the unprotected app resource: allowed in prod.
	planFile, s = planAndSummarize(t, r, prod, "image_digest="+digestB)
	want = tfrun.Summary{HasChanges: true, Replace: 1, Allowed: true, Changes: []tfrun.Change{
		{Address: "terraform_data.app", Action: "replace"},
	}}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("new digest plan summary (-want +got):\n%s", diff)
	}
	if err := r.Apply(ctx, planFile); err != nil {
		t.Fatal(err)
	}
	out, err = r.Outputs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(out["image_digest"].Value); got != `"`+digestB+`"` {
		t.Errorf("output image_digest after second apply = %s, want %q", got, digestB)
	}
}

// TestPlanPolicy plans destructive changes to the tagged-protected db and
// checks prod refuses them unless allowed, and dev lets them through.
func TestPlanPolicy(t *testing.T) {
	ctx := context.Background()
	dir := copyFixture(t, "policy")
	r := newRunner(t, dir)
	if err := r.Init(ctx, filepath.Join(dir, "local.tfbackend")); err != nil {
		t.Fatal(err)
	}
	planFile, _ := planAndSummarize(t, r, tfrun.Policy{Env: "dev"}, "image_digest="+digestA)
	if err := r.Apply(ctx, planFile); err != nil {
		t.Fatal(err)
	}

	destroy := tfrun.Violation{Address: "terraform_data.db[0]", Type: "terraform_data", Action: "delete", Reason: "tagged deploy:protected=true"}
	replace := destroy
	replace.Action = "replace"
	byType := tfrun.Violation{Address: "terraform_data.app", Type: "terraform_data", Action: "replace", Reason: "type terraform_data is protected (stateful or networking)"}
	tests := []struct {
		name         string
		policy       tfrun.Policy
		vars         []string
		wantAllowed  bool
		wantOverride bool
		wantViol     []tfrun.Violation
	}{
		{"prod refuses destroy", tfrun.Policy{Env: "prod"}, []string{"keep_db=false"}, false, false, []tfrun.Violation{destroy}},
		{"prod refuses replace", tfrun.Policy{Env: "prod"}, []string{"db_generation=2"}, false, false, []tfrun.Violation{replace}},
		{"prod allows with flag", tfrun.Policy{Env: "prod", AllowDestroy: true}, []string{"keep_db=false"}, true, true, []tfrun.Violation{destroy}},
		{"dev allows destroy", tfrun.Policy{Env: "dev"}, []string{"keep_db=false"}, true, false, []tfrun.Violation{destroy}},
		{"staging allows destroy", tfrun.Policy{Env: "staging"}, []string{"keep_db=false"}, true, false, []tfrun.Violation{destroy}},
		{"protected type list", tfrun.Policy{Env: "prod", ProtectedTypes: []string{"terraform_data"}}, []string{"image_digest=" + digestB}, false, false, []tfrun.Violation{byType}},
		{"unprotected replace allowed", tfrun.Policy{Env: "prod", ProtectedTypes: tfrun.DefaultProtectedTypes}, []string{"image_digest=" + digestB}, true, false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vars := tc.vars
			if !strings.HasPrefix(strings.Join(vars, ","), "image_digest=") {
				vars = append([]string{"image_digest=" + digestA}, vars...)
			}
			_, s := planAndSummarize(t, r, tc.policy, vars...)
			if s.Allowed != tc.wantAllowed || s.Override != tc.wantOverride {
				t.Errorf("allowed=%v override=%v, want %v %v", s.Allowed, s.Override, tc.wantAllowed, tc.wantOverride)
			}
			if diff := cmp.Diff(tc.wantViol, s.Violations); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
			err := s.Err()
			if tc.wantAllowed != (err == nil) {
				t.Fatalf("Err() = %v, want allowed=%v", err, tc.wantAllowed)
			}
			if err != nil && !strings.Contains(err.Error(), "--allow-destroy") {
				t.Errorf("refusal does not name the override flag: %v", err)
			}
		})
	}
}
