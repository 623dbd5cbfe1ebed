// Package iac checks the Terraform code in iac/ without the AWS provider:
// it parses the HCL with hashicorp/hcl, applies the repository's structural
// rules (rules.go), and evaluates variable validation blocks against sample
// values (eval.go). The tests beside it also run terraform fmt and trivy
// config over iac/.
package iac

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Block is one top-level block of a Terraform directory, with the file it
// came from.
type Block struct {
	*hclsyntax.Block
	// File is the path of the .tf file holding the block.
	File string
}

// Dir is one Terraform directory (a module or an environment root): every
// top-level block of its .tf files.
type Dir struct {
	// Path is the directory's path.
	Path string
	// Name is the directory's base name ("registry", "prod").
	Name string
	// Blocks are the top-level blocks in file order.
	Blocks []Block
	// Files lists the names of the regular files in the directory.
	Files []string
}

// Tree is an iac/ layout: reusable modules under modules/ and environment
// roots under envs/. Either may be empty in a test fixture.
type Tree struct {
	// Root is the directory holding modules/ and envs/.
	Root string
	// Modules are the directories under modules/, by name.
	Modules map[string]*Dir
	// Envs are the directories under envs/, by name.
	Envs map[string]*Dir
}

// LoadTree parses every directory under root/modules and root/envs.
func LoadTree(root string) (*Tree, error) {
	t := &Tree{Root: root, Modules: map[string]*Dir{}, Envs: map[string]*Dir{}}
	for sub, into := range map[string]map[string]*Dir{"modules": t.Modules, "envs": t.Envs} {
		entries, err := os.ReadDir(filepath.Join(root, sub))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("load %s: %w", root, err)
		}
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			d, err := LoadDir(filepath.Join(root, sub, e.Name()))
			if err != nil {
				return nil, err
			}
			into[e.Name()] = d
		}
	}
	return t, nil
}

// LoadDir parses the .tf files of one directory.
func LoadDir(dir string) (*Dir, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", dir, err)
	}
	d := &Dir{Path: dir, Name: filepath.Base(dir)}
	p := hclparse.NewParser()
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		d.Files = append(d.Files, e.Name())
		if !strings.HasSuffix(e.Name(), ".tf") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		f, diags := p.ParseHCLFile(path)
		if diags.HasErrors() {
			return nil, fmt.Errorf("parse %s: %s", path, diags.Error())
		}
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok {
			return nil, fmt.Errorf("parse %s: not native HCL syntax", path)
		}
		for _, b := range sortedBlocks(body) {
			d.Blocks = append(d.Blocks, Block{Block: b, File: path})
		}
	}
	return d, nil
}

func sortedBlocks(body *hclsyntax.Body) []*hclsyntax.Block {
	bs := append([]*hclsyntax.Block(nil), body.Blocks...)
	sort.SliceStable(bs, func(i, j int) bool { return bs[i].TypeRange.Start.Line < bs[j].TypeRange.Start.Line })
	return bs
}

// OfType returns the top-level blocks of type typ ("resource", "variable"),
// and, when labels are given, only those whose first labels equal them.
func (d *Dir) OfType(typ string, labels ...string) []Block {
	var out []Block
	for _, b := range d.Blocks {
		if b.Type != typ || len(b.Labels) < len(labels) {
			continue
		}
		match := true
		for i, l := range labels {
			if b.Labels[i] != l {
				match = false
				break
			}
		}
		if match {
			out = append(out, b)
		}
	}
	return out
}

// Resources returns the resource blocks of the given resource type.
func (d *Dir) Resources(resourceType string) []Block { return d.OfType("resource", resourceType) }

// Nested returns the blocks of type typ directly inside b, including the
// content of dynamic "typ" blocks.
func Nested(b *hclsyntax.Block, typ string) []*hclsyntax.Block {
	var out []*hclsyntax.Block
	for _, nb := range b.Body.Blocks {
		switch {
		case nb.Type == typ:
			out = append(out, nb)
		case nb.Type == "dynamic" && len(nb.Labels) == 1 && nb.Labels[0] == typ:
			for _, c := range nb.Body.Blocks {
				if c.Type == "content" {
					out = append(out, c)
				}
			}
		}
	}
	return out
}

// Attr returns the attribute called name of b, or nil.
func Attr(b *hclsyntax.Block, name string) *hclsyntax.Attribute {
	return b.Body.Attributes[name]
}

// Literal evaluates expr without any variables or functions: it succeeds
// only for constant expressions ("x", 80, ["a", "b"], true).
func Literal(expr hclsyntax.Expression) (cty.Value, bool) {
	v, diags := expr.Value(nil)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return cty.NilVal, false
	}
	return v, true
}

// LiteralString returns expr's value when it is a constant string.
func LiteralString(expr hclsyntax.Expression) (string, bool) {
	v, ok := Literal(expr)
	if !ok || v.IsNull() || v.Type() != cty.String {
		return "", false
	}
	return v.AsString(), true
}

// LiteralStrings returns the constant strings of expr: the string itself,
// or the string elements of a list or tuple (non-constant elements skipped).
func LiteralStrings(expr hclsyntax.Expression) []string {
	if s, ok := LiteralString(expr); ok {
		return []string{s}
	}
	tuple, ok := expr.(*hclsyntax.TupleConsExpr)
	if !ok {
		return nil
	}
	var out []string
	for _, e := range tuple.Exprs {
		if s, ok := LiteralString(e); ok {
			out = append(out, s)
		}
	}
	return out
}

// References returns the objects expr refers to as "type.name" (resources),
// "var.name", "local.name", "module.name" or "data.type.name".
func References(expr hclsyntax.Expression) []string {
	var out []string
	for _, tr := range expr.Variables() {
		parts := []string{tr.RootName()}
		want := 2
		if tr.RootName() == "data" {
			want = 3
		}
		for _, step := range tr[1:] {
			if len(parts) == want {
				break
			}
			if a, ok := step.(hcl.TraverseAttr); ok {
				parts = append(parts, a.Name)
			} else {
				break
			}
		}
		out = append(out, strings.Join(parts, "."))
	}
	return out
}

// Source returns the text of rng in the file it points into.
func Source(rng hcl.Range) string {
	b, err := os.ReadFile(rng.Filename)
	if err != nil || rng.End.Byte > len(b) {
		return ""
	}
	return string(b[rng.Start.Byte:rng.End.Byte])
}
