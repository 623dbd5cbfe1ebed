package deployer_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/deliverykit/podinfo/tests/internal/servicebuild"
)

// Versions baked into the service binary the smoke tests start.
const (
	serviceVersion  = "9.8.7-smoke"
	serviceRevision = "0123abcd"
)

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// binaries builds the service (as the image does: -tags lambda.norpc, version
// by ldflags) and the smoke and deployer commands once per test binary.
func binaries(t testing.TB) (podinfo, smokeCmd, deployer string) {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "deployer-bins-")
		if buildErr != nil {
			return
		}
		if buildErr = servicebuild.Build(context.Background(), filepath.Join(binDir, "podinfo"), servicebuild.Main,
			servicebuild.VersionLDFlags(serviceVersion, serviceRevision)); buildErr != nil {
			return
		}
		root, err := servicebuild.RepoRoot()
		if err != nil {
			buildErr = err
			return
		}
		for out, pkg := range map[string]string{"smoke": "./cmd/smoke", "deployer": "./cmd/deployer"} {
			cmd := exec.Command("go", "build", "-o", filepath.Join(binDir, out), pkg)
			cmd.Dir = filepath.Join(root, "ci")
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			if msg, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("go build %s: %v\n%s", pkg, err, msg)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(binDir, "podinfo"), filepath.Join(binDir, "smoke"), filepath.Join(binDir, "deployer")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startService runs the real service on 127.0.0.1 and returns its base URL;
// it is stopped when the test ends.
func startService(t testing.TB, extra ...string) string {
	t.Helper()
	bin, _, _ := binaries(t)
	port := freePort(t)
	args := append([]string{"--host", "127.0.0.1", "--port", fmt.Sprint(port), "--level", "error",
		"--server-shutdown-delay", "0s", "--server-shutdown-timeout", "1s"}, extra...)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("service on %s not healthy within 20s: %v", base, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
