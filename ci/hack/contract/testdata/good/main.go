// A module that keeps the contract.
package main

import (
	"context"

	"example.com/m/internal/dagger"
)

// Mod is the module.
type Mod struct{}

// New configures the module.
func New(
	// The source.
	// +defaultPath="/"
	source *dagger.Directory,
	// A mirror prefix.
	// +optional
	mirror string,
) *Mod {
	return &Mod{}
}

// Publish pushes the image.
// +cache="never"
func (m *Mod) Publish(
	ctx context.Context,
	// Registry password.
	password *dagger.Secret,
	// Tags to push.
	tags []string,
) (string, error) {
	return m.targetStep(ctx)
}

// Build builds the image.
func (m *Mod) Build() *dagger.Container { return nil }

func (m *Mod) targetStep(ctx context.Context) (string, error) { return "", nil }
