package steps

import (
	"encoding/json"
	"fmt"
	"strings"

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

// CheckSPDX checks that b is an SPDX 2.x JSON document listing packages, so
// a corrupt SBOM fails before it is attested.
func CheckSPDX(b []byte) error {
	var doc struct {
		SPDXVersion string            `json:"spdxVersion"`
		SPDXID      string            `json:"SPDXID"`
		Packages    []json.RawMessage `json:"packages"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return fmt.Errorf("argument sbom (%s) is not JSON (%v): regenerate it with the sbom step", FileSPDX, err)
	}
	if !strings.HasPrefix(doc.SPDXVersion, "SPDX-2.") || doc.SPDXID == "" {
		return fmt.Errorf("argument sbom (%s) is not an SPDX 2.x document (spdxVersion %q): regenerate it with the sbom step (syft -o spdx-json)", FileSPDX, doc.SPDXVersion)
	}
	if len(doc.Packages) == 0 {
		return fmt.Errorf("argument sbom (%s) lists no packages: the image was not read; regenerate it with the sbom step", FileSPDX)
	}
	return nil
}
