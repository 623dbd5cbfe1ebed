package iac

import (
	"fmt"
	"strings"
)

// Markers delimit the generated inputs and outputs tables in a module's
// README.md; the text between them is RenderInterface's output.
const (
	BeginInterface = "<!-- BEGIN GENERATED INTERFACE (go test ./iac -run TestModuleREADMEs -update) -->"
	EndInterface   = "<!-- END GENERATED INTERFACE -->"
)

// RenderInterface renders the inputs and outputs of d as Markdown tables:
// name, type, default and description of each variable, name and
// description of each output, in declaration order.
func RenderInterface(d *Dir) string {
	var b strings.Builder
	b.WriteString("## Inputs\n\n| Name | Type | Default | Description |\n|---|---|---|---|\n")
	for _, v := range d.OfType("variable") {
		typ := "(none)"
		if a := Attr(v.Block, "type"); a != nil {
			typ = "`" + oneLine(Source(a.Expr.Range())) + "`"
		}
		def := "required"
		if a := Attr(v.Block, "default"); a != nil {
			def = "`" + oneLine(Source(a.Expr.Range())) + "`"
		}
		desc, _ := attrString(v.Block, "description")
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", v.Labels[0], cell(typ), cell(def), cell(desc))
	}
	b.WriteString("\n## Outputs\n\n| Name | Description |\n|---|---|\n")
	for _, o := range d.OfType("output") {
		desc, _ := attrString(o.Block, "description")
		fmt.Fprintf(&b, "| `%s` | %s |\n", o.Labels[0], cell(desc))
	}
	return b.String()
}

// oneLine folds a multi-line HCL expression onto one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}
