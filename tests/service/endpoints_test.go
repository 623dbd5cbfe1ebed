package service

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const jsonType = "application/json; charset=utf-8"

func jsonBody[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("body %q: %v", b, err)
	}
	return v
}

// TestEndpoints checks status, content type and fields of every endpoint
// of the running binary.
func TestEndpoints(t *testing.T) {
	p := start(t, []string{"PODINFO_UI_MESSAGE=hello from tests", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMIEXAMPLE", "PODINFO_DELAY_MAX=2"}, "--ui-color=#ff0000", "--hostname=svc-test")
	binaryBody := make([]byte, 64<<10)
	for i := range binaryBody {
		binaryBody[i] = byte(rand.IntN(256))
	}
	errorShape := func(code int, part string) func(*testing.T, []byte) {
		return func(t *testing.T, b []byte) {
			got := jsonBody[map[string]any](t, b)
			if got["code"] != float64(code) || !strings.Contains(fmt.Sprint(got["message"]), part) || len(got) != 2 {
				t.Errorf("error body = %v, want {code:%d, message:~%q}", got, code, part)
			}
		}
	}
	info := func(t *testing.T, b []byte) {
		got := jsonBody[map[string]string](t, b) // every field is a string
		want := map[string]string{
			"hostname": "svc-test", "version": testVersion, "revision": testRevision, "color": "#ff0000",
			"logo": got["logo"], "message": "hello from tests", "goos": runtime.GOOS, "goarch": runtime.GOARCH,
			"runtime": runtime.Version(), "num_goroutine": got["num_goroutine"], "num_cpu": strconv.Itoa(runtime.NumCPU()),
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("info (-want +got):\n%s", diff)
		}
		if n, err := strconv.Atoi(got["num_goroutine"]); err != nil || n < 1 || got["logo"] == "" {
			t.Errorf("num_goroutine %q, logo %q", got["num_goroutine"], got["logo"])
		}
	}
	equal := func(want any) func(*testing.T, []byte) {
		return func(t *testing.T, b []byte) {
			var got any
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("body %q: %v", b, err)
			}
			wb, _ := json.Marshal(want)
			var w any
			_ = json.Unmarshal(wb, &w)
			if diff := cmp.Diff(w, got); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		}
	}
	tests := []struct {
		name          string
		method, path  string
		body          []byte
		headers       []string
		status        int
		contentType   string
		check         func(*testing.T, []byte)
		checkResponse func(*testing.T, *http.Response)
	}{
		{name: "info", method: "GET", path: "/api/info", status: 200, contentType: jsonType, check: info},
		{name: "root for curl", method: "GET", path: "/", headers: []string{"User-Agent", "curl/8.5.0"}, status: 200, contentType: jsonType, check: info},
		{name: "root for browsers", method: "GET", path: "/", headers: []string{"User-Agent", "Mozilla/5.0"}, status: 200, contentType: "text/html; charset=utf-8",
			check: func(t *testing.T, b []byte) {
				if !bytes.Contains(b, []byte("hello from tests")) {
					t.Errorf("page lacks the UI message:\n%s", b)
				}
			}},
		{name: "version", method: "GET", path: "/version", status: 200, contentType: jsonType, check: equal(map[string]string{"version": testVersion, "commit": testRevision})},
		{name: "healthz", method: "GET", path: "/healthz", status: 200, contentType: jsonType, check: equal(map[string]string{"status": "OK"})},
		{name: "readyz", method: "GET", path: "/readyz", status: 200, contentType: jsonType, check: equal(map[string]string{"status": "OK"})},
		{name: "env redacts credentials", method: "GET", path: "/env", status: 200, contentType: jsonType, check: func(t *testing.T, b []byte) {
			env := jsonBody[[]string](t, b)
			if !contains(env, "AWS_SECRET_ACCESS_KEY=[REDACTED]") || !contains(env, "PODINFO_UI_MESSAGE=hello from tests") {
				t.Errorf("env = %v", env)
			}
			if bytes.Contains(b, []byte("wJalrXUtnFEMIEXAMPLE")) {
				t.Errorf("/env leaks the secret key")
			}
		}},
		{name: "headers", method: "GET", path: "/headers", headers: []string{"X-Probe", "42"}, status: 200, contentType: jsonType, check: func(t *testing.T, b []byte) {
			if got := jsonBody[map[string][]string](t, b)["X-Probe"]; !cmp.Equal(got, []string{"42"}) {
				t.Errorf("X-Probe = %v", got)
			}
		}},
		{name: "headers post", method: "POST", path: "/headers", status: 200, contentType: jsonType},
		{name: "delay", method: "GET", path: "/delay/1", status: 200, contentType: jsonType, check: equal(map[string]int{"delay": 1})},
		{name: "status get", method: "GET", path: "/status/418", status: 418, contentType: jsonType, check: equal(map[string]int{"status": 418})},
		{name: "status post", method: "POST", path: "/status/503", status: 503, contentType: jsonType, check: equal(map[string]int{"status": 503})},
		{name: "status put", method: "PUT", path: "/status/201", status: 201, contentType: jsonType, check: equal(map[string]int{"status": 201})},
		{name: "echo binary", method: "POST", path: "/echo", body: binaryBody, status: 202, contentType: "application/octet-stream", check: func(t *testing.T, b []byte) {
			if !bytes.Equal(b, binaryBody) {
				t.Errorf("echo returned %d bytes, not the %d sent byte for byte", len(b), len(binaryBody))
			}
		}},
		{name: "api echo", method: "PUT", path: "/api/echo", body: []byte(`{"a":1}`), status: 202, contentType: "application/octet-stream", check: func(t *testing.T, b []byte) {
			if string(b) != `{"a":1}` {
				t.Errorf("echo = %q", b)
			}
		}},
		{name: "fault injection status", method: "GET", path: "/fault_injection/status", status: 200, contentType: jsonType, check: equal(map[string]string{"fault_injection": "disabled"})},
		{name: "chunked", method: "GET", path: "/chunked/1", status: 200, contentType: jsonType, check: equal(map[string]int{"delay": 1}),
			checkResponse: func(t *testing.T, r *http.Response) {
				if !cmp.Equal(r.TransferEncoding, []string{"chunked"}) {
					t.Errorf("Transfer-Encoding = %v, want chunked", r.TransferEncoding)
				}
			}},
		{name: "metrics", method: "GET", path: "/metrics", status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8; escaping=underscores", check: func(t *testing.T, b []byte) {
			for _, want := range []string{
				"# TYPE http_request_duration_seconds histogram",
				"# TYPE http_requests_total counter",
				`http_requests_total{status="200"}`,
				`http_request_duration_seconds_bucket{method="GET",path="api_info",status="200",le="0.005"}`,
				"process_resident_memory_bytes",
			} {
				if !bytes.Contains(b, []byte(want)) {
					t.Errorf("metrics lack %q", want)
				}
			}
		}},
		// Bad input.
		{name: "unknown route", method: "GET", path: "/no/such/route", status: 404, contentType: jsonType, check: errorShape(404, "/no/such/route")},
		{name: "wrong method", method: "POST", path: "/version", status: 405, contentType: jsonType, check: errorShape(405, "POST"),
			checkResponse: func(t *testing.T, r *http.Response) {
				if r.Header.Get("Allow") != "GET" {
					t.Errorf("Allow = %q", r.Header.Get("Allow"))
				}
			}},
		{name: "status not a number", method: "GET", path: "/status/abc", status: 400, contentType: jsonType, check: errorShape(400, "abc")},
		{name: "status out of range", method: "GET", path: "/status/700", status: 400, contentType: jsonType, check: errorShape(400, "from 200 to 599")},
		{name: "delay over the cap", method: "GET", path: "/delay/3", status: 400, contentType: jsonType, check: errorShape(400, "from 0 to 2")},
		{name: "delay not a number", method: "GET", path: "/delay/1s", status: 400, contentType: jsonType, check: errorShape(400, "1s")},
		{name: "token without header", method: "GET", path: "/token/validate", status: 401, contentType: jsonType, check: errorShape(401, "bearer")},
		{name: "malformed token", method: "GET", path: "/token/validate", headers: []string{"Authorization", "Bearer abc.def"}, status: 401, contentType: jsonType, check: errorShape(401, "malformed")},
		{name: "body over 10 MiB", method: "POST", path: "/echo", body: make([]byte, 10<<20+1), status: 413, contentType: jsonType, check: errorShape(413, "larger than")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != nil {
				body = bytes.NewReader(tt.body)
			}
			resp, b := p.request(tt.method, tt.path, body, tt.headers...)
			if resp.StatusCode != tt.status {
				t.Fatalf("%s %s = %d, want %d; body %.300s", tt.method, tt.path, resp.StatusCode, tt.status, b)
			}
			if ct := resp.Header.Get("Content-Type"); ct != tt.contentType {
				t.Errorf("Content-Type = %q, want %q", ct, tt.contentType)
			}
			if resp.Header.Get("X-Correlation-ID") == "" {
				t.Errorf("no X-Correlation-ID header")
			}
			if tt.check != nil {
				tt.check(t, b)
			}
			if tt.checkResponse != nil {
				tt.checkResponse(t, resp)
			}
		})
	}
	p.stop() // writes the buffered log lines
	for _, l := range p.rawLines() {
		if strings.Contains(l, "wJalrXUtnFEMIEXAMPLE") {
			t.Errorf("a log line holds the secret: %s", l)
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestStateSwitches drives readiness and fault injection over HTTP.
func TestStateSwitches(t *testing.T) {
	p := start(t, nil)
	steps := []struct {
		method, path string
		status       int
	}{
		{"POST", "/readyz/disable", 202},
		{"GET", "/readyz", 503},
		{"POST", "/readyz/enable", 202},
		{"GET", "/readyz", 200},
		{"POST", "/fault_injection/enable", 202},
		{"GET", "/api/info", 500},
		{"GET", "/healthz", 200},
		{"GET", "/fault_injection/status", 200},
		{"POST", "/fault_injection/disable", 202},
		{"GET", "/api/info", 200},
	}
	for _, st := range steps {
		if resp, b := p.request(st.method, st.path, nil); resp.StatusCode != st.status {
			t.Fatalf("%s %s = %d, want %d: %s", st.method, st.path, resp.StatusCode, st.status, b)
		}
	}
}

// TestTokens issues a token and validates it, and checks the reasons of
// refusals.
func TestTokens(t *testing.T) {
	p := start(t, nil)
	resp, b := p.request("POST", "/token", strings.NewReader("carol"))
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != jsonType {
		t.Fatalf("POST /token = %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	tok := jsonBody[struct {
		Token     string `json:"token"`
		ExpiresAt string `json:"expires_at"`
	}](t, b)
	if tok.Token == "" || tok.ExpiresAt == "" {
		t.Fatalf("token response %s", b)
	}
	resp, b = p.request("GET", "/token/validate", nil, "Authorization", "Bearer "+tok.Token)
	if resp.StatusCode != 200 {
		t.Fatalf("validate = %d %s", resp.StatusCode, b)
	}
	got := jsonBody[map[string]string](t, b)
	if got["token_name"] != "carol" || got["expires_at"] != tok.ExpiresAt {
		t.Errorf("validation = %v, want carol expiring %s", got, tok.ExpiresAt)
	}
	// A token of another process (another random development key) fails.
	other := start(t, nil)
	resp, b = other.request("GET", "/token/validate", nil, "Authorization", "Bearer "+tok.Token)
	if resp.StatusCode != 401 || !strings.Contains(string(b), "signature") {
		t.Errorf("foreign token = %d %s, want 401 naming the signature", resp.StatusCode, b)
	}
	p.waitLog(func(l map[string]any) bool {
		return l["level"] == "warning" && strings.Contains(fmt.Sprint(l["msg"]), "development key")
	})
}

// TestRequestLogs checks the request log line, the correlation ID's
// sources and its echo.
func TestRequestLogs(t *testing.T) {
	p := start(t, nil)
	tests := []struct {
		name    string
		headers []string
		want    string
	}{
		{"correlation header", []string{"X-Correlation-ID", "corr-1", "X-Request-ID", "req-1"}, "corr-1"},
		{"request id", []string{"X-Request-ID", "req-2", "X-Amzn-Trace-Id", "Root=1-abc-def"}, "req-2"},
		{"alb trace", []string{"X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"}, "1-5759e988-bd862e3fe1be46a994272793"},
		{"generated", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, b := p.request("GET", "/status/201", nil, tt.headers...)
			id := resp.Header.Get("X-Correlation-ID")
			if tt.want != "" && id != tt.want {
				t.Fatalf("X-Correlation-ID = %q, want %q", id, tt.want)
			}
			if tt.want == "" && len(id) != 36 {
				t.Fatalf("X-Correlation-ID = %q", id)
			}
			line := p.waitLog(func(l map[string]any) bool { return l["correlation_id"] == id && l["msg"] == "request" })
			d, ok := line["duration_ms"].(float64)
			if !ok || d < 0 {
				t.Errorf("duration_ms = %v", line["duration_ms"])
			}
			delete(line, "duration_ms")
			delete(line, "time")
			want := map[string]any{
				"level": "info", "msg": "request", "method": "GET", "route": "/status/{code}", "path": "/status/201",
				"status": 201.0, "bytes": float64(len(b)), "target": "ec2", "version": testVersion, "correlation_id": id,
			}
			if diff := cmp.Diff(want, line); diff != "" {
				t.Errorf("request line (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLogLevelWarnDropsRequestLines(t *testing.T) {
	p := start(t, []string{"PODINFO_LEVEL=warn"})
	p.request("GET", "/api/info", nil, "X-Correlation-ID", "quiet-1")
	p.request("GET", "/healthz", nil)
	p.stop() // writes the buffered lines
	if len(p.logLines()) == 0 {
		t.Fatal("no log lines at all: the check below would pass vacuously")
	}
	for _, l := range p.logLines() {
		if l["msg"] == "request" {
			t.Errorf("request line at level warn: %v", l)
		}
	}
}

// TestPanicExits checks /panic ends the process with podinfo's code 255.
func TestPanicExits(t *testing.T) {
	p := start(t, nil)
	req, _ := http.NewRequest("GET", p.base+"/panic", nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	if code := p.wait(10 * 1e9); code != 255 {
		t.Errorf("exit code = %d, want 255", code)
	}
	// The buffered log lines are written before the exit.
	if !strings.Contains(strings.Join(p.rawLines(), "\n"), "panic command received") {
		t.Errorf("the last log line was lost on exit:\n%s", strings.Join(p.rawLines(), "\n"))
	}
}
