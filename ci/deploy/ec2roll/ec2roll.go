// Package ec2roll rolls a new launch template version out to EC2 behind an
// ALB, blue/green: it brings the idle colour's Auto Scaling group up, waits
// for every target to be healthy, shifts the listener's forward weights in
// steps with a bake time and checks between them, and scales the old colour
// down after a grace period. Any failed check sends all traffic back to the
// old colour and scales the new one to zero.
package ec2roll

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	asgtypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/deliverykit/podinfo/ci/deploy/alarms"
	"github.com/deliverykit/podinfo/ci/deploy/clock"
)

// ELB is the Elastic Load Balancing v2 subset the rollout calls.
type ELB interface {
	DescribeListeners(ctx context.Context, in *elbv2.DescribeListenersInput, opts ...func(*elbv2.Options)) (*elbv2.DescribeListenersOutput, error)
	ModifyListener(ctx context.Context, in *elbv2.ModifyListenerInput, opts ...func(*elbv2.Options)) (*elbv2.ModifyListenerOutput, error)
	DescribeTargetHealth(ctx context.Context, in *elbv2.DescribeTargetHealthInput, opts ...func(*elbv2.Options)) (*elbv2.DescribeTargetHealthOutput, error)
}

// ASG is the Auto Scaling subset the rollout calls.
type ASG interface {
	DescribeAutoScalingGroups(ctx context.Context, in *autoscaling.DescribeAutoScalingGroupsInput, opts ...func(*autoscaling.Options)) (*autoscaling.DescribeAutoScalingGroupsOutput, error)
	UpdateAutoScalingGroup(ctx context.Context, in *autoscaling.UpdateAutoScalingGroupInput, opts ...func(*autoscaling.Options)) (*autoscaling.UpdateAutoScalingGroupOutput, error)
}

// Clients are the AWS APIs the rollout uses.
type Clients struct {
	ELB    ELB
	ASG    ASG
	Alarms alarms.API
}

// Colour names one side of the blue/green pair.
type Colour string

// The two colours.
const (
	Blue  Colour = "blue"
	Green Colour = "green"
)

// Other returns the opposite colour.
func (c Colour) Other() Colour {
	if c == Blue {
		return Green
	}
	return Blue
}

// Side is one colour's resources.
type Side struct {
	// TargetGroupARN is the colour's target group.
	TargetGroupARN string
	// ASGName is the Auto Scaling group registering into it.
	ASGName string
}

// InProgress is what the deploy record says about a shift that has not
// finished; it lets the next run resume or roll it back.
type InProgress struct {
	// Digest being shifted to.
	Digest string `json:"digest"`
	// From is the colour that was live; To the colour taking traffic.
	From Colour `json:"from"`
	To   Colour `json:"to"`
	// LaunchTemplateVersion the new colour runs.
	LaunchTemplateVersion string `json:"launch_template_version"`
}

// Config is one rollout.
type Config struct {
	// Digest being deployed (for the record and the resume rule).
	Digest string
	// ListenerARN is the listener whose default action forwards to both colours.
	ListenerARN string
	// Blue and Green are the two colours.
	Blue, Green Side
	// LaunchTemplateID and LaunchTemplateVersion are what the new colour
	// runs. The version must be the template's newest: a group on "$Latest"
	// (as Terraform creates them) counts as running it.
	LaunchTemplateID, LaunchTemplateVersion string
	// Capacity is the desired capacity of the live colour.
	Capacity int32
	// MinSize is the live colour's minimum size (0: Capacity).
	MinSize int32
	// Steps are the new colour's weights in percent, rising to 100.
	Steps []int32
	// Bake is the wait after each step while alarms are watched.
	Bake time.Duration
	// Grace is the wait after 100% before the old colour scales to zero.
	Grace time.Duration
	// HealthTimeout bounds the wait for the new colour's targets.
	HealthTimeout time.Duration
	// Poll is the interval between health and alarm polls.
	Poll time.Duration
	// AlarmNames stop the shift when any is in ALARM.
	AlarmNames []string
	// Smoke, when set, runs after every step's bake (e.g. against alb_url)
	// with the new colour's weight.
	Smoke func(ctx context.Context, weight int32) error
	// Hint is the unfinished shift the deploy record holds, if any.
	Hint *InProgress
	// OnShift, when set, runs before the first weight change with what is
	// about to shift, so the caller can record the shift as in progress.
	OnShift func(ctx context.Context, p InProgress) error
	// Clock tells time and waits; nil is the wall clock.
	Clock clock.Clock
}

