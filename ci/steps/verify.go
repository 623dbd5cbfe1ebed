package steps

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"regexp"
	"strings"

	"github.com/deliverykit/podinfo/ci/step"
)

// Policy is what a deployable image must satisfy: who signed it and which
// attestations it carries.
type Policy struct {
	// PublicKey is the PEM public key the signature must verify with (key
	// mode). Exactly one of PublicKey and Identity must be set.
	PublicKey []byte
	// Identity is the keyless signer's certificate identity (for GitHub
	// Actions the workflow ref URL), Issuer its OIDC issuer
	// (https://token.actions.githubusercontent.com).
	Identity, Issuer string
	// IdentityRegexp, when true, matches Identity as a regular expression.
	IdentityRegexp bool
	// RequiredAttestations are the cosign --type names that must verify
	// (RequiredDefault when empty).
	RequiredAttestations []string
	// IgnoreTlog accepts signatures without a transparency-log entry (key
	// mode with Signer.Offline).
	IgnoreTlog bool
}

// RequiredDefault are the attestations a deployable image must carry.
var RequiredDefault = []string{PredicateSPDX, PredicateVuln, PredicateSLSA1}

// Required returns the attestation types the policy requires.
func (p Policy) Required() []string {
	if len(p.RequiredAttestations) == 0 {
		return RequiredDefault
	}
	return p.RequiredAttestations
}

// Validate checks the policy is complete and consistent.
func (p Policy) Validate() error {
	hasKey, hasID := len(p.PublicKey) > 0, p.Identity != "" || p.Issuer != ""
	switch {
	case hasKey && hasID:
		return fmt.Errorf("policy: both a public key and a keyless identity are set: choose one")
	case !hasKey && !hasID:
		return fmt.Errorf("policy: no public key and no keyless identity: pass the cosign public key, or the certificate identity and OIDC issuer")
	case hasKey:
		if err := CheckPublicKey(p.PublicKey); err != nil {
			return fmt.Errorf("policy: argument public-key: %w", err)
		}
	default:
		if p.Identity == "" || p.Issuer == "" {
			return fmt.Errorf("policy: keyless verification needs both certificate-identity and certificate-oidc-issuer (for GitHub Actions: https://token.actions.githubusercontent.com)")
		}
		if p.IdentityRegexp {
			if _, err := regexp.Compile(p.Identity); err != nil {
				return fmt.Errorf("policy: argument certificate-identity is not a valid regular expression: %w", err)
			}
		}
		if p.IgnoreTlog {
			return fmt.Errorf("policy: ignore-tlog cannot be combined with keyless verification: keyless signatures are trusted through the transparency log")
		}
	}
	for _, t := range p.Required() {
		if _, err := PredicateTypeURI(t); err != nil {
			return fmt.Errorf("policy: required attestation: %w", err)
		}
	}
	return nil
}

func (p Policy) args(c Common) []string {
	var a []string
	if len(p.PublicKey) > 0 {
		a = append(a, "--key", FilePublicKey)
	} else {
		if p.IdentityRegexp {
			a = append(a, "--certificate-identity-regexp", p.Identity)
		} else {
			a = append(a, "--certificate-identity", p.Identity)
		}
		a = append(a, "--certificate-oidc-issuer", p.Issuer)
	}
	if p.IgnoreTlog {
		a = append(a, "--insecure-ignore-tlog=true")
	}
	if c.PlainHTTP {
		a = append(a, "--allow-http-registry")
	}
	return a
}

func (p Policy) files() map[string][]byte {
	if len(p.PublicKey) == 0 {
		return nil
	}
	return map[string][]byte{FilePublicKey: p.PublicKey}
}

// VerifyOptions configures Verify and VerifyAttestation.
type VerifyOptions struct {
	Common
	// Image is the image by digest.
	Image string
	// Policy is what must hold.
	Policy Policy
}

