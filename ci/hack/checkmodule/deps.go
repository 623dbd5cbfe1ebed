package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/token"
	"path/filepath"
	"sort"
	"strings"
	"unicode"

	"github.com/deliverykit/podinfo/ci/hack/contract"
)

// pascal turns a module or argument name into the Go identifier the code
// generator uses ("podinfo-delivery" -> "PodinfoDelivery", "digest" -> "Digest").
func pascal(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		if r == '-' || r == '_' || r == ' ' {
			up = true
			continue
		}
		if up {
			b.WriteRune(unicode.ToUpper(r))
			up = false
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// param is one argument of a module function, as a dependent module sees it.
type param struct {
	name, typ string
	optional  bool
}

// function is one function of a module, as a dependent module calls it.
type function struct {
	name   string
	params []param
	// result is the Go result type ("*Directory", "string"); empty for
	// functions returning only an error (Dagger's Void).
	result string
	// object says the result is an object: the binding takes no context
	// and returns no error (it is lazy).
	object bool
}

// moduleAPI parses the main package of a module (the directory holding its
// Go source) and returns the constructor and the functions of its main
// object, named typeName.
func moduleAPI(dir, typeName string) (ctor *function, fns []function, err error) {
	fset, files, err := contract.ParseModule(dir)
	if err != nil {
		return nil, nil, err
	}
	for _, file := range files {
		for _, d := range file.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || !fd.Name.IsExported() {
				continue
			}
			if fd.Recv == nil {
				if fd.Name.Name == "New" {
					f, err := toFunction(fset, file, fd)
					if err != nil {
						return nil, nil, err
					}
					ctor = &f
				}
				continue
			}
			if recvName(fd) != typeName {
				continue
			}
			f, err := toFunction(fset, file, fd)
			if err != nil {
				return nil, nil, err
			}
			fns = append(fns, f)
		}
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i].name < fns[j].name })
	return ctor, fns, nil
}

