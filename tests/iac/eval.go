package iac

import (
	"fmt"
	"math/big"
	"net/netip"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// CheckValue evaluates the validation blocks of variable name in d against
// value (written in HCL syntax, e.g. `"sha256:..."` or `[10, 50, 100]`) the
// way Terraform does: the value is converted to the variable's type, then
// each condition is evaluated with var.<name> set to it. It returns the
// error messages of the validations that fail (none: the value is valid).
//
// Terraform's function library lives in an internal package of the
// terraform module, so the functions conditions use are taken from cty's
// stdlib and hcl's tryfunc, and the few Terraform-only ones (alltrue,
// anytrue, startswith, endswith, tonumber, cidrhost) are written below.
func CheckValue(d *Dir, name, value string) ([]string, error) {
	expr, diags := hclsyntax.ParseExpression([]byte(value), "value", hcl.InitialPos)
	if diags.HasErrors() {
		return nil, fmt.Errorf("parse value %s: %s", value, diags.Error())
	}
	v, diags := expr.Value(nil)
	if diags.HasErrors() {
		return nil, fmt.Errorf("evaluate value %s: %s", value, diags.Error())
	}
	return CheckCty(d, name, v)
}

// CheckCty is CheckValue for a value already evaluated.
func CheckCty(d *Dir, name string, v cty.Value) ([]string, error) {
	blocks := d.OfType("variable", name)
	if len(blocks) == 0 {
		return nil, fmt.Errorf("%s declares no variable %q", d.Path, name)
	}
	b := blocks[0]
	if ta := Attr(b.Block, "type"); ta != nil {
		ty, diags := typeexpr.TypeConstraint(ta.Expr)
		if diags.HasErrors() {
			return nil, fmt.Errorf("variable %q: type: %s", name, diags.Error())
		}
		cv, err := convert.Convert(v, ty)
		if err != nil {
			return nil, fmt.Errorf("variable %q: value %s is not a %s: %w", name, v.GoString(), ty.FriendlyName(), err)
		}
		v = cv
	}
	ctx := &hcl.EvalContext{
		Variables: map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{name: v})},
		Functions: functions,
	}
	var failed []string
	for _, val := range Nested(b.Block, "validation") {
		cond, msgAttr := Attr(val, "condition"), Attr(val, "error_message")
		if cond == nil || msgAttr == nil {
			return nil, fmt.Errorf("variable %q: validation needs condition and error_message", name)
		}
		ok, diags := cond.Expr.Value(ctx)
		if diags.HasErrors() {
			// Terraform reports a condition that errors as a failure too.
			failed = append(failed, fmt.Sprintf("condition failed to evaluate: %s", diags.Error()))
			continue
		}
		ok, err := convert.Convert(ok, cty.Bool)
		if err != nil || ok.IsNull() || !ok.IsKnown() {
			return nil, fmt.Errorf("variable %q: condition does not yield a bool", name)
		}
		if ok.True() {
			continue
		}
		msg, diags := msgAttr.Expr.Value(ctx)
		if diags.HasErrors() || msg.Type() != cty.String {
			failed = append(failed, strings.TrimSpace(Source(msgAttr.Expr.Range())))
			continue
		}
		failed = append(failed, msg.AsString())
	}
	return failed, nil
}

// ConstantLocals evaluates the locals of d that depend on nothing but
// constants and other such locals (sizes, deployment settings, names); the
// others are left out.
func ConstantLocals(d *Dir) map[string]cty.Value {
	pending := map[string]hclsyntax.Expression{}
	for _, b := range d.OfType("locals") {
		for name, a := range b.Body.Attributes {
			pending[name] = a.Expr
		}
	}
	known := map[string]cty.Value{}
	for progress := true; progress; {
		progress = false
		ctx := &hcl.EvalContext{Variables: map[string]cty.Value{"local": cty.ObjectVal(known)}, Functions: functions}
		for name, expr := range pending {
			v, diags := expr.Value(ctx)
			if diags.HasErrors() || !v.IsWhollyKnown() {
				continue
			}
			known[name] = v
			delete(pending, name)
			progress = true
		}
	}
	return known
}

// ModuleArguments returns, for each module call of d, the arguments whose
// values follow from constant locals alone.
func ModuleArguments(d *Dir) map[string]map[string]cty.Value {
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{"local": cty.ObjectVal(ConstantLocals(d))}, Functions: functions}
	out := map[string]map[string]cty.Value{}
	for _, b := range d.OfType("module") {
		args := map[string]cty.Value{}
		for name, a := range b.Body.Attributes {
			if name == "source" || name == "version" {
				continue
			}
			if v, diags := a.Expr.Value(ctx); !diags.HasErrors() && v.IsWhollyKnown() {
				args[name] = v
			}
		}
		out[b.Labels[0]] = args
	}
	return out
}

var functions = map[string]function.Function{
	"can":        tryfunc.CanFunc,
	"try":        tryfunc.TryFunc,
	"regex":      stdlib.RegexFunc,
	"contains":   stdlib.ContainsFunc,
	"length":     lengthFunc,
	"floor":      stdlib.FloorFunc,
	"range":      stdlib.RangeFunc,
	"split":      stdlib.SplitFunc,
	"keys":       stdlib.KeysFunc,
	"values":     stdlib.ValuesFunc,
	"flatten":    stdlib.FlattenFunc,
	"lower":      stdlib.LowerFunc,
	"upper":      stdlib.UpperFunc,
	"alltrue":    boolsFunc(true),
	"anytrue":    boolsFunc(false),
	"startswith": affixFunc(strings.HasPrefix),
	"endswith":   affixFunc(strings.HasSuffix),
	"tonumber":   toNumberFunc,
	"cidrhost":   cidrHostFunc,
}

