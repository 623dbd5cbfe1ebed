// Package gate decides whether an image digest may be deployed or promoted,
// and says why. Evaluate is pure: it reads the results of the verification
// steps (cosign verify and verify-attestation, see package steps) and the
// vulnerability report, so every rule is testable without a registry. Check
// runs those steps through any step.Runner and then evaluates.
//
// Rules, all required:
//   - the reference names a digest, never a tag;
//   - a signature verifies for the policy (key, or keyless identity and
//     issuer) and is a cosign image signature for exactly that digest: an
//     image carrying only attestations is not signed;
//   - every required attestation verifies, is about that digest, and an SBOM
//     attestation holds a non-empty SPDX document;
//   - the vulnerability report (from the verified vuln attestation, and a
//     fresh scan when given) has no finding at or above the threshold that is
//     not allow-listed, and the allow-list has no expired entry.
package gate

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/deliverykit/podinfo/ci/allowlist"
	"github.com/deliverykit/podinfo/ci/step"
	"github.com/deliverykit/podinfo/ci/steps"
)

// Names of the checks a Decision reports.
const (
	CheckReference    = "reference"
	CheckSignature    = "signature"
	CheckAttestation  = "attestation"
	CheckSBOM         = "sbom"
	CheckVulnerablity = "vulnerabilities"
	CheckAllowList    = "allow-list"
)

// Finding is the outcome of one check.
type Finding struct {
	// Check names the rule (CheckSignature, ...).
	Check string
	// OK says whether the rule holds.
	OK bool
	// Detail explains the outcome.
	Detail string
}

// Decision is the gate's verdict for one image.
type Decision struct {
	// Image is the reference that was checked.
	Image string
	// Digest is the digest it names ("sha256:..."); empty for a tag.
	Digest string
	// Deployable is true only when every finding is OK.
	Deployable bool
	// Findings lists each rule's outcome, in evaluation order.
	Findings []Finding
}

// Err returns nil for a deployable image, else an error listing every
// failed rule.
func (d Decision) Err() error {
	if d.Deployable {
		return nil
	}
	var bad []string
	for _, f := range d.Findings {
		if !f.OK {
			bad = append(bad, f.Check+": "+f.Detail)
		}
	}
	return fmt.Errorf("gate refused %s:\n  %s", d.Image, strings.Join(bad, "\n  "))
}

// String renders the decision as a short report.
func (d Decision) String() string {
	var b strings.Builder
	verdict := "NOT deployable"
	if d.Deployable {
		verdict = "deployable"
	}
	fmt.Fprintf(&b, "%s: %s\n", d.Image, verdict)
	for _, f := range d.Findings {
		mark := "FAIL"
		if f.OK {
			mark = "ok"
		}
		fmt.Fprintf(&b, "  [%s] %s: %s\n", mark, f.Check, f.Detail)
	}
	return b.String()
}

// Evidence is what the gate decides on.
type Evidence struct {
	// Image is the reference as requested.
	Image string
	// Policy is the signing policy the results were produced with.
	Policy steps.Policy
	// Threshold is the vulnerability policy.
	Threshold steps.Threshold
	// Verify is the result of the steps.Verify step.
	Verify step.Result
	// Attestations holds the result of steps.VerifyAttestation per type.
	Attestations map[string]step.Result
	// Scan is an optional fresh trivy JSON report of the image; when nil the
	// report inside the verified vuln attestation is used.
	Scan []byte
}

