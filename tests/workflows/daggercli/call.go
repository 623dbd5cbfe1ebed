package daggercli

import (
	"bufio"
	"fmt"
	"regexp"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// Word is one word of a command line.
type Word struct {
	// Text is the word's literal value, or its shell source when it is not a
	// literal ("$DIGEST").
	Text string
	// Literal reports whether Text is the word's value (no expansion).
	Literal bool
	// Prefix is the literal start of the word, before any expansion
	// ("--digest=" for --digest="$DIGEST").
	Prefix string
}

// Call is one `dagger ... call ...` command line found in a document.
type Call struct {
	// Where is "file:line" of the command.
	Where string
	// Words is the command's argv, starting with "dagger".
	Words []Word
	// Text is the command as written, normalised to one line.
	Text string
	// Inline marks a command from an inline code span in prose, which may
	// name a function without its required flags ("`dagger call deploy`
	// runs the deployer"); fenced blocks and workflows hold whole commands.
	Inline bool
}

// Module returns the module the call names with -m or --mod, or "" for the
// module in the current directory.
func (c Call) Module() string {
	for i, w := range c.Words {
		if !w.Literal {
			continue
		}
		switch {
		case (w.Text == "-m" || w.Text == "--mod") && i+1 < len(c.Words):
			return c.Words[i+1].Text
		case strings.HasPrefix(w.Text, "-m="):
			return strings.TrimPrefix(w.Text, "-m=")
		case strings.HasPrefix(w.Text, "--mod="):
			return strings.TrimPrefix(w.Text, "--mod=")
		}
	}
	return ""
}

// String returns the command's location and text.
func (c Call) String() string { return c.Where + ": " + c.Text }

// ghExpr matches GitHub expressions, which are substituted before the
// shell runs and would otherwise not parse as shell.
var ghExpr = regexp.MustCompile(`\$\{\{[^}]*\}\}`)

// Placeholder is the word a documentation placeholder such as <env> becomes.
const Placeholder = "PLACEHOLDER"

// StripExpressions replaces GitHub expressions (${{ ... }}) in a run
// script with a plain word, so the script parses as shell.
func StripExpressions(script string) string {
	return ghExpr.ReplaceAllString(script, "GITHUB_EXPRESSION")
}

// placeholder matches README placeholders such as <env> or <sha256:...>.
var placeholder = regexp.MustCompile(`<[^<>\s` + "`" + `]+>`)

// ExtractShell returns every dagger call in a shell script. name and
// firstLine place the script in its document for messages.
func ExtractShell(name string, firstLine int, script string) ([]Call, error) {
	script = StripExpressions(script)
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(script), name)
	if err != nil {
		return nil, fmt.Errorf("parse shell in %s near line %d: %w", name, firstLine, err)
	}
	var calls []Call
	var walkErr error
	syntax.Walk(f, func(n syntax.Node) bool {
		ce, ok := n.(*syntax.CallExpr)
		if !ok || len(ce.Args) == 0 {
			return true
		}
		words := make([]Word, 0, len(ce.Args))
		for _, a := range ce.Args {
			words = append(words, wordOf(a))
		}
		if !isDaggerCall(words) {
			return true
		}
		var sb strings.Builder
		if err := syntax.NewPrinter(syntax.SingleLine(true)).Print(&sb, ce); err != nil {
			walkErr = fmt.Errorf("print command in %s: %w", name, err)
			return false
		}
		calls = append(calls, Call{
			Where: fmt.Sprintf("%s:%d", name, firstLine+int(ce.Pos().Line())-1),
			Words: words,
			Text:  strings.TrimSpace(sb.String()),
		})
		return true
	})
	return calls, walkErr
}

// fence matches the opening line of a fenced code block and its language.
var fence = regexp.MustCompile("^\\s*(```+|~~~+)\\s*([A-Za-z0-9_+-]*)")

// inlineCall matches an inline code span holding a dagger command.
var inlineCall = regexp.MustCompile("`(dagger\\s[^`]*\\bcall\\b[^`]*)`")

// shellLangs are the fenced-block languages read as shell.
var shellLangs = map[string]bool{"": true, "sh": true, "bash": true, "shell": true, "console": true, "zsh": true}

