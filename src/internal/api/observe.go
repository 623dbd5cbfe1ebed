package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/deliverykit/podinfo/src/internal/correlation"
	"github.com/deliverykit/podinfo/src/internal/emf"
	"github.com/deliverykit/podinfo/src/internal/logging"
	"github.com/deliverykit/podinfo/src/internal/version"
)

// correlationHeaderKey is correlation.Header in canonical form, so the
// header can be assigned without canonicalising it per request.
var correlationHeaderKey = http.CanonicalHeaderKey(correlation.Header)

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
		w.Header()[correlationHeaderKey] = []string{ex.id}
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
		e.Data = logrus.Fields{"request": &requestLine{
			id: ex.id, target: s.opts.Target, method: r.Method, route: ex.route.template, path: r.URL.Path,
			status: status, took: took, bytes: ex.bytes,
		}}
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

// requestLine holds the fields of the per-request log line. It is written
// inline (see logging.Inline): one map entry instead of nine keeps the
// line cheap enough to log every request at info.
type requestLine struct {
	id, target, method, route, path string
	status                          int
	took                            time.Duration
	bytes                           int64
}

var _ logging.Inline = (*requestLine)(nil)

// AppendJSONFields writes the request fields: correlation_id, target,
// version, method, route, path, status, duration_ms and bytes.
func (l *requestLine) AppendJSONFields(b []byte) []byte {
	b = append(b, `,"correlation_id":`...)
	b = logging.AppendString(b, l.id)
	b = append(b, `,"target":`...)
	b = logging.AppendString(b, l.target)
	b = append(b, `,"version":`...)
	b = logging.AppendString(b, version.Version)
	b = append(b, `,"method":`...)
	b = logging.AppendString(b, l.method)
	b = append(b, `,"route":`...)
	b = logging.AppendString(b, l.route)
	b = append(b, `,"path":`...)
	b = logging.AppendString(b, l.path)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(l.status), 10)
	b = append(b, `,"duration_ms":`...)
	b = strconv.AppendFloat(b, float64(l.took.Microseconds())/1000, 'f', -1, 64)
	b = append(b, `,"bytes":`...)
	return strconv.AppendInt(b, l.bytes, 10)
}
