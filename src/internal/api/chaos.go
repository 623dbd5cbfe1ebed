package api

import (
	"math/rand/v2"
	"net/http"
	"time"
)

// randomDelay (--random-delay) waits a random time between
// --random-delay-min and --random-delay-max (unit --random-delay-unit)
// before serving each request, as podinfo does.
func (s *Server) randomDelay(next http.Handler) http.Handler {
	c := s.opts.Config
	unit := time.Second
	if c.RandomDelayUnit == "ms" {
		unit = time.Millisecond
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := c.RandomDelayMin + rand.IntN(c.RandomDelayMax-c.RandomDelayMin+1)
		if !sleep(r, time.Duration(n)*unit) {
			return
		}
		next.ServeHTTP(w, r)
	})
}

var randomErrors = []int{http.StatusInternalServerError, http.StatusBadRequest, http.StatusConflict}

// randomError (--random-error) answers one request in three with 500, 400
// or 409, as podinfo does.
func (s *Server) randomError(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rand.IntN(3) == 0 {
			code := randomErrors[rand.IntN(len(randomErrors))]
			s.logFor(r).WithField("status", code).Warn("random error injected")
			writeError(w, code, "random error")
			return
		}
		next.ServeHTTP(w, r)
	})
}
