package lambdahttp

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/deliverykit/podinfo/src/internal/reqctx"
)

// httpError is a request the adapter answers itself, before the router.
type httpError struct {
	code int
	msg  string
}

func badEvent(format string, args ...any) *httpError {
	return &httpError{code: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

// newRequest translates an API Gateway HTTP API event into a server-side
// *http.Request carrying ctx (with a reqctx.Invocation added).
func newRequest(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (*http.Request, *httpError) {
	if ev.Version != "" && ev.Version != "2.0" {
		return nil, badEvent("event version is %q, want \"2.0\": configure the API Gateway integration with payload format version 2.0", ev.Version)
	}
	method := ev.RequestContext.HTTP.Method
	if method == "" {
		return nil, badEvent("event has no requestContext.http.method: this adapter serves API Gateway HTTP API payload format 2.0 events (or Lambda function URL events)")
	}
	if !isToken(method) {
		return nil, badEvent("event requestContext.http.method %q is not a valid HTTP method token", method)
	}

	u := requestURL(ev)

	body, herr := requestBody(ev)
	if herr != nil {
		return nil, herr
	}

	proto := ev.RequestContext.HTTP.Protocol
	major, minor, ok := http.ParseHTTPVersion(proto)
	if !ok {
		proto, major, minor = "HTTP/1.1", 1, 1
	}

	// API Gateway lowercases header names; names that differ only in case
	// (hand-written events) are merged, comma-joined in name order.
	names := make([]string, 0, len(ev.Headers))
	for k := range ev.Headers {
		if k != "" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	header := make(http.Header, len(names)+1)
	for _, k := range names {
		ck, v := textproto.CanonicalMIMEHeaderKey(k), ev.Headers[k]
		if prev, dup := header[ck]; dup {
			v = prev[0] + "," + v
		}
		header[ck] = []string{v}
	}
	if len(ev.Cookies) > 0 {
		cookies := strings.Join(ev.Cookies, "; ")
		if c := header.Get("Cookie"); c != "" {
			cookies = c + "; " + cookies
		}
		header.Set("Cookie", cookies)
	}
	// As net/http's server does: Host lives in r.Host, not in the header map,
	// and the body is already complete, so framing headers describe it anew.
	host := ev.RequestContext.DomainName
	if host == "" {
		host = header.Get("Host")
	}
	header.Del("Host")
	header.Del("Transfer-Encoding")
	if len(body) > 0 {
		header.Set("Content-Length", strconv.Itoa(len(body)))
	} else {
		header.Del("Content-Length")
	}

	inv := reqctx.Invocation{
		RequestID: ev.RequestContext.RequestID,
		Stage:     ev.RequestContext.Stage,
		RouteKey:  ev.RequestContext.RouteKey,
		SourceIP:  ev.RequestContext.HTTP.SourceIP,
	}
	if inv.RouteKey == "" {
		inv.RouteKey = ev.RouteKey
	}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		inv.AWSRequestID = lc.AwsRequestID
	}

	r := &http.Request{
		Method:        method,
		URL:           u,
		Proto:         proto,
		ProtoMajor:    major,
		ProtoMinor:    minor,
		Header:        header,
		Host:          host,
		RequestURI:    u.RequestURI(),
		ContentLength: int64(len(body)),
		Body:          http.NoBody,
	}
	if len(body) > 0 {
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	if inv.SourceIP != "" {
		r.RemoteAddr = net.JoinHostPort(inv.SourceIP, "0")
	}
	for name, value := range ev.PathParameters {
		r.SetPathValue(name, value)
	}
	return r.WithContext(reqctx.WithInvocation(ctx, inv)), nil
}

// requestURL builds the request's URL from rawPath and rawQueryString.
func requestURL(ev events.APIGatewayV2HTTPRequest) *url.URL {
	p := ev.RawPath
	if p == "" {
		p = ev.RequestContext.HTTP.Path
	}
	if p == "" {
		p = "/"
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	// Named stages prefix rawPath with "/<stage>"; the router knows only the
	// service's own paths. The $default stage adds no prefix.
	if st := ev.RequestContext.Stage; st != "" && st != "$default" {
		if prefix := "/" + st; p == prefix {
			p = "/"
		} else if strings.HasPrefix(p, prefix+"/") {
			p = p[len(prefix):]
		}
	}
	// HTTP APIs deliver rawPath already percent-decoded, Lambda function URLs
	// deliver it encoded. A valid percent-encoding is decoded once (a no-op
	// for paths without '%'); anything else is taken literally.
	u := &url.URL{Path: p}
	if dec, err := url.PathUnescape(p); err == nil && dec != p {
		// Keep the escaped form only where it differs from Go's default
		// encoding and is a valid encoding of Path, as url.Parse would.
		u.Path, u.RawPath = dec, p
		if u.EscapedPath() != p || (&url.URL{Path: dec}).EscapedPath() == p {
			u.RawPath = ""
		}
	}
	switch {
	case ev.RawQueryString != "":
		u.RawQuery = ev.RawQueryString
	case len(ev.QueryStringParameters) > 0:
		// Without rawQueryString, repeated keys arrive comma-joined in one
		// value and cannot be told apart from a value holding a comma: each
		// is passed on as one value.
		keys := make([]string, 0, len(ev.QueryStringParameters))
		for k := range ev.QueryStringParameters {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		for i, k := range keys {
			if i > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k))
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(ev.QueryStringParameters[k]))
		}
		u.RawQuery = b.String()
	}
	return u
}

// requestBody returns the event's body bytes, decoding base64 when the event
// says so and enforcing MaxBodyBytes.
func requestBody(ev events.APIGatewayV2HTTPRequest) ([]byte, *httpError) {
	if !ev.IsBase64Encoded {
		if len(ev.Body) > MaxBodyBytes {
			return nil, tooLarge(len(ev.Body))
		}
		return []byte(ev.Body), nil
	}
	// Refuse before decoding when even the smallest decoding is too large.
	if n := len(ev.Body)/4*3 - 2; n > MaxBodyBytes {
		return nil, tooLarge(n)
	}
	body, err := base64.StdEncoding.DecodeString(ev.Body)
	if err != nil {
		return nil, badEvent("request body: isBase64Encoded is true but the body is not valid standard base64 (%v); send the body base64-encoded with padding, or set isBase64Encoded to false", err)
	}
	if len(body) > MaxBodyBytes {
		return nil, tooLarge(len(body))
	}
	return body, nil
}

func tooLarge(n int) *httpError {
	return &httpError{
		code: http.StatusRequestEntityTooLarge,
		msg:  fmt.Sprintf("request body is at least %d bytes; the limit is %d bytes (10 MiB)", n, MaxBodyBytes),
	}
}

// isToken reports whether s is an RFC 9110 token, as an HTTP method must be.
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return s != ""
}
