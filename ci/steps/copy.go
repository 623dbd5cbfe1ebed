package steps

import (
	"fmt"
	"strings"

	"github.com/deliverykit/podinfo/ci/step"
)

// CopyOptions configures Copy.
type CopyOptions struct {
	Common
	// Image is the source image by digest.
	Image string
	// Destination is the target repository (no tag, no digest).
	Destination string
}

// Copy returns the `cosign copy` step that promotes the image to another
// repository with its tag-based signatures and attestations
// (sha256-<hex>.sig/.att, what Signer writes by default), byte for byte, so
// the digest is the same. It does not carry OCI 1.1 referrer bundles
// (Signer.ReferrerBundles); see Promote. Promotion must be gated first
// (package gate); verify again at the destination.
func Copy(o CopyOptions) (step.Step, error) {
	ref, err := ParseDigestRef("copy: argument image", o.Image)
	if err != nil {
		return step.Step{}, err
	}
	dst, err := ParseRepository("copy: argument destination", o.Destination)
	if err != nil {
		return step.Step{}, err
	}
	if dst.String() == ref.Context().String() {
		return step.Step{}, fmt.Errorf("copy: argument destination %q is the source repository: promote to a different repository", o.Destination)
	}
	args := []string{"copy", "--force"}
	if o.PlainHTTP {
		args = append(args, "--allow-http-registry")
	}
	args = append(args, ref.String(), dst.String()+"@"+ref.DigestStr())
	s := newStep(o.Common, "copy", "cosign", args...)
	return s, nil
}

// PromoteDir is the work-dir-relative OCI layout Promote moves an image
// through.
func PromoteDir(digest string) string {
	return "promote-" + strings.TrimPrefix(digest, "sha256:")[:12]
}

// Promote returns the two steps that promote an image signed with
// Signer.ReferrerBundles: `cosign save` writes the image and its referrer
// bundles to an OCI layout, `cosign load` writes them to the destination
// (the path cosign v3 recommends in place of copy). Known limit of cosign
// v3.1.3: load puts each bundle manifest before its blob, so registries that
// check blobs on manifest upload (distribution v3) refuse it; registries that
// accept it keep the digest and the bundles. Images signed in the default
// tag-based format promote with Copy.
func Promote(o CopyOptions) ([]step.Step, error) {
	ref, err := ParseDigestRef("promote: argument image", o.Image)
	if err != nil {
		return nil, err
	}
	dst, err := ParseRepository("promote: argument destination", o.Destination)
	if err != nil {
		return nil, err
	}
	if dst.String() == ref.Context().String() {
		return nil, fmt.Errorf("promote: argument destination %q is the source repository: promote to a different repository", o.Destination)
	}
	dir := PromoteDir(ref.DigestStr())
	flags := []string{"--dir", dir}
	if o.PlainHTTP {
		flags = append(flags, "--allow-http-registry")
	}
	save := newStep(o.Common, "promote-save", "cosign", append(append([]string{"save"}, flags...), ref.String())...)
	save.Outputs = []string{dir}
	load := newStep(o.Common, "promote-load", "cosign", append(append([]string{"load"}, flags...), dst.String()+"@"+ref.DigestStr())...)
	load.Inputs = []string{dir}
	return []step.Step{save, load}, nil
}
