package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/deliverykit/podinfo/ci/args"
	"github.com/deliverykit/podinfo/ci/internal/dagger"
	"github.com/deliverykit/podinfo/ci/modsteps"
	"github.com/deliverykit/podinfo/ci/steps"
)

// defaultCommitTime is the image timestamp when --commit-time is not
// given: 1980-01-01, the earliest time zip archives can hold.
const defaultCommitTime = 315532800

// buildOptions turns the constructor's build settings into the build step's
// options, building into the embedded registry.
func (m *PodinfoDelivery) buildOptions(ctx context.Context) (steps.BuildOptions, error) {
	rev := m.Revision
	if rev == "" {
		d, err := m.Source.Digest(ctx)
		if err != nil {
			return steps.BuildOptions{}, fmt.Errorf("digest of --source: %w", err)
		}
		rev = strings.TrimPrefix(d, "sha256:")
		if len(rev) > 40 {
			rev = rev[:40]
		}
	}
	ct := int64(m.CommitTime)
	if ct == 0 {
		ct = defaultCommitTime
	}
	return steps.BuildOptions{
		Common:         steps.Common{Mirror: m.Mirror, PlainHTTP: true},
		Repository:     stagingRepo,
		BaseRepository: stagingBase,
		Platform:       m.Platform,
		Main:           m.Main,
		Version:        m.Version,
		Revision:       rev,
		SourceURL:      m.SourceURL,
		CommitTime:     time.Unix(ct, 0).UTC(),
	}, nil
}

// tarball saves ref (in the embedded or the target registry) as an OCI image layout,
// byte for byte, and packs it as the OCI tarball Container.Import reads.
func (p *pipeline) tarball(ctx context.Context, ref string) (*dagger.File, error) {
	common := p.target
	if strings.HasPrefix(ref, registryHost+":") {
		common = p.staging
	}
	save, err := modsteps.Save(modsteps.SaveOptions{Common: common, Image: ref})
	if err != nil {
		return nil, err
	}
	// Reading an image by digest has no side effect and its result is
	// content-addressed, so the exec may be cached; credentials apply when
	// ref is in the target registry.
	work, err := p.r.exec(ctx, p.auth(save), opts{work: dag.Directory()})
	if err != nil {
		return nil, fmt.Errorf("save %s: %w", ref, err)
	}
	work, err = p.r.exec(ctx, modsteps.Tar(p.m.Mirror), opts{work: work})
	if err != nil {
		return nil, fmt.Errorf("pack %s: %w", ref, err)
	}
	return work.File(modsteps.FileImageTar), nil
}

// Build the service image (static Go binary, ko, pinned base image,
// reproducible timestamps) and return it as a container.
func (m *PodinfoDelivery) Build(ctx context.Context) (*dagger.Container, error) {
	tar, err := m.builtTarball(ctx)
	if err != nil {
		return nil, err
	}
	return dag.Container().Import(tar), nil
}

// Build the service image and return it as an OCI tarball (the exact
// manifest and layers ko pushed), e.g. to load it with `docker load`.
func (m *PodinfoDelivery) Tarball(ctx context.Context) (*dagger.File, error) {
	return m.builtTarball(ctx)
}

// builtTarball builds the image into the embedded registry and saves it,
// byte for byte, as an OCI tarball.
func (m *PodinfoDelivery) builtTarball(ctx context.Context) (*dagger.File, error) {
	p, err := m.newPipeline(ctx, "", registryCreds{})
	if err != nil {
		return nil, err
	}
	return p.buildTarball(ctx)
}

// buildTarball builds the image into the embedded registry and saves it as
// an OCI tarball.
func (p *pipeline) buildTarball(ctx context.Context) (*dagger.File, error) {
	b, err := p.build(ctx)
	if err != nil {
		return nil, err
	}
	return p.tarball(ctx, b.ref)
}

// Run the service's Go tests in a container, with the Go module and build
// caches as cache volumes; returns the verbose test output.
func (m *PodinfoDelivery) Test(
	ctx context.Context,
	// Go package patterns to test, relative to --source.
	// +default=["./src/..."]
	packages []string,
) (string, error) {
	s, err := modsteps.GoTest(m.Mirror, packages)
	if err != nil {
		return "", packagesError(err)
	}
	r := m.localRunner()
	// The output goes to a file, so a failing run still shows which test
	// failed.
	ctr, err := r.container(s, opts{work: m.Source, allowFailure: true})
	if err != nil {
		return "", err
	}
	code, err := ctr.ExitCode(ctx)
	if err != nil {
		return "", stepError(s, err)
	}
	out, err := readFile(ctx, ctr.Directory("/work"), modsteps.FileTestReport)
	if err != nil {
		return "", fmt.Errorf("test: %w", err)
	}
	if code != 0 {
		stderr, serr := ctr.Stderr(ctx)
		if serr != nil {
			stderr = fmt.Sprintf("(stderr unavailable: %v)", serr)
		}
		return "", fmt.Errorf("test: go test exited with status %d:\n%s\n%s", code, tail(out, 6000), tail(stderr, 2000))
	}
	return out, nil
}

// Lint the service: gofmt must change nothing and go vet must pass.
func (m *PodinfoDelivery) Lint(
	ctx context.Context,
	// Go package patterns to vet, relative to --source.
	// +default=["./src/..."]
	packages []string,
) (string, error) {
	fmtStep, err := modsteps.Gofmt(m.Mirror, []string{"src"})
	if err != nil {
		return "", err
	}
	vet, err := modsteps.GoVet(m.Mirror, packages)
	if err != nil {
		return "", packagesError(err)
	}
	r := m.localRunner()
	work, err := r.exec(ctx, fmtStep, opts{work: m.Source})
	if err != nil {
		return "", fmt.Errorf("lint: %w", err)
	}
	unformatted, err := readFile(ctx, work, modsteps.FileLintReport)
	if err != nil {
		return "", fmt.Errorf("lint: %w", err)
	}
	if strings.TrimSpace(unformatted) != "" {
		return "", fmt.Errorf("lint: gofmt would change these files; run gofmt -w on them:\n%s", unformatted)
	}
	if _, err := r.exec(ctx, vet, opts{work: m.Source}); err != nil {
		return "", fmt.Errorf("lint: %w", err)
	}
	return fmt.Sprintf("lint: gofmt and go vet clean for %s\n", strings.Join(packages, " ")), nil
}

// localRunner runs steps that need no registry and no secret.
func (m *PodinfoDelivery) localRunner() *runner {
	return &runner{secrets: map[string]*dagger.Secret{}, services: map[string]*dagger.Service{}, work: dag.Directory()}
}

// packagesError names --packages in a package-pattern error.
func packagesError(err error) error {
	return &args.Error{Arg: "--packages", Problem: err.Error(), Fix: "pass Go package patterns relative to --source, like ./src/..."}
}
