package workflows

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/deliverykit/podinfo/tests/workflows/daggercli"
	"go.yaml.in/yaml/v3"
	"mvdan.cc/sh/v3/syntax"
)

// Rule names, as findings report them.
const (
	RuleOneDaggerCall  = "one-dagger-call"
	RulePinned         = "pinned-actions"
	RuleLeastPrivilege = "least-privilege"
	RuleModuleCalls    = "module-calls"
	RuleEngineVersion  = "engine-version"
	RuleFailureSummary = "failure-summary"
	RuleDeployGated    = "deploy-gated"
	RuleNoShellLogic   = "no-shell-logic"
	RuleCheckoutCreds  = "checkout-credentials"
)

// Actions the rules know by name.
const (
	daggerAction         = "dagger/dagger-for-github"
	awsCredentialsAction = "aws-actions/configure-aws-credentials"
	uploadSARIFAction    = "github/codeql-action/upload-sarif"
	checkoutAction       = "actions/checkout"
)

// Finding is one broken rule.
type Finding struct {
	// Rule is the rule's name.
	Rule string
	// Where is "file job step".
	Where string
	// Message says what is wrong and how to fix it.
	Message string
}

// String renders the finding for test output.
func (f Finding) String() string { return f.Rule + ": " + f.Where + ": " + f.Message }

// Checker holds what the rules check the workflows against.
type Checker struct {
	// EngineVersion is dagger.json's engineVersion ("v0.21.9").
	EngineVersion string
	// Module is the Dagger module's surface.
	Module *daggercli.Surface
	// Root is the repository root, against which a call's -m path (a local
	// module, such as the tests module) is read.
	Root string
}

