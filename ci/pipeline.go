package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/deliverykit/podinfo/ci/args"
	"github.com/deliverykit/podinfo/ci/credhelper"
	"github.com/deliverykit/podinfo/ci/internal/dagger"
	"github.com/deliverykit/podinfo/ci/step"
	"github.com/deliverykit/podinfo/ci/steps"
	"github.com/deliverykit/podinfo/ci/toolversions"
)

// The embedded registry: a registry service bound into every tool container
// as host "registry". Images are built into it first (the staging area the
// scan gate runs against) and, without --registry, published there.
const (
	registryHost   = "registry"
	registryPort   = 5000
	stagingRepo    = "registry:5000/podinfo"
	stagingBase    = "registry:5000/podinfo-base"
	stagingPromote = "registry:5000/podinfo-promoted"
)

// Secret variable names the registry credentials reach tools under. The
// ones the tools read natively are bound straight to the caller's secret.
const (
	envAWSAccessKeyID     = "AWS_ACCESS_KEY_ID"
	envAWSSecretAccessKey = "AWS_SECRET_ACCESS_KEY"
	envAWSSessionToken    = "AWS_SESSION_TOKEN"
	envTrivyPassword      = "TRIVY_PASSWORD"
	envSyftPassword       = "SYFT_REGISTRY_AUTH_PASSWORD"
)

// registryService is the embedded registry, from the pinned registry image.
func (m *PodinfoDelivery) registryService() *dagger.Service {
	return dag.Container().
		From(toolversions.MustGet("registry").ImageRef(m.Mirror)).
		WithEnvVariable("REGISTRY_HTTP_ADDR", fmt.Sprintf("0.0.0.0:%d", registryPort)).
		WithEnvVariable("OTEL_TRACES_EXPORTER", "none").
		WithExposedPort(registryPort).
		AsService()
}

// registryCreds are the credential secrets of a real registry.
type registryCreds struct {
	username           string
	password           *dagger.Secret
	awsAccessKeyID     *dagger.Secret
	awsSecretAccessKey *dagger.Secret
	awsSessionToken    *dagger.Secret
}

// args returns what package args validates: which secrets were given.
func (c registryCreds) args(address string) args.Registry {
	return args.Registry{
		Address:            address,
		Username:           c.username,
		Password:           c.password != nil,
		AWSAccessKeyID:     c.awsAccessKeyID != nil,
		AWSSecretAccessKey: c.awsSecretAccessKey != nil,
		AWSSessionToken:    c.awsSessionToken != nil,
	}
}

// pipeline is one function call's state: the runner with its secrets and
// the started embedded registry, the target repository and the report.
type pipeline struct {
	m *PodinfoDelivery
	r *runner
	// staging holds the settings of steps against the embedded registry.
	staging steps.Common
	// target holds the settings of steps against the publish target.
	target steps.Common
	// targetRepo is where the image is published.
	targetRepo string
	// reg is the target registry's validated arguments.
	reg args.Registry
	// auth adds the target registry's credentials to a step.
	auth func(step.Step) step.Step
	// registry is the started embedded registry.
	registry *dagger.Service
	// started is when the call began (SLSA provenance).
	started time.Time
}

