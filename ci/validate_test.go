package main

// These tests run only through the type-check harness (make check-module),
// which compiles this package against stand-ins for the engine-generated
// code: every case is rejected before the function reaches the engine, so
// no engine is needed. A case that got past validation would dereference
// the stand-in's empty client and fail the test with a panic.

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/deliverykit/podinfo/ci/args"
	"github.com/deliverykit/podinfo/ci/internal/dagger"
)

const (
	digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	ecr    = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/podinfo"
	ecr2   = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/podinfo-prod"
	gh     = "https://token.actions.githubusercontent.com"
)

func secret() *dagger.Secret { return &dagger.Secret{} }
func file() *dagger.File     { return &dagger.File{} }

func module() *PodinfoDelivery {
	return &PodinfoDelivery{Source: &dagger.Directory{}, Iac: &dagger.Directory{}, Platform: "linux/amd64", Main: "./src/cmd/podinfo", Version: "0.0.0-dev", SourceURL: "https://github.com/deliverykit/podinfo"}
}

func TestValidation(t *testing.T) {
	ctx := context.Background()
	m := module()
	tests := []struct {
		name    string
		call    func() error
		wantArg string
		wantIn  string
	}{
		{"new: platform", func() error {
			_, err := New(&dagger.Directory{}, &dagger.Directory{}, "", "windows/amd64", "./src/cmd/podinfo", "v1", "", 0, "https://x")
			return err
		}, "--platform", "linux/amd64"},
		{"new: mirror with scheme", func() error {
			_, err := New(&dagger.Directory{}, &dagger.Directory{}, "https://mirror", "linux/amd64", "./src/cmd/podinfo", "v1", "", 0, "https://x")
			return err
		}, "--mirror", "registry prefix"},
		{"new: negative commit time", func() error {
			_, err := New(&dagger.Directory{}, &dagger.Directory{}, "", "linux/amd64", "./src/cmd/podinfo", "v1", "", -1, "https://x")
			return err
		}, "--commit-time", "git log"},

		{"build-and-sign: keyless without OIDC secrets", func() error {
			_, err := m.BuildAndSign(ctx, "", "", nil, nil, nil, nil, nil, nil, nil, true, nil, nil, "id", gh, "HIGH,CRITICAL", nil, "b")
			return err
		}, "--oidc-request-token", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"},
		{"build-and-sign: registry without credentials", func() error {
			_, err := m.BuildAndSign(ctx, "ghcr.io/acme/podinfo", "", nil, nil, nil, nil, nil, nil, nil, false, nil, nil, "", "", "HIGH,CRITICAL", nil, "b")
			return err
		}, "--registry", "--registry-username"},
		{"build-and-sign: ECR without AWS keys", func() error {
			_, err := m.BuildAndSign(ctx, ecr, "", nil, nil, nil, nil, nil, nil, nil, false, nil, nil, "", "", "HIGH,CRITICAL", nil, "b")
			return err
		}, "--registry", "--aws-access-key-id"},
		{"build-and-sign: registry with a tag", func() error {
			_, err := m.BuildAndSign(ctx, "ghcr.io/acme/podinfo:v1", "me", secret(), nil, nil, nil, nil, nil, nil, false, nil, nil, "", "", "HIGH,CRITICAL", nil, "b")
			return err
		}, "--registry", "has a tag"},
		{"build-and-sign: key without public key", func() error {
			_, err := m.BuildAndSign(ctx, "", "", nil, nil, nil, nil, secret(), nil, nil, false, nil, nil, "", "", "HIGH,CRITICAL", nil, "b")
			return err
		}, "--cosign-public-key", "cosign.pub"},
		{"build-and-sign: keyless without identity", func() error {
			_, err := m.BuildAndSign(ctx, "", "", nil, nil, nil, nil, nil, nil, nil, true, secret(), secret(), "", gh, "HIGH,CRITICAL", nil, "b")
			return err
		}, "--certificate-identity", "workflows"},
		{"build-and-sign: bad severity", func() error {
			_, err := m.BuildAndSign(ctx, "", "", nil, nil, nil, nil, nil, nil, nil, false, nil, nil, "", "", "SEVERE", nil, "b")
			return err
		}, "--severity", "CRITICAL"},

		{"deploy: unknown env", func() error {
			_, err := m.Deploy(ctx, "production", digest, ecr, "", nil, secret(), secret(), nil, file(), "", "", "HIGH,CRITICAL", nil, false)
			return err
		}, "--env", "local, dev, staging, prod"},
		{"deploy: tag instead of digest", func() error {
			_, err := m.Deploy(ctx, "prod", "v1.2.3", ecr, "", nil, secret(), secret(), nil, file(), "", "", "HIGH,CRITICAL", nil, false)
			return err
		}, "--digest", "is a tag"},
		{"deploy: image reference instead of digest", func() error {
			_, err := m.Deploy(ctx, "dev", ecr+"@"+digest, ecr, "", nil, secret(), secret(), nil, file(), "", "", "HIGH,CRITICAL", nil, false)
			return err
		}, "--digest", "pass only the digest part"},
		{"deploy: no registry", func() error {
			_, err := m.Deploy(ctx, "dev", digest, "", "", nil, secret(), secret(), nil, file(), "", "", "HIGH,CRITICAL", nil, false)
			return err
		}, "--registry", "repository"},
		{"deploy: no AWS credentials", func() error {
			_, err := m.Deploy(ctx, "staging", digest, ecr, "me", secret(), nil, nil, nil, file(), "", "", "HIGH,CRITICAL", nil, false)
			return err
		}, "--aws-access-key-id", "secrets"},
		{"deploy local: digest without registry", func() error {
			_, err := m.Deploy(ctx, "local", digest, "", "", nil, nil, nil, nil, nil, "", "", "HIGH,CRITICAL", nil, false)
			return err
		}, "--registry", "embedded registry starts empty"},
		{"deploy local: tag", func() error {
			_, err := m.Deploy(ctx, "local", "latest", "", "", nil, nil, nil, nil, nil, "", "", "HIGH,CRITICAL", nil, false)
			return err
		}, "--digest", "is a tag"},

		{"promote: from equals to", func() error {
			_, err := m.Promote(ctx, "prod", "prod", digest, ecr, ecr2, secret(), secret(), nil, file(), "", "", "HIGH,CRITICAL", nil)
			return err
		}, "--to", "equals --from"},
		{"promote: backwards", func() error {
			_, err := m.Promote(ctx, "prod", "dev", digest, ecr, ecr2, secret(), secret(), nil, file(), "", "", "HIGH,CRITICAL", nil)
			return err
		}, "--to", "forward"},
		{"promote: unknown env", func() error {
			_, err := m.Promote(ctx, "qa", "prod", digest, ecr, ecr2, secret(), secret(), nil, file(), "", "", "HIGH,CRITICAL", nil)
			return err
		}, "--from", "unknown environment"},
		{"promote: tag", func() error {
			_, err := m.Promote(ctx, "staging", "prod", "v1", ecr, ecr2, secret(), secret(), nil, file(), "", "", "HIGH,CRITICAL", nil)
			return err
		}, "--digest", "is a tag"},
		{"promote: same registry", func() error {
			_, err := m.Promote(ctx, "staging", "prod", digest, ecr, ecr, secret(), secret(), nil, file(), "", "", "HIGH,CRITICAL", nil)
			return err
		}, "--to-registry", "own"},
		{"promote: registry without credentials", func() error {
			_, err := m.Promote(ctx, "staging", "prod", digest, ecr, ecr2, nil, nil, nil, file(), "", "", "HIGH,CRITICAL", nil)
			return err
		}, "--from-registry", "AWS credentials"},

		{"rollback: local", func() error {
			_, err := m.Rollback(ctx, "local", digest, ecr, secret(), secret(), nil, file(), "", "")
			return err
		}, "--env", "no registry or deployment"},
		{"rollback: tag", func() error {
			_, err := m.Rollback(ctx, "prod", "previous", ecr, secret(), secret(), nil, file(), "", "")
			return err
		}, "--digest", "is a tag"},

		{"verify: tag", func() error {
			_, err := m.Verify(ctx, ecr+":v1", "", "", nil, nil, nil, nil, file(), "", "", "HIGH,CRITICAL", nil)
			return err
		}, "--image", "not a digest"},
		{"verify: image outside registry", func() error {
			_, err := m.Verify(ctx, "ghcr.io/other/podinfo@"+digest, ecr, "", nil, secret(), secret(), nil, file(), "", "", "HIGH,CRITICAL", nil)
			return err
		}, "--image", "not in --registry"},

		{"sign: keyless and key", func() error {
			_, err := m.Sign(ctx, "", "", "", nil, nil, nil, nil, secret(), nil, file(), true, secret(), secret(), "id", gh)
			return err
		}, "--keyless", "not both"},
		{"sign: password without key", func() error {
			_, err := m.Sign(ctx, "", "", "", nil, nil, nil, nil, nil, secret(), nil, false, nil, nil, "", "")
			return err
		}, "--cosign-password", "ephemeral"},
		{"attest: unknown predicate type", func() error {
			_, err := m.Attest(ctx, "", "sbom", nil, "", "", nil, nil, nil, nil, nil, nil, nil, false, nil, nil, "", "")
			return err
		}, "--predicate-type", "spdxjson"},
		{"attest: image without predicate", func() error {
			_, err := m.Attest(ctx, ecr+"@"+digest, "vuln", nil, ecr, "", nil, secret(), secret(), nil, nil, nil, nil, false, nil, nil, "", "")
			return err
		}, "--predicate", "--predicate ./out"},

		{"sbom: registry without credentials", func() error {
			_, err := m.Sbom(ctx, "", "ghcr.io/acme/podinfo", "", nil, nil, nil, nil)
			return err
		}, "--registry", "without credentials"},
		{"scan: image outside registry", func() error {
			_, err := m.Scan(ctx, "ghcr.io/other/podinfo@"+digest, "ghcr.io/acme/podinfo", "me", secret(), nil, nil, nil, "HIGH", nil, false)
			return err
		}, "--image", "not in --registry"},
		{"scan-iac: bad severity", func() error {
			_, err := m.ScanIac(ctx, "HIGH,URGENT", nil, false)
			return err
		}, "--severity", "URGENT"},
		{"publish: user without password", func() error {
			_, err := m.Publish(ctx, "ghcr.io/acme/podinfo", "me", nil, nil, nil, nil, "HIGH", nil)
			return err
		}, "--registry-password", "secret"},
		{"serve: unknown mode", func() error {
			_, err := m.Serve(ctx, "grpc")
			return err
		}, "--mode", "http, lambda"},
		{"test: package outside the module", func() error {
			_, err := m.Test(ctx, []string{"../elsewhere/..."})
			return err
		}, "--packages", "./src/..."},
		{"lint: empty packages", func() error {
			_, err := m.Lint(ctx, nil)
			return err
		}, "--packages", "package patterns"},
		{"ci: bad severity", func() error {
			_, err := m.Ci(ctx, "low", nil)
			return err
		}, "--severity", "LOW"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var e *args.Error
			if !errors.As(err, &e) {
				t.Fatalf("error = %v (%T), want an *args.Error naming %s", err, err, tt.wantArg)
			}
			if e.Arg != tt.wantArg {
				t.Errorf("error names %s, want %s: %v", e.Arg, tt.wantArg, err)
			}
			if !strings.Contains(err.Error(), tt.wantIn) {
				t.Errorf("error %q does not contain %q", err, tt.wantIn)
			}
		})
	}
}

func TestReadDeployOutcome(t *testing.T) {
	tests := []struct {
		raw     string
		want    deployOutcome
		wantErr string
	}{
		{`{"env":"prod","outcome":"deployed","healthy":true}`, deployOutcome{Outcome: "deployed", Healthy: true}, ""},
		{`{"outcome":"planned","dry_run":true,"healthy":false}`, deployOutcome{Outcome: "planned", DryRun: true}, ""},
		{`{"healthy":true}`, deployOutcome{}, "no outcome"},
		{`not json`, deployOutcome{}, "does not parse"},
	}
	for _, tt := range tests {
		got, err := readDeployOutcome([]byte(tt.raw))
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("readDeployOutcome(%s) = %v, want an error containing %q", tt.raw, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("readDeployOutcome(%s) = %+v, %v; want %+v", tt.raw, got, err, tt.want)
		}
	}
}
