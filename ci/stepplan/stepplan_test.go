package stepplan

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/deliverykit/podinfo/ci/step"
)

func TestFor(t *testing.T) {
	sign := step.Step{
		Name: "sign", Tool: "cosign", Image: "ghcr.io/sigstore/cosign/cosign:v3.1.3",
		Args:      []string{"cosign", "sign", "--key", "env://COSIGN_KEY", "--yes", "registry:5000/podinfo@sha256:abc"},
		Env:       map[string]string{"TUF_ROOT": "/tmp/tuf"},
		SecretEnv: []string{"COSIGN_PASSWORD", "COSIGN_KEY"},
	}
	build := step.Step{
		Name: "build-image", Tool: "ko", Image: "mirror.internal/ko-build/ko:v0.19.1",
		Args:    []string{"ko", "build", "--bare", "./src/cmd/podinfo"},
		Env:     map[string]string{"KO_DOCKER_REPO": "registry:5000/podinfo", "CGO_ENABLED": "0"},
		Files:   map[string][]byte{".ko.yaml": []byte("builds: []\n")},
		Inputs:  []string{".", ".ko.yaml"},
		Outputs: []string{"image.ref"},
	}
	scan := step.Step{
		Name: "scan-image", Tool: "trivy", Image: "docker.io/aquasec/trivy:0.74.0",
		Args:    []string{"trivy", "image", "--cache-dir", "trivy-cache", "--exit-code", "1", "registry:5000/podinfo@sha256:abc"},
		Outputs: []string{"scan.json"},
	}
	verify := step.Step{
		Name: "verify", Tool: "cosign", Image: "cosign:v3",
		Args:   []string{"cosign", "verify", "--key", "cosign.pub", "x@sha256:abc"},
		Files:  map[string][]byte{"cosign.pub": []byte("PUBLIC")},
		Inputs: []string{"cosign.pub"}, Stdout: "verify.json", Outputs: []string{"verify.json"},
	}
	tests := []struct {
		name string
		s    step.Step
		opts Options
		want []Op
	}{
		{
			name: "sign with key into the embedded registry",
			s:    sign,
			opts: Options{Secrets: []string{"COSIGN_KEY", "COSIGN_PASSWORD", "UNUSED"}, Services: []string{"registry", "registry"}, RunID: "run-1"},
			want: []Op{
				{Kind: From, Value: "ghcr.io/sigstore/cosign/cosign:v3.1.3"},
				{Kind: Env, Name: RunEnv, Value: "run-1"},
				{Kind: Env, Name: "TUF_ROOT", Value: "/tmp/tuf"},
				{Kind: SecretEnv, Name: "COSIGN_KEY"},
				{Kind: SecretEnv, Name: "COSIGN_PASSWORD"},
				{Kind: Service, Name: "registry"},
				{Kind: Mount, Value: "/work", Owner: WorkOwner},
				{Kind: Workdir, Value: "/work"},
				{Kind: Exec, Args: sign.Args},
			},
		},
		{
			name: "ko build gets the Go caches and its config file",
			s:    build,
			opts: Options{Services: []string{"registry"}, RunID: "run-2"},
			want: []Op{
				{Kind: From, Value: "mirror.internal/ko-build/ko:v0.19.1"},
				{Kind: Env, Name: "CGO_ENABLED", Value: "0"},
				{Kind: Env, Name: "GOCACHE", Value: GoBuildCachePath},
				{Kind: Env, Name: "GOMODCACHE", Value: GoModCachePath},
				{Kind: Env, Name: "KO_DOCKER_REPO", Value: "registry:5000/podinfo"},
				{Kind: Env, Name: RunEnv, Value: "run-2"},
				{Kind: Service, Name: "registry"},
				{Kind: File, Name: ".ko.yaml", Content: []byte("builds: []\n")},
				{Kind: Mount, Value: "/work", Owner: WorkOwner},
				{Kind: Cache, Name: GoModCacheKey, Value: GoModCachePath},
				{Kind: Cache, Name: GoBuildCacheKey, Value: GoBuildCachePath},
				{Kind: Workdir, Value: "/work"},
				{Kind: Exec, Args: build.Args},
			},
		},
		{
			name: "scan keeps its report on findings and caches the DB",
			s:    scan,
			opts: Options{AllowFailure: true},
			want: []Op{
				{Kind: From, Value: "docker.io/aquasec/trivy:0.74.0"},
				{Kind: Mount, Value: "/work", Owner: WorkOwner},
				{Kind: Cache, Name: TrivyCacheKey, Value: "/work/trivy-cache"},
				{Kind: Workdir, Value: "/work"},
				{Kind: Exec, Args: scan.Args, AllowFailure: true},
			},
		},
		{
			name: "a credential helper is mounted for registry logins",
			s:    step.Step{Name: "copy", Tool: "cosign", Image: "cosign:v3", Args: []string{"cosign", "copy", "a@sha256:1", "b"}, Env: map[string]string{"DOCKER_CONFIG": "/work/.docker", "REGISTRY_USERNAME": "acme"}, SecretEnv: []string{"REGISTRY_PASSWORD"}, Files: map[string][]byte{".docker/config.json": []byte(`{"credHelpers":{"ghcr.io":"env"}}`)}},
			opts: Options{Secrets: []string{"REGISTRY_PASSWORD"}, FileMounts: []string{"/usr/local/bin/docker-credential-env"}, RunID: "r"},
			want: []Op{
				{Kind: From, Value: "cosign:v3"},
				{Kind: Env, Name: "DOCKER_CONFIG", Value: "/work/.docker"},
				{Kind: Env, Name: RunEnv, Value: "r"},
				{Kind: Env, Name: "REGISTRY_USERNAME", Value: "acme"},
				{Kind: SecretEnv, Name: "REGISTRY_PASSWORD"},
				{Kind: MountFile, Value: "/usr/local/bin/docker-credential-env"},
				{Kind: File, Name: ".docker/config.json", Content: []byte(`{"credHelpers":{"ghcr.io":"env"}}`)},
				{Kind: Mount, Value: "/work", Owner: WorkOwner},
				{Kind: Workdir, Value: "/work"},
				{Kind: Exec, Args: []string{"cosign", "copy", "a@sha256:1", "b"}},
			},
		},
		{
			name: "syft runs from where its scratch image keeps it",
			s:    step.Step{Name: "sbom", Tool: "syft", Image: "docker.io/anchore/syft:v1.57.1", Args: []string{"syft", "scan", "registry:x@sha256:1"}, Env: map[string]string{"SYFT_CHECK_FOR_APP_UPDATE": "false"}},
			want: []Op{
				{Kind: From, Value: "docker.io/anchore/syft:v1.57.1"},
				{Kind: Env, Name: "SYFT_CHECK_FOR_APP_UPDATE", Value: "false"},
				{Kind: Mount, Value: "/work", Owner: WorkOwner},
				{Kind: Workdir, Value: "/work"},
				{Kind: Exec, Args: []string{"/syft", "scan", "registry:x@sha256:1"}},
			},
		},
		{
			name: "verify writes stdout to its report file",
			s:    verify,
			want: []Op{
				{Kind: From, Value: "cosign:v3"},
				{Kind: File, Name: "cosign.pub", Content: []byte("PUBLIC")},
				{Kind: Mount, Value: "/work", Owner: WorkOwner},
				{Kind: Workdir, Value: "/work"},
				{Kind: Exec, Args: verify.Args, Stdout: "verify.json"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := For(tt.s, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ops (-want +got):\n%s", diff)
			}
		})
	}
}

func TestForRejects(t *testing.T) {
	tests := []struct {
		name   string
		s      step.Step
		opts   Options
		wantIn string
	}{
		{"unbound secret", step.Step{Name: "sign", Tool: "cosign", Image: "c", Args: []string{"cosign"}, SecretEnv: []string{"COSIGN_KEY", "COSIGN_PASSWORD"}}, Options{Secrets: []string{"COSIGN_KEY"}}, "COSIGN_PASSWORD are not bound"},
		{"native-only tool", step.Step{Name: "emulate", Tool: "aws-lambda-rie", Args: []string{"aws-lambda-rie"}}, Options{}, "no container image"},
		{"malformed", step.Step{Name: "x", Tool: "cosign", Image: "c", Args: []string{"cosign"}, Outputs: []string{"../escape"}}, Options{}, "stay inside"},
		{"relative file mount", step.Step{Name: "x", Tool: "cosign", Image: "c", Args: []string{"cosign"}}, Options{FileMounts: []string{"bin/helper"}}, "clean absolute path"},
		{"file mount in the work dir", step.Step{Name: "x", Tool: "cosign", Image: "c", Args: []string{"cosign"}}, Options{FileMounts: []string{"/work/helper"}}, "outside /work"},
		{"secret as plain env", step.Step{Name: "x", Tool: "cosign", Image: "c", Args: []string{"cosign"}, Env: map[string]string{"K": "v"}, SecretEnv: []string{"K"}}, Options{Secrets: []string{"K"}}, "both a secret and a plain variable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := For(tt.s, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.wantIn) {
				t.Fatalf("For() error = %v, want one containing %q", err, tt.wantIn)
			}
		})
	}
}

