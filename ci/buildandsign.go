package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/deliverykit/podinfo/ci/gate"
	"github.com/deliverykit/podinfo/ci/internal/dagger"
	"github.com/deliverykit/podinfo/ci/report"
	"github.com/deliverykit/podinfo/ci/steps"
)

// Build, scan (gate), publish, SBOM, sign, attest (SPDX SBOM, vulnerability
// report, SLSA provenance) and verify the image; returns a directory with
// the digest, SBOMs, SARIF, verification output and report.md. With no
// --registry the image goes to an ephemeral registry inside the engine and,
// with no key, is signed with an ephemeral key pair.
// +cache="never"
func (m *PodinfoDelivery) BuildAndSign(
	ctx context.Context,
	// Repository to publish to, host[:port]/path (no tag); empty for the
	// embedded ephemeral registry.
	// +optional
	registry string,
	// User name for --registry (with --registry-password).
	// +optional
	registryUsername string,
	// Password or token for --registry.
	// +optional
	registryPassword *dagger.Secret,
	// AWS access key id for an ECR --registry.
	// +optional
	awsAccessKeyId *dagger.Secret,
	// AWS secret access key for an ECR --registry.
	// +optional
	awsSecretAccessKey *dagger.Secret,
	// AWS session token (short-lived keys, e.g. from GitHub's OIDC role).
	// +optional
	awsSessionToken *dagger.Secret,
	// Encrypted cosign private key (cosign.key); empty for an ephemeral key.
	// +optional
	cosignKey *dagger.Secret,
	// Password of --cosign-key.
	// +optional
	cosignPassword *dagger.Secret,
	// Public key of --cosign-key (cosign.pub), to verify after signing.
	// +optional
	cosignPublicKey *dagger.File,
	// Sign keyless with a Fulcio certificate for the CI's OIDC identity.
	// +optional
	keyless bool,
	// GitHub Actions OIDC request token (ACTIONS_ID_TOKEN_REQUEST_TOKEN), for --keyless.
	// +optional
	oidcRequestToken *dagger.Secret,
	// GitHub Actions OIDC request URL (ACTIONS_ID_TOKEN_REQUEST_URL), for --keyless.
	// +optional
	oidcRequestUrl *dagger.Secret,
	// Certificate identity the keyless signature must carry (the workflow ref URL).
	// +optional
	certificateIdentity string,
	// OIDC issuer of the keyless certificate.
	// +optional
	certificateOidcIssuer string,
	// Severities that fail the scan gate, comma-separated.
	// +default="HIGH,CRITICAL"
	severity string,
	// Allow-list of accepted findings, each with a reason and an expiry (ci/allowlist format).
	// +optional
	allowList *dagger.File,
	// Builder id recorded in the SLSA provenance (the workflow run URL in CI).
	// +default="https://dagger.io/local"
	builderId string,
) (*dagger.Directory, error) {
	creds := registryCreds{username: registryUsername, password: registryPassword, awsAccessKeyID: awsAccessKeyId, awsSecretAccessKey: awsSecretAccessKey, awsSessionToken: awsSessionToken}
	sa := signingArgs{key: cosignKey, password: cosignPassword, publicKey: cosignPublicKey, keyless: keyless, oidcRequestToken: oidcRequestToken, oidcRequestURL: oidcRequestUrl, identity: certificateIdentity, issuer: certificateOidcIssuer}
	if err := validated(creds.args(registry).Validate(), sa.validate()); err != nil {
		return nil, err
	}
	th, err := m.threshold(ctx, severity, allowList)
	if err != nil {
		return nil, err
	}
	p, err := m.newPipeline(ctx, registry, creds)
	if err != nil {
		return nil, err
	}
	res, err := p.buildAndSign(ctx, "build-and-sign", sa, th, builderId)
	if err != nil {
		return nil, err
	}
	return res.out, nil
}

// signedImage is what the supply chain produced.
type signedImage struct {
	// ref is the published image by digest.
	ref string
	// out holds the outputs and report.md.
	out *dagger.Directory
	// signing is how it was signed (the policy deploys verify with).
	signing signing
	// threshold is the scan policy.
	threshold steps.Threshold
}

