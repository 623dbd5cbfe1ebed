package step

import (
	"context"
	"fmt"
	"strings"
)

// Runner executes a Step: the Dagger module in a container of Step.Image,
// the native tests as a local process of the pinned tool. Secret values are
// bound to the runner when it is made, never passed through the Step.
type Runner interface {
	// Run executes s in a work dir holding s.Files. It returns an error only
	// when the step could not be run at all (tool missing, secret not bound,
	// context cancelled); a tool that ran and failed yields a Result with a
	// non-zero ExitCode and a nil error, so callers can treat the failure as
	// evidence (see Result.Err).
	Run(ctx context.Context, s Step) (Result, error)
}

// Result is what a step left behind.
type Result struct {
	// ExitCode is the tool's exit status.
	ExitCode int
	// Stdout and Stderr are the tool's output streams.
	Stdout, Stderr []byte
	// Outputs holds the content of every file in Step.Outputs that the tool
	// wrote, by work-dir-relative path. Directories are not included.
	Outputs map[string][]byte
}

// Err returns nil for a zero exit status, else an error naming the step and
// quoting the end of its standard error.
func (r Result) Err(s Step) error {
	if r.ExitCode == 0 {
		return nil
	}
	msg := strings.TrimSpace(string(r.Stderr))
	if len(msg) > 2000 {
		msg = "..." + msg[len(msg)-2000:]
	}
	return fmt.Errorf("step %s: %s exited with status %d: %s", s.Name, s.Tool, r.ExitCode, msg)
}

// MissingSecrets returns the names in s.SecretEnv that bound does not hold,
// so a runner can fail before starting a tool that would prompt or fall back
// to an insecure default.
func MissingSecrets(s Step, bound map[string]bool) []string {
	var missing []string
	for _, n := range s.SecretEnv {
		if !bound[n] {
			missing = append(missing, n)
		}
	}
	return missing
}
