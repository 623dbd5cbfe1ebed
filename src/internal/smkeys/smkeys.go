// Package smkeys reads the service's JWT signing keys from AWS Secrets
// Manager: AWSCURRENT signs, AWSCURRENT and AWSPREVIOUS validate, so a
// rotation never invalidates tokens already issued.
package smkeys

import (
	"context"
	"errors"
	"time"

	"github.com/deliverykit/podinfo/src/internal/signingkey"
)

// Options tune a Source.
type Options struct {
	// Refresh is how often keys are re-read in the background.
	Refresh time.Duration
	// Endpoint overrides the Secrets Manager endpoint (tests, VPC endpoints).
	Endpoint string
}

// FromConfig builds a Source for secretID using the default AWS
// configuration chain (environment, shared config, instance or Lambda role).
func FromConfig(ctx context.Context, secretID string, opts Options) (signingkey.Source, error) {
	// TODO(secrets helper): real implementation.
	return nil, errors.New("smkeys: not implemented")
}
