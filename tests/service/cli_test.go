package service

import (
	"os/exec"
	"strings"
	"testing"
)

// TestBadConfiguration checks that bad flags and environment variables stop
// the binary with exit code 2 and a message naming the setting.
func TestBadConfiguration(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  []string
		want []string
	}{
		{name: "unknown flag", args: []string{"--colour=red"}, want: []string{"-colour"}},
		{name: "bad env", env: []string{"PODINFO_PORT=http"}, want: []string{"PODINFO_PORT", `"http"`}},
		{name: "bad level", args: []string{"--level=chatty"}, want: []string{"--level", "chatty", "debug, info, warn"}},
		{name: "delay cap", args: []string{"--delay-max=60"}, want: []string{"--delay-max", "http-server-timeout"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(binary, tt.args...)
			cmd.Env = append(baseEnv(), tt.env...)
			out, err := cmd.CombinedOutput()
			exitErr, ok := err.(*exec.ExitError)
			if !ok || exitErr.ExitCode() != 2 {
				t.Fatalf("exit = %v, want code 2; output:\n%s", err, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("output does not mention %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestHelpExitsZero(t *testing.T) {
	out, err := exec.Command(binary, "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("--help: %v\n%s", err, out)
	}
	for _, flag := range []string{"-port", "-ui-message", "-server-shutdown-timeout", "-random-delay", "-jwt-secret-id"} {
		if !strings.Contains(string(out), flag) {
			t.Errorf("--help does not list %s", flag)
		}
	}
}
