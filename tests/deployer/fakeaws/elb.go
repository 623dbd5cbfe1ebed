package fakeaws

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Weight is one target group in a listener's forward action.
type Weight struct {
	TargetGroupARN string
	Weight         int32
}

// Listener is an ALB listener whose default action forwards to target groups.
type Listener struct {
	ARN      string
	Forward  []Weight
	Modified int // ModifyListener calls so far
}

// Weights returns the listener's weight per target group ARN.
func (l *Listener) Weights() map[string]int32 {
	m := map[string]int32{}
	for _, w := range l.Forward {
		m[w.TargetGroupARN] = w.Weight
	}
	return m
}

// TargetGroup is an ALB target group; Auto Scaling groups register into it.
type TargetGroup struct {
	ARN string
	// HealthyAfter is how many DescribeTargetHealth polls a new instance
	// stays "initial" before it turns healthy.
	HealthyAfter int
	// NeverHealthy makes instances fail their health checks for good.
	NeverHealthy bool
}

// Group is an Auto Scaling group.
type Group struct {
	Name             string
	TargetGroupARN   string
	LaunchTemplateID string
	Version          string
	Min, Max         int32
	Desired          int32
	Instances        []*Instance
}

// Instance is one EC2 instance an Auto Scaling group launched.
type Instance struct {
	ID        string
	Version   string
	PollsLeft int
}

// AddGroup adds a group running desired instances that are already healthy.
func (s *Server) AddGroup(g *Group) {
	for i := int32(0); i < g.Desired; i++ {
		g.Instances = append(g.Instances, &Instance{ID: s.next("i-"), Version: g.Version})
	}
	s.Groups[g.Name] = g
}

func (s *Server) elb(form url.Values) (string, error) {
	switch form.Get("Action") {
	case "DescribeListeners":
		var b strings.Builder
		for _, arn := range members(form, "ListenerArns") {
			l, ok := s.Listeners[arn]
			if !ok {
				return "", errf(400, "ListenerNotFound", "One or more listeners not found")
			}
			b.WriteString("<member><ListenerArn>" + xmlEscape(l.ARN) + "</ListenerArn><Protocol>HTTP</Protocol><Port>80</Port><DefaultActions><member><Type>forward</Type><Order>1</Order><ForwardConfig><TargetGroups>")
			for _, w := range l.Forward {
				fmt.Fprintf(&b, "<member><TargetGroupArn>%s</TargetGroupArn><Weight>%d</Weight></member>", xmlEscape(w.TargetGroupARN), w.Weight)
			}
			b.WriteString("</TargetGroups></ForwardConfig></member></DefaultActions></member>")
		}
		return "<Listeners>" + b.String() + "</Listeners>", nil
	case "ModifyListener":
		l, ok := s.Listeners[form.Get("ListenerArn")]
		if !ok {
			return "", errf(400, "ListenerNotFound", "One or more listeners not found")
		}
		p := "DefaultActions.member.1."
		if form.Get(p+"Type") != "forward" {
			return "", errf(400, "ValidationError", "fakeaws supports forward default actions only")
		}
		var fwd []Weight
		for i := 1; ; i++ {
			q := fmt.Sprintf("%sForwardConfig.TargetGroups.member.%d.", p, i)
			arn := form.Get(q + "TargetGroupArn")
			if arn == "" {
				break
			}
			if _, ok := s.TargetGroups[arn]; !ok {
				return "", errf(400, "TargetGroupNotFound", "target group %s not found", arn)
			}
			w, err := strconv.Atoi(form.Get(q + "Weight"))
			if err != nil || w < 0 || w > 999 {
				return "", errf(400, "ValidationError", "weight %q must be 0..999", form.Get(q+"Weight"))
			}
			fwd = append(fwd, W(arn, int32(w)))
		}
		if len(fwd) == 0 {
			return "", errf(400, "ValidationError", "forward action without target groups")
		}
		l.Forward = fwd
		l.Modified++
		return "<Listeners/>", nil
	case "DescribeTargetHealth":
		arn := form.Get("TargetGroupArn")
		tg, ok := s.TargetGroups[arn]
		if !ok {
			return "", errf(400, "TargetGroupNotFound", "target group %s not found", arn)
		}
		var b strings.Builder
		b.WriteString("<TargetHealthDescriptions>")
		for _, g := range s.Groups {
			if g.TargetGroupARN != arn {
				continue
			}
			for _, in := range g.Instances {
				state, reason := "healthy", ""
				switch {
				case in.PollsLeft > 0:
					state, reason = "initial", "<Reason>Elb.RegistrationInProgress</Reason>"
					in.PollsLeft--
				case tg.NeverHealthy:
					state, reason = "unhealthy", "<Reason>Target.ResponseCodeMismatch</Reason>"
				}
				fmt.Fprintf(&b, "<member><Target><Id>%s</Id><Port>8080</Port></Target><HealthCheckPort>8080</HealthCheckPort><TargetHealth><State>%s</State>%s</TargetHealth></member>", in.ID, state, reason)
			}
		}
		b.WriteString("</TargetHealthDescriptions>")
		return b.String(), nil
	}
	return "", errf(400, "InvalidAction", "fakeaws elbv2: %s not implemented", form.Get("Action"))
}

