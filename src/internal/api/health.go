package api

import "net/http"

// healthBody is the body of a passing probe, {"status":"OK"}.
type healthBody struct {
	Status string `json:"status"`
}

// healthz serves GET /healthz: 200 {"status":"OK"} while healthy, else 503.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if s.opts.State.Healthy() {
		writeJSON(w, http.StatusOK, healthBody{Status: "OK"})
		return
	}
	writeError(w, http.StatusServiceUnavailable, "not healthy")
}

// readyz serves GET /readyz: 200 {"status":"OK"} while ready, else 503.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if s.opts.State.Ready() {
		writeJSON(w, http.StatusOK, healthBody{Status: "OK"})
		return
	}
	writeError(w, http.StatusServiceUnavailable, "not ready")
}

// enableReady serves POST /readyz/enable: 202, readiness on.
func (s *Server) enableReady(w http.ResponseWriter, r *http.Request) {
	s.opts.State.SetReady(true)
	w.WriteHeader(http.StatusAccepted)
}

// disableReady serves POST /readyz/disable: 202, readiness off.
func (s *Server) disableReady(w http.ResponseWriter, r *http.Request) {
	s.opts.State.SetReady(false)
	w.WriteHeader(http.StatusAccepted)
}
