package health

import "testing"

func TestState(t *testing.T) {
	s := New(true, false)
	if !s.Healthy() || s.Ready() || s.Fault() {
		t.Fatalf("New(true, false) = healthy %v ready %v fault %v", s.Healthy(), s.Ready(), s.Fault())
	}
	s.SetReady(true)
	s.SetHealthy(false)
	s.SetFault(true)
	if s.Healthy() || !s.Ready() || !s.Fault() {
		t.Errorf("after toggling: healthy %v ready %v fault %v", s.Healthy(), s.Ready(), s.Fault())
	}
	var zero State
	if zero.Healthy() || zero.Ready() || zero.Fault() {
		t.Error("zero State is not all off")
	}
}
