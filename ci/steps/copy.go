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

// Copy returns the `cosign copy` step: the image and the tag-based
// signatures and attestations of cosign v2 (sha256-<hex>.sig/.att), byte for
// byte. cosign v3 deprecates copy and it does not carry the OCI 1.1 referrer
// bundles that cosign v3 signs into (checked natively: the copy verifies as
// unsigned), so promote with Promote; Copy remains for v2-signed images.
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

// Promote returns the two steps that promote an image to another repository
// with its signatures and attestations, keeping the digest: `cosign save`
// writes the image and its referrer bundles to an OCI layout, `cosign load`
// writes them to the destination (the path cosign v3 recommends in place of
// copy). Promotion must be gated first (package gate); verify again at the
// destination.
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
