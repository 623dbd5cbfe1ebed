package shutdown

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/deliverykit/podinfo/src/internal/health"
)

func quietLogger() *logrus.Entry {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return logrus.NewEntry(l)
}

// TestServeDrains starts a slow request, ends the context, and checks that
// readiness drops at once, the slow request completes, and Serve returns
// only afterwards.
func TestServeDrains(t *testing.T) {
	state := health.New(true, true)
	started := make(chan struct{})
	var once sync.Once
	mux := http.NewServeMux()
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(started) })
		time.Sleep(300 * time.Millisecond)
		_, _ = io.WriteString(w, "done")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux}
	ctx, cancel := context.WithCancel(context.Background())
	result := make(chan error, 1)
	go func() {
		result <- Serve(ctx, srv, ln, state, Options{Delay: 100 * time.Millisecond, Timeout: 2 * time.Second, Log: quietLogger()})
	}()

	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/slow")
		if err != nil {
			got <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		got <- string(b)
	}()
	<-started
	cancel()
	deadline := time.Now().Add(time.Second)
	for state.Ready() && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if state.Ready() || state.Healthy() {
		t.Fatal("state still ready/healthy after the context ended")
	}
	if body := <-got; body != "done" {
		t.Errorf("in-flight request = %q, want %q", body, "done")
	}
	if err := <-result; err != nil {
		t.Errorf("Serve() = %v, want nil", err)
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), 200*time.Millisecond); err == nil {
		t.Error("listener still accepts connections after Serve returned")
	}
}

func TestServeDrainDeadline(t *testing.T) {
	state := health.New(true, true)
	started := make(chan struct{})
	release := make(chan struct{})
	defer close(release)
	mux := http.NewServeMux()
	mux.HandleFunc("/stuck", func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	result := make(chan error, 1)
	go func() {
		result <- Serve(ctx, &http.Server{Handler: mux}, ln, state, Options{Timeout: 100 * time.Millisecond, Log: quietLogger()})
	}()
	go func() {
		if resp, err := http.Get("http://" + ln.Addr().String() + "/stuck"); err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	cancel()
	if err := <-result; err == nil {
		t.Error("Serve() = nil, want a drain deadline error")
	}
}
