package main

import (
	"context"
	"errors"
	"fmt"
	"sync"

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
	// The four parts are independent: run them at once and report every
	// failure, as a pull-request check should.
	var (
		wg          sync.WaitGroup
		lint, tests string
		iac         *dagger.Directory
		signed      signedImage
		p           *pipeline
		errs        = make([]error, 4)
		pkgs        = []string{"./src/..."}
		run         = func(i int, f func() error) { defer wg.Done(); errs[i] = f() }
		ciErr       = func(part string, err error) error {
			if err != nil {
				return fmt.Errorf("ci %s: %w", part, err)
			}
			return nil
		}
	)
	wg.Add(4)
	go run(0, func() (err error) { lint, err = m.Lint(ctx, pkgs); return ciErr("lint", err) })
	go run(1, func() (err error) { tests, err = m.Test(ctx, pkgs); return ciErr("test", err) })
	go run(2, func() (err error) {
		iac, err = m.ScanIac(ctx, severity, allowList, false)
		return ciErr("scan-iac", err)
	})
	go run(3, func() error {
		var err error
		if p, err = m.newPipeline(ctx, "", registryCreds{}); err != nil {
			return ciErr("build-and-sign", err)
		}
		signed, err = p.buildAndSign(ctx, "ci", signingArgs{}, th, "https://dagger.io/local")
		return ciErr("build-and-sign", err)
	})
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
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
