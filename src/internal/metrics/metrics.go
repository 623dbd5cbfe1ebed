// Package metrics records the service's Prometheus metrics under podinfo's
// names: the http_request_duration_seconds histogram (labels method, path,
// status) and the http_requests_total counter (label status), plus the Go
// runtime and process collectors podinfo exposes through the default
// registry. Each Metrics has its own registry, so servers never share state.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics records request durations and counts.
type Metrics struct {
	registry *prometheus.Registry
	duration *prometheus.HistogramVec
	requests *prometheus.CounterVec
}

// New returns Metrics registered on a fresh registry.
func New() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Subsystem: "http",
			Name:      "request_duration_seconds",
			Help:      "Seconds spent serving HTTP requests.",
			Buckets:   prometheus.DefBuckets,
		}, []string{"method", "path", "status"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Subsystem: "http",
			Name:      "requests_total",
			Help:      "The total number of HTTP requests.",
		}, []string{"status"}),
	}
	m.registry.MustRegister(
		m.duration,
		m.requests,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// Observe records one request: method, the path label (see Label), the
// response status and how long it took.
func (m *Metrics) Observe(method, path string, status int, took time.Duration) {
	s := StatusText(status)
	m.duration.WithLabelValues(method, path, s).Observe(took.Seconds())
	m.requests.WithLabelValues(s).Inc()
}

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// Gatherer exposes the registry to tests and to other exporters.
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.registry }

// statusTexts holds the decimal form of every valid HTTP status, so the hot
// path does not format a new string per request. It is never written after
// package initialisation.
var statusTexts = func() [600]string {
	var t [600]string
	for i := range t {
		t[i] = strconv.Itoa(i)
	}
	return t
}()

// StatusText returns status in decimal.
func StatusText(status int) string {
	if status >= 0 && status < len(statusTexts) {
		return statusTexts[status]
	}
	return strconv.Itoa(status)
}

// Label turns a route template or name into a Prometheus label value the
// way podinfo does: runs of characters other than ASCII letters and digits
// become "_", leading and trailing "_" are dropped, the result is lower
// case, and an empty result is "root". "/api/info" becomes "api_info".
func Label(route string) string {
	b := make([]byte, 0, len(route))
	under := false
	for i := 0; i < len(route); i++ {
		c := route[i]
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
			fallthrough
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			if under && len(b) > 0 {
				b = append(b, '_')
			}
			under = false
			b = append(b, c)
		default:
			under = true
		}
	}
	if len(b) == 0 {
		return "root"
	}
	return string(b)
}
