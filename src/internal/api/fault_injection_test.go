package api

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFaultInjection(t *testing.T) {
	ts := newTestServer(t, nil)
	state := func() string {
		return decode[map[string]string](t, ts.do("GET", "/fault_injection/status", nil))["fault_injection"]
	}
	if got := state(); got != "disabled" {
		t.Fatalf("initial state %q", got)
	}
	w := ts.do("POST", "/fault_injection/enable", nil)
	if w.Code != 202 || decode[map[string]string](t, w)["fault_injection"] != "enabled" {
		t.Fatalf("enable: %d %s", w.Code, w.Body)
	}
	wantError(t, ts.do("GET", "/api/info", nil), 500, "fault injection enabled")
	wantError(t, ts.do("GET", "/does-not-exist", nil), 500, "fault injection enabled")
	for _, p := range []string{"/healthz", "/readyz", "/metrics", "/fault_injection/status"} {
		if w := ts.do("GET", p, nil); w.Code != 200 {
			t.Errorf("%s = %d during fault injection, want 200", p, w.Code)
		}
	}
	if diff := cmp.Diff("enabled", state()); diff != "" {
		t.Error(diff)
	}
	if w := ts.do("POST", "/fault_injection/disable", nil); w.Code != 202 {
		t.Fatalf("disable: %d", w.Code)
	}
	if w := ts.do("GET", "/api/info", nil); w.Code != 200 {
		t.Errorf("/api/info = %d after disabling", w.Code)
	}
}