// surface returns the module a call runs: the main module, or the local
// module its -m flag names.
func (c Checker) surface(call daggercli.Call) (*daggercli.Surface, error) {
	m := call.Module()
	if m == "" || m == "." {
		return c.Module, nil
	}
	if strings.Contains(m, "://") || strings.Contains(m, "@") || strings.HasPrefix(m, "github.com/") {
		return nil, fmt.Errorf("%s: calls the remote module %s, which these tests cannot read; call a module in this repository", call, m)
	}
	s, err := daggercli.Load(filepath.Join(c.Root, filepath.FromSlash(m)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", call, err)
	}
	return s, nil
}

// Check runs every rule over w.
func (c Checker) Check(w *Workflow) []Finding {
	var out []Finding
	out = append(out, c.OneDaggerCall(w)...)
	out = append(out, Pinned(w)...)
	out = append(out, LeastPrivilege(w)...)
	out = append(out, c.ModuleCalls(w)...)
	out = append(out, c.EngineVersionPinned(w)...)
	out = append(out, FailureSummary(w)...)
	out = append(out, DeployGated(w)...)
	out = append(out, NoShellLogic(w)...)
	out = append(out, CheckoutCredentials(w)...)
	return out
}

// stepCall is a dagger call made by one step of a job.
type stepCall struct {
	step  int
	call  daggercli.Call
	isRun bool
}

// jobCalls returns the dagger calls a job makes: `dagger ... call` command
// lines in run scripts, and dagger-for-github steps given a call.
func jobCalls(w *Workflow, id string, j *Job) ([]stepCall, []Finding) {
	var calls []stepCall
	var bad []Finding
	for i, s := range j.Steps {
		if s.Run != "" {
			cs, err := daggercli.ExtractShell(w.Path, s.RunLine, s.Run)
			if err != nil {
				bad = append(bad, Finding{RuleModuleCalls, where(w, id, s, i), err.Error()})
				continue
			}
			for _, c := range cs {
				calls = append(calls, stepCall{step: i, call: c, isRun: true})
			}
		}
		if s.Action() == daggerAction {
			verb := s.With["verb"]
			args := s.With["call"]
			if args == "" {
				args = s.With["args"]
			}
			if args != "" && (verb == "" || verb == "call") {
				line := "dagger call " + s.With["module"] + " " + args
				if m := s.With["module"]; m != "" {
					line = "dagger call -m " + m + " " + args
				}
				cs, err := daggercli.ExtractShell(w.Path, s.Uses.Line, line)
				if err != nil {
					bad = append(bad, Finding{RuleModuleCalls, where(w, id, s, i), err.Error()})
					continue
				}
				for _, c := range cs {
					calls = append(calls, stepCall{step: i, call: c})
				}
			}
		}
	}
	return calls, bad
}

func where(w *Workflow, id string, s *Step, i int) string {
	if s == nil {
		return fmt.Sprintf("%s job %s", w.Path, id)
	}
	return fmt.Sprintf("%s job %s %s", w.Path, id, s.Label(i))
}

// OneDaggerCall checks that each job runs at most one dagger call: a job
// is checkout, credentials, one call and publishing what it returned.
func (c Checker) OneDaggerCall(w *Workflow) []Finding {
	var out []Finding
	for _, id := range w.JobIDs() {
		calls, _ := jobCalls(w, id, w.Jobs[id])
		if len(calls) > 1 {
			var lines []string
			for _, sc := range calls {
				lines = append(lines, sc.call.String())
			}
			out = append(out, Finding{RuleOneDaggerCall, where(w, id, nil, 0), fmt.Sprintf(
				"runs %d dagger calls (%s); split the job or move the chaining into one module function",
				len(calls), strings.Join(lines, "; "))})
		}
	}
	return out
}

var (
	shaRef         = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$`)
	versionComment = regexp.MustCompile(`^#\s*v?\d+(\.\d+)*\S*`)
	dockerDigest   = regexp.MustCompile(`^docker://[^@\s]+@sha256:[0-9a-f]{64}$`)
)

// Pinned checks that every action and reusable workflow is pinned to a full
// commit SHA with its version in a comment ("@<40 hex> # v1.2.3"), and every
// docker:// action to a sha256 digest. Local actions (./...) are exempt.
func Pinned(w *Workflow) []Finding {
	var out []Finding
	check := func(n yaml.Node, at string) {
		ref := n.Value
		switch {
		case ref == "" || strings.HasPrefix(ref, "./"):
		case strings.HasPrefix(ref, "docker://"):
			if !dockerDigest.MatchString(ref) {
				out = append(out, Finding{RulePinned, at, fmt.Sprintf("%q is not pinned to a sha256 digest; use docker://image@sha256:<digest>", ref)})
			}
		case !shaRef.MatchString(ref):
			out = append(out, Finding{RulePinned, at, fmt.Sprintf("%q is not pinned to a full 40-hex commit SHA; use owner/repo@<sha> # vX.Y.Z", ref)})
		case !versionComment.MatchString(n.LineComment):
			out = append(out, Finding{RulePinned, at, fmt.Sprintf("%q has no version comment; append # vX.Y.Z naming the release the SHA is", ref)})
		}
	}
	for _, id := range w.JobIDs() {
		j := w.Jobs[id]
		check(j.Uses, where(w, id, nil, 0))
		for i, s := range j.Steps {
			check(s.Uses, where(w, id, s, i))
		}
	}
	return out
}

// writeUse says how a job shows that it uses a write grant.
type writeUse struct {
	// actions are action names (without ref) whose use needs the grant.
	actions []string
	// dagger are dagger call flags whose use needs the grant.
	dagger []string
	// run are substrings of run scripts that need the grant.
	run []string
	// why is the evidence the message asks for.
	why string
}

// WriteUses maps each GITHUB_TOKEN scope a job may hold with write access to
// what in the job uses it. A write grant with no such use is a finding, and
// so is a write grant of a scope this table does not list.
var WriteUses = map[string]writeUse{
	"id-token": {
		actions: []string{awsCredentialsAction},
		dagger:  []string{"--oidc-request-token", "--oidc-request-url"},
		why:     "an OIDC exchange: aws-actions/configure-aws-credentials with role-to-assume, or a dagger call passing --oidc-request-token (keyless signing, --aws-role-arn)",
	},
	"security-events": {
		actions: []string{uploadSARIFAction},
		why:     "a github/codeql-action/upload-sarif step",
	},
	"contents": {
		actions: []string{"softprops/action-gh-release"},
		run:     []string{"git push", "gh release"},
		why:     "a push or a release (git push, gh release, softprops/action-gh-release)",
	},
	"packages": {
		run: []string{"ghcr.io"},
		why: "publishing to GitHub Packages (ghcr.io)",
	},
	"deployments": {
		actions: []string{"chrnorm/deployment-action", "bobheadxi/deployments"},
		run:     []string{"/deployments"},
		why:     "creating deployment records through the API (jobs with environment: get theirs without it)",
	},
	"pull-requests": {
		run: []string{"gh pr "},
		why: "a gh pr command",
	},
	"issues": {
		run: []string{"gh issue "},
		why: "a gh issue command",
	},
	"actions": {
		run: []string{"gh run ", "gh workflow "},
		why: "a gh run or gh workflow command",
	},
	"attestations": {
		actions: []string{"actions/attest-build-provenance", "actions/attest"},
		why:     "an actions/attest step",
	},
}

// LeastPrivilege checks the GITHUB_TOKEN grants: the workflow grants nothing
// at the top (permissions: {}), every job states its own grant, no job uses
// read-all or write-all, and every write scope is used by the job (WriteUses).
func LeastPrivilege(w *Workflow) []Finding {
	var out []Finding
	top := w.Permissions
	if !top.Set || top.All != "" || len(top.Scopes) > 0 {
		out = append(out, Finding{RuleLeastPrivilege, w.Path, "top-level permissions must be {} so that each job grants only what it uses"})
	}
	for _, id := range w.JobIDs() {
		j := w.Jobs[id]
		at := where(w, id, nil, 0)
		p := j.Permissions
		if !p.Set {
			out = append(out, Finding{RuleLeastPrivilege, at, "has no permissions block; grant the job exactly the scopes it uses (or {})"})
			continue
		}
		if p.All != "" {
			out = append(out, Finding{RuleLeastPrivilege, at, fmt.Sprintf("grants %q; list the scopes the job uses instead", p.All)})
			continue
		}
		calls, _ := jobCalls(w, id, j)
		jobs := []*Job{j}
		if ref := j.Uses.Value; strings.HasPrefix(ref, "./") {
			called, err := loadCalled(w, ref)
			if err != nil {
				out = append(out, Finding{RuleLeastPrivilege, at, err.Error()})
				continue
			}
			jobs = nil
			for _, cid := range called.JobIDs() {
				cj := called.Jobs[cid]
				cc, _ := jobCalls(called, cid, cj)
				jobs = append(jobs, cj)
				calls = append(calls, cc...)
			}
		}
		for _, scope := range p.Writes() {
			use, ok := WriteUses[scope]
			if !ok {
				out = append(out, Finding{RuleLeastPrivilege, at, fmt.Sprintf("grants %s: write, which no rule maps to a use; drop it or add the scope to WriteUses", scope)})
				continue
			}
			if !usesWrite(jobs, calls, use) {
				out = append(out, Finding{RuleLeastPrivilege, at, fmt.Sprintf("grants %s: write but does not use it (a use is %s); drop the grant", scope, use.why)})
			}
		}
	}
	return out
}

// loadCalled reads the local reusable workflow a job calls ("./.github/
// workflows/x.yml", relative to the repository root that holds w).
func loadCalled(w *Workflow, ref string) (*Workflow, error) {
	root := filepath.Dir(filepath.Dir(filepath.Dir(w.Path)))
	called, err := Load(filepath.Join(root, filepath.FromSlash(ref)))
	if err != nil {
		return nil, fmt.Errorf("calls %s, which cannot be read to check its grants: %w", ref, err)
	}
	return called, nil
}

// usesWrite reports whether the jobs do something that needs the grant.
func usesWrite(jobs []*Job, calls []stepCall, use writeUse) bool {
	for _, j := range jobs {
		for _, s := range j.Steps {
			for _, a := range use.actions {
				if s.Action() == a {
					return true
				}
			}
			for _, r := range use.run {
				if strings.Contains(s.Run, r) {
					return true
				}
			}
		}
	}
	for _, sc := range calls {
		for _, w := range sc.call.Words {
			for _, f := range use.dagger {
				if w.Prefix == f || strings.HasPrefix(w.Prefix, f+"=") {
					return true
				}
			}
		}
		for _, r := range use.run {
			if strings.Contains(sc.call.Text, r) {
				return true
			}
		}
	}
	return false
}

// ModuleCalls checks that every function and flag a dagger call names exists
// in the module.
func (c Checker) ModuleCalls(w *Workflow) []Finding {
	var out []Finding
	for _, id := range w.JobIDs() {
		calls, bad := jobCalls(w, id, w.Jobs[id])
		out = append(out, bad...)
		for _, sc := range calls {
			s, err := c.surface(sc.call)
			if err == nil {
				err = s.Check(sc.call)
			}
			if err != nil {
				out = append(out, Finding{RuleModuleCalls, where(w, id, w.Jobs[id].Steps[sc.step], sc.step), err.Error()})
			}
		}
	}
	return out
}

// EngineVersionPinned checks that every dagger-for-github step installs the
// engine version dagger.json pins, so CI runs what a laptop runs.
func (c Checker) EngineVersionPinned(w *Workflow) []Finding {
	var out []Finding
	for _, id := range w.JobIDs() {
		for i, s := range w.Jobs[id].Steps {
			if s.Action() != daggerAction {
				continue
			}
			if v := s.With["version"]; v != c.EngineVersion {
				out = append(out, Finding{RuleEngineVersion, where(w, id, s, i), fmt.Sprintf("installs Dagger %q; set with.version: %q, dagger.json's engineVersion", v, c.EngineVersion)})
			}
		}
	}
	return out
}

// FailureSummary checks that every job with a dagger call tees its output to
// a file, and has a later step that runs on failure and writes to the job
// summary the same command line (so it can be copied to reproduce locally)
// and the tail of that file (the module's error message).
func FailureSummary(w *Workflow) []Finding {
	var out []Finding
	for _, id := range w.JobIDs() {
		j := w.Jobs[id]
		calls, _ := jobCalls(w, id, j)
		for _, sc := range calls {
			at := where(w, id, j.Steps[sc.step], sc.step)
			if !sc.isRun {
				out = append(out, Finding{RuleFailureSummary, at, "calls dagger through the action's call input, whose error output cannot be captured; install with the action and run the call in a run step"})
				continue
			}
			logFile := teeTarget(j.Steps[sc.step].Run)
			if logFile == "" {
				out = append(out, Finding{RuleFailureSummary, at, "does not capture the call's output; end the command with 2>&1 | tee \"$RUNNER_TEMP/dagger.log\""})
				continue
			}
			for _, v := range undefinedVars(w, j, j.Steps[sc.step], sc.call) {
				out = append(out, Finding{RuleFailureSummary, at, fmt.Sprintf("uses $%s, which neither the step, the job nor the workflow defines in env:", v)})
			}
			if s := summaryStep(j, sc, logFile); s == nil {
				out = append(out, Finding{RuleFailureSummary, at, fmt.Sprintf(
					"no later step with if: failure() writes to $GITHUB_STEP_SUMMARY both the line %q and the tail of %s",
					sc.call.Text, logFile)})
			} else {
				for _, v := range undefinedVars(w, j, s, sc.call) {
					out = append(out, Finding{RuleFailureSummary, at, fmt.Sprintf("its failure summary step prints $%s but does not define it in env:, so the reproduction line would lack the value", v)})
				}
			}
		}
	}
	return out
}

var teeRE = regexp.MustCompile(`2>&1\s*\|\s*tee\s+("[^"]+"|\S+)`)

// teeTarget returns the file a script tees the dagger call's output to.
func teeTarget(run string) string {
	m := teeRE.FindStringSubmatch(run)
	if m == nil {
		return ""
	}
	return m[1]
}

// unquote drops shell quotes so that a command and its echo compare equal.
var unquote = strings.NewReplacer(`"`, "", `'`, "", `\`, "")

// summaryStep returns the step after the call's step that runs on failure
// and writes the call's line and its log to the job summary, or nil.
func summaryStep(j *Job, sc stepCall, logFile string) *Step {
	line := unquote.Replace(sc.call.Text)
	for _, s := range j.Steps[sc.step+1:] {
		if !strings.Contains(s.If, "failure()") || !strings.Contains(s.Run, "GITHUB_STEP_SUMMARY") {
			continue
		}
		run := unquote.Replace(strings.Join(strings.Fields(s.Run), " "))
		if strings.Contains(run, line) && strings.Contains(s.Run, logFile) {
			return s
		}
	}
	return nil
}

// varRef matches a shell variable reference.
var varRef = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)`)

// undefinedVars returns the variables a call references that step s would
// not have: not in the step's, job's or workflow's env, and not one the
// runner sets (GITHUB_*, RUNNER_*, ACTIONS_*, CI).
func undefinedVars(w *Workflow, j *Job, s *Step, c daggercli.Call) []string {
	var out []string
	seen := map[string]bool{}
	for _, word := range c.Words {
		if word.Literal {
			continue
		}
		for _, m := range varRef.FindAllStringSubmatch(word.Text, -1) {
			v := m[1]
			if seen[v] {
				continue
			}
			seen[v] = true
			_, inStep := s.Env[v]
			_, inJob := j.Env[v]
			_, inWorkflow := w.Env[v]
			builtin := v == "CI" || strings.HasPrefix(v, "GITHUB_") || strings.HasPrefix(v, "RUNNER_") || strings.HasPrefix(v, "ACTIONS_")
			if !inStep && !inJob && !inWorkflow && !builtin {
				out = append(out, v)
			}
		}
	}
	return out
}

// GatedFunctions are the module functions that change an environment.
var GatedFunctions = map[string]bool{"deploy": true, "promote": true, "rollback": true}

// DeployGated checks that every job calling a function that changes an
// environment runs in a GitHub environment (whose protection rules gate it)
// and in a concurrency group named after that environment that never
// cancels a run in progress, so deployments to one environment queue.
func DeployGated(w *Workflow) []Finding {
	var out []Finding
	for _, id := range w.JobIDs() {
		j := w.Jobs[id]
		calls, _ := jobCalls(w, id, j)
		for _, sc := range calls {
			fn := functionOf(sc.call)
			if !GatedFunctions[fn] {
				continue
			}
			at := where(w, id, nil, 0)
			env := environmentName(j.Environment)
			switch {
			case env == "":
				out = append(out, Finding{RuleDeployGated, at, fmt.Sprintf("calls %s outside a GitHub environment; add environment: so its reviewers and branch rules gate it", fn)})
			case j.Concurrency.Group == "" || !strings.Contains(j.Concurrency.Group, env):
				out = append(out, Finding{RuleDeployGated, at, fmt.Sprintf("calls %s without a concurrency group named after its environment %s; add concurrency: group: deploy-%s", fn, env, env)})
			case j.Concurrency.CancelInProgress != "false":
				out = append(out, Finding{RuleDeployGated, at, fmt.Sprintf("calls %s in a concurrency group that may cancel a deployment in progress; set cancel-in-progress: false", fn)})
			}
		}
	}
	return out
}

// functionOf returns the first function name of a dagger call.
func functionOf(c daggercli.Call) string {
	seenCall := false
	for i := 1; i < len(c.Words); i++ {
		w := c.Words[i]
		if !seenCall {
			seenCall = w.Literal && w.Text == "call"
			continue
		}
		if w.Literal && !strings.HasPrefix(w.Text, "-") && (i == 0 || !strings.HasPrefix(c.Words[i-1].Text, "-") || strings.Contains(c.Words[i-1].Text, "=")) {
			return w.Text
		}
	}
	return ""
}

// environmentName returns a job's environment name (both forms).
func environmentName(n yaml.Node) string {
	switch n.Kind {
	case yaml.ScalarNode:
		return n.Value
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "name" {
				return n.Content[i+1].Value
			}
		}
	}
	return ""
}

