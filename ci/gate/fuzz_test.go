package gate

import (
	"testing"

	"github.com/deliverykit/podinfo/ci/step"
	"github.com/deliverykit/podinfo/ci/steps"
)

// FuzzEvaluate feeds arbitrary tool output to the gate as verify, SBOM
// attestation and scan results: it must never panic, and never call such
// output deployable unless it really holds a signature payload for the
// digest.
func FuzzEvaluate(f *testing.F) {
	e := good()
	f.Add(e.Verify.Stdout, e.Attestations[steps.PredicateSPDX].Stdout, []byte(`{"SchemaVersion":2}`))
	f.Add([]byte(`[]`), []byte(`{"payload":"!!"}`), []byte(`{}`))
	f.Add([]byte(`[{"critical":{"type":"https://spdx.dev/Document"}}]`), []byte("\n\n"), []byte(`{"SchemaVersion":2,"Results":[{"Vulnerabilities":[{"Severity":"HIGH","FixedVersion":"1"}]}]}`))
	f.Fuzz(func(t *testing.T, verify, spdx, scan []byte) {
		ev := good()
		ev.Verify = step.Result{Stdout: verify}
		ev.Attestations[steps.PredicateSPDX] = step.Result{Stdout: spdx}
		ev.Scan = scan
		d := Evaluate(ev)
		if d.Deployable {
			if _, err := checkSignatures(ev.Verify, digest); err != nil {
				t.Fatalf("deployable without a signature: %v", err)
			}
		}
		_ = d.String()
	})
}
