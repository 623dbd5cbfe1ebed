package api

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestHealthAndReadiness(t *testing.T) {
	ts := newTestServer(t, nil)
	steps := []struct {
		method, target string
		status         int
	}{
		{"GET", "/healthz", 200},
		{"GET", "/readyz", 200},
		{"POST", "/readyz/disable", 202},
		{"GET", "/readyz", 503},
		{"GET", "/healthz", 200},
		{"POST", "/readyz/enable", 202},
		{"GET", "/readyz", 200},
	}
	for _, st := range steps {
		w := ts.do(st.method, st.target, nil)
		if w.Code != st.status {
			t.Fatalf("%s %s = %d, want %d", st.method, st.target, w.Code, st.status)
		}
		if st.status == 200 {
			if diff := cmp.Diff(map[string]string{"status": "OK"}, decode[map[string]string](t, w)); diff != "" {
				t.Errorf("%s body (-want +got):\n%s", st.target, diff)
			}
		}
		if st.status == 503 {
			wantError(t, w, 503, "not ready")
		}
	}
	ts.opts.State.SetHealthy(false)
	wantError(t, ts.do("GET", "/healthz", nil), 503, "not healthy")
}

// TestStateIsPerServer guards against health flags as package variables,
// which would leak between servers (and Lambda invocations).
func TestStateIsPerServer(t *testing.T) {
	a, b := newTestServer(t, nil), newTestServer(t, nil)
	a.do("POST", "/readyz/disable", nil)
	if w := b.do("GET", "/readyz", nil); w.Code != 200 {
		t.Errorf("disabling one server's readiness changed another's: %d", w.Code)
	}
}
