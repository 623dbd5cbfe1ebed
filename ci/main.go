// The podinfo-delivery Dagger module: build one image of a Go service, scan,
// publish, SBOM, sign, attest and verify it, and deploy that exact digest to
// AWS Lambda and EC2 (or, with --env local, to Dagger services).
//
// Every external tool runs from a step definition (packages steps and
// modsteps); the functions here validate their arguments first (package
// args), then map steps onto containers (package stepplan, steprun.go).
// With no registry and no key the module publishes to an ephemeral registry
// service inside the engine and signs with an ephemeral key pair.
package main

import (
	"fmt"

	"github.com/deliverykit/podinfo/ci/args"
	"github.com/deliverykit/podinfo/ci/internal/dagger"
)

// PodinfoDelivery is the delivery pipeline of one Go service and its
// Terraform code.
type PodinfoDelivery struct {
	// Source is the Go module root of the service.
	// +private
	Source *dagger.Directory
	// Iac is the Terraform code.
	// +private
	Iac *dagger.Directory
	// Mirror is the registry prefix replacing every tool image's registry.
	// +private
	Mirror string
	// Platform is the image platform.
	// +private
	Platform string
}

// New configures the pipeline for a service and its infrastructure code.
func New(
	// The Go service: the Go module root holding go.mod (this repository by
	// default; the main package is --main of the build, ./src/cmd/podinfo).
	// +defaultPath="/"
	// +ignore=["**", "!go.mod", "!go.sum", "!src/**", "src/**/testdata/fuzz/**"]
	source *dagger.Directory,
	// Terraform code: reusable modules and one root per environment in envs/.
	// +defaultPath="/iac"
	// +ignore=["**/.terraform/**", "**/*.tfstate*"]
	iac *dagger.Directory,
	// Registry prefix that replaces the registry of every tool image, for
	// mirrors and air-gapped use, e.g. registry.internal/mirror.
	// +optional
	mirror string,
	// Image platform: linux/amd64 or linux/arm64 (one single-platform image;
	// Lambda rejects image indexes).
	// +default="linux/amd64"
	platform string,
) (*PodinfoDelivery, error) {
	if err := args.Mirror(mirror); err != nil {
		return nil, err
	}
	if platform != "linux/amd64" && platform != "linux/arm64" {
		return nil, &args.Error{Arg: "--platform", Problem: fmt.Sprintf("unsupported platform %q", platform), Fix: "choose linux/amd64 or linux/arm64"}
	}
	return &PodinfoDelivery{Source: source, Iac: iac, Mirror: mirror, Platform: platform}, nil
}

// validated runs check and returns its error unchanged: the argument errors
// of package args already name the flag and the fix.
func validated(checks ...error) error {
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	return nil
}
