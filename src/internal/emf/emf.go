// Package emf writes request metrics as CloudWatch Embedded Metric Format
// log lines. On Lambda, stdout goes to CloudWatch Logs, which extracts the
// metrics from these lines without any API call or agent.
//
// Format: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
package emf

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"
)

// Record is one served request.
type Record struct {
	// Route is the route template ("/delay/{wait}"), the metrics' dimension.
	Route string
	// Method and Status are written as properties (searchable, not dimensions).
	Method string
	Status int
	// Duration is how long the request took.
	Duration time.Duration
	// Bytes is the size of the response body.
	Bytes int64
	// CorrelationID, Target and Version are written as properties so the
	// line can be found from any other line of the same request.
	CorrelationID string
	Target        string
	Version       string
}

// Writer writes one EMF line per Record. It is safe for concurrent use.
type Writer struct {
	mu        sync.Mutex
	out       io.Writer
	namespace string
	now       func() time.Time
}

// New returns a Writer emitting metrics in namespace to out.
func New(out io.Writer, namespace string) *Writer {
	return &Writer{out: out, namespace: namespace, now: time.Now}
}

type metricDef struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

type directive struct {
	Namespace  string      `json:"Namespace"`
	Dimensions [][]string  `json:"Dimensions"`
	Metrics    []metricDef `json:"Metrics"`
}

type metadata struct {
	Timestamp         int64       `json:"Timestamp"`
	CloudWatchMetrics []directive `json:"CloudWatchMetrics"`
}

type line struct {
	AWS           metadata `json:"_aws"`
	Route         string   `json:"Route"`
	Method        string   `json:"Method"`
	Status        int      `json:"Status"`
	Duration      float64  `json:"RequestDuration"`
	Requests      int      `json:"Requests"`
	Errors        int      `json:"Errors"`
	Bytes         int64    `json:"ResponseBytes"`
	CorrelationID string   `json:"correlation_id"`
	Target        string   `json:"target"`
	Version       string   `json:"version"`
}

var metricDefs = []metricDef{
	{Name: "RequestDuration", Unit: "Milliseconds"},
	{Name: "Requests", Unit: "Count"},
	{Name: "Errors", Unit: "Count"},
	{Name: "ResponseBytes", Unit: "Bytes"},
}

// Write emits rec as one line: RequestDuration (ms), Requests (1), Errors
// (1 for a 5xx status) and ResponseBytes, with the Route dimension.
func (w *Writer) Write(rec Record) error {
	errs := 0
	if rec.Status >= 500 {
		errs = 1
	}
	l := line{
		AWS: metadata{
			Timestamp: w.now().UnixMilli(),
			CloudWatchMetrics: []directive{{
				Namespace:  w.namespace,
				Dimensions: [][]string{{"Route"}},
				Metrics:    metricDefs,
			}},
		},
		Route:         rec.Route,
		Method:        rec.Method,
		Status:        rec.Status,
		Duration:      float64(rec.Duration.Microseconds()) / 1000,
		Requests:      1,
		Errors:        errs,
		Bytes:         rec.Bytes,
		CorrelationID: rec.CorrelationID,
		Target:        rec.Target,
		Version:       rec.Version,
	}
	b, err := json.Marshal(l)
	if err != nil {
		return fmt.Errorf("encode EMF line for %s: %w", rec.Route, err)
	}
	b = append(b, '\n')
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := w.out.Write(b); err != nil {
		return fmt.Errorf("write EMF line: %w", err)
	}
	return nil
}
