package supplychain

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/deliverykit/podinfo/ci/allowlist"
	"github.com/deliverykit/podinfo/ci/baseimage"
	"github.com/deliverykit/podinfo/ci/gate"
	"github.com/deliverykit/podinfo/ci/steps"
	"github.com/deliverykit/podinfo/ci/toolversions"
)

func serviceSource(tb testing.TB, dir string) { copySource(tb, dir) }

func vulnSource(tb testing.TB, dir string) {
	copyTree(tb, filepath.Join("testdata", "vulnapp"), dir, nil)
}

// TestSupplyChain runs the whole chain natively on the service image and
// on a known-vulnerable image, then checks each gate rule on images made to
// break exactly one rule.
func TestSupplyChain(t *testing.T) {
	h := newHarness(t)
	base := h.pushBase(t)
	svc := h.chain(t, chainOptions{name: "service", repo: "podinfo", baseRepo: base, src: serviceSource, main: steps.DefaultMain, signer: h.key})
	for _, tm := range svc.timings {
		t.Logf("step %-7s %v", tm.step, tm.d.Round(time.Millisecond))
	}
	saveLayout(t, svc.image, filepath.Join(svc.workDir, "image-layout"))

	t.Run("service image is deployable", func(t *testing.T) {
		if svc.scanExit != 0 {
			t.Errorf("scan exit %d, want 0", svc.scanExit)
		}
		if !svc.decision.Deployable {
			t.Fatalf("gate refused the service image:\n%s", svc.decision)
		}
	})
	t.Run("image is single-platform, non-root, labelled, reproducible timestamps", func(t *testing.T) {
		checkImage(t, svc.image)
	})
	t.Run("sbom lists the service modules with versions", func(t *testing.T) {
		checkSBOM(t, svc.outputs[steps.FileSPDX], svc.outputs[steps.FileCycloneDX])
	})
	t.Run("sarif is SARIF 2.1.0", func(t *testing.T) {
		if err := checkSARIF(svc.outputs[steps.FileScanSARIF]); err != nil {
			t.Fatal(err)
		}
	})

	// Gate cases: each image breaks one rule, and the gate must refuse it.
	signer := steps.Signer{Offline: true}
	sign := func(t *testing.T, image string, k keyPair, types ...string) {
		t.Helper()
		r := h.runner(t, svc.workDir, k.secrets())
		if len(types) == 0 || types[0] != "-" {
			s, err := steps.Sign(steps.SignOptions{Common: h.common, Image: image, Signer: signer})
			h.run(t, r, s, err)
		}
		pred := map[string]string{steps.PredicateSPDX: steps.FileSPDX, steps.PredicateVuln: steps.FileVulnPredicate, steps.PredicateSLSA1: steps.FileProvenance}
		for _, typ := range types {
			if typ == "-" {
				continue
			}
			s, err := steps.Attest(steps.AttestOptions{Common: h.common, Image: image, Type: typ, Predicate: pred[typ], Signer: signer})
			h.run(t, r, s, err)
		}
	}
	now := steps.Threshold{Now: time.Now()}
	refuse := func(t *testing.T, image string, p steps.Policy, th steps.Threshold, check, detail string) {
		t.Helper()
		d := h.gateCheck(t, h.workDir(t, "gate-"+strings.ReplaceAll(t.Name(), "/", "_")), image, p, th)
		if d.Deployable {
			t.Fatalf("gate said deployable:\n%s", d)
		}
		for _, f := range d.Findings {
			if f.Check == check && !f.OK && strings.Contains(f.Detail, detail) {
				t.Logf("refused as expected:\n%s", d)
				return
			}
		}
		t.Errorf("refused, but not by a failed %s finding containing %q:\n%s", check, detail, d)
	}
	all := []string{steps.PredicateSPDX, steps.PredicateVuln, steps.PredicateSLSA1}

	t.Run("gate refuses an unsigned image", func(t *testing.T) {
		img := copyImage(t, svc.image, h.registry+"/unsigned")
		refuse(t, img, h.key.policy(), now, gate.CheckSignature, "cosign verify failed")
	})
	t.Run("gate refuses an image signed with another key", func(t *testing.T) {
		img := copyImage(t, svc.image, h.registry+"/otherkey")
		sign(t, img, h.otherKey, all...)
		refuse(t, img, h.key.policy(), now, gate.CheckSignature, "cosign verify failed")
	})
	t.Run("gate refuses an image modified after signing", func(t *testing.T) {
		tag := h.registry + "/mutable:v1"
		signed := pushTagged(t, svc.image, tag, false)
		sign(t, signed, h.key, all...)
		if d := h.gateCheck(t, h.workDir(t, "gate-mutable-before"), signed, h.key.policy(), now); !d.Deployable {
			t.Fatalf("signed original refused:\n%s", d)
		}
		modified := pushTagged(t, svc.image, tag, true)
		if modified == signed {
			t.Fatal("modification kept the digest")
		}
		refuse(t, modified, h.key.policy(), now, gate.CheckSignature, "cosign verify failed")
		refuse(t, tag, h.key.policy(), now, gate.CheckReference, "is a tag, not a digest")
	})
	t.Run("gate refuses an image with attestations but no signature", func(t *testing.T) {
		for _, format := range []struct {
			name      string
			referrers bool
		}{{"tag-based", false}, {"referrer bundles", true}} {
			t.Run(format.name, func(t *testing.T) {
				// With referrer bundles, cosign v3 verify itself succeeds
				// on attestations alone; the gate must still refuse.
				img := copyImage(t, svc.image, h.registry+"/attonly-"+strings.ReplaceAll(format.name, " ", "-"))
				r := h.runner(t, svc.workDir, h.key.secrets())
				for _, typ := range all {
					pred := map[string]string{steps.PredicateSPDX: steps.FileSPDX, steps.PredicateVuln: steps.FileVulnPredicate, steps.PredicateSLSA1: steps.FileProvenance}[typ]
					s, err := steps.Attest(steps.AttestOptions{Common: h.common, Image: img, Type: typ, Predicate: pred,
						Signer: steps.Signer{Offline: true, ReferrerBundles: format.referrers}})
					h.run(t, r, s, err)
				}
				refuse(t, img, h.key.policy(), now, gate.CheckSignature, "")
			})
		}
	})
	t.Run("gate refuses an image without SBOM attestation", func(t *testing.T) {
		img := copyImage(t, svc.image, h.registry+"/nosbom")
		sign(t, img, h.key, steps.PredicateVuln, steps.PredicateSLSA1)
		refuse(t, img, h.key.policy(), now, gate.CheckAttestation, "spdxjson")
	})
	t.Run("gate refuses a tag", func(t *testing.T) {
		refuse(t, h.registry+"/podinfo:latest", h.key.policy(), now, gate.CheckReference, "is a tag, not a digest")
	})
	t.Run("gate refuses when the allow-list has an expired entry", func(t *testing.T) {
		th := steps.Threshold{Now: time.Now(), AllowList: []byte("vulnerabilities:\n  - id: CVE-2022-32149\n    reason: accepted while upgrading\n    expires: 2026-01-31\n")}
		refuse(t, svc.image, h.key.policy(), th, gate.CheckAllowList, "expired on 2026-01-31")
		if _, err := steps.ScanImage(steps.ScanOptions{Image: svc.image, Threshold: th}); err == nil {
			t.Error("scan step accepted an expired allow-list entry")
		}
	})
	t.Run("gate refuses a vulnerable image", func(t *testing.T) {
		vuln := h.chain(t, chainOptions{name: "vulnapp", repo: "vulnapp", baseRepo: base, src: vulnSource, main: "./", signer: h.key})
		if vuln.scanExit != 1 {
			t.Errorf("scan of the vulnerable image exited %d, want 1 (finding over the threshold)", vuln.scanExit)
		}
		bad, _, err := gate.Violations(vuln.outputs[steps.FileScanJSON], steps.DefaultSeverities, true, allowlistNone())
		if err != nil || len(bad) != 1 || !strings.Contains(bad[0], fixtureVulnID) || !strings.Contains(bad[0], fixtureModule+"@"+fixtureVersion) {
			t.Errorf("scan findings = %q, %v; want %s in %s@%s", bad, err, fixtureVulnID, fixtureModule, fixtureVersion)
		}
		if vuln.decision.Deployable {
			t.Fatalf("gate said deployable:\n%s", vuln.decision)
		}
		found := false
		for _, f := range vuln.decision.Findings {
			if f.Check == gate.CheckVulnerablity && !f.OK && strings.Contains(f.Detail, fixtureVulnID) {
				found = true
			}
		}
		if !found {
			t.Errorf("not refused for %s:\n%s", fixtureVulnID, vuln.decision)
		}
		// An allow-list entry with a reason and a future expiry accepts it.
		th := steps.Threshold{Now: time.Now(), AllowList: []byte("vulnerabilities:\n  - id: " + fixtureVulnID + "\n    reason: the fixture parses only constant input\n    expires: 2099-12-31\n")}
		if d := h.gateCheck(t, h.workDir(t, "gate-vuln-allowed"), vuln.image, h.key.policy(), th); !d.Deployable {
			t.Errorf("allow-listed vulnerability still refused:\n%s", d)
		}
	})
	t.Run("copy promotes digest, signature and attestations", func(t *testing.T) {
		wd := h.workDir(t, "promote")
		s, err := steps.Copy(steps.CopyOptions{Common: h.common, Image: svc.image, Destination: h.registry + "/prod/podinfo"})
		h.run(t, h.runner(t, wd, nil), s, err)
		dst := h.registry + "/prod/podinfo@" + svc.image[strings.Index(svc.image, "@")+1:]
		if d := h.gateCheck(t, wd, dst, h.key.policy(), now); !d.Deployable {
			t.Fatalf("promoted image refused at the destination:\n%s", d)
		}
	})
	t.Run("no secret in argv, env, logs, artifacts or registry", func(t *testing.T) {
		checkNoSecrets(t, h)
	})
}

