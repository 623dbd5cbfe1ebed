package contract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// moduleConfig is the contract of this repository's module.
var moduleConfig = Config{
	ModuleType: "PodinfoDelivery",
	Effects:    []string{"targetStep", "deployer", "promoteCheck", "verify"},
}

func TestModule(t *testing.T) {
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	probs, err := Lint("../..", moduleConfig, readme)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range probs {
		t.Error(p)
	}
	calls := ReadmeCalls(readme, nil)
	if len(calls) == 0 {
		t.Error("README.md names no `dagger call` function: the README check checked nothing")
	}
}

// TestCachePragmas pins which functions carry which cache pragma, so a
// change to a function's caching is a deliberate, reviewed change.
func TestCachePragmas(t *testing.T) {
	got, err := Pragmas("../..", moduleConfig.ModuleType)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Attest": "never", "Build": "", "BuildAndSign": "never", "Ci": "never", "Deploy": "never",
		"Lint": "", "Promote": "never", "Publish": "never", "Rollback": "never", "Sbom": "session",
		"Scan": "session", "ScanIac": "", "Serve": "", "Sign": "never", "Tarball": "", "Test": "", "Verify": "never",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cache pragmas (-want +got):\n%s", diff)
	}
}

func TestNoPlaintextAnywhere(t *testing.T) {
	probs, err := PlaintextCalls("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range probs {
		t.Error(p)
	}
}

func TestFixtures(t *testing.T) {
	cfg := Config{ModuleType: "Mod", Effects: []string{"targetStep", "deployer"}}
	tests := []struct {
		dir       string
		wantRules []string
		wantIn    []string
	}{
		{"good", nil, nil},
		{"missingdoc", []string{"doc"}, []string{"Build has no doc comment"}},
		{"plaintext", []string{"plaintext"}, []string{"Plaintext() reads a secret"}},
		{"argdoc", []string{"arg-doc"}, []string{"argument platform of Build has no comment"}},
		{"nocache", []string{"cache", "cache"}, []string{"Deploy has side effects (it reaches deployer)", `malformed cache pragma +cache="sometimes"`}},
		{"badtype", []string{"type", "type"}, []string{"argument type map[string]string", "result type chan"}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			probs, err := Lint(filepath.Join("testdata", tt.dir), cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			var rules []string
			var all []string
			for _, p := range probs {
				rules = append(rules, p.Rule)
				all = append(all, p.String())
			}
			if diff := cmp.Diff(tt.wantRules, rules); diff != "" {
				t.Errorf("rules (-want +got):\n%s\n%s", diff, strings.Join(all, "\n"))
			}
			for _, w := range tt.wantIn {
				if !strings.Contains(strings.Join(all, "\n"), w) {
					t.Errorf("no problem mentions %q:\n%s", w, strings.Join(all, "\n"))
				}
			}
		})
	}
}

func TestPlaintextCallsFixture(t *testing.T) {
	probs, err := PlaintextCalls("testdata/plaintext")
	if err != nil {
		t.Fatal(err)
	}
	// PlaintextCalls skips testdata below its root, not the root itself.
	if len(probs) != 1 {
		t.Fatalf("got %d Plaintext calls, want 1: %v", len(probs), probs)
	}
}

func TestReadmeCalls(t *testing.T) {
	md := []byte("run `dagger call build-and-sign -o ./out`\n" +
		"```sh\ndagger call --mirror reg.internal/m --version v1 deploy --env dev\n" +
		"dagger call -m github.com/acme/podinfo@v1 --source=./app ci\n" +
		"dagger call <function> --help\n```\n" +
		"dagger call no-such-function\n")
	got := ReadmeCalls(md, map[string]bool{"-m": true, "--mirror": true, "--version": true})
	want := []Call{{1, "build-and-sign"}, {3, "deploy"}, {7, "no-such-function"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestReadmeUnknownFunction(t *testing.T) {
	probs, err := Lint("testdata/good", Config{ModuleType: "Mod"}, []byte("dagger call build\ndagger call publish\ndagger call deploy --env dev\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(probs) != 1 || probs[0].Rule != "readme" || !strings.Contains(probs[0].Msg, "deploy") {
		t.Fatalf("problems = %v, want one readme problem about deploy", probs)
	}
}

func BenchmarkLintModule(b *testing.B) {
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Lint("../..", moduleConfig, readme); err != nil {
			b.Fatal(err)
		}
	}
}

// TestReadmeDocumentsEveryFunction requires an example `dagger call` line
// in README.md for every function of the module.
func TestReadmeDocumentsEveryFunction(t *testing.T) {
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	fns, err := Pragmas("../..", moduleConfig.ModuleType)
	if err != nil {
		t.Fatal(err)
	}
	called := map[string]bool{}
	for _, c := range ReadmeCalls(readme, nil) {
		called[pascal(c.Function)] = true
	}
	for fn := range fns {
		if !called[fn] {
			t.Errorf("README.md has no `dagger call %s` example", kebab(fn))
		}
	}
}
