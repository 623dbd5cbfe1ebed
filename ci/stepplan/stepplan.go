// Package stepplan translates a step.Step into the ordered list of container
// operations the Dagger module applies: which image, which plain and secret
// variables, which cache volumes and services, which files and which exec.
// The module's thin apply function (ci/steprun.go) turns each Op into one
// *dagger.Container call; keeping the translation here makes it testable
// without an engine and keeps secret values out of it entirely: an Op names a
// secret, it never holds one.
package stepplan

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/deliverykit/podinfo/ci/step"
)

// Kind is the container operation an Op stands for.
type Kind string

// The operations, in the order For emits them.
const (
	// From starts from Value, the tool image.
	From Kind = "from"
	// Env sets the plain variable Name to Value.
	Env Kind = "env"
	// SecretEnv sets Name from the *dagger.Secret bound under that name.
	SecretEnv Kind = "secret-env"
	// Service binds the service bound under Name at host Name.
	Service Kind = "service"
	// Cache mounts the cache volume keyed Name at Value.
	Cache Kind = "cache"
	// File writes Content at work-dir-relative Name before the work dir
	// is mounted (tool configuration, predicates, public keys; never secrets).
	File Kind = "file"
	// MountFile mounts the file bound under path Value at Value (a
	// credential helper binary).
	MountFile Kind = "mount-file"
	// Mount mounts the work directory at Value (step.WorkDir), owned by
	// Owner.
	Mount Kind = "mount"
	// Workdir sets the working directory to Value.
	Workdir Kind = "workdir"
	// Exec runs Args; Stdout, when set, is the work-dir-relative file that
	// receives standard output; AllowFailure keeps a non-zero exit status
	// from failing the pipeline so the caller can read the tool's report.
	Exec Kind = "exec"
)

// Op is one container operation.
type Op struct {
	// Kind says which operation.
	Kind Kind
	// Name is the variable, secret, service host, cache key or file path.
	Name string `json:",omitempty"`
	// Value is the image, variable value or mount path.
	Value string `json:",omitempty"`
	// Content is the File content.
	Content []byte `json:",omitempty"`
	// Args is the Exec argv.
	Args []string `json:",omitempty"`
	// Stdout is the Exec standard output file, relative to the work dir.
	Stdout string `json:",omitempty"`
	// AllowFailure keeps a non-zero exit status of Exec from failing.
	AllowFailure bool `json:",omitempty"`
	// Owner is the user:group the Mount is owned by.
	Owner string `json:",omitempty"`
}

// WorkOwner owns the mounted work dir: the distroless images the tools ship
// in (cosign's) run as uid 65532 and must write their outputs there; tools
// running as root write regardless.
const WorkOwner = "65532:65532"

// RunEnv is the variable that carries Options.RunID into side-effecting
// steps, so the engine never answers them from its cache.
const RunEnv = "PODINFO_DELIVERY_RUN"

// Cache volume keys shared by every Go build in the module.
const (
	GoModCacheKey   = "podinfo-delivery-go-mod"
	GoBuildCacheKey = "podinfo-delivery-go-build"
	TrivyCacheKey   = "podinfo-delivery-trivy"
	// GoModCachePath and GoBuildCachePath are where the Go caches are mounted.
	GoModCachePath   = "/cache/go-mod"
	GoBuildCachePath = "/cache/go-build"
)

// offPath holds the absolute path of tools whose image keeps the binary
// off PATH: anchore/syft is a scratch image with the binary at /syft. The
// native runner finds the same Args[0] on PATH, so the step stays the same.
var offPath = map[string]string{"syft": "/syft"}

// Options binds what the step needs from the outside world by name.
type Options struct {
	// Secrets are the secret variable names the caller has a
	// *dagger.Secret for. Every step.SecretEnv name must be among them.
	Secrets []string
	// Services are the hostnames of services to bind (the embedded
	// registry); their endpoints appear in the step's argv or env.
	Services []string
	// RunID, when set, marks the step as side-effecting (it pushes, signs or
	// deploys): RunEnv=RunID is set so the exec is never served from cache.
	RunID string
	// AllowFailure lets the tool exit non-zero (a scan with findings) so its
	// report can still be read; the caller then decides.
	AllowFailure bool
	// FileMounts are absolute paths of files the caller binds into every
	// container (a credential helper on PATH).
	FileMounts []string
}

// For returns the operations that run s in a container. It fails, before
// any container exists, when the step is malformed or needs a secret that
// opts does not bind.
func For(s step.Step, opts Options) ([]Op, error) {
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	if s.Image == "" {
		return nil, fmt.Errorf("plan step %s: tool %s has no container image: it runs only natively", s.Name, s.Tool)
	}
	bound := map[string]bool{}
	for _, n := range opts.Secrets {
		bound[n] = true
	}
	if missing := step.MissingSecrets(s, bound); len(missing) > 0 {
		return nil, fmt.Errorf("plan step %s: secret variables %s are not bound: pass the matching secret arguments", s.Name, strings.Join(missing, ", "))
	}

	ops := []Op{{Kind: From, Value: s.Image}}
	env := map[string]string{}
	for k, v := range s.Env {
		env[k] = v
	}
	var caches []Op
	if s.Tool == "go" || s.Tool == "ko" {
		env["GOMODCACHE"] = GoModCachePath
		env["GOCACHE"] = GoBuildCachePath
		caches = append(caches,
			Op{Kind: Cache, Name: GoModCacheKey, Value: GoModCachePath},
			Op{Kind: Cache, Name: GoBuildCacheKey, Value: GoBuildCachePath})
	}
	if s.Tool == "trivy" {
		if i := slices.Index(s.Args, "--cache-dir"); i > 0 && i+1 < len(s.Args) {
			caches = append(caches, Op{Kind: Cache, Name: TrivyCacheKey, Value: path.Join(step.WorkDir, s.Args[i+1])})
		}
	}
	if opts.RunID != "" {
		env[RunEnv] = opts.RunID
	}
	for _, k := range sortedKeys(env) {
		ops = append(ops, Op{Kind: Env, Name: k, Value: env[k]})
	}
	secrets := append([]string(nil), s.SecretEnv...)
	sort.Strings(secrets)
	for _, n := range secrets {
		ops = append(ops, Op{Kind: SecretEnv, Name: n})
	}
	services := append([]string(nil), opts.Services...)
	sort.Strings(services)
	for _, h := range slices.Compact(services) {
		ops = append(ops, Op{Kind: Service, Name: h})
	}
	mounts := append([]string(nil), opts.FileMounts...)
	sort.Strings(mounts)
	for _, p := range slices.Compact(mounts) {
		if !path.IsAbs(p) || path.Clean(p) != p || strings.HasPrefix(p, step.WorkDir+"/") {
			return nil, fmt.Errorf("plan step %s: file mount %q must be a clean absolute path outside %s", s.Name, p, step.WorkDir)
		}
		ops = append(ops, Op{Kind: MountFile, Value: p})
	}
	for _, p := range sortedKeys(s.Files) {
		ops = append(ops, Op{Kind: File, Name: p, Content: s.Files[p]})
	}
	ops = append(ops, Op{Kind: Mount, Value: step.WorkDir, Owner: WorkOwner})
	ops = append(ops, caches...)
	argv := append([]string(nil), s.Args...)
	if p, ok := offPath[s.Tool]; ok && argv[0] == path.Base(p) {
		argv[0] = p
	}
	ops = append(ops,
		Op{Kind: Workdir, Value: step.WorkDir},
		Op{Kind: Exec, Args: argv, Stdout: s.Stdout, AllowFailure: opts.AllowFailure})
	return ops, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