// TestNoSecretValues checks the plan never carries a value for a secret
// variable: only its name.
func TestNoSecretValues(t *testing.T) {
	s := step.Step{Name: "sign", Tool: "cosign", Image: "c", Args: []string{"cosign", "sign"}, SecretEnv: []string{"COSIGN_KEY"}}
	ops, err := For(s, Options{Secrets: []string{"COSIGN_KEY"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range ops {
		if op.Kind == SecretEnv && (op.Value != "" || op.Content != nil) {
			t.Errorf("secret op %+v carries a value", op)
		}
		if op.Kind == Env && op.Name == "COSIGN_KEY" {
			t.Errorf("secret %s planned as a plain variable", op.Name)
		}
	}
}

func BenchmarkFor(b *testing.B) {
	s := step.Step{
		Name: "build-image", Tool: "ko", Image: "ko",
		Args:  []string{"ko", "build", "--bare", "--platform=linux/amd64", "./src/cmd/podinfo"},
		Env:   map[string]string{"KO_DOCKER_REPO": "registry:5000/podinfo", "SOURCE_DATE_EPOCH": "1", "CGO_ENABLED": "0"},
		Files: map[string][]byte{".ko.yaml": make([]byte, 512)},
	}
	opts := Options{Services: []string{"registry"}, RunID: "r"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := For(s, opts); err != nil {
			b.Fatal(err)
		}
	}
}