// Outcomes of a rollout.
const (
	OutcomeSucceeded  = "succeeded"
	OutcomeRolledBack = "rolled-back"
	OutcomeNoOp       = "no-op"
	OutcomeFailed     = "failed"
)

// Check is one check's result.
type Check struct {
	Name   string    `json:"name"`
	OK     bool      `json:"ok"`
	Detail string    `json:"detail,omitempty"`
	At     time.Time `json:"at"`
}

// Step is one weight change.
type Step struct {
	// Weight is the new colour's weight after the step.
	Weight int32 `json:"weight"`
	// At is when the listener was changed.
	At time.Time `json:"at"`
	// Checks ran during and after the bake.
	Checks []Check `json:"checks,omitempty"`
}

// Result says what the rollout did.
type Result struct {
	Outcome string `json:"outcome"`
	// From is the colour that was live before, To the new one.
	From Colour `json:"from,omitempty"`
	To   Colour `json:"to,omitempty"`
	// Resumed is true when an interrupted shift was continued.
	Resumed bool `json:"resumed,omitempty"`
	// RolledBackInterrupted is true when an interrupted shift of another
	// digest was rolled back before this rollout.
	RolledBackInterrupted bool `json:"rolled_back_interrupted,omitempty"`
	// LaunchTemplateVersion the new colour runs.
	LaunchTemplateVersion string `json:"launch_template_version,omitempty"`
	// Steps are the weight changes made, in order.
	Steps []Step `json:"steps,omitempty"`
	// Checks are checks outside steps (health, pre-shift alarms, rollback).
	Checks []Check `json:"checks,omitempty"`
	// Message explains a no-op, a resumption or a rollback.
	Message string `json:"message,omitempty"`
}

// State is the listener and groups as found.
type State struct {
	Weights  map[Colour]int32
	Versions map[Colour]string
	Desired  map[Colour]int32
	MaxSize  map[Colour]int32
}

type roller struct {
	c   Clients
	cfg Config
	clk clock.Clock
	res *Result
}

// Validate checks a Config before any call is made.
func (cfg Config) Validate() error {
	var p []string
	if cfg.ListenerARN == "" {
		p = append(p, "listener ARN is empty")
	}
	if cfg.Blue.TargetGroupARN == "" || cfg.Green.TargetGroupARN == "" || cfg.Blue.ASGName == "" || cfg.Green.ASGName == "" {
		p = append(p, "blue and green need a target group ARN and an ASG name each")
	}
	if cfg.LaunchTemplateID == "" || cfg.LaunchTemplateVersion == "" {
		p = append(p, "launch template ID and version are required")
	}
	if cfg.Capacity < 1 {
		p = append(p, fmt.Sprintf("capacity %d, want at least 1", cfg.Capacity))
	}
	prev := int32(0)
	for _, s := range cfg.Steps {
		if s <= prev || s > 100 {
			p = append(p, fmt.Sprintf("steps %v must rise within 1..100", cfg.Steps))
			break
		}
		prev = s
	}
	if prev != 100 {
		p = append(p, fmt.Sprintf("steps %v must end at 100", cfg.Steps))
	}
	if cfg.HealthTimeout <= 0 || cfg.Poll <= 0 {
		p = append(p, "health timeout and poll interval must be positive")
	}
	if len(p) > 0 {
		return fmt.Errorf("ec2 rollout config: %s", strings.Join(p, "; "))
	}
	return nil
}

// Rollout puts cfg.LaunchTemplateVersion live. The error is non-nil when the
// rollout did not succeed; Result then says whether traffic was rolled back.
func Rollout(ctx context.Context, c Clients, cfg Config) (Result, error) {
	if err := cfg.Validate(); err != nil {
		return Result{Outcome: OutcomeFailed}, err
	}
	r := &roller{c: c, cfg: cfg, clk: cfg.Clock, res: &Result{LaunchTemplateVersion: cfg.LaunchTemplateVersion}}
	if r.clk == nil {
		r.clk = clock.Real{}
	}
	err := r.run(ctx)
	return *r.res, err
}

