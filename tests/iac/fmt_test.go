package iac

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestTerraformFmt runs `terraform fmt -check -recursive` over iac/ with the
// pinned terraform built from source.
func TestTerraformFmt(t *testing.T) {
	t.Parallel()
	abs, err := filepath.Abs(iacRoot)
	if err != nil {
		t.Fatal(err)
	}
	res := runTool(t, "terraform", abs, terraformEnv(t), "fmt", "-check", "-recursive", "-diff", "-no-color", ".")
	if res.code != 0 {
		t.Errorf("terraform fmt -check -recursive iac/ exited %d; run `terraform fmt -recursive iac/`:\n%s\n%s", res.code, res.stdout, res.stderr)
	}
}

// TestTerraformFmtCatchesMisformatting shows the check above can fail: the
// fixture is deliberately misformatted.
func TestTerraformFmtCatchesMisformatting(t *testing.T) {
	t.Parallel()
	dir, err := filepath.Abs(filepath.Join("testdata", "fmt", "unformatted"))
	if err != nil {
		t.Fatal(err)
	}
	res := runTool(t, "terraform", dir, terraformEnv(t), "fmt", "-check", "-recursive", "-no-color", ".")
	if res.code == 0 {
		t.Fatalf("terraform fmt -check passed a misformatted file:\n%s", res.stdout)
	}
	if !strings.Contains(string(res.stdout), "main.tf") {
		t.Errorf("terraform fmt -check exited %d without naming main.tf:\n%s\n%s", res.code, res.stdout, res.stderr)
	}
}
