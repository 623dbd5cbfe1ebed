package gate

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/deliverykit/podinfo/ci/step"
	"github.com/deliverykit/podinfo/ci/steps"
)

const (
	digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	other  = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
	image  = "registry.example.com/podinfo@" + digest
)

var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func sigOutput(typ, d string) step.Result {
	b, _ := json.Marshal([]map[string]any{{
		"critical": map[string]any{"identity": map[string]string{"docker-reference": "registry.example.com/podinfo"},
			"image": map[string]string{"docker-manifest-digest": d}, "type": typ},
		"optional": nil,
	}})
	return step.Result{Stdout: b}
}

func envelope(predType, d string, pred any) string {
	st, _ := json.Marshal(map[string]any{
		"_type": "https://in-toto.io/Statement/v0.1", "predicateType": predType,
		"subject":   []map[string]any{{"name": "registry.example.com/podinfo", "digest": map[string]string{"sha256": strings.TrimPrefix(d, "sha256:")}}},
		"predicate": pred,
	})
	env, _ := json.Marshal(map[string]any{"payloadType": "application/vnd.in-toto+json", "payload": base64.StdEncoding.EncodeToString(st), "signatures": []map[string]string{{"sig": "x"}}})
	return string(env)
}

func trivyReport(vulns ...map[string]any) map[string]any {
	return map[string]any{"SchemaVersion": 2, "ArtifactName": image, "Results": []map[string]any{{"Target": "app/podinfo", "Vulnerabilities": vulns}}}
}

var textVuln = map[string]any{
	"VulnerabilityID": "CVE-2022-32149", "PkgName": "golang.org/x/text", "InstalledVersion": "v0.3.7", "FixedVersion": "0.3.8",
	"Severity": "HIGH", "PkgIdentifier": map[string]string{"PURL": "pkg:golang/golang.org/x/text@v0.3.7"},
}

func attestations(d string, report map[string]any) map[string]step.Result {
	spdx := map[string]any{"spdxVersion": "SPDX-2.3", "packages": []map[string]string{{"name": "github.com/gorilla/mux"}}}
	vuln := map[string]any{"scanner": map[string]any{"uri": "pkg:github/aquasecurity/trivy@v0.74.0", "result": report}}
	prov := map[string]any{"buildDefinition": map[string]any{}}
	return map[string]step.Result{
		steps.PredicateSPDX:  {Stdout: []byte(envelope("https://spdx.dev/Document", d, spdx) + "\n")},
		steps.PredicateVuln:  {Stdout: []byte(envelope("https://cosign.sigstore.dev/attestation/vuln/v1", d, vuln) + "\n")},
		steps.PredicateSLSA1: {Stdout: []byte(envelope("https://slsa.dev/provenance/v1", d, prov) + "\n")},
	}
}

