package api

import (
	"net/http"

	"github.com/deliverykit/podinfo/src/internal/redact"
)

// env serves GET|POST /env: the environment as a JSON array of "NAME=value"
// strings, with credentials redacted by the rule of package redact.
func (s *Server) env(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, redact.Environ(s.opts.Environ()))
}
