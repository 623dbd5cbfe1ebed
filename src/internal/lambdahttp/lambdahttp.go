// Package lambdahttp serves API Gateway HTTP API (payload format 2.0) events
// through an ordinary http.Handler, so the service's one router answers both
// on EC2 and on Lambda.
package lambdahttp

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// Handler adapts an http.Handler to API Gateway HTTP API events.
type Handler struct {
	next http.Handler
}

// NewHandler returns a Handler that serves events through next.
func NewHandler(next http.Handler) *Handler { return &Handler{next: next} }

// Invoke translates one event into an *http.Request, serves it, and
// translates the recorded response back into an event response.
func (h *Handler) Invoke(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	// TODO(lambda helper): full translation.
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusNotImplemented}, nil
}

// Start runs the Lambda runtime loop (AWS_LAMBDA_RUNTIME_API) serving next.
// It returns only when the runtime loop ends.
func Start(ctx context.Context, next http.Handler) error {
	lambda.StartWithOptions(NewHandler(next).Invoke, lambda.WithContext(ctx))
	return nil
}