func (r *roller) side(c Colour) Side {
	if c == Blue {
		return r.cfg.Blue
	}
	return r.cfg.Green
}

func (r *roller) check(name string, ok bool, detail string) Check {
	ch := Check{Name: name, OK: ok, Detail: detail, At: r.clk.Now().UTC()}
	return ch
}

func (r *roller) run(ctx context.Context) error {
	st, err := r.State(ctx)
	if err != nil {
		r.res.Outcome = OutcomeFailed
		return err
	}
	target := r.cfg.LaunchTemplateVersion
	wb, wg := st.Weights[Blue], st.Weights[Green]
	steady := (wb == 100 && wg == 0) || (wb == 0 && wg == 100)
	if steady {
		live := Blue
		if wg == 100 {
			live = Green
		}
		if st.Versions[live] == target && st.Desired[live] > 0 {
			r.res.Outcome, r.res.From, r.res.To = OutcomeNoOp, live, live
			r.res.Message = fmt.Sprintf("launch template version %s is already live on %s with 100%% of traffic; nothing to do", target, live)
			if st.Desired[live.Other()] > 0 {
				// A previous run stopped during its grace period.
				if err := r.scale(ctx, live.Other(), "", 0, 0, st.MaxSize[live.Other()]); err != nil {
					return err
				}
				r.res.Message += fmt.Sprintf("; scaled the idle %s colour to 0, left up by an interrupted run", live.Other())
			}
			return nil
		}
		return r.shift(ctx, live, live.Other(), 0, st)
	}
	// Weights are neither 100/0 nor 0/100: a shift was interrupted.
	from, to, resume := r.interrupted(st)
	if resume {
		r.res.Resumed = true
		r.res.Message = fmt.Sprintf("resumed an interrupted shift from %s to %s at %d%%", from, to, st.Weights[to])
		return r.shift(ctx, from, to, st.Weights[to], st)
	}
	// Roll the interrupted shift back, then deploy from the old colour.
	r.res.RolledBackInterrupted = true
	r.res.Message = fmt.Sprintf("rolled back an interrupted shift of another version (weights blue %d / green %d) to %s before deploying", wb, wg, from)
	if err := r.setWeights(ctx, from, 100); err != nil {
		r.res.Outcome = OutcomeFailed
		return err
	}
	if err := r.scale(ctx, to, "", 0, 0, st.MaxSize[to]); err != nil {
		r.res.Outcome = OutcomeFailed
		return err
	}
	r.res.Checks = append(r.res.Checks, r.check("interrupted-shift-rolled-back", true, fmt.Sprintf("all traffic on %s, %s scaled to 0", from, to)))
	st.Weights[from], st.Weights[to], st.Desired[to] = 100, 0, 0
	return r.shift(ctx, from, to, 0, st)
}

// interrupted applies the resumption rule: resume when the colour taking
// traffic runs the version being deployed (the deploy record, when present,
// must name the same digest); otherwise roll back to the old colour.
func (r *roller) interrupted(st State) (from, to Colour, resume bool) {
	if h := r.cfg.Hint; h != nil && (h.To == Blue || h.To == Green) {
		same := h.Digest == r.cfg.Digest && st.Versions[h.To] == r.cfg.LaunchTemplateVersion
		return h.To.Other(), h.To, same
	}
	target := r.cfg.LaunchTemplateVersion
	switch {
	case st.Versions[Green] == target && st.Versions[Blue] != target:
		return Blue, Green, true
	case st.Versions[Blue] == target && st.Versions[Green] != target:
		return Green, Blue, true
	}
	// No record and no colour runs the new version: the colour holding
	// more traffic is taken as the old one.
	if st.Weights[Blue] >= st.Weights[Green] {
		return Blue, Green, false
	}
	return Green, Blue, false
}

