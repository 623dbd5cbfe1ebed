// Package daggercli checks `dagger call` command lines against the functions a
// Dagger Go module declares, without a Dagger engine: the module's surface
// (objects, functions, arguments) is read from its Go source with go/ast, and
// each command line is parsed as shell and walked the way the Dagger CLI
// resolves it (constructor flags, function, its flags, chained functions).
package daggercli

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"

	"github.com/deliverykit/podinfo/ci/hack/contract"
)

// Arg is one argument of a function, as the CLI exposes it.
type Arg struct {
	// GoName is the parameter's name in the Go source ("oidcRequestToken").
	GoName string
	// Flag is the CLI flag without dashes ("oidc-request-token").
	Flag string
	// Type is the parameter's Go type as written, without pointer and
	// package qualifier ("string", "bool", "Secret", "[]string").
	Type string
	// Required reports that the argument has no +optional, +default or
	// +defaultPath pragma, so every call must pass it.
	Required bool
}

// IsBool reports whether the flag takes no value on the command line.
func (a Arg) IsBool() bool { return a.Type == "bool" }

// Function is one function of an object.
type Function struct {
	// GoName is the method's Go name ("BuildAndSign").
	GoName string
	// Name is the CLI name ("build-and-sign").
	Name string
	// Args are the function's arguments in declaration order.
	Args []Arg
	// Returns is the object type the function returns (core types by their
	// API name: "Directory", "Container", "File", "Service"; scalars by their
	// Go name; module objects by their Go type name).
	Returns string
}

// Arg returns the argument whose flag is flag.
func (f Function) Arg(flag string) (Arg, bool) {
	for _, a := range f.Args {
		if a.Flag == flag {
			return a, true
		}
	}
	return Arg{}, false
}

// Flags returns the function's flags, sorted, with leading dashes.
func (f Function) Flags() []string {
	out := make([]string, 0, len(f.Args))
	for _, a := range f.Args {
		out = append(out, "--"+a.Flag)
	}
	sort.Strings(out)
	return out
}

// Object is a type whose functions the CLI can call.
type Object struct {
	// Name is the Go type name.
	Name string
	// Functions maps CLI names to functions.
	Functions map[string]Function
}

// Names returns the object's function names, sorted.
func (o Object) Names() []string {
	out := make([]string, 0, len(o.Functions))
	for n := range o.Functions {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Surface is what a module exposes to `dagger call`.
type Surface struct {
	// Module is the module's name from dagger.json.
	Module string
	// Main is the module's main object; its functions are the top-level
	// `dagger call` functions.
	Main string
	// Constructor holds the arguments of New, which the CLI takes as flags
	// before the function name.
	Constructor Function
	// Objects maps object type names (module types and the core types the
	// module returns) to their functions.
	Objects map[string]Object
}

// coreObjects lists the functions of the core API types that this project's
// command lines chain after a module function. It is deliberately small: a
// chained core function outside this list is reported, so that the list is
// extended on purpose rather than guessed.
var coreObjects = map[string]Object{
	"Directory": {Name: "Directory", Functions: map[string]Function{
		"export":    {Name: "export", Args: []Arg{{Flag: "path", Type: "string"}, {Flag: "wipe", Type: "bool"}}},
		"entries":   {Name: "entries", Args: []Arg{{Flag: "path", Type: "string"}}},
		"file":      {Name: "file", Args: []Arg{{Flag: "path", Type: "string"}}, Returns: "File"},
		"directory": {Name: "directory", Args: []Arg{{Flag: "path", Type: "string"}}, Returns: "Directory"},
	}},
	"File": {Name: "File", Functions: map[string]Function{
		"export":   {Name: "export", Args: []Arg{{Flag: "path", Type: "string"}}},
		"contents": {Name: "contents"},
	}},
	"Container": {Name: "Container", Functions: map[string]Function{
		"export":     {Name: "export", Args: []Arg{{Flag: "path", Type: "string"}}},
		"stdout":     {Name: "stdout"},
		"terminal":   {Name: "terminal", Returns: "Container"},
		"as-service": {Name: "as-service", Returns: "Service"},
		"up":         {Name: "up", Args: []Arg{{Flag: "ports", Type: "[]string"}, {Flag: "random", Type: "bool"}}},
		"file":       {Name: "file", Args: []Arg{{Flag: "path", Type: "string"}}, Returns: "File"},
		"directory":  {Name: "directory", Args: []Arg{{Flag: "path", Type: "string"}}, Returns: "Directory"},
	}},
	"Service": {Name: "Service", Functions: map[string]Function{
		"up":       {Name: "up", Args: []Arg{{Flag: "ports", Type: "[]string"}, {Flag: "random", Type: "bool"}}},
		"endpoint": {Name: "endpoint"},
	}},
}

// Load reads the module rooted at root: dagger.json for the module's name and
// source folder, and the Go files of package main in that folder.
func Load(root string) (*Surface, error) {
	raw, err := os.ReadFile(filepath.Join(root, "dagger.json"))
	if err != nil {
		return nil, fmt.Errorf("load module at %s: %w", root, err)
	}
	var cfg struct {
		Name   string `json:"name"`
		Source string `json:"source"`
	}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return nil, fmt.Errorf("load module at %s: parse dagger.json: %w", root, err)
	}
	if cfg.Name == "" {
		return nil, fmt.Errorf("load module at %s: dagger.json has no \"name\"", root)
	}
	src := cfg.Source
	if src == "" {
		src = "."
	}
	return LoadSource(cfg.Name, filepath.Join(root, src))
}

// LoadSource reads the Go files of package main in dir as the module called
// name. The main object is the exported type named after the module in
// PascalCase ("podinfo" -> Podinfo), as the Go SDK names it.
func LoadSource(name, dir string) (*Surface, error) {
	_, files, err := contract.ParseModule(dir)
	if err != nil {
		return nil, fmt.Errorf("read module source: %w", err)
	}
	s := &Surface{Module: name, Main: pascal(name), Objects: map[string]Object{}}
	structs := map[string]*ast.StructType{}
	for _, f := range files {
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, sp := range gd.Specs {
				ts := sp.(*ast.TypeSpec)
				if st, ok := ts.Type.(*ast.StructType); ok && ts.Name.IsExported() {
					structs[ts.Name.Name] = st
				}
			}
		}
	}
	if _, ok := structs[s.Main]; !ok {
		return nil, fmt.Errorf("module %s: no struct type %s in %s (the Go SDK names the main object after the module)", name, s.Main, dir)
	}
	for tn, st := range structs {
		obj := Object{Name: tn, Functions: map[string]Function{}}
		for _, fld := range st.Fields.List {
			if private(fld.Doc) || private(fld.Comment) {
				continue
			}
			for _, id := range fld.Names {
				if id.IsExported() {
					fn := Function{GoName: id.Name, Name: Kebab(id.Name), Returns: typeName(fld.Type)}
					obj.Functions[fn.Name] = fn
				}
			}
		}
		s.Objects[tn] = obj
	}
	for _, f := range files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			if fd.Recv == nil {
				if fd.Name.Name == "New" {
					s.Constructor = function(fd, f)
					s.Constructor.Name = ""
				}
				continue
			}
			if !fd.Name.IsExported() || len(fd.Recv.List) != 1 {
				continue
			}
			recv := typeName(fd.Recv.List[0].Type)
			obj, ok := s.Objects[recv]
			if !ok {
				continue
			}
			fn := function(fd, f)
			obj.Functions[fn.Name] = fn
		}
	}
	for n, o := range coreObjects {
		if _, ok := s.Objects[n]; !ok {
			s.Objects[n] = o
		}
	}
	return s, nil
}

