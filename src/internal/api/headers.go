package api

import "net/http"

// headers serves GET|POST /headers: the request headers as a JSON object of
// arrays.
func (s *Server) headers(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, r.Header)
}
