package supplychain

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/deliverykit/podinfo/ci/gate"
	"github.com/deliverykit/podinfo/ci/step"
	"github.com/deliverykit/podinfo/ci/steps"
)

// chainResult is what one run of the native chain produced.
type chainResult struct {
	image    string
	workDir  string
	outputs  map[string][]byte
	timings  []timing
	decision gate.Decision
	scanExit int
}

type timing struct {
	step string
	d    time.Duration
}

// chainOptions selects the source and the signing of one chain run.
type chainOptions struct {
	name     string // work dir name
	repo     string // repository name under the registry
	baseRepo string
	// src prepares the source in the work dir; main is the main package.
	src  func(tb testing.TB, dir string)
	main string
	// skipAttest drops attestation types; skipSign skips the signature.
	skipAttest map[string]bool
	skipSign   bool
	signer     keyPair
}

// chain builds, pushes, describes, scans, signs, attests and verifies one
// image by running the steps natively, and records each step's time.
func (h *harness) chain(tb testing.TB, o chainOptions) chainResult {
	tb.Helper()
	wd := h.workDir(tb, o.name)
	if o.src != nil {
		o.src(tb, wd)
	}
	if err := os.Symlink(h.trivyDir, filepath.Join(wd, "trivy-cache")); err != nil && !os.IsExist(err) {
		tb.Fatal(err)
	}
	r := h.runner(tb, wd, o.signer.secrets())
	out := chainResult{workDir: wd, outputs: map[string][]byte{}}
	timed := func(name string, f func()) {
		start := time.Now()
		f()
		out.timings = append(out.timings, timing{name, time.Since(start)})
	}
	keep := func(res step.Result) {
		for k, v := range res.Outputs {
			out.outputs[k] = v
		}
	}
	bo := steps.BuildOptions{
		Common: h.common, Repository: h.registry + "/" + o.repo, BaseRepository: o.baseRepo,
		Platform: platform, Main: o.main, Version: version, Revision: revision, SourceURL: sourceURL, CommitTime: commitTime,
	}
	timed("build", func() {
		s, err := steps.Build(bo)
		out.image = imageRef(tb, h.run(tb, r, s, err))
	})
	timed("sbom", func() {
		s, err := steps.SBOM(steps.SBOMOptions{Common: h.common, Image: out.image})
		keep(h.run(tb, r, s, err))
	})
	th := steps.Threshold{Now: time.Now()}
	timed("scan", func() {
		s, err := steps.ScanImage(steps.ScanOptions{Common: h.common, Image: out.image, Threshold: th,
			DB: steps.TrivyDB{CacheDir: "trivy-cache", Offline: true}})
		res := h.try(tb, r, s, err)
		if res.ExitCode > 1 || res.Outputs[steps.FileScanJSON] == nil {
			tb.Fatal(res.Err(s))
		}
		out.scanExit = res.ExitCode
		keep(res)
		s, err = steps.Convert(h.common, steps.FileScanJSON, steps.FormatSARIF, steps.FileScanSARIF)
		keep(h.run(tb, r, s, err))
		s, err = steps.Convert(h.common, steps.FileScanJSON, steps.FormatCosignVuln, steps.FileVulnPredicate)
		keep(h.run(tb, r, s, err))
	})
	if !o.skipSign {
		timed("sign", func() {
			s, err := steps.Sign(steps.SignOptions{Common: h.common, Image: out.image, Signer: steps.Signer{Offline: true}})
			h.run(tb, r, s, err)
		})
	}
	timed("attest", func() {
		prov, err := steps.Provenance(steps.ProvenanceInput{Build: bo, Image: out.image, BuilderID: "https://github.com/deliverykit/podinfo/tests/supplychain"})
		if err != nil {
			tb.Fatal(err)
		}
		for _, a := range []steps.AttestOptions{
			{Type: steps.PredicateSPDX, Predicate: steps.FileSPDX},
			{Type: steps.PredicateVuln, Predicate: steps.FileVulnPredicate},
			{Type: steps.PredicateSLSA1, Predicate: steps.FileProvenance, PredicateData: prov},
		} {
			if o.skipAttest[a.Type] {
				continue
			}
			a.Common, a.Image, a.Signer = h.common, out.image, steps.Signer{Offline: true}
			s, err := steps.Attest(a)
			h.run(tb, r, s, err)
		}
	})
	timed("verify", func() {
		out.decision = h.gateCheck(tb, wd, out.image, h.key.policy(), th)
	})
	return out
}
