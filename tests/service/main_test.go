// Package service holds black-box tests of the podinfo-compatible service:
// TestMain builds the real binary (with -tags lambda.norpc, as the Makefile
// does) and every test starts it on a free 127.0.0.1 port.
package service

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/deliverykit/podinfo/tests/internal/servicebuild"
)

// Stamped into the test binary so /version and the logs can be checked.
const (
	testVersion  = "9.9.9-test"
	testRevision = "0123abcd"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "podinfo-service-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "podinfo")
	if err := servicebuild.Build(context.Background(), binary, servicebuild.Main, servicebuild.VersionLDFlags(testVersion, testRevision)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is one running service process.
type proc struct {
	t    testing.TB
	cmd  *exec.Cmd
	base string // http://127.0.0.1:port

	mu    sync.Mutex
	lines []map[string]any
	raw   []string

	exited chan struct{}
	err    error
}

// start runs the binary with args on a free port of 127.0.0.1 and the
// given extra environment, waits until it answers, and stops it when the
// test ends. Should another process take the port first, it tries again.
func start(t testing.TB, env []string, args ...string) *proc {
	t.Helper()
	return startWith(t, true, env, args)
}

// startQuiet is start with the service's output sent to /dev/null, for
// benchmarks: reading and parsing every log line would load the machine
// the service shares with its clients.
func startQuiet(t testing.TB, env []string, args ...string) *proc {
	t.Helper()
	return startWith(t, false, env, args)
}

func startWith(t testing.TB, capture bool, env, args []string) *proc {
	t.Helper()
	for attempt := 0; ; attempt++ {
		p, err := tryStart(t, capture, env, args)
		if err == nil {
			return p
		}
		if attempt == 2 || !strings.Contains(strings.Join(p.rawLines(), "\n"), "cannot listen") {
			t.Fatalf("%v\n%s", err, strings.Join(p.rawLines(), "\n"))
		}
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func tryStart(t testing.TB, capture bool, env, args []string) (*proc, error) {
	port := freePort(t)
	args = append([]string{"--host=127.0.0.1", "--port=" + strconv.Itoa(port), "--server-shutdown-delay=0s"}, args...)
	cmd := exec.Command(binary, args...)
	cmd.Env = append(baseEnv(), env...)
	var stdout io.Reader = strings.NewReader("")
	if capture {
		pipe, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdout = pipe
		cmd.Stderr = cmd.Stdout
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", binary, err)
	}
	p := &proc{t: t, cmd: cmd, exited: make(chan struct{}), base: "http://127.0.0.1:" + strconv.Itoa(port)}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			var m map[string]any
			_ = json.Unmarshal([]byte(line), &m)
			p.mu.Lock()
			p.raw = append(p.raw, line)
			if m != nil {
				p.lines = append(p.lines, m)
			}
			p.mu.Unlock()
		}
		p.err = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() { p.stop() })
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			return p, fmt.Errorf("service exited before answering: %v", p.err)
		default:
		}
		resp, err := http.Get(p.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			return p, nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return p, fmt.Errorf("service did not answer on %s within 20s", p.base)
}

// baseEnv is the environment of every started service: only what a process
// needs, so the host's variables do not leak into /env checks.
func baseEnv() []string {
	return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir()}
}

func (p *proc) stop() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// wait waits for the process to exit and returns its exit code.
func (p *proc) wait(d time.Duration) int {
	p.t.Helper()
	select {
	case <-p.exited:
	case <-time.After(d):
		p.t.Fatalf("service still running after %s", d)
	}
	return p.cmd.ProcessState.ExitCode()
}

func (p *proc) logLines() []map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]map[string]any(nil), p.lines...)
}

func (p *proc) rawLines() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.raw...)
}

// waitLog waits until a log line satisfies match.
func (p *proc) waitLog(match func(map[string]any) bool) map[string]any {
	p.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, l := range p.logLines() {
			if match(l) {
				return l
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	p.t.Fatalf("no matching log line in:\n%s", strings.Join(p.rawLines(), "\n"))
	return nil
}

// request sends one request and returns the response with its body read.
func (p *proc) request(method, path string, body io.Reader, headers ...string) (*http.Response, []byte) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, p.base+path, body)
	if err != nil {
		p.t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		p.t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return resp, b
}
