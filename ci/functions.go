package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/deliverykit/podinfo/ci/args"
	"github.com/deliverykit/podinfo/ci/internal/dagger"
	"github.com/deliverykit/podinfo/ci/report"
	"github.com/deliverykit/podinfo/ci/steps"
)

// image returns the image to work on: --image when given (checked to name
// a digest), else a fresh build in the embedded registry.
func (p *pipeline) image(ctx context.Context, image string) (ref string, common steps.Common, err error) {
	if image != "" {
		if _, err := steps.ParseDigestRef("--image", image); err != nil {
			return "", steps.Common{}, &args.Error{Arg: "--image", Problem: err.Error(), Fix: "pass registry/repository@sha256:<64 hex>, e.g. the image.ref file of build-and-sign"}
		}
		return image, p.target, nil
	}
	b, err := p.build(ctx)
	if err != nil {
		return "", steps.Common{}, err
	}
	return b.ref, p.staging, nil
}

// checkImageRegistry rejects an --image outside --registry: credentials
// are bound for --registry only.
func checkImageRegistry(image, registry string) error {
	if image == "" || registry == "" {
		return nil
	}
	if !strings.HasPrefix(image, registry+"@") {
		return &args.Error{Arg: "--image", Problem: fmt.Sprintf("%q is not in --registry %q", image, registry), Fix: "pass --registry with the repository the image lives in"}
	}
	return nil
}

// Generate the SBOM (SPDX and CycloneDX JSON, with Syft) of --image, or of
// a fresh build when no --image is given.
// +cache="session"
func (m *PodinfoDelivery) Sbom(
	ctx context.Context,
	// Image by digest (registry/repository@sha256:...); empty to build one.
	// +optional
	image string,
	// Repository --image lives in, for its credentials.
	// +optional
	registry string,
	// User name for --registry.
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
	// AWS session token for an ECR --registry.
	// +optional
	awsSessionToken *dagger.Secret,
) (*dagger.Directory, error) {
	creds := registryCreds{username: registryUsername, password: registryPassword, awsAccessKeyID: awsAccessKeyId, awsSecretAccessKey: awsSecretAccessKey, awsSessionToken: awsSessionToken}
	if err := validated(creds.args(registry).Validate(), checkImageRegistry(image, registry)); err != nil {
		return nil, err
	}
	p, err := m.newPipeline(ctx, registry, creds)
	if err != nil {
		return nil, err
	}
	ref, common, err := p.image(ctx, image)
	if err != nil {
		return nil, err
	}
	s, err := steps.SBOM(steps.SBOMOptions{Common: common, Image: ref})
	if err != nil {
		return nil, err
	}
	work, err := p.targetStep(ctx, s, dag.Directory())
	if err != nil {
		return nil, err
	}
	return dag.Directory().
		WithFile(steps.FileSPDX, work.File(steps.FileSPDX)).
		WithFile(steps.FileCycloneDX, work.File(steps.FileCycloneDX)).
		WithNewFile("image.ref", ref+"\n"), nil
}

