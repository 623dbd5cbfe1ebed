package main

// Mod is the module.
type Mod struct{}

// Configure sets labels.
func (m *Mod) Configure(
	// Labels to set.
	labels map[string]string,
) chan int {
	return nil
}
