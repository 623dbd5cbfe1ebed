package lambdahttp

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRawHandler(t *testing.T) {
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<p>"+r.URL.Query().Get("q")+"</p>")
	})
	tests := []struct {
		name    string
		payload string
		want    string // JSON response; empty when an error is wanted
		wantErr string
	}{
		{
			name:    "event in, response out, HTML not escaped",
			payload: `{"version":"2.0","rawPath":"/","rawQueryString":"q=a%26b","requestContext":{"http":{"method":"GET"}}}`,
			want:    `{"statusCode":200,"headers":{"Content-Type":"text/html"},"multiValueHeaders":null,"body":"<p>a&b</p>","cookies":null}`,
		},
		{
			name:    "bad event is a 400 response, not a function error",
			payload: `{"version":"2.0","rawPath":"/"}`,
			want:    `{"statusCode":400,"headers":{"Content-Type":"application/json; charset=utf-8"},"multiValueHeaders":null,"body":"{\"code\":400,\"message\":\"event has no requestContext.http.method: this adapter serves API Gateway HTTP API payload format 2.0 events (or Lambda function URL events)\"}","cookies":null}`,
		},
		{
			name:    "payload that is not JSON",
			payload: `{"version":`,
			wantErr: "decode invocation payload as an API Gateway HTTP API (payload format 2.0) event: unexpected end of JSON input",
		},
		{
			name:    "payload of the wrong JSON shape",
			payload: `{"headers":["a"]}`,
			wantErr: "decode invocation payload as an API Gateway HTTP API (payload format 2.0) event: json: cannot unmarshal array",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := rawHandler{h: NewHandler(echo)}.Invoke(context.Background(), []byte(tt.payload))
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
				if strings.HasPrefix(gotErr, tt.wantErr) && tt.wantErr != "" {
					gotErr = tt.wantErr
				}
			}
			if diff := cmp.Diff(tt.wantErr, gotErr); diff != "" {
				t.Fatalf("error (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, string(out)); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStartWithoutRuntimeAPI(t *testing.T) {
	t.Setenv(EnvRuntimeAPI, "")
	err := Start(context.Background(), http.NotFoundHandler())
	want := "start lambda runtime loop: AWS_LAMBDA_RUNTIME_API is not set; run under AWS Lambda or the runtime interface emulator, or unset it to serve HTTP"
	if err == nil || err.Error() != want {
		t.Errorf("Start error = %v, want %q", err, want)
	}
}

// BenchmarkInvoke measures one GET translated, served and translated back,
// plus the JSON decoding and encoding the runtime loop does around it.
func BenchmarkInvoke(b *testing.B) {
	h := rawHandler{h: NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		io.WriteString(w, `{"hostname":"podinfo","version":"6.14.1"}`)
	}))}
	ev := getEvent()
	ev.RawQueryString = "a=1&a=2"
	ev.Cookies = []string{"session=abc"}
	payload, err := json.Marshal(ev)
	if err != nil {
		b.Fatal(err)
	}
	ctx := lambdaCtx()
	b.ReportAllocs()
	for b.Loop() {
		out, err := h.Invoke(ctx, payload)
		if err != nil || len(out) == 0 {
			b.Fatalf("Invoke: %v", err)
		}
	}
}
