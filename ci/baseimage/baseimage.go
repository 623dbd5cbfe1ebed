// Package baseimage assembles the base image the service image is built on:
// CA certificates, an /etc/passwd with a non-root user, a writable /tmp and
// nothing else. It is a pure function of files committed here, with fixed
// timestamps, so its digest is the same on every machine; the digests are
// recorded in ci/toolversions and a test asserts them.
//
// Why our own base instead of distroless: the native tests cannot pull from a
// public registry, and the container steps must use the very same bytes, so
// both push this image (see steps.PushBase) and build on it by digest.
package baseimage

import (
	"archive/tar"
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// caBundle is Debian's ca-certificates 20230311+deb12u1 bundle (Mozilla's
// CA list), copied from /etc/ssl/certs/ca-certificates.crt.
//
//go:embed ca-certificates.crt
var caBundle []byte

// NonRootUID is the uid and gid of the user the image runs as.
const NonRootUID = 65532

// User is the config User field of the base image ("uid:gid").
var User = fmt.Sprintf("%d:%d", NonRootUID, NonRootUID)

// epoch is the fixed modification time of every file in the base layer.
var epoch = time.Unix(0, 0).UTC()

// SupportedPlatforms lists the platforms images are built for.
func SupportedPlatforms() []string { return []string{"linux/amd64", "linux/arm64"} }

// CheckPlatform returns an error naming the supported platforms when p is
// not one of them.
func CheckPlatform(p string) error {
	for _, s := range SupportedPlatforms() {
		if p == s {
			return nil
		}
	}
	return fmt.Errorf("unknown platform %q: use one of %s", p, strings.Join(SupportedPlatforms(), ", "))
}

type entry struct {
	name string
	mode int64
	uid  int
	dir  bool
	body []byte
}

func entries() []entry {
	passwd := "root:x:0:0:root:/root:/sbin/nologin\n" +
		fmt.Sprintf("nonroot:x:%d:%d:nonroot:/home/nonroot:/sbin/nologin\n", NonRootUID, NonRootUID)
	group := "root:x:0:\n" + fmt.Sprintf("nonroot:x:%d:\n", NonRootUID)
	return []entry{
		{name: "etc/", mode: 0o755, dir: true},
		{name: "etc/group", mode: 0o644, body: []byte(group)},
		{name: "etc/nsswitch.conf", mode: 0o644, body: []byte("hosts: files dns\n")},
		{name: "etc/passwd", mode: 0o644, body: []byte(passwd)},
		{name: "etc/ssl/", mode: 0o755, dir: true},
		{name: "etc/ssl/certs/", mode: 0o755, dir: true},
		{name: "etc/ssl/certs/ca-certificates.crt", mode: 0o644, body: caBundle},
		{name: "home/", mode: 0o755, dir: true},
		{name: "home/nonroot/", mode: 0o700, uid: NonRootUID, dir: true},
		{name: "root/", mode: 0o700, dir: true},
		{name: "tmp/", mode: 0o1777, dir: true},
	}
}

func layerTar() ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries() {
		h := &tar.Header{
			Name: e.name, Mode: e.mode, Uid: e.uid, Gid: e.uid, ModTime: epoch,
			Format: tar.FormatPAX, Typeflag: tar.TypeReg, Size: int64(len(e.body)),
		}
		if e.dir {
			h.Typeflag, h.Size = tar.TypeDir, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, fmt.Errorf("write %s: %w", e.name, err)
		}
		if _, err := tw.Write(e.body); err != nil {
			return nil, fmt.Errorf("write %s: %w", e.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("close layer: %w", err)
	}
	return buf.Bytes(), nil
}

// Image returns the base image for platform ("linux/amd64" or
// "linux/arm64") as a single-platform OCI image.
func Image(platform string) (v1.Image, error) {
	if err := CheckPlatform(platform); err != nil {
		return nil, fmt.Errorf("base image: %w", err)
	}
	tb, err := layerTar()
	if err != nil {
		return nil, fmt.Errorf("base image layer: %w", err)
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(tb)), nil
	}, tarball.WithMediaType(types.OCILayer), tarball.WithCompressionLevel(9))
	if err != nil {
		return nil, fmt.Errorf("base image layer: %w", err)
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.Append(img, mutate.Addendum{
		Layer:     layer,
		MediaType: types.OCILayer,
		History:   v1.History{CreatedBy: "podinfo-delivery baseimage", Created: v1.Time{Time: epoch}},
	})
	if err != nil {
		return nil, fmt.Errorf("base image: %w", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("base image config: %w", err)
	}
	cf = cf.DeepCopy()
	os, arch, _ := strings.Cut(platform, "/")
	cf.OS, cf.Architecture = os, arch
	cf.Created = v1.Time{Time: epoch}
	cf.Config.User = User
	cf.Config.WorkingDir = "/"
	cf.Config.Env = []string{
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
	}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, fmt.Errorf("base image config: %w", err)
	}
	return img, nil
}

// Digest returns the manifest digest of the base image for platform.
func Digest(platform string) (string, error) {
	img, err := Image(platform)
	if err != nil {
		return "", err
	}
	d, err := img.Digest()
	if err != nil {
		return "", fmt.Errorf("base image digest: %w", err)
	}
	return d.String(), nil
}

// LayoutAnnotation marks the image in the OCI layout the way `cosign load`
// expects it ("kind": "dev.cosignproject.cosign/image"), so the push step can
// be a plain cosign invocation that preserves the digest.
var LayoutAnnotation = map[string]string{"kind": "dev.cosignproject.cosign/image"}

// Layout returns the files of an OCI image layout holding the base image for
// platform, by layout-relative path.
func Layout(platform string) (map[string][]byte, error) {
	img, err := Image(platform)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "baseimage-*")
	if err != nil {
		return nil, fmt.Errorf("base image layout: %w", err)
	}
	defer os.RemoveAll(dir)
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return nil, fmt.Errorf("base image layout: %w", err)
	}
	if err := p.AppendImage(img, layout.WithAnnotations(LayoutAnnotation)); err != nil {
		return nil, fmt.Errorf("base image layout: %w", err)
	}
	files := map[string][]byte{}
	err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("base image layout: %w", err)
	}
	return files, nil
}

// Paths returns the keys of files sorted, for stable listings.
func Paths(files map[string][]byte) []string {
	out := make([]string, 0, len(files))
	for p := range files {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
