package deployer_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/deliverykit/podinfo/ci/deploy/report"
)

const fakeSecret = "fake-secret-value-never-printed"

// runDeployer runs the deployer command with AWS pointed at the fake.
func runDeployer(t *testing.T, w *world, args ...string) (int, string, string) {
	t.Helper()
	_, _, bin := binaries(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	home := t.TempDir()
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home,
		"AWS_ACCESS_KEY_ID=AKIDFAKE", "AWS_SECRET_ACCESS_KEY=" + fakeSecret,
		"AWS_CONFIG_FILE=" + filepath.Join(home, "none"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "none"),
		"AWS_EC2_METADATA_DISABLED=true",
	}
	if w != nil {
		cmd.Env = append(cmd.Env, "AWS_ENDPOINT_URL="+w.f.URL)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stdout.String()+stderr.String(), fakeSecret) {
		t.Errorf("the secret access key appears in the deployer's output")
	}
	if strings.Contains(stdout.String()+stderr.String(), "fixture-sensitive-") {
		t.Errorf("a sensitive terraform output appears in the deployer's output")
	}
	return code, stdout.String(), stderr.String()
}

// TestDeployerCommand runs the deployer binary as the Dagger module does.
func TestDeployerCommand(t *testing.T) {
	w := newWorld(t, "env")
	reports := t.TempDir()
	deployArgs := func(digest string, extra ...string) []string {
		return append([]string{"--env", "prod", "--digest", digest, "--iac-dir", w.dir,
			"--backend-config", filepath.Join(w.dir, "local.tfbackend"), "--terraform", terraformBin(t),
			"--var", "api_url=" + w.service, "--var", "alb_url=" + w.service,
			"--actor", "ci-bot", "--run", "4242.1", "--report-dir", reports,
			"--poll", "20ms", "--grace", "0s", "--bake", "50ms", "--aws-max-attempts", "2",
			"--expect-version", serviceVersion}, extra...)
	}

	code, stdout, stderr := runDeployer(t, w, deployArgs(digestB)...)
	if code != 0 || !strings.Contains(stdout, "deploy "+digestB+" to prod: succeeded") {
		t.Fatalf("deploy exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, f := range []string{report.JSONFile, report.MarkdownFile} {
		b, err := os.ReadFile(filepath.Join(reports, f))
		if err != nil {
			t.Errorf("report file: %v", err)
		}
		if strings.Contains(string(b), "fixture-sensitive-") || strings.Contains(string(b), fakeSecret) {
			t.Errorf("%s holds a secret", f)
		}
	}
	if diff := ec2State(w.f); diff.GreenWeight != 100 || diff.BlueDesired != 0 {
		t.Errorf("ec2 after the command: %+v", diff)
	}

	code, stdout, _ = runDeployer(t, w, deployArgs(digestB)...)
	if code != 0 || !strings.Contains(stdout, "to prod: no-op") || !strings.Contains(stdout, "already live") {
		t.Errorf("re-run exit %d, stdout:\n%s", code, stdout)
	}

	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"promotable", []string{"promote-check", "--from", "prod", "--digest", digestB, "--state-table", stateTable, "--region", "eu-west-1"}, 0, ""},
		{"not promotable", []string{"promote-check", "--from", "prod", "--digest", digestC, "--state-table", stateTable, "--region", "eu-west-1"}, 1, "never deployed to prod"},
		{"promote bad source", []string{"promote-check", "--from", "qa", "--digest", digestB, "--state-table", stateTable, "--region", "eu-west-1"}, 2, `--from: --env "qa": unknown environment`},
		{"unknown environment", []string{"--env", "qa", "--digest", digestB, "--iac-dir", w.dir}, 2, `--env "qa": unknown environment; use one of dev, staging, prod`},
		{"digest with repository", []string{"--env", "prod", "--digest", repo + "@" + digestB, "--iac-dir", w.dir}, 2, "pass only the digest after '@'"},
		{"short digest", []string{"--env", "prod", "--digest", "sha256:abc", "--iac-dir", w.dir}, 2, "a sha256 digest has 64 lowercase hex digits"},
		{"no iac dir", []string{"--env", "prod", "--digest", digestB}, 2, "--iac-dir is required"},
		{"missing iac dir", []string{"--env", "prod", "--digest", digestB, "--iac-dir", "/nonexistent/envs/prod"}, 2, `--iac-dir "/nonexistent/envs/prod": not a directory`},
		{"bad var", []string{"--env", "prod", "--digest", digestB, "--iac-dir", w.dir, "--var", "image_digest=x"}, 2, `--var "image_digest=x"`},
		{"unknown command", []string{"rollback"}, 2, `unknown command "rollback"`},
		{"policy refusal is exit 2", deployArgs(digestC, "--protect-type", "terraform_data"), 2, "plan policy: prod plan would destroy or replace"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runDeployer(t, w, tc.args...)
			if code != tc.wantCode || !strings.Contains(stderr, tc.wantErr) {
				t.Errorf("exit %d, want %d; stderr does not contain %q?\nstdout:\n%s\nstderr:\n%s", code, tc.wantCode, tc.wantErr, stdout, stderr)
			}
		})
	}
}