// Evaluate applies every rule to the evidence. It never fails: missing or
// malformed evidence is a failed finding.
func Evaluate(e Evidence) Decision {
	d := Decision{Image: e.Image}
	add := func(check string, ok bool, format string, a ...any) {
		d.Findings = append(d.Findings, Finding{Check: check, OK: ok, Detail: fmt.Sprintf(format, a...)})
	}
	ref, err := steps.ParseDigestRef("image", e.Image)
	if err != nil {
		add(CheckReference, false, "%v", err)
		return d
	}
	d.Digest = ref.DigestStr()
	add(CheckReference, true, "names digest %s", d.Digest)

	if n, err := checkSignatures(e.Verify, d.Digest); err != nil {
		add(CheckSignature, false, "%v", err)
	} else {
		add(CheckSignature, true, "%d signature(s) for %s verified with %s", n, d.Digest, policyName(e.Policy))
	}

	var vulnReport []byte
	for _, typ := range e.Policy.Required() {
		res, ok := e.Attestations[typ]
		if !ok {
			add(CheckAttestation, false, "%s: not verified (no verify-attestation result): run steps.VerifyAttestation for it", typ)
			continue
		}
		preds, err := attestationPredicates(res, typ, d.Digest)
		if err != nil {
			add(CheckAttestation, false, "%s: %v", typ, err)
			continue
		}
		add(CheckAttestation, true, "%s: %d attestation(s) verified", typ, len(preds))
		switch typ {
		case steps.PredicateSPDX:
			if n, err := checkSPDX(preds); err != nil {
				add(CheckSBOM, false, "%v", err)
			} else {
				add(CheckSBOM, true, "SPDX document lists %d packages", n)
			}
		case steps.PredicateVuln:
			vulnReport = scanResult(preds)
		}
	}

	sev, list, err := e.Threshold.Resolve()
	if err != nil {
		add(CheckAllowList, false, "%v", err)
		list, sev = allowlist.List{}, steps.DefaultSeverities
		if len(e.Threshold.Severities) > 0 {
			sev = e.Threshold.Severities
		}
	} else {
		add(CheckAllowList, true, "%d accepted vulnerabilities, none expired", len(list.Vulnerabilities))
	}
	reports := map[string][]byte{}
	if vulnReport != nil {
		reports["vuln attestation"] = vulnReport
	}
	if e.Scan != nil {
		reports["scan"] = e.Scan
	}
	if len(reports) == 0 {
		add(CheckVulnerablity, false, "no vulnerability report: attest the scan (--type vuln) or pass a fresh scan")
	}
	for _, src := range []string{"vuln attestation", "scan"} {
		rep, ok := reports[src]
		if !ok {
			continue
		}
		bad, total, err := Violations(rep, sev, !e.Threshold.IncludeUnfixed, list)
		switch {
		case err != nil:
			add(CheckVulnerablity, false, "%s: %v", src, err)
		case len(bad) > 0:
			add(CheckVulnerablity, false, "%s: %d finding(s) at %s not allow-listed: %s", src, len(bad), strings.Join(sev, "/"), strings.Join(bad, "; "))
		default:
			add(CheckVulnerablity, true, "%s: no finding at %s outside the allow-list (%d reported)", src, strings.Join(sev, "/"), total)
		}
	}

	d.Deployable = true
	for _, f := range d.Findings {
		if !f.OK {
			d.Deployable = false
		}
	}
	return d
}

func policyName(p steps.Policy) string {
	if len(p.PublicKey) > 0 {
		return "the policy's public key"
	}
	return fmt.Sprintf("identity %q from issuer %q", p.Identity, p.Issuer)
}

// signatureTypes are the payload types of image signatures: the simple
// signing payload of cosign v2 and the sign/v1 statement that cosign v3
// bundles carry. Attestations verify with the same key but report their
// predicate type (https://spdx.dev/Document, ...) and never count.
var signatureTypes = map[string]bool{
	"cosign container image signature":    true,
	"https://sigstore.dev/cosign/sign/v1": true,
}

// checkSignatures reads `cosign verify --output json`: a JSON array of
// payloads. Only signature payloads (signatureTypes) for the digest count:
// cosign v3 `verify` also succeeds on an image that carries only
// attestations, listing them with their predicate type, and those must not
// pass as signatures.
func checkSignatures(res step.Result, digest string) (int, error) {
	if res.ExitCode != 0 {
		return 0, fmt.Errorf("cosign verify failed (exit %d): %s", res.ExitCode, lastLine(res.Stderr))
	}
	var payloads []struct {
		Critical struct {
			Image struct {
				Digest string `json:"docker-manifest-digest"`
			} `json:"image"`
			Type string `json:"type"`
		} `json:"critical"`
	}
	out := bytes.TrimSpace(res.Stdout)
	if err := json.Unmarshal(out, &payloads); err != nil {
		return 0, fmt.Errorf("cosign verify output is not a JSON list of signature payloads: %v", err)
	}
	n := 0
	var other []string
	for _, p := range payloads {
		if signatureTypes[p.Critical.Type] && p.Critical.Image.Digest == digest {
			n++
			continue
		}
		other = append(other, fmt.Sprintf("type %q for %q", p.Critical.Type, p.Critical.Image.Digest))
	}
	if n == 0 {
		if len(other) > 0 {
			return 0, fmt.Errorf("no image signature for %s: the verified objects are not signatures of this digest (%s); an attestation is not a signature", digest, strings.Join(other, ", "))
		}
		return 0, fmt.Errorf("no image signature for %s", digest)
	}
	return n, nil
}

