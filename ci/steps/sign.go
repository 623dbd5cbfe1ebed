package steps

import (
	"fmt"
	"path"
	"strings"

	"github.com/deliverykit/podinfo/ci/step"
)

// Signer says how the signing steps sign.
type Signer struct {
	// Keyless signs with a short-lived Fulcio certificate bound to the
	// GitHub Actions OIDC identity (secrets EnvOIDCRequestToken and
	// EnvOIDCRequestURL). Otherwise the key in EnvCosignKey, unlocked with
	// EnvCosignPassword, signs.
	Keyless bool
	// Offline (key mode only) records no transparency-log entry and uses no
	// signing config, for registries and runs without Sigstore access.
	// Verification must then set Policy.IgnoreTlog.
	Offline bool
	// ReferrerBundles stores signatures and attestations as Sigstore bundles
	// attached through OCI 1.1 referrers (cosign v3's default). By default
	// (false) they are stored as cosign's tag-based sha256-<hex>.sig/.att
	// images (--new-bundle-format=false), because cosign v3.1.3 can promote
	// only those between repositories: `cosign copy` skips referrer bundles
	// and `cosign load` writes a bundle manifest before its blob, which
	// registries that check blobs (distribution) refuse. Checked natively in
	// tests/supplychain. cosign verify reads both formats.
	ReferrerBundles bool
}

func (sg Signer) args(c Common) ([]string, []string, error) {
	var a []string
	var secrets []string
	if sg.Keyless {
		if sg.Offline {
			return nil, nil, fmt.Errorf("argument offline cannot be combined with keyless signing: keyless needs Fulcio and Rekor; sign with a key instead")
		}
		a = append(a, "--oidc-provider=github-actions")
		secrets = []string{EnvOIDCRequestToken, EnvOIDCRequestURL}
	} else {
		a = append(a, "--key", "env://"+EnvCosignKey)
		secrets = []string{EnvCosignKey, EnvCosignPassword}
		if sg.Offline {
			a = append(a, "--tlog-upload=false", "--use-signing-config=false")
		}
	}
	if !sg.ReferrerBundles {
		a = append(a, "--new-bundle-format=false")
	}
	a = append(a, "--yes")
	if c.PlainHTTP {
		a = append(a, "--allow-http-registry")
	}
	return a, secrets, nil
}

// SignOptions configures Sign.
type SignOptions struct {
	Common
	// Image is the image by digest.
	Image string
	// Signer selects key or keyless signing.
	Signer Signer
}

// Sign returns the `cosign sign` step for the image digest.
func Sign(o SignOptions) (step.Step, error) {
	ref, err := ParseDigestRef("sign: argument image", o.Image)
	if err != nil {
		return step.Step{}, err
	}
	a, secrets, err := o.Signer.args(o.Common)
	if err != nil {
		return step.Step{}, fmt.Errorf("sign: %w", err)
	}
	args := append([]string{"sign"}, a...)
	args = append(args, ref.String())
	s := newStep(o.Common, "sign", "cosign", args...)
	s.SecretEnv = secrets
	return s, nil
}

// Attestation predicate types (cosign's --type names).
const (
	PredicateSPDX       = "spdxjson"
	PredicateVuln       = "vuln"
	PredicateSLSA1      = "slsaprovenance1"
	PredicateCycloneDX  = "cyclonedx"
	predicateSLSA02Name = "slsaprovenance02"
)

// PredicateTypeURI maps a cosign --type name to the in-toto predicateType
// URI found in the attestation.
var predicateTypeURIs = map[string]string{
	PredicateSPDX:       "https://spdx.dev/Document",
	PredicateCycloneDX:  "https://cyclonedx.org/bom",
	PredicateVuln:       "https://cosign.sigstore.dev/attestation/vuln/v1",
	PredicateSLSA1:      "https://slsa.dev/provenance/v1",
	predicateSLSA02Name: "https://slsa.dev/provenance/v0.2",
}

// PredicateTypeURI returns the in-toto predicateType URI of a cosign
// --type name, or an error listing the known names.
func PredicateTypeURI(typ string) (string, error) {
	u, ok := predicateTypeURIs[typ]
	if !ok {
		return "", fmt.Errorf("attestation type %q is unknown: use %s, %s, %s or %s", typ, PredicateSPDX, PredicateCycloneDX, PredicateVuln, PredicateSLSA1)
	}
	return u, nil
}

// AttestOptions configures Attest.
type AttestOptions struct {
	Common
	// Image is the image by digest.
	Image string
	// Type is the predicate type: PredicateSPDX, PredicateVuln,
	// PredicateSLSA1 (or PredicateCycloneDX).
	Type string
	// Predicate is the predicate file, relative to the work dir (FileSPDX,
	// FileVulnPredicate, FileProvenance).
	Predicate string
	// PredicateData, when set, is the predicate's content (for predicates
	// generated in Go, like Provenance); the runner writes it to Predicate.
	PredicateData []byte
	// Signer selects key or keyless signing.
	Signer Signer
}

// Attest returns the `cosign attest` step that signs the predicate file as an
// in-toto attestation about the image digest.
func Attest(o AttestOptions) (step.Step, error) {
	ref, err := ParseDigestRef("attest: argument image", o.Image)
	if err != nil {
		return step.Step{}, err
	}
	if _, err := PredicateTypeURI(o.Type); err != nil {
		return step.Step{}, fmt.Errorf("attest: argument type: %w", err)
	}
	if o.Predicate == "" || path.IsAbs(o.Predicate) || path.Clean(o.Predicate) != o.Predicate || strings.HasPrefix(o.Predicate, "..") {
		return step.Step{}, fmt.Errorf("attest: argument predicate %q must be a file relative to the work dir, like %s", o.Predicate, FileSPDX)
	}
	a, secrets, err := o.Signer.args(o.Common)
	if err != nil {
		return step.Step{}, fmt.Errorf("attest: %w", err)
	}
	args := append([]string{"attest", "--type", o.Type, "--predicate", o.Predicate}, a...)
	args = append(args, ref.String())
	s := newStep(o.Common, "attest-"+o.Type, "cosign", args...)
	s.SecretEnv = secrets
	s.Inputs = []string{o.Predicate}
	if o.PredicateData != nil {
		s.Files = map[string][]byte{o.Predicate: o.PredicateData}
	}
	return s, nil
}
