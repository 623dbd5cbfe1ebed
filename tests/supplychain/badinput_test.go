package supplychain

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/deliverykit/podinfo/ci/gate"
	"github.com/deliverykit/podinfo/ci/preflight"
	"github.com/deliverykit/podinfo/ci/steps"
	"github.com/deliverykit/podinfo/ci/toolversions"
)

// TestBadInputNative feeds the native chain bad input: each case must fail
// early with a message naming the argument, and leave nothing published
// that a later run could take for success.
func TestBadInputNative(t *testing.T) {
	h := newHarness(t)
	base := h.pushBase(t)
	digest, err := toolversions.BaseImageDigest(platform)
	if err != nil {
		t.Fatal(err)
	}
	image := base + "@" + digest
	noSignatures := func(t *testing.T) {
		t.Helper()
		repo, err := name.NewRepository(base)
		if err != nil {
			t.Fatal(err)
		}
		tags, err := remote.List(repo)
		var terr *transport.Error
		if errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound {
			tags, err = nil, nil // nothing tagged in the repository at all
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, tag := range tags {
			if strings.HasPrefix(tag, "sha256-") {
				t.Errorf("registry holds %s:%s after a failed run", base, tag)
			}
		}
		d, err := name.NewDigest(image)
		if err != nil {
			t.Fatal(err)
		}
		if idx, err := remote.Referrers(d); err == nil {
			if m, err := idx.IndexManifest(); err == nil && len(m.Manifests) > 0 {
				t.Errorf("registry holds %d referrers of %s after a failed run", len(m.Manifests), image)
			}
		}
	}

	t.Run("missing password secret", func(t *testing.T) {
		r := h.runner(t, h.workDir(t, "bad-secret"), map[string]string{steps.EnvCosignKey: string(h.key.private)})
		s, err := steps.Sign(steps.SignOptions{Common: h.common, Image: image, Signer: steps.Signer{Offline: true}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = r.Run(h.ctx, s)
		if err == nil || !strings.Contains(err.Error(), steps.EnvCosignPassword) || !strings.Contains(err.Error(), "not provided") {
			t.Fatalf("err = %v, want a missing %s error", err, steps.EnvCosignPassword)
		}
		if n := len(r.Records()); n != 0 {
			t.Errorf("%d tool runs despite the missing secret", n)
		}
		noSignatures(t)
	})
	t.Run("missing key secret", func(t *testing.T) {
		r := h.runner(t, h.workDir(t, "bad-secret"), map[string]string{steps.EnvCosignPassword: h.key.password})
		s, _ := steps.Sign(steps.SignOptions{Common: h.common, Image: image, Signer: steps.Signer{Offline: true}})
		if _, err := r.Run(h.ctx, s); err == nil || !strings.Contains(err.Error(), steps.EnvCosignKey) {
			t.Fatalf("err = %v, want a missing %s error", err, steps.EnvCosignKey)
		}
	})
	t.Run("key that is not a cosign key", func(t *testing.T) {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		bad := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
		err = steps.CheckPrivateKey(bad)
		if err == nil || !strings.Contains(err.Error(), "argument cosign-key") || !strings.Contains(err.Error(), "cosign generate-key-pair") {
			t.Fatalf("CheckPrivateKey = %v", err)
		}
		if strings.Contains(err.Error(), string(bad[40:80])) {
			t.Error("error quotes the key")
		}
		// Even run, cosign refuses it and publishes nothing.
		r := h.runner(t, h.workDir(t, "bad-key"), map[string]string{steps.EnvCosignKey: string(bad), steps.EnvCosignPassword: ""})
		s, _ := steps.Sign(steps.SignOptions{Common: h.common, Image: image, Signer: steps.Signer{Offline: true}})
		if res := h.try(t, r, s, nil); res.ExitCode == 0 {
			t.Error("cosign signed with a non-cosign key")
		}
		noSignatures(t)
	})
	t.Run("wrong password", func(t *testing.T) {
		r := h.runner(t, h.workDir(t, "bad-password"), map[string]string{steps.EnvCosignKey: string(h.key.private), steps.EnvCosignPassword: "not-the-password"})
		s, _ := steps.Sign(steps.SignOptions{Common: h.common, Image: image, Signer: steps.Signer{Offline: true}})
		if res := h.try(t, r, s, nil); res.ExitCode == 0 {
			t.Error("cosign signed with a wrong password")
		}
		noSignatures(t)
	})
	t.Run("unreachable registry", func(t *testing.T) {
		addr, err := freeAddr()
		if err != nil {
			t.Fatal(err)
		}
		repo := addr + "/podinfo"
		err = preflight.Registry(h.ctx, "argument repository", repo, true)
		if err == nil || !strings.Contains(err.Error(), "argument repository: registry "+addr+" is unreachable") {
			t.Fatalf("preflight = %v", err)
		}
		// Run anyway, a step fails and leaves no stale result behind.
		wd := h.workDir(t, "bad-registry")
		if err := os.WriteFile(filepath.Join(wd, steps.FileScanJSON), []byte(`{"SchemaVersion":2}`), 0o644); err != nil {
			t.Fatal(err) // a stale result from an earlier run
		}
		s, err := steps.ScanImage(steps.ScanOptions{Common: h.common, Image: repo + "@" + digest, Threshold: steps.Threshold{Now: time.Now()},
			DB: steps.TrivyDB{CacheDir: "trivy-cache", Offline: true}})
		if err := os.Symlink(h.trivyDir, filepath.Join(wd, "trivy-cache")); err != nil {
			t.Fatal(err)
		}
		res := h.try(t, h.runner(t, wd, nil), s, err)
		if res.ExitCode == 0 {
			t.Fatal("scan of an image in an unreachable registry succeeded")
		}
		if _, ok := res.Outputs[steps.FileScanJSON]; ok {
			t.Error("failed scan left a report behind")
		}
	})
	t.Run("corrupt SBOM", func(t *testing.T) {
		corrupt := []byte(`{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOC","packages":[{"name":`)
		if err := steps.CheckSPDX(corrupt); err == nil || !strings.Contains(err.Error(), "argument sbom") {
			t.Fatalf("CheckSPDX = %v", err)
		}
		// Attested anyway, cosign refuses it or the gate does.
		wd := h.workDir(t, "bad-sbom")
		r := h.runner(t, wd, h.key.secrets())
		s, err := steps.Attest(steps.AttestOptions{Common: h.common, Image: image, Type: steps.PredicateSPDX, Predicate: steps.FileSPDX, PredicateData: corrupt, Signer: steps.Signer{Offline: true}})
		res := h.try(t, r, s, err)
		if res.ExitCode == 0 {
			d := h.gateCheck(t, wd, image, h.key.policy(), steps.Threshold{Now: time.Now()})
			for _, f := range d.Findings {
				if (f.Check == gate.CheckSBOM || f.Check == gate.CheckAttestation) && !f.OK {
					return
				}
			}
			t.Fatalf("corrupt SBOM attested and not refused:\n%s", d)
		}
		noSignatures(t)
	})
}
