// Package supplychain runs the supply-chain steps of ci/steps natively:
// the pinned tools built from source, a real OCI registry on 127.0.0.1, the
// exact argv the steps return. See README "Supply chain".
package supplychain

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/deliverykit/podinfo/ci/gate"
	"github.com/deliverykit/podinfo/ci/step"
	"github.com/deliverykit/podinfo/ci/steps"
	"github.com/deliverykit/podinfo/tests/internal/nativerun"
	"github.com/deliverykit/podinfo/tests/internal/toolbuild"
)

// EnvArtifactsDir names the directory that keeps the run's artifacts.
const EnvArtifactsDir = "PIPELINE_ARTIFACTS_DIR"

const (
	platform  = "linux/amd64"
	sourceURL = "https://github.com/deliverykit/podinfo"
	// revision and commitTime stand for the commit being built; the build
	// must not depend on the working tree's git state.
	revision = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
	version  = "v0.0.0-test"
)

var commitTime = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

// keyPair is a cosign key pair and its password.
type keyPair struct {
	private, public []byte
	password        string
}

// harness is one native pipeline environment: a registry, keys, a trivy
// fixture database, and an artifacts directory.
type harness struct {
	ctx       context.Context
	registry  string
	artifacts string
	common    steps.Common
	key       keyPair
	otherKey  keyPair
	// oidcToken stands for a GitHub OIDC request token: it is bound to no
	// step here, but the secret scan looks for it, as for the keys.
	oidcToken string
	trivyDir  string // work-dir-independent trivy cache (absolute)
	regDir    string // the registry's storage, scanned for secrets
	runners   []*nativerun.Runner
}

func newHarness(tb testing.TB) *harness {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	tb.Cleanup(cancel)
	art := os.Getenv(EnvArtifactsDir)
	if art == "" {
		art = tb.TempDir()
	} else {
		art = filepath.Join(art, strings.NewReplacer("/", "_", " ", "_").Replace(tb.Name()))
		if err := os.RemoveAll(art); err != nil {
			tb.Fatal(err)
		}
	}
	if err := os.MkdirAll(art, 0o755); err != nil {
		tb.Fatal(err)
	}
	regDir := tb.TempDir()
	h := &harness{ctx: ctx, artifacts: art, common: steps.Common{PlainHTTP: true}}
	h.registry = startRegistry(tb, ctx, regDir)
	h.regDir = regDir
	h.key = h.generateKey(tb, "s3cret-"+randHex(tb, 8))
	h.otherKey = h.generateKey(tb, "other-"+randHex(tb, 8))
	h.oidcToken = "oidc-token-" + randHex(tb, 16)
	h.trivyDir = filepath.Join(tb.TempDir(), "trivy-cache")
	if err := buildTrivyDB(h.trivyDir, time.Now()); err != nil {
		tb.Fatal(err)
	}
	return h
}

func randHex(tb testing.TB, n int) string {
	b := make([]byte, n)
	f, err := os.Open("/dev/urandom")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Read(b); err != nil {
		tb.Fatal(err)
	}
	return fmt.Sprintf("%x", b)
}

// generateKey runs `cosign generate-key-pair` with the password in the
// environment, never in argv.
func (h *harness) generateKey(tb testing.TB, password string) keyPair {
	tb.Helper()
	bin, err := toolbuild.Ensure(h.ctx, "cosign")
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	cmd := exec.CommandContext(h.ctx, bin, "generate-key-pair")
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "COSIGN_PASSWORD=" + password}
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("cosign generate-key-pair: %v\n%s", err, out)
	}
	priv, err := os.ReadFile(filepath.Join(dir, "cosign.key"))
	if err != nil {
		tb.Fatal(err)
	}
	pub, err := os.ReadFile(filepath.Join(dir, "cosign.pub"))
	if err != nil {
		tb.Fatal(err)
	}
	if err := steps.CheckPrivateKey(priv); err != nil {
		tb.Fatalf("generated key rejected: %v", err)
	}
	return keyPair{private: priv, public: pub, password: password}
}

// secrets returns the secret bindings for signing with k.
func (k keyPair) secrets() map[string]string {
	return map[string]string{steps.EnvCosignKey: string(k.private), steps.EnvCosignPassword: k.password}
}

// policy is the verification policy for k.
func (k keyPair) policy() steps.Policy {
	return steps.Policy{PublicKey: k.public, IgnoreTlog: true}
}

