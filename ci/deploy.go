package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/deliverykit/podinfo/ci/args"
	"github.com/deliverykit/podinfo/ci/internal/dagger"
	"github.com/deliverykit/podinfo/ci/lambdasmoke"
	"github.com/deliverykit/podinfo/ci/modsteps"
	"github.com/deliverykit/podinfo/ci/report"
	"github.com/deliverykit/podinfo/ci/steps"
)

// Service ports: podinfo's HTTP port and the runtime interface emulator's.
const (
	httpPort   = 9898
	lambdaPort = 8080
	rieDir     = "/opt/rie"
)

// Deploy a verified digest to an environment: the gate (signature,
// attestations, vulnerability policy), then the deployer (Terraform,
// Lambda alias shift, EC2 blue/green, smoke tests, automatic rollback) in
// the Terraform image. --env local needs no AWS: it builds and signs with
// the embedded defaults (or gates --digest from --registry), runs the image
// as services in HTTP mode and in Lambda mode under the runtime interface
// emulator, and smoke-tests both.
// +cache="never"
func (m *PodinfoDelivery) Deploy(
	ctx context.Context,
	// Environment: local, dev, staging or prod.
	env string,
	// Image digest to deploy (sha256:...); optional for --env local, which
	// then builds and signs one.
	// +optional
	digest string,
	// Repository the digest lives in (the environment's ECR repository).
	// +optional
	registry string,
	// User name for --registry.
	// +optional
	registryUsername string,
	// Password or token for --registry.
	// +optional
	registryPassword *dagger.Secret,
	// AWS access key id (registry and deployment).
	// +optional
	awsAccessKeyId *dagger.Secret,
	// AWS secret access key (registry and deployment).
	// +optional
	awsSecretAccessKey *dagger.Secret,
	// AWS session token (short-lived keys, e.g. from GitHub's OIDC role).
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
	// Stop after the Terraform plan and its policy: apply nothing.
	// +optional
	dryRun bool,
) (*dagger.Directory, error) {
	creds := registryCreds{username: registryUsername, password: registryPassword, awsAccessKeyID: awsAccessKeyId, awsSecretAccessKey: awsSecretAccessKey, awsSessionToken: awsSessionToken}
	if err := args.DeployEnv("--env", env); err != nil {
		return nil, err
	}
	if env == args.Local {
		return m.deployLocal(ctx, digest, registry, creds, cosignPublicKey, certificateIdentity, certificateOidcIssuer, severity, allowList)
	}
	if err := validated(args.Digest("--digest", digest), requireRegistry(registry, env), creds.args(registry).Validate(), requireAWS(creds)); err != nil {
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
	policy, err := m.policy(ctx, cosignPublicKey, certificateIdentity, certificateOidcIssuer, false)
	if err != nil {
		return nil, err
	}
	ref := registry + "@" + digest
	gated, err := p.gate(ctx, "deploy", ref, policy, th)
	if err != nil {
		return nil, err
	}
	out, err := p.deployer(ctx, modsteps.DeployOptions{Mirror: m.Mirror, Env: env, Digest: digest, Region: ecrRegion(p.reg.Host()), DryRun: dryRun}, creds)
	if err != nil {
		return nil, err
	}
	return out.WithDirectory("gate", gated), nil
}

// requireRegistry rejects an AWS deploy without the repository to verify.
func requireRegistry(registry, env string) error {
	if registry != "" {
		return nil
	}
	return &args.Error{Arg: "--registry", Problem: "missing for --env " + env, Fix: "pass the environment's repository (terraform output repository_url), e.g. --registry 123456789012.dkr.ecr.eu-west-1.amazonaws.com/podinfo"}
}

// requireAWS rejects an AWS deploy without AWS credentials.
func requireAWS(c registryCreds) error {
	if c.awsAccessKeyID != nil && c.awsSecretAccessKey != nil {
		return nil
	}
	return &args.Error{Arg: "--aws-access-key-id", Problem: "missing: deploying to AWS needs credentials", Fix: "pass --aws-access-key-id, --aws-secret-access-key (and --aws-session-token) as secrets, e.g. env://AWS_ACCESS_KEY_ID"}
}

// moduleSource returns this module's own Go source (ci/), from which the
// deployer and the smoke checks are built.
func moduleSource(ctx context.Context) (*dagger.Directory, error) {
	src := dag.CurrentModule().Source()
	entries, err := src.Entries(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the module source: %w", err)
	}
	for _, e := range entries {
		if strings.TrimSuffix(e, "/") == "cmd" {
			return src, nil
		}
	}
	return src.Directory("ci"), nil
}

// goBinary builds a main package of this module into a file.
func (p *pipeline) goBinary(ctx context.Context, pkg, name string) (*dagger.File, error) {
	src, err := moduleSource(ctx)
	if err != nil {
		return nil, err
	}
	s, err := modsteps.GoBuild(p.m.Mirror, pkg, name)
	if err != nil {
		return nil, err
	}
	work, err := p.r.exec(ctx, s, opts{work: src})
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", pkg, err)
	}
	return work.File(path.Join(modsteps.DirBin, name)), nil
}