// State reads the listener's weights and both groups' versions and sizes.
func (r *roller) State(ctx context.Context) (State, error) {
	st := State{Weights: map[Colour]int32{}, Versions: map[Colour]string{}, Desired: map[Colour]int32{}, MaxSize: map[Colour]int32{}}
	out, err := r.c.ELB.DescribeListeners(ctx, &elbv2.DescribeListenersInput{ListenerArns: []string{r.cfg.ListenerARN}})
	if err != nil {
		return st, fmt.Errorf("describe listener %s: %w", r.cfg.ListenerARN, err)
	}
	if len(out.Listeners) != 1 {
		return st, fmt.Errorf("describe listener %s: got %d listeners, want 1 (check the alb_listener_arn output)", r.cfg.ListenerARN, len(out.Listeners))
	}
	fwd := forwardAction(out.Listeners[0].DefaultActions)
	if fwd == nil {
		return st, fmt.Errorf("listener %s: default action is not a forward to target groups; fix the listener in Terraform so it forwards to blue and green", r.cfg.ListenerARN)
	}
	for _, tg := range forwardGroups(fwd) {
		switch aws.ToString(tg.TargetGroupArn) {
		case r.cfg.Blue.TargetGroupARN:
			st.Weights[Blue] = weight(tg)
		case r.cfg.Green.TargetGroupARN:
			st.Weights[Green] = weight(tg)
		default:
			return st, fmt.Errorf("listener %s forwards to %s, which is neither the blue nor the green target group", r.cfg.ListenerARN, aws.ToString(tg.TargetGroupArn))
		}
	}
	if st.Weights[Blue]+st.Weights[Green] == 0 {
		return st, fmt.Errorf("listener %s gives weight 0 to both colours; fix its forward weights (one colour 100) before deploying", r.cfg.ListenerARN)
	}
	// Normalise to percent: ALB weights are relative (0..999).
	if sum := st.Weights[Blue] + st.Weights[Green]; sum != 100 {
		st.Weights[Blue] = st.Weights[Blue] * 100 / sum
		st.Weights[Green] = 100 - st.Weights[Blue]
	}
	groups, err := r.c.ASG.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{
		AutoScalingGroupNames: []string{r.cfg.Blue.ASGName, r.cfg.Green.ASGName},
	})
	if err != nil {
		return st, fmt.Errorf("describe auto scaling groups %s, %s: %w", r.cfg.Blue.ASGName, r.cfg.Green.ASGName, err)
	}
	found := map[Colour]bool{}
	for _, g := range groups.AutoScalingGroups {
		var c Colour
		switch aws.ToString(g.AutoScalingGroupName) {
		case r.cfg.Blue.ASGName:
			c = Blue
		case r.cfg.Green.ASGName:
			c = Green
		default:
			continue
		}
		found[c] = true
		if g.LaunchTemplate != nil {
			st.Versions[c] = aws.ToString(g.LaunchTemplate.Version)
			if st.Versions[c] == "$Latest" {
				st.Versions[c] = r.cfg.LaunchTemplateVersion
			}
		}
		st.Desired[c] = aws.ToInt32(g.DesiredCapacity)
		st.MaxSize[c] = aws.ToInt32(g.MaxSize)
	}
	for _, c := range []Colour{Blue, Green} {
		if !found[c] {
			return st, fmt.Errorf("auto scaling group %s (%s) not found; check the %s_asg_name output and the region", r.side(c).ASGName, c, c)
		}
	}
	return st, nil
}

func forwardAction(actions []elbtypes.Action) *elbtypes.Action {
	for i := range actions {
		if actions[i].Type == elbtypes.ActionTypeEnumForward {
			return &actions[i]
		}
	}
	return nil
}

func forwardGroups(a *elbtypes.Action) []elbtypes.TargetGroupTuple {
	if a.ForwardConfig != nil && len(a.ForwardConfig.TargetGroups) > 0 {
		return a.ForwardConfig.TargetGroups
	}
	if a.TargetGroupArn != nil {
		return []elbtypes.TargetGroupTuple{{TargetGroupArn: a.TargetGroupArn, Weight: aws.Int32(1)}}
	}
	return nil
}

