package lambdahttp

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// recorder is the buffering http.ResponseWriter handlers write into. API
// Gateway HTTP APIs return a Lambda response only once it is complete, so
// streaming handlers are buffered and Flush is a no-op.
type recorder struct {
	header http.Header
	sent   http.Header // header as it was at the final WriteHeader
	status int         // final status, 0 until WriteHeader or Write
	body   bytes.Buffer
}

var _ http.Flusher = (*recorder)(nil)

func newRecorder() *recorder { return &recorder{header: make(http.Header)} }

// Header implements http.ResponseWriter.
func (w *recorder) Header() http.Header { return w.header }

// WriteHeader implements http.ResponseWriter with net/http's rules: the
// first final status wins, informational (1xx) statuses are not final, and a
// status outside 100-999 is a programming error that panics.
func (w *recorder) WriteHeader(code int) {
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if w.status != 0 || (code >= 100 && code <= 199 && code != http.StatusSwitchingProtocols) {
		return
	}
	w.status = code
	// As net/http: header changes after WriteHeader do not reach the client.
	w.sent = w.header.Clone()
}

// Write implements http.ResponseWriter.
func (w *recorder) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.body.Write(p)
}

// WriteString lets io.WriteString skip a copy.
func (w *recorder) WriteString(s string) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.body.WriteString(s)
}

// Flush implements http.Flusher; the response is sent whole at the end.
func (w *recorder) Flush() {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
}

// hopHeaders are connection-level or framing headers that describe one
// HTTP/1.1 hop; API Gateway frames the response it sends itself.
var hopHeaders = []string{
	"Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding",
	"Upgrade", "Trailer", "Te", "Content-Length",
}

// response turns what the handler wrote into an event response.
func (w *recorder) response(method string) events.APIGatewayV2HTTPResponse {
	status, header := w.status, w.sent
	if status == 0 {
		status, header = http.StatusOK, w.header
	}
	body := w.body.Bytes()
	if method == http.MethodHead || !bodyAllowed(status) {
		body = nil
	}
	// Sniff a missing Content-Type, as net/http does, unless the handler
	// set the key to nil to suppress it.
	if _, set := header["Content-Type"]; !set && len(body) > 0 {
		header.Set("Content-Type", http.DetectContentType(body))
	}

	resp := events.APIGatewayV2HTTPResponse{StatusCode: status, Headers: make(map[string]string, len(header))}
	for _, h := range hopHeaders {
		delete(header, h)
	}
	for k, vs := range header {
		if len(vs) == 0 {
			continue
		}
		if k == "Set-Cookie" {
			resp.Cookies = append(resp.Cookies, vs...)
			continue
		}
		resp.Headers[k] = strings.Join(vs, ",")
	}
	if len(body) == 0 {
		return resp
	}
	if IsTextual(header.Get("Content-Type")) && utf8.Valid(body) {
		resp.Body = string(body)
	} else {
		resp.Body = base64.StdEncoding.EncodeToString(body)
		resp.IsBase64Encoded = true
	}
	return resp
}

// bodyAllowed reports whether a response with status may carry a body
// (RFC 9110: not 1xx, 204 or 304).
func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// IsTextual reports whether a response of media type contentType is sent to
// API Gateway as text rather than base64. Textual types are text/*, JSON,
// XML, YAML and JavaScript (including the +json, +xml and +yaml suffixes),
// form data, NDJSON and OpenMetrics. The body must also be valid UTF-8 to go
// as text; every other body is base64-encoded, which API Gateway decodes
// byte for byte.
func IsTextual(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	if strings.HasPrefix(mt, "text/") {
		return true
	}
	typ, sub, ok := strings.Cut(mt, "/")
	if !ok || typ != "application" {
		return typ == "image" && sub == "svg+xml"
	}
	switch sub {
	case "json", "xml", "yaml", "x-yaml", "javascript", "ecmascript",
		"x-www-form-urlencoded", "x-ndjson", "ndjson", "openmetrics-text", "graphql":
		return true
	}
	return strings.HasSuffix(sub, "+json") || strings.HasSuffix(sub, "+xml") || strings.HasSuffix(sub, "+yaml")
}

// errorResponse answers in podinfo's error shape, with the matching status.
func errorResponse(code int, msg string) events.APIGatewayV2HTTPResponse {
	b, err := json.Marshal(struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}{code, msg})
	if err != nil { // two plain fields cannot fail to marshal
		b = []byte(fmt.Sprintf(`{"code":%d,"message":"internal error"}`, code))
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: code,
		Headers:    map[string]string{"Content-Type": "application/json; charset=utf-8"},
		Body:       string(b),
	}
}