// deployer runs the deployer against --iac with the AWS credentials and
// returns its report.
func (p *pipeline) deployer(ctx context.Context, o modsteps.DeployOptions, creds registryCreds) (*dagger.Directory, error) {
	bin, err := p.goBinary(ctx, "./cmd/deployer", "deployer")
	if err != nil {
		return nil, err
	}
	o.Secrets = p.bindAWSSecrets(creds)
	s, err := modsteps.Deploy(o)
	if err != nil {
		return nil, err
	}
	work := dag.Directory().WithDirectory("iac", p.m.Iac).WithFile(path.Join(modsteps.DirBin, "deployer"), bin, dagger.DirectoryWithFileOpts{Permissions: 0o755})
	ctr, err := p.r.container(s, opts{work: work, sideEffect: true, allowFailure: true})
	if err != nil {
		return nil, err
	}
	code, err := ctr.ExitCode(ctx)
	if err != nil {
		return nil, stepError(s, err)
	}
	rep := ctr.Directory(path.Join("/work", modsteps.DirDeployReport))
	if code != 0 {
		stderr, serr := ctr.Stderr(ctx)
		if serr != nil {
			stderr = fmt.Sprintf("(stderr unavailable: %v)", serr)
		}
		return nil, fmt.Errorf("deploy %s to %s: the deployer exited with status %d (1: failed or rolled back, 2: refused input): %s", o.Digest, o.Env, code, tail(stderr, 4000))
	}
	raw, err := rep.File("deploy-report.json").Contents(ctx)
	if err != nil {
		return nil, fmt.Errorf("deploy %s to %s: read the deployer's report: %w", o.Digest, o.Env, err)
	}
	outcome, err := readDeployOutcome([]byte(raw))
	if err != nil {
		return nil, fmt.Errorf("deploy %s to %s: %w", o.Digest, o.Env, err)
	}
	if !outcome.DryRun && !outcome.Healthy {
		return nil, fmt.Errorf("deploy %s to %s: outcome %q but the smoke tests did not pass: see deploy/deploy-report.md", o.Digest, o.Env, outcome.Outcome)
	}
	summary := report.Report{
		Function: "deploy --env " + o.Env, Image: o.Digest, Tools: p.r.tools,
		Checks: []report.Check{
			{Name: "gate", OK: true, Detail: "signature, attestations and vulnerability policy verified (gate/)"},
			{Name: "deployer", OK: true, Detail: fmt.Sprintf("outcome %s, dry run %v (deploy/deploy-report.md)", outcome.Outcome, outcome.DryRun)},
			{Name: "smoke", OK: outcome.Healthy || outcome.DryRun, Detail: fmt.Sprintf("healthy %v", outcome.Healthy)},
		},
	}
	return dag.Directory().WithDirectory("deploy", rep).WithNewFile("report.md", summary.Markdown()), nil
}

// deployOutcome is the part of the deployer's report.json the module reads.
type deployOutcome struct {
	Outcome string `json:"outcome"`
	Healthy bool   `json:"healthy"`
	DryRun  bool   `json:"dry_run"`
}

// readDeployOutcome decodes the deployer's report.json.
func readDeployOutcome(raw []byte) (deployOutcome, error) {
	var o deployOutcome
	if err := json.Unmarshal(raw, &o); err != nil {
		return deployOutcome{}, fmt.Errorf("the deployer's deploy-report.json does not parse: %w", err)
	}
	if o.Outcome == "" {
		return deployOutcome{}, fmt.Errorf("the deployer's deploy-report.json has no outcome")
	}
	return o, nil
}

