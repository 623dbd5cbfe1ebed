package workflows

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/deliverykit/podinfo/tests/internal/toolbuild"
)

// root is the repository root, seen from this package.
const root = "../.."

// actionlint runs the pinned actionlint, built from source, over files
// (relative to the repository root) and returns its output and whether it
// passed. Shellcheck and pyflakes integrations are switched off: they are
// not Go tools, and a result must not depend on what the machine has.
func actionlint(t *testing.T, files ...string) (string, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	bin, err := toolbuild.Ensure(ctx, "actionlint")
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"-no-color", "-oneline", "-shellcheck=", "-pyflakes="}, files...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("run actionlint: %v\n%s", err, out)
		}
		return string(out), false
	}
	return string(out), true
}

// TestActionlint fails on any actionlint finding in the workflows.
func TestActionlint(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(root, ".github", "workflows", "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no workflows in .github/workflows")
	}
	rel := make([]string, len(files))
	for i, f := range files {
		// Read each file so that go test's cache notices edits: actionlint
		// reads them in another process.
		if _, err := os.ReadFile(f); err != nil {
			t.Fatal(err)
		}
		rel[i], _ = filepath.Rel(root, f)
	}
	if out, ok := actionlint(t, rel...); !ok || strings.TrimSpace(out) != "" {
		t.Errorf("actionlint found problems:\n%s", out)
	}
}

// TestActionlintCatchesAFinding keeps TestActionlint honest: the same run
// fails on a workflow with a typo in an expression and an unknown input.
func TestActionlintCatchesAFinding(t *testing.T) {
	out, ok := actionlint(t, "tests/workflows/testdata/actionlint/broken.yml")
	if ok {
		t.Fatalf("actionlint passed a broken workflow:\n%s", out)
	}
	for _, want := range []string{"evnt_name", "nope"} {
		if !strings.Contains(out, want) {
			t.Errorf("actionlint output does not mention %q:\n%s", want, out)
		}
	}
}
