package api

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEnvRedactsCredentials(t *testing.T) {
	ts := newTestServer(t, nil)
	for _, method := range []string{"GET", "POST"} {
		w := ts.do(method, "/env", nil)
		if w.Code != 200 {
			t.Fatalf("%s /env status %d", method, w.Code)
		}
		if diff := cmp.Diff([]string{"HOME=/root", "AWS_SECRET_ACCESS_KEY=[REDACTED]"}, decode[[]string](t, w)); diff != "" {
			t.Errorf("%s /env (-want +got):\n%s", method, diff)
		}
	}
}
