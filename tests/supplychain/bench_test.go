package supplychain

import (
	"testing"
	"time"

	"github.com/deliverykit/podinfo/ci/steps"
)

// BenchmarkImageAssembly measures the build step alone (ko: compile with a
// warm Go cache, assemble on the base, push to the local registry).
func BenchmarkImageAssembly(b *testing.B) {
	h := newHarness(b)
	base := h.pushBase(b)
	wd := h.workDir(b, "bench-build")
	copySource(b, wd)
	s, err := steps.Build(steps.BuildOptions{
		Common: h.common, Repository: h.registry + "/bench", BaseRepository: base, Platform: platform,
		Version: version, Revision: revision, SourceURL: sourceURL, CommitTime: commitTime,
	})
	if err != nil {
		b.Fatal(err)
	}
	r := h.runner(b, wd, nil)
	h.run(b, r, s, nil) // warm the Go build cache
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.run(b, r, s, nil)
	}
}

// BenchmarkChain measures the whole native chain on the service (build,
// push, SBOM, scan, sign, attest, verify) and reports each step's share as
// <step>-ms metrics, so the slowest step is known.
func BenchmarkChain(b *testing.B) {
	h := newHarness(b)
	base := h.pushBase(b)
	opts := chainOptions{name: "bench-chain", repo: "chain", baseRepo: base, src: serviceSource, main: steps.DefaultMain, signer: h.key}
	h.chain(b, opts) // warm caches
	opts.src = nil
	sum := map[string]time.Duration{}
	var order []string
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res := h.chain(b, opts)
		for _, tm := range res.timings {
			if _, ok := sum[tm.step]; !ok {
				order = append(order, tm.step)
			}
			sum[tm.step] += tm.d
		}
	}
	for _, s := range order {
		b.ReportMetric(float64(sum[s].Milliseconds())/float64(b.N), s+"-ms")
	}
}
