package args

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const goodDigest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// errArg returns the argument an error names, "" for nil. It fails the test
// when err is not an *Error: every rejection must name its argument.
func errArg(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is %T, want *args.Error", err, err)
	}
	if e.Problem == "" || e.Fix == "" {
		t.Errorf("error %q lacks a problem or a fix", err)
	}
	if !strings.HasPrefix(err.Error(), e.Arg+": ") {
		t.Errorf("error %q does not start with the argument %q", err, e.Arg)
	}
	return e.Arg
}

func TestDigest(t *testing.T) {
	tests := []struct {
		name, value string
		wantArg     string
		wantIn      string
	}{
		{"digest", goodDigest, "", ""},
		{"empty", "", "--digest", "missing"},
		{"tag", "v1.2.3", "--digest", "is a tag"},
		{"latest", "latest", "--digest", "is a tag"},
		{"repo and tag", "ghcr.io/x/podinfo:v1", "--digest", "is a tag"},
		{"reference", "ghcr.io/x/podinfo@" + goodDigest, "--digest", "pass only the digest part: --digest " + goodDigest},
		{"short", "sha256:abc", "--digest", "64 lowercase hex"},
		{"upper", "sha256:" + strings.ToUpper(goodDigest[7:]), "--digest", "64 lowercase hex"},
		{"sha512", "sha512:" + goodDigest[7:], "--digest", "is a tag"},
		{"bad reference", "x@sha256:zz", "--digest", "does not end in a sha256 digest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Digest("--digest", tt.value)
			if diff := cmp.Diff(tt.wantArg, errArg(t, err)); diff != "" {
				t.Fatalf("argument named (-want +got):\n%s", diff)
			}
			if err != nil && !strings.Contains(err.Error(), tt.wantIn) {
				t.Errorf("error %q does not contain %q", err, tt.wantIn)
			}
		})
	}
}

func TestEnvs(t *testing.T) {
	tests := []struct {
		name    string
		check   func(string, string) error
		value   string
		wantArg string
	}{
		{"deploy local", DeployEnv, "local", ""},
		{"deploy prod", DeployEnv, "prod", ""},
		{"deploy unknown", DeployEnv, "production", "--env"},
		{"deploy empty", DeployEnv, "", "--env"},
		{"deploy case", DeployEnv, "Prod", "--env"},
		{"aws staging", AWSEnv, "staging", ""},
		{"aws local", AWSEnv, "local", "--env"},
		{"aws unknown", AWSEnv, "qa", "--env"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.check("--env", tt.value)
			if diff := cmp.Diff(tt.wantArg, errArg(t, err)); diff != "" {
				t.Fatalf("argument named (-want +got):\n%s\nerror: %v", diff, err)
			}
			if err != nil && !strings.Contains(err.Error(), "choose one of") {
				t.Errorf("error %q does not list the choices", err)
			}
		})
	}
}

func TestPromotion(t *testing.T) {
	tests := []struct {
		from, to string
		wantArg  string
		wantIn   string
	}{
		{"dev", "staging", "", ""},
		{"staging", "prod", "", ""},
		{"dev", "prod", "", ""},
		{"prod", "prod", "--to", "equals --from"},
		{"staging", "staging", "--to", "--from staging --to prod"},
		{"prod", "dev", "--to", "only move forward"},
		{"local", "dev", "--from", "no registry"},
		{"dev", "qa", "--to", "unknown environment"},
		{"", "prod", "--from", "missing"},
	}
	for _, tt := range tests {
		t.Run(tt.from+"->"+tt.to, func(t *testing.T) {
			err := Promotion(tt.from, tt.to)
			if diff := cmp.Diff(tt.wantArg, errArg(t, err)); diff != "" {
				t.Fatalf("argument named (-want +got):\n%s\nerror: %v", diff, err)
			}
			if err != nil && !strings.Contains(err.Error(), tt.wantIn) {
				t.Errorf("error %q does not contain %q", err, tt.wantIn)
			}
		})
	}
}

func TestRegistry(t *testing.T) {
	const ecr = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/podinfo"
	tests := []struct {
		name    string
		reg     Registry
		wantArg string
	}{
		{"embedded", Registry{}, ""},
		{"embedded with user", Registry{Username: "me"}, "--registry-username"},
		{"user and password", Registry{Address: "ghcr.io/acme/podinfo", Username: "me", Password: true}, ""},
		{"with port", Registry{Address: "registry.local:5000/podinfo", Username: "me", Password: true}, ""},
		{"no credentials", Registry{Address: "ghcr.io/acme/podinfo"}, "--registry"},
		{"password only", Registry{Address: "ghcr.io/acme/podinfo", Password: true}, "--registry-username"},
		{"user only", Registry{Address: "ghcr.io/acme/podinfo", Username: "me"}, "--registry-password"},
		{"scheme", Registry{Address: "https://ghcr.io/acme/podinfo", Username: "me", Password: true}, "--registry"},
		{"tag", Registry{Address: "ghcr.io/acme/podinfo:v1", Username: "me", Password: true}, "--registry"},
		{"digest", Registry{Address: "ghcr.io/acme/podinfo@" + goodDigest, Username: "me", Password: true}, "--registry"},
		{"no repository", Registry{Address: "ghcr.io", Username: "me", Password: true}, "--registry"},
		{"upper repository", Registry{Address: "ghcr.io/Acme/podinfo", Username: "me", Password: true}, "--registry"},
		{"ecr keys", Registry{Address: ecr, AWSAccessKeyID: true, AWSSecretAccessKey: true}, ""},
		{"ecr nothing", Registry{Address: ecr}, "--registry"},
		{"ecr half keys", Registry{Address: ecr, AWSAccessKeyID: true}, "--aws-secret-access-key"},
		{"ecr secret key only", Registry{Address: ecr, AWSSecretAccessKey: true}, "--aws-access-key-id"},
		{"ecr session token only", Registry{Address: ecr, AWSSessionToken: true}, "--aws-access-key-id"},
		{"ecr keys and session token", Registry{Address: ecr, AWSAccessKeyID: true, AWSSecretAccessKey: true, AWSSessionToken: true}, ""},
		{"ecr with user and password", Registry{Address: ecr, Username: "AWS", Password: true}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.reg.Validate()
			if diff := cmp.Diff(tt.wantArg, errArg(t, err)); diff != "" {
				t.Fatalf("argument named (-want +got):\n%s\nerror: %v", diff, err)
			}
		})
	}
}

