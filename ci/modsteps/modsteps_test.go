package modsteps

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/deliverykit/podinfo/ci/step"
	"github.com/deliverykit/podinfo/ci/stepplan"
	"github.com/deliverykit/podinfo/ci/steps"
)

const img = "registry:5000/podinfo@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func must(t *testing.T) func(step.Step, error) step.Step {
	return func(s step.Step, err error) step.Step {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
}

func TestSteps(t *testing.T) {
	m := must(t)
	tests := []struct {
		name        string
		s           step.Step
		wantArgs    []string
		wantImage   string
		wantSecrets []string
		wantEnv     map[string]string
	}{
		{"go test", m(GoTest("", []string{"./src/..."})),
			[]string{"go", "test", "-v", "-count=1", "-tags=lambda.norpc", "./src/..."}, "docker.io/library/golang:1.26.8-bookworm", nil,
			map[string]string{"CGO_ENABLED": "0", "GOFLAGS": "-mod=readonly", "GOTOOLCHAIN": "local"}},
		{"go vet behind a mirror", m(GoVet("mirror.internal/hub", []string{"./src/...", "./src/cmd/podinfo"})),
			[]string{"go", "vet", "-tags=lambda.norpc", "./src/...", "./src/cmd/podinfo"}, "mirror.internal/hub/library/golang:1.26.8-bookworm", nil,
			map[string]string{"CGO_ENABLED": "0", "GOFLAGS": "-mod=readonly", "GOTOOLCHAIN": "local"}},
		{"gofmt", m(Gofmt("", []string{"src"})), []string{"gofmt", "-l", "src"}, "docker.io/library/golang:1.26.8-bookworm", nil,
			map[string]string{"CGO_ENABLED": "0", "GOFLAGS": "-mod=readonly", "GOTOOLCHAIN": "local"}},
		{"save", m(Save(SaveOptions{Common: steps.Common{PlainHTTP: true}, Image: img})),
			[]string{"cosign", "save", "--dir", "image-layout", "--allow-http-registry", img}, "ghcr.io/sigstore/cosign/cosign:v3.1.3", nil, map[string]string{}},
		{"tar", Tar(""), []string{"tar", "-C", "image-layout", "-cf", "image.tar", "."}, "docker.io/library/golang:1.26.8-bookworm", nil, map[string]string{}},
		{"key pair", GenerateKeyPair(""), []string{"cosign", "generate-key-pair"}, "ghcr.io/sigstore/cosign/cosign:v3.1.3", []string{"COSIGN_PASSWORD"}, map[string]string{}},
		{"go build", m(GoBuild("", "./cmd/deployer", "deployer")), []string{"go", "build", "-trimpath", "-o", "bin/deployer", "./cmd/deployer"}, "docker.io/library/golang:1.26.8-bookworm", nil,
			map[string]string{"CGO_ENABLED": "0", "GOFLAGS": "-mod=readonly", "GOTOOLCHAIN": "local"}},
		{"go install rie", m(GoInstall("", "aws-lambda-rie")),
			[]string{"go", "install", "-trimpath", "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d"}, "docker.io/library/golang:1.26.8-bookworm", nil,
			map[string]string{"CGO_ENABLED": "0", "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local", "GOBIN": "/work/bin"}},
		{"smoke", m(Smoke("", "http://podinfo-http:9898", "1.2.3")),
			[]string{"bin/smoke", "--url", "http://podinfo-http:9898", "--attempts", "15", "--interval", "2s", "--json", "--expect-version", "1.2.3"}, "docker.io/library/golang:1.26.8-bookworm", nil, map[string]string{}},
		{"lambda invoke", m(LambdaInvoke("", "http://podinfo-lambda:8080", []byte(`{}`))),
			[]string{"curl", "--silent", "--show-error", "--fail", "--retry", "15", "--retry-delay", "2", "--retry-all-errors", "--max-time", "30", "--data-binary", "@invoke-request.json", "--output", "invoke-response.json", "http://podinfo-lambda:8080/2015-03-31/functions/function/invocations"},
			"docker.io/library/golang:1.26.8-bookworm", nil, map[string]string{}},
		{"deploy", m(Deploy(DeployOptions{Env: "prod", Digest: "sha256:abc", Region: "eu-west-1", DryRun: true, ExpectVersion: "1.2.3", Secrets: []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}})),
			[]string{"/work/bin/deployer", "deploy", "--env", "prod", "--report-dir", "deploy-report", "--dry-run", "--expect-version", "1.2.3", "--region", "eu-west-1", "--digest", "sha256:abc", "--iac-dir", "iac/envs/prod", "--backend-config", "iac/envs/prod/backend.tfbackend"},
			"docker.io/hashicorp/terraform:1.16.0", []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"},
			map[string]string{"TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1", "AWS_REGION": "eu-west-1"}},
		{"promote check", m(PromoteCheck(DeployOptions{Env: "staging", Digest: "sha256:abc", Secrets: []string{"AWS_ACCESS_KEY_ID"}})),
			[]string{"/work/bin/deployer", "promote-check", "--from", "staging", "--digest", "sha256:abc", "--iac-dir", "iac/envs/staging", "--backend-config", "iac/envs/staging/backend.tfbackend"},
			"docker.io/hashicorp/terraform:1.16.0", []string{"AWS_ACCESS_KEY_ID"}, map[string]string{"TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.wantArgs, tt.s.Args); diff != "" {
				t.Errorf("argv (-want +got):\n%s", diff)
			}
			if tt.s.Image != tt.wantImage {
				t.Errorf("image %q, want %q", tt.s.Image, tt.wantImage)
			}
			if diff := cmp.Diff(tt.wantSecrets, tt.s.SecretEnv); diff != "" {
				t.Errorf("secret env (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantEnv, tt.s.Env); diff != "" {
				t.Errorf("env (-want +got):\n%s", diff)
			}
			// Every step maps onto a container when its secrets are bound.
			if _, err := stepplan.For(tt.s, stepplan.Options{Secrets: tt.s.SecretEnv}); err != nil {
				t.Errorf("not plannable: %v", err)
			}
			for _, a := range tt.s.Args {
				if strings.Contains(strings.ToLower(a), "password=") || strings.Contains(a, "PRIVATE KEY") {
					t.Errorf("argv holds a secret-looking value %q", a)
				}
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		wantIn string
	}{
		{"test no packages", func() error { _, err := GoTest("", nil); return err }(), "argument packages is empty"},
		{"test escaping package", func() error { _, err := GoTest("", []string{"../x/..."}); return err }(), "relative to the Go module root"},
		{"test absolute package", func() error { _, err := GoVet("", []string{"/src/..."}); return err }(), "relative to the Go module root"},
		{"gofmt absolute", func() error { _, err := Gofmt("", []string{"/src"}); return err }(), "clean directory relative"},
		{"save tag", func() error { _, err := Save(SaveOptions{Image: "registry:5000/podinfo:v1"}); return err }(), "is a tag"},
		{"build outside", func() error { _, err := GoBuild("", "../cmd/x", "x"); return err }(), "relative to the module root"},
		{"build name", func() error { _, err := GoBuild("", "./cmd/x", "a/b"); return err }(), "plain file name"},
		{"install unknown", func() error { _, err := GoInstall("", "kubectl"); return err }(), "unknown tool"},
		{"smoke url", func() error { _, err := Smoke("", "podinfo:9898", ""); return err }(), "http(s) URL"},
		{"invoke url", func() error { _, err := LambdaInvoke("", "podinfo:8080", nil); return err }(), "emulator's http URL"},
		{"deploy env", func() error { _, err := Deploy(DeployOptions{Env: "../prod", Digest: "sha256:a"}); return err }(), "not an environment name"},
		{"deploy digest", func() error { _, err := Deploy(DeployOptions{Env: "prod", Digest: "v1"}); return err }(), "not a digest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil || !strings.Contains(tt.err.Error(), tt.wantIn) {
				t.Fatalf("error = %v, want one containing %q", tt.err, tt.wantIn)
			}
		})
	}
}
