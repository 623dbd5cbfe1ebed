package iac

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Finding is one broken rule at one place.
type Finding struct {
	// Rule is the name of the rule that found it.
	Rule string
	// Where is "file:line" (or a directory when no line applies).
	Where string
	// Message says what is wrong and how to fix it.
	Message string
}

func (f Finding) String() string { return fmt.Sprintf("%s: [%s] %s", f.Where, f.Rule, f.Message) }

// Rule is one structural check over an iac/ tree.
type Rule struct {
	// Name identifies the rule in findings and test names.
	Name string
	// Check returns what the tree breaks.
	Check func(*Tree) []Finding
}

// Rules returns every structural rule. contract is the list of output names
// every environment root must declare (deploycontract.Names()).
func Rules(contract []string) []Rule {
	return []Rule{
		{"module-files", checkModuleFiles},
		{"described-interface", checkDescribedInterface},
		{"same-modules", checkSameModules},
		{"contract-outputs", func(t *Tree) []Finding { return checkContractOutputs(t, contract) }},
		{"digest-only", checkDigestOnly},
		{"validated-values", checkValidatedValues},
		{"ecr-immutable", checkECRImmutable},
		{"imdsv2", checkIMDSv2},
		{"no-public-ip", checkNoPublicIP},
		{"sg-world-ingress", checkWorldIngress},
		{"rollout-not-fought", checkRolloutNotFought},
		{"backend-locking", checkBackendLocking},
	}
}

func at(rule string, rng hcl.Range, format string, args ...any) Finding {
	return Finding{Rule: rule, Where: fmt.Sprintf("%s:%d", rng.Filename, rng.Start.Line), Message: fmt.Sprintf(format, args...)}
}

func inDir(rule string, d *Dir, format string, args ...any) Finding {
	return Finding{Rule: rule, Where: d.Path, Message: fmt.Sprintf(format, args...)}
}

func sortedDirs(m map[string]*Dir) []*Dir {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]*Dir, len(names))
	for i, n := range names {
		out[i] = m[n]
	}
	return out
}

func allDirs(t *Tree) []*Dir { return append(sortedDirs(t.Modules), sortedDirs(t.Envs)...) }

// checkModuleFiles: every module has the standard files and a README that
// names each of its inputs and outputs.
func checkModuleFiles(t *Tree) []Finding {
	const rule = "module-files"
	var out []Finding
	for _, d := range sortedDirs(t.Modules) {
		have := map[string]bool{}
		for _, f := range d.Files {
			have[f] = true
		}
		for _, f := range []string{"main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"} {
			if !have[f] {
				out = append(out, inDir(rule, d, "module %s lacks %s: every module has main.tf, variables.tf, outputs.tf, versions.tf and README.md", d.Name, f))
			}
		}
		if !have["README.md"] {
			continue
		}
		readme, err := os.ReadFile(filepath.Join(d.Path, "README.md"))
		if err != nil {
			out = append(out, inDir(rule, d, "read README.md: %v", err))
			continue
		}
		for _, kind := range []string{"variable", "output"} {
			for _, b := range d.OfType(kind) {
				if !strings.Contains(string(readme), "`"+b.Labels[0]+"`") {
					out = append(out, at(rule, b.TypeRange, "%s %q of module %s is not listed in its README.md (write it as `%s`)", kind, b.Labels[0], d.Name, b.Labels[0]))
				}
			}
		}
	}
	return out
}

// checkDescribedInterface: variables have a description and a type without
// `any`; outputs have a description.
func checkDescribedInterface(t *Tree) []Finding {
	const rule = "described-interface"
	var out []Finding
	for _, d := range allDirs(t) {
		for _, kind := range []string{"variable", "output"} {
			for _, b := range d.OfType(kind) {
				if s, ok := attrString(b.Block, "description"); !ok || strings.TrimSpace(s) == "" {
					out = append(out, at(rule, b.TypeRange, "%s %q has no description: add description = \"...\"", kind, b.Labels[0]))
				}
				if kind != "variable" {
					continue
				}
				ty := Attr(b.Block, "type")
				if ty == nil {
					out = append(out, at(rule, b.TypeRange, "variable %q has no type: add type = string, number, bool, list(...), map(...) or object({...})", b.Labels[0]))
					continue
				}
				if regexp.MustCompile(`\bany\b`).MatchString(Source(ty.Expr.Range())) {
					out = append(out, at(rule, ty.SrcRange, "variable %q has a type with `any`: give it a concrete type", b.Labels[0]))
				}
			}
		}
	}
	return out
}

