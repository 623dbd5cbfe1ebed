package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sirupsen/logrus"

	"github.com/deliverykit/podinfo/src/internal/config"
	"github.com/deliverykit/podinfo/src/internal/emf"
	"github.com/deliverykit/podinfo/src/internal/health"
	"github.com/deliverykit/podinfo/src/internal/logging"
	"github.com/deliverykit/podinfo/src/internal/signingkey"
	"github.com/deliverykit/podinfo/src/internal/syncbuf"
)

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct{ syncbuf.Buffer }

// lines returns every JSON log line written so far.
func (b *syncBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q is not JSON: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

type testServer struct {
	*Server
	logs  *syncBuffer
	emf   *syncBuffer
	exits []int
}

var devKey = signingkey.Key{ID: "dev", Secret: []byte("0123456789abcdef0123456789abcdef")}

func testConfig(t testing.TB) config.Config {
	t.Helper()
	c, err := config.Load(nil, nil, "test-host", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newTestServer builds a Server with a captured log and EMF sink; opt may
// adjust the options before the server is built.
func newTestServer(t testing.TB, opt func(*Options)) *testServer {
	t.Helper()
	ts := &testServer{logs: &syncBuffer{}, emf: &syncBuffer{}}
	logger := logrus.New()
	logger.SetOutput(ts.logs)
	logger.SetFormatter(&logging.Formatter{})
	logger.SetLevel(logrus.DebugLevel)
	opts := Options{
		Config:  testConfig(t),
		Log:     logger,
		State:   health.New(true, true),
		Keys:    signingkey.NewStatic(devKey),
		Target:  TargetEC2,
		Environ: func() []string { return []string{"HOME=/root", "AWS_SECRET_ACCESS_KEY=s3cr3t"} },
		Exit:    func(code int) { ts.exits = append(ts.exits, code) },
	}
	if opt != nil {
		opt(&opts)
	}
	if opts.Target == TargetLambda && opts.EMF == nil {
		opts.EMF = emf.New(ts.emf, "podinfo")
	}
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts.Server = s
	return ts
}

// do serves one request and returns the recorded response.
func (ts *testServer) do(method, target string, body io.Reader, headers ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, body)
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	ts.ServeHTTP(w, r)
	return w
}

func decode[T any](t *testing.T, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("body %q is not the expected JSON: %v", w.Body.String(), err)
	}
	return v
}

func wantError(t *testing.T, w *httptest.ResponseRecorder, status int, msgPart string) {
	t.Helper()
	if w.Code != status {
		t.Errorf("status = %d, want %d (body %s)", w.Code, status, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != contentTypeJSON {
		t.Errorf("Content-Type = %q, want %q", ct, contentTypeJSON)
	}
	got := decode[errorBody](t, w)
	if got.Code != status || !strings.Contains(got.Message, msgPart) {
		t.Errorf("error body = %+v, want code %d and a message containing %q", got, status, msgPart)
	}
}

func TestNewValidatesOptions(t *testing.T) {
	_, err := New(Options{Target: "mars"})
	for _, want := range []string{"Log is nil", "State is nil", "Keys is nil", `got "mars"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("New() error = %v, want it to mention %q", err, want)
		}
	}
}

func TestRoutingErrors(t *testing.T) {
	ts := newTestServer(t, nil)
	tests := []struct {
		name, method, target string
		status               int
		allow                string
	}{
		{name: "unknown route", method: "GET", target: "/nope", status: 404},
		{name: "wrong method", method: "DELETE", target: "/api/info", status: 405, allow: "GET"},
		{name: "wrong method on post-only", method: "GET", target: "/token", status: 405, allow: "POST"},
		{name: "status methods", method: "DELETE", target: "/status/200", status: 405, allow: "GET, POST, PUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := ts.do(tt.method, tt.target, nil)
			wantError(t, w, tt.status, tt.target)
			if got := w.Header().Get("Allow"); got != tt.allow {
				t.Errorf("Allow = %q, want %q", got, tt.allow)
			}
		})
	}
}

// TestObserve checks the request log line, the correlation header and the
// EMF line for one request.
func TestObserve(t *testing.T) {
	ts := newTestServer(t, func(o *Options) { o.Target = TargetLambda })
	w := ts.do("GET", "/delay/0?secret=x", nil, "X-Request-ID", "req-42")
	if got := w.Header().Get("X-Correlation-ID"); got != "req-42" {
		t.Fatalf("X-Correlation-ID = %q, want req-42", got)
	}
	lines := ts.logs.lines(t)
	if len(lines) != 1 {
		t.Fatalf("got %d log lines, want 1: %v", len(lines), lines)
	}
	l := lines[0]
	if _, ok := l["duration_ms"].(float64); !ok {
		t.Errorf("duration_ms missing: %v", l)
	}
	for _, k := range []string{"duration_ms", "time"} {
		delete(l, k)
	}
	want := map[string]any{
		"level": "info", "msg": "request", "method": "GET", "route": "/delay/{wait}", "path": "/delay/0",
		"status": 200.0, "bytes": float64(w.Body.Len()), "target": "lambda", "version": "0.0.0-dev", "correlation_id": "req-42",
	}
	if diff := cmp.Diff(want, l); diff != "" {
		t.Errorf("request line (-want +got):\n%s", diff)
	}
	emfLines := ts.emf.lines(t)
	if len(emfLines) != 1 || emfLines[0]["Route"] != "/delay/{wait}" || emfLines[0]["correlation_id"] != "req-42" {
		t.Errorf("EMF lines = %v", emfLines)
	}
}

// TestCorrelationInEveryLine checks that lines written by a handler while
// serving carry the request's correlation ID too.
func TestCorrelationInEveryLine(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.do("GET", "/token/validate", nil, "Authorization", "Bearer not.a.token", "X-Correlation-ID", "corr-7")
	lines := ts.logs.lines(t)
	if len(lines) < 2 {
		t.Fatalf("want a handler line and the request line, got %v", lines)
	}
	for _, l := range lines {
		if l["correlation_id"] != "corr-7" || l["target"] != "ec2" || l["version"] == nil {
			t.Errorf("line without correlation_id/target/version: %v", l)
		}
	}
}

func TestUnmatchedRoutesShareOneSeries(t *testing.T) {
	ts := newTestServer(t, nil)
	for _, p := range []string{"/a", "/b", "/c/d"} {
		ts.do("GET", p, nil)
	}
	w := ts.do("GET", "/metrics", nil)
	if !strings.Contains(w.Body.String(), `http_request_duration_seconds_count{method="GET",path="unmatched",status="404"} 3`) {
		t.Errorf("metrics lack the unmatched series:\n%s", w.Body)
	}
}

func TestPanicRecovered(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.router.HandleFunc("/boom", func(http.ResponseWriter, *http.Request) { panic("kaboom") })
	w := ts.do("GET", "/boom", nil, "X-Correlation-ID", "p-1")
	wantError(t, w, 500, "internal server error")
	found := false
	for _, l := range ts.logs.lines(t) {
		if l["panic"] == "kaboom" && l["correlation_id"] == "p-1" {
			found = true
		}
	}
	if !found {
		t.Errorf("no panic line with the correlation ID: %v", ts.logs.lines(t))
	}
}

func TestBodyLimit(t *testing.T) {
	ts := newTestServer(t, nil)
	t.Run("content-length over the limit", func(t *testing.T) {
		r := httptest.NewRequest("POST", "/echo", strings.NewReader("x"))
		r.ContentLength = MaxBodyBytes + 1
		w := httptest.NewRecorder()
		ts.ServeHTTP(w, r)
		wantError(t, w, 413, "larger than")
	})
	t.Run("streamed body over the limit", func(t *testing.T) {
		r := httptest.NewRequest("POST", "/echo", io.LimitReader(zeros{}, MaxBodyBytes+10))
		r.ContentLength = -1
		w := httptest.NewRecorder()
		ts.ServeHTTP(w, r)
		wantError(t, w, 413, "larger than")
	})
	t.Run("exactly the limit", func(t *testing.T) {
		w := ts.do("POST", "/echo", io.LimitReader(zeros{}, MaxBodyBytes))
		if w.Code != 202 || w.Body.Len() != MaxBodyBytes {
			t.Errorf("status %d, %d bytes; want 202 and %d bytes", w.Code, w.Body.Len(), MaxBodyBytes)
		}
	})
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestDispatchMatchesRouter checks that the exact-path fast path answers
// every path and method as the gorilla/mux router alone does.
func TestDispatchMatchesRouter(t *testing.T) {
	ts := newTestServer(t, func(o *Options) { o.Config.DelayMax = 0 })
	direct := newTestServer(t, func(o *Options) { o.Config.DelayMax = 0 })
	direct.handler = direct.middleware(direct.router)
	if len(ts.exact) < 15 {
		t.Fatalf("only %d exact routes", len(ts.exact))
	}
	for path := range ts.exact {
		for _, m := range probeMethods {
			if path == "/panic" || path == "/readyz/disable" || path == "/fault_injection/enable" {
				continue // change state or end the process: covered by their own tests
			}
			t.Run(m+" "+path, func(t *testing.T) {
				got, want := ts.do(m, path, nil), direct.do(m, path, nil)
				if got.Code != want.Code || got.Header().Get("Content-Type") != want.Header().Get("Content-Type") {
					t.Errorf("fast path %d %q, router %d %q", got.Code, got.Header().Get("Content-Type"), want.Code, want.Header().Get("Content-Type"))
				}
			})
		}
	}
}
