package main

import "example.com/m/internal/dagger"

// Mod is the module.
type Mod struct{}

func (m *Mod) Build() *dagger.Container { return nil }
