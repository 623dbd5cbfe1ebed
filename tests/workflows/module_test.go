package workflows

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deliverykit/podinfo/tests/workflows/daggercli"
	"github.com/google/go-cmp/cmp"
)

// repoChecker checks against the real module in ci/ and dagger.json.
func repoChecker(t *testing.T) Checker {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(root, "dagger.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		EngineVersion string `json:"engineVersion"`
	}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatalf("parse dagger.json: %v", err)
	}
	if cfg.EngineVersion == "" {
		t.Fatal("dagger.json has no engineVersion")
	}
	m, err := daggercli.Load(root)
	if err != nil {
		t.Fatal(err)
	}
	return Checker{EngineVersion: cfg.EngineVersion, Module: m, Root: root}
}

// TestRepositoryWorkflows runs every structural rule over .github/workflows,
// checking dagger calls against the module's real source in ci/.
func TestRepositoryWorkflows(t *testing.T) {
	c := repoChecker(t)
	ws, err := LoadDir(filepath.Join(root, ".github", "workflows"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	calls := 0
	for _, w := range ws {
		names = append(names, filepath.Base(w.Path))
		for _, f := range c.Check(w) {
			t.Errorf("%s", f)
		}
		for _, id := range w.JobIDs() {
			cs, _ := jobCalls(w, id, w.Jobs[id])
			calls += len(cs)
		}
	}
	for _, want := range []string{"build.yml", "deploy.yml", "promote.yml"} {
		if !strings.Contains(strings.Join(names, " "), want) {
			t.Errorf("no %s in .github/workflows (found %s)", want, strings.Join(names, ", "))
		}
	}
	if calls < 4 {
		t.Errorf("found %d dagger calls in the workflows, want at least 4 (ci, build-and-sign, deploy, promote)", calls)
	}
}

// TestReadmeDaggerCalls extracts every `dagger call` line from README.md and
// checks its function and flags against the module, so the documented
// commands are ones that exist.
func TestReadmeDaggerCalls(t *testing.T) {
	c := repoChecker(t)
	raw, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	calls, err := daggercli.ExtractMarkdown("README.md", string(raw))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, call := range calls {
		s, err := c.surface(call)
		if err == nil {
			err = s.Check(call)
		}
		if err != nil {
			t.Errorf("%v", err)
		}
		for _, fn := range []string{"build-and-sign", "deploy", "promote"} {
			if strings.Contains(call.Text, " "+fn) {
				seen[fn] = true
			}
		}
	}
	if d := cmp.Diff(map[string]bool{"build-and-sign": true, "deploy": true, "promote": true}, seen); d != "" {
		t.Errorf("README documents these main functions (-want +got):\n%s", d)
	}
}