func recvName(fd *ast.FuncDecl) string {
	t := fd.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// pragmas returns the text of the comment documenting a parameter: the
// group ending on the line above it (go/parser attaches no comments to
// parameters, so they are found by position).
func pragmas(fset *token.FileSet, f *ast.File, field *ast.Field) string {
	line := fset.Position(field.Pos()).Line
	for _, cg := range f.Comments {
		if fset.Position(cg.End()).Line == line-1 {
			return cg.Text()
		}
	}
	return ""
}

// optionalArg reports whether a parameter's comments make it optional.
func optionalArg(comments string) bool {
	for _, p := range []string{"+optional", "+default=", "+defaultPath=", "+defaultAddress="} {
		if strings.Contains(comments, p) {
			return true
		}
	}
	return false
}

func toFunction(fset *token.FileSet, file *ast.File, fd *ast.FuncDecl) (function, error) {
	f := function{name: fd.Name.Name}
	where := fset.Position(fd.Pos()).String()
	for _, field := range fd.Type.Params.List {
		if isContext(field.Type) {
			continue
		}
		typ, err := bindingType(field.Type)
		if err != nil {
			return function{}, fmt.Errorf("%s: %s: %w", where, fd.Name.Name, err)
		}
		opt := optionalArg(pragmas(fset, file, field))
		for _, n := range field.Names {
			f.params = append(f.params, param{name: n.Name, typ: typ, optional: opt})
		}
	}
	if fd.Type.Results == nil || fd.Recv == nil {
		// A constructor returns the module object itself.
		return f, nil
	}
	for _, r := range fd.Type.Results.List {
		if id, ok := r.Type.(*ast.Ident); ok && id.Name == "error" {
			continue
		}
		typ, err := bindingType(r.Type)
		if err != nil {
			return function{}, fmt.Errorf("%s: %s result: %w", where, fd.Name.Name, err)
		}
		f.result = typ
		f.object = strings.HasPrefix(typ, "*")
	}
	return f, nil
}

func isContext(e ast.Expr) bool {
	s, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := s.X.(*ast.Ident)
	return ok && id.Name == "context" && s.Sel.Name == "Context"
}

// bindingType maps a module signature type onto the type the dependent
// module's generated package uses.
func bindingType(e ast.Expr) (string, error) {
	switch t := e.(type) {
	case *ast.Ident:
		switch t.Name {
		case "string", "int", "bool", "float64":
			return t.Name, nil
		}
		return "", fmt.Errorf("type %s is not a Dagger core type or scalar the stand-in can bind", t.Name)
	case *ast.StarExpr:
		inner, err := bindingType(t.X)
		if err != nil {
			return "", err
		}
		return "*" + inner, nil
	case *ast.ArrayType:
		inner, err := bindingType(t.Elt)
		if err != nil {
			return "", err
		}
		return "[]" + inner, nil
	case *ast.SelectorExpr:
		if id, ok := t.X.(*ast.Ident); ok && id.Name == "dagger" {
			return t.Sel.Name, nil
		}
	}
	return "", fmt.Errorf("type %T is not a Dagger core type or scalar the stand-in can bind", e)
}

// bindings renders, in the stand-in package, what the code generator gives a
// module that depends on the module named modName: the object type, its
// constructor on Client, one method per function and the options structs.
func bindings(modName string, ctor *function, fns []function) string {
	obj := pascal(modName)
	var b bytes.Buffer
	fmt.Fprintf(&b, "\n// %s is the dependency module %q.\ntype %s struct{ _ int }\n\n", obj, modName, obj)
	var ctorFn function
	if ctor != nil {
		ctorFn = *ctor
	}
	req, opts := split(ctorFn.params)
	optsName := obj + "Opts"
	writeOpts(&b, optsName, opts)
	fmt.Fprintf(&b, "// %s constructs the dependency's main object.\nfunc (r *Client) %s(%s) *%s { return &%s{} }\n\n", obj, obj, signature(false, req, opts, optsName), obj, obj)
	for _, f := range fns {
		req, opts := split(f.params)
		optsName := obj + f.name + "Opts"
		writeOpts(&b, optsName, opts)
		sig := signature(!f.object, req, opts, optsName)
		switch {
		case f.result == "":
			fmt.Fprintf(&b, "func (r *%s) %s(%s) error { return nil }\n\n", obj, f.name, sig)
		case f.object:
			fmt.Fprintf(&b, "func (r *%s) %s(%s) %s { return nil }\n\n", obj, f.name, sig, f.result)
		default:
			fmt.Fprintf(&b, "func (r *%s) %s(%s) (%s, error) { var z %s; return z, nil }\n\n", obj, f.name, sig, f.result, f.result)
		}
	}
	return b.String()
}

func split(ps []param) (req, opts []param) {
	for _, p := range ps {
		if p.optional {
			opts = append(opts, p)
		} else {
			req = append(req, p)
		}
	}
	return req, opts
}

func writeOpts(b *bytes.Buffer, name string, opts []param) {
	if len(opts) == 0 {
		return
	}
	fmt.Fprintf(b, "// %s holds the optional arguments.\ntype %s struct {\n", name, name)
	for _, p := range opts {
		fmt.Fprintf(b, "\t%s %s\n", pascal(p.name), p.typ)
	}
	b.WriteString("}\n\n")
}

func signature(withCtx bool, req, opts []param, optsName string) string {
	var parts []string
	if withCtx {
		parts = append(parts, "ctx context.Context")
	}
	for _, p := range req {
		parts = append(parts, p.name+" "+p.typ)
	}
	if len(opts) > 0 {
		parts = append(parts, "opts ..."+optsName)
	}
	return strings.Join(parts, ", ")
}

// dependencyBindings renders the bindings of every local dependency listed
// in the module config at configDir.
func dependencyBindings(configDir string, deps []dependency) (string, error) {
	var out strings.Builder
	for _, d := range deps {
		if strings.Contains(d.Source, "://") || strings.HasPrefix(d.Source, "github.com/") {
			return "", fmt.Errorf("dependency %s: remote source %q cannot be bound offline", d.Name, d.Source)
		}
		depDir := d.Source
		if !filepath.IsAbs(depDir) {
			depDir = filepath.Join(configDir, d.Source)
		}
		cfg, err := readConfig(filepath.Join(depDir, "dagger.json"))
		if err != nil {
			return "", fmt.Errorf("dependency %s: %w", d.Name, err)
		}
		name := d.Name
		if name == "" {
			name = cfg.Name
		}
		ctor, fns, err := moduleAPI(filepath.Join(depDir, cfg.Source), pascal(cfg.Name))
		if err != nil {
			return "", fmt.Errorf("dependency %s: %w", name, err)
		}
		out.WriteString(bindings(name, ctor, fns))
	}
	return out.String(), nil
}