func attrString(b *hclsyntax.Block, name string) (string, bool) {
	a := Attr(b, name)
	if a == nil {
		return "", false
	}
	return LiteralString(a.Expr)
}

// checkSameModules: every environment root calls the same modules, by the
// same names, from the same local sources, and each source exists.
func checkSameModules(t *Tree) []Finding {
	const rule = "same-modules"
	var out []Finding
	var ref map[string]string
	var refEnv string
	for _, d := range sortedDirs(t.Envs) {
		calls := map[string]string{}
		for _, b := range d.OfType("module") {
			src, ok := attrString(b.Block, "source")
			if !ok {
				out = append(out, at(rule, b.TypeRange, "module %q has no constant source", b.Labels[0]))
				continue
			}
			calls[b.Labels[0]] = src
			if !strings.HasPrefix(src, "../../modules/") {
				out = append(out, at(rule, b.TypeRange, "module %q comes from %q: environment roots use only the local modules (../../modules/<name>)", b.Labels[0], src))
			} else if _, ok := t.Modules[strings.TrimPrefix(src, "../../modules/")]; !ok {
				out = append(out, at(rule, b.TypeRange, "module %q: source %q does not exist under modules/", b.Labels[0], src))
			}
		}
		if ref == nil {
			ref, refEnv = calls, d.Name
			continue
		}
		for name, src := range ref {
			got, ok := calls[name]
			switch {
			case !ok:
				out = append(out, inDir(rule, d, "environment %s does not call module %q (%s) that %s calls: every root uses the same modules", d.Name, name, src, refEnv))
			case got != src:
				out = append(out, inDir(rule, d, "environment %s takes module %q from %q, %s from %q", d.Name, name, got, refEnv, src))
			}
		}
		for name, src := range calls {
			if _, ok := ref[name]; !ok {
				out = append(out, inDir(rule, d, "environment %s calls module %q (%s) that %s does not", d.Name, name, src, refEnv))
			}
		}
	}
	return out
}

// checkContractOutputs: every environment root declares every output of
// the deployer contract.
func checkContractOutputs(t *Tree, contract []string) []Finding {
	const rule = "contract-outputs"
	var out []Finding
	for _, d := range sortedDirs(t.Envs) {
		have := map[string]bool{}
		for _, b := range d.OfType("output") {
			have[b.Labels[0]] = true
		}
		for _, name := range contract {
			if !have[name] {
				out = append(out, inDir(rule, d, "environment %s lacks output %q of the deployer contract (ci/deploycontract)", d.Name, name))
			}
		}
	}
	return out
}

const (
	goodDigest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	goodRepo   = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/podinfo-prod"
)

// checkDigestOnly: the image is addressed by digest only. Roots take
// image_digest validated as sha256:<64 hex>; modules take image_uri
// validated as <repo>@sha256:<64 hex>; no literal names a tag such as
// :latest; image_uri and image arguments are never constants.
func checkDigestOnly(t *Tree) []Finding {
	const rule = "digest-only"
	var out []Finding
	for _, d := range sortedDirs(t.Envs) {
		if len(d.OfType("variable", "image_digest")) == 0 {
			out = append(out, inDir(rule, d, "environment %s has no variable \"image_digest\": the image is an input, by digest", d.Name))
			continue
		}
		out = append(out, expectValidation(rule, d, "image_digest", map[string]bool{
			`"` + goodDigest + `"`: true,
			`"latest"`:             false,
			`"sha256:0123"`:        false,
			`"SHA256:` + strings.TrimPrefix(goodDigest, "sha256:") + `"`:                  false,
			`"sha256:` + strings.ToUpper(strings.TrimPrefix(goodDigest, "sha256:")) + `"`: false,
		})...)
	}
	for _, d := range allDirs(t) {
		if len(d.OfType("variable", "image_uri")) > 0 {
			out = append(out, expectValidation(rule, d, "image_uri", map[string]bool{
				`"` + goodRepo + `@` + goodDigest + `"`:                  true,
				`"` + goodRepo + `:latest"`:                              false,
				`"` + goodRepo + `:v1.2.3"`:                              false,
				`"` + goodRepo + `:v1@` + goodDigest + `"`:               false,
				`"` + goodRepo + `@sha256:abc"`:                          false,
				`"` + goodRepo + `@` + strings.ToUpper(goodDigest) + `"`: false,
			})...)
		}
		for _, b := range d.Blocks {
			out = append(out, tagLiterals(rule, b)...)
			if b.Type != "resource" {
				continue
			}
			for _, name := range []string{"image_uri", "image"} {
				if a := Attr(b.Block, name); a != nil {
					if _, ok := LiteralString(a.Expr); ok {
						out = append(out, at(rule, a.SrcRange, "%s.%s sets %s to a constant: pass the digest-validated image_uri variable instead", b.Labels[0], b.Labels[1], name))
					}
				}
			}
		}
		for _, f := range d.Files {
			if strings.HasSuffix(f, ".tftpl") || strings.HasSuffix(f, ".tpl") || strings.HasSuffix(f, ".sh") {
				text, err := os.ReadFile(filepath.Join(d.Path, f))
				if err == nil && strings.Contains(string(text), ":latest") {
					out = append(out, Finding{Rule: rule, Where: filepath.Join(d.Path, f), Message: "the template names the tag :latest: run the image by digest"})
				}
			}
		}
	}
	return out
}