// deployLocal runs the image as services and smoke-tests both modes.
func (m *PodinfoDelivery) deployLocal(ctx context.Context, digest, registry string, creds registryCreds, publicKey *dagger.File, identity, issuer, severity string, allowList *dagger.File) (*dagger.Directory, error) {
	if digest != "" {
		if err := validated(args.Digest("--digest", digest), creds.args(registry).Validate()); err != nil {
			return nil, err
		}
		if registry == "" {
			return nil, &args.Error{Arg: "--registry", Problem: "missing with --digest for --env local: the embedded registry starts empty", Fix: "pass the repository the digest lives in, or drop --digest to build and sign one in this call"}
		}
	}
	th, err := m.threshold(ctx, severity, allowList)
	if err != nil {
		return nil, err
	}
	p, err := m.newPipeline(ctx, registry, creds)
	if err != nil {
		return nil, err
	}
	var ref string
	out := dag.Directory()
	if digest == "" {
		signed, err := p.buildAndSign(ctx, "deploy --env local", signingArgs{}, th, "https://dagger.io/local")
		if err != nil {
			return nil, err
		}
		ref, out = signed.ref, out.WithDirectory("build-and-sign", signed.out)
	} else {
		policy, err := m.policy(ctx, publicKey, identity, issuer, false)
		if err != nil {
			return nil, err
		}
		ref = registry + "@" + digest
		gated, err := p.gate(ctx, "deploy --env local", ref, policy, th)
		if err != nil {
			return nil, err
		}
		out = out.WithDirectory("gate", gated)
	}
	tar, err := p.tarball(ctx, ref)
	if err != nil {
		return nil, err
	}
	img := dag.Container().Import(tar)
	rie, err := p.tool(ctx, "aws-lambda-rie")
	if err != nil {
		return nil, err
	}
	smokeBin, err := p.goBinary(ctx, "./cmd/smoke", "smoke")
	if err != nil {
		return nil, err
	}
	httpSvc, lambdaSvc := m.httpService(img), m.lambdaService(img, rie)
	r := &runner{
		secrets:  map[string]*dagger.Secret{},
		services: map[string]*dagger.Service{"podinfo-http": httpSvc, "podinfo-lambda": lambdaSvc},
		runID:    p.r.runID,
		work:     dag.Directory(),
	}
	smoke, err := modsteps.Smoke(m.Mirror, fmt.Sprintf("http://podinfo-http:%d", httpPort), m.Version)
	if err != nil {
		return nil, err
	}
	smokeWork, err := r.exec(ctx, smoke, opts{work: dag.Directory().WithFile(path.Join(modsteps.DirBin, "smoke"), smokeBin, dagger.DirectoryWithFileOpts{Permissions: 0o755}), sideEffect: true})
	if err != nil {
		return nil, fmt.Errorf("smoke-test HTTP mode: %w", err)
	}
	out = out.WithFile("smoke-http.json", smokeWork.File(modsteps.FileSmokeReport))
	var checks []report.Check
	for _, c := range []struct{ path, contains string }{{"/healthz", "OK"}, {"/version", m.Version}} {
		ev, err := lambdasmoke.Event(c.path)
		if err != nil {
			return nil, err
		}
		inv, err := modsteps.LambdaInvoke(m.Mirror, fmt.Sprintf("http://podinfo-lambda:%d", lambdaPort), ev)
		if err != nil {
			return nil, err
		}
		work, err := r.exec(ctx, inv, opts{sideEffect: true})
		if err != nil {
			return nil, fmt.Errorf("smoke-test Lambda mode %s: %w", c.path, err)
		}
		raw, err := readFile(ctx, work, modsteps.FileInvokeResponse)
		if err != nil {
			return nil, err
		}
		if _, err := lambdasmoke.Check(c.path, []byte(raw), c.contains); err != nil {
			return nil, err
		}
		name := "lambda" + strings.ReplaceAll(c.path, "/", "-") + ".json"
		out = out.WithNewFile(name, raw)
		checks = append(checks, report.Check{Name: "lambda " + c.path, OK: true, Detail: "200 through the runtime interface emulator"})
	}
	checks = append([]report.Check{{Name: "http", OK: true, Detail: "smoke checks passed (smoke-http.json)"}}, checks...)
	rep := report.Report{
		Function: "deploy --env local", Image: ref, Registry: p.registryText(), EphemeralRegistry: p.reg.Embedded(),
		Checks: checks, Tools: append(p.r.tools, r.tools...),
		Notes: []string{"the image ran as two Dagger services: HTTP mode on :9898 and Lambda mode under aws-lambda-rie on :8080; `dagger call serve --mode lambda up` keeps one running"},
	}
	return out.WithNewFile("report.md", rep.Markdown()), nil
}

// tool builds a pinned tool from source (toolversions) into a file.
func (p *pipeline) tool(ctx context.Context, name string) (*dagger.File, error) {
	s, err := modsteps.GoInstall(p.m.Mirror, name)
	if err != nil {
		return nil, err
	}
	work, err := p.r.exec(ctx, s, opts{work: dag.Directory()})
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", name, err)
	}
	return work.File(s.Outputs[0]), nil
}

