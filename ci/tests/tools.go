//go:build tools

// This file is never compiled into the module. It keeps the requirement on
// dagger.io/dagger in go.mod through the engine's `go mod tidy` (the
// generated code imports querybuilder and friends, not the SDK), because
// make check-module type-checks this module against stand-ins aliasing
// exactly that SDK version.
package main

import _ "dagger.io/dagger"
