// Package step describes one external tool invocation as data: which image,
// which argv, which environment and secrets, which files in and out. The
// Dagger module maps a Step onto container operations; the native tests run
// the same Step as a local process. Nothing here executes anything.
package step

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
}
