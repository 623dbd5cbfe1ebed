package iac

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the generated interface tables of the module READMEs")

// TestModuleREADMEs checks each module's README.md lists its inputs and
// outputs exactly as the HCL declares them (a golden section regenerated
// with -update).
func TestModuleREADMEs(t *testing.T) {
	tree := loadIAC(t)
	for _, d := range sortedDirs(tree.Modules) {
		t.Run(d.Name, func(t *testing.T) {
			path := filepath.Join(d.Path, "README.md")
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read %s: %v", path, err)
			}
			text := string(raw)
			begin, end := strings.Index(text, BeginInterface), strings.Index(text, EndInterface)
			if begin < 0 || end < begin {
				t.Fatalf("%s lacks the markers %q and %q around its inputs and outputs", path, BeginInterface, EndInterface)
			}
			got := text[begin+len(BeginInterface) : end]
			want := "\n" + RenderInterface(d) + "\n"
			if *update {
				text = text[:begin+len(BeginInterface)] + want + text[end:]
				if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s is out of date with the module's variables and outputs; run go test ./iac -run TestModuleREADMEs -update (-want +got):\n%s", path, diff)
			}
		})
	}
}
