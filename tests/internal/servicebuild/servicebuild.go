// Package servicebuild compiles the service's binaries for the black-box
// tests the way the Makefile and the image build them: CGO_ENABLED=0,
// -trimpath, -tags lambda.norpc, from the repository's root module.
package servicebuild

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// ServiceModule is the module path of the repository's root go.mod.
const ServiceModule = "github.com/deliverykit/podinfo"

// Main is the service's main package, relative to the repository root.
const Main = "./src/cmd/podinfo"

// VersionLDFlags returns the -X flags that stamp version and revision into
// the service, as the Makefile does.
func VersionLDFlags(version, revision string) string {
	pkg := ServiceModule + "/src/internal/version"
	return fmt.Sprintf("-X %s.Version=%s -X %s.Revision=%s", pkg, version, pkg, revision)
}

// RepoRoot returns the repository root: the nearest folder at or above the
// working directory whose go.mod declares ServiceModule.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("locate repository root: %w", err)
	}
	for {
		mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.Contains(mod, []byte("module "+ServiceModule+"\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("locate repository root: no go.mod declaring %s at or above the working directory (run the tests from inside the repository)", ServiceModule)
		}
		dir = parent
	}
}

// Build compiles pkg (a main package relative to the repository root, such
// as Main) into out with the given -ldflags.
func Build(ctx context.Context, out, pkg, ldflags string) error {
	root, err := RepoRoot()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-tags", "lambda.norpc", "-ldflags", ldflags, "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build %s (go build -tags lambda.norpc in %s): %w\n%s", pkg, root, err, msg)
	}
	return nil
}
