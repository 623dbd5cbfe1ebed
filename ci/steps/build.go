package steps

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/deliverykit/podinfo/ci/baseimage"
	"github.com/deliverykit/podinfo/ci/step"
	"github.com/deliverykit/podinfo/ci/toolversions"
)

// DefaultMain is the service's main package, relative to the source root.
const DefaultMain = "./src/cmd/podinfo"

// DefaultVersionPackage receives Version and Revision through -ldflags -X.
const DefaultVersionPackage = "github.com/deliverykit/podinfo/src/internal/version"

// BuildOptions configures the image build.
type BuildOptions struct {
	Common
	// Repository receives the image ("registry.example.com/team/podinfo").
	Repository string
	// BaseRepository holds the base image pushed by PushBase; the build uses
	// BaseRepository@<the digest pinned in toolversions for Platform>.
	BaseRepository string
	// Platform is "linux/amd64" or "linux/arm64": one single-platform image
	// per publish (Lambda rejects image indexes).
	Platform string
	// Main is the main package relative to the source root (DefaultMain).
	Main string
	// VersionPackage receives Version and Revision (DefaultVersionPackage).
	VersionPackage string
	// Version is the service version ("v1.4.0", "0.0.0-dev+abc1234").
	Version string
	// Revision is the full commit id of the source.
	Revision string
	// SourceURL is the repository URL recorded in the image labels.
	SourceURL string
	// CommitTime is the commit's time: every timestamp in the image is set
	// to it, so the digest is reproducible.
	CommitTime time.Time
}

// Build returns the step that compiles the service (static, -trimpath,
// CGO_ENABLED=0, -tags lambda.norpc, version and revision via -ldflags) and
// assembles and pushes a single-platform OCI image with ko: base image by
// digest, non-root user, OCI labels, created = commit time, entrypoint the
// binary. The image reference by digest is written to FileImageRef.
func Build(o BuildOptions) (step.Step, error) {
	if err := baseimage.CheckPlatform(o.Platform); err != nil {
		return step.Step{}, fmt.Errorf("build: argument platform: %w", err)
	}
	repo, err := ParseRepository("build: argument repository", o.Repository)
	if err != nil {
		return step.Step{}, err
	}
	baseRepo, err := ParseRepository("build: argument base-repository", o.BaseRepository)
	if err != nil {
		return step.Step{}, err
	}
	baseDigest, err := toolversions.BaseImageDigest(o.Platform)
	if err != nil {
		return step.Step{}, fmt.Errorf("build: %w", err)
	}
	if o.Version == "" {
		return step.Step{}, fmt.Errorf("build: argument version is empty: pass the release version, like v1.2.3 or 0.0.0-dev")
	}
	if len(o.Revision) < 7 || strings.Trim(strings.ToLower(o.Revision), "0123456789abcdef") != "" {
		return step.Step{}, fmt.Errorf("build: argument revision %q is not a commit id: pass the full hex commit (git rev-parse HEAD)", o.Revision)
	}
	if o.CommitTime.IsZero() || o.CommitTime.Unix() <= 0 {
		return step.Step{}, fmt.Errorf("build: argument commit-time is unset: pass the commit time (git log -1 --format=%%ct) so the digest is reproducible")
	}
	if o.SourceURL == "" {
		return step.Step{}, fmt.Errorf("build: argument source-url is empty: pass the repository URL, like https://github.com/org/repo")
	}
	main := o.Main
	if main == "" {
		main = DefaultMain
	}
	if !strings.HasPrefix(main, "./") || strings.Contains(main, "..") {
		return step.Step{}, fmt.Errorf("build: argument main %q must be a package path relative to the source root, like %s", main, DefaultMain)
	}
	vpkg := o.VersionPackage
	if vpkg == "" {
		vpkg = DefaultVersionPackage
	}
	epoch := strconv.FormatInt(o.CommitTime.Unix(), 10)
	created := o.CommitTime.UTC().Format(time.RFC3339)

	// ko reads build flags from its config; JSON is valid YAML.
	koConfig := map[string]any{
		"builds": []map[string]any{{
			"id":      "service",
			"main":    main,
			"env":     []string{"CGO_ENABLED=0", "GOTOOLCHAIN=local"},
			"flags":   []string{"-tags=lambda.norpc", "-buildvcs=false"},
			"ldflags": []string{"-s", "-w", "-X " + vpkg + ".Version=" + o.Version, "-X " + vpkg + ".Revision=" + o.Revision},
		}},
	}
	labels := map[string]string{
		"org.opencontainers.image.source":   o.SourceURL,
		"org.opencontainers.image.revision": o.Revision,
		"org.opencontainers.image.version":  o.Version,
		"org.opencontainers.image.created":  created,
	}
	args := []string{"build", "--bare", "--platform=" + o.Platform, "--sbom=none", "--image-refs=" + FileImageRef,
		"--image-user=" + baseimage.User}
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		args = append(args, "--image-label="+k+"="+labels[k])
	}
	if o.PlainHTTP {
		args = append(args, "--insecure-registry")
	}
	args = append(args, main)

	s := newStep(o.Common, "build-image", "ko", args...)
	s.Env = map[string]string{
		"KO_DOCKER_REPO":      repo.String(),
		"KO_DEFAULTBASEIMAGE": baseRepo.String() + "@" + baseDigest,
		"KO_CONFIG_PATH":      FileKoConfig,
		"SOURCE_DATE_EPOCH":   epoch,
		"KO_DATA_DATE_EPOCH":  epoch,
		"CGO_ENABLED":         "0",
		"GOFLAGS":             "-mod=readonly",
	}
	s.Files = map[string][]byte{FileKoConfig: mustJSON(koConfig)}
	s.Inputs = []string{".", FileKoConfig}
	s.Outputs = []string{FileImageRef}
	return s, nil
}

