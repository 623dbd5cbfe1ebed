package api

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestHeaders(t *testing.T) {
	ts := newTestServer(t, nil)
	for _, method := range []string{"GET", "POST"} {
		w := ts.do(method, "/headers", nil, "X-Test", "one")
		if w.Code != 200 {
			t.Fatalf("status %d", w.Code)
		}
		got := decode[map[string][]string](t, w)
		if diff := cmp.Diff([]string{"one"}, got["X-Test"]); diff != "" {
			t.Errorf("%s X-Test (-want +got):\n%s", method, diff)
		}
	}
}
