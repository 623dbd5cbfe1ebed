package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/deliverykit/podinfo/src/internal/syncbuf"
)

func TestRunExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
		out  string
	}{
		{name: "help", args: []string{"--help"}, want: 0, out: "-port"},
		{name: "bad flag", args: []string{"--bogus"}, want: 2, out: "-bogus"},
		{name: "bad value", args: []string{"--port=-5"}, want: 2, out: "--port (PODINFO_PORT)"},
		{name: "port taken or invalid host", args: []string{"--host=256.0.0.1", "--port=1"}, want: 1, out: "cannot listen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			got := run(context.Background(), tt.args, nil, &stdout, &stderr)
			if got != tt.want {
				t.Errorf("run() = %d, want %d\nstdout: %s\nstderr: %s", got, tt.want, &stdout, &stderr)
			}
			if all := stdout.String() + stderr.String(); !strings.Contains(all, tt.out) {
				t.Errorf("output lacks %q:\n%s", tt.out, all)
			}
		})
	}
}

// TestRunStopsCleanly serves until the context ends, then returns 0.
func TestRunStopsCleanly(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var stdout, stderr syncbuf.Buffer
	go func() {
		done <- run(ctx, []string{"--host=127.0.0.1", "--port=0", "--server-shutdown-delay=0s"}, nil, &stdout, &stderr)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stdout.String(), `"msg":"listening"`) {
		if time.Now().After(deadline) {
			t.Fatalf("no listening line:\n%s", stdout.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(stdout.String(), "development key") {
		t.Errorf("no warning about the development key:\n%s", stdout.String())
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("run() = %d, want 0\n%s", code, stdout.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after the context ended")
	}
}

func TestLookup(t *testing.T) {
	env := []string{"A=1", "AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001", "AWS_LAMBDA_RUNTIME_API_X=no"}
	if got := lookup(env, "AWS_LAMBDA_RUNTIME_API"); got != "127.0.0.1:9001" {
		t.Errorf("lookup = %q", got)
	}
	if got := lookup(env, "B"); got != "" {
		t.Errorf("lookup(B) = %q", got)
	}
}
