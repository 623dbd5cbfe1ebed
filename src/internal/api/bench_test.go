package api

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sirupsen/logrus"
)

// discardWriter is a reusable ResponseWriter, so the benchmarks count the
// server's allocations rather than the recorder's.
type discardWriter struct {
	h      http.Header
	status int
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) WriteHeader(code int)        { d.status = code }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }

// benchServe serves req repeatedly with logging at level, writing log
// lines to io.Discard, and reports requests per second.
func benchServe(b *testing.B, level logrus.Level, method, target string, body []byte, want int) {
	ts := newTestServer(b, nil)
	ts.opts.Log.SetOutput(io.Discard)
	ts.opts.Log.SetLevel(level)
	w := &discardWriter{h: http.Header{}}
	rd := bytes.NewReader(body)
	req := httptest.NewRequest(method, target, rd)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		clear(w.h)
		rd.Reset(body)
		req.Body = io.NopCloser(rd)
		ts.ServeHTTP(w, req)
		if w.status != want {
			b.Fatalf("status %d, want %d", w.status, want)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkServeInfo measures GET /api/info through the whole middleware
// chain, in process (no network).
func BenchmarkServeInfo(b *testing.B) {
	b.Run("log=info", func(b *testing.B) { benchServe(b, logrus.InfoLevel, "GET", "/api/info", nil, 200) })
	b.Run("log=warn", func(b *testing.B) { benchServe(b, logrus.WarnLevel, "GET", "/api/info", nil, 200) })
}

// BenchmarkServeEcho measures POST /echo with a 1 KiB body.
func BenchmarkServeEcho(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 1024)
	b.Run("log=info", func(b *testing.B) { benchServe(b, logrus.InfoLevel, "POST", "/echo", body, 202) })
	b.Run("log=warn", func(b *testing.B) { benchServe(b, logrus.WarnLevel, "POST", "/echo", body, 202) })
}
