package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/deliverykit/podinfo/ci/args"
	"github.com/deliverykit/podinfo/ci/gate"
	"github.com/deliverykit/podinfo/ci/internal/dagger"
	"github.com/deliverykit/podinfo/ci/modsteps"
	"github.com/deliverykit/podinfo/ci/report"
	"github.com/deliverykit/podinfo/ci/step"
	"github.com/deliverykit/podinfo/ci/steps"
)

// signingArgs are the signing and verification arguments of a call.
type signingArgs struct {
	key              *dagger.Secret
	password         *dagger.Secret
	publicKey        *dagger.File
	keyless          bool
	oidcRequestToken *dagger.Secret
	oidcRequestURL   *dagger.Secret
	identity         string
	issuer           string
}

// validate checks the signing mode before any container runs.
func (s signingArgs) validate() error {
	a := args.Signing{
		Key: s.key != nil, Password: s.password != nil, PublicKey: s.publicKey != nil,
		Keyless: s.keyless, OIDCRequestToken: s.oidcRequestToken != nil, OIDCRequestURL: s.oidcRequestURL != nil,
	}
	if err := a.Validate(); err != nil {
		return err
	}
	if s.keyless {
		return args.Identity{CertificateIdentity: s.identity, CertificateOIDCIssuer: s.issuer}.Validate()
	}
	return nil
}

// signing is the resolved signing mode: how steps sign and what the gate
// then requires.
type signing struct {
	signer    steps.Signer
	policy    steps.Policy
	ephemeral bool
	// publicKey is the PEM public key (key modes), written to the output.
	publicKey string
	describe  string
}

// signing binds the signing secrets into the runner. Without a key it
// generates an ephemeral key pair in a container.
func (p *pipeline) signing(ctx context.Context, s signingArgs) (signing, error) {
	switch {
	case s.keyless:
		p.r.secrets[steps.EnvOIDCRequestToken] = s.oidcRequestToken
		p.r.secrets[steps.EnvOIDCRequestURL] = s.oidcRequestURL
		return signing{
			signer:   steps.Signer{Keyless: true},
			policy:   steps.Policy{Identity: s.identity, Issuer: s.issuer},
			describe: fmt.Sprintf("keyless (Fulcio certificate for %s, issuer %s, recorded in Rekor)", s.identity, s.issuer),
		}, nil
	case s.key != nil:
		pub, err := s.publicKey.Contents(ctx)
		if err != nil {
			return signing{}, fmt.Errorf("read --cosign-public-key: %w", err)
		}
		if err := steps.CheckPublicKey([]byte(pub)); err != nil {
			return signing{}, &args.Error{Arg: "--cosign-public-key", Problem: err.Error(), Fix: "pass the cosign.pub that belongs to --cosign-key"}
		}
		password := s.password
		if password == nil {
			password = dag.SetSecret("podinfo-delivery-empty-cosign-password", "")
		}
		p.r.secrets[steps.EnvCosignKey] = s.key
		p.r.secrets[steps.EnvCosignPassword] = password
		offline := p.reg.Embedded()
		return signing{
			signer:    steps.Signer{Offline: offline},
			policy:    steps.Policy{PublicKey: []byte(pub), IgnoreTlog: offline},
			publicKey: pub,
			describe:  "cosign key (--cosign-key); verified with --cosign-public-key",
		}, nil
	default:
		return p.ephemeralKey(ctx)
	}
}

// ephemeralKey generates a key pair for this call only. The private key is
// encrypted with an empty password, lives in this call's engine session and
// is bound to the signing steps as a secret; it is never written to the
// output.
func (p *pipeline) ephemeralKey(ctx context.Context) (signing, error) {
	password := dag.SetSecret("podinfo-delivery-ephemeral-password-"+p.r.runID, "")
	p.r.secrets[steps.EnvCosignPassword] = password
	gen := modsteps.GenerateKeyPair(p.m.Mirror)
	work, err := p.r.exec(ctx, gen, opts{work: dag.Directory(), sideEffect: true})
	if err != nil {
		return signing{}, fmt.Errorf("generate the ephemeral key pair: %w", err)
	}
	key, err := readFile(ctx, work, modsteps.FileEphemeralKey)
	if err != nil {
		return signing{}, fmt.Errorf("ephemeral key: %w", err)
	}
	pub, err := readFile(ctx, work, modsteps.FileEphemeralPub)
	if err != nil {
		return signing{}, fmt.Errorf("ephemeral key: %w", err)
	}
	p.r.secrets[steps.EnvCosignKey] = dag.SetSecret("podinfo-delivery-ephemeral-key-"+p.r.runID, key)
	return signing{
		signer:    steps.Signer{Offline: true},
		policy:    steps.Policy{PublicKey: []byte(pub), IgnoreTlog: true},
		ephemeral: true,
		publicKey: pub,
		describe:  "ephemeral key pair generated in this run (cosign.pub in this directory); no transparency-log entry",
	}, nil
}

