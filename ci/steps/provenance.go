package steps

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/deliverykit/podinfo/ci/toolversions"
)

// BuildType identifies how this pipeline builds images, in SLSA provenance.
const BuildType = "https://github.com/deliverykit/podinfo/delivery/build-image@v1"

// ProvenanceInput describes one build for its SLSA v1 provenance.
type ProvenanceInput struct {
	// Build holds the build's options (repository, platform, version,
	// revision, source URL, commit time).
	Build BuildOptions
	// Image is the built image by digest.
	Image string
	// BuilderID identifies the builder (a workflow URL, or the local Dagger
	// run "https://dagger.io/local").
	BuilderID string
	// InvocationID identifies the run (a CI run URL); optional.
	InvocationID string
	// StartedOn and FinishedOn bound the build; optional.
	StartedOn, FinishedOn time.Time
}

// Provenance returns the SLSA v1 provenance predicate (for `cosign attest
// --type slsaprovenance1`) naming the source repository and revision, the
// builder, the build parameters and the pinned tool versions.
func Provenance(in ProvenanceInput) ([]byte, error) {
	ref, err := ParseDigestRef("provenance: argument image", in.Image)
	if err != nil {
		return nil, err
	}
	if in.BuilderID == "" {
		return nil, fmt.Errorf("provenance: argument builder-id is empty: pass the workflow or runner URL that built the image")
	}
	b := in.Build
	if b.SourceURL == "" || b.Revision == "" {
		return nil, fmt.Errorf("provenance: source-url and revision are required: pass the build's options")
	}
	main := b.Main
	if main == "" {
		main = DefaultMain
	}
	tools := map[string]string{}
	for _, t := range []string{"go", "ko"} {
		tools[t] = toolversions.MustGet(t).Version
	}
	baseDigest, _ := toolversions.BaseImageDigest(b.Platform)
	source := "git+" + strings.TrimSuffix(b.SourceURL, ".git")
	metadata := map[string]any{}
	if in.InvocationID != "" {
		metadata["invocationId"] = in.InvocationID
	}
	if !in.StartedOn.IsZero() {
		metadata["startedOn"] = in.StartedOn.UTC().Format(time.RFC3339)
	}
	if !in.FinishedOn.IsZero() {
		metadata["finishedOn"] = in.FinishedOn.UTC().Format(time.RFC3339)
	}
	pred := map[string]any{
		"buildDefinition": map[string]any{
			"buildType": BuildType,
			"externalParameters": map[string]any{
				"source":     map[string]any{"uri": source, "digest": map[string]string{"gitCommit": b.Revision}},
				"main":       main,
				"platform":   b.Platform,
				"version":    b.Version,
				"repository": ref.Context().String(),
			},
			"internalParameters": map[string]any{
				"commitTime":      b.CommitTime.UTC().Format(time.RFC3339),
				"goFlags":         []string{"-trimpath", "-tags=lambda.norpc", "-buildvcs=false", "CGO_ENABLED=0"},
				"toolVersions":    tools,
				"baseImageDigest": baseDigest,
			},
			"resolvedDependencies": []map[string]any{
				{"uri": source, "digest": map[string]string{"gitCommit": b.Revision}},
			},
		},
		"runDetails": map[string]any{
			"builder":    map[string]any{"id": in.BuilderID},
			"metadata":   metadata,
			"byproducts": []map[string]any{{"name": "image", "digest": map[string]string{"sha256": strings.TrimPrefix(ref.DigestStr(), "sha256:")}}},
		},
	}
	return mustJSON(pred), nil
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
