package main

import (
	"context"
	"errors"
	"fmt"
	"path"

	"github.com/deliverykit/podinfo/ci/internal/dagger"
	"github.com/deliverykit/podinfo/ci/report"
	"github.com/deliverykit/podinfo/ci/step"
	"github.com/deliverykit/podinfo/ci/stepplan"
)

// runner maps steps onto containers: it owns the secrets and services the
// steps may use, by name, and the run ID that keeps side effects out of the
// engine's cache. It implements step.Runner for package gate.
type runner struct {
	// secrets are bound by variable name; values never leave *dagger.Secret.
	secrets map[string]*dagger.Secret
	// services are bound by hostname (the embedded registry).
	services map[string]*dagger.Service
	// runID is unique per function call.
	runID string
	// work is the base work directory every step starts from.
	work *dagger.Directory
	// tools records every step mapped, for the report.
	tools []report.Tool
	// files are mounted into every container, by absolute path.
	files map[string]*dagger.File
}

var _ step.Runner = (*runner)(nil)

// opts describes how one step is run.
type opts struct {
	// work is the work directory (the step's inputs); nil means r.work.
	work *dagger.Directory
	// sideEffect marks steps that push, sign or deploy: never cached.
	sideEffect bool
	// allowFailure keeps a non-zero exit status from failing, so a report
	// written by a failing tool (a scan with findings) can still be read.
	allowFailure bool
}

// plan returns the operations for s under o.
func (r *runner) plan(s step.Step, o opts) ([]stepplan.Op, error) {
	po := stepplan.Options{AllowFailure: o.allowFailure}
	for name := range r.secrets {
		po.Secrets = append(po.Secrets, name)
	}
	for host := range r.services {
		po.Services = append(po.Services, host)
	}
	for p := range r.files {
		po.FileMounts = append(po.FileMounts, p)
	}
	if o.sideEffect {
		po.RunID = r.runID
	}
	return stepplan.For(s, po)
}

// container applies the plan of s and returns the container after the exec;
// nothing runs until the caller reads from it.
func (r *runner) container(s step.Step, o opts) (*dagger.Container, error) {
	ops, err := r.plan(s, o)
	if err != nil {
		return nil, err
	}
	r.tools = append(r.tools, report.Tool{Step: s.Name, Image: s.Image})
	work := o.work
	if work == nil {
		work = r.work
	}
	var ctr *dagger.Container
	for _, op := range ops {
		switch op.Kind {
		case stepplan.From:
			ctr = dag.Container().From(op.Value)
		case stepplan.Env:
			ctr = ctr.WithEnvVariable(op.Name, op.Value)
		case stepplan.SecretEnv:
			ctr = ctr.WithSecretVariable(op.Name, r.secrets[op.Name])
		case stepplan.Service:
			ctr = ctr.WithServiceBinding(op.Name, r.services[op.Name])
		case stepplan.Cache:
			ctr = ctr.WithMountedCache(op.Value, dag.CacheVolume(op.Name))
		case stepplan.File:
			work = work.WithNewFile(op.Name, string(op.Content))
		case stepplan.MountFile:
			ctr = ctr.WithMountedFile(op.Value, r.files[op.Value])
		case stepplan.Mount:
			ctr = ctr.WithMountedDirectory(op.Value, work, dagger.ContainerWithMountedDirectoryOpts{Owner: op.Owner})
		case stepplan.Workdir:
			ctr = ctr.WithWorkdir(op.Value)
		case stepplan.Exec:
			eo := dagger.ContainerWithExecOpts{}
			if op.Stdout != "" {
				eo.RedirectStdout = path.Join(step.WorkDir, op.Stdout)
			}
			if op.AllowFailure {
				eo.Expect = dagger.ReturnTypeAny
			}
			ctr = ctr.WithExec(op.Args, eo)
		default:
			return nil, fmt.Errorf("step %s: unknown operation %q", s.Name, op.Kind)
		}
	}
	return ctr, nil
}

// exec runs s and returns its work directory afterwards (inputs plus the
// step's outputs). A failing tool fails with its standard error.
func (r *runner) exec(ctx context.Context, s step.Step, o opts) (*dagger.Directory, error) {
	ctr, err := r.container(s, o)
	if err != nil {
		return nil, err
	}
	ctr, err = ctr.Sync(ctx)
	if err != nil {
		return nil, stepError(s, err)
	}
	return ctr.Directory(step.WorkDir), nil
}

// stepError names the step and keeps the tool's output of a failed exec.
func stepError(s step.Step, err error) error {
	var ee *dagger.ExecError
	if errors.As(err, &ee) {
		return fmt.Errorf("step %s (%s): exit status %d: %s", s.Name, s.Tool, ee.ExitCode, tail(ee.Stderr, 4000))
	}
	return fmt.Errorf("step %s (%s): %w", s.Name, s.Tool, err)
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// Run implements step.Runner: it runs s (as a side effect: verification
// must never be answered from cache) and returns the exit status, the
// streams and the content of every output file the tool wrote.
func (r *runner) Run(ctx context.Context, s step.Step) (step.Result, error) {
	ctr, err := r.container(s, opts{sideEffect: true, allowFailure: true})
	if err != nil {
		return step.Result{}, err
	}
	ctr, err = ctr.Sync(ctx)
	if err != nil {
		return step.Result{}, stepError(s, err)
	}
	res := step.Result{Outputs: map[string][]byte{}}
	if res.ExitCode, err = ctr.ExitCode(ctx); err != nil {
		return step.Result{}, fmt.Errorf("step %s: exit code: %w", s.Name, err)
	}
	stdout, err := ctr.Stdout(ctx)
	if err != nil {
		return step.Result{}, fmt.Errorf("step %s: stdout: %w", s.Name, err)
	}
	stderr, err := ctr.Stderr(ctx)
	if err != nil {
		return step.Result{}, fmt.Errorf("step %s: stderr: %w", s.Name, err)
	}
	res.Stdout, res.Stderr = []byte(stdout), []byte(stderr)
	if s.Stdout != "" {
		// The exec's stdout went to this file; report it as the stream too.
		c, err := ctr.File(path.Join(step.WorkDir, s.Stdout)).Contents(ctx)
		if err != nil {
			return step.Result{}, fmt.Errorf("step %s: read %s: %w", s.Name, s.Stdout, err)
		}
		res.Stdout = []byte(c)
	}
	work := ctr.Directory(step.WorkDir)
	for _, out := range s.Outputs {
		entries, err := work.Entries(ctx, dagger.DirectoryEntriesOpts{Path: path.Dir(out)})
		if err != nil {
			continue // the tool did not write the directory: no output
		}
		if !contains(entries, path.Base(out)) {
			continue
		}
		c, err := work.File(out).Contents(ctx)
		if err != nil {
			return step.Result{}, fmt.Errorf("step %s: read output %s: %w", s.Name, out, err)
		}
		res.Outputs[out] = []byte(c)
	}
	return res, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s || v == s+"/" {
			return true
		}
	}
	return false
}
