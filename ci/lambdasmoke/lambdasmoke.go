// Package lambdasmoke smoke-tests the service in Lambda mode under the
// runtime interface emulator: it builds API Gateway HTTP API (payload 2.0)
// events for a route and checks the function's response. deploy --env local
// posts the events with a step and checks the responses here.
package lambdasmoke

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// Event returns the payload v2 event of a GET request for path.
func Event(path string) ([]byte, error) {
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("lambda smoke: path %q must start with /", path)
	}
	ev := map[string]any{
		"version":         "2.0",
		"routeKey":        "$default",
		"rawPath":         path,
		"rawQueryString":  "",
		"headers":         map[string]string{"host": "localhost", "user-agent": "podinfo-delivery-smoke"},
		"isBase64Encoded": false,
		"requestContext": map[string]any{
			"accountId":  "000000000000",
			"apiId":      "local",
			"domainName": "localhost",
			"requestId":  "smoke-" + strings.Trim(strings.ReplaceAll(path, "/", "-"), "-"),
			"routeKey":   "$default",
			"stage":      "$default",
			"timeEpoch":  0,
			"http": map[string]string{
				"method": "GET", "path": path, "protocol": "HTTP/1.1",
				"sourceIp": "127.0.0.1", "userAgent": "podinfo-delivery-smoke",
			},
		},
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("lambda smoke: encode event for %s: %w", path, err)
	}
	return b, nil
}

// Response is the part of a payload v2 response the checks read.
type Response struct {
	// StatusCode is the HTTP status the function answered.
	StatusCode int `json:"statusCode"`
	// Body is the response body (base64 when IsBase64Encoded).
	Body string `json:"body"`
	// IsBase64Encoded says Body is base64.
	IsBase64Encoded bool `json:"isBase64Encoded"`
}

// Check parses the function's response to a request for path and requires
// status 200 and, when contains is not empty, a body containing it.
func Check(path string, raw []byte, contains string) (Response, error) {
	var r Response
	if err := json.Unmarshal(raw, &r); err != nil {
		return Response{}, fmt.Errorf("lambda smoke %s: response is not a payload v2 response (%v): %.200q", path, err, raw)
	}
	if r.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(r.Body)
		if err != nil {
			return Response{}, fmt.Errorf("lambda smoke %s: body is not base64: %w", path, err)
		}
		r.Body, r.IsBase64Encoded = string(b), false
	}
	if r.StatusCode != 200 {
		return r, fmt.Errorf("lambda smoke %s: status %d, want 200: %.200q", path, r.StatusCode, r.Body)
	}
	if contains != "" && !strings.Contains(r.Body, contains) {
		return r, fmt.Errorf("lambda smoke %s: body %.200q does not contain %q", path, r.Body, contains)
	}
	return r, nil
}
