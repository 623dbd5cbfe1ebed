package api

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestStatus(t *testing.T) {
	ts := newTestServer(t, nil)
	for _, tt := range []struct {
		method, code string
		status       int
	}{
		{"GET", "200", 200}, {"POST", "201", 201}, {"PUT", "418", 418}, {"GET", "503", 503}, {"GET", "599", 599},
		{"GET", "204", 204},
		{"GET", "99", 400}, {"GET", "100", 400}, {"GET", "600", 400}, {"GET", "abc", 400}, {"GET", "-200", 400},
	} {
		t.Run(tt.method+" "+tt.code, func(t *testing.T) {
			w := ts.do(tt.method, "/status/"+tt.code, nil)
			if tt.status == 400 {
				wantError(t, w, 400, "from 200 to 599")
				return
			}
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d", w.Code, tt.status)
			}
			if tt.status == 204 {
				if w.Body.Len() != 0 {
					t.Errorf("204 with a body: %q", w.Body)
				}
				return
			}
			if diff := cmp.Diff(map[string]int{"status": tt.status}, decode[map[string]int](t, w)); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}
