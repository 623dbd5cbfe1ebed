package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzServe sends arbitrary methods, paths, headers and bodies through the
// whole handler and checks that nothing panics (a recovered panic is
// logged, and fails the test), every answer has a valid status, and every
// error answer has podinfo's JSON error shape.
func FuzzServe(f *testing.F) {
	f.Add("GET", "/api/info", "X-Correlation-ID", "abc", []byte(nil))
	f.Add("POST", "/echo", "Content-Type", "application/json", []byte(`{"a":1}`))
	f.Add("GET", "/status/99999999999999999999999", "", "", []byte(nil))
	f.Add("GET", "/delay/-0", "", "", []byte(nil))
	f.Add("GET", "/token/validate", "Authorization", "Bearer eyJhbGciOiJub25lIn0.e30.", []byte(nil))
	f.Add("POST", "/token", "", "", []byte("\x00\xff"))
	f.Add("PATCH", "/readyz/enable", "", "", []byte(nil))
	f.Add("GET", "/%2e%2e/env", "X-Amzn-Trace-Id", "Root=;;;", []byte(nil))
	f.Fuzz(func(t *testing.T, method, path, hk, hv string, body []byte) {
		if !validMethod(method) {
			return
		}
		u, err := url.ParseRequestURI(path)
		if err != nil || !strings.HasPrefix(path, "/") || strings.HasPrefix(u.Path, "/delay") || strings.HasPrefix(u.Path, "/chunked") || u.Path == "/panic" {
			return // slow or process-ending endpoints are covered elsewhere
		}
		ts := newTestServer(t, nil)
		r := httptest.NewRequest("GET", "/", bytes.NewReader(body))
		r.Method, r.URL, r.RequestURI = method, u, path
		if hk != "" && validHeader(hk, hv) {
			r.Header.Set(hk, hv)
		}
		w := httptest.NewRecorder()
		ts.ServeHTTP(w, r)
		if w.Code < 200 || w.Code > 599 {
			t.Fatalf("%s %q: status %d", method, path, w.Code)
		}
		for _, l := range ts.logs.lines(t) {
			if l["msg"] == "handler panicked" {
				t.Fatalf("%s %q panicked: %v", method, path, l["panic"])
			}
		}
		if w.Code >= 400 && w.Code != 418 && !strings.HasPrefix(u.Path, "/status/") {
			var e errorBody
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Code != w.Code || e.Message == "" {
				t.Fatalf("%s %q: %d with body %q, want podinfo's error shape", method, path, w.Code, w.Body)
			}
		}
	})
}

func validMethod(m string) bool {
	if m == "" || m == "CONNECT" {
		return false
	}
	for _, c := range m {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

func validHeader(k, v string) bool {
	for _, c := range k {
		if c <= ' ' || c >= 0x7f || c == ':' {
			return false
		}
	}
	return !strings.ContainsAny(v, "\r\n\x00") && http.CanonicalHeaderKey(k) != "Content-Length"
}
