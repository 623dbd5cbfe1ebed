// Package nativerun executes step.Steps as local processes: the pinned tool
// binary (built from source by toolbuild) replaces Args[0], the rest of the
// argv is passed unchanged, the environment is Step.Env plus the bound
// secrets plus a small base (PATH, HOME and the Go caches ko needs), and
// generated files are written into the work dir first. It is the native
// counterpart of the Dagger module's container runner.
package nativerun

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/deliverykit/podinfo/ci/step"
)

// ToolPath returns the executable for a toolversions tool name.
type ToolPath func(ctx context.Context, tool string) (string, error)

// Record is one executed step, kept for reports and secret scans.
type Record struct {
	// Step is the step as defined.
	Step step.Step
	// Argv is the argv actually executed (tool path substituted).
	Argv []string
	// Env is the plain environment given to the process (no secrets).
	Env []string
	// Result is what the step left.
	Result step.Result
	// Duration is the wall time the process took.
	Duration time.Duration
}

// Runner runs steps in one work dir. It is safe for sequential use; Records
// is safe to call concurrently.
type Runner struct {
	// WorkDir is the step's work dir (absolute).
	WorkDir string
	// Tool resolves a tool name to its binary (toolbuild.Ensure).
	Tool ToolPath
	// Secrets binds secret env names to values.
	Secrets map[string]string
	// BaseEnv is the non-secret environment every step gets in addition to
	// Step.Env (PATH, HOME, Go caches). Nil means DefaultBaseEnv().
	BaseEnv []string
	// LogDir, when set, receives <step name>.log with argv, stdout and stderr.
	LogDir string

	mu      sync.Mutex
	records []Record
}

var _ step.Runner = (*Runner)(nil)

// DefaultBaseEnv returns the host's PATH, HOME, TMPDIR and Go settings.
// GOCACHE, GOMODCACHE and GOPATH are resolved with `go env` when the
// environment does not set them, so a runner with its own HOME still builds
// with the host's warm caches (GOFLAGS is left out on purpose).
func DefaultBaseEnv() []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "TMPDIR", "GOPROXY", "GOSUMDB", "GONOSUMDB", "GOPRIVATE", "GOTOOLCHAIN"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	for _, k := range []string{"GOCACHE", "GOMODCACHE", "GOPATH"} {
		v, ok := os.LookupEnv(k)
		if !ok {
			out, err := exec.Command("go", "env", k).Output()
			if err != nil {
				continue // the tool that needs it reports the problem
			}
			v = strings.TrimSpace(string(out))
		}
		env = append(env, k+"="+v)
	}
	return env
}

// Run implements step.Runner.
func (r *Runner) Run(ctx context.Context, s step.Step) (step.Result, error) {
	if err := s.Validate(); err != nil {
		return step.Result{}, err
	}
	bound := map[string]bool{}
	for k := range r.Secrets {
		bound[k] = true
	}
	if missing := step.MissingSecrets(s, bound); len(missing) > 0 {
		return step.Result{}, fmt.Errorf("step %s: secret %s not provided: bind it before running (for cosign: the key and its password, or the GitHub OIDC token and URL)", s.Name, strings.Join(missing, ", "))
	}
	bin, err := r.Tool(ctx, s.Tool)
	if err != nil {
		return step.Result{}, fmt.Errorf("step %s: %w", s.Name, err)
	}
	for p, b := range s.Files {
		dst := filepath.Join(r.WorkDir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return step.Result{}, fmt.Errorf("step %s: write %s: %w", s.Name, p, err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			return step.Result{}, fmt.Errorf("step %s: write %s: %w", s.Name, p, err)
		}
	}
	// Remove stale outputs, so a failed step never leaves an earlier run's
	// file to be mistaken for its result.
	for _, p := range s.Outputs {
		dst := filepath.Join(r.WorkDir, filepath.FromSlash(p))
		if fi, err := os.Stat(dst); err == nil && fi.Mode().IsRegular() {
			if err := os.Remove(dst); err != nil {
				return step.Result{}, fmt.Errorf("step %s: remove stale %s: %w", s.Name, p, err)
			}
		}
	}
	argv := append([]string{bin}, s.Args[1:]...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = r.WorkDir
	env := r.BaseEnv
	if env == nil {
		env = DefaultBaseEnv()
	}
	env = append([]string(nil), env...)
	keys := make([]string, 0, len(s.Env))
	for k := range s.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		env = append(env, k+"="+s.Env[k])
	}
	plainEnv := append([]string(nil), env...)
	for _, k := range s.SecretEnv {
		env = append(env, k+"="+r.Secrets[k])
	}
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	runErr := cmd.Run()
	res := step.Result{Stdout: stdout.Bytes(), Stderr: stderr.Bytes(), Outputs: map[string][]byte{}}
	var exitErr *exec.ExitError
	switch {
	case runErr == nil:
	case errors.As(runErr, &exitErr) && ctx.Err() == nil:
		res.ExitCode = exitErr.ExitCode()
	default:
		return res, fmt.Errorf("step %s: run %s: %w", s.Name, s.Tool, runErr)
	}
	dur := time.Since(start)
	if s.Stdout != "" {
		if err := os.WriteFile(filepath.Join(r.WorkDir, filepath.FromSlash(s.Stdout)), res.Stdout, 0o644); err != nil {
			return res, fmt.Errorf("step %s: write stdout: %w", s.Name, err)
		}
	}
	for _, p := range s.Outputs {
		b, err := os.ReadFile(filepath.Join(r.WorkDir, filepath.FromSlash(p)))
		if err == nil {
			res.Outputs[p] = b
		}
	}
	r.mu.Lock()
	r.records = append(r.records, Record{Step: s, Argv: argv, Env: plainEnv, Result: res, Duration: dur})
	r.mu.Unlock()
	if r.LogDir != "" {
		if err := r.writeLog(s, argv, res, dur); err != nil {
			return res, err
		}
	}
	return res, nil
}

func (r *Runner) writeLog(s step.Step, argv []string, res step.Result, dur time.Duration) error {
	if err := os.MkdirAll(r.LogDir, 0o755); err != nil {
		return fmt.Errorf("step %s: log: %w", s.Name, err)
	}
	f, err := os.OpenFile(filepath.Join(r.LogDir, s.Name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("step %s: log: %w", s.Name, err)
	}
	defer f.Close()
	w := io.Writer(f)
	fmt.Fprintf(w, "$ %s\n# exit %d in %s\n--- stdout\n%s\n--- stderr\n%s\n\n", strings.Join(argv, " "), res.ExitCode, dur.Round(time.Millisecond), res.Stdout, res.Stderr)
	return nil
}

// Records returns the steps run so far, in order.
func (r *Runner) Records() []Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Record(nil), r.records...)
}
