// Package toolbuild builds the pinned external tools from source with
// `go install <package>@<version>` into a cache directory, so the native tests
// run exactly the versions ci/toolversions names and never rely on a tool
// being installed on the machine.
package toolbuild

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/deliverykit/podinfo/ci/toolversions"
)

// EnvCacheDir names the environment variable that overrides the cache
// directory holding the built tools.
const EnvCacheDir = "PIPELINE_TOOLS_DIR"

// CacheDir returns the directory the tools are built into: $PIPELINE_TOOLS_DIR
// when set, else <user cache dir>/podinfo-delivery/tools.
func CacheDir() (string, error) {
	if d := os.Getenv(EnvCacheDir); d != "" {
		return filepath.Abs(d)
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("locate tool cache (set %s to a writable directory): %w", EnvCacheDir, err)
	}
	return filepath.Join(base, "podinfo-delivery", "tools"), nil
}

// Path returns where the native build of tool lives inside the cache,
// whether or not it has been built yet.
func Path(t toolversions.Tool) (string, error) {
	dir, err := CacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, t.Name, t.NativeVersion, t.Binary()), nil
}

// locks serialises concurrent builds of one tool inside a test binary.
var locks sync.Map

// Ensure returns the path of the named tool, building it first when the cache
// does not hold it. Builds run `go install` with GOBIN set to the tool's cache
// folder, so each tool compiles against its own released go.mod and go.sum.
func Ensure(ctx context.Context, name string) (string, error) {
	t, err := toolversions.Get(name)
	if err != nil {
		return "", err
	}
	bin, err := Path(t)
	if err != nil {
		return "", err
	}
	mu, _ := locks.LoadOrStore(bin, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	if fi, err := os.Stat(bin); err == nil && fi.Mode().IsRegular() {
		return bin, nil
	}
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return "", fmt.Errorf("build %s: create cache folder: %w", name, err)
	}
	// Install into a temporary GOBIN and rename, so an interrupted build never
	// leaves a half-written binary that a later run would take as built.
	tmp, err := os.MkdirTemp(filepath.Dir(bin), ".install-*")
	if err != nil {
		return "", fmt.Errorf("build %s: %w", name, err)
	}
	defer os.RemoveAll(tmp)
	cmd := exec.CommandContext(ctx, "go", "install", "-trimpath", t.GoPackage+"@"+t.NativeVersion)
	cmd.Env = append(os.Environ(), "GOBIN="+tmp, "GOFLAGS=-mod=mod", "GOWORK=off", "CGO_ENABLED=0")
	if t.GoExperiment != "" {
		cmd.Env = append(cmd.Env, "GOEXPERIMENT="+t.GoExperiment)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("build %s: go install %s@%s: %w\n%s", name, t.GoPackage, t.NativeVersion, err, tail(out, 4000))
	}
	if err := os.Rename(filepath.Join(tmp, t.Binary()), bin); err != nil {
		return "", fmt.Errorf("build %s: move binary into cache: %w", name, err)
	}
	return bin, nil
}

func tail(b []byte, n int) string {
	s := strings.TrimSpace(string(b))
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
