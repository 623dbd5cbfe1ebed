package lambdasmoke

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEvent(t *testing.T) {
	b, err := Event("/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Version        string `json:"version"`
		RawPath        string `json:"rawPath"`
		RequestContext struct {
			HTTP struct{ Method, Path string } `json:"http"`
		} `json:"requestContext"`
	}
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	got := []string{ev.Version, ev.RawPath, ev.RequestContext.HTTP.Method, ev.RequestContext.HTTP.Path}
	if diff := cmp.Diff([]string{"2.0", "/healthz", "GET", "/healthz"}, got); diff != "" {
		t.Errorf("event (-want +got):\n%s", diff)
	}
	if _, err := Event("healthz"); err == nil {
		t.Error("Event accepted a path without a leading slash")
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name, raw, contains string
		wantErr             string
	}{
		{"ok", `{"statusCode":200,"body":"{\"status\":\"OK\"}"}`, "OK", ""},
		{"base64", `{"statusCode":200,"body":"eyJ2ZXJzaW9uIjoiMS4yLjMifQ==","isBase64Encoded":true}`, "1.2.3", ""},
		{"status", `{"statusCode":503,"body":"down"}`, "", "status 503"},
		{"body", `{"statusCode":200,"body":"{}"}`, "OK", "does not contain"},
		{"not json", `Internal Server Error`, "", "not a payload v2 response"},
		{"bad base64", `{"statusCode":200,"body":"!!","isBase64Encoded":true}`, "", "not base64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Check("/healthz", []byte(tt.raw), tt.contains)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Check() = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

// FuzzCheck feeds arbitrary responses: Check never panics, and accepts
// only a 200 whose (decoded) body holds the expected text.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{`{"statusCode":200,"body":"OK"}`, `{"statusCode":200,"body":"T0s=","isBase64Encoded":true}`, `{"statusCode":"200"}`, `null`, `[]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := Check("/healthz", raw, "OK")
		if err == nil && (r.StatusCode != 200 || !strings.Contains(r.Body, "OK") || r.IsBase64Encoded) {
			t.Fatalf("accepted %q as %+v", raw, r)
		}
	})
}