// logicCommands are commands that make decisions; a thin wrapper leaves
// decisions (input validation above all) to the module.
var logicCommands = map[string]bool{"exit": true, "test": true, "[": true, "return": true}

// NoShellLogic checks that run scripts hold no pipeline logic: no if, case,
// loops, tests ([[ ]], test, [) or exit. Dispatch inputs are validated by the
// module, which names the argument and the fix; a job only runs the call and
// publishes what it returned.
func NoShellLogic(w *Workflow) []Finding {
	var out []Finding
	for _, id := range w.JobIDs() {
		for i, st := range w.Jobs[id].Steps {
			if st.Run == "" {
				continue
			}
			script := daggercli.StripExpressions(st.Run)
			f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(script), w.Path)
			if err != nil {
				out = append(out, Finding{RuleNoShellLogic, where(w, id, st, i), fmt.Sprintf("run script does not parse as bash: %v", err)})
				continue
			}
			var found []string
			syntax.Walk(f, func(n syntax.Node) bool {
				switch n := n.(type) {
				case *syntax.IfClause:
					found = append(found, "if")
				case *syntax.CaseClause:
					found = append(found, "case")
				case *syntax.WhileClause:
					found = append(found, "while/until")
				case *syntax.ForClause:
					found = append(found, "for")
				case *syntax.TestClause:
					found = append(found, "[[ ]]")
				case *syntax.FuncDecl:
					found = append(found, "a function")
				case *syntax.BinaryCmd:
					if n.Op == syntax.AndStmt || n.Op == syntax.OrStmt {
						found = append(found, n.Op.String())
					}
				case *syntax.CallExpr:
					if len(n.Args) > 0 && logicCommands[n.Args[0].Lit()] {
						found = append(found, n.Args[0].Lit())
					}
				}
				return true
			})
			if len(found) > 0 {
				out = append(out, Finding{RuleNoShellLogic, where(w, id, st, i), fmt.Sprintf(
					"run script makes decisions (%s); move the logic into the module, which validates its inputs and names the argument and the fix",
					strings.Join(found, ", "))})
			}
		}
	}
	return out
}

// CheckoutCredentials checks that every checkout sets persist-credentials:
// false: no job pushes, so the token need not be written into .git/config,
// where anything that reads the work tree (the Dagger engine's uploads
// included) could find it.
func CheckoutCredentials(w *Workflow) []Finding {
	var out []Finding
	for _, id := range w.JobIDs() {
		for i, s := range w.Jobs[id].Steps {
			if s.Action() == checkoutAction && s.With["persist-credentials"] != "false" {
				out = append(out, Finding{RuleCheckoutCreds, where(w, id, s, i), "checks out with the token persisted in .git/config; set with.persist-credentials: false"})
			}
		}
	}
	return out
}
