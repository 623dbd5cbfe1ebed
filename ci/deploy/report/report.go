// Package report is the deployer's account of one deploy: a JSON document
// for machines and a markdown summary for people (the GitHub job summary),
// holding the plan summary, versions, traffic steps with timestamps, checks
// and the outcome.
package report

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/deliverykit/podinfo/ci/deploy/awsconf"
	"github.com/deliverykit/podinfo/ci/deploy/ec2roll"
	"github.com/deliverykit/podinfo/ci/deploy/lambdaroll"
	"github.com/deliverykit/podinfo/ci/deploy/tfrun"
	"github.com/deliverykit/podinfo/ci/smoke"
)

// Outcomes of a deploy.
const (
	OutcomeSucceeded  = "succeeded"
	OutcomeNoOp       = "no-op"
	OutcomeRolledBack = "rolled-back"
	OutcomeFailed     = "failed"
	OutcomeRefused    = "refused"
	OutcomeDryRun     = "dry-run"
)

// File names Write creates in the report directory.
const (
	JSONFile     = "deploy-report.json"
	MarkdownFile = "deploy-report.md"
)

// Report is one deploy.
type Report struct {
	Env        string             `json:"env"`
	Digest     string             `json:"digest"`
	ImageURI   string             `json:"image_uri,omitempty"`
	Actor      string             `json:"actor,omitempty"`
	Run        string             `json:"run,omitempty"`
	DryRun     bool               `json:"dry_run,omitempty"`
	StartedAt  time.Time          `json:"started_at"`
	FinishedAt time.Time          `json:"finished_at"`
	Outcome    string             `json:"outcome"`
	Error      string             `json:"error,omitempty"`
	Plan       *tfrun.Summary     `json:"plan,omitempty"`
	Applied    bool               `json:"applied"`
	Identity   *awsconf.Identity  `json:"identity,omitempty"`
	Lambda     *lambdaroll.Result `json:"lambda,omitempty"`
	EC2        *ec2roll.Result    `json:"ec2,omitempty"`
	Smoke      []smoke.Result     `json:"smoke,omitempty"`
	Version    string             `json:"version,omitempty"`
	Revision   string             `json:"revision,omitempty"`
	Healthy    bool               `json:"healthy"`
	Notes      []string           `json:"notes,omitempty"`
}

// JSON returns the report as indented JSON.
func (r Report) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode deploy report: %w", err)
	}
	return append(b, '\n'), nil
}

// Write puts the JSON and markdown reports into dir.
func Write(dir string, r Report) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write deploy report: %w", err)
	}
	b, err := r.JSON()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, JSONFile), b, 0o644); err != nil {
		return fmt.Errorf("write deploy report: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, MarkdownFile), []byte(r.Markdown()), 0o644); err != nil {
		return fmt.Errorf("write deploy report: %w", err)
	}
	return nil
}

func ts(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("15:04:05")
}

func mark(ok bool) string {
	if ok {
		return "ok"
	}
	return "**FAIL**"
}

// cell keeps text from breaking a markdown table.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", "\\|")
	return strings.ReplaceAll(s, "\n", " ")
}