var tagRef = regexp.MustCompile(`(?i)(:latest\b|\.amazonaws\.com/[a-z0-9._/-]+:[a-z0-9._-]+|docker\.io/[a-z0-9._/-]+:[a-z0-9._-]+)`)

// tagLiterals reports constant strings inside b that name an image by tag.
// Descriptions and error messages are prose and are not searched.
func tagLiterals(rule string, b Block) []Finding {
	var out []Finding
	var walk func(body *hclsyntax.Body)
	walk = func(body *hclsyntax.Body) {
		for name, a := range body.Attributes {
			if name == "description" || name == "error_message" {
				continue
			}
			_ = hclsyntax.VisitAll(a.Expr, func(n hclsyntax.Node) hcl.Diagnostics {
				lit, ok := n.(*hclsyntax.LiteralValueExpr)
				if !ok || lit.Val.Type() != cty.String || lit.Val.IsNull() {
					return nil
				}
				if m := tagRef.FindString(lit.Val.AsString()); m != "" {
					out = append(out, at(rule, lit.SrcRange, "%q names an image by tag: images are referenced by digest only (<repo>@sha256:...)", m))
				}
				return nil
			})
		}
		for _, nb := range body.Blocks {
			walk(nb.Body)
		}
	}
	walk(b.Body)
	sort.Slice(out, func(i, j int) bool { return out[i].Where < out[j].Where })
	return out
}

// expectValidation evaluates variable name of d against each value (HCL
// syntax) and reports values whose verdict differs from the expected one.
func expectValidation(rule string, d *Dir, name string, cases map[string]bool) []Finding {
	var out []Finding
	values := make([]string, 0, len(cases))
	for v := range cases {
		values = append(values, v)
	}
	sort.Strings(values)
	for _, v := range values {
		msgs, err := CheckValue(d, name, v)
		if err != nil {
			// A value the type conversion refuses is rejected as well.
			msgs = []string{err.Error()}
		}
		valid := len(msgs) == 0
		if valid != cases[v] {
			where := d.Path
			if bs := d.OfType("variable", name); len(bs) > 0 {
				where = fmt.Sprintf("%s:%d", bs[0].File, bs[0].TypeRange.Start.Line)
			}
			verdict := "rejects"
			if valid {
				verdict = "accepts"
			}
			out = append(out, Finding{Rule: rule, Where: where, Message: fmt.Sprintf("variable %q %s %s: add a validation block that accepts only digests", name, verdict, v)})
		}
	}
	return out
}

// validatedNames are variables that must carry validation blocks wherever
// they are declared; sizePattern matches the names of sizes and counts.
var (
	validatedNames = map[string]bool{
		"image_digest": true, "image_uri": true, "environment": true, "architecture": true,
		"lambda_deployment_config": true, "ec2_shift_steps": true, "ec2_bake_seconds": true,
	}
	sizePattern = regexp.MustCompile(`(_size|_capacity|_mb|_count|concurrency|_days|_seconds|_images|_limit)$`)
)

