// Package reqctx carries facts about the invocation that served a request,
// set by the Lambda adapter and read by logging and metrics middleware.
package reqctx

import "context"

// Invocation describes the API Gateway / Lambda invocation behind a request.
type Invocation struct {
	// RequestID is API Gateway's request ID (requestContext.requestId).
	RequestID string
	// AWSRequestID is the Lambda invocation's request ID.
	AWSRequestID string
	// Stage is the API Gateway stage.
	Stage string
	// RouteKey is API Gateway's route key.
	RouteKey string
	// SourceIP is the caller's address as API Gateway saw it.
	SourceIP string
}

type invocationKey struct{}

// WithInvocation returns ctx carrying inv.
func WithInvocation(ctx context.Context, inv Invocation) context.Context {
	return context.WithValue(ctx, invocationKey{}, inv)
}

// InvocationFrom returns the invocation carried by ctx, if any.
func InvocationFrom(ctx context.Context) (Invocation, bool) {
	inv, ok := ctx.Value(invocationKey{}).(Invocation)
	return inv, ok
}
