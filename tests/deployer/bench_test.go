package deployer_test

import (
	"context"
	"testing"

	"github.com/deliverykit/podinfo/ci/deploy/clock"
	"github.com/deliverykit/podinfo/ci/deploy/ec2roll"
	"github.com/deliverykit/podinfo/ci/deploy/lambdaroll"
	"github.com/deliverykit/podinfo/ci/smoke"
	"github.com/deliverykit/podinfo/tests/deployer/fakeaws"
)

// BenchmarkSmokeService is one full smoke suite (6 checks, 7 requests)
// against the real service on 127.0.0.1.
func BenchmarkSmokeService(b *testing.B) {
	base := startService(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := smoke.Run(ctx, smoke.Options{BaseURL: base}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEC2Rollout is one blue/green shift (10, 50, 100%) against the
// fake endpoints on a fake clock: the deployer's own cost per rollout,
// about 30 AWS calls.
func BenchmarkEC2Rollout(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		f := ec2Env(b)
		c := clientsFor(b, f)
		b.StartTimer()
		if _, err := ec2roll.Rollout(ctx, ec2Clients(c), ec2Config(clock.NewFake(start))); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLambdaRollout is one update, publish and CodeDeploy shift.
func BenchmarkLambdaRollout(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		f := fakeaws.New(b)
		f.Lock()
		f.AddFunction(function, "live", repo+"@"+digestA)
		f.Unlock()
		c := clientsFor(b, f)
		b.StartTimer()
		if _, err := lambdaroll.Rollout(ctx, lambdaroll.Clients{Lambda: c.lam, CodeDeploy: c.cd}, lambdaConfig(clock.NewFake(start))); err != nil {
			b.Fatal(err)
		}
	}
}