// built is an image built into the embedded registry.
type built struct {
	ref  string
	opts steps.BuildOptions
}

// build pushes the pinned base image and builds the service with ko into
// the embedded registry.
func (p *pipeline) build(ctx context.Context) (built, error) {
	base, err := steps.PushBase(steps.PushBaseOptions{Common: p.staging, Repository: stagingBase, Platform: p.m.Platform})
	if err != nil {
		return built{}, err
	}
	if _, err := p.stagingStep(ctx, base, dag.Directory()); err != nil {
		return built{}, fmt.Errorf("push the base image: %w", err)
	}
	bo, err := p.m.buildOptions(ctx)
	if err != nil {
		return built{}, err
	}
	s, err := steps.Build(bo)
	if err != nil {
		return built{}, err
	}
	work, err := p.stagingStep(ctx, s, p.m.Source)
	if err != nil {
		return built{}, fmt.Errorf("build the image: %w", err)
	}
	ref, err := readFile(ctx, work, steps.FileImageRef)
	if err != nil {
		return built{}, fmt.Errorf("build the image: %w", err)
	}
	return built{ref: strings.TrimSpace(ref), opts: bo}, nil
}

// scanned is the outcome of the vulnerability scan.
type scanned struct {
	work     *dagger.Directory
	report   []byte
	findings bool
	summary  string
}

// scan runs trivy against ref in the embedded registry (allowing findings
// so the report survives), then renders SARIF and the cosign vulnerability
// predicate from the same report.
func (p *pipeline) scan(ctx context.Context, common steps.Common, ref string, th steps.Threshold) (scanned, error) {
	s, err := steps.ScanImage(steps.ScanOptions{Common: common, Image: ref, Threshold: th, DB: steps.TrivyDB{CacheDir: "trivy-cache"}})
	if err != nil {
		return scanned{}, err
	}
	ctr, err := p.r.container(p.auth(s), opts{work: dag.Directory(), sideEffect: true, allowFailure: true})
	if err != nil {
		return scanned{}, err
	}
	code, err := ctr.ExitCode(ctx)
	if err != nil {
		return scanned{}, stepError(s, err)
	}
	work := ctr.Directory(step.WorkDir)
	rep, err := readFile(ctx, work, steps.FileScanJSON)
	if err != nil {
		return scanned{}, fmt.Errorf("scan %s: exit status %d and no report: %w", ref, code, err)
	}
	for _, conv := range []struct{ format, out string }{
		{steps.FormatSARIF, steps.FileScanSARIF},
		{steps.FormatCosignVuln, steps.FileVulnPredicate},
	} {
		cs, err := steps.Convert(common, steps.FileScanJSON, conv.format, conv.out)
		if err != nil {
			return scanned{}, err
		}
		if work, err = p.r.exec(ctx, cs, opts{work: work}); err != nil {
			return scanned{}, fmt.Errorf("convert the scan report: %w", err)
		}
	}
	sev, list, err := th.Resolve()
	if err != nil {
		return scanned{}, err
	}
	violations, total, err := gate.Violations([]byte(rep), sev, !th.IncludeUnfixed, list)
	if err != nil {
		return scanned{}, fmt.Errorf("read the scan report: %w", err)
	}
	sc := scanned{work: work, report: []byte(rep), findings: code != 0 || len(violations) > 0}
	sc.summary = fmt.Sprintf("%d vulnerabilities listed, %d at or above %s not allow-listed", total, len(violations), strings.Join(sev, ","))
	if len(violations) > 0 {
		sc.summary += ": " + strings.Join(violations, "; ")
	}
	return sc, nil
}

// threshold builds the scan policy from --severity and --allow-list.
func (m *PodinfoDelivery) threshold(ctx context.Context, severity string, allowList *dagger.File) (steps.Threshold, error) {
	if err := args.Severity("--severity", severity); err != nil {
		return steps.Threshold{}, err
	}
	th := steps.Threshold{Severities: strings.Split(severity, ","), Now: time.Now()}
	if allowList != nil {
		c, err := allowList.Contents(ctx)
		if err != nil {
			return steps.Threshold{}, fmt.Errorf("read --allow-list: %w", err)
		}
		th.AllowList = []byte(c)
	}
	if _, _, err := th.Resolve(); err != nil {
		return steps.Threshold{}, &args.Error{Arg: "--allow-list", Problem: err.Error(), Fix: "fix or renew the entry (see ci/allowlist)"}
	}
	return th, nil
}

