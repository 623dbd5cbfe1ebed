package main

import (
	"context"
	"fmt"

	"github.com/deliverykit/podinfo/ci/internal/dagger"
	"github.com/deliverykit/podinfo/ci/report"
)

// Run the pull-request chain with the embedded defaults: lint, test, build,
// the image scan gate, the IaC scan, signing and attesting with an ephemeral
// key into the ephemeral registry, and verification. Needs no credentials;
// returns every report and a summary report.md.
// +cache="never"
func (m *PodinfoDelivery) Ci(
	ctx context.Context,
	// Severities that fail the scans, comma-separated.
	// +default="HIGH,CRITICAL"
	severity string,
	// Allow-list of accepted findings (ci/allowlist format).
	// +optional
	allowList *dagger.File,
) (*dagger.Directory, error) {
	th, err := m.threshold(ctx, severity, allowList)
	if err != nil {
		return nil, err
	}
	lint, err := m.Lint(ctx, []string{"./src/..."})
	if err != nil {
		return nil, fmt.Errorf("ci: %w", err)
	}
	tests, err := m.Test(ctx, []string{"./src/..."})
	if err != nil {
		return nil, fmt.Errorf("ci: %w", err)
	}
	iac, err := m.ScanIac(ctx, severity, allowList, false)
	if err != nil {
		return nil, fmt.Errorf("ci: %w", err)
	}
	p, err := m.newPipeline(ctx, "", registryCreds{})
	if err != nil {
		return nil, err
	}
	signed, err := p.buildAndSign(ctx, "ci", signingArgs{}, th, "https://dagger.io/local")
	if err != nil {
		return nil, fmt.Errorf("ci: %w", err)
	}
	rep := report.Report{
		Function: "ci", Image: signed.ref, Registry: p.registryText(), EphemeralRegistry: true,
		Signing: signed.signing.describe, EphemeralKey: true,
		Checks: []report.Check{
			{Name: "lint", OK: true, Detail: "gofmt and go vet clean (lint.txt)"},
			{Name: "test", OK: true, Detail: "go test passed (go-test.txt)"},
			{Name: "scan-iac", OK: true, Detail: "no misconfiguration at or above " + severity + " (iac/)"},
			{Name: "build-and-sign", OK: true, Detail: "scan gate, SBOM, signature, attestations and verification passed (build-and-sign/report.md)"},
		},
		Tools: p.r.tools,
		Files: map[string]string{"lint.txt": "lint result", "go-test.txt": "go test -v output", "iac/": "trivy config reports (JSON, SARIF)", "build-and-sign/": "the supply-chain outputs", "report.md": "this report"},
	}
	return dag.Directory().
		WithNewFile("lint.txt", lint).
		WithNewFile("go-test.txt", tests).
		WithDirectory("iac", iac).
		WithDirectory("build-and-sign", signed.out).
		WithNewFile("report.md", rep.Markdown()), nil
}
