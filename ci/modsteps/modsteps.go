// Package modsteps defines the tool invocations the Dagger module needs
// beyond the supply-chain steps of package steps: the service's Go tests and
// lint, and turning a pushed image into an OCI tarball for Container.Import.
// Like package steps it only returns step.Step values; nothing runs here.
package modsteps

import (
	"fmt"
	"path"
	"strings"

	"github.com/deliverykit/podinfo/ci/step"
	"github.com/deliverykit/podinfo/ci/steps"
	"github.com/deliverykit/podinfo/ci/toolversions"
)

// Work-dir-relative files the steps write.
const (
	// FileTestReport receives the `go test -v` output.
	FileTestReport = "go-test.txt"
	// FileLintReport receives the lint findings (gofmt -l, then go vet).
	FileLintReport = "lint.txt"
	// DirLayout receives the OCI image layout `cosign save` writes.
	DirLayout = "image-layout"
	// FileImageTar is the OCI tarball of DirLayout.
	FileImageTar = "image.tar"
)

func goStep(mirror, name string, args ...string) step.Step {
	t := toolversions.MustGet("go")
	return step.Step{
		Name:  name,
		Tool:  "go",
		Image: t.ImageRef(mirror),
		Args:  args,
		Env:   map[string]string{"CGO_ENABLED": "0", "GOFLAGS": "-mod=readonly", "GOTOOLCHAIN": "local"},
	}
}

func checkPackages(pkgs []string) error {
	if len(pkgs) == 0 {
		return fmt.Errorf("argument packages is empty: pass Go package patterns such as ./src/...")
	}
	for _, p := range pkgs {
		if !strings.HasPrefix(p, "./") || strings.Contains(strings.TrimSuffix(p, "/..."), "..") {
			return fmt.Errorf("argument packages: %q must be a package pattern relative to the Go module root, like ./src/...", p)
		}
	}
	return nil
}

// GoTest returns the step that runs the service's tests (with the race
// detector off: CGO is disabled so the binary matches the image) and writes
// the verbose output to FileTestReport.
func GoTest(mirror string, pkgs []string) (step.Step, error) {
	if err := checkPackages(pkgs); err != nil {
		return step.Step{}, fmt.Errorf("go test: %w", err)
	}
	s := goStep(mirror, "go-test", append([]string{"go", "test", "-v", "-count=1", "-tags=lambda.norpc"}, pkgs...)...)
	s.Inputs = []string{"."}
	s.Stdout = FileTestReport
	s.Outputs = []string{FileTestReport}
	return s, nil
}

// GoVet returns the step that runs go vet over pkgs.
func GoVet(mirror string, pkgs []string) (step.Step, error) {
	if err := checkPackages(pkgs); err != nil {
		return step.Step{}, fmt.Errorf("go vet: %w", err)
	}
	s := goStep(mirror, "go-vet", append([]string{"go", "vet", "-tags=lambda.norpc"}, pkgs...)...)
	s.Inputs = []string{"."}
	return s, nil
}

// Gofmt returns the step that lists the files gofmt would change under
// dirs into FileLintReport; the caller fails when the file is not empty.
func Gofmt(mirror string, dirs []string) (step.Step, error) {
	if len(dirs) == 0 {
		return step.Step{}, fmt.Errorf("gofmt: argument dirs is empty: pass directories relative to the source root, like src")
	}
	for _, d := range dirs {
		if d == "" || path.IsAbs(d) || path.Clean(d) != d || strings.HasPrefix(d, "..") {
			return step.Step{}, fmt.Errorf("gofmt: argument dirs: %q must be a clean directory relative to the source root", d)
		}
	}
	s := goStep(mirror, "gofmt", append([]string{"gofmt", "-l"}, dirs...)...)
	s.Inputs = []string{"."}
	s.Stdout = FileLintReport
	s.Outputs = []string{FileLintReport}
	return s, nil
}

// SaveOptions configures Save.
type SaveOptions struct {
	steps.Common
	// Image is the image by digest.
	Image string
}

// Save returns the `cosign save` step that writes the image (manifest,
// config and layers, byte for byte) as an OCI image layout in DirLayout.
func Save(o SaveOptions) (step.Step, error) {
	ref, err := steps.ParseDigestRef("save: argument image", o.Image)
	if err != nil {
		return step.Step{}, err
	}
	t := toolversions.MustGet("cosign")
	args := []string{t.Binary(), "save", "--dir", DirLayout}
	if o.PlainHTTP {
		args = append(args, "--allow-http-registry")
	}
	args = append(args, ref.String())
	return step.Step{
		Name: "save-image", Tool: "cosign", Image: t.ImageRef(o.Mirror),
		Args: args, Env: map[string]string{}, Outputs: []string{DirLayout},
	}, nil
}

// Tar returns the step that packs DirLayout into FileImageTar, the OCI
// tarball Container.Import reads (index.json at the archive root).
func Tar(mirror string) step.Step {
	s := goStep(mirror, "tar-layout", "tar", "-C", DirLayout, "-cf", FileImageTar, ".")
	s.Env = map[string]string{}
	s.Inputs = []string{DirLayout}
	s.Outputs = []string{FileImageTar}
	return s
}

// Ephemeral key pair files GenerateKeyPair writes.
const (
	// FileEphemeralKey is the encrypted private key.
	FileEphemeralKey = "cosign.key"
	// FileEphemeralPub is the public key.
	FileEphemeralPub = "cosign.pub"
)

// GenerateKeyPair returns the `cosign generate-key-pair` step that writes a
// fresh key pair (FileEphemeralKey, encrypted with the secret
// steps.EnvCosignPassword, and FileEphemeralPub) for a run that has no key:
// it proves integrity within that run only.
func GenerateKeyPair(mirror string) step.Step {
	t := toolversions.MustGet("cosign")
	return step.Step{
		Name: "generate-key-pair", Tool: "cosign", Image: t.ImageRef(mirror),
		Args:      []string{t.Binary(), "generate-key-pair"},
		Env:       map[string]string{},
		SecretEnv: []string{steps.EnvCosignPassword},
		Outputs:   []string{FileEphemeralKey, FileEphemeralPub},
	}
}