type statement struct {
	Type          string `json:"_type"`
	PredicateType string `json:"predicateType"`
	Subject       []struct {
		Name   string            `json:"name"`
		Digest map[string]string `json:"digest"`
	} `json:"subject"`
	Predicate json.RawMessage `json:"predicate"`
}

// attestationPredicates reads `cosign verify-attestation` output: one JSON
// object per line, a DSSE envelope whose payload is an in-toto statement.
// It returns the predicates whose statement is about digest and has the
// predicate type of typ.
func attestationPredicates(res step.Result, typ, digest string) ([]json.RawMessage, error) {
	if res.ExitCode != 0 {
		return nil, fmt.Errorf("cosign verify-attestation failed (exit %d): %s", res.ExitCode, lastLine(res.Stderr))
	}
	wantType, err := steps.PredicateTypeURI(typ)
	if err != nil {
		return nil, err
	}
	hexDigest := strings.TrimPrefix(digest, "sha256:")
	var preds []json.RawMessage
	sc := bufio.NewScanner(bytes.NewReader(res.Stdout))
	sc.Buffer(make([]byte, 0, 1<<20), 256<<20)
	lines := 0
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		lines++
		st, err := decodeStatement(line)
		if err != nil {
			return nil, fmt.Errorf("attestation %d: %v", lines, err)
		}
		if st.PredicateType != wantType {
			continue
		}
		about := false
		for _, s := range st.Subject {
			if s.Digest["sha256"] == hexDigest {
				about = true
			}
		}
		if !about {
			return nil, fmt.Errorf("attestation %d is about another image, not %s", lines, digest)
		}
		preds = append(preds, st.Predicate)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read verify-attestation output: %v", err)
	}
	if len(preds) == 0 {
		return nil, fmt.Errorf("no verified attestation of type %s (%s) for %s", typ, wantType, digest)
	}
	return preds, nil
}

func decodeStatement(line []byte) (statement, error) {
	var env struct {
		PayloadType string `json:"payloadType"`
		Payload     string `json:"payload"`
	}
	var st statement
	if err := json.Unmarshal(line, &env); err != nil {
		return st, fmt.Errorf("not JSON: %v", err)
	}
	body := line
	if env.Payload != "" {
		b, err := base64.StdEncoding.DecodeString(env.Payload)
		if err != nil {
			return st, fmt.Errorf("envelope payload is not base64: %v", err)
		}
		body = b
	}
	if err := json.Unmarshal(body, &st); err != nil {
		return st, fmt.Errorf("payload is not an in-toto statement: %v", err)
	}
	if !strings.HasPrefix(st.Type, "https://in-toto.io/Statement/") {
		return st, fmt.Errorf("payload type %q is not an in-toto statement", st.Type)
	}
	return st, nil
}

// checkSPDX checks that an SBOM predicate is an SPDX 2.x document with
// packages, and returns the package count of the first one.
func checkSPDX(preds []json.RawMessage) (int, error) {
	for _, p := range preds {
		var doc struct {
			SPDXVersion string            `json:"spdxVersion"`
			Packages    []json.RawMessage `json:"packages"`
		}
		if err := json.Unmarshal(p, &doc); err != nil {
			return 0, fmt.Errorf("SBOM attestation is not an SPDX JSON document: %v", err)
		}
		if !strings.HasPrefix(doc.SPDXVersion, "SPDX-2.") {
			return 0, fmt.Errorf("SBOM attestation has spdxVersion %q, want SPDX-2.x", doc.SPDXVersion)
		}
		if len(doc.Packages) == 0 {
			return 0, fmt.Errorf("SBOM attestation lists no packages")
		}
		return len(doc.Packages), nil
	}
	return 0, fmt.Errorf("no SBOM attestation")
}