func TestRegistryHelpers(t *testing.T) {
	r := Registry{Address: "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/podinfo"}
	got := []any{r.Embedded(), r.Host(), r.ECR(), Registry{Address: "ghcr.io/a/b"}.ECR(), Registry{}.Embedded()}
	want := []any{false, "123456789012.dkr.ecr.us-east-1.amazonaws.com", true, false, true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestSigning(t *testing.T) {
	tests := []struct {
		name          string
		s             Signing
		wantArg       string
		wantEphemeral bool
	}{
		{"ephemeral", Signing{}, "", true},
		{"key", Signing{Key: true, PublicKey: true}, "", false},
		{"key and password", Signing{Key: true, Password: true, PublicKey: true}, "", false},
		{"key without public key", Signing{Key: true}, "--cosign-public-key", false},
		{"public key alone", Signing{PublicKey: true}, "--cosign-public-key", true},
		{"password alone", Signing{Password: true}, "--cosign-password", true},
		{"keyless", Signing{Keyless: true, OIDCRequestToken: true, OIDCRequestURL: true}, "", false},
		{"keyless without oidc", Signing{Keyless: true}, "--oidc-request-token", false},
		{"keyless without url", Signing{Keyless: true, OIDCRequestToken: true}, "--oidc-request-url", false},
		{"keyless and key", Signing{Keyless: true, Key: true, OIDCRequestToken: true, OIDCRequestURL: true}, "--keyless", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.s.Validate()
			if diff := cmp.Diff(tt.wantArg, errArg(t, err)); diff != "" {
				t.Fatalf("argument named (-want +got):\n%s\nerror: %v", diff, err)
			}
			if got := tt.s.Ephemeral(); got != tt.wantEphemeral {
				t.Errorf("Ephemeral() = %v, want %v", got, tt.wantEphemeral)
			}
		})
	}
}

func TestIdentity(t *testing.T) {
	const gh = "https://token.actions.githubusercontent.com"
	tests := []struct {
		name    string
		id      Identity
		wantArg string
	}{
		{"complete", Identity{CertificateIdentity: "https://github.com/a/b/.github/workflows/build.yml@refs/heads/main", CertificateOIDCIssuer: gh}, ""},
		{"no identity", Identity{CertificateOIDCIssuer: gh}, "--certificate-identity"},
		{"no issuer", Identity{CertificateIdentity: "x"}, "--certificate-oidc-issuer"},
		{"http issuer", Identity{CertificateIdentity: "x", CertificateOIDCIssuer: "http://issuer"}, "--certificate-oidc-issuer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.wantArg, errArg(t, tt.id.Validate())); diff != "" {
				t.Fatalf("argument named (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSmallChoices(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		wantArg string
	}{
		{"mode http", Mode("--mode", "http"), ""},
		{"mode lambda", Mode("--mode", "lambda"), ""},
		{"mode grpc", Mode("--mode", "grpc"), "--mode"},
		{"severity", Severity("--severity", "HIGH,CRITICAL"), ""},
		{"severity lower", Severity("--severity", "high"), "--severity"},
		{"severity empty", Severity("--severity", ""), "--severity"},
		{"mirror none", Mirror(""), ""},
		{"mirror", Mirror("registry.internal:5000/mirror/"), ""},
		{"mirror scheme", Mirror("https://registry.internal"), "--mirror"},
		{"mirror digest", Mirror("registry.internal/x@sha256:1"), "--mirror"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.wantArg, errArg(t, tt.err)); diff != "" {
				t.Fatalf("argument named (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzDigest checks that Digest accepts exactly the canonical digests and
// that every rejection names the argument and offers a fix.
func FuzzDigest(f *testing.F) {
	for _, s := range []string{goodDigest, "v1", "a@" + goodDigest, "sha256:", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		err := Digest("--digest", v)
		if (err == nil) != digestRE.MatchString(v) {
			t.Fatalf("Digest(%q) = %v, disagrees with the digest grammar", v, err)
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Arg != "--digest" || e.Fix == "" {
				t.Fatalf("Digest(%q) = %#v, want an *Error naming --digest with a fix", v, err)
			}
		}
	})
}

// FuzzRegistryAddress checks that an accepted --registry has a host and a
// repository, and no scheme, tag or digest.
func FuzzRegistryAddress(f *testing.F) {
	for _, s := range []string{"ghcr.io/a/b", "localhost:5000/x", "https://x/y", "x/y:tag", "x", "a/B"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		err := Registry{Address: addr, Username: "u", Password: true}.Validate()
		if addr == "" {
			return
		}
		if err == nil {
			host, repo, ok := strings.Cut(addr, "/")
			if !ok || host == "" || repo == "" || strings.Contains(addr, "://") || strings.Contains(addr, "@") || strings.Contains(repo, ":") {
				t.Fatalf("accepted bad address %q", addr)
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) || e.Arg != "--registry" {
			t.Fatalf("Validate(%q) = %v, want an *Error naming --registry", addr, err)
		}
	})
}