func (s *Server) asg(form url.Values) (string, error) {
	switch form.Get("Action") {
	case "DescribeAutoScalingGroups":
		var b strings.Builder
		b.WriteString("<AutoScalingGroups>")
		for _, name := range members(form, "AutoScalingGroupNames") {
			g, ok := s.Groups[name]
			if !ok {
				continue // AWS omits unknown names
			}
			fmt.Fprintf(&b, "<member><AutoScalingGroupName>%s</AutoScalingGroupName><AutoScalingGroupARN>arn:aws:autoscaling:%s:%s:autoScalingGroup:x:autoScalingGroupName/%s</AutoScalingGroupARN>"+
				"<LaunchTemplate><LaunchTemplateId>%s</LaunchTemplateId><Version>%s</Version></LaunchTemplate>"+
				"<MinSize>%d</MinSize><MaxSize>%d</MaxSize><DesiredCapacity>%d</DesiredCapacity><DefaultCooldown>300</DefaultCooldown>"+
				"<AvailabilityZones><member>%sa</member></AvailabilityZones><HealthCheckType>ELB</HealthCheckType><CreatedTime>2026-01-01T00:00:00Z</CreatedTime>"+
				"<TargetGroupARNs><member>%s</member></TargetGroupARNs><Instances>",
				g.Name, s.Region, s.Account, g.Name, g.LaunchTemplateID, g.Version, g.Min, g.Max, g.Desired, s.Region, g.TargetGroupARN)
			for _, in := range g.Instances {
				fmt.Fprintf(&b, "<member><InstanceId>%s</InstanceId><AvailabilityZone>%sa</AvailabilityZone><LifecycleState>InService</LifecycleState><HealthStatus>Healthy</HealthStatus><ProtectedFromScaleIn>false</ProtectedFromScaleIn><LaunchTemplate><LaunchTemplateId>%s</LaunchTemplateId><Version>%s</Version></LaunchTemplate></member>",
					in.ID, s.Region, g.LaunchTemplateID, in.Version)
			}
			b.WriteString("</Instances></member>")
		}
		b.WriteString("</AutoScalingGroups>")
		return b.String(), nil
	case "UpdateAutoScalingGroup":
		name := form.Get("AutoScalingGroupName")
		g, ok := s.Groups[name]
		if !ok {
			return "", errf(400, "ValidationError", "AutoScalingGroup name not found - AutoScalingGroup %s not found", name)
		}
		minSize, maxSize, desired := g.Min, g.Max, g.Desired
		for key, dst := range map[string]*int32{"MinSize": &minSize, "MaxSize": &maxSize, "DesiredCapacity": &desired} {
			if v := form.Get(key); v != "" {
				n, err := strconv.Atoi(v)
				if err != nil {
					return "", errf(400, "ValidationError", "%s %q is not a number", key, v)
				}
				*dst = int32(n)
			}
		}
		if minSize > desired || desired > maxSize {
			return "", errf(400, "ValidationError", "Desired capacity:%d must be between the specified min size:%d and max size:%d", desired, minSize, maxSize)
		}
		if id := form.Get("LaunchTemplate.LaunchTemplateId"); id != "" {
			if id != g.LaunchTemplateID {
				return "", errf(400, "ValidationError", "launch template %s is not the group's", id)
			}
			g.Version = form.Get("LaunchTemplate.Version")
		}
		g.Min, g.Max, g.Desired = minSize, maxSize, desired
		healthyAfter := 0
		if tg := s.TargetGroups[g.TargetGroupARN]; tg != nil {
			healthyAfter = tg.HealthyAfter
		}
		for int32(len(g.Instances)) < g.Desired {
			g.Instances = append(g.Instances, &Instance{ID: s.next("i-"), Version: g.Version, PollsLeft: healthyAfter})
		}
		if int32(len(g.Instances)) > g.Desired {
			g.Instances = g.Instances[:g.Desired]
		}
		return "", nil
	}
	return "", errf(400, "InvalidAction", "fakeaws autoscaling: %s not implemented", form.Get("Action"))
}

// W is a Weight for target group arn.
func W(arn string, weight int32) Weight { return Weight{TargetGroupARN: arn, Weight: weight} }