// scanResult extracts the trivy report from cosign vulnerability predicates
// (predicate.scanner.result).
func scanResult(preds []json.RawMessage) []byte {
	for _, p := range preds {
		var v struct {
			Scanner struct {
				Result json.RawMessage `json:"result"`
			} `json:"scanner"`
		}
		if json.Unmarshal(p, &v) == nil && len(v.Scanner.Result) > 0 && string(v.Scanner.Result) != "null" {
			return v.Scanner.Result
		}
	}
	return []byte("{}")
}

// Violations returns the findings of a trivy JSON report that fail the
// threshold: severity in sev, fixed (unless ignoreUnfixed is false) and not
// accepted by the allow-list; and how many vulnerabilities the report lists.
func Violations(report []byte, sev []string, ignoreUnfixed bool, list allowlist.List) ([]string, int, error) {
	var rep struct {
		SchemaVersion int `json:"SchemaVersion"`
		Results       []struct {
			Target          string `json:"Target"`
			Vulnerabilities []struct {
				VulnerabilityID  string `json:"VulnerabilityID"`
				PkgName          string `json:"PkgName"`
				InstalledVersion string `json:"InstalledVersion"`
				FixedVersion     string `json:"FixedVersion"`
				Severity         string `json:"Severity"`
				PkgIdentifier    struct {
					PURL string `json:"PURL"`
				} `json:"PkgIdentifier"`
			} `json:"Vulnerabilities"`
		} `json:"Results"`
	}
	if err := json.Unmarshal(report, &rep); err != nil {
		return nil, 0, fmt.Errorf("vulnerability report is not trivy JSON: %v", err)
	}
	if rep.SchemaVersion == 0 {
		return nil, 0, fmt.Errorf("vulnerability report has no SchemaVersion: not a trivy JSON report")
	}
	fails := map[string]bool{}
	for _, s := range sev {
		fails[s] = true
	}
	var bad []string
	total := 0
	for _, r := range rep.Results {
		for _, v := range r.Vulnerabilities {
			total++
			if !fails[v.Severity] || (ignoreUnfixed && v.FixedVersion == "") || list.Allows(v.VulnerabilityID, v.PkgIdentifier.PURL) {
				continue
			}
			bad = append(bad, fmt.Sprintf("%s %s in %s@%s (fixed in %s)", v.Severity, v.VulnerabilityID, v.PkgName, v.InstalledVersion, v.FixedVersion))
		}
	}
	return bad, total, nil
}

func lastLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	if len(s) > 400 {
		s = s[:400] + "..."
	}
	return s
}

// Check runs the verification steps for image through r and evaluates the
// results with Evaluate. scan, when non-nil, is a fresh trivy JSON report.
// An error means a step could not run at all; a refused image is a Decision
// with Deployable false.
func Check(ctx context.Context, r step.Runner, c steps.Common, image string, p steps.Policy, th steps.Threshold, scan []byte) (Decision, error) {
	e := Evidence{Image: image, Policy: p, Threshold: th, Scan: scan, Attestations: map[string]step.Result{}}
	if _, err := steps.ParseDigestRef("image", image); err != nil {
		return Evaluate(e), nil
	}
	opts := steps.VerifyOptions{Common: c, Image: image, Policy: p}
	v, err := steps.Verify(opts)
	if err != nil {
		return Decision{}, fmt.Errorf("gate %s: %w", image, err)
	}
	if e.Verify, err = r.Run(ctx, v); err != nil {
		return Decision{}, fmt.Errorf("gate %s: %w", image, err)
	}
	for _, typ := range p.Required() {
		s, err := steps.VerifyAttestation(opts, typ)
		if err != nil {
			return Decision{}, fmt.Errorf("gate %s: %w", image, err)
		}
		res, err := r.Run(ctx, s)
		if err != nil {
			return Decision{}, fmt.Errorf("gate %s: %w", image, err)
		}
		e.Attestations[typ] = res
	}
	return Evaluate(e), nil
}
