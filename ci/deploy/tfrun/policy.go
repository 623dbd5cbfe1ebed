package tfrun

import (
	"fmt"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// DefaultProtectedTypes are resource types whose destruction or replacement
// loses data or cuts the network path: stateful stores and networking.
var DefaultProtectedTypes = []string{
	// stateful
	"aws_db_instance", "aws_rds_cluster", "aws_dynamodb_table", "aws_s3_bucket",
	"aws_efs_file_system", "aws_elasticache_cluster", "aws_elasticache_replication_group",
	"aws_kms_key", "aws_secretsmanager_secret", "aws_ecr_repository", "aws_ebs_volume",
	"aws_cloudwatch_log_group",
	// networking
	"aws_vpc", "aws_subnet", "aws_route_table", "aws_route", "aws_internet_gateway",
	"aws_nat_gateway", "aws_eip", "aws_security_group", "aws_lb", "aws_lb_listener",
	"aws_lb_target_group", "aws_apigatewayv2_api", "aws_apigatewayv2_stage",
	"aws_route53_zone", "aws_route53_record", "aws_acm_certificate",
}

// ProtectTagKey is the tag that marks any resource as protected when its value
// is "true", whatever its type (the tag-level twin of prevent_destroy).
const ProtectTagKey = "deploy:protected"

// Policy decides whether a plan may be applied.
type Policy struct {
	// Env is the environment the plan is for; only "prod" refuses.
	Env string
	// AllowDestroy lets a prod plan destroy or replace protected resources.
	AllowDestroy bool
	// ProtectedTypes are the resource types guarded in prod.
	ProtectedTypes []string
}

// Violation is one planned change the policy refuses.
type Violation struct {
	// Address is the resource address ("aws_db_instance.main").
	Address string `json:"address"`
	// Type is the resource type.
	Type string `json:"type"`
	// Action is "delete" or "replace".
	Action string `json:"action"`
	// Reason says why the resource is protected.
	Reason string `json:"reason"`
}

// Change is one resource change in a plan summary.
type Change struct {
	// Address is the resource address.
	Address string `json:"address"`
	// Action is "create", "update", "delete", "replace" or "read".
	Action string `json:"action"`
}

// Summary is the part of a plan the report shows.
type Summary struct {
	// HasChanges is false when the plan changes nothing.
	HasChanges bool `json:"has_changes"`
	// Add, Change, Destroy and Replace count resources by action.
	Add     int `json:"add"`
	Change  int `json:"change"`
	Destroy int `json:"destroy"`
	Replace int `json:"replace"`
	// Changes lists every resource with an action other than no-op, by address.
	Changes []Change `json:"changes,omitempty"`
	// Violations lists the changes the policy refused or, when allowed, let through.
	Violations []Violation `json:"violations,omitempty"`
	// Allowed reports whether the policy let the plan through.
	Allowed bool `json:"allowed"`
	// Override is true when protected changes went through on an explicit allow flag.
	Override bool `json:"override,omitempty"`
}

// Summarize counts the plan's changes and evaluates the policy on it.
func (p Policy) Summarize(plan *tfjson.Plan) Summary {
	s := Summary{Allowed: true}
	protected := map[string]bool{}
	for _, t := range p.ProtectedTypes {
		protected[t] = true
	}
	for _, rc := range plan.ResourceChanges {
		if rc == nil || rc.Change == nil {
			continue
		}
		action := actionName(rc.Change.Actions)
		switch action {
		case "no-op", "":
			continue
		case "create":
			s.Add++
		case "update":
			s.Change++
		case "delete":
			s.Destroy++
		case "replace":
			s.Replace++
		}
		s.Changes = append(s.Changes, Change{Address: rc.Address, Action: action})
		if action != "delete" && action != "replace" {
			continue
		}
		if rc.Mode == tfjson.DataResourceMode {
			continue
		}
		reason := ""
		switch {
		case protected[rc.Type]:
			reason = fmt.Sprintf("type %s is protected (stateful or networking)", rc.Type)
		case taggedProtected(rc.Change.Before):
			reason = fmt.Sprintf("tagged %s=true", ProtectTagKey)
		}
		if reason != "" {
			s.Violations = append(s.Violations, Violation{Address: rc.Address, Type: rc.Type, Action: action, Reason: reason})
		}
	}
	sort.Slice(s.Changes, func(i, j int) bool { return s.Changes[i].Address < s.Changes[j].Address })
	s.HasChanges = len(s.Changes) > 0
	if len(s.Violations) > 0 && p.Env == "prod" {
		if p.AllowDestroy {
			s.Override = true
		} else {
			s.Allowed = false
		}
	}
	return s
}

// Err returns nil when the summary is allowed, else an error naming every
// refused change and the flag that overrides the policy.
func (s Summary) Err() error {
	if s.Allowed {
		return nil
	}
	var b strings.Builder
	for _, v := range s.Violations {
		fmt.Fprintf(&b, "\n  %s %s: %s", v.Action, v.Address, v.Reason)
	}
	return fmt.Errorf("plan policy: prod plan would destroy or replace %d protected resource(s):%s\nfix the configuration so they are kept, or pass --allow-destroy if losing them is intended", len(s.Violations), b.String())
}

// actionName collapses Terraform's action list into one word.
func actionName(a tfjson.Actions) string {
	switch {
	case a.NoOp():
		return "no-op"
	case a.Create():
		return "create"
	case a.Update():
		return "update"
	case a.Delete():
		return "delete"
	case a.Replace():
		return "replace"
	case a.Read():
		return "read"
	}
	return strings.Join(actionStrings(a), "+")
}

func actionStrings(a tfjson.Actions) []string {
	out := make([]string, len(a))
	for i, x := range a {
		out[i] = string(x)
	}
	return out
}

// taggedProtected reports whether a resource's prior attributes carry the
// protect tag, in tags, tags_all, or (for terraform_data) input.tags.
func taggedProtected(before interface{}) bool {
	m, ok := before.(map[string]interface{})
	if !ok {
		return false
	}
	for _, key := range []string{"tags", "tags_all"} {
		if hasProtectTag(m[key]) {
			return true
		}
	}
	if in, ok := m["input"].(map[string]interface{}); ok {
		return hasProtectTag(in["tags"])
	}
	return false
}

func hasProtectTag(v interface{}) bool {
	tags, ok := v.(map[string]interface{})
	if !ok {
		return false
	}
	val, ok := tags[ProtectTagKey].(string)
	return ok && strings.EqualFold(val, "true")
}
