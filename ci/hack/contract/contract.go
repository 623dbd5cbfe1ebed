// Package contract lints the Dagger module's Go source (go/ast) for the
// contract its users rely on: every function and argument documented, only
// argument and result types Dagger supports, a cache pragma on every
// function with external side effects, no Secret.Plaintext() call anywhere,
// and every function the README calls present.
package contract

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// Problem is one contract violation.
type Problem struct {
	// Pos is file:line.
	Pos string
	// Rule names the rule ("doc", "arg-doc", "type", "cache", "plaintext", "readme").
	Rule string
	// Msg says what is wrong and how to fix it.
	Msg string
}

// String renders "pos: [rule] msg".
func (p Problem) String() string { return fmt.Sprintf("%s: [%s] %s", p.Pos, p.Rule, p.Msg) }

// Config says what the lint looks for.
type Config struct {
	// ModuleType is the module's main object ("PodinfoDelivery").
	ModuleType string
	// Effects are the unexported functions and methods that have side
	// effects outside the engine (pushing to a real registry, signing,
	// deploying, verifying live state); an exported function reaching one
	// must carry +cache="never" or +cache="session".
	Effects []string
}

// scalarTypes are the Go types Dagger maps to GraphQL scalars.
var scalarTypes = map[string]bool{"string": true, "int": true, "bool": true, "float64": true}

// coreTypes are the Dagger core types the module may take or return.
var coreTypes = map[string]bool{
	"Directory": true, "File": true, "Secret": true, "Container": true, "Service": true,
	"CacheVolume": true, "Socket": true, "GitRepository": true, "Platform": true,
}

var cacheRE = regexp.MustCompile(`^\+cache="(never|session|[0-9]+[smh])"$`)

// Lint checks the module in dir (its package main) and, when readme is not
// nil, that every `dagger call` in it names an existing function.
func Lint(dir string, cfg Config, readme []byte) ([]Problem, error) {
	fset, files, err := ParseModule(dir)
	if err != nil {
		return nil, err
	}
	var probs []Problem
	add := func(pos token.Pos, rule, format string, a ...any) {
		probs = append(probs, Problem{Pos: fset.Position(pos).String(), Rule: rule, Msg: fmt.Sprintf(format, a...)})
	}
	calls := map[string][]string{} // function -> functions it calls
	var exported []*ast.FuncDecl
	comments := map[*ast.FuncDecl]*ast.File{}
	for _, f := range files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			calls[fd.Name.Name] = append(calls[fd.Name.Name], called(fd)...)
			if fd.Name.IsExported() && (fd.Recv == nil && fd.Name.Name == "New" || recvName(fd) == cfg.ModuleType) {
				exported = append(exported, fd)
				comments[fd] = f
			}
		}
	}
	reaches := effectReach(calls, cfg.Effects)
	for _, fd := range exported {
		name := fd.Name.Name
		doc := docText(fd.Doc)
		if doc == "" {
			add(fd.Pos(), "doc", "%s has no doc comment: write one line saying what it does (it is the --help text)", name)
		}
		for i, field := range fd.Type.Params.List {
			if i == 0 && isSelector(field.Type, "context", "Context") {
				continue
			}
			doc := ParamComment(fset, comments[fd], field)
			for _, id := range field.Names {
				if docText(doc) == "" {
					add(id.Pos(), "arg-doc", "argument %s of %s has no comment: document it on the line above", id.Name, name)
				}
			}
			if !argType(field.Type) {
				add(field.Pos(), "type", "argument type %s of %s is not a Dagger-supported type: use a scalar, a list of scalars or a Dagger core object", types(field.Type), name)
			}
		}
		if fd.Type.Results != nil {
			for _, r := range fd.Type.Results.List {
				if id, ok := r.Type.(*ast.Ident); ok && id.Name == "error" {
					continue
				}
				if !resultType(r.Type, cfg.ModuleType) {
					add(r.Pos(), "type", "result type %s of %s is not a Dagger-supported type", types(r.Type), name)
				}
			}
		}
		pragma := cachePragma(fd.Doc)
		if pragma != "" && !cacheRE.MatchString(pragma) {
			add(fd.Pos(), "cache", "%s has a malformed cache pragma %s: use +cache=\"never\", \"session\" or a duration", name, pragma)
		}
		if reaches[name] && !strings.HasPrefix(pragma, `+cache="never"`) && !strings.HasPrefix(pragma, `+cache="session"`) {
			add(fd.Pos(), "cache", "%s has side effects (it reaches %s) but no +cache=\"never\" or +cache=\"session\" pragma: the engine would answer it from cache", name, strings.Join(reachedEffects(name, calls, cfg.Effects), ", "))
		}
	}
	for _, f := range files {
		ast.Inspect(f, func(node ast.Node) bool {
			if sel, ok := node.(*ast.SelectorExpr); ok && sel.Sel.Name == "Plaintext" {
				add(sel.Pos(), "plaintext", "Plaintext() reads a secret's value into the module: pass the *dagger.Secret to the tool with WithSecretVariable or WithMountedSecret")
			}
			return true
		})
	}
	if readme != nil {
		fns := map[string]bool{}
		for _, fd := range exported {
			fns[fd.Name.Name] = true
		}
		for _, c := range ReadmeCalls(readme, constructorFlags(exported)) {
			if !fns[pascal(c.Function)] {
				probs = append(probs, Problem{Pos: fmt.Sprintf("README.md:%d", c.Line), Rule: "readme", Msg: fmt.Sprintf("`dagger call %s` names no function of the module (no method %s)", c.Function, pascal(c.Function))})
			}
		}
	}
	return probs, nil
}

