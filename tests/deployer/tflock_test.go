//go:build unix

package deployer_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/deliverykit/podinfo/ci/deploy/tfrun"
)

// TestTerraformStateLock holds the local backend's state lock and checks a
// plan is refused after the lock timeout, with the fix named.
func TestTerraformStateLock(t *testing.T) {
	ctx := context.Background()
	dir := copyFixture(t, "policy")
	r := newRunner(t, dir)
	if err := r.Init(ctx, filepath.Join(dir, "local.tfbackend")); err != nil {
		t.Fatal(err)
	}
	planFile := filepath.Join(dir, "p.tfplan")
	if _, err := r.Plan(ctx, planFile, []string{"image_digest=" + digestA}); err != nil {
		t.Fatal(err)
	}
	if err := r.Apply(ctx, planFile); err != nil {
		t.Fatal(err)
	}

	// Hold the lock the way terraform's local backend takes it: a POSIX
	// write lock on the whole state file, as another terraform process would.
	state, err := os.OpenFile(filepath.Join(dir, "state", "terraform.tfstate"), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer state.Close()
	if err := syscall.FcntlFlock(state.Fd(), syscall.F_SETLK, &syscall.Flock_t{Type: syscall.F_WRLCK, Whence: io.SeekStart}); err != nil {
		t.Fatalf("lock the state file: %v", err)
	}

	locked, err := tfrun.New(dir, terraformBin(t), tfrun.Options{LockTimeout: "1s"})
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	_, err = locked.Plan(ctx, planFile, []string{"image_digest=" + digestB})
	if err == nil {
		t.Fatal("plan ran while another terraform held the state lock")
	}
	for _, want := range []string{"Error acquiring the state lock", "another deploy holds the Terraform state lock"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("plan error does not contain %q:\n%v", want, err)
		}
	}
	if d := time.Since(began); d > 30*time.Second {
		t.Errorf("refusal took %s, want about the 1s lock timeout", d)
	}
}
