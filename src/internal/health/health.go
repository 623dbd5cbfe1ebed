// Package health holds one server's liveness, readiness and fault-injection
// switches. Each server owns its own State (never a package variable), so
// nothing leaks between Lambda invocations or between tests.
package health

import "sync/atomic"

// State is safe for concurrent use. The zero value is unhealthy, not ready
// and without fault injection.
type State struct {
	healthy atomic.Bool
	ready   atomic.Bool
	fault   atomic.Bool
}

// New returns a State with the given liveness and readiness.
func New(healthy, ready bool) *State {
	s := &State{}
	s.healthy.Store(healthy)
	s.ready.Store(ready)
	return s
}

// Healthy reports whether /healthz answers 200.
func (s *State) Healthy() bool { return s.healthy.Load() }

// SetHealthy sets liveness.
func (s *State) SetHealthy(v bool) { s.healthy.Store(v) }

// Ready reports whether /readyz answers 200.
func (s *State) Ready() bool { return s.ready.Load() }

// SetReady sets readiness.
func (s *State) SetReady(v bool) { s.ready.Store(v) }

// Fault reports whether fault injection is on.
func (s *State) Fault() bool { return s.fault.Load() }

// SetFault turns fault injection on or off.
func (s *State) SetFault(v bool) { s.fault.Store(v) }
