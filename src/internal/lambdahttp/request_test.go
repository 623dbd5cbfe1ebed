package lambdahttp

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/deliverykit/podinfo/src/internal/reqctx"
)

// seen is what a handler observed of the request the adapter built.
type seen struct {
	Method, Proto, Host, RemoteAddr, RequestURI string
	Path, RawPath, RawQuery                     string
	Query                                       url.Values
	Header                                      http.Header
	ContentLength                               int64
	Body                                        string
	PathValues                                  map[string]string
	Invocation                                  reqctx.Invocation
	HasInvocation                               bool
}

// capture returns a handler recording the request into *got, and the names
// of the path values to read (SetPathValue values are read by name).
func capture(got *seen, pathNames ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			panic(err)
		}
		inv, ok := reqctx.InvocationFrom(r.Context())
		*got = seen{
			Method: r.Method, Proto: r.Proto, Host: r.Host, RemoteAddr: r.RemoteAddr, RequestURI: r.RequestURI,
			Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery, Query: r.URL.Query(),
			Header: r.Header, ContentLength: r.ContentLength, Body: string(b),
			Invocation: inv, HasInvocation: ok,
		}
		for _, n := range pathNames {
			if v := r.PathValue(n); v != "" {
				if got.PathValues == nil {
					got.PathValues = map[string]string{}
				}
				got.PathValues[n] = v
			}
		}
	})
}

// getEvent is a GET event as API Gateway sends it, for cases to modify.
func getEvent() events.APIGatewayV2HTTPRequest {
	return events.APIGatewayV2HTTPRequest{
		Version:        "2.0",
		RouteKey:       "ANY /{proxy+}",
		RawPath:        "/api/info",
		RawQueryString: "",
		Headers: map[string]string{
			"accept":          "application/json",
			"host":            "abc123.execute-api.eu-west-1.amazonaws.com",
			"x-forwarded-for": "203.0.113.7",
		},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:   "ANY /{proxy+}",
			Stage:      "$default",
			RequestID:  "JKJaXmPLvHcESHA=",
			DomainName: "abc123.execute-api.eu-west-1.amazonaws.com",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: "GET", Path: "/api/info", Protocol: "HTTP/1.1", SourceIP: "203.0.113.7", UserAgent: "curl/8.5.0",
			},
		},
	}
}

func baseSeen() seen {
	return seen{
		Method: "GET", Proto: "HTTP/1.1", Host: "abc123.execute-api.eu-west-1.amazonaws.com",
		RemoteAddr: "203.0.113.7:0", RequestURI: "/api/info", Path: "/api/info",
		Query: url.Values{},
		Header: http.Header{
			"Accept":          {"application/json"},
			"X-Forwarded-For": {"203.0.113.7"},
		},
		Invocation: reqctx.Invocation{
			RequestID: "JKJaXmPLvHcESHA=", AWSRequestID: "8476a536-e9f4-11e8-9739-2dfe598c3fcd",
			Stage: "$default", RouteKey: "ANY /{proxy+}", SourceIP: "203.0.113.7",
		},
		HasInvocation: true,
	}
}

func lambdaCtx() context.Context {
	return lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "8476a536-e9f4-11e8-9739-2dfe598c3fcd"})
}

