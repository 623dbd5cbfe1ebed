package credhelper

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const password = "s3cr3t-token-value"

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestRun(t *testing.T) {
	full := map[string]string{EnvUsername: "acme", EnvPassword: password, EnvHost: "ghcr.io"}
	tests := []struct {
		name, action, stdin string
		env                 map[string]string
		want                string
		wantErr             string
	}{
		{"get", "get", "ghcr.io", full, `{"ServerURL":"ghcr.io","Username":"acme","Secret":"` + password + `"}` + "\n", ""},
		{"get url", "get", "https://ghcr.io/v2/\n", full, `{"ServerURL":"https://ghcr.io/v2/","Username":"acme","Secret":"` + password + `"}` + "\n", ""},
		{"other host", "get", "docker.io", full, "", "not found"},
		{"no password", "get", "ghcr.io", map[string]string{EnvUsername: "acme"}, "", "REGISTRY_PASSWORD not set"},
		{"list", "list", "", full, `{"ghcr.io":"acme"}` + "\n", ""},
		{"store", "store", `{"ServerURL":"x","Username":"u","Secret":"p"}`, full, "", "not supported"},
		{"unknown", "delete-all", "", full, "", "unknown action"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := Run(tt.action, strings.NewReader(tt.stdin), &out, env(tt.env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Run() = %v, want an error containing %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), password) {
					t.Fatalf("error quotes the secret: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, out.String()); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConfig(t *testing.T) {
	b, err := Config("ghcr.io", "registry.internal:5000")
	if err != nil {
		t.Fatal(err)
	}
	var c struct{ CredHelpers map[string]string }
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"ghcr.io": "env", "registry.internal:5000": "env"}, c.CredHelpers); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, bad := range [][]string{nil, {"ghcr.io/acme"}, {""}} {
		if _, err := Config(bad...); err == nil {
			t.Errorf("Config(%q) accepted", bad)
		}
	}
}

// TestBinary runs the built helper as docker would: action argument,
// server on stdin, answer on stdout.
func TestBinary(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "docker-credential-env")
	build := exec.Command("go", "build", "-o", bin, "./cmd/docker-credential-env")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "get")
	cmd.Stdin = strings.NewReader("ghcr.io\n")
	cmd.Env = append(os.Environ(), EnvUsername+"=acme", EnvPassword+"="+password, EnvHost+"=ghcr.io")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var c Credentials
	if err := json.Unmarshal(out, &c); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if c.Username != "acme" || c.Secret != password {
		t.Errorf("got %+v", c)
	}
	cmd = exec.Command(bin, "get")
	cmd.Stdin = strings.NewReader("quay.io\n")
	cmd.Env = append(os.Environ(), EnvUsername+"=acme", EnvPassword+"="+password, EnvHost+"=ghcr.io")
	out, err = cmd.Output()
	if err == nil || !strings.Contains(string(out), "credentials not found") {
		t.Errorf("another host: err %v, output %q; want the protocol's not-found answer", err, out)
	}
}

// FuzzRun feeds arbitrary server URLs to get: the helper answers only for
// its host and never puts the secret into an error.
func FuzzRun(f *testing.F) {
	for _, s := range []string{"ghcr.io", "https://ghcr.io/v2/", "ghcr.io.evil.com", "", "https://user@ghcr.io"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, server string) {
		var out bytes.Buffer
		err := Run("get", strings.NewReader(server), &out, env(map[string]string{EnvUsername: "acme", EnvPassword: password, EnvHost: "ghcr.io"}))
		if err != nil {
			if strings.Contains(err.Error(), password) {
				t.Fatalf("error quotes the secret: %v", err)
			}
			return
		}
		if hostOf(server) != "ghcr.io" {
			t.Fatalf("answered for %q (host %q)", server, hostOf(server))
		}
	})
}
