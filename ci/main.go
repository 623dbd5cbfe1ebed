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
	// Main is the service's main package.
	// +private
	Main string
	// Version is the service version stamped into the binary.
	// +private
	Version string
	// Revision is the source revision stamped into the binary.
	// +private
	Revision string
	// CommitTime is the source's commit time in Unix seconds.
	// +private
	CommitTime int
	// SourceURL is the source repository URL.
	// +private
	SourceURL string
}

// New configures the pipeline for a service and its infrastructure code.
func New(
	// The Go service: the Go module root holding go.mod (this repository by
	// default; the main package is --main of the build, ./src/cmd/podinfo).
	// +defaultPath="/"
	// +ignore=["**", "!go.mod", "!go.sum", "!src", "!src/**"]
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
	// The service's main package, relative to --source.
	// +default="./src/cmd/podinfo"
	main string,
	// Version stamped into the binary and the image labels.
	// +default="0.0.0-dev"
	version string,
	// Full commit id of --source (git rev-parse HEAD); defaults to the first
	// 40 hex digits of the content digest of --source.
	// +optional
	revision string,
	// Commit time in Unix seconds (git log -1 --format=%ct): every timestamp
	// in the image is set to it, so the digest is reproducible. Defaults to
	// 1980-01-01.
	// +optional
	commitTime int,
	// Source repository URL, recorded in the image labels and provenance.
	// +default="https://github.com/deliverykit/podinfo"
	sourceUrl string,
) (*PodinfoDelivery, error) {
	if err := args.Mirror(mirror); err != nil {
		return nil, err
	}
	if platform != "linux/amd64" && platform != "linux/arm64" {
		return nil, &args.Error{Arg: "--platform", Problem: fmt.Sprintf("unsupported platform %q", platform), Fix: "choose linux/amd64 or linux/arm64"}
	}
	if commitTime < 0 {
		return nil, &args.Error{Arg: "--commit-time", Problem: fmt.Sprintf("%d is negative", commitTime), Fix: "pass the commit time in Unix seconds: git log -1 --format=%ct"}
	}
	return &PodinfoDelivery{
		Source: source, Iac: iac, Mirror: mirror, Platform: platform,
		Main: main, Version: version, Revision: revision, CommitTime: commitTime, SourceURL: sourceUrl,
	}, nil
}

// validated returns the first of the checks' errors, unchanged: the
// argument errors of package args already name the flag and the fix.
func validated(checks ...error) error {
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	return nil
}
