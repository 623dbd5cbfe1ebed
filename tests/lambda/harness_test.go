// Package lambda holds the Lambda-mode black-box tests: the real service
// binary, built as it ships (-tags lambda.norpc, stripped), runs under the AWS
// Lambda Runtime Interface Emulator on 127.0.0.1 and is invoked with real API
// Gateway HTTP API payload-v2 events kept as golden files in testdata/.
package lambda

import (
	"bytes"
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
	"github.com/deliverykit/podinfo/tests/internal/toolbuild"
)

// bins are the binaries TestMain builds once for every test and benchmark.
type bins struct {
	podinfo   string // the service, built as it ships for Lambda
	coldfloor string // the smallest function served through lambdahttp
	rie       string // aws-lambda-rie, built from source at its pinned version
}

// built is written once by TestMain before any test runs, then only read.
var built bins

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "podinfo-lambda-test-*")
	if err != nil {
		fmt.Fprintf(os.Stderr, "lambda tests: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	b, err := build(ctx, dir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "lambda tests: %v\n", err)
		return 1
	}
	built = b
	return m.Run()
}

// build compiles the service exactly as the image ships it and ensures the
// emulator is built.
func build(ctx context.Context, dir string) (bins, error) {
	b := bins{podinfo: filepath.Join(dir, "podinfo"), coldfloor: filepath.Join(dir, "coldfloor")}
	for out, pkg := range map[string]string{b.podinfo: servicebuild.Main, b.coldfloor: "./src/internal/lambdahttp/testdata/coldfloor"} {
		if err := servicebuild.Build(ctx, out, pkg, "-s -w"); err != nil {
			return bins{}, err
		}
	}
	rie, err := toolbuild.Ensure(ctx, "aws-lambda-rie")
	if err != nil {
		return bins{}, fmt.Errorf("build the runtime interface emulator: %w", err)
	}
	b.rie = rie
	return b, nil
}

// emulator is one running aws-lambda-rie serving the service binary.
type emulator struct {
	cmd    *exec.Cmd
	url    string        // the invocations endpoint
	output *syncBuffer   // the emulator's and the function's stdout and stderr
	done   chan struct{} // closed when the emulator has exited
}

// startEmulator starts aws-lambda-rie on free 127.0.0.1 ports with the
// service (built.podinfo) as its bootstrap and waits until it accepts invocations. The
// service process itself starts on the first invocation, as on Lambda.
// The emulator and the function process are stopped when tb ends.
func startEmulator(tb testing.TB) *emulator {
	tb.Helper()
	e, err := launch(built.podinfo)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		e.stop()
		if tb.Failed() {
			tb.Logf("emulator and function output:\n%s", e.output.String())
		}
	})
	return e
}

// launch starts aws-lambda-rie with function as its bootstrap; the caller
// stops it.
func launch(function string) (*emulator, error) {
	addrs, err := freeAddrs(2)
	if err != nil {
		return nil, err
	}
	invokeAddr, apiAddr := addrs[0], addrs[1]
	e := &emulator{
		url:    "http://" + invokeAddr + "/2015-03-31/functions/function/invocations",
		output: &syncBuffer{},
		done:   make(chan struct{}),
	}
	e.cmd = exec.Command(built.rie,
		"--runtime-interface-emulator-address", invokeAddr,
		"--runtime-api-address", apiAddr,
		"--log-level", "warn",
		function)
	// The function inherits the emulator's environment: keep it minimal, so
	// no credentials of the machine reach the service.
	e.cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.TempDir(),
		"AWS_LAMBDA_FUNCTION_NAME=podinfo",
		"AWS_LAMBDA_FUNCTION_TIMEOUT=30",
		"AWS_REGION=us-east-2",
		"PODINFO_LEVEL=info",
	}
	e.cmd.Dir = filepath.Dir(function)
	e.cmd.Stdout = e.output
	e.cmd.Stderr = e.output
	e.cmd.WaitDelay = 5 * time.Second // a function process left holding the output pipe cannot hang Wait
	if err := e.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", built.rie, err)
	}
	go func() {
		_ = e.cmd.Wait() // the exit is reported through done; stop kills it
		close(e.done)
	}()
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", invokeAddr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return e, nil
		}
		select {
		case <-e.done:
			return nil, fmt.Errorf("aws-lambda-rie exited before listening on %s:\n%s", invokeAddr, e.output.String())
		default:
		}
		if time.Now().After(deadline) {
			e.stop()
			return nil, fmt.Errorf("aws-lambda-rie did not listen on %s within 15s:\n%s", invokeAddr, e.output.String())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// stop ends the emulator and the function process it started (the emulator
// puts the function in its own process group, so it is found by parent PID
// and signalled by its own PID).
func (e *emulator) stop() {
	children := childPIDs(e.cmd.Process.Pid)
	_ = e.cmd.Process.Kill()
	for _, pid := range children {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	<-e.done
}

// exitState says how the emulator ended, if it has, for error messages: an
// emulator killed by a signal nobody in this test sent points at another
// process on the machine.
func (e *emulator) exitState() string {
	select {
	case <-e.done:
		return fmt.Sprintf(" (the emulator had exited: %v)", e.cmd.ProcessState)
	case <-time.After(100 * time.Millisecond):
		return ""
	}
}

// childPIDs lists the direct children of pid, from /proc.
func childPIDs(pid int) []int {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var pids []int
	for _, f := range tasks {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, s := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(s); err == nil {
				pids = append(pids, n)
			}
		}
	}
	return pids
}

// invoke posts one invocation payload and returns the function's response
// payload.
func (e *emulator) invoke(ctx context.Context, payload []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, bytes.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("invoke: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("invoke %s: %w%s", e.url, err, e.exitState())
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("invoke %s: read response: %w", e.url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("invoke %s: emulator answered %s: %s", e.url, resp.Status, body)
	}
	return body, nil
}

// logLine returns the first JSON log line the function wrote for a request
// to path, waiting briefly for the emulator to relay the function's output.
func (e *emulator) logLine(t *testing.T, path string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		for _, l := range strings.Split(e.output.String(), "\n") {
			var m map[string]any
			if json.Unmarshal([]byte(l), &m) == nil && m["path"] == path {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no JSON log line with \"path\":%q in the function's output:\n%s", path, e.output.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// apiResponse is the API Gateway HTTP API payload-v2 response the function
// returns, decoded strictly so a function error or a malformed response
// fails the test.
type apiResponse struct {
	StatusCode        int                 `json:"statusCode"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
	Cookies           []string            `json:"cookies"`
}

func decodeResponse(payload []byte) (apiResponse, error) {
	var r apiResponse
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return r, fmt.Errorf("function response %s is not an API Gateway payload-v2 response: %w", payload, err)
	}
	return r, nil
}

// freeAddrs returns n distinct free 127.0.0.1 addresses: all n listeners are
// open at once, so no two of them can be the same port.
func freeAddrs(n int) ([]string, error) {
	addrs := make([]string, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free 127.0.0.1 port: %w", err)
		}
		defer l.Close()
		addrs = append(addrs, l.Addr().String())
	}
	return addrs, nil
}

// syncBuffer is a bytes.Buffer safe for the two writers exec gives it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