// binary is where ko placed the service's binary in the image.
func (m *PodinfoDelivery) binary() string { return "/ko-app/" + path.Base(m.Main) }

// httpService runs the image in HTTP mode.
func (m *PodinfoDelivery) httpService(img *dagger.Container) *dagger.Service {
	return img.
		WithEnvVariable("PODINFO_PORT", fmt.Sprint(httpPort)).
		WithExposedPort(httpPort).
		AsService(dagger.ContainerAsServiceOpts{Args: []string{m.binary()}})
}

// lambdaService runs the image in Lambda mode under the runtime interface
// emulator, which sets AWS_LAMBDA_RUNTIME_API for the binary.
func (m *PodinfoDelivery) lambdaService(img *dagger.Container, rie *dagger.File) *dagger.Service {
	emulator := path.Join(rieDir, "aws-lambda-rie")
	return img.
		WithMountedFile(emulator, rie).
		WithExposedPort(lambdaPort).
		AsService(dagger.ContainerAsServiceOpts{Args: []string{emulator, m.binary()}})
}

// Run the service as a Dagger service, in HTTP mode (port 9898) or in
// Lambda mode under the runtime interface emulator (port 8080, POST API
// Gateway payload v2 events to /2015-03-31/functions/function/invocations);
// use it with `up`.
func (m *PodinfoDelivery) Serve(
	ctx context.Context,
	// http or lambda.
	// +default="http"
	mode string,
) (*dagger.Service, error) {
	if err := args.Mode("--mode", mode); err != nil {
		return nil, err
	}
	p, err := m.newPipeline(ctx, "", registryCreds{})
	if err != nil {
		return nil, err
	}
	tar, err := p.buildTarball(ctx)
	if err != nil {
		return nil, err
	}
	img := dag.Container().Import(tar)
	if mode == "http" {
		return m.httpService(img), nil
	}
	rie, err := p.tool(ctx, "aws-lambda-rie")
	if err != nil {
		return nil, err
	}
	return m.lambdaService(img, rie), nil
}

// Promote a digest from one environment to the next: the gate at the
// source, the deployer's check that the digest runs healthy there, a
// digest-preserving copy with its signatures and attestations (cosign
// copy), the gate again at the destination, and a promotion record.
// +cache="never"
func (m *PodinfoDelivery) Promote(
	ctx context.Context,
	// Source environment: dev or staging.
	from string,
	// Target environment: staging or prod, after --from.
	to string,
	// Image digest to promote (sha256:...).
	digest string,
	// Source repository (--from's ECR repository).
	fromRegistry string,
	// Target repository (--to's ECR repository).
	toRegistry string,
	// AWS access key id (both registries and the source's state).
	// +optional
	awsAccessKeyId *dagger.Secret,
	// AWS secret access key.
	// +optional
	awsSecretAccessKey *dagger.Secret,
	// AWS session token.
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
	creds := registryCreds{awsAccessKeyID: awsAccessKeyId, awsSecretAccessKey: awsSecretAccessKey, awsSessionToken: awsSessionToken}
	if err := validated(args.Promotion(from, to), args.Digest("--digest", digest)); err != nil {
		return nil, err
	}
	if fromRegistry == toRegistry {
		return nil, &args.Error{Arg: "--to-registry", Problem: fmt.Sprintf("equals --from-registry (%q)", toRegistry), Fix: "pass " + to + "'s repository: each environment has its own"}
	}
	fromArgs, toArgs := creds.args(fromRegistry), creds.args(toRegistry)
	if err := validated(renamed(fromArgs.Validate(), "--registry", "--from-registry"), renamed(toArgs.Validate(), "--registry", "--to-registry"), requireAWS(creds)); err != nil {
		return nil, err
	}
	th, err := m.threshold(ctx, severity, allowList)
	if err != nil {
		return nil, err
	}
	policy, err := m.policy(ctx, cosignPublicKey, certificateIdentity, certificateOidcIssuer, false)
	if err != nil {
		return nil, err
	}
	src, err := m.newPipeline(ctx, fromRegistry, creds)
	if err != nil {
		return nil, err
	}
	fromRef := fromRegistry + "@" + digest
	gatedFrom, err := src.gate(ctx, "promote (source)", fromRef, policy, th)
	if err != nil {
		return nil, err
	}
	if err := src.promoteCheck(ctx, from, digest, creds); err != nil {
		return nil, err
	}
	cp, err := steps.Copy(steps.CopyOptions{Common: src.target, Image: fromRef, Destination: toRegistry})
	if err != nil {
		return nil, err
	}
	if _, err := src.targetStep(ctx, cp, dag.Directory()); err != nil {
		return nil, fmt.Errorf("copy %s to %s: %w", fromRef, toRegistry, err)
	}
	dst, err := m.newPipeline(ctx, toRegistry, creds)
	if err != nil {
		return nil, err
	}
	toRef := toRegistry + "@" + digest
	gatedTo, err := dst.gate(ctx, "promote (target)", toRef, policy, th)
	if err != nil {
		return nil, err
	}
	record := fmt.Sprintf("{\n  \"from\": %q,\n  \"to\": %q,\n  \"digest\": %q,\n  \"source\": %q,\n  \"target\": %q,\n  \"promotedAt\": %q\n}\n",
		from, to, digest, fromRef, toRef, src.started.UTC().Format("2006-01-02T15:04:05Z"))
	rep := report.Report{
		Function: "promote " + from + " -> " + to, Image: toRef, Registry: toRegistry,
		Checks: []report.Check{{Name: "gate at " + from, OK: true, Detail: fromRef}, {Name: "healthy in " + from, OK: true, Detail: "deployer promote-check"}, {Name: "gate at " + to, OK: true, Detail: toRef}},
		Tools:  append(src.r.tools, dst.r.tools...),
		Notes:  []string{"deploy it with: dagger call deploy --env " + to + " --digest " + digest + " --registry " + toRegistry},
	}
	return dag.Directory().
		WithNewFile("promotion.json", record).
		WithDirectory("gate-"+from, gatedFrom).
		WithDirectory("gate-"+to, gatedTo).
		WithNewFile("report.md", rep.Markdown()), nil
}

