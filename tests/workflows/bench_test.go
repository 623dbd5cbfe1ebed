package workflows

import (
	"testing"
)

// BenchmarkCheckFixture measures reading one workflow and running every rule
// over it (the fixture module's surface is loaded once).
func BenchmarkCheckFixture(b *testing.B) {
	c := fixtureChecker(b)
	b.ReportAllocs()
	for b.Loop() {
		w, err := Load("testdata/good.yml")
		if err != nil {
			b.Fatal(err)
		}
		if fs := c.Check(w); len(fs) != 0 {
			b.Fatalf("findings: %v", fs)
		}
	}
}
