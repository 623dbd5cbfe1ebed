package api

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

func TestEcho(t *testing.T) {
	ts := newTestServer(t, nil)
	binary := make([]byte, 4096)
	for i := range binary {
		binary[i] = byte(rand.IntN(256))
	}
	for _, tt := range []struct {
		method, target string
		body           []byte
	}{
		{"POST", "/echo", []byte(`{"hello":"world"}`)},
		{"PUT", "/api/echo", binary},
		{"POST", "/api/echo/deeper/path", []byte("x")},
		{"POST", "/echo/sub", nil},
		{"GET", "/echo", nil},
	} {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			w := ts.do(tt.method, tt.target, bytes.NewReader(tt.body))
			if w.Code != 202 {
				t.Fatalf("status %d, want 202", w.Code)
			}
			if !bytes.Equal(w.Body.Bytes(), tt.body) {
				t.Errorf("echoed %d bytes, not the %d sent", w.Body.Len(), len(tt.body))
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/octet-stream" {
				t.Errorf("Content-Type = %q", ct)
			}
			if w.Header().Get("X-Color") != "#34577c" {
				t.Errorf("X-Color = %q", w.Header().Get("X-Color"))
			}
		})
	}
}
