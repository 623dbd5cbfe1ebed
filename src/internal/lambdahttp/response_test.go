package lambdahttp

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func decodeError(t *testing.T, body string) (int, string) {
	t.Helper()
	var e struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("error body %q is not podinfo's {\"code\",\"message\"} shape: %v", body, err)
	}
	return e.Code, e.Message
}

func TestResponseTranslation(t *testing.T) {
	png := []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0x0d, 'I', 'H', 'D', 'R'}
	latin1 := []byte("caf\xe9")
	jsonCT := map[string]string{"Content-Type": "application/json; charset=utf-8"}
	tests := []struct {
		name    string
		method  string
		handler http.HandlerFunc
		want    events.APIGatewayV2HTTPResponse
	}{
		{
			name:    "handler that writes nothing is 200 with an empty body",
			handler: func(http.ResponseWriter, *http.Request) {},
			want:    events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{}},
		},
		{
			name:    "headers only, no status",
			handler: func(w http.ResponseWriter, _ *http.Request) { w.Header().Set("X-Only", "1") },
			want:    events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{"X-Only": "1"}},
		},
		{
			name:    "status only",
			handler: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusAccepted) },
			want:    events.APIGatewayV2HTTPResponse{StatusCode: 202, Headers: map[string]string{}},
		},
		{
			name: "JSON is sent as text",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				io.WriteString(w, `{"message":"héllo <b>"}`)
			},
			want: events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: jsonCT, Body: `{"message":"héllo <b>"}`},
		},
		{
			name: "binary media type is base64",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "image/png")
				w.Write(png)
			},
			want: events.APIGatewayV2HTTPResponse{
				StatusCode: 200, Headers: map[string]string{"Content-Type": "image/png"},
				Body: base64.StdEncoding.EncodeToString(png), IsBase64Encoded: true,
			},
		},
		{
			name: "octet-stream that happens to be UTF-8 is still base64",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/octet-stream")
				io.WriteString(w, "abc")
			},
			want: events.APIGatewayV2HTTPResponse{
				StatusCode: 200, Headers: map[string]string{"Content-Type": "application/octet-stream"},
				Body: "YWJj", IsBase64Encoded: true,
			},
		},
		{
			name: "text type with invalid UTF-8 is base64",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/plain; charset=iso-8859-1")
				w.Write(latin1)
			},
			want: events.APIGatewayV2HTTPResponse{
				StatusCode: 200, Headers: map[string]string{"Content-Type": "text/plain; charset=iso-8859-1"},
				Body: base64.StdEncoding.EncodeToString(latin1), IsBase64Encoded: true,
			},
		},
		{
			name:    "missing content type is sniffed: text",
			handler: func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "plain words") },
			want: events.APIGatewayV2HTTPResponse{
				StatusCode: 200, Headers: map[string]string{"Content-Type": "text/plain; charset=utf-8"}, Body: "plain words",
			},
		},
		{
			name:    "missing content type is sniffed: binary",
			handler: func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte{0, 1, 2, 0xff}) },
			want: events.APIGatewayV2HTTPResponse{
				StatusCode: 200, Headers: map[string]string{"Content-Type": "application/octet-stream"},
				Body: "AAEC/w==", IsBase64Encoded: true,
			},
		},
		{
			name: "content type suppressed with a nil value is not sniffed",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header()["Content-Type"] = nil
				io.WriteString(w, "x")
			},
			want: events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{}, Body: "eA==", IsBase64Encoded: true},
		},
		{
			name: "Set-Cookie becomes cookies, repeated headers are comma-joined",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				http.SetCookie(w, &http.Cookie{Name: "a", Value: "1", Path: "/"})
				http.SetCookie(w, &http.Cookie{Name: "b", Value: "2", HttpOnly: true})
				w.Header().Add("Vary", "Accept")
				w.Header().Add("Vary", "Origin")
				w.WriteHeader(http.StatusCreated)
			},
			want: events.APIGatewayV2HTTPResponse{
				StatusCode: 201, Headers: map[string]string{"Vary": "Accept,Origin"},
				Cookies: []string{"a=1; Path=/", "b=2; HttpOnly"},
			},
		},
		{
			name: "framing and hop-by-hop headers are dropped",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				for _, h := range []string{"Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Upgrade", "Trailer"} {
					w.Header().Set(h, "x")
				}
				w.Header().Set("Content-Type", "text/plain")
				io.WriteString(w, "ok")
			},
			want: events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{"Content-Type": "text/plain"}, Body: "ok"},
		},
		{
			name:   "HEAD drops the body but keeps headers",
			method: http.MethodHead,
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				io.WriteString(w, "ignored")
			},
			want: events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{"Content-Type": "text/plain"}},
		},
		{
			name: "204 carries no body",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusNoContent)
				io.WriteString(w, "ignored")
			},
			want: events.APIGatewayV2HTTPResponse{StatusCode: 204, Headers: map[string]string{}},
		},
		{
			name: "header changes after WriteHeader do not count",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("X-Before", "1")
				w.WriteHeader(http.StatusTeapot)
				w.Header().Set("X-After", "1")
				w.WriteHeader(http.StatusInternalServerError)
			},
			want: events.APIGatewayV2HTTPResponse{StatusCode: 418, Headers: map[string]string{"X-Before": "1"}},
		},
		{
			name: "informational status is not final",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusEarlyHints)
				w.WriteHeader(http.StatusNotFound)
			},
			want: events.APIGatewayV2HTTPResponse{StatusCode: 404, Headers: map[string]string{}},
		},
		{
			name: "streamed writes are buffered whole",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				for i := 0; i < 3; i++ {
					io.WriteString(w, "chunk\n")
					w.(http.Flusher).Flush()
				}
			},
			want: events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{"Content-Type": "text/plain"}, Body: "chunk\nchunk\nchunk\n"},
		},
		{
			name:    "panic is 500 in podinfo's error shape",
			handler: func(http.ResponseWriter, *http.Request) { panic("boom") },
			want:    events.APIGatewayV2HTTPResponse{StatusCode: 500, Headers: jsonCT, Body: `{"code":500,"message":"Internal Server Error"}`},
		},
		{
			name: "panic after a partial write discards it",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("X-Partial", "1")
				io.WriteString(w, "half")
				panic("boom")
			},
			want: events.APIGatewayV2HTTPResponse{StatusCode: 500, Headers: jsonCT, Body: `{"code":500,"message":"Internal Server Error"}`},
		},
		{
			name:    "invalid status code panics like net/http and is answered 500",
			handler: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(42) },
			want:    events.APIGatewayV2HTTPResponse{StatusCode: 500, Headers: jsonCT, Body: `{"code":500,"message":"Internal Server Error"}`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := getEvent()
			if tt.method != "" {
				ev.RequestContext.HTTP.Method = tt.method
			}
			h := NewHandler(tt.handler)
			h.ErrorLog = log.New(io.Discard, "", 0)
			got, err := h.Invoke(lambdaCtx(), ev)
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPanicIsLogged(t *testing.T) {
	tests := []struct {
		name    string
		value   any
		wantLog []string // substrings; none when empty
	}{
		{name: "ordinary panic", value: "boom", wantLog: []string{"lambdahttp: panic serving GET /api/info: boom", "goroutine"}},
		{name: "ErrAbortHandler is silent, as in net/http", value: http.ErrAbortHandler},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			h := NewHandler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(tt.value) }))
			h.ErrorLog = log.New(&buf, "", 0)
			resp, err := h.Invoke(lambdaCtx(), getEvent())
			if err != nil || resp.StatusCode != 500 {
				t.Fatalf("Invoke = %d, %v; want 500, nil", resp.StatusCode, err)
			}
			var missing []string
			for _, s := range tt.wantLog {
				if !strings.Contains(buf.String(), s) {
					missing = append(missing, s)
				}
			}
			if len(tt.wantLog) == 0 && buf.Len() > 0 {
				missing = append(missing, "(no log expected) got "+buf.String())
			}
			if diff := cmp.Diff([]string(nil), missing); diff != "" {
				t.Errorf("panic log %q lacks (-want +got):\n%s", buf.String(), diff)
			}
		})
	}
}

func TestIsTextual(t *testing.T) {
	tests := map[string]bool{
		"text/plain":                             true,
		"text/html; charset=utf-8":               true,
		"TEXT/CSV":                               true,
		"application/json":                       true,
		"application/problem+json":               true,
		"application/vnd.api+json; charset=utf8": true,
		"application/xml":                        true,
		"application/atom+xml":                   true,
		"application/yaml":                       true,
		"application/javascript":                 true,
		"application/x-www-form-urlencoded":      true,
		"application/x-ndjson":                   true,
		"application/openmetrics-text; version=1.0.0; charset=utf-8": true,
		"image/svg+xml":            true,
		"application/octet-stream": false,
		"application/grpc":         false,
		"application/pdf":          false,
		"image/png":                false,
		"audio/mpeg":               false,
		"multipart/form-data":      false,
		"":                         false,
		"not a media type":         false,
		"application/":             false,
	}
	got := map[string]bool{}
	for ct := range tests {
		got[ct] = IsTextual(ct)
	}
	if diff := cmp.Diff(tests, got); diff != "" {
		t.Errorf("IsTextual (-want +got):\n%s", diff)
	}
}
