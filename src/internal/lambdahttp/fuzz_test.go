package lambdahttp

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// fuzzEcho answers with the request body byte for byte (typed as the request
// was), reflects method, path, query, headers, cookies and path values into
// response headers and cookies, and panics on /panic.
func fuzzEcho(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		panic(err)
	}
	if r.URL.Path == "/panic" {
		panic("fuzz panic")
	}
	h := w.Header()
	h.Set("X-Method", r.Method)
	h.Set("X-Path", r.URL.Path)
	h.Set("X-Escaped-Path", r.URL.EscapedPath())
	h.Set("X-Request-URI", r.RequestURI)
	h.Set("X-Host", r.Host)
	h.Set("X-Remote", r.RemoteAddr)
	h.Set("X-Proxy", r.PathValue("proxy"))
	for k, vs := range r.URL.Query() {
		for _, v := range vs {
			h.Add("X-Query-"+strconv.Quote(k), v)
		}
	}
	for k, vs := range r.Header {
		h["X-Req-"+k] = vs
	}
	for _, c := range r.Cookies() {
		http.SetCookie(w, c)
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		h.Set("Content-Type", ct)
	}
	h.Add("Set-Cookie", "fixed=1")
	_, _ = w.Write(body)
}

// FuzzInvoke feeds raw invocation payloads through the runtime-facing
// handler: nothing may panic, every JSON event must get a well-formed
// response, and a served request's body must come back byte for byte.
func FuzzInvoke(f *testing.F) {
	h := NewHandler(http.HandlerFunc(fuzzEcho))
	h.ErrorLog = log.New(io.Discard, "", 0)
	raw := rawHandler{h: h}
	f.Fuzz(func(t *testing.T, payload []byte) {
		out, err := raw.Invoke(lambdaCtx(), payload)

		var ev events.APIGatewayV2HTTPRequest
		if jerr := json.Unmarshal(payload, &ev); jerr != nil {
			if err == nil {
				t.Fatalf("payload is not an event (%v) but Invoke returned no error", jerr)
			}
			if !strings.HasPrefix(err.Error(), "decode invocation payload as an API Gateway HTTP API (payload format 2.0) event: ") {
				t.Fatalf("unclear error for a bad payload: %v", err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Invoke returned an error for a JSON event: %v", err)
		}
		if !json.Valid(out) {
			t.Fatalf("response is not JSON: %q", out)
		}
		var resp events.APIGatewayV2HTTPResponse
		if err := json.Unmarshal(out, &resp); err != nil {
			t.Fatalf("response does not decode: %v", err)
		}
		if resp.StatusCode < 200 || resp.StatusCode > 599 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		for k := range resp.Headers {
			switch http.CanonicalHeaderKey(k) {
			case "Set-Cookie", "Content-Length", "Transfer-Encoding", "Connection":
				t.Fatalf("response carries header %q", k)
			}
		}
		body := []byte(resp.Body)
		if resp.IsBase64Encoded {
			if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
				t.Fatalf("response body is marked base64 but does not decode: %v", err)
			}
		} else if len(body) > 0 && !IsTextual(resp.Headers["Content-Type"]) {
			t.Fatalf("body of type %q sent as text", resp.Headers["Content-Type"])
		}

		switch resp.StatusCode {
		case http.StatusOK:
			if len(resp.Cookies) == 0 || resp.Cookies[len(resp.Cookies)-1] != "fixed=1" {
				t.Fatalf("Set-Cookie did not become cookies: %q", resp.Cookies)
			}
			want := []byte(ev.Body)
			if ev.IsBase64Encoded {
				want, _ = base64.StdEncoding.DecodeString(ev.Body)
			}
			if resp.Headers["X-Method"] == http.MethodHead {
				want = nil
			}
			if !bytes.Equal(want, body) {
				t.Fatalf("body did not round-trip:\nsent %q\n got %q", want, body)
			}
			if resp.Headers["X-Method"] != ev.RequestContext.HTTP.Method {
				t.Fatalf("method %q became %q", ev.RequestContext.HTTP.Method, resp.Headers["X-Method"])
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusInternalServerError:
			var e struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal(body, &e); err != nil || e.Code != resp.StatusCode || e.Message == "" {
				t.Fatalf("error response %d is not podinfo's shape: %q (%v)", resp.StatusCode, body, err)
			}
		default:
			t.Fatalf("unexpected status %d from an echo handler", resp.StatusCode)
		}
	})
}

// FuzzResponse drives the response side with arbitrary handler output:
// whatever the status, media type and bytes, the body must reach API
// Gateway byte for byte (as text only when textual and valid UTF-8).
func FuzzResponse(f *testing.F) {
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte, cookie string, head bool) {
		h := NewHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			if contentType != "" {
				w.Header().Set("Content-Type", contentType)
			}
			if cookie != "" {
				w.Header().Add("Set-Cookie", cookie)
			}
			w.WriteHeader(status)
			_, _ = w.Write(body)
		}))
		h.ErrorLog = log.New(io.Discard, "", 0)
		ev := getEvent()
		if head {
			ev.RequestContext.HTTP.Method = http.MethodHead
		}
		resp, err := h.Invoke(lambdaCtx(), ev)
		if err != nil {
			t.Fatalf("Invoke: %v", err)
		}
		if status < 100 || status > 999 {
			if resp.StatusCode != http.StatusInternalServerError {
				t.Fatalf("invalid status %d answered %d, want 500", status, resp.StatusCode)
			}
			return
		}
		got := []byte(resp.Body)
		if resp.IsBase64Encoded {
			if got, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
				t.Fatalf("body marked base64 does not decode: %v", err)
			}
		} else if len(got) > 0 && (!utf8.ValidString(resp.Body) || !IsTextual(resp.Headers["Content-Type"])) {
			t.Fatalf("body sent as text with type %q, valid UTF-8 %v", resp.Headers["Content-Type"], utf8.ValidString(resp.Body))
		}
		// A 1xx other than 101 is not final: the Write makes it 200.
		want := body
		final := status >= 200 || status == http.StatusSwitchingProtocols
		if head || (final && !bodyAllowed(status)) {
			want = nil
		}
		if !bytes.Equal(want, got) {
			t.Fatalf("status %d body did not round-trip:\nwrote %q\n  got %q", status, want, got)
		}
		if _, ok := resp.Headers["Set-Cookie"]; ok {
			t.Fatal("Set-Cookie left in headers")
		}
		if cookie != "" && (len(resp.Cookies) != 1 || resp.Cookies[0] != cookie) {
			t.Fatalf("cookies = %q, want [%q]", resp.Cookies, cookie)
		}
	})
}
