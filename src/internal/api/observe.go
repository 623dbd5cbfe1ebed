package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/deliverykit/podinfo/src/internal/correlation"
	"github.com/deliverykit/podinfo/src/internal/emf"
	"github.com/deliverykit/podinfo/src/internal/logging"
	"github.com/deliverykit/podinfo/src/internal/version"
)

// unmatched is the route of requests no route answered (404, 405, and
// requests refused before routing), so they share one metric series.
var unmatched = &route{template: "unmatched", label: "unmatched"}

// exchange is one request in flight: it wraps the ResponseWriter to record
// the status and size, and carries the correlation ID and route for the
// observe middleware. Handlers reach it through the request context.
type exchange struct {
	http.ResponseWriter
	s           *Server
	id          string
	route       *route
	status      int
	bytes       int64
	wroteHeader bool
	entry       *logrus.Entry
}

type exchangeKey struct{}

func exchangeFrom(ctx context.Context) *exchange {
	ex, _ := ctx.Value(exchangeKey{}).(*exchange)
	return ex
}

// WriteHeader records the final status.
func (ex *exchange) WriteHeader(code int) {
	if !ex.wroteHeader && code >= 200 {
		ex.status = code
		ex.wroteHeader = true
	}
	ex.ResponseWriter.WriteHeader(code)
}

// Write counts the body bytes.
func (ex *exchange) Write(b []byte) (int, error) {
	if !ex.wroteHeader {
		ex.status = http.StatusOK
		ex.wroteHeader = true
	}
	n, err := ex.ResponseWriter.Write(b)
	ex.bytes += int64(n)
	return n, err
}

// Flush sends buffered data to the client when the underlying writer can.
func (ex *exchange) Flush() {
	if !ex.wroteHeader {
		ex.status = http.StatusOK
		ex.wroteHeader = true
	}
	_ = http.NewResponseController(ex.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (ex *exchange) Unwrap() http.ResponseWriter { return ex.ResponseWriter }

// log returns the entry for lines written while serving this request: it
// carries the correlation ID, target and version.
func (ex *exchange) log() *logrus.Entry {
	if ex.entry == nil {
		ex.entry = ex.s.opts.Log.WithFields(logrus.Fields{
			"correlation_id": ex.id,
			"target":         ex.s.opts.Target,
			"version":        version.Version,
		})
	}
	return ex.entry
}

// logFor returns the request's log entry (see exchange.log).
func (s *Server) logFor(r *http.Request) *logrus.Entry {
	if ex := exchangeFrom(r.Context()); ex != nil {
		return ex.log()
	}
	return logging.FromContext(r.Context())
}

// observe assigns the correlation ID, echoes it in the response, recovers
// from handler panics, and after the handler returns writes the request log
// line, records the Prometheus metrics and, on Lambda, the EMF line.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ex := &exchange{ResponseWriter: w, s: s, id: correlation.ID(r), route: unmatched}
		w.Header().Set(correlation.Header, ex.id)
		ctx := context.WithValue(r.Context(), exchangeKey{}, ex)
		r = r.WithContext(ctx)
		defer func() {
			if p := recover(); p != nil {
				if err, ok := p.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(p) // net/http's way to abort a response; let it through
				}
				ex.log().WithField("panic", fmt.Sprint(p)).Error("handler panicked")
				if !ex.wroteHeader {
					writeError(ex, http.StatusInternalServerError, "internal server error")
				}
			}
			s.record(ex, r, time.Since(start))
		}()
		next.ServeHTTP(ex, r)
	})
}

func (s *Server) record(ex *exchange, r *http.Request, took time.Duration) {
	status := ex.status
	if !ex.wroteHeader {
		status = http.StatusOK // net/http answers 200 for handlers that write nothing
	}
	s.opts.Metrics.Observe(r.Method, ex.route.label, status, took)
	if s.opts.Log.IsLevelEnabled(logrus.InfoLevel) {
		e := logrus.NewEntry(s.opts.Log)
		e.Data = logrus.Fields{
			"correlation_id": ex.id,
			"target":         s.opts.Target,
			"version":        version.Version,
			"method":         r.Method,
			"route":          ex.route.template,
			"path":           r.URL.Path,
			"status":         status,
			"duration_ms":    float64(took.Microseconds()) / 1000,
			"bytes":          ex.bytes,
		}
		e.Info("request")
	}
	if s.opts.EMF != nil {
		err := s.opts.EMF.Write(emf.Record{
			Route: ex.route.template, Method: r.Method, Status: status, Duration: took, Bytes: ex.bytes,
			CorrelationID: ex.id, Target: s.opts.Target, Version: version.Version,
		})
		if err != nil {
			ex.log().WithError(err).Warn("writing EMF metrics line failed")
		}
	}
}
