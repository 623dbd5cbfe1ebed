package api

import (
	"net/http"

	"github.com/deliverykit/podinfo/src/internal/version"
)

// versionHandler serves GET /version: {"commit": ..., "version": ...}.
func (s *Server) versionHandler(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"commit": version.Revision, "version": version.Version})
}
