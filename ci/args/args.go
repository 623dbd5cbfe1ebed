// Package args validates the arguments of the Dagger module's functions
// before any container runs. Every rejection names the argument, says what
// was wrong and how to fix it. It is a plain package so that the module, its
// unit tests and the GitHub workflows' tests share one set of rules.
package args

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Error is a rejected argument.
type Error struct {
	// Arg is the CLI flag as the user typed it ("--digest").
	Arg string
	// Problem says what was wrong, quoting the value when it is not secret.
	Problem string
	// Fix says what to pass instead.
	Fix string
}

// Error renders "--arg: problem; fix".
func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s; %s", e.Arg, e.Problem, e.Fix)
}

// Environments the pipeline deploys to.
const (
	// Local runs the verified image as Dagger services; no AWS involved.
	Local = "local"
	// Dev is the first AWS environment.
	Dev = "dev"
	// Staging is the environment before production.
	Staging = "staging"
	// Prod is production.
	Prod = "prod"
)

// DeployEnvs are the values --env accepts on deploy and rollback, in order.
func DeployEnvs() []string { return []string{Local, Dev, Staging, Prod} }

// AWSEnvs are the environments with a registry and Terraform root, in
// promotion order.
func AWSEnvs() []string { return []string{Dev, Staging, Prod} }

var digestRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// Digest checks that value is an image digest ("sha256:" and 64 lowercase
// hex digits). Tags are rejected: only digests are deployed.
func Digest(arg, value string) error {
	const fix = "pass the image digest (sha256:<64 hex digits>) that build-and-sign wrote to its digest file"
	switch {
	case value == "":
		return &Error{Arg: arg, Problem: "missing", Fix: fix}
	case digestRE.MatchString(value):
		return nil
	case strings.Contains(value, "@"):
		_, d, _ := strings.Cut(value, "@")
		if digestRE.MatchString(d) {
			return &Error{Arg: arg, Problem: fmt.Sprintf("%q is an image reference, not a digest", value), Fix: fmt.Sprintf("pass only the digest part: %s %s", arg, d)}
		}
		return &Error{Arg: arg, Problem: fmt.Sprintf("%q does not end in a sha256 digest", value), Fix: fix}
	case strings.HasPrefix(value, "sha256:"):
		return &Error{Arg: arg, Problem: fmt.Sprintf("%q is not 64 lowercase hex digits after sha256:", value), Fix: fix}
	default:
		return &Error{Arg: arg, Problem: fmt.Sprintf("%q is a tag, and tags are never deployed or promoted (they can move)", value), Fix: fix}
	}
}

// DeployEnv checks --env of deploy and rollback.
func DeployEnv(arg, value string) error {
	return oneOf(arg, value, DeployEnvs())
}

// AWSEnv checks an environment that must exist on AWS (promote, rollback of
// a real deployment).
func AWSEnv(arg, value string) error {
	if value == Local {
		return &Error{Arg: arg, Problem: `"local" has no registry or deployment to promote or roll back`, Fix: "choose one of " + strings.Join(AWSEnvs(), ", ")}
	}
	return oneOf(arg, value, AWSEnvs())
}

func oneOf(arg, value string, allowed []string) error {
	if slices.Contains(allowed, value) {
		return nil
	}
	problem := fmt.Sprintf("unknown environment %q", value)
	if value == "" {
		problem = "missing"
	}
	return &Error{Arg: arg, Problem: problem, Fix: "choose one of " + strings.Join(allowed, ", ")}
}

// Promotion checks --from and --to of promote: both AWS environments,
// different, and moving forward along dev → staging → prod.
func Promotion(from, to string) error {
	if err := AWSEnv("--from", from); err != nil {
		return err
	}
	if err := AWSEnv("--to", to); err != nil {
		return err
	}
	if from == to {
		return &Error{Arg: "--to", Problem: fmt.Sprintf("equals --from (%q): a promotion copies between two environments", to), Fix: "pass the next environment, e.g. --from " + from + " --to " + next(from)}
	}
	order := AWSEnvs()
	if slices.Index(order, to) < slices.Index(order, from) {
		return &Error{Arg: "--to", Problem: fmt.Sprintf("%q comes before --from %q; promotions only move forward (dev → staging → prod)", to, from), Fix: "to return an environment to an older digest use `rollback --env " + to + "` or deploy that digest"}
	}
	return nil
}

func next(env string) string {
	order := AWSEnvs()
	i := slices.Index(order, env)
	if i < 0 || i == len(order)-1 {
		return Prod
	}
	return order[i+1]
}