// newPipeline starts the embedded registry and binds the credentials of the
// target registry (address "" for the embedded one).
func (m *PodinfoDelivery) newPipeline(ctx context.Context, address string, creds registryCreds) (*pipeline, error) {
	reg := creds.args(address)
	if err := reg.Validate(); err != nil {
		return nil, err
	}
	svc, err := m.registryService().Start(ctx)
	if err != nil {
		return nil, fmt.Errorf("start the embedded registry: %w", err)
	}
	now := time.Now()
	p := &pipeline{
		m: m,
		r: &runner{
			secrets:  map[string]*dagger.Secret{},
			services: map[string]*dagger.Service{registryHost: svc},
			runID:    strconv.FormatInt(now.UnixNano(), 36),
			work:     dag.Directory(),
		},
		staging:    steps.Common{Mirror: m.Mirror, PlainHTTP: true},
		target:     steps.Common{Mirror: m.Mirror, PlainHTTP: reg.Embedded()},
		targetRepo: stagingRepo,
		reg:        reg,
		auth:       func(s step.Step) step.Step { return s },
		registry:   svc,
		started:    now,
	}
	if reg.Embedded() {
		return p, nil
	}
	p.targetRepo = address
	switch {
	case creds.password != nil:
		p.r.secrets[envTrivyPassword] = creds.password
		p.r.secrets[envSyftPassword] = creds.password
		p.r.secrets[credhelper.EnvPassword] = creds.password
		host := reg.Host()
		helper, err := p.goBinary(ctx, "./credhelper/cmd/docker-credential-env", "docker-credential-env")
		if err != nil {
			return nil, fmt.Errorf("build the registry credential helper: %w", err)
		}
		p.r.files = map[string]*dagger.File{credhelper.BinaryPath: helper}
		dockerConfig, err := credhelper.Config(host)
		if err != nil {
			return nil, &args.Error{Arg: "--registry", Problem: err.Error(), Fix: "pass host[:port]/repository"}
		}
		p.auth = func(s step.Step) step.Step {
			s = clone(s)
			switch s.Tool {
			case "cosign", "ko":
				// These read credentials only through a Docker config; it
				// names the env helper, which answers from the secret
				// variable.
				s.Env["DOCKER_CONFIG"] = step.WorkDir + "/.docker-auth"
				s.Env[credhelper.EnvUsername] = creds.username
				s.Env[credhelper.EnvHost] = host
				s.SecretEnv = append(s.SecretEnv, credhelper.EnvPassword)
				files := map[string][]byte{".docker-auth/config.json": dockerConfig}
				for k, v := range s.Files {
					files[k] = v
				}
				s.Files = files
				s.Inputs = append(append([]string(nil), s.Inputs...), ".docker-auth/config.json")
			case "trivy":
				s.Env["TRIVY_USERNAME"] = creds.username
				s.SecretEnv = append(s.SecretEnv, envTrivyPassword)
			case "syft":
				s.Env["SYFT_REGISTRY_AUTH_AUTHORITY"] = host
				s.Env["SYFT_REGISTRY_AUTH_USERNAME"] = creds.username
				s.SecretEnv = append(s.SecretEnv, envSyftPassword)
			}
			return s
		}
	default: // ECR: the tools' built-in ECR credential helpers read the AWS keys.
		names := p.bindAWSSecrets(creds)
		region := ecrRegion(reg.Host())
		p.auth = func(s step.Step) step.Step {
			s = clone(s)
			s.Env["AWS_REGION"] = region
			s.SecretEnv = append(s.SecretEnv, names...)
			return s
		}
	}
	return p, nil
}

// ecrRegion returns the region of an ECR host
// (123456789012.dkr.ecr.eu-west-1.amazonaws.com -> eu-west-1).
func ecrRegion(host string) string {
	parts := strings.Split(host, ".")
	if len(parts) >= 4 {
		return parts[3]
	}
	return ""
}

// clone copies the maps and slices of s so decorating it leaves the
// original alone.
func clone(s step.Step) step.Step {
	env := make(map[string]string, len(s.Env))
	for k, v := range s.Env {
		env[k] = v
	}
	s.Env = env
	s.SecretEnv = append([]string(nil), s.SecretEnv...)
	return s
}

// stagingStep runs s against the embedded registry.
func (p *pipeline) stagingStep(ctx context.Context, s step.Step, work *dagger.Directory) (*dagger.Directory, error) {
	return p.r.exec(ctx, s, opts{work: work, sideEffect: true})
}

// targetStep runs s against the publish target, with its credentials.
func (p *pipeline) targetStep(ctx context.Context, s step.Step, work *dagger.Directory) (*dagger.Directory, error) {
	return p.r.exec(ctx, p.auth(s), opts{work: work, sideEffect: true})
}

// readFile returns the content of a work-dir file a step wrote.
func readFile(ctx context.Context, work *dagger.Directory, name string) (string, error) {
	c, err := work.File(name).Contents(ctx)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", name, err)
	}
	return c, nil
}

// bindAWSSecrets hands the AWS keys of creds to the step runner as secrets
// and returns the environment variable names they reach tools under (the
// session token only when there is one).
func (p *pipeline) bindAWSSecrets(creds registryCreds) []string {
	p.r.secrets[envAWSAccessKeyID] = creds.awsAccessKeyID
	p.r.secrets[envAWSSecretAccessKey] = creds.awsSecretAccessKey
	names := []string{envAWSAccessKeyID, envAWSSecretAccessKey}
	if creds.awsSessionToken != nil {
		p.r.secrets[envAWSSessionToken] = creds.awsSessionToken
		names = append(names, envAWSSessionToken)
	}
	return names
}