// workDir makes a work dir under the artifacts directory.
func (h *harness) workDir(tb testing.TB, name string) string {
	tb.Helper()
	d := filepath.Join(h.artifacts, name)
	if err := os.MkdirAll(d, 0o755); err != nil {
		tb.Fatal(err)
	}
	return d
}

// runner returns a native runner for workDir with secrets bound; its
// HOME is private so no tool reads the host's docker or sigstore config.
func (h *harness) runner(tb testing.TB, workDir string, secrets map[string]string) *nativerun.Runner {
	home := tb.TempDir()
	env := []string{"HOME=" + home, "DOCKER_CONFIG=" + filepath.Join(home, ".docker"), "TMPDIR=" + os.TempDir()}
	for _, e := range nativerun.DefaultBaseEnv() {
		if !strings.HasPrefix(e, "HOME=") && !strings.HasPrefix(e, "TMPDIR=") {
			env = append(env, e)
		}
	}
	r := &nativerun.Runner{
		WorkDir: workDir, Tool: toolbuild.Ensure, Secrets: secrets, BaseEnv: env,
		LogDir: filepath.Join(workDir, "logs"),
	}
	h.runners = append(h.runners, r)
	return r
}

// run runs s and fails the test when it cannot run or exits non-zero.
func (h *harness) run(tb testing.TB, r step.Runner, s step.Step, err error) step.Result {
	tb.Helper()
	res := h.try(tb, r, s, err)
	if e := res.Err(s); e != nil {
		tb.Fatal(e)
	}
	return res
}

// try runs s and fails the test only when it cannot run at all.
func (h *harness) try(tb testing.TB, r step.Runner, s step.Step, err error) step.Result {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
	res, err := r.Run(h.ctx, s)
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

// pushBase pushes the pinned base image into the registry with the PushBase
// step and returns its repository.
func (h *harness) pushBase(tb testing.TB) string {
	tb.Helper()
	repo := h.registry + "/base"
	wd := h.workDir(tb, "base")
	s, err := steps.PushBase(steps.PushBaseOptions{Common: h.common, Repository: repo, Platform: platform})
	h.run(tb, h.runner(tb, wd, nil), s, err)
	return repo
}

// copySource copies the service module (go.mod, go.sum, src/) from the
// repository root into dst, so builds run from a directory that holds only
// the source and the steps' generated files.
func copySource(tb testing.TB, dst string) {
	tb.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, f), b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	copyTree(tb, filepath.Join(root, "src"), filepath.Join(dst, "src"), func(rel string) bool {
		return strings.HasSuffix(rel, "_test.go") || strings.Contains(rel, "testdata")
	})
}

func copyTree(tb testing.TB, src, dst string, skip func(string) bool) {
	tb.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if skip != nil && skip(rel) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		out := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(out, b, 0o644)
	})
	if err != nil {
		tb.Fatalf("copy %s: %v", src, err)
	}
}

var digestRef = regexp.MustCompile(`\S+@sha256:[0-9a-f]{64}`)

// imageRef reads the image reference by digest that the build wrote.
func imageRef(tb testing.TB, res step.Result) string {
	tb.Helper()
	ref := digestRef.FindString(string(res.Outputs[steps.FileImageRef]))
	if ref == "" {
		tb.Fatalf("build wrote no image reference by digest to %s: %q", steps.FileImageRef, res.Outputs[steps.FileImageRef])
	}
	return ref
}

// saveLayout writes the image as an OCI image layout under dir, for
// inspection with independent tools.
func saveLayout(tb testing.TB, ref, dir string) {
	tb.Helper()
	d, err := name.NewDigest(ref)
	if err != nil {
		tb.Fatal(err)
	}
	img, err := remote.Image(d)
	if err != nil {
		tb.Fatalf("pull %s: %v", ref, err)
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		tb.Fatal(err)
	}
	if err := p.AppendImage(img); err != nil {
		tb.Fatalf("write layout: %v", err)
	}
}

// gateCheck runs the gate for image with the given policy and threshold.
func (h *harness) gateCheck(tb testing.TB, wd, image string, p steps.Policy, th steps.Threshold) gate.Decision {
	tb.Helper()
	d, err := gate.Check(h.ctx, h.runner(tb, wd, nil), h.common, image, p, th, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(wd, "gate.txt"), []byte(d.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	return d
}