// checkValidatedValues: digests, names of environments, architectures,
// deployment configurations and sizes carry validation blocks, and a
// validation that accepts a fixed list of values names each of them in its
// error message.
func checkValidatedValues(t *Tree) []Finding {
	const rule = "validated-values"
	var out []Finding
	for _, d := range allDirs(t) {
		for _, b := range d.OfType("variable") {
			name := b.Labels[0]
			validations := Nested(b.Block, "validation")
			if (validatedNames[name] || sizePattern.MatchString(name)) && len(validations) == 0 {
				out = append(out, at(rule, b.TypeRange, "variable %q has no validation block: state and check the accepted values", name))
			}
			for _, v := range validations {
				cond, msg := Attr(v, "condition"), Attr(v, "error_message")
				if cond == nil || msg == nil {
					out = append(out, at(rule, v.TypeRange, "validation of %q needs condition and error_message", name))
					continue
				}
				text := Source(msg.Expr.Range())
				for _, want := range enumeratedValues(cond.Expr) {
					if !strings.Contains(text, want) {
						out = append(out, at(rule, msg.SrcRange, "error_message of %q does not name the accepted value %q", name, want))
					}
				}
			}
		}
	}
	return out
}

// enumeratedValues returns the constant list of `contains([...], var.x)`
// calls inside expr.
func enumeratedValues(expr hclsyntax.Expression) []string {
	var out []string
	_ = hclsyntax.VisitAll(expr, func(n hclsyntax.Node) hcl.Diagnostics {
		call, ok := n.(*hclsyntax.FunctionCallExpr)
		if !ok || call.Name != "contains" || len(call.Args) != 2 {
			return nil
		}
		if v, ok := Literal(call.Args[0]); ok && (v.Type().IsTupleType() || v.Type().IsListType()) {
			for it := v.ElementIterator(); it.Next(); {
				_, e := it.Element()
				switch {
				case e.Type() == cty.String:
					out = append(out, e.AsString())
				case e.Type() == cty.Number:
					out = append(out, e.AsBigFloat().Text('f', -1))
				}
			}
		}
		return nil
	})
	return out
}

// checkECRImmutable: every ECR repository has immutable tags.
func checkECRImmutable(t *Tree) []Finding {
	const rule = "ecr-immutable"
	var out []Finding
	for _, d := range allDirs(t) {
		for _, b := range d.Resources("aws_ecr_repository") {
			if s, _ := attrString(b.Block, "image_tag_mutability"); s != "IMMUTABLE" {
				out = append(out, at(rule, b.TypeRange, "aws_ecr_repository.%s: set image_tag_mutability = \"IMMUTABLE\" (got %q)", b.Labels[1], s))
			}
		}
	}
	return out
}

// checkIMDSv2: launch templates and instances require IMDSv2 tokens.
func checkIMDSv2(t *Tree) []Finding {
	const rule = "imdsv2"
	var out []Finding
	for _, d := range allDirs(t) {
		for _, typ := range []string{"aws_launch_template", "aws_instance"} {
			for _, b := range d.Resources(typ) {
				mo := Nested(b.Block, "metadata_options")
				if len(mo) == 0 {
					out = append(out, at(rule, b.TypeRange, "%s.%s has no metadata_options: add one with http_tokens = \"required\" (IMDSv2 only)", typ, b.Labels[1]))
					continue
				}
				if s, _ := attrString(mo[0], "http_tokens"); s != "required" {
					out = append(out, at(rule, mo[0].TypeRange, "%s.%s: metadata_options.http_tokens must be \"required\" (got %q)", typ, b.Labels[1], s))
				}
			}
		}
	}
	return out
}

// checkNoPublicIP: instances get no public IP, from the launch template,
// the instance, or the subnet.
func checkNoPublicIP(t *Tree) []Finding {
	const rule = "no-public-ip"
	var out []Finding
	isTrue := func(b *hclsyntax.Block, name string) (bool, *hclsyntax.Attribute) {
		a := Attr(b, name)
		if a == nil {
			return false, nil
		}
		v, ok := Literal(a.Expr)
		if !ok {
			return true, a // not provably false
		}
		return v.Type() == cty.Bool && !v.IsNull() && v.True(), a
	}
	for _, d := range allDirs(t) {
		for _, b := range d.Resources("aws_launch_template") {
			nis := Nested(b.Block, "network_interfaces")
			if len(nis) == 0 {
				out = append(out, at(rule, b.TypeRange, "aws_launch_template.%s has no network_interfaces block: add one with associate_public_ip_address = false", b.Labels[1]))
			}
			for _, ni := range nis {
				if bad, a := isTrue(ni, "associate_public_ip_address"); bad {
					out = append(out, at(rule, a.SrcRange, "aws_launch_template.%s gives instances a public IP: set associate_public_ip_address = false", b.Labels[1]))
				} else if a == nil {
					out = append(out, at(rule, ni.TypeRange, "aws_launch_template.%s: set associate_public_ip_address = false explicitly", b.Labels[1]))
				}
			}
		}
		for _, b := range d.Resources("aws_instance") {
			if bad, a := isTrue(b.Block, "associate_public_ip_address"); bad {
				out = append(out, at(rule, a.SrcRange, "aws_instance.%s gets a public IP: set associate_public_ip_address = false", b.Labels[1]))
			}
		}
		for _, b := range d.Resources("aws_subnet") {
			if bad, a := isTrue(b.Block, "map_public_ip_on_launch"); bad {
				out = append(out, at(rule, a.SrcRange, "aws_subnet.%s maps public IPs on launch: set map_public_ip_on_launch = false", b.Labels[1]))
			}
		}
	}
	return out
}