func weight(tg elbtypes.TargetGroupTuple) int32 {
	if tg.Weight == nil {
		return 1 // ALB default weight
	}
	return *tg.Weight
}

// shift moves traffic from one colour to the other starting at weight start.
func (r *roller) shift(ctx context.Context, from, to Colour, start int32, st State) error {
	r.res.From, r.res.To = from, to
	maxSize := max(st.MaxSize[to], r.cfg.Capacity)
	minSize := r.cfg.MinSize
	if minSize <= 0 || minSize > r.cfg.Capacity {
		minSize = r.cfg.Capacity
	}
	if err := r.scale(ctx, to, r.cfg.LaunchTemplateVersion, minSize, r.cfg.Capacity, maxSize); err != nil {
		r.res.Outcome = OutcomeFailed
		return err
	}
	if err := r.waitHealthy(ctx, to); err != nil {
		return r.rollback(ctx, from, to, st, err)
	}
	if firing, err := alarms.Firing(ctx, r.c.Alarms, r.cfg.AlarmNames); err != nil || len(firing) > 0 {
		if err == nil {
			err = fmt.Errorf("alarms in ALARM before shifting: %s", strings.Join(firing, ", "))
		}
		r.res.Checks = append(r.res.Checks, r.check("alarms-before-shift", false, err.Error()))
		return r.rollback(ctx, from, to, st, err)
	}
	r.res.Checks = append(r.res.Checks, r.check("alarms-before-shift", true, fmt.Sprintf("%d alarm(s) OK", len(r.cfg.AlarmNames))))
	if r.cfg.OnShift != nil {
		if err := r.cfg.OnShift(ctx, InProgress{Digest: r.cfg.Digest, From: from, To: to, LaunchTemplateVersion: r.cfg.LaunchTemplateVersion}); err != nil {
			return r.rollback(ctx, from, to, st, fmt.Errorf("record shift in progress: %w", err))
		}
	}
	for _, w := range r.cfg.Steps {
		if w <= start {
			continue
		}
		if err := r.setWeights(ctx, to, w); err != nil {
			return r.rollback(ctx, from, to, st, err)
		}
		r.res.Steps = append(r.res.Steps, Step{Weight: w, At: r.clk.Now().UTC()})
		step := &r.res.Steps[len(r.res.Steps)-1]
		if err := r.bake(ctx, to, step); err != nil {
			return r.rollback(ctx, from, to, st, err)
		}
	}
	if r.cfg.Grace > 0 {
		if err := r.clk.Sleep(ctx, r.cfg.Grace); err != nil {
			r.res.Outcome = OutcomeFailed
			return fmt.Errorf("grace period before scaling %s down: %w (all traffic is on %s; the next run scales %s down)", from, err, to, from)
		}
	}
	if err := r.scale(ctx, from, "", 0, 0, st.MaxSize[from]); err != nil {
		r.res.Outcome = OutcomeFailed
		return fmt.Errorf("%w (all traffic is on %s; the next run scales %s down)", err, to, from)
	}
	r.res.Checks = append(r.res.Checks, r.check("old-colour-scaled-down", true, fmt.Sprintf("%s scaled to 0 after %s grace", from, r.cfg.Grace)))
	r.res.Outcome = OutcomeSucceeded
	return nil
}