// lengthFunc is Terraform's length: characters of a string, elements of a
// collection or attributes of an object.
var lengthFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowDynamicType: true}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v := args[0]
		switch {
		case v.Type() == cty.String:
			return stdlib.Strlen(v)
		case v.Type().IsObjectType():
			return cty.NumberIntVal(int64(len(v.Type().AttributeTypes()))), nil
		case v.CanIterateElements():
			return v.Length(), nil
		}
		return cty.NilVal, fmt.Errorf("argument must be a string, a collection type, or a structural type")
	},
})

// boolsFunc is Terraform's alltrue (all) or anytrue (!all).
func boolsFunc(all bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "list", Type: cty.List(cty.Bool)}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			for it := args[0].ElementIterator(); it.Next(); {
				_, e := it.Element()
				if e.IsNull() || !e.IsKnown() {
					return cty.UnknownVal(cty.Bool), nil
				}
				if e.True() != all {
					return cty.BoolVal(!all), nil
				}
			}
			return cty.BoolVal(all), nil
		},
	})
}

// affixFunc is Terraform's startswith or endswith.
func affixFunc(has func(s, affix string) bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "string", Type: cty.String}, {Name: "affix", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.BoolVal(has(args[0].AsString(), args[1].AsString())), nil
		},
	})
}

// toNumberFunc is Terraform's tonumber for strings and numbers.
var toNumberFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "v", Type: cty.DynamicPseudoType, AllowNull: true}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if args[0].IsNull() {
			return cty.NullVal(cty.Number), nil
		}
		v, err := convert.Convert(args[0], cty.Number)
		if err != nil {
			return cty.NilVal, fmt.Errorf("cannot convert %s to number", args[0].GoString())
		}
		return v, nil
	},
})

// cidrHostFunc is Terraform's cidrhost for IPv4 and IPv6 prefixes.
var cidrHostFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "prefix", Type: cty.String}, {Name: "hostnum", Type: cty.Number}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		p, err := netip.ParsePrefix(args[0].AsString())
		if err != nil {
			return cty.NilVal, fmt.Errorf("invalid CIDR expression: %w", err)
		}
		n, acc := args[1].AsBigFloat().Int(nil)
		if acc != big.Exact || n.Sign() < 0 {
			return cty.NilVal, fmt.Errorf("hostnum must be a non-negative whole number")
		}
		bits := p.Addr().BitLen() - p.Bits()
		if n.BitLen() > bits {
			return cty.NilVal, fmt.Errorf("prefix %s has no host %s", p, n)
		}
		base := new(big.Int).SetBytes(p.Masked().Addr().AsSlice())
		b := new(big.Int).Add(base, n).FillBytes(make([]byte, p.Addr().BitLen()/8))
		addr, _ := netip.AddrFromSlice(b)
		return cty.StringVal(addr.String()), nil
	},
})

// CheckPreconditions evaluates every lifecycle precondition of the
// resources in d whose condition depends only on input variables, with
// vars as the module's arguments (variables left out take their default).
// It returns the error messages of the preconditions that fail.
func CheckPreconditions(d *Dir, vars map[string]cty.Value) ([]string, error) {
	all := map[string]cty.Value{}
	for _, b := range d.OfType("variable") {
		name := b.Labels[0]
		v, ok := vars[name]
		if !ok {
			def := Attr(b.Block, "default")
			if def == nil {
				continue
			}
			var diags hcl.Diagnostics
			if v, diags = def.Expr.Value(nil); diags.HasErrors() {
				return nil, fmt.Errorf("variable %q: default: %s", name, diags.Error())
			}
		}
		if ta := Attr(b.Block, "type"); ta != nil && !v.IsNull() {
			ty, diags := typeexpr.TypeConstraint(ta.Expr)
			if diags.HasErrors() {
				return nil, fmt.Errorf("variable %q: type: %s", name, diags.Error())
			}
			cv, err := convert.Convert(v, ty)
			if err != nil {
				return nil, fmt.Errorf("variable %q: %w", name, err)
			}
			v = cv
		}
		all[name] = v
	}
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{"var": cty.ObjectVal(all)}, Functions: functions}
	var failed []string
	for _, b := range d.Blocks {
		for _, lc := range Nested(b.Block, "lifecycle") {
			for _, pc := range Nested(lc, "precondition") {
				cond, msg := Attr(pc, "condition"), Attr(pc, "error_message")
				if cond == nil || msg == nil {
					return nil, fmt.Errorf("%s: precondition needs condition and error_message", b.File)
				}
				onlyVars := true
				for _, tr := range cond.Expr.Variables() {
					if tr.RootName() != "var" {
						onlyVars = false
					}
				}
				if !onlyVars {
					continue
				}
				ok, diags := cond.Expr.Value(ctx)
				if diags.HasErrors() {
					return nil, fmt.Errorf("%s:%d: precondition: %s", b.File, pc.TypeRange.Start.Line, diags.Error())
				}
				if ok.IsKnown() && !ok.IsNull() && ok.False() {
					m, diags := msg.Expr.Value(ctx)
					if diags.HasErrors() || m.Type() != cty.String {
						failed = append(failed, strings.TrimSpace(Source(msg.Expr.Range())))
						continue
					}
					failed = append(failed, m.AsString())
				}
			}
		}
	}
	return failed, nil
}
