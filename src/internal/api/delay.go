package api

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"
)

// parseWait reads the {wait} path value: whole seconds from 0 to the
// configured cap. It answers 400 and returns ok false otherwise.
func (s *Server) parseWait(w http.ResponseWriter, r *http.Request) (seconds int, ok bool) {
	raw := mux.Vars(r)["wait"]
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 || n > s.opts.Config.DelayMax {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("delay %q: want whole seconds from 0 to %d", raw, s.opts.Config.DelayMax))
		return 0, false
	}
	return n, true
}

// sleep waits d or until the client goes away; it reports whether the
// whole wait elapsed.
func sleep(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// delay serves GET /delay/{seconds}: waits, then {"delay": seconds}.
func (s *Server) delay(w http.ResponseWriter, r *http.Request) {
	n, ok := s.parseWait(w, r)
	if !ok {
		return
	}
	if !sleep(r, time.Duration(n)*time.Second) {
		return // the client left; nobody to answer
	}
	writeJSON(w, http.StatusOK, map[string]int{"delay": n})
}