// PlaintextCalls returns every .Plaintext selector in the non-test Go files
// under root (every package of the module), skipping testdata.
func PlaintextCalls(root string) ([]Problem, error) {
	var probs []Problem
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && p != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return fmt.Errorf("parse %s: %w", p, err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok && sel.Sel.Name == "Plaintext" {
				probs = append(probs, Problem{Pos: fset.Position(sel.Pos()).String(), Rule: "plaintext", Msg: "Plaintext() reads a secret's value: pass the *dagger.Secret on instead"})
			}
			return true
		})
		return nil
	})
	return probs, err
}

// docText returns a comment's text without pragma lines.
func docText(cg *ast.CommentGroup) string {
	if cg == nil {
		return ""
	}
	var lines []string
	for _, l := range strings.Split(cg.Text(), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "+") {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, " ")
}

// cachePragma returns the function's +cache line, "" without one.
func cachePragma(cg *ast.CommentGroup) string {
	if cg == nil {
		return ""
	}
	for _, l := range strings.Split(cg.Text(), "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "+cache") {
			return l
		}
	}
	return ""
}

func recvName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return ""
	}
	t := fd.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

func isSelector(e ast.Expr, pkg, name string) bool {
	s, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := s.X.(*ast.Ident)
	return ok && id.Name == pkg && s.Sel.Name == name
}

func argType(e ast.Expr) bool {
	switch t := e.(type) {
	case *ast.Ident:
		return scalarTypes[t.Name]
	case *ast.ArrayType:
		return t.Len == nil && argType(t.Elt)
	case *ast.StarExpr:
		s, ok := t.X.(*ast.SelectorExpr)
		return ok && isSelector(s, "dagger", s.Sel.Name) && coreTypes[s.Sel.Name]
	case *ast.SelectorExpr:
		return isSelector(t, "dagger", "Platform")
	}
	return false
}

func resultType(e ast.Expr, module string) bool {
	if s, ok := e.(*ast.StarExpr); ok {
		if id, ok := s.X.(*ast.Ident); ok && id.Name == module {
			return true
		}
	}
	return argType(e)
}

func types(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.Ident:
		return t.Name
	case *ast.StarExpr:
		return "*" + types(t.X)
	case *ast.ArrayType:
		return "[]" + types(t.Elt)
	case *ast.SelectorExpr:
		return types(t.X) + "." + t.Sel.Name
	case *ast.MapType:
		return "map[" + types(t.Key) + "]" + types(t.Value)
	case *ast.ChanType:
		return "chan " + types(t.Value)
	}
	return fmt.Sprintf("%T", e)
}

// called returns the names of the functions and methods fd calls.
func called(fd *ast.FuncDecl) []string {
	var out []string
	if fd.Body == nil {
		return nil
	}
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		c, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		switch f := c.Fun.(type) {
		case *ast.Ident:
			out = append(out, f.Name)
		case *ast.SelectorExpr:
			out = append(out, f.Sel.Name)
		}
		return true
	})
	return out
}

// effectReach returns the functions that reach an effect, transitively.
func effectReach(calls map[string][]string, effects []string) map[string]bool {
	reach := map[string]bool{}
	for _, e := range effects {
		reach[e] = true
	}
	for changed := true; changed; {
		changed = false
		for fn, cs := range calls {
			if reach[fn] {
				continue
			}
			for _, c := range cs {
				if reach[c] {
					reach[fn] = true
					changed = true
					break
				}
			}
		}
	}
	return reach
}

