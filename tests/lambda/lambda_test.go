package lambda

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// event reads a golden payload-v2 event from testdata.
func event(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "event_"+name+".json"))
	if err != nil {
		t.Fatalf("read golden event: %v", err)
	}
	return b
}

// eventFields decodes the few fields of a golden event the checks compare
// against.
type eventFields struct {
	Body            string `json:"body"`
	IsBase64Encoded bool   `json:"isBase64Encoded"`
	RequestContext  struct {
		RequestID string `json:"requestId"`
	} `json:"requestContext"`
}

func fields(t *testing.T, payload []byte) eventFields {
	t.Helper()
	var f eventFields
	if err := json.Unmarshal(payload, &f); err != nil {
		t.Fatalf("golden event does not decode: %v", err)
	}
	return f
}

// podinfoError is podinfo's error body.
type podinfoError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func decodeStrict(t *testing.T, body string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("response body %q does not decode into %T: %v", body, v, err)
	}
}

const jsonType = "application/json; charset=utf-8"

// TestLambdaMode runs the service binary under the runtime interface
// emulator and invokes it with payload-v2 events, in order, on one warm
// function process: a case that crashed the process would fail every case
// after it.
func TestLambdaMode(t *testing.T) {
	emu := startEmulator(t)
	ctx := context.Background()

	tests := []struct {
		name   string
		event  string // golden event name; empty when raw is set
		raw    string // a raw payload instead of a golden event
		status int
		check  func(t *testing.T, ev []byte, r apiResponse)
	}{
		{
			name: "GET with query string and cookies", event: "get_query_cookies", status: 200,
			check: func(t *testing.T, ev []byte, r apiResponse) {
				var headers map[string][]string
				decodeStrict(t, r.Body, &headers)
				got := map[string]any{
					"content type":    r.Headers["Content-Type"],
					"correlation id":  r.Headers["X-Correlation-Id"],
					"base64":          r.IsBase64Encoded,
					"Cookie":          headers["Cookie"],
					"X-Multi":         headers["X-Multi"],
					"X-Forwarded-For": headers["X-Forwarded-For"],
					"Host in headers": headers["Host"],
				}
				want := map[string]any{
					"content type":    jsonType,
					"correlation id":  fields(t, ev).RequestContext.RequestID,
					"base64":          false,
					"Cookie":          []string{"session=abc123; theme=dark"},
					"X-Multi":         []string{"one,two"},
					"X-Forwarded-For": []string{"205.255.255.176"},
					"Host in headers": []string(nil),
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("GET /headers (-want +got):\n%s", diff)
				}
				// The request log line ties the adapter's reqctx.Invocation
				// to the service's middleware: the API Gateway request ID is
				// the correlation ID and the target is lambda.
				line := emu.logLine(t, "/headers")
				wantLine := map[string]any{"correlation_id": fields(t, ev).RequestContext.RequestID, "target": "lambda", "method": "GET", "status": float64(200)}
				gotLine := map[string]any{}
				for k := range wantLine {
					gotLine[k] = line[k]
				}
				if diff := cmp.Diff(wantLine, gotLine); diff != "" {
					t.Errorf("request log line (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "POST with a base64 binary body echoes it byte for byte", event: "post_base64_binary", status: 202,
			check: func(t *testing.T, ev []byte, r apiResponse) {
				f := fields(t, ev)
				sent, err := base64.StdEncoding.DecodeString(f.Body)
				if err != nil || !f.IsBase64Encoded {
					t.Fatalf("golden event body is not base64: %v", err)
				}
				got, err := base64.StdEncoding.DecodeString(r.Body)
				if err != nil {
					t.Fatalf("response body is not base64: %v", err)
				}
				type view struct {
					ContentType string
					Base64      bool
					Body        []byte
				}
				if diff := cmp.Diff(view{"application/octet-stream", true, sent}, view{r.Headers["Content-Type"], r.IsBase64Encoded, got}); diff != "" {
					t.Errorf("POST /echo (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "unknown route is 404 in podinfo's error shape", event: "not_found", status: 404,
			check: wantError(404),
		},
		{
			name: "handler that writes no body", event: "writes_nothing", status: 202,
			check: func(t *testing.T, _ []byte, r apiResponse) {
				type view struct {
					Body   string
					Base64 bool
				}
				if diff := cmp.Diff(view{}, view{r.Body, r.IsBase64Encoded}); diff != "" {
					t.Errorf("POST /readyz/enable (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "streaming handler is buffered whole", event: "chunked", status: 200,
			check: func(t *testing.T, _ []byte, r apiResponse) {
				var body map[string]int
				decodeStrict(t, r.Body, &body)
				type view struct {
					ContentType, TransferEncoding string
					Body                          map[string]int
				}
				if diff := cmp.Diff(view{jsonType, "", map[string]int{"delay": 0}}, view{r.Headers["Content-Type"], r.Headers["Transfer-Encoding"], body}); diff != "" {
					t.Errorf("GET /chunked/0 (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "wrong method is 405", event: "wrong_method", status: 405,
			check: wantError(405),
		},
		{
			name: "malformed base64 body is 400", event: "malformed_base64", status: 400,
			check: func(t *testing.T, ev []byte, r apiResponse) {
				wantError(400)(t, ev, r)
				var e podinfoError
				decodeStrict(t, r.Body, &e)
				if !strings.Contains(e.Message, "not valid standard base64") {
					t.Errorf("message %q does not say the body is not valid base64", e.Message)
				}
			},
		},
		{
			name: "payload that is not an event is a function error, not a crash", raw: `{"version":`,
			check: nil, // handled below: the emulator relays the function error
		},
		{
			name: "GET /api/info after all of the above", event: "api_info", status: 200,
			check: func(t *testing.T, _ []byte, r apiResponse) {
				var info map[string]string // podinfo's fields are all strings
				decodeStrict(t, r.Body, &info)
				var missing []string
				for _, k := range []string{"hostname", "version", "revision", "color", "logo", "message", "goos", "goarch", "runtime", "num_goroutine", "num_cpu"} {
					if _, ok := info[k]; !ok {
						missing = append(missing, k)
					}
				}
				if diff := cmp.Diff([]string(nil), missing); diff != "" {
					t.Errorf("/api/info lacks fields (-want +got):\n%s", diff)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			payload := []byte(tt.raw)
			if tt.event != "" {
				payload = event(t, tt.event)
			}
			out, err := emu.invoke(ctx, payload)
			if err != nil {
				t.Fatal(err)
			}
			if tt.raw != "" {
				var fnErr struct {
					ErrorMessage string `json:"errorMessage"`
					ErrorType    string `json:"errorType"`
				}
				if err := json.Unmarshal(out, &fnErr); err != nil || fnErr.ErrorType != "payloadError" || !strings.HasPrefix(fnErr.ErrorMessage, "decode invocation payload as an API Gateway HTTP API (payload format 2.0) event") {
					t.Errorf("function error = %s, want errorType payloadError and an errorMessage saying the payload is not a payload-v2 event", out)
				}
				return
			}
			r, err := decodeResponse(out)
			if err != nil {
				t.Fatal(err)
			}
			if r.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d (body %q)", r.StatusCode, tt.status, r.Body)
			}
			tt.check(t, payload, r)
		})
	}
}

// wantError checks podinfo's error shape with the matching status.
func wantError(code int) func(t *testing.T, _ []byte, r apiResponse) {
	return func(t *testing.T, _ []byte, r apiResponse) {
		t.Helper()
		var e podinfoError
		decodeStrict(t, r.Body, &e)
		type view struct {
			ContentType string
			Base64      bool
			Code        int
			HasMessage  bool
		}
		if diff := cmp.Diff(view{jsonType, false, code, true}, view{r.Headers["Content-Type"], r.IsBase64Encoded, e.Code, e.Message != ""}); diff != "" {
			t.Errorf("error response (-want +got):\n%s", diff)
		}
	}
}
