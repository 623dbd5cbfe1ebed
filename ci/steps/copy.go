package steps

import (
	"fmt"

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
// repository with its signatures and attestations; manifests are copied
// byte for byte, so the digest is the same. Promotion must be gated first
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