// buildAndSign is the supply chain shared by build-and-sign and ci.
func (p *pipeline) buildAndSign(ctx context.Context, function string, sa signingArgs, th steps.Threshold, builderID string) (signedImage, error) {
	sg, err := p.signing(ctx, sa)
	if err != nil {
		return signedImage{}, err
	}
	b, err := p.build(ctx)
	if err != nil {
		return signedImage{}, err
	}
	sc, err := p.scan(ctx, p.staging, b.ref, th)
	if err != nil {
		return signedImage{}, err
	}
	if sc.findings {
		return signedImage{}, fmt.Errorf("scan gate: %s refused before publishing: %s; upgrade the affected modules, or accept a finding in --allow-list with a reason and an expiry", b.ref, sc.summary)
	}
	ref, err := p.publish(ctx, b.ref)
	if err != nil {
		return signedImage{}, err
	}
	sbom, err := p.sbom(ctx, ref)
	if err != nil {
		return signedImage{}, err
	}
	prov, err := p.provenance(b, ref, builderID)
	if err != nil {
		return signedImage{}, err
	}
	predicates := dag.Directory().
		WithFile(steps.FileSPDX, sbom.File(steps.FileSPDX)).
		WithFile(steps.FileVulnPredicate, sc.work.File(steps.FileVulnPredicate)).
		WithNewFile(steps.FileProvenance, string(prov))
	attest := []string{steps.PredicateSPDX, steps.PredicateVuln, steps.PredicateSLSA1}
	if err := p.sign(ctx, ref, sg, predicates, attest); err != nil {
		return signedImage{}, err
	}
	decision, verified, err := p.verify(ctx, ref, sg.policy, th, sc.report)
	if err != nil {
		return signedImage{}, err
	}
	_, digest, _ := strings.Cut(ref, "@")
	rep := report.Report{
		Function: function, Image: ref,
		Registry: p.registryText(), EphemeralRegistry: p.reg.Embedded(),
		Signing: sg.describe, EphemeralKey: sg.ephemeral,
		Checks: checks(decision),
		Tools:  p.r.tools,
		Files: map[string]string{
			"digest":                "the image digest (deploy --digest takes it)",
			"image.ref":             "the published image reference by digest",
			steps.FileSPDX:          "SBOM, SPDX JSON (attested)",
			steps.FileCycloneDX:     "SBOM, CycloneDX JSON",
			steps.FileScanJSON:      "vulnerability scan, trivy JSON",
			steps.FileScanSARIF:     "vulnerability scan, SARIF 2.1.0 (GitHub code scanning)",
			steps.FileVulnPredicate: "vulnerability attestation predicate",
			steps.FileProvenance:    "SLSA v1 provenance (attested)",
			"verify/":               "cosign verify and verify-attestation output; gate.txt is the gate's decision",
			"report.md":             "this report",
		},
		Notes: []string{"scan: " + sc.summary},
	}
	out := dag.Directory().
		WithNewFile("digest", digest+"\n").
		WithNewFile("image.ref", ref+"\n").
		WithFile(steps.FileSPDX, sbom.File(steps.FileSPDX)).
		WithFile(steps.FileCycloneDX, sbom.File(steps.FileCycloneDX)).
		WithFile(steps.FileScanJSON, sc.work.File(steps.FileScanJSON)).
		WithFile(steps.FileScanSARIF, sc.work.File(steps.FileScanSARIF)).
		WithFile(steps.FileVulnPredicate, sc.work.File(steps.FileVulnPredicate)).
		WithNewFile(steps.FileProvenance, string(prov)).
		WithDirectory("verify", verified)
	if sg.publicKey != "" {
		out = out.WithNewFile(steps.FilePublicKey, sg.publicKey)
		rep.Files[steps.FilePublicKey] = "the public key the signatures verify with"
	}
	out = out.WithNewFile("report.md", rep.Markdown())
	if !decision.Deployable {
		return signedImage{}, fmt.Errorf("verify %s after signing: %w", ref, decisionErr(decision))
	}
	return signedImage{ref: ref, out: out, signing: sg, threshold: th}, nil
}

// decisionErr returns the gate's refusal with every failed check.
func decisionErr(d gate.Decision) error {
	if err := d.Err(); err != nil {
		return err
	}
	return fmt.Errorf("not deployable: %s", d.String())
}
