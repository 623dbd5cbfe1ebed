package main

import "context"

// Mod is the module.
type Mod struct{}

// Deploy deploys the image.
func (m *Mod) Deploy(ctx context.Context) error { return m.rollout(ctx) }

// Plan plans the deployment.
// +cache="sometimes"
func (m *Mod) Plan(ctx context.Context) error { return nil }

func (m *Mod) rollout(ctx context.Context) error { return m.deployer(ctx) }

func (m *Mod) deployer(ctx context.Context) error { return nil }
