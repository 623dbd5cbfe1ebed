package api

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestChunked(t *testing.T) {
	ts := newTestServer(t, func(o *Options) { o.Config.DelayMax = 1 })
	w := ts.do("GET", "/chunked/1", nil)
	if w.Code != 200 || !w.Flushed {
		t.Fatalf("status %d, flushed %v; want 200 with headers flushed before the wait", w.Code, w.Flushed)
	}
	if diff := cmp.Diff(map[string]int{"delay": 1}, decode[map[string]int](t, w)); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	wantError(t, ts.do("GET", "/chunked/2", nil), 400, "from 0 to 1")
	wantError(t, ts.do("GET", "/chunked/x", nil), 400, "from 0 to 1")
	if w := ts.do("GET", "/chunked", nil); w.Code != 200 {
		t.Errorf("/chunked = %d", w.Code)
	}
}
