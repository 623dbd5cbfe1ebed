package api

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDelay(t *testing.T) {
	ts := newTestServer(t, func(o *Options) { o.Config.DelayMax = 2 })
	tests := []struct {
		target string
		status int
		want   map[string]int
	}{
		{"/delay/0", 200, map[string]int{"delay": 0}},
		{"/delay/1", 200, map[string]int{"delay": 1}},
		{"/delay/3", 400, nil},
		{"/delay/-1", 400, nil},
		{"/delay/abc", 400, nil},
		{"/delay/99999999999999999999", 400, nil},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			start := time.Now()
			w := ts.do("GET", tt.target, nil)
			if tt.status != 200 {
				wantError(t, w, tt.status, "from 0 to 2")
				return
			}
			if took := time.Since(start); took < time.Duration(tt.want["delay"])*time.Second {
				t.Errorf("answered after %s, before the delay", took)
			}
			if diff := cmp.Diff(tt.want, decode[map[string]int](t, w)); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDelayStopsWhenClientLeaves(t *testing.T) {
	ts := newTestServer(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	r := httptest.NewRequest("GET", "/delay/10", nil).WithContext(ctx)
	start := time.Now()
	ts.ServeHTTP(httptest.NewRecorder(), r)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("handler kept waiting %s after the client left", took)
	}
}