// bake waits cfg.Bake watching alarms every poll, then checks alarms,
// target health and the smoke test.
func (r *roller) bake(ctx context.Context, to Colour, step *Step) error {
	deadline := r.clk.Now().Add(r.cfg.Bake)
	for {
		left := deadline.Sub(r.clk.Now())
		if left <= 0 {
			break
		}
		if err := r.clk.Sleep(ctx, min(left, r.cfg.Poll)); err != nil {
			return fmt.Errorf("bake at %d%%: %w", step.Weight, err)
		}
		firing, err := alarms.Firing(ctx, r.c.Alarms, r.cfg.AlarmNames)
		if err != nil {
			step.Checks = append(step.Checks, r.check("alarms", false, err.Error()))
			return err
		}
		if len(firing) > 0 {
			err := fmt.Errorf("alarm(s) in ALARM during bake at %d%%: %s", step.Weight, strings.Join(firing, ", "))
			step.Checks = append(step.Checks, r.check("alarms", false, err.Error()))
			return err
		}
	}
	firing, err := alarms.Firing(ctx, r.c.Alarms, r.cfg.AlarmNames)
	if err == nil && len(firing) > 0 {
		err = fmt.Errorf("alarm(s) in ALARM after bake at %d%%: %s", step.Weight, strings.Join(firing, ", "))
	}
	if err != nil {
		step.Checks = append(step.Checks, r.check("alarms", false, err.Error()))
		return err
	}
	step.Checks = append(step.Checks, r.check("alarms", true, fmt.Sprintf("%d alarm(s) OK", len(r.cfg.AlarmNames))))
	healthy, total, err := r.targetHealth(ctx, to)
	if err == nil && (healthy < r.cfg.Capacity || healthy != total) {
		err = fmt.Errorf("%s targets healthy %d of %d (want %d) at %d%%", to, healthy, total, r.cfg.Capacity, step.Weight)
	}
	if err != nil {
		step.Checks = append(step.Checks, r.check("target-health", false, err.Error()))
		return err
	}
	step.Checks = append(step.Checks, r.check("target-health", true, fmt.Sprintf("%d/%d healthy", healthy, total)))
	if r.cfg.Smoke != nil {
		if err := r.cfg.Smoke(ctx, step.Weight); err != nil {
			err = fmt.Errorf("smoke test at %d%%: %w", step.Weight, err)
			step.Checks = append(step.Checks, r.check("smoke", false, err.Error()))
			return err
		}
		step.Checks = append(step.Checks, r.check("smoke", true, ""))
	}
	return nil
}

// waitHealthy polls the colour's target group until Capacity targets are
// healthy and none is in another state, bounded by HealthTimeout.
func (r *roller) waitHealthy(ctx context.Context, c Colour) error {
	deadline := r.clk.Now().Add(r.cfg.HealthTimeout)
	var last string
	for {
		healthy, total, err := r.targetHealth(ctx, c)
		if err != nil {
			r.res.Checks = append(r.res.Checks, r.check("targets-healthy", false, err.Error()))
			return err
		}
		last = fmt.Sprintf("%d of %d registered targets healthy, want %d", healthy, total, r.cfg.Capacity)
		if healthy >= r.cfg.Capacity && healthy == total {
			r.res.Checks = append(r.res.Checks, r.check("targets-healthy", true, fmt.Sprintf("%s: %s", c, last)))
			return nil
		}
		if !r.clk.Now().Before(deadline) {
			err := fmt.Errorf("%s targets not healthy within %s: %s", c, r.cfg.HealthTimeout, last)
			r.res.Checks = append(r.res.Checks, r.check("targets-healthy", false, err.Error()))
			return err
		}
		if err := r.clk.Sleep(ctx, r.cfg.Poll); err != nil {
			return fmt.Errorf("wait for %s targets: %w", c, err)
		}
	}
}

func (r *roller) targetHealth(ctx context.Context, c Colour) (healthy, total int32, err error) {
	arn := r.side(c).TargetGroupARN
	out, err := r.c.ELB.DescribeTargetHealth(ctx, &elbv2.DescribeTargetHealthInput{TargetGroupArn: aws.String(arn)})
	if err != nil {
		return 0, 0, fmt.Errorf("describe target health of %s: %w", arn, err)
	}
	for _, d := range out.TargetHealthDescriptions {
		if d.TargetHealth == nil {
			continue
		}
		switch d.TargetHealth.State {
		case elbtypes.TargetHealthStateEnumDraining, elbtypes.TargetHealthStateEnumUnused:
			// leaving, or not in use yet: neither counts.
			if d.TargetHealth.State == elbtypes.TargetHealthStateEnumUnused {
				total++
			}
			continue
		case elbtypes.TargetHealthStateEnumHealthy:
			healthy++
		}
		total++
	}
	return healthy, total, nil
}