var worldCIDRs = map[string]bool{"0.0.0.0/0": true, "::/0": true}

// checkWorldIngress: nothing is open to the internet (0.0.0.0/0 or ::/0)
// but TCP 80 and 443 on a security group attached to a load balancer.
func checkWorldIngress(t *Tree) []Finding {
	const rule = "sg-world-ingress"
	var out []Finding
	for _, d := range allDirs(t) {
		lbGroups := map[string]bool{}
		for _, typ := range []string{"aws_lb", "aws_alb"} {
			for _, b := range d.Resources(typ) {
				if a := Attr(b.Block, "security_groups"); a != nil {
					for _, r := range References(a.Expr) {
						lbGroups[r] = true
					}
				}
			}
		}
		check := func(owner string, rb *hclsyntax.Block, what string) {
			var world []string
			for _, name := range []string{"cidr_blocks", "ipv6_cidr_blocks", "cidr_ipv4", "cidr_ipv6"} {
				if a := Attr(rb, name); a != nil {
					for _, c := range LiteralStrings(a.Expr) {
						if worldCIDRs[c] {
							world = append(world, c)
						}
					}
				}
			}
			if len(world) == 0 {
				return
			}
			if !lbGroups[owner] {
				out = append(out, at(rule, rb.TypeRange, "%s opens %s to the world on a security group that is not a load balancer's (%s): allow only the ALB's security group", what, strings.Join(world, ", "), owner))
				return
			}
			from, fok := attrNumber(rb, "from_port")
			to, tok := attrNumber(rb, "to_port")
			proto, _ := attrString(rb, "ip_protocol")
			if p, ok := attrString(rb, "protocol"); ok {
				proto = p
			}
			if !fok || !tok || from != to || (from != 80 && from != 443) || (proto != "tcp" && proto != "6") {
				out = append(out, at(rule, rb.TypeRange, "%s opens %s to the world on ports %s-%s/%s: only TCP 80 and 443 (the ALB's listener ports) may be open to the world", what, strings.Join(world, ", "), numText(from, fok), numText(to, tok), proto))
			}
		}
		for _, b := range d.Resources("aws_security_group") {
			for _, in := range Nested(b.Block, "ingress") {
				check("aws_security_group."+b.Labels[1], in, "aws_security_group."+b.Labels[1]+" ingress")
			}
		}
		for _, b := range d.Resources("aws_vpc_security_group_ingress_rule") {
			check(groupRef(b.Block), b.Block, "aws_vpc_security_group_ingress_rule."+b.Labels[1])
		}
		for _, b := range d.Resources("aws_security_group_rule") {
			if s, _ := attrString(b.Block, "type"); s == "ingress" {
				check(groupRef(b.Block), b.Block, "aws_security_group_rule."+b.Labels[1])
			}
		}
	}
	return out
}

func groupRef(b *hclsyntax.Block) string {
	if a := Attr(b, "security_group_id"); a != nil {
		for _, r := range References(a.Expr) {
			if strings.HasPrefix(r, "aws_security_group.") {
				return r
			}
		}
		return strings.TrimSpace(Source(a.Expr.Range()))
	}
	return "(no security_group_id)"
}

func attrNumber(b *hclsyntax.Block, name string) (int64, bool) {
	a := Attr(b, name)
	if a == nil {
		return 0, false
	}
	v, ok := Literal(a.Expr)
	if !ok || v.IsNull() || v.Type() != cty.Number {
		return 0, false
	}
	i, acc := v.AsBigFloat().Int64()
	return i, acc == 0
}

func numText(n int64, ok bool) string {
	if !ok {
		return "?"
	}
	return fmt.Sprint(n)
}

