package deploy

import (
	"strings"
	"testing"
)

func TestCheckDigest(t *testing.T) {
	good := "sha256:" + strings.Repeat("ab", 32)
	tests := []struct {
		in, want string
	}{
		{good, ""},
		{"latest", `--digest "latest": not an image digest; want sha256:<64 lowercase hex>`},
		{"repo:1.2.3", "tags are never deployed"},
		{"repo@" + good, "pass only the digest after '@'"},
		{"sha256:abc", "a sha256 digest has 64 lowercase hex digits"},
		{"sha256:" + strings.Repeat("AB", 32), "64 lowercase hex"},
		{"sha512:" + strings.Repeat("ab", 64), "tags are never deployed"},
		{"", `--digest "": not an image digest`},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			err := CheckDigest(tc.in)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("CheckDigest(%q) = %v, want nil", tc.in, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("CheckDigest(%q) = %v, want it to contain %q", tc.in, err, tc.want)
			}
		})
	}
}

func FuzzCheckDigest(f *testing.F) {
	f.Add("sha256:" + strings.Repeat("0", 64))
	f.Add("sha256:")
	f.Add("x@sha256:1")
	f.Fuzz(func(t *testing.T, s string) {
		err := CheckDigest(s)
		ok := len(s) == 71 && strings.HasPrefix(s, "sha256:") && strings.Trim(s[7:], "0123456789abcdef") == ""
		if (err == nil) != ok {
			t.Fatalf("CheckDigest(%q) = %v, want ok=%v", s, err, ok)
		}
	})
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	good := Config{Env: "dev", Digest: "sha256:" + strings.Repeat("0", 64), IaCDir: dir, Actor: "a", Run: "r"}
	if err := good.Validate(); err != nil {
		t.Fatalf("valid config refused: %v", err)
	}
	tests := []struct {
		name   string
		change func(c *Config)
		want   []string
	}{
		{"everything wrong at once", func(c *Config) { c.Env, c.Digest, c.IaCDir = "production", "latest", "" },
			[]string{`--env "production": unknown environment`, `--digest "latest"`, "--iac-dir is required"}},
		{"backend file missing", func(c *Config) { c.BackendConfig = dir + "/nope.tfbackend" }, []string{`--backend-config "` + dir + `/nope.tfbackend"`}},
		{"var overriding the digest", func(c *Config) { c.Vars = []string{"image_digest=sha256:1"} }, []string{`--var "image_digest=sha256:1"`}},
		{"var without value", func(c *Config) { c.Vars = []string{"novalue"} }, []string{`--var "novalue": want name=value`}},
		{"no run", func(c *Config) { c.Run = "" }, []string{"actor and run are required"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			tc.change(&c)
			err := c.Validate()
			for _, w := range tc.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %v, want it to contain %q", err, w)
				}
			}
		})
	}
}