// Verify returns the `cosign verify` step; its JSON report (the verified
// signature payloads) goes to FileVerify. package gate reads it.
func Verify(o VerifyOptions) (step.Step, error) {
	ref, err := ParseDigestRef("verify: argument image", o.Image)
	if err != nil {
		return step.Step{}, err
	}
	if err := o.Policy.Validate(); err != nil {
		return step.Step{}, fmt.Errorf("verify: %w", err)
	}
	args := append([]string{"verify", "--output", "json"}, o.Policy.args(o.Common)...)
	args = append(args, ref.String())
	s := newStep(o.Common, "verify", "cosign", args...)
	s.Files = o.Policy.files()
	for f := range s.Files {
		s.Inputs = append(s.Inputs, f)
	}
	s.Stdout = FileVerify
	s.Outputs = []string{FileVerify}
	return s, nil
}

// VerifyAttestationFile is where VerifyAttestation writes the verified
// attestations of type typ.
func VerifyAttestationFile(typ string) string { return "verify-attestation-" + typ + ".json" }

// VerifyAttestation returns the `cosign verify-attestation` step for one
// attestation type; the verified envelopes (one JSON object per line) go to
// VerifyAttestationFile(typ).
func VerifyAttestation(o VerifyOptions, typ string) (step.Step, error) {
	ref, err := ParseDigestRef("verify attestation: argument image", o.Image)
	if err != nil {
		return step.Step{}, err
	}
	if err := o.Policy.Validate(); err != nil {
		return step.Step{}, fmt.Errorf("verify attestation: %w", err)
	}
	if _, err := PredicateTypeURI(typ); err != nil {
		return step.Step{}, fmt.Errorf("verify attestation: argument type: %w", err)
	}
	args := append([]string{"verify-attestation", "--type", typ}, o.Policy.args(o.Common)...)
	args = append(args, ref.String())
	s := newStep(o.Common, "verify-attestation-"+typ, "cosign", args...)
	s.Files = o.Policy.files()
	for f := range s.Files {
		s.Inputs = append(s.Inputs, f)
	}
	s.Stdout = VerifyAttestationFile(typ)
	s.Outputs = []string{s.Stdout}
	return s, nil
}

// CheckPublicKey checks that b is a PEM public key cosign can verify with.
func CheckPublicKey(b []byte) error {
	blk, _ := pem.Decode(b)
	if blk == nil {
		return fmt.Errorf("not PEM: pass the cosign public key (cosign.pub from `cosign generate-key-pair`)")
	}
	if blk.Type != "PUBLIC KEY" {
		return fmt.Errorf("PEM block is %q, want \"PUBLIC KEY\": pass cosign.pub, not the private key", blk.Type)
	}
	if _, err := x509.ParsePKIXPublicKey(blk.Bytes); err != nil {
		return fmt.Errorf("public key does not parse (%v): pass cosign.pub from `cosign generate-key-pair`", err)
	}
	return nil
}

// cosignKeyTypes are the PEM block types of encrypted cosign private keys.
var cosignKeyTypes = []string{"ENCRYPTED SIGSTORE PRIVATE KEY", "ENCRYPTED COSIGN PRIVATE KEY"}

// CheckPrivateKey checks that b is an encrypted cosign private key, without
// decrypting it, so a wrong file fails before any tool runs. The error never
// quotes the key.
func CheckPrivateKey(b []byte) error {
	blk, rest := pem.Decode(b)
	if blk == nil {
		return fmt.Errorf("argument cosign-key is not a PEM file: pass the cosign.key written by `cosign generate-key-pair`")
	}
	for _, t := range cosignKeyTypes {
		if blk.Type == t {
			if len(blk.Bytes) == 0 {
				return fmt.Errorf("argument cosign-key holds an empty %s block: regenerate it with `cosign generate-key-pair`", t)
			}
			if strings.TrimSpace(string(rest)) != "" {
				return fmt.Errorf("argument cosign-key holds data after the key: pass the key file alone")
			}
			return nil
		}
	}
	return fmt.Errorf("argument cosign-key is a PEM %q block, not a cosign key (want %s): generate one with `cosign generate-key-pair`, or import a PEM key with `cosign import-key-pair`", blk.Type, strings.Join(cosignKeyTypes, " or "))
}
