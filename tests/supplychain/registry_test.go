package supplychain

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/deliverykit/podinfo/tests/internal/toolbuild"
)

// startRegistry runs the pinned distribution registry (a real OCI registry)
// on a free 127.0.0.1 port with filesystem storage under dir, and stops it
// when the test ends. It returns host:port.
func startRegistry(tb testing.TB, ctx context.Context, dir string) string {
	tb.Helper()
	bin, err := toolbuild.Ensure(ctx, "registry")
	if err != nil {
		tb.Fatalf("registry: %v", err)
	}
	for attempt := 0; attempt < 5; attempt++ {
		addr, err := freeAddr()
		if err != nil {
			tb.Fatal(err)
		}
		cfg := filepath.Join(dir, "config.yml")
		conf := fmt.Sprintf(`version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: %s
`, filepath.Join(dir, "storage"), addr)
		if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
			tb.Fatal(err)
		}
		cmd := exec.Command(bin, "serve", cfg)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "OTEL_TRACES_EXPORTER=none", "OTEL_SDK_DISABLED=true"}
		logf, err := os.Create(filepath.Join(dir, "registry.log"))
		if err != nil {
			tb.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			tb.Fatalf("start registry: %v", err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		if waitReady(addr, done) {
			tb.Cleanup(func() {
				_ = cmd.Process.Kill()
				<-done
				logf.Close()
			})
			return addr
		}
		_ = cmd.Process.Kill()
		<-done
		logf.Close()
	}
	log, _ := os.ReadFile(filepath.Join(dir, "registry.log"))
	tb.Fatalf("registry did not start:\n%s", log)
	return ""
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitReady(addr string, done <-chan error) bool {
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return false
		default:
		}
		resp, err := http.Get("http://" + addr + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return true
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}
