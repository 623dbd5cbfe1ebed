// Package correlation picks the ID that ties together every log line, metric
// and response of one request.
package correlation

import (
	"crypto/rand"
	"net/http"
	"strings"

	"github.com/deliverykit/podinfo/src/internal/reqctx"
)

// Header is the response header the chosen ID is echoed in (and the first
// request header it is taken from).
const Header = "X-Correlation-ID"

// Request headers consulted after Header, in order.
const (
	RequestIDHeader = "X-Request-ID"
	ALBTraceHeader  = "X-Amzn-Trace-Id"
)

// MaxLen is the longest ID accepted from a client; longer or non-printable
// values are ignored so that clients cannot stuff log lines.
const MaxLen = 128

// ID returns the request's correlation ID: the X-Correlation-ID header,
// else X-Request-ID, else the API Gateway request ID of the Lambda
// invocation, else the Root of the ALB's X-Amzn-Trace-Id header, else a
// new random UUID. Client-supplied values that are empty, longer than
// MaxLen or hold anything but printable ASCII are skipped.
func ID(r *http.Request) string {
	if id := r.Header.Get(Header); valid(id) {
		return id
	}
	if id := r.Header.Get(RequestIDHeader); valid(id) {
		return id
	}
	if inv, ok := reqctx.InvocationFrom(r.Context()); ok && valid(inv.RequestID) {
		return inv.RequestID
	}
	if id := traceRoot(r.Header.Get(ALBTraceHeader)); valid(id) {
		return id
	}
	return New()
}

// traceRoot returns the Root field of an X-Amzn-Trace-Id value
// ("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"), or the whole
// value when it has no Root field.
func traceRoot(v string) string {
	for part := range strings.SplitSeq(v, ";") {
		if root, ok := strings.CutPrefix(strings.TrimSpace(part), "Root="); ok {
			return root
		}
	}
	return v
}

func valid(id string) bool {
	if id == "" || len(id) > MaxLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

// New returns a random (version 4) UUID.
func New() string {
	var u [16]byte
	_, _ = rand.Read(u[:]) // crypto/rand.Read never returns an error (Go 1.24+).
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	const hex = "0123456789abcdef"
	var out [36]byte
	j := 0
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j], out[j+1] = hex[c>>4], hex[c&0xf]
		j += 2
	}
	return string(out[:])
}