// ExtractMarkdown returns every dagger call in a Markdown document: those in
// fenced shell code blocks and those in inline code spans. Placeholders such
// as <env> count as values; a leading "$ " prompt is dropped.
func ExtractMarkdown(name, doc string) ([]Call, error) {
	var calls []Call
	sc := bufio.NewScanner(strings.NewReader(doc))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	inBlock, blockShell := false, false
	var block []string
	blockStart := 0
	var marker string
	for sc.Scan() {
		line++
		text := sc.Text()
		if m := fence.FindStringSubmatch(text); m != nil {
			if !inBlock {
				inBlock, marker = true, m[1]
				blockShell = shellLangs[strings.ToLower(m[2])]
				block, blockStart = nil, line+1
				continue
			}
			if strings.HasPrefix(strings.TrimSpace(text), marker) && strings.TrimSpace(m[2]) == "" {
				inBlock = false
				if blockShell && strings.Contains(strings.Join(block, "\n"), "dagger") {
					cs, err := ExtractShell(name, blockStart, markdownShell(block))
					if err != nil {
						return nil, err
					}
					calls = append(calls, cs...)
				}
				continue
			}
		}
		if inBlock {
			block = append(block, text)
			continue
		}
		for _, m := range inlineCall.FindAllStringSubmatch(text, -1) {
			cs, err := ExtractShell(name, line, markdownShell([]string{m[1]}))
			if err != nil {
				return nil, err
			}
			for i := range cs {
				cs[i].Inline = true
			}
			calls = append(calls, cs...)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return calls, nil
}

// markdownShell turns documentation lines into parseable shell: prompts
// dropped, placeholders made words, ellipses removed.
func markdownShell(lines []string) string {
	out := make([]string, len(lines))
	for i, l := range lines {
		t := strings.TrimLeft(l, " \t")
		if strings.HasPrefix(t, "$ ") {
			l = strings.TrimPrefix(t, "$ ")
		}
		l = placeholder.ReplaceAllString(l, Placeholder)
		l = strings.ReplaceAll(l, "…", "...")
		out[i] = l
	}
	return strings.Join(out, "\n")
}

// wordOf returns a shell word's literal value when it has one.
func wordOf(w *syntax.Word) Word {
	var sb strings.Builder
	literal := true
	prefix := ""
	add := func(s string) {
		sb.WriteString(s)
		if literal {
			prefix = sb.String()
		}
	}
	for _, p := range w.Parts {
		switch p := p.(type) {
		case *syntax.Lit:
			add(p.Value)
		case *syntax.SglQuoted:
			add(p.Value)
		case *syntax.DblQuoted:
			for _, q := range p.Parts {
				if l, ok := q.(*syntax.Lit); ok {
					add(l.Value)
				} else {
					literal = false
				}
			}
		default:
			literal = false
		}
	}
	if literal {
		return Word{Text: sb.String(), Literal: true, Prefix: sb.String()}
	}
	var src strings.Builder
	_ = syntax.NewPrinter().Print(&src, w)
	return Word{Text: src.String(), Prefix: prefix}
}

// isDaggerCall reports whether argv runs `dagger [global flags] call`.
func isDaggerCall(words []Word) bool {
	if len(words) < 2 || !words[0].Literal || words[0].Text != "dagger" {
		return false
	}
	_, ok := callIndex(words)
	return ok
}

// callIndex finds the "call" verb after dagger's global flags.
func callIndex(words []Word) (int, bool) {
	for i := 1; i < len(words); i++ {
		w := words[i]
		if !w.Literal {
			return 0, false
		}
		if w.Text == "call" {
			return i, true
		}
		name, _, hasEq := strings.Cut(strings.TrimLeft(w.Text, "-"), "=")
		if !strings.HasPrefix(w.Text, "-") {
			return 0, false
		}
		if cliFlags[name] && !hasEq {
			i++
		}
	}
	return 0, false
}

// secretURI matches a Dagger secret provider reference (env://NAME,
// file://path, cmd://..., op://..., vault://..., aws+sm://...).
var secretURI = regexp.MustCompile(`^[a-z][a-z0-9+]*://\S+$`)

// cliFlags are the Dagger CLI's own flags (global and `call` flags) that
// take a value; cliBools are those that take none. They may appear anywhere
// on a `dagger call` line.
var (
	cliFlags = map[string]bool{"m": true, "mod": true, "o": true, "output": true, "progress": true, "workdir": true}
	cliBools = map[string]bool{
		"q": true, "quiet": true, "s": true, "silent": true, "v": true, "vv": true, "vvv": true,
		"verbose": true, "debug": true, "json": true, "i": true, "interactive": true, "help": true, "h": true,
	}
)

// Check resolves the call against the module: constructor flags before the
// first function, then each function (top-level or chained on what the
// previous one returned) and its flags. It returns one error naming the
// first thing that does not exist.
func (s *Surface) Check(c Call) error {
	start, ok := callIndex(c.Words)
	if !ok {
		return fmt.Errorf("%s: not a dagger call", c)
	}
	current := s.Constructor
	where := "the constructor (flags before the function name)"
	object := s.Main
	given := map[string]bool{}
	help := c.Inline // --help, a documentation ellipsis or prose: required flags may be absent
	// missing reports the first required argument of current not given.
	missing := func() error {
		if help {
			return nil
		}
		for _, a := range current.Args {
			if a.Required && !given[a.Flag] {
				return fmt.Errorf("%s: %s needs --%s, which is required", c, where, a.Flag)
			}
		}
		return nil
	}
	for i := start + 1; i < len(c.Words); i++ {
		w := c.Words[i]
		if w.Literal && (w.Text == "..." || w.Text == "\\") {
			help = help || w.Text == "..." // documentation left flags out
			continue
		}
		if isFlag(w) {
			name, _, hasEq := strings.Cut(strings.TrimLeft(w.Prefix, "-"), "=")
			if a, ok := current.Arg(name); ok {
				given[name] = true
				value := w
				if !a.IsBool() && !hasEq {
					if i+1 >= len(c.Words) {
						return fmt.Errorf("%s: flag --%s of %s needs a value", c, name, where)
					}
					i++
					value = c.Words[i]
				} else if hasEq {
					_, v, _ := strings.Cut(w.Text, "=")
					value = Word{Text: v, Literal: w.Literal}
				}
				if a.Type == "Secret" && !(value.Literal && secretURI.MatchString(value.Text)) && value.Text != Placeholder {
					return fmt.Errorf("%s: secret flag --%s of %s is given %s; pass a secret provider URI such as env://NAME or file://path, never the value (it would show in argv and logs)", c, name, where, value.Text)
				}
				continue
			}
			if cliFlags[name] {
				if !hasEq {
					i++
				}
				continue
			}
			if cliBools[name] {
				help = help || name == "help" || name == "h"
				continue
			}
			return fmt.Errorf("%s: unknown flag --%s for %s; it accepts %s", c, name, where, orNone(current.Flags()))
		}
		if !w.Literal {
			return fmt.Errorf("%s: %s is not a literal function name (only flag values may be variables)", c, w.Text)
		}
		if w.Text == Placeholder {
			// Documentation's "dagger call <function> --help": any function.
			return nil
		}
		if err := missing(); err != nil {
			return err
		}
		obj, ok := s.Objects[object]
		if !ok {
			return fmt.Errorf("%s: cannot call %q on the %s that %s returns", c, w.Text, orNone([]string{object}), where)
		}
		fn, ok := obj.Functions[w.Text]
		if !ok {
			return fmt.Errorf("%s: no function %q on %s; it has %s", c, w.Text, object, orNone(obj.Names()))
		}
		current, object = fn, fn.Returns
		where = "function " + fn.Name
		given = map[string]bool{}
	}
	if current.Name == "" && current.GoName == "New" {
		// Only constructor flags: `dagger call --help` and the like.
		return nil
	}
	return missing()
}

// isFlag reports whether w is a flag: a literal "--name", or "--name=" followed
// by a value that may be a variable.
func isFlag(w Word) bool {
	if w.Literal {
		return strings.HasPrefix(w.Text, "-")
	}
	return strings.HasPrefix(w.Prefix, "-") && strings.Contains(w.Prefix, "=")
}

// orNone joins names, or says there are none.
func orNone(names []string) string {
	if len(names) == 0 || (len(names) == 1 && names[0] == "") {
		return "none"
	}
	return strings.Join(names, ", ")
}