// setWeights gives colour c weight w and the other colour 100-w, keeping the
// rest of the forward action as it is.
func (r *roller) setWeights(ctx context.Context, c Colour, w int32) error {
	out, err := r.c.ELB.DescribeListeners(ctx, &elbv2.DescribeListenersInput{ListenerArns: []string{r.cfg.ListenerARN}})
	if err != nil {
		return fmt.Errorf("describe listener %s: %w", r.cfg.ListenerARN, err)
	}
	if len(out.Listeners) != 1 {
		return fmt.Errorf("describe listener %s: got %d listeners", r.cfg.ListenerARN, len(out.Listeners))
	}
	action := elbtypes.Action{Type: elbtypes.ActionTypeEnumForward, ForwardConfig: &elbtypes.ForwardActionConfig{}}
	if fwd := forwardAction(out.Listeners[0].DefaultActions); fwd != nil {
		action.Order = fwd.Order
		if fwd.ForwardConfig != nil {
			action.ForwardConfig.TargetGroupStickinessConfig = fwd.ForwardConfig.TargetGroupStickinessConfig
		}
	}
	weights := map[Colour]int32{c: w, c.Other(): 100 - w}
	action.ForwardConfig.TargetGroups = []elbtypes.TargetGroupTuple{
		{TargetGroupArn: aws.String(r.cfg.Blue.TargetGroupARN), Weight: aws.Int32(weights[Blue])},
		{TargetGroupArn: aws.String(r.cfg.Green.TargetGroupARN), Weight: aws.Int32(weights[Green])},
	}
	if _, err := r.c.ELB.ModifyListener(ctx, &elbv2.ModifyListenerInput{
		ListenerArn:    aws.String(r.cfg.ListenerARN),
		DefaultActions: []elbtypes.Action{action},
	}); err != nil {
		return fmt.Errorf("set listener weights blue %d / green %d: %w", weights[Blue], weights[Green], err)
	}
	return nil
}

// scale sets a colour's group size and, when version is not empty, its
// launch template version.
func (r *roller) scale(ctx context.Context, c Colour, version string, minSize, desired, maxSize int32) error {
	in := &autoscaling.UpdateAutoScalingGroupInput{
		AutoScalingGroupName: aws.String(r.side(c).ASGName),
		MinSize:              aws.Int32(minSize),
		DesiredCapacity:      aws.Int32(desired),
	}
	if maxSize > 0 {
		in.MaxSize = aws.Int32(max(maxSize, desired))
	}
	if version != "" {
		in.LaunchTemplate = &asgtypes.LaunchTemplateSpecification{
			LaunchTemplateId: aws.String(r.cfg.LaunchTemplateID),
			Version:          aws.String(version),
		}
	}
	if _, err := r.c.ASG.UpdateAutoScalingGroup(ctx, in); err != nil {
		return fmt.Errorf("scale %s group %s to %d: %w", c, r.side(c).ASGName, desired, err)
	}
	return nil
}

// rollback sends all traffic to from and scales to down to zero, then
// returns cause wrapped with what the rollback did.
func (r *roller) rollback(ctx context.Context, from, to Colour, st State, cause error) error {
	r.res.Outcome = OutcomeRolledBack
	// The rollback must run even when ctx was cancelled or timed out.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Minute)
	defer cancel()
	var errs []error
	// Leave the listener alone when traffic never moved (health or
	// pre-shift checks failed): it already sends everything to from.
	if len(r.res.Steps) > 0 || st.Weights[from] != 100 {
		if err := r.setWeights(rctx, from, 100); err != nil {
			errs = append(errs, err)
		}
	}
	if err := r.scale(rctx, to, "", 0, 0, st.MaxSize[to]); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		r.res.Outcome = OutcomeFailed
		err := errors.Join(errs...)
		r.res.Checks = append(r.res.Checks, r.check("rollback", false, err.Error()))
		return fmt.Errorf("ec2 rollout failed: %w; ROLLBACK ALSO FAILED: %v (set the listener to 100%% %s by hand)", cause, err, from)
	}
	r.res.Checks = append(r.res.Checks, r.check("rollback", true, fmt.Sprintf("all traffic on %s, %s scaled to 0", from, to)))
	r.res.Message = fmt.Sprintf("rolled back: %v", cause)
	return fmt.Errorf("ec2 rollout rolled back to %s: %w", from, cause)
}