// Markdown renders the summary.
func (r Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Deploy to %s: %s\n\n", r.Env, r.Outcome)
	fmt.Fprintf(&b, "| | |\n|---|---|\n")
	fmt.Fprintf(&b, "| digest | `%s` |\n", r.Digest)
	if r.ImageURI != "" {
		fmt.Fprintf(&b, "| image | `%s` |\n", r.ImageURI)
	}
	if r.Version != "" {
		fmt.Fprintf(&b, "| version | %s (commit `%s`) |\n", cell(r.Version), cell(r.Revision))
	}
	fmt.Fprintf(&b, "| healthy | %v |\n", r.Healthy)
	if r.Actor != "" || r.Run != "" {
		fmt.Fprintf(&b, "| by | %s, run %s |\n", cell(r.Actor), cell(r.Run))
	}
	fmt.Fprintf(&b, "| time | %s to %s UTC |\n", r.StartedAt.UTC().Format(time.RFC3339), ts(r.FinishedAt))
	if r.Identity != nil {
		fmt.Fprintf(&b, "| aws | account %s |\n", r.Identity.Account)
	}
	if r.Error != "" {
		fmt.Fprintf(&b, "\n> **Error:** %s\n", strings.ReplaceAll(r.Error, "\n", "\n> "))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "\n- %s", n)
	}
	if len(r.Notes) > 0 {
		b.WriteString("\n")
	}
	if p := r.Plan; p != nil {
		fmt.Fprintf(&b, "\n## Terraform plan\n\n%d to add, %d to change, %d to replace, %d to destroy", p.Add, p.Change, p.Replace, p.Destroy)
		switch {
		case !p.HasChanges:
			b.WriteString(": no changes.\n")
		case r.Applied:
			b.WriteString(": applied.\n")
		default:
			b.WriteString(": not applied.\n")
		}
		if len(p.Changes) > 0 {
			b.WriteString("\n| resource | action |\n|---|---|\n")
			for _, c := range p.Changes {
				fmt.Fprintf(&b, "| `%s` | %s |\n", c.Address, c.Action)
			}
		}
		if len(p.Violations) > 0 {
			verdict := "refused"
			if p.Override {
				verdict = "allowed by --allow-destroy"
			} else if p.Allowed {
				verdict = "allowed outside prod"
			}
			fmt.Fprintf(&b, "\nProtected resources destroyed or replaced (%s):\n\n", verdict)
			for _, v := range p.Violations {
				fmt.Fprintf(&b, "- %s `%s`: %s\n", v.Action, v.Address, v.Reason)
			}
		}
	}
	if l := r.Lambda; l != nil {
		fmt.Fprintf(&b, "\n## Lambda: %s\n\n", l.Outcome)
		if l.PreviousVersion != "" || l.NewVersion != "" {
			fmt.Fprintf(&b, "Alias version %s -> %s", l.PreviousVersion, l.NewVersion)
			if l.DeploymentID != "" {
				fmt.Fprintf(&b, " (CodeDeploy %s)", l.DeploymentID)
			}
			b.WriteString(".\n")
		}
		if l.Message != "" {
			fmt.Fprintf(&b, "\n%s\n", l.Message)
		}
		if len(l.Events) > 0 {
			b.WriteString("\n| time | event | ok | detail |\n|---|---|---|---|\n")
			for _, e := range l.Events {
				fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", ts(e.At), e.Name, mark(e.OK), cell(e.Detail))
			}
		}
	}
	if e := r.EC2; e != nil {
		fmt.Fprintf(&b, "\n## EC2: %s\n\n", e.Outcome)
		if e.From != "" {
			fmt.Fprintf(&b, "%s -> %s, launch template version %s.\n", e.From, e.To, e.LaunchTemplateVersion)
		}
		if e.Message != "" {
			fmt.Fprintf(&b, "\n%s\n", e.Message)
		}
		if len(e.Steps) > 0 {
			b.WriteString("\n| time | new colour weight | checks |\n|---|---|---|\n")
			for _, s := range e.Steps {
				var cs []string
				for _, c := range s.Checks {
					cs = append(cs, c.Name+" "+mark(c.OK))
				}
				fmt.Fprintf(&b, "| %s | %d%% | %s |\n", ts(s.At), s.Weight, strings.Join(cs, ", "))
			}
		}
		if len(e.Checks) > 0 {
			b.WriteString("\n| time | check | ok | detail |\n|---|---|---|---|\n")
			for _, c := range e.Checks {
				fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", ts(c.At), c.Name, mark(c.OK), cell(c.Detail))
			}
		}
	}
	if len(r.Smoke) > 0 {
		b.WriteString("\n## Smoke tests\n\n| url | check | ok | status | detail |\n|---|---|---|---|---|\n")
		for _, s := range r.Smoke {
			for _, c := range s.Checks {
				fmt.Fprintf(&b, "| %s | %s | %s | %d | %s |\n", s.BaseURL, c.Name, mark(c.OK), c.Status, cell(c.Detail))
			}
		}
	}
	return b.String()
}
