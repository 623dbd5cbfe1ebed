package main

import (
	"context"

	"example.com/m/internal/dagger"
)

// Mod is the module.
type Mod struct{}

// Login logs in with a password.
func (m *Mod) Login(
	ctx context.Context,
	// The password.
	password *dagger.Secret,
) (string, error) {
	pw, err := password.Plaintext(ctx)
	return "logged in with " + pw, err
}
