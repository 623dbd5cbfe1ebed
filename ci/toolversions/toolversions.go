// Package toolversions is the one file that pins every external tool the
// pipeline runs: the container image the Dagger module uses and the Go package
// the native tests build from source. Both read this table, so a version bump
// here changes the container steps and the native tests together.
package toolversions

import (
	"fmt"
	"sort"
	"strings"
)

// Tool pins one external tool.
type Tool struct {
	// Name is the short name used by steps and tests ("cosign").
	Name string
	// Version is the released version the container steps run.
	Version string
	// Image is the container image reference (without a mirror prefix) that
	// holds the tool at Version. Empty when the tool runs only natively.
	Image string
	// ImageDigest pins Image by content when known ("sha256:..."); empty when
	// the digest could not be checked from this workplace (no registry access).
	ImageDigest string
	// GoPackage is the Go package whose main builds the tool from source.
	GoPackage string
	// NativeVersion is the version the native tests build; it equals Version
	// unless NativeReason says why it cannot.
	NativeVersion string
	// NativeReason explains a NativeVersion that differs from Version.
	NativeReason string
	// GoExperiment is the GOEXPERIMENT value the tool needs to compile.
	GoExperiment string
}

// Binary is the executable name that `go install` produces for the tool.
func (t Tool) Binary() string {
	return t.GoPackage[strings.LastIndex(t.GoPackage, "/")+1:]
}

// ImageRef returns the tool's image reference behind an optional mirror
// prefix ("registry.internal/mirror"), pinned by digest when one is known.
func (t Tool) ImageRef(mirror string) string {
	ref := t.Image
	if mirror != "" {
		ref = strings.TrimSuffix(mirror, "/") + "/" + stripRegistry(ref)
	}
	if t.ImageDigest != "" {
		ref += "@" + t.ImageDigest
	}
	return ref
}

// stripRegistry drops the registry host from an image reference so a mirror
// prefix can replace it ("docker.io/anchore/syft:v1" -> "anchore/syft:v1").
func stripRegistry(ref string) string {
	first, rest, ok := strings.Cut(ref, "/")
	if ok && (strings.ContainsAny(first, ".:") || first == "localhost") {
		return rest
	}
	return ref
}

// All returns every pinned tool, sorted by name.
func All() []Tool {
	out := make([]Tool, 0, len(tools))
	for _, t := range tools {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Get returns the tool called name, or an error listing the known names.
func Get(name string) (Tool, error) {
	t, ok := tools[name]
	if !ok {
		names := make([]string, 0, len(tools))
		for n := range tools {
			names = append(names, n)
		}
		sort.Strings(names)
		return Tool{}, fmt.Errorf("unknown tool %q: known tools are %s", name, strings.Join(names, ", "))
	}
	return t, nil
}

// MustGet is Get for names fixed in this repository's code.
func MustGet(name string) Tool {
	t, err := Get(name)
	if err != nil {
		panic(err)
	}
	return t
}

var tools = map[string]Tool{
	"go": {
		Name: "go", Version: "1.26.8", Image: "docker.io/library/golang:1.26.8-bookworm",
		GoPackage: "golang.org/dl/go1.26.8", NativeVersion: "1.26.8",
	},
	"cosign": {
		Name: "cosign", Version: "v3.1.3", Image: "ghcr.io/sigstore/cosign/cosign:v3.1.3",
		GoPackage: "github.com/sigstore/cosign/v3/cmd/cosign", NativeVersion: "v3.1.3",
	},
	"syft": {
		Name: "syft", Version: "v1.57.1", Image: "docker.io/anchore/syft:v1.57.1",
		GoPackage: "github.com/anchore/syft/cmd/syft", NativeVersion: "v1.57.1",
	},
	"trivy": {
		Name: "trivy", Version: "v0.74.0", Image: "docker.io/aquasec/trivy:0.74.0",
		GoPackage: "github.com/aquasecurity/trivy/cmd/trivy", NativeVersion: "v0.74.0",
		GoExperiment: "jsonv2",
	},
	"terraform": {
		Name: "terraform", Version: "v1.16.0", Image: "docker.io/hashicorp/terraform:1.16.0",
		GoPackage: "github.com/hashicorp/terraform", NativeVersion: "v1.5.7",
		NativeReason: "terraform releases after v1.5.7 carry replace directives in go.mod, so `go install` refuses them; " +
			"v1.5.7 is the newest release that builds from the Go module proxy. The fixtures use only features both versions have.",
	},
	"ko": {
		Name: "ko", Version: "v0.19.1", Image: "ghcr.io/ko-build/ko:v0.19.1",
		GoPackage: "github.com/google/ko", NativeVersion: "v0.19.1",
	},
	"registry": {
		Name: "registry", Version: "v3.1.2", Image: "docker.io/library/registry:3",
		GoPackage: "github.com/distribution/distribution/v3/cmd/registry", NativeVersion: "v3.1.2",
	},
	"aws-lambda-rie": {
		Name: "aws-lambda-rie", Version: "v0.0.0-20261030222936-bef5c4ba774d",
		GoPackage:     "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie",
		NativeVersion: "v0.0.0-20261030222936-bef5c4ba774d",
	},
	"actionlint": {
		Name: "actionlint", Version: "v1.7.12", Image: "docker.io/rhysd/actionlint:1.7.12",
		GoPackage: "github.com/rhysd/actionlint/cmd/actionlint", NativeVersion: "v1.7.12",
	},
	"benchstat": {
		Name: "benchstat", Version: "v0.0.0-20260908200009-22c9c6c9d4da",
		GoPackage: "golang.org/x/perf/cmd/benchstat", NativeVersion: "v0.0.0-20260908200009-22c9c6c9d4da",
	},
}

// baseImageDigests pins the base image (ci/baseimage: CA certificates,
// non-root user, writable /tmp) per platform. The image is assembled from
// files committed in ci/baseimage with fixed timestamps, so these digests hold
// on every machine; a test fails when the assembly and this table disagree.
var baseImageDigests = map[string]string{
	"linux/amd64": "sha256:4a3f2440e90fa0e5bd508d0fc75b6d54a0059c7c10227bda4c5745587c46a05d",
	"linux/arm64": "sha256:3833e29a1231b687956aedb8253a78bdcea441f169d4236ad63fd05c8447f840",
}

// BaseImageDigest returns the pinned digest of the base image for platform.
func BaseImageDigest(platform string) (string, error) {
	d, ok := baseImageDigests[platform]
	if !ok {
		return "", fmt.Errorf("no base image pinned for platform %q: use linux/amd64 or linux/arm64", platform)
	}
	return d, nil
}
