package step

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestValidate(t *testing.T) {
	ok := Step{Name: "sign", Tool: "cosign", Args: []string{"cosign", "sign"}, SecretEnv: []string{"COSIGN_KEY"},
		Inputs: []string{"sbom.spdx.json"}, Outputs: []string{"out/x.json"}, Files: map[string][]byte{"cosign.pub": nil}, Stdout: "verify.json"}
	tests := []struct {
		name string
		edit func(*Step)
		want string
	}{
		{"valid", func(*Step) {}, ""},
		{"no name", func(s *Step) { s.Name = "" }, "no name"},
		{"no tool", func(s *Step) { s.Tool = "" }, "no tool"},
		{"empty argv", func(s *Step) { s.Args = nil }, "empty argv"},
		{"secret as plain env", func(s *Step) { s.Env = map[string]string{"COSIGN_KEY": "x"} }, "both a secret and a plain variable"},
		{"absolute input", func(s *Step) { s.Inputs = []string{"/etc/passwd"} }, "relative to the work dir"},
		{"escaping output", func(s *Step) { s.Outputs = []string{"../x"} }, "stay inside it"},
		{"unclean file", func(s *Step) { s.Files = map[string][]byte{"a//b": nil} }, "clean"},
		{"absolute stdout", func(s *Step) { s.Stdout = "/tmp/out" }, "relative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ok
			tt.edit(&s)
			err := s.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestMissingSecretsAndString(t *testing.T) {
	s := Step{Name: "sign", Tool: "cosign", Args: []string{"cosign", "sign", "--key", "env://COSIGN_KEY"}, SecretEnv: []string{"COSIGN_PASSWORD", "COSIGN_KEY"}}
	if diff := cmp.Diff([]string{"COSIGN_PASSWORD"}, MissingSecrets(s, map[string]bool{"COSIGN_KEY": true})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got, want := s.String(), "sign [cosign]: cosign sign --key env://COSIGN_KEY (secrets: COSIGN_KEY, COSIGN_PASSWORD)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	r := Result{ExitCode: 2, Stderr: []byte("Error: boom")}
	if err := r.Err(s); err == nil || !strings.Contains(err.Error(), "exited with status 2: Error: boom") {
		t.Errorf("Err = %v", err)
	}
	if err := (Result{}).Err(s); err != nil {
		t.Errorf("Err on success = %v", err)
	}
}
