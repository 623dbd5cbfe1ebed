package iac

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/deliverykit/podinfo/tests/internal/toolbuild"
)

// toolResult is what one run of an external tool left.
type toolResult struct {
	stdout, stderr []byte
	// code is the exit code (0 on success).
	code int
}

// runTool builds (if needed) and runs the pinned tool with args in dir,
// with env added to a minimal environment.
func runTool(t *testing.T, tool, dir string, env []string, args ...string) toolResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	bin, err := toolbuild.Ensure(ctx, tool)
	if err != nil {
		t.Fatalf("build %s: %v", tool, err)
	}
	home := t.TempDir()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = append([]string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "TMPDIR=" + home}, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	res := toolResult{stdout: stdout.Bytes(), stderr: stderr.Bytes()}
	switch {
	case errors.As(err, &exit):
		res.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("run %s %v: %v\n%s", tool, args, err, stderr.Bytes())
	}
	return res
}

// terraformEnv keeps terraform away from the user's CLI configuration and
// the network.
func terraformEnv(t *testing.T) []string {
	rc := filepath.Join(t.TempDir(), "terraformrc")
	if err := os.WriteFile(rc, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"TF_CLI_CONFIG_FILE=" + rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1"}
}
