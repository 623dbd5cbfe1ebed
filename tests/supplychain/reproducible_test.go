package supplychain

import (
	"archive/tar"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/deliverykit/podinfo/ci/steps"
)

// TestReproducibleBuild builds the service image twice: from two copies of
// the source in different temp dirs, the second with a fresh GOPATH,
// GOMODCACHE and GOCACHE (modules served from a file:// proxy of the host's
// module cache, so nothing is compiled from the first build's cache), at a
// later wall-clock time. Both must yield the same digest.
func TestReproducibleBuild(t *testing.T) {
	h := newHarness(t)
	base := h.pushBase(t)
	bo := steps.BuildOptions{
		Common: h.common, Repository: h.registry + "/repro", BaseRepository: base, Platform: platform,
		Version: version, Revision: revision, SourceURL: sourceURL, CommitTime: commitTime,
	}
	s, err := steps.Build(bo)
	if err != nil {
		t.Fatal(err)
	}

	first := t.TempDir()
	copySource(t, first)
	r1 := h.runner(t, first, nil)
	d1 := imageRef(t, h.run(t, r1, s, nil))

	time.Sleep(1100 * time.Millisecond) // a different wall-clock second
	second := filepath.Join(t.TempDir(), "elsewhere", "src-copy")
	if err := os.MkdirAll(second, 0o755); err != nil {
		t.Fatal(err)
	}
	// The second copy comes from the first, so both builds see one commit's
	// source even while the working tree changes.
	copyTree(t, first, second, func(rel string) bool { return strings.HasPrefix(rel, "logs") || rel == steps.FileImageRef })
	modcache := goEnv(t, "GOMODCACHE")
	fresh := t.TempDir()
	r2 := h.runner(t, second, nil)
	var env []string
	for _, e := range r2.BaseEnv {
		switch strings.SplitN(e, "=", 2)[0] {
		case "GOPATH", "GOMODCACHE", "GOCACHE", "GOPROXY", "GOSUMDB", "GOFLAGS":
			continue
		}
		env = append(env, e)
	}
	r2.BaseEnv = append(env,
		"GOPATH="+filepath.Join(fresh, "gopath"),
		"GOMODCACHE="+filepath.Join(fresh, "gopath", "pkg", "mod"),
		"GOCACHE="+filepath.Join(fresh, "gocache"),
		"GOPROXY=file://"+filepath.Join(modcache, "cache", "download"),
		"GOSUMDB=off", // go.sum still verifies every module
	)
	d2 := imageRef(t, h.run(t, r2, s, nil))
	if d1 != d2 {
		t.Errorf("two builds of one commit gave different images:\n  %s\n  %s", d1, d2)
		diffImages(t, d1, d2)
	}
	t.Logf("both builds: %s", d1)
}

func goEnv(t *testing.T, key string) string {
	t.Helper()
	out, err := exec.Command("go", "env", key).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", key, err)
	}
	return strings.TrimSpace(string(out))
}

// diffImages reports how two images differ: config, then each layer's files.
func diffImages(t *testing.T, a, b string) {
	t.Helper()
	load := func(ref string) (v1.Image, []byte) {
		d, err := name.NewDigest(ref)
		if err != nil {
			t.Fatal(err)
		}
		img, err := remote.Image(d)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := img.RawConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		return img, cfg
	}
	ia, ca := load(a)
	ib, cb := load(b)
	if diff := cmp.Diff(string(ca), string(cb)); diff != "" {
		t.Errorf("config (-first +second):\n%s", diff)
	}
	la, _ := ia.Layers()
	lb, _ := ib.Layers()
	for i := 0; i < len(la) && i < len(lb); i++ {
		files := func(l v1.Layer) map[string]string {
			m := map[string]string{}
			walkLayer(t, l, func(h *tar.Header, body []byte) {
				m[h.Name] = fmt.Sprintf("mode %o uid %d mtime %d size %d sha256 %x", h.Mode, h.Uid, h.ModTime.Unix(), h.Size, sha256.Sum256(body))
			})
			return m
		}
		if diff := cmp.Diff(files(la[i]), files(lb[i])); diff != "" {
			t.Errorf("layer %d (-first +second):\n%s", i, diff)
		}
	}
}
