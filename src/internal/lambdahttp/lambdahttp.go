// Package lambdahttp serves API Gateway HTTP API (payload format 2.0) events
// through an ordinary http.Handler, so the service's one router answers both
// on EC2 and on Lambda.
//
// The translation rules, in brief (README, "Lambda mode", has the long form):
//
//   - Request path is rawPath (requestContext.http.path when rawPath is
//     empty), with a leading "/<stage>" removed for named stages; the query is
//     rawQueryString verbatim (repeated keys kept), else the
//     queryStringParameters map re-encoded.
//   - Headers arrive comma-joined per key (payload v2) and are passed on as one
//     comma-joined value per key; the event's cookies become one Cookie header
//     joined with "; "; Host is requestContext.domainName.
//   - Bodies with isBase64Encoded are decoded (standard, padded base64);
//     malformed base64 answers 400 and bodies over MaxBodyBytes answer 413,
//     both in podinfo's error shape {"code":N,"message":"..."}.
//   - API Gateway's pathParameters are set with (*http.Request).SetPathValue;
//     requestContext facts travel as a reqctx.Invocation in the request's
//     context; RemoteAddr is "<sourceIp>:0".
//   - The response is buffered (API Gateway HTTP APIs do not stream Lambda
//     responses): a handler that writes nothing answers 200 with an empty body,
//     Set-Cookie headers become the response's cookies, repeated headers are
//     comma-joined, and the body is base64-encoded unless it is empty or both
//     valid UTF-8 and of a textual media type (see IsTextual).
//   - A panicking handler answers 500 and is logged; it never ends the runtime
//     loop.
package lambdahttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"runtime/debug"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// MaxBodyBytes is the largest request body, after base64 decoding, that the
// adapter hands to the router; larger bodies are answered with 413.
const MaxBodyBytes = 10 << 20

// EnvRuntimeAPI names the environment variable Lambda (and the runtime
// interface emulator) sets to the Runtime API's address.
const EnvRuntimeAPI = "AWS_LAMBDA_RUNTIME_API"

// Handler adapts an http.Handler to API Gateway HTTP API events.
// It is safe for concurrent use.
type Handler struct {
	next http.Handler

	// ErrorLog receives handler panics (value and stack). When nil, the
	// standard library's default logger (stderr) is used, as net/http does.
	ErrorLog *log.Logger
}

// NewHandler returns a Handler that serves events through next.
func NewHandler(next http.Handler) *Handler { return &Handler{next: next} }

// Invoke translates one event into an *http.Request, serves it, and
// translates the recorded response back into an event response.
//
// Every outcome is an event response, including bad events (400), oversized
// bodies (413) and handler panics (500); the error is always nil, so one bad
// request never turns into a Lambda function error.
func (h *Handler) Invoke(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	req, herr := newRequest(ctx, ev)
	if herr != nil {
		return errorResponse(herr.code, herr.msg), nil
	}
	rec := newRecorder()
	if h.serve(rec, req) {
		return errorResponse(http.StatusInternalServerError, http.StatusText(http.StatusInternalServerError)), nil
	}
	return rec.response(req.Method), nil
}

// serve runs the wrapped handler and reports whether it panicked.
func (h *Handler) serve(w *recorder, r *http.Request) (panicked bool) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		panicked = true
		if v == http.ErrAbortHandler { //nolint:errorlint // net/http compares the sentinel the same way
			return
		}
		logger := h.ErrorLog
		if logger == nil {
			logger = log.Default()
		}
		logger.Printf("lambdahttp: panic serving %s %s: %v\n%s", r.Method, r.URL.Path, v, debug.Stack())
	}()
	h.next.ServeHTTP(w, r)
	return false
}

// rawHandler is the lambda.Handler the runtime loop calls: it decodes the
// event itself, so a payload that is not JSON is rejected with an error that
// says what was expected, and no reflection runs per invocation.
type rawHandler struct{ h *Handler }

var _ lambda.Handler = rawHandler{}

// Invoke implements lambda.Handler.
func (rh rawHandler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, &payloadError{err: err}
	}
	resp, err := rh.h.Invoke(ctx, ev)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(resp); err != nil {
		return nil, fmt.Errorf("encode API Gateway HTTP API response: %w", err)
	}
	return bytes.TrimSuffix(out.Bytes(), []byte("\n")), nil
}

// payloadError is the function error for an invocation payload that is not
// a JSON event; Lambda reports its type name as the errorType.
type payloadError struct{ err error }

func (e *payloadError) Error() string {
	return "decode invocation payload as an API Gateway HTTP API (payload format 2.0) event: " + e.err.Error()
}

func (e *payloadError) Unwrap() error { return e.err }

// Start runs the Lambda runtime loop (AWS_LAMBDA_RUNTIME_API) serving next.
// It returns an error at once when AWS_LAMBDA_RUNTIME_API is not set;
// otherwise it returns only when the runtime loop ends (aws-lambda-go exits
// the process when the Runtime API fails, so in practice it does not return).
func Start(ctx context.Context, next http.Handler) error {
	if os.Getenv(EnvRuntimeAPI) == "" {
		return errors.New("start lambda runtime loop: " + EnvRuntimeAPI + " is not set; run under AWS Lambda or the runtime interface emulator, or unset it to serve HTTP")
	}
	lambda.StartWithOptions(rawHandler{h: NewHandler(next)}, lambda.WithContext(ctx))
	return errors.New("lambda runtime loop ended")
}
