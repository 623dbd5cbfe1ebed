// Package signingkey defines where the service's JWT signing keys come from.
// The HTTP handlers depend only on Source; the Secrets Manager implementation
// and the local development key both satisfy it.
package signingkey

import "context"

// Key is one HMAC key with the identifier of the secret version it came from.
type Key struct {
	// ID identifies the key (the Secrets Manager version ID, or "dev").
	ID string
	// Secret is the raw HMAC key material. Never log it.
	Secret []byte
}

// Source yields the keys that sign and validate tokens.
type Source interface {
	// Signing returns the key new tokens are signed with (AWSCURRENT).
	Signing(ctx context.Context) (Key, error)
	// Verification returns every key a presented token may be validated
	// against, current first (AWSCURRENT, then AWSPREVIOUS during rotation).
	Verification(ctx context.Context) ([]Key, error)
	// Refresh re-reads the keys now; callers use it after a validation
	// failure, so implementations rate-limit it.
	Refresh(ctx context.Context) error
}

// Static is a Source with one fixed key: the local development key used when
// no secret is configured.
type Static struct{ key Key }

// NewStatic returns a Source that always yields key.
func NewStatic(key Key) *Static { return &Static{key: key} }

// Signing returns the fixed key.
func (s *Static) Signing(context.Context) (Key, error) { return s.key, nil }

// Verification returns the fixed key.
func (s *Static) Verification(context.Context) ([]Key, error) { return []Key{s.key}, nil }

// Refresh does nothing: the key never changes.
func (s *Static) Refresh(context.Context) error { return nil }

var _ Source = (*Static)(nil)
