package main

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// repoRoot is the repository root, seen from this package's directory.
const repoRoot = "../../.."

func TestModuleTypeChecks(t *testing.T) {
	if err := Check(context.Background(), filepath.Join(repoRoot, "dagger.json"), t.TempDir()); err != nil {
		t.Fatal(err)
	}
}

// copyModule copies the Go module in ci/ (every file, embedded data
// included, but not generated code, testdata and the tests module) to a temporary directory with a dagger.json whose
// source is the copy, and returns the dagger.json path.
func copyModule(t *testing.T) string {
	t.Helper()
	src := filepath.Join(repoRoot, "ci")
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch {
			case rel == "tests", rel == filepath.Join("internal", "dagger"), d.Name() == "testdata":
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if rel == "dagger.gen.go" || !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatalf("copy the module: %v", err)
	}
	cfg := filepath.Join(dst, "dagger.json")
	if err := os.WriteFile(cfg, []byte(`{"name": "podinfo-delivery", "sdk": {"source": "go"}, "source": "."}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// compileErrorRE matches the file:line:col of a compiler error.
var compileErrorRE = regexp.MustCompile(`(?m)^\S+\.go:\d+:\d+`)

// TestBrokenCopyFails feeds the harness copies of the module that use API
// the SDK does not have, and requires a failure naming the mistake.
func TestBrokenCopyFails(t *testing.T) {
	cfg := copyModule(t)
	broken := filepath.Join(filepath.Dir(cfg), "zz_broken.go")
	tests := []struct {
		name, src, wantIn string
	}{
		{"unknown method", `func (m *PodinfoDelivery) Broken() *dagger.Container {
	return dag.Container().WithNoSuchThing("x")
}`, "WithNoSuchThing"},
		{"wrong argument type", `func (m *PodinfoDelivery) Broken() *dagger.Container {
	return dag.Container().WithExec("go version")
}`, "cannot use \"go version\""},
		{"unknown option", `func (m *PodinfoDelivery) Broken() *dagger.Container {
	return dag.Container().WithExec([]string{"true"}, dagger.ContainerWithExecOpts{Privileged: true})
}`, "unknown field Privileged"},
		{"unknown type", `func (m *PodinfoDelivery) Broken() *dagger.Pipeline { return nil }`, "undefined: dagger.Pipeline"},
		{"scalar result without error", `func (m *PodinfoDelivery) Broken(ctx context.Context) string {
	return dag.Container().Stdout(ctx)
}`, "too many return values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "package main\n\nimport (\n\t\"context\"\n\n\t\"github.com/deliverykit/podinfo/ci/internal/dagger\"\n)\n\nvar (\n\t_ context.Context\n\t_ *dagger.Container\n)\n\n" + tt.src + "\n"
			if err := os.WriteFile(broken, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			err := Check(context.Background(), cfg, t.TempDir())
			if err == nil {
				t.Fatalf("the harness accepted a module using %s", tt.name)
			}
			if !strings.Contains(err.Error(), tt.wantIn) {
				t.Errorf("error does not mention %q:\n%v", tt.wantIn, err)
			}
			// The failure comes from the broken file alone, not from the copy.
			locs := compileErrorRE.FindAllString(err.Error(), -1)
			if len(locs) == 0 {
				t.Errorf("no compiler error location in:\n%v", err)
			}
			for _, loc := range locs {
				if !strings.HasPrefix(loc, "./zz_broken.go:") {
					t.Errorf("error at %s, outside the broken file:\n%v", loc, err)
				}
			}
		})
	}
}

func TestTestsModuleTypeChecks(t *testing.T) {
	if err := Check(context.Background(), filepath.Join(repoRoot, "ci", "tests", "dagger.json"), t.TempDir()); err != nil {
		t.Fatal(err)
	}
}

// TestBrokenTestsModuleFails checks the dependency bindings are derived
// from the module's source: calling a function the module does not have,
// or passing an optional argument positionally, fails.
func TestBrokenTestsModuleFails(t *testing.T) {
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(root, "ci", "tests")
	dst := t.TempDir()
	for _, name := range []string{"go.mod", "go.sum", "main.go", "tools.go"} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(dst, "dagger.json")
	if err := os.WriteFile(cfg, []byte(`{"name": "tests", "sdk": {"source": "go"}, "source": ".", "dependencies": [{"name": "podinfo-delivery", "source": "`+root+`"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Check(context.Background(), cfg, t.TempDir()); err != nil {
		t.Fatalf("the intact copy failed: %v", err)
	}
	tests := []struct{ name, body, wantIn string }{
		{"unknown function", `return dag.PodinfoDelivery().Destroy()`, "Destroy"},
		{"optional argument passed positionally", `return dag.PodinfoDelivery().Deploy("local", "sha256:x")`, "cannot use \"sha256:x\""},
		{"required argument missing", `return dag.PodinfoDelivery().Promote("dev", "staging")`, "not enough arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code := "package main\n\nimport \"github.com/deliverykit/podinfo/ci/tests/internal/dagger\"\n\n// Broken is broken.\nfunc (t *Tests) Broken() *dagger.Directory {\n\t" + tt.body + "\n}\n"
			if err := os.WriteFile(filepath.Join(dst, "zz_broken.go"), []byte(code), 0o644); err != nil {
				t.Fatal(err)
			}
			err := Check(context.Background(), cfg, t.TempDir())
			if err == nil || !strings.Contains(err.Error(), tt.wantIn) {
				t.Fatalf("Check() = %v, want an error mentioning %q", err, tt.wantIn)
			}
		})
	}
}

func TestStandIn(t *testing.T) {
	sdkPkg, err := loadSDK(filepath.Join(repoRoot, "ci"), sdkPath)
	if err != nil {
		t.Fatal(err)
	}
	src, err := standIn(sdkPkg, "")
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	for _, want := range []string{
		"type Container = sdk.Container",
		"type ContainerWithExecOpts = sdk.ContainerWithExecOpts",
		"const ReturnTypeAny = sdk.ReturnTypeAny",
		"type Client struct{ *sdk.Client }",
		"func Connect() *Client",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("stand-in lacks %q", want)
		}
	}
	for _, unwanted := range []string{"type Loadable =", "var Connect =", "type Client = "} {
		if strings.Contains(s, unwanted) {
			t.Errorf("stand-in has %q", unwanted)
		}
	}
}

func TestPascal(t *testing.T) {
	got := []string{pascal("podinfo-delivery"), pascal("buildAndSign"), pascal("aws_region"), pascal("x")}
	if diff := cmp.Diff([]string{"PodinfoDelivery", "BuildAndSign", "AwsRegion", "X"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// BenchmarkStandIn measures rendering the stand-in from the SDK's export
// data (loaded once).
func BenchmarkStandIn(b *testing.B) {
	sdkPkg, err := loadSDK(filepath.Join(repoRoot, "ci"), sdkPath)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var size int
	for b.Loop() {
		src, err := standIn(sdkPkg, "")
		if err != nil {
			b.Fatal(err)
		}
		size = len(src)
	}
	b.ReportMetric(float64(size), "bytes/stand-in")
}
