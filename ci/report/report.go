// Package report renders the human-readable report.md that build-and-sign,
// ci, deploy and promote return next to their machine-readable outputs.
package report

import (
	"fmt"
	"sort"
	"strings"
)

// Check is one gate rule and its outcome.
type Check struct {
	// Name names the rule ("signature").
	Name string
	// OK says whether it holds.
	OK bool
	// Detail explains the outcome.
	Detail string
}

// Tool is a tool a step ran.
type Tool struct {
	// Step is the step's name ("sign").
	Step string
	// Image is the image the step ran in.
	Image string
}

// Report is what one function call did.
type Report struct {
	// Function is the Dagger function ("build-and-sign").
	Function string
	// Image is the image reference by digest, empty when none was produced.
	Image string
	// Registry describes where the image lives.
	Registry string
	// EphemeralRegistry says the registry was the embedded one.
	EphemeralRegistry bool
	// Signing describes how the image was signed ("" when not signed).
	Signing string
	// EphemeralKey says an ephemeral key pair signed the image.
	EphemeralKey bool
	// Checks are the gate's findings, in order.
	Checks []Check
	// Tools lists the steps and the images they ran in, in order.
	Tools []Tool
	// Files maps each output file to what it holds.
	Files map[string]string
	// Notes are further remarks, one per line.
	Notes []string
}

// Passed reports whether every check holds (true when there are none).
func (r Report) Passed() bool {
	for _, c := range r.Checks {
		if !c.OK {
			return false
		}
	}
	return true
}

// Markdown renders the report.
func (r Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# podinfo-delivery: %s\n\n", r.Function)
	if r.Image != "" {
		fmt.Fprintf(&b, "- image: `%s`\n", r.Image)
		if _, d, ok := strings.Cut(r.Image, "@"); ok {
			fmt.Fprintf(&b, "- digest: `%s`\n", d)
		}
	}
	if r.Registry != "" {
		fmt.Fprintf(&b, "- registry: %s\n", r.Registry)
	}
	if r.Signing != "" {
		fmt.Fprintf(&b, "- signing: %s\n", r.Signing)
	}
	verdict := "passed"
	if !r.Passed() {
		verdict = "FAILED"
	}
	fmt.Fprintf(&b, "- gate: %s\n", verdict)
	if r.EphemeralRegistry || r.EphemeralKey {
		b.WriteString("\n> **Embedded defaults.** ")
		var parts []string
		if r.EphemeralRegistry {
			parts = append(parts, "The image was published to an ephemeral registry inside the Dagger engine; it is gone when this call ends.")
		}
		if r.EphemeralKey {
			parts = append(parts, "It was signed with an ephemeral key pair generated in this run, so the signature and attestations prove integrity within this run only: nobody can verify them later against a key they trust.")
		}
		parts = append(parts, "Pass --registry and --cosign-key (or --keyless in CI) to publish and sign for real.")
		b.WriteString(strings.Join(parts, " "))
		b.WriteString("\n")
	}
	if len(r.Checks) > 0 {
		b.WriteString("\n## Gate\n\n| check | result | detail |\n|---|---|---|\n")
		for _, c := range r.Checks {
			res := "ok"
			if !c.OK {
				res = "**failed**"
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", c.Name, res, cell(c.Detail))
		}
	}
	if len(r.Files) > 0 {
		b.WriteString("\n## Files\n\n| file | holds |\n|---|---|\n")
		names := make([]string, 0, len(r.Files))
		for n := range r.Files {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(&b, "| `%s` | %s |\n", n, cell(r.Files[n]))
		}
	}
	if len(r.Tools) > 0 {
		b.WriteString("\n## Steps\n\n| step | image |\n|---|---|\n")
		for _, t := range r.Tools {
			fmt.Fprintf(&b, "| %s | `%s` |\n", t.Step, t.Image)
		}
	}
	if len(r.Notes) > 0 {
		b.WriteString("\n## Notes\n\n")
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
	}
	return b.String()
}

// cell keeps a value on one Markdown table row.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.Join(strings.Fields(s), " ")
}