// TestDeployerKilledMidShift kills the deployer (SIGKILL, nothing gets to
// clean up) once the listener sends 10% to green, then runs it again: the
// second run finds the in-progress record and the split weights, and
// resumes the same digest from where the first stopped.
func TestDeployerKilledMidShift(t *testing.T) {
	w := newWorld(t, "env")
	_, _, bin := binaries(t)
	args := func(bake, lockTTL string) []string {
		return []string{"--env", "prod", "--digest", digestB, "--iac-dir", w.dir,
			"--backend-config", filepath.Join(w.dir, "local.tfbackend"), "--terraform", terraformBin(t),
			"--var", "api_url=" + w.service, "--var", "alb_url=" + w.service,
			"--actor", "ci-bot", "--run", "run-" + bake, "--poll", "20ms", "--grace", "0s", "--bake", bake,
			"--lock-ttl", lockTTL, "--aws-max-attempts", "2"}
	}
	first := exec.Command(bin, args("30s", "1s")...)
	home := t.TempDir()
	first.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "AWS_ACCESS_KEY_ID=AKIDFAKE",
		"AWS_SECRET_ACCESS_KEY=" + fakeSecret, "AWS_ENDPOINT_URL=" + w.f.URL, "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + filepath.Join(home, "none"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "none")}
	var out bytes.Buffer
	first.Stdout, first.Stderr = &out, &out
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		w.f.Lock()
		shifted := w.f.Listeners[listenerARN].Modified
		w.f.Unlock()
		if shifted >= 1 {
			break
		}
		if time.Now().After(deadline) {
			_ = first.Process.Kill()
			_ = first.Wait()
			t.Fatalf("first run never shifted traffic:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := first.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()

	if s := ec2State(w.f); s.GreenWeight != 10 || s.BlueWeight != 90 {
		t.Fatalf("after the kill: %+v, want 90/10", s)
	}
	cur, err := w.store(t).Current(context.Background(), "prod")
	if err != nil || cur == nil || cur.Status != "in-progress" || cur.EC2 == nil || cur.EC2.To != "green" {
		t.Fatalf("record after the kill = %+v, %v; want in-progress towards green", cur, err)
	}

	// Once the dead run's lock (1s TTL here, whole seconds in the table)
	// lapses, the next run takes it over and resumes the shift.
	time.Sleep(2100 * time.Millisecond)
	code, stdout, stderr := runDeployer(t, w, args("50ms", "1s")...)
	if code != 0 || !strings.Contains(stdout, "same digest: resuming it") || !strings.Contains(stdout, ": succeeded") {
		t.Fatalf("resume run: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if s := ec2State(w.f); s != (groupState{0, 100, 0, 2, "3", "4"}) {
		t.Errorf("after the resume: %+v", s)
	}
}