var (
	hostRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$`)
	pathRE = regexp.MustCompile(`^[a-z0-9]+([._-]+[a-z0-9]+)*(/[a-z0-9]+([._-]+[a-z0-9]+)*)*$`)
	ecrRE  = regexp.MustCompile(`^[0-9]{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$`)
)

// Registry holds the registry arguments of publish, build-and-sign and
// promote. Secret values are never seen here, only whether they were given.
type Registry struct {
	// Address is --registry: "host[:port]/repository", empty for the
	// embedded ephemeral registry.
	Address string
	// Username is --registry-username.
	Username string
	// Password says whether --registry-password was given.
	Password bool
	// AWSAccessKeyID says whether --aws-access-key-id was given.
	AWSAccessKeyID bool
	// AWSSecretAccessKey says whether --aws-secret-access-key was given.
	AWSSecretAccessKey bool
	// AWSSessionToken says whether --aws-session-token was given (the
	// short-lived keys GitHub's OIDC role exchange yields).
	AWSSessionToken bool
}

// Embedded reports whether the embedded ephemeral registry is used.
func (r Registry) Embedded() bool { return r.Address == "" }

// Host returns the registry host of Address ("123.dkr.ecr.eu-west-1.amazonaws.com").
func (r Registry) Host() string {
	h, _, _ := strings.Cut(r.Address, "/")
	return h
}

// ECR reports whether Address is an Amazon ECR repository.
func (r Registry) ECR() bool { return ecrRE.MatchString(r.Host()) }

// Validate checks the address and that it comes with credentials.
func (r Registry) Validate() error {
	if r.Embedded() {
		if r.Username != "" || r.Password {
			return &Error{Arg: "--registry-username", Problem: "given without --registry", Fix: "pass --registry <host>/<repository> too, or drop the credentials to use the embedded registry"}
		}
		return nil
	}
	if err := r.validateAddress(); err != nil {
		return err
	}
	if r.Username != "" || r.Password {
		if r.Username == "" {
			return &Error{Arg: "--registry-username", Problem: "missing while --registry-password is set", Fix: "pass the user name the password belongs to"}
		}
		if !r.Password {
			return &Error{Arg: "--registry-password", Problem: "missing while --registry-username is set", Fix: "pass the password or token as a secret, e.g. --registry-password env://REGISTRY_PASSWORD"}
		}
		return nil
	}
	if r.ECR() {
		return r.validateAWS()
	}
	return &Error{
		Arg:     "--registry",
		Problem: fmt.Sprintf("%q given without credentials", r.Address),
		Fix:     "pass --registry-username and --registry-password env://VAR (for ECR: --aws-access-key-id and --aws-secret-access-key secrets)",
	}
}

func (r Registry) validateAddress() error {
	a := r.Address
	const fix = "pass host[:port]/repository without scheme, tag or digest, e.g. --registry 123456789012.dkr.ecr.eu-west-1.amazonaws.com/podinfo"
	if strings.Contains(a, "://") {
		return &Error{Arg: "--registry", Problem: fmt.Sprintf("%q has a URL scheme", a), Fix: fix}
	}
	if strings.Contains(a, "@") {
		return &Error{Arg: "--registry", Problem: fmt.Sprintf("%q has a digest", a), Fix: fix}
	}
	host, repo, ok := strings.Cut(a, "/")
	if !ok || repo == "" {
		return &Error{Arg: "--registry", Problem: fmt.Sprintf("%q has no repository path", a), Fix: fix}
	}
	if !hostRE.MatchString(host) {
		return &Error{Arg: "--registry", Problem: fmt.Sprintf("%q is not a valid registry host", host), Fix: fix}
	}
	if !pathRE.MatchString(repo) {
		if strings.Contains(repo, ":") {
			return &Error{Arg: "--registry", Problem: fmt.Sprintf("%q has a tag", a), Fix: fix}
		}
		return &Error{Arg: "--registry", Problem: fmt.Sprintf("repository %q must be lowercase letters, digits and separators", repo), Fix: fix}
	}
	return nil
}

func (r Registry) validateAWS() error {
	switch {
	case r.AWSAccessKeyID && r.AWSSecretAccessKey:
		return nil
	case r.AWSAccessKeyID:
		return &Error{Arg: "--aws-secret-access-key", Problem: "missing while --aws-access-key-id is set", Fix: "pass both as secrets, e.g. --aws-secret-access-key env://AWS_SECRET_ACCESS_KEY"}
	case r.AWSSecretAccessKey || r.AWSSessionToken:
		return &Error{Arg: "--aws-access-key-id", Problem: "missing while other AWS credentials are set", Fix: "pass both keys as secrets, e.g. --aws-access-key-id env://AWS_ACCESS_KEY_ID"}
	default:
		return &Error{
			Arg:     "--registry",
			Problem: fmt.Sprintf("ECR repository %q given without AWS credentials", r.Address),
			Fix:     "pass --aws-access-key-id, --aws-secret-access-key (and --aws-session-token for the short-lived keys of GitHub's OIDC role, from aws-actions/configure-aws-credentials) as secrets",
		}
	}
}

func oidcPair(token, url bool, by string) error {
	if !token {
		return &Error{Arg: "--oidc-request-token", Problem: "missing, and " + by + " needs it", Fix: "in GitHub Actions pass --oidc-request-token env://ACTIONS_ID_TOKEN_REQUEST_TOKEN (the job needs `permissions: id-token: write`)"}
	}
	if !url {
		return &Error{Arg: "--oidc-request-url", Problem: "missing, and " + by + " needs it", Fix: "in GitHub Actions pass --oidc-request-url env://ACTIONS_ID_TOKEN_REQUEST_URL"}
	}
	return nil
}

// Signing holds the signing and verification arguments. Secret values are
// never seen here, only whether they were given.
type Signing struct {
	// Key says whether --cosign-key was given.
	Key bool
	// Password says whether --cosign-password was given.
	Password bool
	// PublicKey says whether --cosign-public-key was given; verification
	// with a key needs it.
	PublicKey bool
	// Keyless is --keyless (Fulcio certificate from the CI's OIDC identity).
	Keyless bool
	// OIDCRequestToken says whether --oidc-request-token was given.
	OIDCRequestToken bool
	// OIDCRequestURL says whether --oidc-request-url was given.
	OIDCRequestURL bool
}

// Ephemeral reports whether an ephemeral key pair is generated for the run.
func (s Signing) Ephemeral() bool { return !s.Key && !s.Keyless }

// Validate checks that the signing mode is complete and unambiguous.
func (s Signing) Validate() error {
	switch {
	case s.Keyless && s.Key:
		return &Error{Arg: "--keyless", Problem: "given together with --cosign-key", Fix: "sign either with a key (--cosign-key) or keyless (--keyless), not both"}
	case s.Keyless:
		return oidcPair(s.OIDCRequestToken, s.OIDCRequestURL, "--keyless")
	case s.Key && !s.PublicKey:
		return &Error{Arg: "--cosign-public-key", Problem: "missing while --cosign-key is set: the image is verified after signing", Fix: "pass the matching public key, e.g. --cosign-public-key ./cosign.pub"}
	case s.PublicKey && !s.Key && !s.Keyless:
		return &Error{Arg: "--cosign-public-key", Problem: "given without --cosign-key", Fix: "pass the private key too (--cosign-key env://COSIGN_KEY), or drop the public key to sign with an ephemeral key"}
	case s.Password && !s.Key:
		return &Error{Arg: "--cosign-password", Problem: "given without --cosign-key", Fix: "pass the encrypted key too, e.g. --cosign-key file://cosign.key, or drop the password to sign with an ephemeral key"}
	}
	return nil
}

// Identity holds the keyless verification policy arguments.
type Identity struct {
	// CertificateIdentity is --certificate-identity (the workflow's SAN).
	CertificateIdentity string
	// CertificateOIDCIssuer is --certificate-oidc-issuer.
	CertificateOIDCIssuer string
}

// Validate checks the pair needed to verify a keyless signature.
func (i Identity) Validate() error {
	if i.CertificateIdentity == "" {
		return &Error{Arg: "--certificate-identity", Problem: "missing for keyless verification", Fix: "pass the signing workflow's identity, e.g. https://github.com/<org>/<repo>/.github/workflows/build.yml@refs/heads/main"}
	}
	if i.CertificateOIDCIssuer == "" {
		return &Error{Arg: "--certificate-oidc-issuer", Problem: "missing for keyless verification", Fix: "pass https://token.actions.githubusercontent.com for GitHub Actions"}
	}
	if !strings.HasPrefix(i.CertificateOIDCIssuer, "https://") {
		return &Error{Arg: "--certificate-oidc-issuer", Problem: fmt.Sprintf("%q is not an https URL", i.CertificateOIDCIssuer), Fix: "pass the issuer URL, e.g. https://token.actions.githubusercontent.com"}
	}
	return nil
}

// Mode checks --mode of serve: "http" or "lambda".
func Mode(arg, value string) error {
	return choice(arg, value, []string{"http", "lambda"})
}

// Severity checks a comma-separated Trivy severity list.
func Severity(arg, value string) error {
	allowed := []string{"UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"}
	if value == "" {
		return &Error{Arg: arg, Problem: "empty", Fix: "pass a comma-separated list of " + strings.Join(allowed, ", ")}
	}
	for _, s := range strings.Split(value, ",") {
		if !slices.Contains(allowed, s) {
			return &Error{Arg: arg, Problem: fmt.Sprintf("unknown severity %q", s), Fix: "use a comma-separated list of " + strings.Join(allowed, ", ")}
		}
	}
	return nil
}

func choice(arg, value string, allowed []string) error {
	if slices.Contains(allowed, value) {
		return nil
	}
	return &Error{Arg: arg, Problem: fmt.Sprintf("unknown value %q", value), Fix: "choose one of " + strings.Join(allowed, ", ")}
}

// Mirror checks --mirror: a registry prefix without scheme or trailing tag.
func Mirror(value string) error {
	if value == "" {
		return nil
	}
	const fix = "pass a registry prefix such as registry.internal/mirror"
	if strings.Contains(value, "://") {
		return &Error{Arg: "--mirror", Problem: fmt.Sprintf("%q has a URL scheme", value), Fix: fix}
	}
	host, _, _ := strings.Cut(strings.TrimSuffix(value, "/"), "/")
	if !hostRE.MatchString(host) || strings.ContainsAny(value, "@ ") {
		return &Error{Arg: "--mirror", Problem: fmt.Sprintf("%q is not a registry prefix", value), Fix: fix}
	}
	return nil
}
