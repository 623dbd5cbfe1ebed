package api

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gorilla/mux"
)

// status serves GET|POST|PUT /status/{code}: answers with that status and
// {"status": code}. Codes outside 200-599 (a response cannot carry a 1xx
// final status) and non-numbers get 400.
func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	raw := mux.Vars(r)["code"]
	code, err := strconv.Atoi(raw)
	if err != nil || code < 200 || code > 599 {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("status code %q: want a number from 200 to 599", raw))
		return
	}
	writeJSON(w, code, map[string]int{"status": code})
}
