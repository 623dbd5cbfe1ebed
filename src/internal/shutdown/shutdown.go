// Package shutdown serves HTTP until told to stop, then stops the way load
// balancers need: readiness turns 503 at once, the server keeps serving for
// a grace delay while the balancer notices, then stops accepting
// connections and drains in-flight requests within a deadline.
package shutdown

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/deliverykit/podinfo/src/internal/health"
)

// Options tune Serve.
type Options struct {
	// Delay is how long the server keeps serving, not ready, after ctx ends.
	Delay time.Duration
	// Timeout bounds the drain of in-flight requests after Delay.
	Timeout time.Duration
	// Log receives the shutdown steps.
	Log *logrus.Entry
}

// Serve serves srv on ln until ctx is done, then shuts down gracefully.
// It returns nil after a clean drain, an error when the server failed or
// the drain missed its deadline (remaining connections are then closed).
func Serve(ctx context.Context, srv *http.Server, ln net.Listener, state *health.State, opts Options) error {
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		return fmt.Errorf("serve on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}

	state.SetReady(false)
	state.SetHealthy(false)
	opts.Log.WithFields(logrus.Fields{"delay": opts.Delay.String(), "timeout": opts.Timeout.String()}).
		Info("shutting down: readiness is 503, waiting for the load balancer before draining")
	if opts.Delay > 0 {
		t := time.NewTimer(opts.Delay)
		select {
		case <-t.C:
		case err := <-served:
			t.Stop()
			return fmt.Errorf("serve on %s during shutdown delay: %w", ln.Addr(), err)
		}
	}

	drainCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), opts.Timeout)
	defer cancel()
	if err := srv.Shutdown(drainCtx); err != nil {
		closeErr := srv.Close()
		return errors.Join(fmt.Errorf("drain in-flight requests within %s: %w", opts.Timeout, err), closeErr)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve on %s: %w", ln.Addr(), err)
	}
	opts.Log.Info("shutdown complete: every in-flight request was answered")
	return nil
}
