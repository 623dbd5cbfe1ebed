package deployer_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"github.com/deliverykit/podinfo/ci/deploy/awsconf"
	"github.com/deliverykit/podinfo/ci/deploy/clock"
	"github.com/deliverykit/podinfo/ci/deploy/deploylock"
	"github.com/deliverykit/podinfo/tests/deployer/fakeaws"
)

// TestRetriesAndTimeouts shows every call is retried with backoff up to a
// bound and cannot hang past its deadline.
func TestRetriesAndTimeouts(t *testing.T) {
	ctx := context.Background()
	describe := func(c *elbv2.Client) error {
		_, err := c.DescribeListeners(ctx, &elbv2.DescribeListenersInput{ListenerArns: []string{listenerARN}})
		return err
	}
	t.Run("transient 503s are retried", func(t *testing.T) {
		f := ec2Env(t)
		f.Lock()
		f.FailNext = 2
		f.Unlock()
		cfg, err := awsconf.Load(ctx, awsconf.Options{Region: f.Region, Endpoint: f.URL, StaticKeyID: "AKIDFAKE", StaticSecret: "x",
			MaxAttempts: 3, MaxBackoff: 10 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if err := describe(elbv2.NewFromConfig(cfg)); err != nil {
			t.Fatalf("call failed despite retries: %v", err)
		}
		if f.Requests != 3 {
			t.Errorf("requests = %d, want 3 (two 503s, then success)", f.Requests)
		}
	})
	t.Run("attempts are bounded", func(t *testing.T) {
		f := ec2Env(t)
		f.Lock()
		f.FailNext = 100
		f.Unlock()
		cfg, _ := awsconf.Load(ctx, awsconf.Options{Region: f.Region, Endpoint: f.URL, StaticKeyID: "AKIDFAKE", StaticSecret: "x",
			MaxAttempts: 4, MaxBackoff: 10 * time.Millisecond})
		err := describe(elbv2.NewFromConfig(cfg))
		if err == nil || !strings.Contains(err.Error(), "exceeded maximum number of attempts, 4") || f.Requests != 4 {
			t.Fatalf("err = %v after %d requests, want give-up after 4", err, f.Requests)
		}
	})
	t.Run("a hanging endpoint hits the call deadline", func(t *testing.T) {
		hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// Read the body so the server notices the client hanging up.
			_, _ = io.Copy(io.Discard, r.Body)
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}))
		defer hang.Close()
		cfg, _ := awsconf.Load(ctx, awsconf.Options{Region: "eu-west-1", Endpoint: hang.URL, StaticKeyID: "AKIDFAKE", StaticSecret: "x",
			MaxAttempts: 3, MaxBackoff: 10 * time.Millisecond, AttemptTimeout: 200 * time.Millisecond, CallTimeout: 500 * time.Millisecond})
		began := time.Now()
		err := describe(elbv2.NewFromConfig(cfg))
		if err == nil || time.Since(began) > 3*time.Second {
			t.Fatalf("err = %v after %s, want a timeout well under 3s", err, time.Since(began))
		}
	})
}

func TestDeployLock(t *testing.T) {
	ctx := context.Background()
	f := fakeaws.New(t)
	f.Lock()
	f.Tables[stateTable] = map[string]fakeaws.Item{}
	f.Unlock()
	api := clientsFor(t, f).ddb
	clk := clock.NewFake(start)
	opts := func(owner, run string) deploylock.Options {
		return deploylock.Options{Table: stateTable, Env: "prod", Owner: owner, Run: run, TTL: time.Hour, Clock: clk}
	}
	first, err := deploylock.Acquire(ctx, api, opts("alice", "1"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = deploylock.Acquire(ctx, api, opts("bob", "2"))
	var held *deploylock.HeldError
	if !asHeld(err, &held) || held.Owner != "alice" || held.Run != "1" || !held.Expires.Equal(start.Add(time.Hour)) {
		t.Fatalf("second acquire = %v, want held by alice run 1 until %s", err, start.Add(time.Hour))
	}
	if _, err := deploylock.Acquire(ctx, api, deploylock.Options{Table: stateTable, Env: "staging", Owner: "bob", Run: "2", TTL: time.Hour, Clock: clk}); err != nil {
		t.Errorf("lock of another environment refused: %v", err)
	}
	// alice's run dies; after the TTL bob takes the lock over.
	clk.Sleep(ctx, time.Hour+time.Second)
	second, err := deploylock.Acquire(ctx, api, opts("bob", "2"))
	if err != nil {
		t.Fatalf("acquire of an expired lock: %v", err)
	}
	if err := first.Release(ctx); err == nil || !strings.Contains(err.Error(), "no longer ours") {
		t.Errorf("stale release = %v, want refused", err)
	}
	if err := second.Release(ctx); err != nil {
		t.Fatal(err)
	}
	f.Lock()
	defer f.Unlock()
	if it := f.Get(stateTable, "env#prod", "lock"); it != nil {
		t.Errorf("lock item left after release: %v", it)
	}
}

func asHeld(err error, target **deploylock.HeldError) bool {
	h, ok := err.(*deploylock.HeldError)
	if ok {
		*target = h
	}
	return ok
}
