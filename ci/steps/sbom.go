package steps

import (
	"github.com/deliverykit/podinfo/ci/step"
)

// SBOMOptions configures SBOM.
type SBOMOptions struct {
	Common
	// Image is the image by digest (registry/repo@sha256:...).
	Image string
}

// SBOM returns the syft step that reads the image from the registry and
// writes its SBOM as SPDX JSON (FileSPDX) and CycloneDX JSON
// (FileCycloneDX). Syft reads the Go module list from the binary's build
// information.
func SBOM(o SBOMOptions) (step.Step, error) {
	ref, err := ParseDigestRef("sbom: argument image", o.Image)
	if err != nil {
		return step.Step{}, err
	}
	s := newStep(o.Common, "sbom", "syft", "scan", "registry:"+ref.String(),
		"--output", "spdx-json="+FileSPDX,
		"--output", "cyclonedx-json="+FileCycloneDX)
	s.Env["SYFT_CHECK_FOR_APP_UPDATE"] = "false"
	if o.PlainHTTP {
		s.Env["SYFT_REGISTRY_INSECURE_USE_HTTP"] = "true"
	}
	s.Outputs = []string{FileSPDX, FileCycloneDX}
	return s, nil
}
