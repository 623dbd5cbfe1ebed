package api

import "net/http"

// echo serves /echo and /api/echo (any method, and any path below them):
// 202 with the request body echoed byte for byte, typed
// application/octet-stream so browsers never run it.
func (s *Server) echo(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'")
	h.Set("X-Color", s.opts.Config.UIColor)
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write(body)
}
