package supplychain

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deliverykit/podinfo/ci/toolversions"
	"github.com/deliverykit/podinfo/tests/internal/toolbuild"
)

// TestNativeVersionsMatchContainerSteps checks that every native tool is
// built at the version the container steps run, except where the versions
// file says why not (Terraform), and that the binaries the chain uses
// really are those versions (their embedded Go build information).
func TestNativeVersionsMatchContainerSteps(t *testing.T) {
	allowedDiff := map[string]bool{"terraform": true}
	for _, tool := range toolversions.All() {
		t.Run(tool.Name, func(t *testing.T) {
			switch {
			case tool.NativeVersion != tool.Version && !allowedDiff[tool.Name]:
				t.Errorf("native %s differs from container %s: only Terraform may differ", tool.NativeVersion, tool.Version)
			case tool.NativeVersion != tool.Version && tool.NativeReason == "":
				t.Errorf("native %s differs from container %s without a NativeReason", tool.NativeVersion, tool.Version)
			case tool.NativeVersion == tool.Version && tool.NativeReason != "":
				t.Errorf("NativeReason set but versions agree")
			}
			if tool.Image != "" {
				// The tag names the version ("v1.2.3", "1.2.3", "1.2.3-bookworm").
				// The registry image's tag is the major version only ("3").
				tag := tool.Image[strings.LastIndex(tool.Image, ":")+1:]
				tag, _, _ = strings.Cut(strings.TrimPrefix(tag, "v"), "-")
				if tag != strings.TrimPrefix(tool.Version, "v") && tool.Name != "registry" {
					t.Errorf("image %s does not carry version %s", tool.Image, tool.Version)
				}
			}
			if tool.GoPackage == "" || tool.Name == "go" {
				return
			}
			p, err := toolbuild.Path(tool)
			if err != nil {
				t.Fatal(err)
			}
			if filepath.Base(filepath.Dir(p)) != tool.NativeVersion {
				t.Errorf("cache path %s does not hold version %s", p, tool.NativeVersion)
			}
		})
	}
	// The tools the supply chain runs: check the built binaries.
	for _, name := range []string{"cosign", "syft", "trivy", "ko", "registry"} {
		t.Run("binary/"+name, func(t *testing.T) {
			tool := toolversions.MustGet(name)
			bin, err := toolbuild.Ensure(context.Background(), name)
			if err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command("go", "version", "-m", bin).Output()
			if err != nil {
				t.Fatalf("go version -m %s: %v", bin, err)
			}
			var mod string
			for _, line := range strings.Split(string(out), "\n") {
				f := strings.Fields(line)
				if len(f) >= 3 && f[0] == "mod" {
					mod = f[1] + "@" + f[2]
				}
			}
			if !strings.HasSuffix(mod, "@"+tool.NativeVersion) || !strings.HasPrefix(tool.GoPackage, strings.Split(mod, "@")[0]) {
				t.Errorf("binary %s is module %s, want %s at %s", bin, mod, tool.GoPackage, tool.NativeVersion)
			}
		})
	}
}