func TestRequestTranslation(t *testing.T) {
	binary := []byte{0x89, 'P', 'N', 'G', 0x00, 0xff, 0xfe, 0x80, '\r', '\n'}
	tests := []struct {
		name      string
		edit      func(ev *events.APIGatewayV2HTTPRequest)
		pathNames []string
		want      func(s *seen)
	}{
		{
			name: "plain GET",
			edit: func(ev *events.APIGatewayV2HTTPRequest) {},
			want: func(s *seen) {},
		},
		{
			name: "multi-value query from rawQueryString, cookies, comma-joined headers",
			edit: func(ev *events.APIGatewayV2HTTPRequest) {
				ev.RawQueryString = "tag=a&tag=b&q=hello%20world&empty="
				ev.QueryStringParameters = map[string]string{"tag": "a,b", "q": "hello world", "empty": ""}
				ev.Cookies = []string{"session=abc", "theme=dark"}
				ev.Headers["x-multi"] = "one,two"
			},
			want: func(s *seen) {
				s.RawQuery = "tag=a&tag=b&q=hello%20world&empty="
				s.RequestURI = "/api/info?tag=a&tag=b&q=hello%20world&empty="
				s.Query = url.Values{"tag": {"a", "b"}, "q": {"hello world"}, "empty": {""}}
				s.Header["Cookie"] = []string{"session=abc; theme=dark"}
				s.Header["X-Multi"] = []string{"one,two"}
			},
		},
		{
			name: "queryStringParameters when rawQueryString is empty",
			edit: func(ev *events.APIGatewayV2HTTPRequest) {
				ev.QueryStringParameters = map[string]string{"b": "x y", "a": "1,2"}
			},
			want: func(s *seen) {
				s.RawQuery = "a=1%2C2&b=x+y"
				s.RequestURI = "/api/info?a=1%2C2&b=x+y"
				s.Query = url.Values{"a": {"1,2"}, "b": {"x y"}}
			},
		},
		{
			name: "header names differing only in case are merged",
			edit: func(ev *events.APIGatewayV2HTTPRequest) {
				ev.Headers["x-dup"] = "b"
				ev.Headers["X-Dup"] = "a"
			},
			want: func(s *seen) { s.Header["X-Dup"] = []string{"a,b"} },
		},
		{
			name: "cookie header and cookies merge",
			edit: func(ev *events.APIGatewayV2HTTPRequest) {
				ev.Headers["cookie"] = "a=1"
				ev.Cookies = []string{"b=2"}
			},
			want: func(s *seen) { s.Header["Cookie"] = []string{"a=1; b=2"} },
		},
		{
			name: "named stage prefix is removed",
			edit: func(ev *events.APIGatewayV2HTTPRequest) {
				ev.RequestContext.Stage = "prod"
				ev.RawPath = "/prod/api/info"
			},
			want: func(s *seen) { s.Invocation.Stage = "prod" },
		},
		{
			name: "named stage root",
			edit: func(ev *events.APIGatewayV2HTTPRequest) {
				ev.RequestContext.Stage = "prod"
				ev.RawPath = "/prod"
			},
			want: func(s *seen) { s.Invocation.Stage = "prod"; s.Path = "/"; s.RequestURI = "/" },
		},
		{
			name: "stage name only as a path prefix is kept",
			edit: func(ev *events.APIGatewayV2HTTPRequest) {
				ev.RequestContext.Stage = "prod"
				ev.RawPath = "/production/x"
			},
			want: func(s *seen) { s.Invocation.Stage = "prod"; s.Path = "/production/x"; s.RequestURI = "/production/x" },
		},
		{
			name: "empty rawPath falls back to requestContext.http.path",
			edit: func(ev *events.APIGatewayV2HTTPRequest) { ev.RawPath = ""; ev.RequestContext.HTTP.Path = "/version" },
			want: func(s *seen) { s.Path = "/version"; s.RequestURI = "/version" },
		},
		{
			name: "no path at all is /",
			edit: func(ev *events.APIGatewayV2HTTPRequest) { ev.RawPath = ""; ev.RequestContext.HTTP.Path = "" },
			want: func(s *seen) { s.Path = "/"; s.RequestURI = "/" },
		},
		{
			name: "encoded rawPath (function URL) is decoded once and keeps its encoding",
			edit: func(ev *events.APIGatewayV2HTTPRequest) { ev.RawPath = "/files/a%2Fb" },
			want: func(s *seen) { s.Path = "/files/a/b"; s.RawPath = "/files/a%2Fb"; s.RequestURI = "/files/a%2Fb" },
		},
		{
			name: "decoded rawPath (HTTP API) with a space",
			edit: func(ev *events.APIGatewayV2HTTPRequest) { ev.RawPath = "/echo/a b" },
			want: func(s *seen) { s.Path = "/echo/a b"; s.RequestURI = "/echo/a%20b" },
		},
		{
			name: "rawPath with a bare percent is literal",
			edit: func(ev *events.APIGatewayV2HTTPRequest) { ev.RawPath = "/100%" },
			want: func(s *seen) { s.Path = "/100%"; s.RequestURI = "/100%25" },
		},
		{
			name: "plain body",
			edit: func(ev *events.APIGatewayV2HTTPRequest) {
				ev.RequestContext.HTTP.Method = "POST"
				ev.Headers["content-type"] = "text/plain"
				ev.Headers["content-length"] = "999"
				ev.Body = "hello"
			},
			want: func(s *seen) {
				s.Method = "POST"
				s.Body = "hello"
				s.ContentLength = 5
				s.Header["Content-Type"] = []string{"text/plain"}
				s.Header["Content-Length"] = []string{"5"}
			},
		},
		{
			name: "base64 body is decoded byte for byte",
			edit: func(ev *events.APIGatewayV2HTTPRequest) {
				ev.RequestContext.HTTP.Method = "PUT"
				ev.Body = base64.StdEncoding.EncodeToString(binary)
				ev.IsBase64Encoded = true
				ev.Headers["transfer-encoding"] = "chunked"
			},
			want: func(s *seen) {
				s.Method = "PUT"
				s.Body = string(binary)
				s.ContentLength = int64(len(binary))
				s.Header["Content-Length"] = []string{"10"}
			},
		},
		{
			name: "empty base64 body",
			edit: func(ev *events.APIGatewayV2HTTPRequest) { ev.IsBase64Encoded = true },
			want: func(s *seen) {},
		},
		{
			name:      "path parameters become path values",
			edit:      func(ev *events.APIGatewayV2HTTPRequest) { ev.PathParameters = map[string]string{"proxy": "api/info"} },
			pathNames: []string{"proxy", "missing"},
			want:      func(s *seen) { s.PathValues = map[string]string{"proxy": "api/info"} },
		},
		{
			name: "HTTP/2 protocol, no source IP, no domain name, host header used",
			edit: func(ev *events.APIGatewayV2HTTPRequest) {
				ev.RequestContext.HTTP.Protocol = "HTTP/2.0"
				ev.RequestContext.HTTP.SourceIP = ""
				ev.RequestContext.DomainName = ""
				ev.Headers["host"] = "example.com"
			},
			want: func(s *seen) {
				s.Proto = "HTTP/2.0"
				s.Host = "example.com"
				s.RemoteAddr = ""
				s.Invocation.SourceIP = ""
			},
		},
		{
			name: "unknown protocol is HTTP/1.1, IPv6 source",
			edit: func(ev *events.APIGatewayV2HTTPRequest) {
				ev.RequestContext.HTTP.Protocol = "SPDY"
				ev.RequestContext.HTTP.SourceIP = "2001:db8::1"
			},
			want: func(s *seen) { s.RemoteAddr = "[2001:db8::1]:0"; s.Invocation.SourceIP = "2001:db8::1" },
		},
		{
			name: "route key from the event when the request context has none; version may be absent",
			edit: func(ev *events.APIGatewayV2HTTPRequest) {
				ev.Version = ""
				ev.RequestContext.RouteKey = ""
				ev.RouteKey = "GET /api/info"
			},
			want: func(s *seen) { s.Invocation.RouteKey = "GET /api/info" },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := getEvent()
			tt.edit(&ev)
			want := baseSeen()
			tt.want(&want)
			var got seen
			resp, err := NewHandler(capture(&got, tt.pathNames...)).Invoke(lambdaCtx(), ev)
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status = %d (body %q), want 200", resp.StatusCode, resp.Body)
			}
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("request seen by the handler (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInvocationWithoutLambdaContext(t *testing.T) {
	var got seen
	if _, err := NewHandler(capture(&got)).Invoke(context.Background(), getEvent()); err != nil {
		t.Fatal(err)
	}
	want := baseSeen().Invocation
	want.AWSRequestID = ""
	if diff := cmp.Diff(want, got.Invocation); diff != "" {
		t.Errorf("invocation (-want +got):\n%s", diff)
	}
}

func TestRejectedEvents(t *testing.T) {
	jsonCT := map[string]string{"Content-Type": "application/json; charset=utf-8"}
	tests := []struct {
		name        string
		edit        func(ev *events.APIGatewayV2HTTPRequest)
		wantStatus  int
		wantMessage string // substring of the error message
	}{
		{
			name: "malformed base64 body",
			edit: func(ev *events.APIGatewayV2HTTPRequest) {
				ev.RequestContext.HTTP.Method = "POST"
				ev.Body = "not*base64"
				ev.IsBase64Encoded = true
			},
			wantStatus:  http.StatusBadRequest,
			wantMessage: "isBase64Encoded is true but the body is not valid standard base64",
		},
		{
			name: "base64 without padding",
			edit: func(ev *events.APIGatewayV2HTTPRequest) {
				ev.RequestContext.HTTP.Method = "POST"
				ev.Body = "YWI"
				ev.IsBase64Encoded = true
			},
			wantStatus:  http.StatusBadRequest,
			wantMessage: "send the body base64-encoded with padding",
		},
		{
			name: "plain body over 10 MiB",
			edit: func(ev *events.APIGatewayV2HTTPRequest) {
				ev.RequestContext.HTTP.Method = "POST"
				ev.Body = strings.Repeat("a", MaxBodyBytes+1)
			},
			wantStatus:  http.StatusRequestEntityTooLarge,
			wantMessage: "request body is at least 10485761 bytes; the limit is 10485760 bytes (10 MiB)",
		},
		{
			name: "base64 body decoding to 10 MiB + 1",
			edit: func(ev *events.APIGatewayV2HTTPRequest) {
				ev.RequestContext.HTTP.Method = "POST"
				ev.Body = base64.StdEncoding.EncodeToString(make([]byte, MaxBodyBytes+1))
				ev.IsBase64Encoded = true
			},
			wantStatus:  http.StatusRequestEntityTooLarge,
			wantMessage: "the limit is 10485760 bytes",
		},
		{
			name: "base64 body far over the limit is refused before decoding",
			edit: func(ev *events.APIGatewayV2HTTPRequest) {
				ev.RequestContext.HTTP.Method = "POST"
				ev.Body = strings.Repeat("!!!!", MaxBodyBytes/3+2)
				ev.IsBase64Encoded = true
			},
			wantStatus:  http.StatusRequestEntityTooLarge,
			wantMessage: "the limit is 10485760 bytes",
		},
		{
			name:        "no method",
			edit:        func(ev *events.APIGatewayV2HTTPRequest) { ev.RequestContext.HTTP.Method = "" },
			wantStatus:  http.StatusBadRequest,
			wantMessage: "event has no requestContext.http.method",
		},
		{
			name:        "payload format 1.0",
			edit:        func(ev *events.APIGatewayV2HTTPRequest) { ev.Version = "1.0" },
			wantStatus:  http.StatusBadRequest,
			wantMessage: `event version is "1.0", want "2.0"`,
		},
		{
			name:        "method is not a token",
			edit:        func(ev *events.APIGatewayV2HTTPRequest) { ev.RequestContext.HTTP.Method = "GET /x" },
			wantStatus:  http.StatusBadRequest,
			wantMessage: `requestContext.http.method "GET /x" is not a valid HTTP method token`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := getEvent()
			tt.edit(&ev)
			called := false
			h := NewHandler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true }))
			resp, err := h.Invoke(lambdaCtx(), ev)
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			if called {
				t.Error("the router was called for a rejected event")
			}
			code, msg := decodeError(t, resp.Body)
			got := struct {
				Status, Code int
				Headers      map[string]string
				Base64       bool
				HasMessage   bool
			}{resp.StatusCode, code, resp.Headers, resp.IsBase64Encoded, strings.Contains(msg, tt.wantMessage)}
			want := got
			want.Status, want.Code, want.Headers, want.Base64, want.HasMessage = tt.wantStatus, tt.wantStatus, jsonCT, false, true
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("response (-want +got):\n%s\nmessage: %s", diff, msg)
			}
		})
	}
}
