// Package version holds the service's version and revision, stamped at build
// time with -ldflags "-X github.com/deliverykit/podinfo/src/internal/version.Version=...".
package version

// Version is the release version (podinfo reports it in /version and /api/info).
var Version = "0.0.0-dev"

// Revision is the source commit the binary was built from.
var Revision = "unknown"
