// Package workflows reads the repository's GitHub Actions workflows and
// checks the rules that keep them thin, safe wrappers around `dagger call`:
// at most one dagger call per job and no decisions in shell; no write
// permission a job does not use; every action pinned to a commit with its
// version in a comment; the Dagger CLI at the module's engine version; every
// call naming functions and flags the Dagger module has, with secrets passed
// as provider URIs; a failure summary that repeats the call to reproduce it
// locally; checkouts that do not persist the token; and deployments gated
// by an environment, one at a time.
package workflows

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Workflow is one workflow file.
type Workflow struct {
	// Path is the file the workflow was read from.
	Path string
	// Name is the workflow's name.
	Name string `yaml:"name"`
	// Permissions is the top-level GITHUB_TOKEN grant.
	Permissions Permissions `yaml:"permissions"`
	// Env is the workflow-level environment.
	Env map[string]string `yaml:"env"`
	// Jobs maps job ids to jobs.
	Jobs map[string]*Job `yaml:"jobs"`
}

// JobIDs returns the workflow's job ids, sorted.
func (w *Workflow) JobIDs() []string {
	ids := make([]string, 0, len(w.Jobs))
	for id := range w.Jobs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Job is one job of a workflow.
type Job struct {
	// Permissions is the job's GITHUB_TOKEN grant.
	Permissions Permissions `yaml:"permissions"`
	// Uses is set for a call to a reusable workflow; its line comment
	// carries the version.
	Uses yaml.Node `yaml:"uses"`
	// Environment is the job's deployment environment (a name or a map).
	Environment yaml.Node `yaml:"environment"`
	// Env is the job-level environment.
	Env map[string]string `yaml:"env"`
	// Concurrency is the job's concurrency group.
	Concurrency Concurrency `yaml:"concurrency"`
	// Steps are the job's steps.
	Steps []*Step `yaml:"steps"`
}

// Concurrency is a concurrency setting: a group name alone, or a group with
// cancel-in-progress.
type Concurrency struct {
	// Group is the concurrency group expression.
	Group string `yaml:"group"`
	// CancelInProgress is cancel-in-progress as written ("", "true", "false"
	// or an expression).
	CancelInProgress string `yaml:"cancel-in-progress"`
}

// UnmarshalYAML accepts both forms.
func (c *Concurrency) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		c.Group = n.Value
		return nil
	}
	type plain Concurrency
	return n.Decode((*plain)(c))
}

// Step is one step of a job.
type Step struct {
	// ID is the step's id.
	ID string `yaml:"id"`
	// Name is the step's name.
	Name string `yaml:"name"`
	// If is the step's condition.
	If string `yaml:"if"`
	// Uses is the action reference; its line comment carries the version.
	Uses yaml.Node `yaml:"uses"`
	// Run is the step's shell script.
	Run string `yaml:"run"`
	// RunLine is the line of the run script in the file.
	RunLine int `yaml:"-"`
	// With holds the action's inputs.
	With map[string]string `yaml:"with"`
	// Env holds the step's environment.
	Env map[string]string `yaml:"env"`
}

// Action returns the action a step uses without its ref
// ("actions/checkout"), or "" for a run step.
func (s *Step) Action() string {
	a, _, _ := strings.Cut(s.Uses.Value, "@")
	return a
}

// Label names the step for messages.
func (s *Step) Label(i int) string {
	switch {
	case s.Name != "":
		return fmt.Sprintf("step %d (%s)", i+1, s.Name)
	case s.ID != "":
		return fmt.Sprintf("step %d (%s)", i+1, s.ID)
	default:
		return fmt.Sprintf("step %d", i+1)
	}
}

// UnmarshalYAML records where the run script starts so that messages point
// at its lines.
func (s *Step) UnmarshalYAML(n *yaml.Node) error {
	type plain Step
	if err := n.Decode((*plain)(s)); err != nil {
		return err
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "run" {
			v := n.Content[i+1]
			s.RunLine = v.Line
			if v.Style == yaml.LiteralStyle || v.Style == yaml.FoldedStyle {
				s.RunLine++
			}
		}
	}
	return nil
}

// Permissions is a GITHUB_TOKEN grant: absent, "read-all"/"write-all", or a
// map of scopes to "read", "write" or "none".
type Permissions struct {
	// Set reports whether the key was present.
	Set bool
	// All is "read-all" or "write-all" when the grant is given as one word.
	All string
	// Scopes maps scopes to their access.
	Scopes map[string]string
}

// UnmarshalYAML accepts both forms of a grant.
func (p *Permissions) UnmarshalYAML(n *yaml.Node) error {
	p.Set = true
	if n.Kind == yaml.ScalarNode {
		p.All = n.Value
		return nil
	}
	return n.Decode(&p.Scopes)
}

// Writes returns the scopes granted write access, sorted.
func (p Permissions) Writes() []string {
	var out []string
	for s, a := range p.Scopes {
		if a == "write" {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// Load reads one workflow file.
func Load(path string) (*Workflow, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read workflow: %w", err)
	}
	w := &Workflow{Path: path}
	if err := yaml.Unmarshal(raw, w); err != nil {
		return nil, fmt.Errorf("parse workflow %s: %w", path, err)
	}
	if len(w.Jobs) == 0 {
		return nil, fmt.Errorf("parse workflow %s: no jobs", path)
	}
	return w, nil
}

// LoadDir reads every .yml and .yaml file in dir.
func LoadDir(dir string) ([]*Workflow, error) {
	var paths []string
	for _, pat := range []string{"*.yml", "*.yaml"} {
		m, err := filepath.Glob(filepath.Join(dir, pat))
		if err != nil {
			return nil, fmt.Errorf("list workflows in %s: %w", dir, err)
		}
		paths = append(paths, m...)
	}
	sort.Strings(paths)
	if len(paths) == 0 {
		return nil, fmt.Errorf("list workflows in %s: none found", dir)
	}
	out := make([]*Workflow, 0, len(paths))
	for _, p := range paths {
		w, err := Load(p)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}
