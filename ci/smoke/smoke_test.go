package smoke

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseBaseURL(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"https://api.example.com", "https://api.example.com", ""},
		{"https://abc.execute-api.eu-west-1.amazonaws.com/prod/", "https://abc.execute-api.eu-west-1.amazonaws.com/prod", ""},
		{" http://127.0.0.1:9898 ", "http://127.0.0.1:9898", ""},
		{"api.example.com", "", "scheme must be http or https"},
		{"ftp://example.com", "", "scheme must be http or https"},
		{"https://", "", "no host"},
		{"https://u:p@example.com", "", "must not carry a query, fragment or credentials"},
		{"https://example.com/?x=1", "", "must not carry a query"},
		{"http://[::1", "", "missing ']'"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			u, err := ParseBaseURL(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("ParseBaseURL(%q) = %v, %v; want error containing %q", tc.in, u, err, tc.err)
				}
				return
			}
			if err != nil || u.String() != tc.want {
				t.Fatalf("ParseBaseURL(%q) = %v, %v; want %s", tc.in, u, err, tc.want)
			}
		})
	}
}

func FuzzParseBaseURL(f *testing.F) {
	for _, s := range []string{"https://api.example.com/prod", "http://127.0.0.1:1", "//x", "https://%zz", "http://a b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseBaseURL(s)
		if err != nil {
			return
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.User != nil || strings.HasSuffix(u.Path, "/") {
			t.Fatalf("ParseBaseURL(%q) accepted %#v", s, u)
		}
	})
}

const secretToken = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.c2ln"

// fakeService is a podinfo-alike under a path prefix; readyFrom makes
// /readyz fail until that many suites ran.
func fakeService(t testing.TB, prefix string, readyFrom int32, validate int) (*httptest.Server, *atomic.Int32) {
	var suites atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc(prefix+"/healthz", func(w http.ResponseWriter, r *http.Request) { suites.Add(1); w.Write([]byte(`{"status":"OK"}`)) })
	mux.HandleFunc(prefix+"/readyz", func(w http.ResponseWriter, r *http.Request) {
		if suites.Load() < readyFrom {
			w.WriteHeader(503)
			return
		}
		w.Write([]byte(`{"status":"OK"}`))
	})
	mux.HandleFunc(prefix+"/version", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"commit":"abc","version":"1.2.3"}`)) })
	mux.HandleFunc(prefix+"/api/info", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"hostname":"h","version":"1.2.3","revision":"abc"}`))
	})
	mux.HandleFunc(prefix+"/echo", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.WriteHeader(202)
		w.Write(b)
	})
	mux.HandleFunc(prefix+"/token", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"token": secretToken, "expires_at": time.Now().Add(time.Minute)})
	})
	mux.HandleFunc(prefix+"/token/validate", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+secretToken {
			w.WriteHeader(401)
			return
		}
		w.WriteHeader(validate)
		w.Write([]byte(`{"token_name":"podinfo-smoke"}`))
	})
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s, &suites
}

func names(r Result) map[string]bool {
	m := map[string]bool{}
	for _, c := range r.Checks {
		m[c.Name] = c.OK
	}
	return m
}

func TestRun(t *testing.T) {
	all := map[string]bool{"healthz": true, "readyz": true, "version": true, "api-info": true, "echo": true, "token": true}
	t.Run("path prefix and expected version", func(t *testing.T) {
		s, _ := fakeService(t, "/prod", 0, 200)
		res, err := Run(context.Background(), Options{BaseURL: s.URL + "/prod/", ExpectVersion: "1.2.3", ExpectRevision: "abc"})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(all, names(res)); diff != "" {
			t.Errorf("checks (-want +got):\n%s", diff)
		}
	})
	t.Run("retries until ready", func(t *testing.T) {
		s, suites := fakeService(t, "", 3, 200)
		res, err := Run(context.Background(), Options{BaseURL: s.URL, Attempts: 5, Interval: time.Millisecond})
		if err != nil || res.Attempt != 3 || suites.Load() != 3 {
			t.Fatalf("Run = attempt %d after %d suites, %v; want success on attempt 3", res.Attempt, suites.Load(), err)
		}
	})
	t.Run("token never leaks into results", func(t *testing.T) {
		s, _ := fakeService(t, "", 0, 500)
		res, err := Run(context.Background(), Options{BaseURL: s.URL})
		if err == nil || !strings.Contains(err.Error(), "GET /token/validate of a fresh token answered 500") {
			t.Fatalf("Run error = %v", err)
		}
		b, _ := json.Marshal(res)
		if strings.Contains(string(b), secretToken) || strings.Contains(err.Error(), secretToken) {
			t.Errorf("token leaked: %s / %v", b, err)
		}
	})
	t.Run("gives up after attempts", func(t *testing.T) {
		s, _ := fakeService(t, "", 100, 200)
		res, err := Run(context.Background(), Options{BaseURL: s.URL, Attempts: 2, Interval: time.Millisecond})
		if err == nil || res.Attempt != 2 || !strings.Contains(err.Error(), "readyz: GET /readyz answered 503, want 200") {
			t.Fatalf("Run = attempt %d, %v", res.Attempt, err)
		}
	})
}

func BenchmarkRun(b *testing.B) {
	s, _ := fakeService(b, "", 0, 200)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Run(ctx, Options{BaseURL: s.URL}); err != nil {
			b.Fatal(err)
		}
	}
}
