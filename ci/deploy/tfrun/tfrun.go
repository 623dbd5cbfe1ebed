// Package tfrun drives one Terraform environment root through terraform-exec:
// init with the environment's backend config, plan to a file, read that plan
// as JSON, apply exactly that plan file, and read the outputs.
package tfrun

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"
)

// Runner runs Terraform in one root directory.
type Runner struct {
	tf  *tfexec.Terraform
	dir string
	cfg Options
}

// Options configure a Runner.
type Options struct {
	// LockTimeout is how long Terraform waits for the state lock before it
	// gives up ("60s"); empty means Terraform's default (fail at once).
	LockTimeout string
	// Stdout and Stderr receive Terraform's human output; nil discards it.
	Stdout, Stderr io.Writer
	// Env, when not nil, replaces the environment Terraform runs with
	// (terraform-exec adds its own TF_* settings).
	Env map[string]string
}

// New returns a Runner for the Terraform root dir using the terraform binary
// at execPath.
func New(dir, execPath string, opts Options) (*Runner, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("terraform root %s: %w", dir, err)
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("terraform root %s: not a directory (pass --iac-dir with the environment root, e.g. iac/envs/prod)", dir)
	}
	bin, err := exec.LookPath(execPath)
	if err != nil {
		return nil, fmt.Errorf("terraform binary %q: %w (put terraform on PATH or pass --terraform with its path)", execPath, err)
	}
	tf, err := tfexec.NewTerraform(abs, bin)
	if err != nil {
		return nil, fmt.Errorf("terraform at %s: %w (put terraform on PATH or pass --terraform)", execPath, err)
	}
	if opts.Stdout != nil {
		tf.SetStdout(opts.Stdout)
	}
	if opts.Stderr != nil {
		tf.SetStderr(opts.Stderr)
	}
	if opts.Env != nil {
		if err := tf.SetEnv(opts.Env); err != nil {
			return nil, fmt.Errorf("terraform environment: %w", err)
		}
	}
	return &Runner{tf: tf, dir: abs, cfg: opts}, nil
}

// Dir returns the absolute Terraform root directory.
func (r *Runner) Dir() string { return r.dir }

// Init runs `terraform init` with the backend config file (empty: none).
func (r *Runner) Init(ctx context.Context, backendConfig string) error {
	opts := []tfexec.InitOption{tfexec.Reconfigure(true)}
	if backendConfig != "" {
		abs, err := filepath.Abs(backendConfig)
		if err != nil {
			return fmt.Errorf("terraform init: backend config %s: %w", backendConfig, err)
		}
		if _, err := os.Stat(abs); err != nil {
			return fmt.Errorf("terraform init: backend config %s does not exist (pass --backend-config with the environment's *.tfbackend file): %w", backendConfig, err)
		}
		opts = append(opts, tfexec.BackendConfig(abs))
	}
	if err := r.tf.Init(ctx, opts...); err != nil {
		return fmt.Errorf("terraform init in %s: %w", r.dir, err)
	}
	return nil
}

// Plan writes a plan to planFile with the given variables ("name=value") and
// reports whether it changes anything. The state lock is held while planning.
func (r *Runner) Plan(ctx context.Context, planFile string, vars []string) (bool, error) {
	opts := []tfexec.PlanOption{tfexec.Out(planFile), tfexec.Lock(true)}
	if r.cfg.LockTimeout != "" {
		opts = append(opts, tfexec.LockTimeout(r.cfg.LockTimeout))
	}
	for _, v := range vars {
		opts = append(opts, tfexec.Var(v))
	}
	changes, err := r.tf.Plan(ctx, opts...)
	if err != nil {
		return false, fmt.Errorf("terraform plan in %s: %w", r.dir, lockHint(err))
	}
	return changes, nil
}

// quiet stops the human-output writers for commands whose stdout is JSON
// (it may hold sensitive values) and returns the function that restores them.
func (r *Runner) quiet() func() {
	r.tf.SetStdout(io.Discard)
	return func() {
		if r.cfg.Stdout != nil {
			r.tf.SetStdout(r.cfg.Stdout)
		}
	}
}

// ShowPlan reads planFile as Terraform's JSON plan.
func (r *Runner) ShowPlan(ctx context.Context, planFile string) (*tfjson.Plan, error) {
	defer r.quiet()()
	p, err := r.tf.ShowPlanFile(ctx, planFile)
	if err != nil {
		return nil, fmt.Errorf("terraform show %s: %w", planFile, err)
	}
	return p, nil
}

// Apply applies exactly the saved plan in planFile.
func (r *Runner) Apply(ctx context.Context, planFile string) error {
	opts := []tfexec.ApplyOption{tfexec.DirOrPlan(planFile), tfexec.Lock(true)}
	if r.cfg.LockTimeout != "" {
		opts = append(opts, tfexec.LockTimeout(r.cfg.LockTimeout))
	}
	if err := r.tf.Apply(ctx, opts...); err != nil {
		return fmt.Errorf("terraform apply %s: %w", planFile, lockHint(err))
	}
	return nil
}

// Outputs reads the root's outputs from its state.
func (r *Runner) Outputs(ctx context.Context) (map[string]tfexec.OutputMeta, error) {
	defer r.quiet()()
	out, err := r.tf.Output(ctx)
	if err != nil {
		return nil, fmt.Errorf("terraform output in %s: %w", r.dir, err)
	}
	return out, nil
}

// RawOutputs reads the root's outputs as name → JSON value, the form
// envout parses.
func (r *Runner) RawOutputs(ctx context.Context) (map[string]json.RawMessage, error) {
	outs, err := r.Outputs(ctx)
	if err != nil {
		return nil, err
	}
	raw := make(map[string]json.RawMessage, len(outs))
	for k, v := range outs {
		raw[k] = v.Value
	}
	return raw, nil
}

// State reads the root's current state as Terraform's JSON state.
func (r *Runner) State(ctx context.Context) (*tfjson.State, error) {
	defer r.quiet()()
	st, err := r.tf.Show(ctx)
	if err != nil {
		return nil, fmt.Errorf("terraform show in %s: %w", r.dir, err)
	}
	return st, nil
}

// lockHint adds the fix to a state-lock error: another deploy holds the lock.
func lockHint(err error) error {
	if strings.Contains(err.Error(), "Error acquiring the state lock") {
		return fmt.Errorf("%w (another deploy holds the Terraform state lock; wait for it to finish, or after checking no deploy runs, `terraform force-unlock` the lock ID)", err)
	}
	return err
}
