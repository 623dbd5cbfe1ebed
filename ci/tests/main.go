// Tests of the podinfo-delivery module, for GitHub Actions (the daggerverse
// convention): `dagger call -m ci/tests all` runs every check in parallel
// with the module's embedded defaults, so it needs no registry, key or AWS.
package main

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/deliverykit/podinfo/ci/tests/internal/dagger"
)

// Tests exercises the podinfo-delivery module end to end.
type Tests struct{}

// check is one named test.
type check struct {
	name string
	run  func(context.Context) error
}

// All runs every test in parallel and reports every failure.
// +cache="never"
func (t *Tests) All(ctx context.Context) error {
	checks := []check{
		{"build", t.Build},
		{"build-and-sign", t.BuildAndSign},
		{"deploy-local", t.DeployLocal},
		{"serve", t.Serve},
		{"validation", t.Validation},
	}
	var wg sync.WaitGroup
	errs := make([]error, len(checks))
	for i, c := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.run(ctx); err != nil {
				errs[i] = fmt.Errorf("%s: %w", c.name, err)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

var digestRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// Build checks the image runs the service binary ko placed.
// +cache="never"
func (t *Tests) Build(ctx context.Context) error {
	ep, err := dag.PodinfoDelivery().Build().Entrypoint(ctx)
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	if len(ep) == 0 || ep[0] != "/ko-app/podinfo" {
		return fmt.Errorf("entrypoint %q, want /ko-app/podinfo", ep)
	}
	user, err := dag.PodinfoDelivery().Build().User(ctx)
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	if user == "" || strings.HasPrefix(user, "0") || user == "root" {
		return fmt.Errorf("image user %q, want a non-root user", user)
	}
	return nil
}

// BuildAndSign checks the supply chain's outputs with the embedded
// defaults: a digest, both SBOMs, SARIF, verification output, and a report
// that says the ephemeral key proves integrity within the run only.
// +cache="never"
func (t *Tests) BuildAndSign(ctx context.Context) error {
	out := dag.PodinfoDelivery().BuildAndSign()
	entries, err := out.Entries(ctx)
	if err != nil {
		return fmt.Errorf("build-and-sign: %w", err)
	}
	for _, want := range []string{"digest", "image.ref", "sbom.spdx.json", "sbom.cdx.json", "scan.sarif", "cosign.pub", "report.md", "verify/"} {
		if !contains(entries, want) {
			return fmt.Errorf("output lacks %s (has %v)", want, entries)
		}
	}
	digest, err := out.File("digest").Contents(ctx)
	if err != nil {
		return err
	}
	if !digestRE.MatchString(strings.TrimSpace(digest)) {
		return fmt.Errorf("digest file holds %q", digest)
	}
	report, err := out.File("report.md").Contents(ctx)
	if err != nil {
		return err
	}
	for _, want := range []string{"gate: passed", "integrity within this run only", strings.TrimSpace(digest)} {
		if !strings.Contains(report, want) {
			return fmt.Errorf("report.md lacks %q:\n%s", want, report)
		}
	}
	gate, err := out.File("verify/gate.txt").Contents(ctx)
	if err != nil {
		return err
	}
	if !strings.Contains(gate, ": deployable\n") {
		return fmt.Errorf("verify/gate.txt does not state the decision:\n%s", gate)
	}
	return nil
}

// DeployLocal checks deploy --env local smoke-tests HTTP and Lambda mode.
// +cache="never"
func (t *Tests) DeployLocal(ctx context.Context) error {
	out := dag.PodinfoDelivery().Deploy("local")
	entries, err := out.Entries(ctx)
	if err != nil {
		return fmt.Errorf("deploy --env local: %w", err)
	}
	for _, want := range []string{"smoke-http.json", "lambda-healthz.json", "lambda-version.json", "report.md"} {
		if !contains(entries, want) {
			return fmt.Errorf("output lacks %s (has %v)", want, entries)
		}
	}
	return nil
}

// Serve checks the HTTP-mode service answers /healthz.
// +cache="never"
func (t *Tests) Serve(ctx context.Context) error {
	svc := dag.PodinfoDelivery().Serve()
	body, err := dag.Container().
		From("docker.io/library/golang:1.26.8-bookworm").
		WithServiceBinding("podinfo", svc).
		WithExec([]string{"curl", "--silent", "--show-error", "--fail", "--retry", "10", "--retry-all-errors", "http://podinfo:9898/healthz"}).
		Stdout(ctx)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if !strings.Contains(body, "OK") {
		return fmt.Errorf("/healthz answered %q", body)
	}
	return nil
}

// Validation checks that bad arguments are rejected, naming the argument.
// +cache="never"
func (t *Tests) Validation(ctx context.Context) error {
	const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	const ecr = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/podinfo"
	m := dag.PodinfoDelivery()
	cases := []struct {
		name string
		dir  *dagger.Directory
		want string
	}{
		{"promote from equals to", m.Promote("prod", "prod", digest, ecr, ecr+"-prod"), "--to: equals --from"},
		{"deploy unknown env", m.Deploy("production"), "--env: unknown environment"},
		{"deploy tag", m.Deploy("dev", dagger.PodinfoDeliveryDeployOpts{Digest: "v1.2.3", Registry: ecr}), "--digest:"},
		{"keyless without OIDC", m.BuildAndSign(dagger.PodinfoDeliveryBuildAndSignOpts{Keyless: true, CertificateIdentity: "x", CertificateOidcIssuer: "https://token.actions.githubusercontent.com"}), "--oidc-request-token"},
		{"registry without credentials", m.BuildAndSign(dagger.PodinfoDeliveryBuildAndSignOpts{Registry: "ghcr.io/acme/podinfo"}), "--registry:"},
	}
	var errs []error
	for _, c := range cases {
		_, err := c.dir.Sync(ctx)
		switch {
		case err == nil:
			errs = append(errs, fmt.Errorf("%s: accepted", c.name))
		case !strings.Contains(err.Error(), c.want):
			errs = append(errs, fmt.Errorf("%s: error does not contain %q: %w", c.name, c.want, err))
		}
	}
	return errors.Join(errs...)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s || v+"/" == s {
			return true
		}
	}
	return false
}