// renamed re-labels an argument error for a function whose flag has
// another name.
func renamed(err error, from, to string) error {
	var e *args.Error
	if errors.As(err, &e) && e.Arg == from {
		c := *e
		c.Arg = to
		return &c
	}
	return err
}

// promoteCheck asks the deployer whether digest runs healthy in env.
func (p *pipeline) promoteCheck(ctx context.Context, env, digest string, creds registryCreds) error {
	bin, err := p.goBinary(ctx, "./cmd/deployer", "deployer")
	if err != nil {
		return err
	}
	s, err := modsteps.PromoteCheck(modsteps.DeployOptions{Mirror: p.m.Mirror, Env: env, Digest: digest, Secrets: p.bindAWSSecrets(creds)})
	if err != nil {
		return err
	}
	work := dag.Directory().WithDirectory("iac", p.m.Iac).WithFile(path.Join(modsteps.DirBin, "deployer"), bin, dagger.DirectoryWithFileOpts{Permissions: 0o755})
	if _, err := p.r.exec(ctx, s, opts{work: work, sideEffect: true}); err != nil {
		return fmt.Errorf("%s is not deployed healthy in %s, so it cannot be promoted from there: %w", digest, env, err)
	}
	return nil
}

// Roll an environment back to a digest that ran there before: the deployer
// confirms --digest was deployed healthy in --env, then it is deployed again
// through the gate (Terraform, traffic shift, smoke tests).
// +cache="never"
func (m *PodinfoDelivery) Rollback(
	ctx context.Context,
	// Environment: dev, staging or prod.
	env string,
	// Earlier digest to return to (sha256:...), from a deploy record.
	digest string,
	// Repository the digest lives in (the environment's ECR repository).
	registry string,
	// AWS access key id.
	// +optional
	awsAccessKeyId *dagger.Secret,
	// AWS secret access key.
	// +optional
	awsSecretAccessKey *dagger.Secret,
	// AWS session token.
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
) (*dagger.Directory, error) {
	creds := registryCreds{awsAccessKeyID: awsAccessKeyId, awsSecretAccessKey: awsSecretAccessKey, awsSessionToken: awsSessionToken}
	if err := validated(args.AWSEnv("--env", env), args.Digest("--digest", digest), requireRegistry(registry, env), creds.args(registry).Validate(), requireAWS(creds)); err != nil {
		return nil, err
	}
	p, err := m.newPipeline(ctx, registry, creds)
	if err != nil {
		return nil, err
	}
	if err := p.promoteCheck(ctx, env, digest, creds); err != nil {
		return nil, fmt.Errorf("rollback: %w", err)
	}
	return m.Deploy(ctx, env, digest, registry, "", nil, awsAccessKeyId, awsSecretAccessKey, awsSessionToken, cosignPublicKey, certificateIdentity, certificateOidcIssuer, "HIGH,CRITICAL", nil, false)
}
