package preflight

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRegistry(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v2/" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		http.NotFound(w, r)
	}))
	defer ok.Close()
	notRegistry := httptest.NewServer(http.NotFoundHandler())
	defer notRegistry.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	host := func(s *httptest.Server) string { return strings.TrimPrefix(s.URL, "http://") }
	tests := []struct {
		name, repo string
		want       string
	}{
		{"answers", host(ok) + "/podinfo", ""},
		{"unreachable", closed + "/podinfo", "argument repository: registry " + closed + " is unreachable"},
		{"not a registry", host(notRegistry) + "/podinfo", "not an OCI registry"},
		{"malformed", "UPPER/Case", "argument repository \"UPPER/Case\" is not a valid repository"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Registry(context.Background(), "argument repository", tt.repo, true)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
