package baseimage

import (
	"archive/tar"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/deliverykit/podinfo/ci/toolversions"
)

// TestDigestPinned fails when the assembled base image no longer matches the
// digest toolversions pins: both the native tests and the container steps
// build on that digest.
func TestDigestPinned(t *testing.T) {
	for _, p := range SupportedPlatforms() {
		t.Run(p, func(t *testing.T) {
			got, err := Digest(p)
			if err != nil {
				t.Fatal(err)
			}
			want, err := toolversions.BaseImageDigest(p)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("base image for %s = %s, toolversions pins %s", p, got, want)
			}
		})
	}
}

func TestContent(t *testing.T) {
	img, err := Image("linux/arm64")
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.Config.User != "65532:65532" || cf.Architecture != "arm64" || cf.OS != "linux" {
		t.Errorf("config user=%q platform=%s/%s", cf.Config.User, cf.OS, cf.Architecture)
	}
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("layers = %d, %v", len(layers), err)
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	modes := map[string]int64{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.ModTime.Unix() != 0 {
			t.Errorf("%s mtime %v, want the epoch", h.Name, h.ModTime)
		}
		modes[h.Name] = h.Mode
	}
	want := map[string]int64{
		"etc/": 0o755, "etc/group": 0o644, "etc/nsswitch.conf": 0o644, "etc/passwd": 0o644, "etc/ssl/": 0o755,
		"etc/ssl/certs/": 0o755, "etc/ssl/certs/ca-certificates.crt": 0o644, "home/": 0o755, "home/nonroot/": 0o700,
		"root/": 0o700, "tmp/": 0o1777,
	}
	if diff := cmp.Diff(want, modes); diff != "" {
		t.Errorf("layer files (-want +got):\n%s", diff)
	}
	if err := CheckPlatform("windows/amd64"); err == nil {
		t.Error("windows/amd64 accepted")
	}
}
