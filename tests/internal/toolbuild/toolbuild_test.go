package toolbuild

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deliverykit/podinfo/ci/toolversions"
)

func TestCacheDirHonoursEnv(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvCacheDir, dir)
	got, err := CacheDir()
	if err != nil || got != dir {
		t.Fatalf("CacheDir() = %q, %v; want %q", got, err, dir)
	}
}

func TestPathIsPerToolAndNativeVersion(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvCacheDir, dir)
	tool := toolversions.MustGet("terraform")
	got, err := Path(tool)
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dir, "terraform", tool.NativeVersion, "terraform")
	if got != want {
		t.Errorf("Path(terraform) = %q, want %q", got, want)
	}
}

func TestEnsureUsesACachedBinaryWithoutBuilding(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvCacheDir, dir)
	// With PATH emptied, a build would fail at once: success proves the
	// cached binary was taken as it is.
	t.Setenv("PATH", "")
	bin, err := Path(toolversions.MustGet("actionlint"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := Ensure(context.Background(), "actionlint")
	if err != nil || got != bin {
		t.Fatalf("Ensure(actionlint) = %q, %v; want the cached %q", got, err, bin)
	}
}

func TestEnsureRefusesUnknownToolNamingKnownOnes(t *testing.T) {
	t.Setenv(EnvCacheDir, t.TempDir())
	_, err := Ensure(context.Background(), "no-such-tool")
	if err == nil || !strings.Contains(err.Error(), `unknown tool "no-such-tool"`) || !strings.Contains(err.Error(), "cosign") {
		t.Fatalf("Ensure(no-such-tool) error = %v; want one naming the tool and listing the known ones", err)
	}
}

func TestFailedBuildLeavesNothingThatLooksBuilt(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvCacheDir, dir)
	t.Setenv("GOPROXY", "off") // the module cannot be fetched: go install fails
	t.Setenv("GOFLAGS", "-mod=mod")
	t.Setenv("GOMODCACHE", t.TempDir())
	_, err := Ensure(context.Background(), "benchstat")
	if err == nil || !strings.Contains(err.Error(), "build benchstat: go install") {
		t.Fatalf("Ensure(benchstat) with GOPROXY=off: error %v; want a go install failure", err)
	}
	bin, _ := Path(toolversions.MustGet("benchstat"))
	if _, statErr := os.Stat(bin); !os.IsNotExist(statErr) {
		t.Errorf("a failed build left %s behind (stat: %v)", bin, statErr)
	}
}
