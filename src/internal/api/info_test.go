package api

import (
	"runtime"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestInfo(t *testing.T) {
	ts := newTestServer(t, func(o *Options) { o.Config.UIMessage = `quote " and <tag>` })
	for _, target := range []string{"/api/info", "/"} {
		t.Run(target, func(t *testing.T) {
			w := ts.do("GET", target, nil, "User-Agent", "curl/8.5.0")
			if w.Code != 200 || w.Header().Get("Content-Type") != contentTypeJSON {
				t.Fatalf("status %d, type %q", w.Code, w.Header().Get("Content-Type"))
			}
			got := decode[RuntimeResponse](t, w)
			want := RuntimeResponse{
				Hostname: "test-host", Version: "0.0.0-dev", Revision: "unknown", Color: "#34577c",
				Logo: ts.opts.Config.UILogo, Message: `quote " and <tag>`, GOOS: runtime.GOOS, GOARCH: runtime.GOARCH,
				Runtime: runtime.Version(), NumCPU: strconv.Itoa(runtime.NumCPU()),
			}
			if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(RuntimeResponse{}, "NumGoroutine")); diff != "" {
				t.Errorf("info (-want +got):\n%s", diff)
			}
			if n, err := strconv.Atoi(got.NumGoroutine); err != nil || n < 1 {
				t.Errorf("num_goroutine = %q, want a positive number as a string", got.NumGoroutine)
			}
			// Every field is a string, as in podinfo.
			for k, v := range decode[map[string]any](t, w) {
				if _, ok := v.(string); !ok {
					t.Errorf("field %s = %v (%T), want a string", k, v, v)
				}
			}
		})
	}
}
