package api

import (
	"errors"
	"math/rand/v2"
	"net/http"
	"time"
)

// chunked serves /chunked/{seconds} (and /chunked, which picks a random
// wait up to the cap, as podinfo does): it sends the headers at once with
// chunked transfer encoding, waits, then writes {"delay": seconds}.
func (s *Server) chunked(w http.ResponseWriter, r *http.Request) {
	n := rand.IntN(s.opts.Config.DelayMax + 1)
	if _, given := muxVar(r, "wait"); given {
		var ok bool
		if n, ok = s.parseWait(w, r); !ok {
			return
		}
	}
	h := w.Header()
	h.Set("Content-Type", contentTypeJSON)
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	// Without a flusher (Lambda buffers the whole response) the answer
	// simply arrives at the end.
	if err := http.NewResponseController(w).Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return // the client is gone
	}
	if !sleep(r, time.Duration(n)*time.Second) {
		return
	}
	body, _ := jsonIndent(map[string]int{"delay": n})
	_, _ = w.Write(body)
}
