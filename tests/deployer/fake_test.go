package deployer_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/deliverykit/podinfo/ci/deploy/awsconf"
	"github.com/deliverykit/podinfo/ci/deploy/clock"
	"github.com/deliverykit/podinfo/ci/deploy/ec2roll"
	"github.com/deliverykit/podinfo/tests/deployer/fakeaws"
)

const (
	listenerARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/podinfo/abc/def"
	blueTG      = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/podinfo-blue/1"
	greenTG     = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/podinfo-green/2"
	ltID        = "lt-0123456789abcdef0"
	stateTable  = "podinfo-prod-deploy-state"
)

// awsConfig returns SDK configuration pointed at the fake with static keys
// and a short retry budget.
func awsConfig(t testing.TB, f *fakeaws.Server) aws.Config {
	t.Helper()
	cfg, err := awsconf.Load(context.Background(), awsconf.Options{
		Region: f.Region, Endpoint: f.URL, StaticKeyID: "AKIDFAKE", StaticSecret: "fake-secret",
		MaxAttempts: 2, MaxBackoff: 10 * time.Millisecond, CallTimeout: 10 * time.Second, AttemptTimeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

type awsClients struct {
	elb *elbv2.Client
	asg *autoscaling.Client
	cw  *cloudwatch.Client
	lam *lambda.Client
	cd  *codedeploy.Client
	ddb *dynamodb.Client
}

func clientsFor(t testing.TB, f *fakeaws.Server) awsClients {
	cfg := awsConfig(t, f)
	return awsClients{
		elb: elbv2.NewFromConfig(cfg), asg: autoscaling.NewFromConfig(cfg), cw: cloudwatch.NewFromConfig(cfg),
		lam: lambda.NewFromConfig(cfg), cd: codedeploy.NewFromConfig(cfg), ddb: dynamodb.NewFromConfig(cfg),
	}
}

// ec2Env sets up blue live at 100% on launch template version 3 with two
// healthy instances, green idle, and two alarms in OK.
func ec2Env(t testing.TB) *fakeaws.Server {
	f := fakeaws.New(t)
	f.Lock()
	defer f.Unlock()
	f.TargetGroups[blueTG] = &fakeaws.TargetGroup{ARN: blueTG, HealthyAfter: 2}
	f.TargetGroups[greenTG] = &fakeaws.TargetGroup{ARN: greenTG, HealthyAfter: 2}
	f.Listeners[listenerARN] = &fakeaws.Listener{ARN: listenerARN, Forward: []fakeaws.Weight{fakeaws.W(blueTG, 100), fakeaws.W(greenTG, 0)}}
	f.AddGroup(&fakeaws.Group{Name: "podinfo-blue", TargetGroupARN: blueTG, LaunchTemplateID: ltID, Version: "3", Min: 2, Max: 4, Desired: 2})
	f.AddGroup(&fakeaws.Group{Name: "podinfo-green", TargetGroupARN: greenTG, LaunchTemplateID: ltID, Version: "3", Min: 0, Max: 4, Desired: 0})
	f.Alarms["podinfo-prod-5xx"] = "OK"
	f.Alarms["podinfo-prod-latency"] = "OK"
	return f
}

func ec2Config(clk clock.Clock) ec2roll.Config {
	return ec2roll.Config{
		Digest:           digestB,
		ListenerARN:      listenerARN,
		Blue:             ec2roll.Side{TargetGroupARN: blueTG, ASGName: "podinfo-blue"},
		Green:            ec2roll.Side{TargetGroupARN: greenTG, ASGName: "podinfo-green"},
		LaunchTemplateID: ltID, LaunchTemplateVersion: "4", Capacity: 2,
		Steps: []int32{10, 50, 100}, Bake: 60 * time.Second, Grace: 30 * time.Second,
		HealthTimeout: 5 * time.Minute, Poll: 10 * time.Second,
		AlarmNames: []string{"podinfo-prod-5xx", "podinfo-prod-latency"},
		Clock:      clk,
	}
}

func ec2Clients(c awsClients) ec2roll.Clients {
	return ec2roll.Clients{ELB: c.elb, ASG: c.asg, Alarms: c.cw}
}

var start = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// groupState is what the tests compare after a rollout.
type groupState struct {
	BlueWeight, GreenWeight   int32
	BlueDesired, GreenDesired int32
	BlueVersion, GreenVersion string
}

func ec2State(f *fakeaws.Server) groupState {
	f.Lock()
	defer f.Unlock()
	w := f.Listeners[listenerARN].Weights()
	return groupState{
		BlueWeight: w[blueTG], GreenWeight: w[greenTG],
		BlueDesired: f.Groups["podinfo-blue"].Desired, GreenDesired: f.Groups["podinfo-green"].Desired,
		BlueVersion: f.Groups["podinfo-blue"].Version, GreenVersion: f.Groups["podinfo-green"].Version,
	}
}

func stepWeights(r ec2roll.Result) []int32 {
	var w []int32
	for _, s := range r.Steps {
		w = append(w, s.Weight)
	}
	return w
}
