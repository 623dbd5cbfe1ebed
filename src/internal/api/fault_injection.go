package api

import (
	"net/http"
	"strings"
)

// faultExcluded lists what keeps working while fault injection is on, as in
// podinfo: the switch itself, the probes and the metrics, so the platform
// does not replace the instance while clients see its faults.
func faultExcluded(path string) bool {
	return strings.HasPrefix(path, "/fault_injection") || path == "/healthz" || path == "/readyz" || path == "/metrics"
}

// faultInjection answers 500 to every other request while the switch is on.
func (s *Server) faultInjection(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.opts.State.Fault() && !faultExcluded(r.URL.Path) {
			writeError(w, http.StatusInternalServerError, "fault injection enabled")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func faultState(on bool) map[string]string {
	if on {
		return map[string]string{"fault_injection": "enabled"}
	}
	return map[string]string{"fault_injection": "disabled"}
}

// enableFault serves POST /fault_injection/enable: 202, faults on.
func (s *Server) enableFault(w http.ResponseWriter, r *http.Request) {
	s.opts.State.SetFault(true)
	writeJSON(w, http.StatusAccepted, faultState(true))
}

// disableFault serves POST /fault_injection/disable: 202, faults off.
func (s *Server) disableFault(w http.ResponseWriter, r *http.Request) {
	s.opts.State.SetFault(false)
	writeJSON(w, http.StatusAccepted, faultState(false))
}

// faultStatus serves GET /fault_injection/status.
func (s *Server) faultStatus(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, faultState(s.opts.State.Fault()))
}
