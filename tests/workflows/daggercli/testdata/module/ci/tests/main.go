// A fixture tests module, called with dagger -m.
package main

import "context"

// Tests is the tests module's main object.
type Tests struct{}

// All runs every test.
func (m *Tests) All(ctx context.Context) error { return nil }
