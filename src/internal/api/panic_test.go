package api

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPanicExits255(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.do("GET", "/panic", nil)
	if diff := cmp.Diff([]int{255}, ts.exits); diff != "" {
		t.Errorf("exit codes (-want +got):\n%s", diff)
	}
}