func good() Evidence {
	return Evidence{
		Image:        image,
		Policy:       steps.Policy{PublicKey: []byte("k"), IgnoreTlog: true},
		Threshold:    steps.Threshold{Now: now},
		Verify:       sigOutput("cosign container image signature", digest),
		Attestations: attestations(digest, trivyReport()),
	}
}

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*Evidence)
		failed string // check that must fail; "" means deployable
		detail string
	}{
		{name: "signed, attested, clean", edit: func(*Evidence) {}},
		{name: "tag instead of digest", edit: func(e *Evidence) { e.Image = "registry.example.com/podinfo:v1" }, failed: CheckReference, detail: "is a tag"},
		{name: "unsigned", edit: func(e *Evidence) {
			e.Verify = step.Result{ExitCode: 1, Stderr: []byte("Error: no signatures found")}
		}, failed: CheckSignature, detail: "no signatures found"},
		{name: "attestation only (cosign v2 payload)", edit: func(e *Evidence) { e.Verify = sigOutput("", "") }, failed: CheckSignature, detail: "an attestation is not a signature"},
		{name: "attestation only (cosign v3 verify passes on it)", edit: func(e *Evidence) { e.Verify = sigOutput("https://spdx.dev/Document", digest) }, failed: CheckSignature, detail: "an attestation is not a signature"},
		{name: "cosign v3 signature", edit: func(e *Evidence) { e.Verify = sigOutput("https://sigstore.dev/cosign/sign/v1", digest) }},
		{name: "signature of another digest", edit: func(e *Evidence) { e.Verify = sigOutput("cosign container image signature", other) }, failed: CheckSignature, detail: "no image signature"},
		{name: "verify output garbage", edit: func(e *Evidence) { e.Verify = step.Result{Stdout: []byte("ok")} }, failed: CheckSignature, detail: "not a JSON list"},
		{name: "missing SBOM attestation", edit: func(e *Evidence) {
			e.Attestations[steps.PredicateSPDX] = step.Result{ExitCode: 1, Stderr: []byte("none of the attestations matched the predicate type: spdxjson")}
		}, failed: CheckAttestation, detail: "spdxjson"},
		{name: "SBOM attestation not run", edit: func(e *Evidence) { delete(e.Attestations, steps.PredicateSPDX) }, failed: CheckAttestation, detail: "not verified"},
		{name: "corrupt SBOM", edit: func(e *Evidence) {
			e.Attestations[steps.PredicateSPDX] = step.Result{Stdout: []byte(envelope("https://spdx.dev/Document", digest, map[string]any{"spdxVersion": "SPDX-2.3"}))}
		}, failed: CheckSBOM, detail: "no packages"},
		{name: "attestation about another image", edit: func(e *Evidence) { e.Attestations = attestations(other, trivyReport()) }, failed: CheckAttestation, detail: "another image"},
		{name: "vulnerable", edit: func(e *Evidence) { e.Attestations = attestations(digest, trivyReport(textVuln)) }, failed: CheckVulnerablity, detail: "CVE-2022-32149"},
		{name: "vulnerable in fresh scan", edit: func(e *Evidence) {
			b, _ := json.Marshal(trivyReport(textVuln))
			e.Scan = b
		}, failed: CheckVulnerablity, detail: "scan: 1 finding"},
		{name: "vulnerable but allow-listed", edit: func(e *Evidence) {
			e.Attestations = attestations(digest, trivyReport(textVuln))
			e.Threshold.AllowList = []byte("vulnerabilities:\n- id: CVE-2022-32149\n  reason: input is our own\n  expires: 2026-12-31\n")
		}},
		{name: "expired allow-list entry", edit: func(e *Evidence) {
			e.Attestations = attestations(digest, trivyReport(textVuln))
			e.Threshold.AllowList = []byte("vulnerabilities:\n- id: CVE-2022-32149\n  reason: input is our own\n  expires: 2026-11-01\n")
		}, failed: CheckAllowList, detail: "expired on 2026-11-01"},
		{name: "unfixed high ignored by default", edit: func(e *Evidence) {
			v := map[string]any{"VulnerabilityID": "CVE-9", "PkgName": "p", "Severity": "CRITICAL"}
			e.Attestations = attestations(digest, trivyReport(v))
		}},
		{name: "unfixed high fails when included", edit: func(e *Evidence) {
			v := map[string]any{"VulnerabilityID": "CVE-9", "PkgName": "p", "Severity": "CRITICAL"}
			e.Attestations = attestations(digest, trivyReport(v))
			e.Threshold.IncludeUnfixed = true
		}, failed: CheckVulnerablity, detail: "CVE-9"},
		{name: "medium passes default threshold", edit: func(e *Evidence) {
			v := map[string]any{"VulnerabilityID": "CVE-8", "PkgName": "p", "Severity": "MEDIUM", "FixedVersion": "2"}
			e.Attestations = attestations(digest, trivyReport(v))
		}},
		{name: "vuln report not trivy", edit: func(e *Evidence) { e.Scan = []byte(`{"hello":1}`) }, failed: CheckVulnerablity, detail: "no SchemaVersion"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := good()
			tt.edit(&e)
			d := Evaluate(e)
			if tt.failed == "" {
				if !d.Deployable || d.Err() != nil {
					t.Fatalf("refused:\n%s", d)
				}
				return
			}
			if d.Deployable {
				t.Fatalf("gate said deployable:\n%s", d)
			}
			found := false
			for _, f := range d.Findings {
				if f.Check == tt.failed && !f.OK && strings.Contains(f.Detail, tt.detail) {
					found = true
				}
			}
			if !found {
				t.Errorf("no failed %s finding containing %q:\n%s", tt.failed, tt.detail, d)
			}
			if err := d.Err(); err == nil || !strings.Contains(err.Error(), tt.failed) {
				t.Errorf("Err() = %v", err)
			}
		})
	}
}

func TestDecisionString(t *testing.T) {
	d := Evaluate(good())
	s := d.String()
	if !strings.HasPrefix(s, image+": deployable\n") || !strings.Contains(s, "[ok] signature") {
		t.Errorf("report:\n%s", s)
	}
}
