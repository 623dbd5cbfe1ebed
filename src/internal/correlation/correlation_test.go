package correlation

import (
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/deliverykit/podinfo/src/internal/reqctx"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestID(t *testing.T) {
	tests := []struct {
		name    string
		headers map[string]string
		apiGW   string
		want    string // "" means a generated UUID
	}{
		{name: "correlation header first", headers: map[string]string{"X-Correlation-ID": "c-1", "X-Request-ID": "r-1", "X-Amzn-Trace-Id": "Root=1-a-b"}, apiGW: "gw-1", want: "c-1"},
		{name: "request id second", headers: map[string]string{"X-Request-ID": "r-1", "X-Amzn-Trace-Id": "Root=1-a-b"}, apiGW: "gw-1", want: "r-1"},
		{name: "api gateway third", headers: map[string]string{"X-Amzn-Trace-Id": "Root=1-a-b"}, apiGW: "gw-1", want: "gw-1"},
		{name: "alb trace root fourth", headers: map[string]string{"X-Amzn-Trace-Id": "Self=1-x;Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"}, want: "1-5759e988-bd862e3fe1be46a994272793"},
		{name: "alb trace without root", headers: map[string]string{"X-Amzn-Trace-Id": "1-abc"}, want: "1-abc"},
		{name: "generated", want: ""},
		{name: "invalid header skipped", headers: map[string]string{"X-Correlation-ID": "has space", "X-Request-ID": "r-2"}, want: "r-2"},
		{name: "too long skipped", headers: map[string]string{"X-Correlation-ID": strings.Repeat("a", MaxLen+1)}, want: ""},
		{name: "longest accepted", headers: map[string]string{"X-Correlation-ID": strings.Repeat("a", MaxLen)}, want: strings.Repeat("a", MaxLen)},
		{name: "non-ascii skipped", headers: map[string]string{"X-Correlation-ID": "é"}, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			if tt.apiGW != "" {
				r = r.WithContext(reqctx.WithInvocation(r.Context(), reqctx.Invocation{RequestID: tt.apiGW}))
			}
			got := ID(r)
			if tt.want == "" {
				if !uuidRE.MatchString(got) {
					t.Errorf("ID() = %q, want a generated UUID", got)
				}
				return
			}
			if got != tt.want {
				t.Errorf("ID() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNewIsUnique(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := New()
		if !uuidRE.MatchString(id) || seen[id] {
			t.Fatalf("New() = %q: malformed or repeated", id)
		}
		seen[id] = true
	}
}

// FuzzID checks that whatever clients send, the ID that reaches log lines
// and the response header is 1-128 printable ASCII characters.
func FuzzID(f *testing.F) {
	f.Add("c-1", "", "")
	f.Add("", "r\n1", "Root=1-a-b;Sampled=1")
	f.Add("", "", "Root=;Root=x")
	f.Fuzz(func(t *testing.T, corr, req, trace string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header["X-Correlation-Id"] = []string{corr}
		r.Header["X-Request-Id"] = []string{req}
		r.Header["X-Amzn-Trace-Id"] = []string{trace}
		id := ID(r)
		if !valid(id) {
			t.Fatalf("ID() = %q from %q, %q, %q", id, corr, req, trace)
		}
	})
}
