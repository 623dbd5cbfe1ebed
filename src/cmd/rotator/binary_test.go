package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/deliverykit/podinfo/src/internal/smfake"
	"github.com/deliverykit/podinfo/src/internal/smkeys"
	"github.com/deliverykit/podinfo/src/internal/syncbuf"
)

// runtimeAPI is a stand-in for the Lambda Runtime API (2018-06-01) on
// 127.0.0.1: it hands queued events to the function's runtime loop and
// collects each invocation's response or error. It implements only the
// paths a Go function calls: invocation/next, {id}/response, {id}/error,
// and init/error. (The service's Lambda tests use the AWS runtime interface
// emulator, built by the tests module's tool builder, which this module
// cannot import.)
type runtimeAPI struct {
	events  chan invocation
	mu      sync.Mutex
	results map[string]chan result
	seq     int // used by invoke only
}

type invocation struct{ id, body string }

type result struct {
	ok   bool
	body string
}

func newRuntimeAPI() *runtimeAPI {
	return &runtimeAPI{events: make(chan invocation), results: map[string]chan result{}}
}

func (a *runtimeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	const prefix = "/2018-06-01/runtime/"
	path, ok := strings.CutPrefix(r.URL.Path, prefix)
	if !ok {
		http.NotFound(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	switch {
	case r.Method == http.MethodGet && path == "invocation/next":
		select {
		case ev := <-a.events:
			w.Header().Set("Lambda-Runtime-Aws-Request-Id", ev.id)
			w.Header().Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(30*time.Second).UnixMilli(), 10))
			w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:rotator")
			w.Header().Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0")
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(ev.body))
		case <-r.Context().Done():
		}
	case r.Method == http.MethodPost && strings.HasPrefix(path, "invocation/"):
		rest := strings.TrimPrefix(path, "invocation/")
		id, kind, _ := strings.Cut(rest, "/")
		a.result(id) <- result{ok: kind == "response", body: string(body)}
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodPost && path == "init/error":
		a.result("init") <- result{body: string(body)}
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, r)
	}
}

func (a *runtimeAPI) result(id string) chan result {
	a.mu.Lock()
	defer a.mu.Unlock()
	ch, ok := a.results[id]
	if !ok {
		ch = make(chan result, 1)
		a.results[id] = ch
	}
	return ch
}

// invoke queues one event and waits for its outcome.
func (a *runtimeAPI) invoke(t *testing.T, event string) result {
	t.Helper()
	a.seq++
	id := "req-" + strconv.Itoa(a.seq)
	select {
	case a.events <- invocation{id: id, body: event}:
	case <-time.After(30 * time.Second):
		t.Fatal("the function never asked for the next invocation")
	}
	select {
	case res := <-a.result(id):
		return res
	case <-time.After(30 * time.Second):
		t.Fatalf("no response to invocation %s", id)
	}
	return result{}
}

// TestBinaryRotatesUnderRuntimeAPI builds the rotation function as it is
// deployed (-tags lambda.norpc) and runs it as a process against the runtime
// API stand-in and the fake Secrets Manager: both the standalone rotator and
// the service binary's `rotator` mode, which is how the one service image
// serves as the rotation function (iac/modules/secrets).
func TestBinaryRotatesUnderRuntimeAPI(t *testing.T) {
	tests := []struct {
		name string
		pkg  string
		args []string
	}{
		{"rotator binary", ".", nil},
		{"service binary in rotator mode", "../podinfo", []string{"rotator"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { testBinaryRotates(t, tt.pkg, tt.args...) })
	}
}

func testBinaryRotates(t *testing.T, pkg string, args ...string) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bootstrap")
	if out, err := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bin, pkg).CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}

	fake := smfake.New()
	defer fake.Close()
	first, _ := smkeys.FormatSecret(bytes.Repeat([]byte{4}, 32))
	id0 := fake.CreateSecret("podinfo/jwt", first, true)
	token := smfake.NewToken()
	if err := fake.BeginRotation("podinfo/jwt", token); err != nil {
		t.Fatal(err)
	}

	api := newRuntimeAPI()
	rt := httptest.NewServer(api)
	defer rt.Close()
	logs := &syncbuf.Buffer{}
	cmd := exec.Command(bin, args...)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"AWS_LAMBDA_RUNTIME_API=" + strings.TrimPrefix(rt.URL, "http://"),
		"AWS_LAMBDA_FUNCTION_NAME=rotator",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_ENDPOINT_URL_SECRETS_MANAGER=" + fake.URL(),
		"AWS_ACCESS_KEY_ID=" + smfake.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + smfake.SecretAccessKey,
		"AWS_REGION=" + smfake.Region,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "none"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "none"),
	}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Kill() // this test's own child, by PID
		<-exited
	}()

	event := func(step, tok string) string {
		b, _ := json.Marshal(map[string]string{"Step": step, "SecretId": fake.ARN("podinfo/jwt"), "ClientRequestToken": tok})
		return string(b)
	}
	tests := []struct {
		name    string
		event   string
		wantOK  bool
		wantErr string
	}{
		{"createSecret", event("createSecret", token), true, ""},
		{"createSecret retried", event("createSecret", token), true, ""},
		{"setSecret", event("setSecret", token), true, ""},
		{"testSecret", event("testSecret", token), true, ""},
		{"wrong token", event("finishSecret", smfake.NewToken()), false, "has no version"},
		{"finishSecret", event("finishSecret", token), true, ""},
		{"finishSecret retried", event("finishSecret", token), true, ""},
		{"not JSON", `{"Step":`, false, ""},
		{"unknown step", event("rollbackSecret", token), false, `Step \"rollbackSecret\" is not one of`},
	}
	for _, tt := range tests {
		res := api.invoke(t, tt.event)
		if res.ok != tt.wantOK || !strings.Contains(res.body, tt.wantErr) {
			t.Errorf("%s: ok=%v body %s; want ok=%v containing %q", tt.name, res.ok, res.body, tt.wantOK, tt.wantErr)
		}
	}
	want := map[string][]string{id0: {"AWSPREVIOUS"}, token: {"AWSCURRENT"}}
	if diff := cmp.Diff(want, fake.Stages("podinfo/jwt")); diff != "" {
		t.Errorf("stages after the rotation (-want +got):\n%s", diff)
	}
	if got := fake.Calls("PutSecretValue"); got != 1 {
		t.Errorf("PutSecretValue calls = %d, want 1", got)
	}
	select {
	case err := <-exited:
		exited <- err
		t.Errorf("the function exited (%v); a failed step must not end the runtime loop:\n%s", err, logs.String())
	default:
	}
	newValue, _ := fake.Value("podinfo/jwt", token)
	var sv struct{ Key string }
	_ = json.Unmarshal([]byte(newValue), &sv)
	if sv.Key == "" || strings.Contains(logs.String(), sv.Key) {
		t.Errorf("new key missing (%v) or present in the function's output", sv.Key == "")
	}
}