// reachedEffects lists the effects fn reaches, for the message.
func reachedEffects(fn string, calls map[string][]string, effects []string) []string {
	var out []string
	for _, e := range effects {
		if effectReach(calls, []string{e})[fn] {
			out = append(out, e)
		}
	}
	return out
}

// constructorFlags returns the CLI flags of New's arguments.
func constructorFlags(fns []*ast.FuncDecl) map[string]bool {
	flags := map[string]bool{"-m": true, "--mod": true}
	for _, fd := range fns {
		if fd.Recv != nil || fd.Name.Name != "New" {
			continue
		}
		for _, f := range fd.Type.Params.List {
			for _, id := range f.Names {
				flags["--"+kebab(id.Name)] = true
			}
		}
	}
	return flags
}

// Call is one `dagger call` found in a document.
type Call struct {
	// Line is the 1-based line number.
	Line int
	// Function is the function's CLI name ("build-and-sign").
	Function string
}

var fnName = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

var callRE = regexp.MustCompile("dagger\\s+call\\s+([^`\\n]*)")

// ReadmeCalls returns the function every `dagger call` line of a Markdown
// document names, skipping constructor flags (with their values) before it;
// calls with -m address another module and are left out.
func ReadmeCalls(md []byte, ctorFlags map[string]bool) []Call {
	var out []Call
	for i, line := range strings.Split(string(md), "\n") {
		for _, m := range callRE.FindAllStringSubmatch(line, -1) {
			fields := strings.Fields(m[1])
			for j := 0; j < len(fields); j++ {
				f := fields[j]
				if f == "-m" || f == "--mod" || strings.HasPrefix(f, "-m=") || strings.HasPrefix(f, "--mod=") {
					break // a call into another module
				}
				if strings.HasPrefix(f, "-") {
					if !strings.Contains(f, "=") && ctorFlags[f] {
						j++
					}
					continue
				}
				// Placeholders (<function>, ..., $VAR) and prose are not calls.
				if fnName.MatchString(f) {
					out = append(out, Call{Line: i + 1, Function: f})
				}
				break
			}
		}
	}
	return out
}

// pascal turns a CLI name into the Go method name ("build-and-sign" ->
// "BuildAndSign").
func pascal(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		if r == '-' {
			up = true
			continue
		}
		if up {
			b.WriteRune(unicode.ToUpper(r))
			up = false
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// kebab turns a Go argument name into its CLI flag ("awsAccessKeyId" ->
// "aws-access-key-id").
func kebab(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ParseModule parses the Go source of a module's main package in dir,
// leaving out tests and the engine-generated dagger.gen.go, and returns its
// files in file-name order.
func ParseModule(dir string) (*token.FileSet, []*ast.File, error) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, dir, func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go") && fi.Name() != "dagger.gen.go"
	}, parser.ParseComments)
	if err != nil {
		return nil, nil, fmt.Errorf("parse %s: %w", dir, err)
	}
	pkg, ok := pkgs["main"]
	if !ok {
		return nil, nil, fmt.Errorf("%s holds no package main", dir)
	}
	names := make([]string, 0, len(pkg.Files))
	for n := range pkg.Files {
		names = append(names, n)
	}
	sort.Strings(names)
	files := make([]*ast.File, len(names))
	for i, n := range names {
		files[i] = pkg.Files[n]
	}
	return fset, files, nil
}

// Pragmas returns, for every exported function of the module type, the
// value of its cache pragma ("never", "session", a duration, or "" for the
// default cache).
func Pragmas(dir, moduleType string) (map[string]string, error) {
	_, files, err := ParseModule(dir)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, f := range files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || !fd.Name.IsExported() || recvName(fd) != moduleType {
				continue
			}
			p := cachePragma(fd.Doc)
			if m := cacheRE.FindStringSubmatch(p); m != nil {
				p = m[1]
			}
			out[fd.Name.Name] = p
		}
	}
	return out, nil
}

// ParamComment returns the comment documenting a function parameter: the
// group ending on the line above it, or one on its own line. go/parser
// attaches no comments to parameters, so they are found by position.
func ParamComment(fset *token.FileSet, f *ast.File, field *ast.Field) *ast.CommentGroup {
	if field.Doc != nil {
		return field.Doc
	}
	line := fset.Position(field.Pos()).Line
	for _, cg := range f.Comments {
		end := fset.Position(cg.End()).Line
		start := fset.Position(cg.Pos()).Line
		if end == line-1 || (start == line && cg.Pos() > field.End()) {
			return cg
		}
	}
	return nil
}