func allowlistNone() allowlist.List { return allowlist.List{} }

// copyImage copies the image manifest (not its signatures) to repo and
// returns the reference by digest there.
func copyImage(t *testing.T, src, repo string) string {
	t.Helper()
	ref, err := name.NewDigest(src)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(ref)
	if err != nil {
		t.Fatal(err)
	}
	dst, err := name.NewTag(repo + ":copy")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(dst, img); err != nil {
		t.Fatal(err)
	}
	return repo + "@" + ref.DigestStr()
}

// pushTagged pushes the image under tag, modified (one extra file) when
// modify is set, and returns the reference by digest.
func pushTagged(t *testing.T, src, tag string, modify bool) string {
	t.Helper()
	ref, err := name.NewDigest(src)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(ref)
	if err != nil {
		t.Fatal(err)
	}
	if modify {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		body := []byte("#!/bin/sh\necho tampered\n")
		if err := tw.WriteHeader(&tar.Header{Name: "etc/profile", Mode: 0o644, Size: int64(len(body))}); err != nil {
			t.Fatal(err)
		}
		tw.Write(body)
		tw.Close()
		layer, err := tarball.LayerFromReader(bytes.NewReader(buf.Bytes()), tarball.WithMediaType(types.OCILayer))
		if err != nil {
			t.Fatal(err)
		}
		if img, err = mutate.AppendLayers(img, layer); err != nil {
			t.Fatal(err)
		}
	}
	tg, err := name.NewTag(tag)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tg, img); err != nil {
		t.Fatal(err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return tg.Context().String() + "@" + d.String()
}

// checkImage checks the manifest and config of the built image.
func checkImage(t *testing.T, image string) {
	t.Helper()
	ref, err := name.NewDigest(image)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Get(ref)
	if err != nil {
		t.Fatal(err)
	}
	if desc.MediaType != types.OCIManifestSchema1 {
		t.Errorf("media type %s, want a single-platform OCI manifest (%s)", desc.MediaType, types.OCIManifestSchema1)
	}
	img, err := desc.Image()
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"org.opencontainers.image.source":   sourceURL,
		"org.opencontainers.image.revision": revision,
		"org.opencontainers.image.version":  version,
		"org.opencontainers.image.created":  commitTime.Format(time.RFC3339),
	}
	got := map[string]string{}
	for k, v := range cf.Config.Labels {
		if strings.HasPrefix(k, "org.opencontainers.") {
			got[k] = v
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
	if cf.Config.User != baseimage.User {
		t.Errorf("user %q, want %q", cf.Config.User, baseimage.User)
	}
	if cf.OS+"/"+cf.Architecture != platform {
		t.Errorf("platform %s/%s, want %s", cf.OS, cf.Architecture, platform)
	}
	if !cf.Created.Time.Equal(commitTime) {
		t.Errorf("created %v, want the commit time %v", cf.Created.Time, commitTime)
	}
	if len(cf.Config.Entrypoint) != 1 || !strings.HasPrefix(cf.Config.Entrypoint[0], "/ko-app/") {
		t.Errorf("entrypoint %q, want the binary", cf.Config.Entrypoint)
	}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	baseDigest, _ := toolversions.BaseImageDigest(platform)
	baseRef, _ := name.NewDigest(ref.Context().RegistryStr() + "/base@" + baseDigest)
	baseImg, err := remote.Image(baseRef)
	if err != nil {
		t.Fatal(err)
	}
	bl, _ := baseImg.Layers()
	if len(layers) <= len(bl) {
		t.Fatalf("image has %d layers, base %d", len(layers), len(bl))
	}
	for i := range bl {
		a, _ := bl[i].Digest()
		b, _ := layers[i].Digest()
		if a != b {
			t.Errorf("layer %d is %s, want the base layer %s", i, b, a)
		}
	}
	// Every file in the image carries a fixed timestamp.
	for _, l := range layers {
		walkLayer(t, l, func(h *tar.Header, _ []byte) {
			if h.ModTime.After(commitTime) {
				t.Errorf("%s has mtime %v, after the commit time", h.Name, h.ModTime)
			}
		})
	}
}

func walkLayer(t *testing.T, l v1.Layer, f func(*tar.Header, []byte)) {
	t.Helper()
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		f(h, b)
	}
}

// checkSBOM checks that both SBOMs list the service's direct modules with
// the versions the root go.mod requires.
func checkSBOM(t *testing.T, spdx, cdx []byte) {
	t.Helper()
	want := serviceModules(t)
	var doc struct {
		SPDXVersion string `json:"spdxVersion"`
		Packages    []struct {
			Name    string `json:"name"`
			Version string `json:"versionInfo"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(spdx, &doc); err != nil {
		t.Fatalf("SPDX: %v", err)
	}
	if !strings.HasPrefix(doc.SPDXVersion, "SPDX-2.") {
		t.Errorf("spdxVersion %q", doc.SPDXVersion)
	}
	got := map[string]string{}
	for _, p := range doc.Packages {
		if _, ok := want[p.Name]; ok {
			got[p.Name] = p.Version
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SPDX modules (-want +got):\n%s", diff)
	}
	var bom struct {
		BOMFormat  string `json:"bomFormat"`
		Components []struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		} `json:"components"`
	}
	if err := json.Unmarshal(cdx, &bom); err != nil {
		t.Fatalf("CycloneDX: %v", err)
	}
	got = map[string]string{}
	for _, c := range bom.Components {
		if _, ok := want[c.Name]; ok {
			got[c.Name] = c.Version
		}
	}
	if bom.BOMFormat != "CycloneDX" {
		t.Errorf("bomFormat %q", bom.BOMFormat)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CycloneDX modules (-want +got):\n%s", diff)
	}
}

// serviceModules reads the versions of the modules the SBOM must list from
// the root go.mod.
func serviceModules(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"github.com/gorilla/mux": "", "github.com/sirupsen/logrus": "", "github.com/aws/aws-lambda-go": "", "github.com/aws/aws-sdk-go-v2": ""}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 {
			if _, ok := want[f[0]]; ok {
				want[f[0]] = f[1]
			}
			if f[0] == "require" && len(f) >= 3 {
				if _, ok := want[f[1]]; ok {
					want[f[1]] = f[2]
				}
			}
		}
	}
	for m, v := range want {
		if v == "" {
			t.Fatalf("root go.mod does not require %s", m)
		}
	}
	return want
}

// checkNoSecrets greps every argv and environment the runners used, every
// file under the artifacts directory and every blob in the registry
// (decompressed) for the keys, passwords and token.
func checkNoSecrets(t *testing.T, h *harness) {
	t.Helper()
	secrets := map[string]string{
		"cosign password":       h.key.password,
		"other cosign password": h.otherKey.password,
		"OIDC token":            h.oidcToken,
	}
	for name, k := range map[string][]byte{"cosign key": h.key.private, "other cosign key": h.otherKey.private} {
		// A distinctive line of the encrypted key's base64 body.
		lines := strings.Split(string(k), "\n")
		secrets[name] = lines[len(lines)/2]
	}
	scan := func(where string, b []byte) {
		for name, v := range secrets {
			if v != "" && bytes.Contains(b, []byte(v)) {
				t.Errorf("%s found in %s", name, where)
			}
		}
	}
	steps := 0
	for _, r := range h.runners {
		for _, rec := range r.Records() {
			steps++
			scan("argv of "+rec.Step.Name, []byte(strings.Join(rec.Argv, "\x00")))
			scan("env of "+rec.Step.Name, []byte(strings.Join(rec.Env, "\x00")))
			scan("stdout of "+rec.Step.Name, rec.Result.Stdout)
			scan("stderr of "+rec.Step.Name, rec.Result.Stderr)
		}
	}
	files := 0
	for _, root := range []string{h.artifacts, h.regDir} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || d.Type()&fs.ModeSymlink != 0 {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			files++
			scan(p, b)
			if zr, err := gzip.NewReader(bytes.NewReader(b)); err == nil {
				if u, err := io.ReadAll(zr); err == nil {
					scan(p+" (decompressed)", u)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if steps < 10 || files < 10 {
		t.Fatalf("scanned only %d steps and %d files: the scan saw too little to mean anything", steps, files)
	}
	t.Logf("scanned %d step runs and %d files", steps, files)
}
