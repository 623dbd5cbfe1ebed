package report

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestMarkdown(t *testing.T) {
	const img = "registry:5000/podinfo@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		name string
		r    Report
	}{
		{"embedded", Report{
			Function: "build-and-sign", Image: img,
			Registry: "embedded ephemeral registry", EphemeralRegistry: true,
			Signing: "ephemeral key pair (cosign.pub in this directory)", EphemeralKey: true,
			Checks: []Check{
				{Name: "reference", OK: true, Detail: "names digest sha256:0123"},
				{Name: "signature", OK: true, Detail: "1 signature verified with the key"},
				{Name: "vulnerabilities", OK: true, Detail: "no HIGH|CRITICAL finding"},
			},
			Tools: []Tool{{Step: "build-image", Image: "ghcr.io/ko-build/ko:v0.19.1"}, {Step: "sign", Image: "ghcr.io/sigstore/cosign/cosign:v3.1.3"}},
			Files: map[string]string{"digest": "the image digest", "report.md": "this report"},
		}},
		{"failed gate", Report{
			Function: "deploy", Image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/podinfo@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
			Registry: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/podinfo",
			Signing:  "keyless: identity https://github.com/acme/podinfo/.github/workflows/build.yml@refs/heads/main",
			Checks:   []Check{{Name: "signature", OK: false, Detail: "no signature\nverified"}},
			Notes:    []string{"nothing was deployed"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.r.Markdown()
			golden := filepath.Join("testdata", tt.name+".md")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("report.md (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPassed(t *testing.T) {
	if !(Report{}).Passed() {
		t.Error("a report without checks did not pass")
	}
	if (Report{Checks: []Check{{OK: true}, {OK: false}}}).Passed() {
		t.Error("a report with a failed check passed")
	}
}
