// Package steps defines every supply-chain tool invocation as data: pure
// functions that validate their options and return a step.Step (image,
// argv, env, secret names, files in and out). The Dagger module runs the
// steps in containers, the native tests run the same argv with the same
// pinned tool versions (ci/toolversions).
//
// Nothing here executes a tool or reads a secret value.
package steps

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/deliverykit/podinfo/ci/step"
	"github.com/deliverykit/podinfo/ci/toolversions"
)

// Work-dir-relative files the steps read and write.
const (
	FileKoConfig      = ".ko.yaml"
	FileImageRef      = "image.ref"
	FileSPDX          = "sbom.spdx.json"
	FileCycloneDX     = "sbom.cdx.json"
	FileScanJSON      = "scan.json"
	FileScanSARIF     = "scan.sarif"
	FileVulnPredicate = "vuln.json"
	FileTrivyIgnore   = ".trivyignore.yaml"
	FileConfigJSON    = "config-scan.json"
	FileConfigSARIF   = "config-scan.sarif"
	FileProvenance    = "provenance.json"
	FilePublicKey     = "cosign.pub"
	FileVerify        = "verify.json"
)

// Secret environment variable names the signing steps read.
const (
	// EnvCosignKey holds the PEM of an encrypted cosign private key; cosign
	// reads it with --key env://COSIGN_KEY.
	EnvCosignKey = "COSIGN_KEY"
	// EnvCosignPassword holds the key's password (may be empty).
	EnvCosignPassword = "COSIGN_PASSWORD"
	// EnvOIDCRequestToken and EnvOIDCRequestURL are GitHub Actions' OIDC
	// token request credentials, used for keyless signing.
	EnvOIDCRequestToken = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
	EnvOIDCRequestURL   = "ACTIONS_ID_TOKEN_REQUEST_URL"
)

// Common holds settings every step shares.
type Common struct {
	// Mirror, when set, is a registry prefix ("mirror.internal/hub") that
	// replaces the registry of every tool image, for mirrors and air-gapped
	// users.
	Mirror string
	// PlainHTTP says the image registry speaks plain HTTP (a local test
	// registry). Never set it for a real registry.
	PlainHTTP bool
}

func newStep(c Common, name, tool string, args ...string) step.Step {
	t := toolversions.MustGet(tool)
	return step.Step{
		Name:  name,
		Tool:  tool,
		Image: t.ImageRef(c.Mirror),
		Args:  append([]string{t.Binary()}, args...),
		Env:   map[string]string{},
	}
}

// ParseDigestRef parses an image reference that must name a digest
// ("registry/repo@sha256:..."). arg names the argument in the error.
func ParseDigestRef(arg, ref string) (name.Digest, error) {
	if strings.TrimSpace(ref) == "" {
		return name.Digest{}, fmt.Errorf("%s is empty: pass an image reference by digest, like registry.example.com/podinfo@sha256:<64 hex>", arg)
	}
	d, err := name.NewDigest(ref, name.StrictValidation)
	if err != nil {
		if _, terr := name.NewTag(ref, name.StrictValidation); terr == nil {
			return name.Digest{}, fmt.Errorf("%s %q is a tag, not a digest: tags move, so pass the image by digest (repo@sha256:...)", arg, ref)
		}
		return name.Digest{}, fmt.Errorf("%s %q is not a valid image reference by digest (%v): use registry/repo@sha256:<64 hex>", arg, ref, err)
	}
	return d, nil
}

// ParseRepository parses a repository reference without tag or digest
// ("registry.example.com/team/podinfo"). arg names the argument in errors.
func ParseRepository(arg, repo string) (name.Repository, error) {
	if strings.TrimSpace(repo) == "" {
		return name.Repository{}, fmt.Errorf("%s is empty: pass a repository like registry.example.com/team/podinfo", arg)
	}
	if strings.ContainsAny(repo, "@") || strings.Contains(repo[strings.LastIndex(repo, "/")+1:], ":") {
		return name.Repository{}, fmt.Errorf("%s %q must be a repository without tag or digest, like registry.example.com/team/podinfo", arg, repo)
	}
	r, err := name.NewRepository(repo, name.StrictValidation)
	if err != nil {
		return name.Repository{}, fmt.Errorf("%s %q is not a valid repository (%v): use lowercase registry/path, like registry.example.com/team/podinfo", arg, repo, err)
	}
	return r, nil
}

func mustJSON(v any) []byte {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(fmt.Sprintf("marshal %T: %v", v, err)) // only plain structs and maps reach here
	}
	return append(b, '\n')
}
