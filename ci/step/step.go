// Package step describes one external tool invocation as data: which image,
// which argv, which environment and secrets, which files in and out. The
// Dagger module maps a Step onto container operations; the native tests run
// the same Step as a local process. Nothing here executes anything.
package step

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// WorkDir is where a step's work directory is mounted inside its container.
const WorkDir = "/work"

// Step is one tool invocation.
type Step struct {
	// Name identifies the step in logs and reports ("cosign-sign").
	Name string
	// Tool is the ci/toolversions name of the tool the step runs.
	Tool string
	// Image is the container image (mirror prefix applied) holding Tool.
	Image string
	// Args is the argv; Args[0] is the executable's name.
	Args []string
	// Env holds plain environment variables (never secret values).
	Env map[string]string
	// SecretEnv names environment variables whose values are secrets; the
	// runner supplies them (Dagger secret variables, or the test's process
	// environment) and they never appear in Args, Env or logs.
	SecretEnv []string
	// Inputs are paths, relative to the work dir, the step reads.
	Inputs []string
	// Outputs are paths, relative to the work dir, the step writes.
	Outputs []string
	// Files are generated input files (work-dir-relative path to content)
	// that the runner writes into the work dir before the step runs: tool
	// configuration, predicates, public keys. Never secrets. Every key is
	// also listed in Inputs.
	Files map[string][]byte
	// Stdout, when set, is the work-dir-relative path the runner writes the
	// step's standard output to (for tools that report only on stdout). It
	// is also listed in Outputs.
	Stdout string
}

// Validate checks that the step is well formed: a name, a tool, an argv,
// relative clean paths that stay inside the work dir, and no secret name
// reused as a plain variable.
func (s Step) Validate() error {
	if s.Name == "" {
		return fmt.Errorf("step has no name")
	}
	if s.Tool == "" {
		return fmt.Errorf("step %s: no tool", s.Name)
	}
	if len(s.Args) == 0 || s.Args[0] == "" {
		return fmt.Errorf("step %s: empty argv", s.Name)
	}
	for _, n := range s.SecretEnv {
		if _, ok := s.Env[n]; ok {
			return fmt.Errorf("step %s: %s is both a secret and a plain variable", s.Name, n)
		}
	}
	all := append(append([]string{}, s.Inputs...), s.Outputs...)
	for p := range s.Files {
		all = append(all, p)
	}
	if s.Stdout != "" {
		all = append(all, s.Stdout)
	}
	for _, p := range all {
		if err := checkRel(p); err != nil {
			return fmt.Errorf("step %s: %w", s.Name, err)
		}
	}
	return nil
}

func checkRel(p string) error {
	if p == "" || path.IsAbs(p) || path.Clean(p) != p || p == ".." || strings.HasPrefix(p, "../") {
		return fmt.Errorf("path %q must be relative to the work dir, clean, and stay inside it", p)
	}
	return nil
}

// String renders the step for logs: name, tool and argv (which never hold
// secrets), plus the names of the secret variables.
func (s Step) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s [%s]: %s", s.Name, s.Tool, strings.Join(s.Args, " "))
	if len(s.SecretEnv) > 0 {
		names := append([]string(nil), s.SecretEnv...)
		sort.Strings(names)
		fmt.Fprintf(&b, " (secrets: %s)", strings.Join(names, ", "))
	}
	return b.String()
}
