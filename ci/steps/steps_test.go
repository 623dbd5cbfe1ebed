package steps

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/deliverykit/podinfo/ci/step"
)

var update = flag.Bool("update", false, "rewrite golden files")

const (
	testDigest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	testImage  = "registry.example.com/team/podinfo@" + testDigest
)

var commitTime = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

func buildOpts() BuildOptions {
	return BuildOptions{
		Repository: "registry.example.com/team/podinfo", BaseRepository: "registry.example.com/team/base",
		Platform: "linux/amd64", Version: "v1.2.3", Revision: "0123456789abcdef0123456789abcdef01234567",
		SourceURL: "https://github.com/deliverykit/podinfo", CommitTime: commitTime,
	}
}

func testPublicKey(t testing.TB) []byte {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func render(s step.Step) string {
	var b strings.Builder
	fmt.Fprintf(&b, "== %s (tool %s, image %s)\n", s.Name, s.Tool, s.Image)
	for _, a := range s.Args {
		fmt.Fprintf(&b, "  arg %s\n", a)
	}
	for _, k := range sortedKeys(s.Env) {
		fmt.Fprintf(&b, "  env %s=%s\n", k, s.Env[k])
	}
	for _, k := range s.SecretEnv {
		fmt.Fprintf(&b, "  secret %s\n", k)
	}
	for _, k := range sortedKeys(s.Files) {
		if strings.HasPrefix(k, "base-") {
			continue // layout blobs, covered by the digest test
		}
		if k == FilePublicKey {
			fmt.Fprintf(&b, "  file %s (public key)\n", k)
			continue
		}
		fmt.Fprintf(&b, "  file %s:\n%s", k, s.Files[k])
	}
	fmt.Fprintf(&b, "  inputs %v outputs %v stdout %q\n", filterBase(s.Inputs), s.Outputs, s.Stdout)
	return b.String()
}

func filterBase(in []string) []string {
	var out []string
	for _, p := range in {
		if !strings.HasPrefix(p, "base-") {
			out = append(out, p)
		}
	}
	return out
}

// TestGolden renders every step the pipeline runs and compares it with
// testdata/steps.golden, so any change to an argv is reviewed.
func TestGolden(t *testing.T) {
	key := Signer{}
	offline := Signer{Offline: true}
	keyless := Signer{Keyless: true}
	allow := []byte("vulnerabilities:\n  - id: CVE-2099-0001\n    reason: not reachable from the HTTP handlers\n    expires: 2099-01-31\n")
	th := Threshold{AllowList: allow, Now: commitTime}
	local := Common{PlainHTTP: true}
	pol := Policy{PublicKey: []byte("unused"), IgnoreTlog: true}
	_ = pol
	var out []string
	add := func(s step.Step, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		out = append(out, render(s))
	}
	add(Build(buildOpts()))
	pb := PushBaseOptions{Common: local, Repository: "127.0.0.1:5000/base", Platform: "linux/arm64"}
	add(PushBase(pb))
	add(SBOM(SBOMOptions{Image: testImage}))
	add(SBOM(SBOMOptions{Common: local, Image: testImage}))
	add(ScanImage(ScanOptions{Image: testImage, Threshold: th}))
	add(ScanImage(ScanOptions{Common: local, Image: testImage, Threshold: Threshold{Now: commitTime, IncludeUnfixed: true, Severities: []string{"CRITICAL"}}, DB: TrivyDB{CacheDir: "trivy-cache", Offline: true}}))
	add(ScanConfig(ConfigScanOptions{Dir: "iac/envs/prod", Threshold: th, CacheDir: "trivy-cache"}))
	add(Convert(Common{}, FileScanJSON, FormatSARIF, FileScanSARIF))
	add(Convert(Common{}, FileScanJSON, FormatCosignVuln, FileVulnPredicate))
	add(Sign(SignOptions{Image: testImage, Signer: key}))
	add(Sign(SignOptions{Common: local, Image: testImage, Signer: offline}))
	add(Sign(SignOptions{Image: testImage, Signer: keyless}))
	add(Attest(AttestOptions{Image: testImage, Type: PredicateSPDX, Predicate: FileSPDX, Signer: key}))
	add(Attest(AttestOptions{Image: testImage, Type: PredicateVuln, Predicate: FileVulnPredicate, Signer: keyless}))
	add(Attest(AttestOptions{Image: testImage, Type: PredicateSLSA1, Predicate: FileProvenance, Signer: offline}))
	kp := Policy{PublicKey: testPublicKey(t), IgnoreTlog: true}
	idp := Policy{Identity: "https://github.com/deliverykit/podinfo/.github/workflows/build.yml@refs/heads/main", Issuer: "https://token.actions.githubusercontent.com"}
	add(Verify(VerifyOptions{Common: local, Image: testImage, Policy: kp}))
	add(Verify(VerifyOptions{Image: testImage, Policy: idp}))
	add(VerifyAttestation(VerifyOptions{Image: testImage, Policy: idp}, PredicateSPDX))
	add(Copy(CopyOptions{Image: testImage, Destination: "prod.example.com/team/podinfo"}))
	add(Copy(CopyOptions{Common: Common{Mirror: "mirror.internal/hub"}, Image: testImage, Destination: "prod.example.com/team/podinfo"}))
	pr, err := Promote(CopyOptions{Common: local, Image: testImage, Destination: "127.0.0.1:5000/prod/podinfo"})
	if err != nil || len(pr) != 2 {
		t.Fatalf("promote: %d steps, %v", len(pr), err)
	}
	add(pr[0], nil)
	add(pr[1], nil)
	got := strings.Join(out, "\n")
	golden := filepath.Join("testdata", "steps.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden (run go test -update): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("steps differ from %s (-want +got), rerun with -update after review:\n%s", golden, diff)
	}
}

// TestBadInput checks that each bad argument fails early with an error that
// names the argument and the fix.
func TestBadInput(t *testing.T) {
	withBuild := func(f func(*BuildOptions)) error {
		o := buildOpts()
		f(&o)
		_, err := Build(o)
		return err
	}
	kp := Policy{PublicKey: testPublicKey(t)}
	tests := []struct {
		name string
		err  error
		want []string
	}{
		{"unknown platform", withBuild(func(o *BuildOptions) { o.Platform = "linux/s390x" }), []string{"argument platform", "linux/s390x", "linux/amd64, linux/arm64"}},
		{"platform missing os", withBuild(func(o *BuildOptions) { o.Platform = "amd64" }), []string{"argument platform", "use one of"}},
		{"malformed repository", withBuild(func(o *BuildOptions) { o.Repository = "Registry.Example.com/UPPER case" }), []string{"argument repository", "not a valid repository"}},
		{"repository with tag", withBuild(func(o *BuildOptions) { o.Repository = "registry.example.com/podinfo:latest" }), []string{"argument repository", "without tag or digest"}},
		{"no version", withBuild(func(o *BuildOptions) { o.Version = "" }), []string{"argument version"}},
		{"revision not hex", withBuild(func(o *BuildOptions) { o.Revision = "main" }), []string{"argument revision", "git rev-parse HEAD"}},
		{"no commit time", withBuild(func(o *BuildOptions) { o.CommitTime = time.Time{} }), []string{"argument commit-time", "reproducible"}},
		{"main outside source", withBuild(func(o *BuildOptions) { o.Main = "../other" }), []string{"argument main"}},
		{"tag instead of digest", errOf(SBOM(SBOMOptions{Image: "registry.example.com/podinfo:v1"})), []string{"argument image", "is a tag, not a digest", "repo@sha256"}},
		{"malformed image", errOf(Sign(SignOptions{Image: "not a ref@@"})), []string{"argument image", "not a valid image reference"}},
		{"short digest", errOf(Sign(SignOptions{Image: "registry.example.com/podinfo@sha256:abc"})), []string{"argument image", "64 hex"}},
		{"empty image", errOf(Attest(AttestOptions{Image: "", Type: PredicateSPDX, Predicate: FileSPDX})), []string{"argument image is empty"}},
		{"unknown attestation type", errOf(Attest(AttestOptions{Image: testImage, Type: "sbom", Predicate: FileSPDX})), []string{"argument type", "spdxjson"}},
		{"absolute predicate", errOf(Attest(AttestOptions{Image: testImage, Type: PredicateSPDX, Predicate: "/etc/passwd"})), []string{"argument predicate", "relative"}},
		{"keyless offline", errOf(Sign(SignOptions{Image: testImage, Signer: Signer{Keyless: true, Offline: true}})), []string{"argument offline", "keyless"}},
		{"unknown severity", errOf(ScanImage(ScanOptions{Image: testImage, Threshold: Threshold{Now: commitTime, Severities: []string{"SEVERE"}}})), []string{"argument severity", "SEVERE"}},
		{"expired allow-list entry", errOf(ScanImage(ScanOptions{Image: testImage, Threshold: Threshold{Now: commitTime, AllowList: []byte("vulnerabilities:\n- id: CVE-2020-1\n  reason: old\n  expires: 2021-01-01\n")}})), []string{"CVE-2020-1", "expired on 2021-01-01", "renew"}},
		{"config dir escapes", errOf(ScanConfig(ConfigScanOptions{Dir: "../iac", Threshold: Threshold{Now: commitTime}})), []string{"argument dir"}},
		{"no policy", errOf(Verify(VerifyOptions{Image: testImage})), []string{"no public key and no keyless identity"}},
		{"both policies", errOf(Verify(VerifyOptions{Image: testImage, Policy: Policy{PublicKey: kp.PublicKey, Identity: "x", Issuer: "y"}})), []string{"choose one"}},
		{"identity without issuer", errOf(Verify(VerifyOptions{Image: testImage, Policy: Policy{Identity: "x"}})), []string{"certificate-oidc-issuer"}},
		{"private key as public key", errOf(Verify(VerifyOptions{Image: testImage, Policy: Policy{PublicKey: []byte("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n")}})), []string{"argument public-key", "not the private key"}},
		{"copy to same repo", errOf(Copy(CopyOptions{Image: testImage, Destination: "registry.example.com/team/podinfo"})), []string{"argument destination", "different repository"}},
		{"promote to same repo", errOf2(Promote(CopyOptions{Image: testImage, Destination: "registry.example.com/team/podinfo"})), []string{"promote: argument destination", "different repository"}},
		{"promote a tag", errOf2(Promote(CopyOptions{Image: "registry.example.com/team/podinfo:v1", Destination: "registry.example.com/prod/podinfo"})), []string{"promote: argument image", "is a tag"}},
		{"convert unknown format", errOf(Convert(Common{}, FileScanJSON, "html", "x.html")), []string{"argument format"}},
		{"not a cosign key", CheckPrivateKey(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: []byte{1}})), []string{"argument cosign-key", "not a cosign key", "cosign generate-key-pair"}},
		{"key not PEM", CheckPrivateKey([]byte("hunter2")), []string{"argument cosign-key is not a PEM file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(tt.err.Error(), w) {
					t.Errorf("error %q does not contain %q", tt.err, w)
				}
			}
		})
	}
}