// publish copies the staged image to the target repository with its
// signatures (none yet), keeping the digest; without --registry the staged
// image is the published one.
func (p *pipeline) publish(ctx context.Context, staged string) (string, error) {
	if p.reg.Embedded() {
		return staged, nil
	}
	s, err := steps.Copy(steps.CopyOptions{Common: p.staging, Image: staged, Destination: p.targetRepo})
	if err != nil {
		return "", err
	}
	if _, err := p.targetStep(ctx, s, dag.Directory()); err != nil {
		return "", fmt.Errorf("publish to %s: %w", p.targetRepo, err)
	}
	_, digest, _ := strings.Cut(staged, "@")
	return p.targetRepo + "@" + digest, nil
}

// sbom writes the SPDX and CycloneDX SBOMs of ref.
func (p *pipeline) sbom(ctx context.Context, ref string) (*dagger.Directory, error) {
	s, err := steps.SBOM(steps.SBOMOptions{Common: p.target, Image: ref})
	if err != nil {
		return nil, err
	}
	return p.targetStep(ctx, s, dag.Directory())
}

// sign signs ref and attests the SBOM, the vulnerability report and the
// SLSA provenance; predicates are read from work.
func (p *pipeline) sign(ctx context.Context, ref string, sg signing, work *dagger.Directory, attest []string) error {
	if err := p.signOnly(ctx, ref, sg); err != nil {
		return err
	}
	return p.attestOnly(ctx, ref, sg, work, attest)
}

// signOnly signs ref.
func (p *pipeline) signOnly(ctx context.Context, ref string, sg signing) error {
	s, err := steps.Sign(steps.SignOptions{Common: p.target, Image: ref, Signer: sg.signer})
	if err != nil {
		return err
	}
	if _, err := p.targetStep(ctx, s, dag.Directory()); err != nil {
		return fmt.Errorf("sign %s: %w", ref, err)
	}
	return nil
}

// attestOnly attests the predicates in work of the given types about ref.
func (p *pipeline) attestOnly(ctx context.Context, ref string, sg signing, work *dagger.Directory, attest []string) error {
	predicates := map[string]string{
		steps.PredicateSPDX:      steps.FileSPDX,
		steps.PredicateVuln:      steps.FileVulnPredicate,
		steps.PredicateSLSA1:     steps.FileProvenance,
		steps.PredicateCycloneDX: steps.FileCycloneDX,
	}
	for _, typ := range attest {
		a, err := steps.Attest(steps.AttestOptions{Common: p.target, Image: ref, Type: typ, Predicate: predicates[typ], Signer: sg.signer})
		if err != nil {
			return err
		}
		if _, err := p.targetStep(ctx, a, work); err != nil {
			return fmt.Errorf("attest %s of %s: %w", typ, ref, err)
		}
	}
	return nil
}

// provenance renders the SLSA v1 provenance of the build of ref.
func (p *pipeline) provenance(b built, ref, builderID string) ([]byte, error) {
	return steps.Provenance(steps.ProvenanceInput{
		Build: b.opts, Image: ref, BuilderID: builderID,
		StartedOn: p.started, FinishedOn: time.Now(),
	})
}

// authRunner runs the gate's verification steps with the target
// registry's credentials.
type authRunner struct{ p *pipeline }

// Run implements step.Runner.
func (a authRunner) Run(ctx context.Context, s step.Step) (step.Result, error) {
	return a.p.r.Run(ctx, a.p.auth(s))
}

// verify runs the deployability gate on ref and returns the decision and
// the verification outputs as files.
func (p *pipeline) verify(ctx context.Context, ref string, policy steps.Policy, th steps.Threshold, scan []byte) (gate.Decision, *dagger.Directory, error) {
	rec := &recorder{next: authRunner{p}, files: dag.Directory()}
	d, err := gate.Check(ctx, rec, p.target, ref, policy, th, scan)
	if err != nil {
		return gate.Decision{}, nil, fmt.Errorf("verify %s: %w", ref, err)
	}
	return d, rec.files.WithNewFile("gate.txt", d.String()+"\n"), nil
}

// recorder keeps every output file the verification steps wrote.
type recorder struct {
	next  step.Runner
	files *dagger.Directory
}

// Run implements step.Runner.
func (r *recorder) Run(ctx context.Context, s step.Step) (step.Result, error) {
	res, err := r.next.Run(ctx, s)
	if err != nil {
		return res, err
	}
	for name, b := range res.Outputs {
		r.files = r.files.WithNewFile(name, string(b))
	}
	return res, nil
}

// checks turns a gate decision into report rows.
func checks(d gate.Decision) []report.Check {
	out := make([]report.Check, 0, len(d.Findings))
	for _, f := range d.Findings {
		out = append(out, report.Check{Name: f.Check, OK: f.OK, Detail: f.Detail})
	}
	return out
}

// registryText describes the target registry for the report.
func (p *pipeline) registryText() string {
	if p.reg.Embedded() {
		return "embedded ephemeral registry service inside the engine (registry:5000)"
	}
	return p.targetRepo
}