// checkRolloutNotFought: what the deployer changes during a rollout is
// ignored by Terraform: the alias version and routing, the listener's
// forward weights, the groups' capacities and launch template versions.
func checkRolloutNotFought(t *Tree) []Finding {
	const rule = "rollout-not-fought"
	var out []Finding
	need := func(b Block, typ string, attrs ...string) {
		ignored := ignoredChanges(b.Block)
		for _, a := range attrs {
			if !ignored[a] && !ignored["all"] {
				out = append(out, at(rule, b.TypeRange, "%s.%s: add %s to lifecycle.ignore_changes, the deployer changes it during a rollout", typ, b.Labels[1], a))
			}
		}
	}
	for _, d := range allDirs(t) {
		for _, b := range d.Resources("aws_lambda_alias") {
			need(b, "aws_lambda_alias", "function_version", "routing_config")
		}
		for _, typ := range []string{"aws_lb_listener", "aws_alb_listener"} {
			for _, b := range d.Resources(typ) {
				forwards := false
				for _, da := range Nested(b.Block, "default_action") {
					if len(Nested(da, "forward")) > 0 {
						forwards = true
					}
				}
				if forwards {
					need(b, typ, "default_action")
				}
			}
		}
		for _, b := range d.Resources("aws_autoscaling_group") {
			need(b, "aws_autoscaling_group", "desired_capacity", "min_size", "launch_template")
		}
	}
	return out
}

// ignoredChanges returns the root attribute names in lifecycle.ignore_changes
// ("all" for ignore_changes = all).
func ignoredChanges(b *hclsyntax.Block) map[string]bool {
	out := map[string]bool{}
	for _, lc := range Nested(b, "lifecycle") {
		a := Attr(lc, "ignore_changes")
		if a == nil {
			continue
		}
		if tr, diags := hcl.AbsTraversalForExpr(a.Expr); !diags.HasErrors() && tr.RootName() == "all" {
			out["all"] = true
			continue
		}
		exprs, diags := hcl.ExprList(a.Expr)
		if diags.HasErrors() {
			continue
		}
		for _, e := range exprs {
			if tr, diags := hcl.AbsTraversalForExpr(e); !diags.HasErrors() {
				out[tr.RootName()] = true
			}
		}
	}
	return out
}

// checkBackendLocking: every environment root keeps its state in S3 with
// locking, configured by a backend.tfbackend file with its own state key.
func checkBackendLocking(t *Tree) []Finding {
	const rule = "backend-locking"
	var out []Finding
	keys := map[string]string{}
	for _, d := range sortedDirs(t.Envs) {
		s3 := false
		for _, tb := range d.OfType("terraform") {
			for _, be := range Nested(tb.Block, "backend") {
				if len(be.Labels) == 1 && be.Labels[0] == "s3" {
					s3 = true
				}
			}
		}
		if !s3 {
			out = append(out, inDir(rule, d, "environment %s has no backend \"s3\" {} block in its terraform block", d.Name))
		}
		path := filepath.Join(d.Path, "backend.tfbackend")
		f, diags := hclparse.NewParser().ParseHCLFile(path)
		if diags.HasErrors() {
			out = append(out, Finding{Rule: rule, Where: path, Message: fmt.Sprintf("environment %s needs a backend config file backend.tfbackend: %s", d.Name, diags.Error())})
			continue
		}
		attrs, diags := f.Body.JustAttributes()
		if diags.HasErrors() {
			out = append(out, Finding{Rule: rule, Where: path, Message: diags.Error()})
			continue
		}
		get := func(name string) cty.Value {
			if a, ok := attrs[name]; ok {
				if v, diags := a.Expr.Value(nil); !diags.HasErrors() {
					return v
				}
			}
			return cty.NullVal(cty.DynamicPseudoType)
		}
		for _, name := range []string{"use_lockfile", "encrypt"} {
			if v := get(name); v.IsNull() || v.Type() != cty.Bool || v.False() {
				out = append(out, Finding{Rule: rule, Where: path, Message: fmt.Sprintf("set %s = true", name)})
			}
		}
		for _, name := range []string{"bucket", "key", "region"} {
			if v := get(name); v.IsNull() || v.Type() != cty.String || v.AsString() == "" {
				out = append(out, Finding{Rule: rule, Where: path, Message: fmt.Sprintf("set %s", name)})
			}
		}
		if v := get("key"); !v.IsNull() && v.Type() == cty.String {
			k := get("bucket").GoString() + "/" + v.AsString()
			if other, dup := keys[k]; dup {
				out = append(out, Finding{Rule: rule, Where: path, Message: fmt.Sprintf("environments %s and %s share the state %s: give each its own key", other, d.Name, v.AsString())})
			}
			keys[k] = d.Name
		}
	}
	return out
}