func errOf(_ step.Step, err error) error { return err }

func errOf2(_ []step.Step, err error) error { return err }

func TestMirror(t *testing.T) {
	s, err := Sign(SignOptions{Common: Common{Mirror: "mirror.internal/hub/"}, Image: testImage})
	if err != nil {
		t.Fatal(err)
	}
	if want := "mirror.internal/hub/sigstore/cosign/cosign:v3.1.3"; s.Image != want {
		t.Errorf("image = %q, want %q", s.Image, want)
	}
}

func TestNoSecretInStep(t *testing.T) {
	for _, sg := range []Signer{{}, {Offline: true}, {Keyless: true}} {
		s, err := Sign(SignOptions{Image: testImage, Signer: sg})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range s.SecretEnv {
			if _, ok := s.Env[n]; ok {
				t.Errorf("%s in plain env", n)
			}
		}
		for _, a := range s.Args {
			if strings.Contains(a, "PRIVATE KEY") {
				t.Errorf("key material in argv: %q", a)
			}
		}
	}
}

func TestProvenance(t *testing.T) {
	p, err := Provenance(ProvenanceInput{Build: buildOpts(), Image: testImage, BuilderID: "https://github.com/deliverykit/podinfo/.github/workflows/build.yml@refs/heads/main"})
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "provenance.golden.json")
	if *update {
		if err := os.WriteFile(golden, p, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(p)); diff != "" {
		t.Errorf("provenance (-want +got):\n%s", diff)
	}
	if _, err := Provenance(ProvenanceInput{Build: buildOpts(), Image: testImage}); err == nil || !strings.Contains(err.Error(), "argument builder-id") {
		t.Errorf("missing builder: err = %v", err)
	}
}

func TestCheckSPDX(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"valid", `{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","packages":[{"name":"x"}]}`, ""},
		{"truncated", `{"spdxVersion":"SPDX-2.3","SPD`, "is not JSON"},
		{"cyclonedx", `{"bomFormat":"CycloneDX","components":[]}`, "not an SPDX 2.x document"},
		{"empty", `{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","packages":[]}`, "lists no packages"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckSPDX([]byte(tt.in))
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "argument sbom") {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
