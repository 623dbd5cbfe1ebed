package api

import (
	"testing"
	"time"
)

func TestRandomError(t *testing.T) {
	ts := newTestServer(t, func(o *Options) { o.Config.RandomError = true })
	counts := map[int]int{}
	for range 300 {
		counts[ts.do("GET", "/version", nil).Code]++
	}
	if counts[200] < 150 || counts[200] > 250 {
		t.Errorf("%d of 300 succeeded, want about two thirds: %v", counts[200], counts)
	}
	for code := range counts {
		if code != 200 && code != 500 && code != 400 && code != 409 {
			t.Errorf("unexpected status %d", code)
		}
	}
}

func TestRandomDelay(t *testing.T) {
	ts := newTestServer(t, func(o *Options) {
		o.Config.RandomDelay, o.Config.RandomDelayUnit, o.Config.RandomDelayMin, o.Config.RandomDelayMax = true, "ms", 20, 30
	})
	start := time.Now()
	if w := ts.do("GET", "/version", nil); w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	if took := time.Since(start); took < 20*time.Millisecond {
		t.Errorf("answered after %s, want at least the 20ms minimum delay", took)
	}
}