// function turns a method or the constructor into its CLI form. The
// pragmas of each argument are in the comments between it and the previous
// one (go/parser attaches no doc comments to parameters).
func function(fd *ast.FuncDecl, f *ast.File) Function {
	fn := Function{GoName: fd.Name.Name, Name: Kebab(fd.Name.Name)}
	prev := fd.Type.Params.Opening
	for _, p := range fd.Type.Params.List {
		pragmas := commentsBetween(f, prev, p.Pos())
		prev = p.End()
		t := typeName(p.Type)
		if t == "Context" {
			continue
		}
		optional := strings.Contains(pragmas, "+optional") || strings.Contains(pragmas, "+default")
		for _, id := range p.Names {
			fn.Args = append(fn.Args, Arg{GoName: id.Name, Flag: Kebab(id.Name), Type: t, Required: !optional})
		}
	}
	if fd.Type.Results != nil && len(fd.Type.Results.List) > 0 {
		fn.Returns = typeName(fd.Type.Results.List[0].Type)
	}
	return fn
}

// commentsBetween returns the text of the comments of f between two
// positions.
func commentsBetween(f *ast.File, from, to token.Pos) string {
	var b strings.Builder
	for _, cg := range f.Comments {
		if cg.Pos() > from && cg.End() <= to {
			b.WriteString(cg.Text())
		}
	}
	return b.String()
}

// typeName renders a type without pointers and package qualifiers.
func typeName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.Ident:
		return t.Name
	case *ast.StarExpr:
		return typeName(t.X)
	case *ast.SelectorExpr:
		return t.Sel.Name
	case *ast.ArrayType:
		return "[]" + typeName(t.Elt)
	default:
		return fmt.Sprintf("%T", e)
	}
}

// private reports whether a comment group carries the +private pragma.
func private(cg *ast.CommentGroup) bool {
	return cg != nil && strings.Contains(cg.Text(), "+private")
}

// Kebab converts a Go identifier to the Dagger CLI's kebab case:
// BuildAndSign -> build-and-sign, oidcRequestToken -> oidc-request-token,
// sbomURL -> sbom-url, ECRRegistry -> ecr-registry.
func Kebab(s string) string {
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) && i > 0 {
			prev := r[i-1]
			nextLower := i+1 < len(r) && unicode.IsLower(r[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				b.WriteByte('-')
			}
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}

// pascal converts a module name to the Go SDK's main object name:
// "podinfo" -> "Podinfo", "podinfo-delivery" -> "PodinfoDelivery".
func pascal(s string) string {
	var b strings.Builder
	up := true
	for _, c := range s {
		if c == '-' || c == '_' || c == ' ' || c == '.' {
			up = true
			continue
		}
		if up {
			b.WriteRune(unicode.ToUpper(c))
			up = false
		} else {
			b.WriteRune(c)
		}
	}
	return b.String()
}
