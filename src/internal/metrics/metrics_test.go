package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestLabel(t *testing.T) {
	tests := map[string]string{
		"/":                       "root",
		"":                        "root",
		"/api/info":               "api_info",
		"/delay/{wait}":           "delay_wait",
		"delay":                   "delay",
		"/Readyz/Enable/":         "readyz_enable",
		"/a--b//c":                "a_b_c",
		"/fault_injection/status": "fault_injection_status",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			if got := Label(in); got != want {
				t.Errorf("Label(%q) = %q, want %q", in, got, want)
			}
		})
	}
}

func TestObserveAndExpose(t *testing.T) {
	m := New()
	m.Observe("GET", "api_info", 200, 3*time.Millisecond)
	m.Observe("GET", "api_info", 200, 30*time.Millisecond)
	m.Observe("POST", "status", 503, time.Millisecond)

	want := `
# HELP http_requests_total The total number of HTTP requests.
# TYPE http_requests_total counter
http_requests_total{status="200"} 2
http_requests_total{status="503"} 1
`
	if err := testutil.GatherAndCompare(m.Gatherer(), strings.NewReader(want), "http_requests_total"); err != nil {
		t.Error(err)
	}
	if got := testutil.CollectAndCount(m.duration, "http_request_duration_seconds"); got != 2 {
		t.Errorf("duration series = %d, want 2 (one per method/path/status)", got)
	}

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`http_request_duration_seconds_bucket{method="GET",path="api_info",status="200",le="0.005"} 1`,
		`http_request_duration_seconds_count{method="POST",path="status",status="503"} 1`,
		"go_goroutines ",
		"process_resident_memory_bytes ",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("exposition lacks %q", want)
		}
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type = %q, want the Prometheus text format", ct)
	}
}

func TestStatusText(t *testing.T) {
	for _, s := range []int{0, 200, 404, 599, 600, 1000, -1} {
		if got, want := StatusText(s), itoa(s); got != want {
			t.Errorf("StatusText(%d) = %q", s, got)
		}
	}
}

func itoa(i int) string { return fmtInt(i) }

func fmtInt(i int) string {
	if i < 0 {
		return "-" + fmtInt(-i)
	}
	if i < 10 {
		return string(rune('0' + i))
	}
	return fmtInt(i/10) + string(rune('0'+i%10))
}

func BenchmarkObserve(b *testing.B) {
	m := New()
	b.ReportAllocs()
	for b.Loop() {
		m.Observe("GET", "api_info", 200, time.Millisecond)
	}
}