// Scan --image (or a fresh build) for vulnerabilities with Trivy; returns
// the trivy JSON, SARIF and cosign vulnerability predicate, and fails on a
// finding at or above --severity that the allow-list does not accept.
// +cache="session"
func (m *PodinfoDelivery) Scan(
	ctx context.Context,
	// Image by digest (registry/repository@sha256:...); empty to build one.
	// +optional
	image string,
	// Repository --image lives in, for its credentials.
	// +optional
	registry string,
	// User name for --registry.
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
	// AWS session token for an ECR --registry.
	// +optional
	awsSessionToken *dagger.Secret,
	// Severities that fail the scan, comma-separated.
	// +default="HIGH,CRITICAL"
	severity string,
	// Allow-list of accepted findings (ci/allowlist format).
	// +optional
	allowList *dagger.File,
	// Return the reports even when findings fail the threshold.
	// +optional
	noFail bool,
) (*dagger.Directory, error) {
	creds := registryCreds{username: registryUsername, password: registryPassword, awsAccessKeyID: awsAccessKeyId, awsSecretAccessKey: awsSecretAccessKey, awsSessionToken: awsSessionToken}
	if err := validated(creds.args(registry).Validate(), checkImageRegistry(image, registry)); err != nil {
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
	ref, common, err := p.image(ctx, image)
	if err != nil {
		return nil, err
	}
	sc, err := p.scan(ctx, common, ref, th)
	if err != nil {
		return nil, err
	}
	if sc.findings && !noFail {
		return nil, fmt.Errorf("scan %s: %s; upgrade the affected modules, accept a finding in --allow-list, or pass --no-fail to get the reports", ref, sc.summary)
	}
	return dag.Directory().
		WithFile(steps.FileScanJSON, sc.work.File(steps.FileScanJSON)).
		WithFile(steps.FileScanSARIF, sc.work.File(steps.FileScanSARIF)).
		WithFile(steps.FileVulnPredicate, sc.work.File(steps.FileVulnPredicate)).
		WithNewFile("summary.txt", sc.summary+"\n"), nil
}

// Scan the Terraform code (--iac) for misconfigurations with Trivy's
// embedded checks; returns trivy JSON and SARIF, and fails on findings at
// or above --severity that the allow-list does not accept.
func (m *PodinfoDelivery) ScanIac(
	ctx context.Context,
	// Severities that fail the scan, comma-separated.
	// +default="HIGH,CRITICAL"
	severity string,
	// Allow-list of accepted findings (ci/allowlist format).
	// +optional
	allowList *dagger.File,
	// Return the reports even when findings fail the threshold.
	// +optional
	noFail bool,
) (*dagger.Directory, error) {
	th, err := m.threshold(ctx, severity, allowList)
	if err != nil {
		return nil, err
	}
	s, err := steps.ScanConfig(steps.ConfigScanOptions{Common: steps.Common{Mirror: m.Mirror}, Dir: ".", Threshold: th})
	if err != nil {
		return nil, err
	}
	r := m.localRunner()
	ctr, err := r.container(s, opts{work: m.Iac, allowFailure: true})
	if err != nil {
		return nil, err
	}
	code, err := ctr.ExitCode(ctx)
	if err != nil {
		return nil, stepError(s, err)
	}
	work := ctr.Directory("/work")
	conv, err := steps.Convert(steps.Common{Mirror: m.Mirror}, steps.FileConfigJSON, steps.FormatSARIF, steps.FileConfigSARIF)
	if err != nil {
		return nil, err
	}
	if work, err = r.exec(ctx, conv, opts{work: work}); err != nil {
		return nil, fmt.Errorf("convert the IaC scan report: %w", err)
	}
	if code != 0 && !noFail {
		return nil, fmt.Errorf("scan-iac: misconfigurations at or above %s in --iac (exit status %d); fix them, accept them in --allow-list with a reason and an expiry, or pass --no-fail to get the reports", severity, code)
	}
	return dag.Directory().
		WithFile(steps.FileConfigJSON, work.File(steps.FileConfigJSON)).
		WithFile(steps.FileConfigSARIF, work.File(steps.FileConfigSARIF)), nil
}

// Publish a fresh build: build into the embedded registry, pass the scan
// gate, then copy it to --registry keeping its digest; returns the digest
// and the image reference.
// +cache="never"
func (m *PodinfoDelivery) Publish(
	ctx context.Context,
	// Repository to publish to, host[:port]/path (no tag); empty for the
	// embedded ephemeral registry.
	// +optional
	registry string,
	// User name for --registry.
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
	// AWS session token for an ECR --registry.
	// +optional
	awsSessionToken *dagger.Secret,
	// Severities that fail the scan gate, comma-separated.
	// +default="HIGH,CRITICAL"
	severity string,
	// Allow-list of accepted findings (ci/allowlist format).
	// +optional
	allowList *dagger.File,
) (*dagger.Directory, error) {
	creds := registryCreds{username: registryUsername, password: registryPassword, awsAccessKeyID: awsAccessKeyId, awsSecretAccessKey: awsSecretAccessKey, awsSessionToken: awsSessionToken}
	if err := creds.args(registry).Validate(); err != nil {
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
	b, err := p.build(ctx)
	if err != nil {
		return nil, err
	}
	sc, err := p.scan(ctx, p.staging, b.ref, th)
	if err != nil {
		return nil, err
	}
	if sc.findings {
		return nil, fmt.Errorf("scan gate: %s refused before publishing: %s", b.ref, sc.summary)
	}
	ref, err := p.publish(ctx, b.ref)
	if err != nil {
		return nil, err
	}
	_, digest, _ := strings.Cut(ref, "@")
	return dag.Directory().WithNewFile("digest", digest+"\n").WithNewFile("image.ref", ref+"\n"), nil
}

// Sign --image (or a fresh build, published first) with cosign: a key, an
// ephemeral key pair, or keyless.
// +cache="never"
func (m *PodinfoDelivery) Sign(
	ctx context.Context,
	// Image by digest (registry/repository@sha256:...); empty to build one.
	// +optional
	image string,
	// Repository --image lives in, for its credentials.
	// +optional
	registry string,
	// User name for --registry.
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
	// AWS session token for an ECR --registry.
	// +optional
	awsSessionToken *dagger.Secret,
	// Encrypted cosign private key (cosign.key); empty for an ephemeral key.
	// +optional
	cosignKey *dagger.Secret,
	// Password of --cosign-key.
	// +optional
	cosignPassword *dagger.Secret,
	// Public key of --cosign-key (cosign.pub).
	// +optional
	cosignPublicKey *dagger.File,
	// Sign keyless with a Fulcio certificate for the CI's OIDC identity.
	// +optional
	keyless bool,
	// GitHub Actions OIDC request token, for --keyless.
	// +optional
	oidcRequestToken *dagger.Secret,
	// GitHub Actions OIDC request URL, for --keyless.
	// +optional
	oidcRequestUrl *dagger.Secret,
	// Certificate identity the keyless signature carries.
	// +optional
	certificateIdentity string,
	// OIDC issuer of the keyless certificate.
	// +optional
	certificateOidcIssuer string,
) (*dagger.Directory, error) {
	return m.signOrAttest(ctx, "sign", image, registry,
		registryCreds{username: registryUsername, password: registryPassword, awsAccessKeyID: awsAccessKeyId, awsSecretAccessKey: awsSecretAccessKey, awsSessionToken: awsSessionToken},
		signingArgs{key: cosignKey, password: cosignPassword, publicKey: cosignPublicKey, keyless: keyless, oidcRequestToken: oidcRequestToken, oidcRequestURL: oidcRequestUrl, identity: certificateIdentity, issuer: certificateOidcIssuer},
		"", nil)
}

// Attest a predicate about --image (or, with no --image, the SPDX SBOM of
// a fresh build) as a signed in-toto attestation.
// +cache="never"
func (m *PodinfoDelivery) Attest(
	ctx context.Context,
	// Image by digest (registry/repository@sha256:...); empty to build one.
	// +optional
	image string,
	// Predicate type: spdxjson, cyclonedx, vuln or slsaprovenance1.
	// +default="spdxjson"
	predicateType string,
	// Predicate file; required with --image.
	// +optional
	predicate *dagger.File,
	// Repository --image lives in, for its credentials.
	// +optional
	registry string,
	// User name for --registry.
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
	// AWS session token for an ECR --registry.
	// +optional
	awsSessionToken *dagger.Secret,
	// Encrypted cosign private key (cosign.key); empty for an ephemeral key.
	// +optional
	cosignKey *dagger.Secret,
	// Password of --cosign-key.
	// +optional
	cosignPassword *dagger.Secret,
	// Public key of --cosign-key (cosign.pub).
	// +optional
	cosignPublicKey *dagger.File,
	// Sign keyless with a Fulcio certificate for the CI's OIDC identity.
	// +optional
	keyless bool,
	// GitHub Actions OIDC request token, for --keyless.
	// +optional
	oidcRequestToken *dagger.Secret,
	// GitHub Actions OIDC request URL, for --keyless.
	// +optional
	oidcRequestUrl *dagger.Secret,
	// Certificate identity the keyless signature carries.
	// +optional
	certificateIdentity string,
	// OIDC issuer of the keyless certificate.
	// +optional
	certificateOidcIssuer string,
) (*dagger.Directory, error) {
	if _, err := steps.PredicateTypeURI(predicateType); err != nil {
		return nil, &args.Error{Arg: "--predicate-type", Problem: err.Error(), Fix: "choose spdxjson, cyclonedx, vuln or slsaprovenance1"}
	}
	if image != "" && predicate == nil {
		return nil, &args.Error{Arg: "--predicate", Problem: "missing with --image", Fix: "pass the predicate file, e.g. --predicate ./out/sbom.spdx.json"}
	}
	if image == "" && predicate == nil && predicateType != steps.PredicateSPDX {
		return nil, &args.Error{Arg: "--predicate", Problem: fmt.Sprintf("missing for type %s without --image", predicateType), Fix: "pass --predicate, or use --predicate-type spdxjson to attest a fresh build's SBOM"}
	}
	return m.signOrAttest(ctx, "attest", image, registry,
		registryCreds{username: registryUsername, password: registryPassword, awsAccessKeyID: awsAccessKeyId, awsSecretAccessKey: awsSecretAccessKey, awsSessionToken: awsSessionToken},
		signingArgs{key: cosignKey, password: cosignPassword, publicKey: cosignPublicKey, keyless: keyless, oidcRequestToken: oidcRequestToken, oidcRequestURL: oidcRequestUrl, identity: certificateIdentity, issuer: certificateOidcIssuer},
		predicateType, predicate)
}

// signOrAttest signs (predicateType "") or attests image.
func (m *PodinfoDelivery) signOrAttest(ctx context.Context, function, image, registry string, creds registryCreds, sa signingArgs, predicateType string, predicate *dagger.File) (*dagger.Directory, error) {
	if err := validated(creds.args(registry).Validate(), checkImageRegistry(image, registry), sa.validate()); err != nil {
		return nil, err
	}
	p, err := m.newPipeline(ctx, registry, creds)
	if err != nil {
		return nil, err
	}
	sg, err := p.signing(ctx, sa)
	if err != nil {
		return nil, err
	}
	ref := image
	if ref == "" {
		b, err := p.build(ctx)
		if err != nil {
			return nil, err
		}
		if ref, err = p.publish(ctx, b.ref); err != nil {
			return nil, err
		}
	} else if _, err := steps.ParseDigestRef("--image", ref); err != nil {
		return nil, &args.Error{Arg: "--image", Problem: err.Error(), Fix: "pass registry/repository@sha256:<64 hex>"}
	}
	work := dag.Directory()
	var attest []string
	if predicateType != "" {
		attest = []string{predicateType}
		pred := map[string]string{steps.PredicateSPDX: steps.FileSPDX, steps.PredicateVuln: steps.FileVulnPredicate, steps.PredicateSLSA1: steps.FileProvenance, steps.PredicateCycloneDX: steps.FileCycloneDX}[predicateType]
		if predicate != nil {
			work = work.WithFile(pred, predicate)
		} else {
			sbom, err := p.sbom(ctx, ref)
			if err != nil {
				return nil, err
			}
			work = work.WithFile(pred, sbom.File(pred))
		}
		if err := p.attestOnly(ctx, ref, sg, work, attest); err != nil {
			return nil, err
		}
	} else if err := p.signOnly(ctx, ref, sg); err != nil {
		return nil, err
	}
	_, digest, _ := strings.Cut(ref, "@")
	rep := report.Report{
		Function: function, Image: ref, Registry: p.registryText(), EphemeralRegistry: p.reg.Embedded(),
		Signing: sg.describe, EphemeralKey: sg.ephemeral, Tools: p.r.tools,
		Files: map[string]string{"digest": "the image digest", "image.ref": "the image reference by digest", "report.md": "this report"},
	}
	out := dag.Directory().WithNewFile("digest", digest+"\n").WithNewFile("image.ref", ref+"\n")
	if sg.publicKey != "" {
		out = out.WithNewFile(steps.FilePublicKey, sg.publicKey)
		rep.Files[steps.FilePublicKey] = "the public key the signature verifies with"
	}
	return out.WithNewFile("report.md", rep.Markdown()), nil
}

// Verify --image against the deployability gate: the signature (key or
// keyless identity), the SBOM, vulnerability and provenance attestations,
// and the vulnerability policy. Returns the verification output; fails when
// the image is not deployable.
// +cache="never"
func (m *PodinfoDelivery) Verify(
	ctx context.Context,
	// Image by digest (registry/repository@sha256:...).
	image string,
	// Repository --image lives in, for its credentials.
	// +optional
	registry string,
	// User name for --registry.
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
	// AWS session token for an ECR --registry.
	// +optional
	awsSessionToken *dagger.Secret,
	// Public key the signature must verify with (cosign.pub).
	// +optional
	cosignPublicKey *dagger.File,
	// Certificate identity a keyless signature must carry.
	// +optional
	certificateIdentity string,
	// OIDC issuer of the keyless certificate.
	// +optional
	certificateOidcIssuer string,
	// Severities that fail the vulnerability policy, comma-separated.
	// +default="HIGH,CRITICAL"
	severity string,
	// Allow-list of accepted findings (ci/allowlist format).
	// +optional
	allowList *dagger.File,
) (*dagger.Directory, error) {
	creds := registryCreds{username: registryUsername, password: registryPassword, awsAccessKeyID: awsAccessKeyId, awsSecretAccessKey: awsSecretAccessKey, awsSessionToken: awsSessionToken}
	if _, err := steps.ParseDigestRef("--image", image); err != nil {
		return nil, &args.Error{Arg: "--image", Problem: err.Error(), Fix: "pass registry/repository@sha256:<64 hex>, e.g. the image.ref file of build-and-sign"}
	}
	if err := validated(creds.args(registry).Validate(), checkImageRegistry(image, registry)); err != nil {
		return nil, err
	}
	p, err := m.newPipeline(ctx, registry, creds)
	if err != nil {
		return nil, err
	}
	policy, err := m.policy(ctx, cosignPublicKey, certificateIdentity, certificateOidcIssuer, p.reg.Embedded())
	if err != nil {
		return nil, err
	}
	th, err := m.threshold(ctx, severity, allowList)
	if err != nil {
		return nil, err
	}
	return p.gate(ctx, "verify", image, policy, th)
}

// gate verifies ref and returns the verification output with report.md;
// it fails when the image is not deployable.
func (p *pipeline) gate(ctx context.Context, function, ref string, policy steps.Policy, th steps.Threshold) (*dagger.Directory, error) {
	d, files, err := p.verify(ctx, ref, policy, th, nil)
	if err != nil {
		return nil, err
	}
	rep := report.Report{Function: function, Image: ref, Registry: p.registryText(), Checks: checks(d), Tools: p.r.tools}
	if !d.Deployable {
		return nil, fmt.Errorf("gate refused %s: %w", ref, decisionErr(d))
	}
	return dag.Directory().WithDirectory("verify", files).WithNewFile("report.md", rep.Markdown()), nil
}

// policy builds the verification policy from a public key or a keyless
// identity; exactly one must be given.
func (m *PodinfoDelivery) policy(ctx context.Context, publicKey *dagger.File, identity, issuer string, embedded bool) (steps.Policy, error) {
	if publicKey == nil {
		if identity == "" && issuer == "" {
			return steps.Policy{}, &args.Error{Arg: "--cosign-public-key", Problem: "no verification policy given", Fix: "pass --cosign-public-key cosign.pub, or --certificate-identity and --certificate-oidc-issuer for keyless signatures"}
		}
		if err := (args.Identity{CertificateIdentity: identity, CertificateOIDCIssuer: issuer}).Validate(); err != nil {
			return steps.Policy{}, err
		}
		return steps.Policy{Identity: identity, Issuer: issuer}, nil
	}
	if identity != "" || issuer != "" {
		return steps.Policy{}, &args.Error{Arg: "--cosign-public-key", Problem: "given together with --certificate-identity/--certificate-oidc-issuer", Fix: "verify either with a key or with a keyless identity"}
	}
	pub, err := publicKey.Contents(ctx)
	if err != nil {
		return steps.Policy{}, fmt.Errorf("read --cosign-public-key: %w", err)
	}
	if err := steps.CheckPublicKey([]byte(pub)); err != nil {
		return steps.Policy{}, &args.Error{Arg: "--cosign-public-key", Problem: err.Error(), Fix: "pass the cosign.pub the image was signed for"}
	}
	// Key-signed images in a real registry carry a transparency-log entry;
	// in the embedded registry they were signed offline.
	return steps.Policy{PublicKey: []byte(pub), IgnoreTlog: embedded}, nil
}
