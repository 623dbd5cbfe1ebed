package api

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestVersion(t *testing.T) {
	w := newTestServer(t, nil).do("GET", "/version", nil)
	if w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	if diff := cmp.Diff(map[string]string{"commit": "unknown", "version": "0.0.0-dev"}, decode[map[string]string](t, w)); diff != "" {
		t.Errorf("/version (-want +got):\n%s", diff)
	}
}
