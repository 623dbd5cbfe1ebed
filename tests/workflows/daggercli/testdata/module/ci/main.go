// A fixture module: the shapes the checker must understand.
package main

import (
	"context"

	"dagger/podinfo/internal/dagger"
)

// Podinfo is the main object.
type Podinfo struct {
	// +private
	Mirror string
}

// New takes constructor flags.
func New(
	// +optional
	mirror string,
) *Podinfo {
	return &Podinfo{Mirror: mirror}
}

// BuildAndSign returns a directory.
func (m *Podinfo) BuildAndSign(
	ctx context.Context,
	// +defaultPath="/src"
	source *dagger.Directory,
	// +optional
	registry string,
	// +optional
	keyless bool,
	// +optional
	oidcRequestToken *dagger.Secret,
	// +optional
	sbomURL string,
) (*dagger.Directory, error) {
	return source, nil
}

// Deploy returns a string.
func (m *Podinfo) Deploy(ctx context.Context, env, digest string) (string, error) {
	return env + digest, nil
}

// Serve returns a service.
func (m *Podinfo) Serve(httpMode bool) *dagger.Service { return nil }

// Release returns a module object.
func (m *Podinfo) Release() *Release { return &Release{} }

// helper is unexported and not a function.
func (m *Podinfo) helper() {}

// Release is a chained object.
type Release struct {
	// Digest is exposed as a function.
	Digest string
	// +private
	Hidden string
}

// Notes is a function of Release.
func (r *Release) Notes(format string) string { return format }
