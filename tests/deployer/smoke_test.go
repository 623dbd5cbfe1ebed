package deployer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/deliverykit/podinfo/ci/smoke"
)

func checkNames(r smoke.Result) map[string]bool {
	m := map[string]bool{}
	for _, c := range r.Checks {
		m[c.Name] = c.OK
	}
	return m
}

// TestSmokeAgainstService runs the suite against the real service binary.
func TestSmokeAgainstService(t *testing.T) {
	base := startService(t)
	ctx := context.Background()
	all := map[string]bool{"healthz": true, "readyz": true, "version": true, "api-info": true, "echo": true, "token": true}
	tests := []struct {
		name    string
		opts    smoke.Options
		prepare func(t *testing.T)
		want    map[string]bool
		wantErr string
	}{
		{name: "all checks pass", opts: smoke.Options{BaseURL: base}, want: all},
		{name: "expected version and revision", opts: smoke.Options{BaseURL: base + "/", ExpectVersion: serviceVersion, ExpectRevision: serviceRevision}, want: all},
		{
			name:    "wrong expected version",
			opts:    smoke.Options{BaseURL: base, ExpectVersion: "1.0.0"},
			want:    map[string]bool{"healthz": true, "readyz": true, "version": false, "api-info": false, "echo": true, "token": true},
			wantErr: `reports version "9.8.7-smoke", want "1.0.0"`,
		},
		{
			name: "not ready",
			opts: smoke.Options{BaseURL: base},
			prepare: func(t *testing.T) {
				post(t, base+"/readyz/disable")
				t.Cleanup(func() { post(t, base+"/readyz/enable") })
			},
			want:    map[string]bool{"healthz": true, "readyz": false, "version": true, "api-info": true, "echo": true, "token": true},
			wantErr: "GET /readyz answered 503",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.prepare != nil {
				tc.prepare(t)
			}
			res, err := smoke.Run(ctx, tc.opts)
			if diff := cmp.Diff(tc.want, checkNames(res)); diff != "" {
				t.Errorf("checks (-want +got):\n%s\n%+v", diff, res.Checks)
			}
			if tc.wantErr == "" && err != nil {
				t.Fatalf("Run: %v", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("Run error = %v, want it to contain %q", err, tc.wantErr)
			}
			if err == nil && (res.Version != serviceVersion || res.Revision != serviceRevision) {
				t.Errorf("reported %s/%s, want %s/%s", res.Version, res.Revision, serviceVersion, serviceRevision)
			}
		})
	}
}

func post(t *testing.T, url string) {
	t.Helper()
	resp, err := http.Post(url, "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// TestSmokeCLI runs the smoke command as the workflows do.
func TestSmokeCLI(t *testing.T) {
	base := startService(t)
	_, smokeBin, _ := binaries(t)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
	}{
		{"passes", []string{"--url", base, "--expect-version", serviceVersion}, 0, "version 9.8.7-smoke (commit 0123abcd)"},
		{"json", []string{"--url", base, "--json"}, 0, `"name": "token"`},
		{"wrong version", []string{"--url", base, "--expect-version", "0.0.1"}, 1, "FAIL version"},
		{"nothing listening", []string{"--url", "http://127.0.0.1:1", "--timeout", "2s"}, 1, "FAIL healthz"},
		{"missing url", nil, 2, "--url is required"},
		{"bad url", []string{"--url", "ftp://example.com"}, 2, "scheme must be http or https"},
		{"bad attempts", []string{"--url", base, "--attempts", "0"}, 2, "--attempts 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var out bytes.Buffer
			cmd := exec.CommandContext(ctx, smokeBin, tc.args...)
			cmd.Stdout, cmd.Stderr = &out, &out
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.wantCode || !strings.Contains(out.String(), tc.wantOut) {
				t.Errorf("exit %d, output:\n%s\nwant exit %d and %q", code, out.String(), tc.wantCode, tc.wantOut)
			}
			if strings.Contains(out.String(), "eyJ") {
				t.Errorf("output contains a JWT:\n%s", out.String())
			}
			if tc.name == "json" {
				var r smoke.Result
				if err := json.Unmarshal(out.Bytes(), &r); err != nil || !r.OK() {
					t.Errorf("--json output is not a passing result: %v\n%s", err, out.String())
				}
			}
		})
	}
}
