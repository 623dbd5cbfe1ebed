package supplychain

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	copySource(t, second)
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
		t.Fatalf("two builds of one commit gave different images:\n  %s\n  %s", d1, d2)
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
