package service

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestGracefulShutdown keeps a pool of clients sending requests (quick ones
// and 2-second ones) while SIGTERM arrives. Readiness must turn 503 at once
// while other requests keep succeeding; the clients stop sending once they
// have seen the 503 (as a load balancer deregisters a target), and every
// request sent, including those in flight when the server stops accepting,
// must succeed. The process must then exit 0.
func TestGracefulShutdown(t *testing.T) {
	// The delay leaves a loaded CI machine ample time between the probe
	// seeing 503 and the listener closing; the probe stops traffic 300ms
	// after it sees 503, as a load balancer deregistering a target would.
	const delay, reaction = 2 * time.Second, 300 * time.Millisecond
	const slowPath = "/delay/3" // in flight when the listener closes
	p := start(t, nil, "--server-shutdown-delay="+delay.String(), "--server-shutdown-timeout=5s", "--level=warn")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}, Timeout: 10 * time.Second}

	var (
		stopSending atomic.Bool
		sent, ok    atomic.Int64
		afterReady  atomic.Int64 // quick requests that succeeded after readiness went 503
		drained     atomic.Int64 // slow requests answered after the listener closed
		unready     atomic.Bool
		mu          sync.Mutex
		failures    []string
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(failures) < 20 {
			failures = append(failures, fmt.Sprintf(format, args...))
		}
	}
	get := func(path string) (int, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", p.base+path, nil)
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return 0, fmt.Errorf("reading body: %w", err)
		}
		return resp.StatusCode, nil
	}
	var signalledAt atomic.Int64 // UnixNano of SIGTERM, 0 before
	worker := func(path string) {
		for !stopSending.Load() {
			sent.Add(1)
			wasUnready := unready.Load()
			code, err := get(path)
			if err == nil && code == 200 && path == slowPath && signalledAt.Load() != 0 && time.Since(time.Unix(0, signalledAt.Load())) > delay {
				drained.Add(1)
			}
			switch {
			case err != nil:
				fail("GET %s: %v", path, err)
			case code != 200:
				fail("GET %s = %d", path, code)
			default:
				ok.Add(1)
				if wasUnready {
					afterReady.Add(1)
				}
			}
		}
	}

	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() { worker("/api/info") })
	}
	for range 3 {
		wg.Go(func() { worker(slowPath) })
	}
	// The probe plays the load balancer: it polls readiness and, once it
	// sees 503, stops traffic after a reaction time shorter than the delay.
	var sawUnreadyAt time.Time
	probeDone := make(chan struct{})
	go func() {
		defer close(probeDone)
		for {
			code, err := get("/readyz")
			if err != nil {
				fail("GET /readyz: %v", err)
				return
			}
			if code == 503 {
				sawUnreadyAt = time.Now()
				unready.Store(true)
				time.Sleep(reaction)
				stopSending.Store(true)
				return
			}
			if code != 200 {
				fail("GET /readyz = %d", code)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()

	time.Sleep(500 * time.Millisecond) // load before the signal
	signalled := time.Now()
	signalledAt.Store(signalled.UnixNano())
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-probeDone
	wg.Wait()
	code := p.wait(15 * time.Second)

	for _, f := range failures {
		t.Error(f)
	}
	if sawUnreadyAt.IsZero() {
		t.Fatal("readiness never turned 503")
	}
	// "At once" allows for the probe's own round trip on a busy machine.
	if lag := sawUnreadyAt.Sub(signalled); lag > delay-reaction {
		t.Errorf("readiness turned 503 %s after SIGTERM, want at once (well within the %s delay)", lag, delay)
	}
	if afterReady.Load() == 0 {
		t.Error("no request was served after readiness turned 503: the server stopped before the load balancer could notice")
	}
	if drained.Load() == 0 {
		t.Error("no slow request was in flight when the server stopped accepting: the drain went untested")
	}
	if code != 0 {
		t.Errorf("exit code = %d, want 0", code)
	}
	t.Logf("%d requests sent, %d succeeded, %d served while not ready, %d drained after the listener closed", sent.Load(), ok.Load(), afterReady.Load(), drained.Load())
	if sent.Load() != ok.Load() {
		t.Errorf("%d of %d requests failed", sent.Load()-ok.Load(), sent.Load())
	}
}

// TestSecondSignalExitsAtOnce checks that a second SIGTERM ends the process
// without waiting for the drain.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	p := start(t, nil, "--server-shutdown-delay=30s")
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.waitLog(func(l map[string]any) bool { return l["delay"] == "30s" })
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.wait(5 * time.Second)
}
