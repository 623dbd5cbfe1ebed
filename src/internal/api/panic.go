package api

import "net/http"

// panicHandler serves GET /panic: ends the process with exit code 255, as
// podinfo does, to exercise restarts.
func (s *Server) panicHandler(w http.ResponseWriter, r *http.Request) {
	s.logFor(r).Warn("panic command received, exiting with code 255")
	s.opts.Exit(255)
}
