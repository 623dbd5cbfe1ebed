package main

import "example.com/m/internal/dagger"

// Mod is the module.
type Mod struct{}

// Build builds the image.
func (m *Mod) Build(
	// +optional
	platform string,
) *dagger.Container {
	return nil
}