// PushBaseOptions configures PushBase.
type PushBaseOptions struct {
	Common
	// Repository receives the base image (BuildOptions.BaseRepository).
	Repository string
	// Platform selects the base image ("linux/amd64" or "linux/arm64").
	Platform string
}

// PushBase returns the step that pushes the base image (package baseimage)
// for a platform by digest with `cosign load`, which writes the manifest
// bytes unchanged, so the registry holds exactly the digest pinned in
// toolversions.
func PushBase(o PushBaseOptions) (step.Step, error) {
	if err := baseimage.CheckPlatform(o.Platform); err != nil {
		return step.Step{}, fmt.Errorf("push base: argument platform: %w", err)
	}
	repo, err := ParseRepository("push base: argument repository", o.Repository)
	if err != nil {
		return step.Step{}, err
	}
	want, err := toolversions.BaseImageDigest(o.Platform)
	if err != nil {
		return step.Step{}, fmt.Errorf("push base: %w", err)
	}
	got, err := baseimage.Digest(o.Platform)
	if err != nil {
		return step.Step{}, fmt.Errorf("push base: %w", err)
	}
	if got != want {
		return step.Step{}, fmt.Errorf("push base: base image for %s assembles to %s but toolversions pins %s: update toolversions.baseImageDigests after reviewing the change", o.Platform, got, want)
	}
	files, err := baseimage.Layout(o.Platform)
	if err != nil {
		return step.Step{}, fmt.Errorf("push base: %w", err)
	}
	dir := "base-" + strings.ReplaceAll(o.Platform, "/", "-")
	args := []string{"load", "--dir", dir}
	if o.PlainHTTP {
		args = append(args, "--allow-http-registry")
	}
	args = append(args, repo.String()+"@"+want)
	s := newStep(o.Common, "push-base", "cosign", args...)
	s.Files = map[string][]byte{}
	for p, b := range files {
		s.Files[dir+"/"+p] = b
		s.Inputs = append(s.Inputs, dir+"/"+p)
	}
	sort.Strings(s.Inputs)
	return s, nil
}
