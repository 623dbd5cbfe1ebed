package steps

import (
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/deliverykit/podinfo/ci/allowlist"
	"github.com/deliverykit/podinfo/ci/step"
)

// DefaultSeverities are the severities that fail a scan by default.
var DefaultSeverities = []string{"HIGH", "CRITICAL"}

var knownSeverities = map[string]bool{"UNKNOWN": true, "LOW": true, "MEDIUM": true, "HIGH": true, "CRITICAL": true}

// Threshold is the scan policy: which findings fail the scan.
type Threshold struct {
	// Severities fail the scan (DefaultSeverities when empty).
	Severities []string
	// IncludeUnfixed also fails on vulnerabilities without a fix; by default
	// (false) they are ignored, as `--ignore-unfixed`.
	IncludeUnfixed bool
	// AllowList is the allow-list file content (YAML, package allowlist);
	// empty means no accepted findings.
	AllowList []byte
	// Now is the time expiry dates are checked against.
	Now time.Time
}

// Resolve validates the threshold and returns the severities and the parsed
// allow-list. An expired allow-list entry is an error.
func (t Threshold) Resolve() ([]string, allowlist.List, error) {
	sev := t.Severities
	if len(sev) == 0 {
		sev = DefaultSeverities
	}
	for _, s := range sev {
		if !knownSeverities[s] {
			return nil, allowlist.List{}, fmt.Errorf("argument severity %q is unknown: use UNKNOWN, LOW, MEDIUM, HIGH or CRITICAL", s)
		}
	}
	if t.Now.IsZero() {
		return nil, allowlist.List{}, fmt.Errorf("argument now is unset: pass the current time to check allow-list expiry dates")
	}
	l, err := allowlist.Parse(t.AllowList, t.Now)
	if err != nil {
		return nil, allowlist.List{}, err
	}
	return sev, l, nil
}

// TrivyDB says where trivy finds its vulnerability database.
type TrivyDB struct {
	// CacheDir is trivy's cache dir, relative to the work dir ("trivy-cache").
	CacheDir string
	// Offline uses only the database already in CacheDir: no download, no
	// version check, no telemetry.
	Offline bool
	// Repository overrides the database's OCI repository (mirrors).
	Repository string
}

func (d TrivyDB) args() ([]string, error) {
	var a []string
	if d.CacheDir != "" {
		if path.IsAbs(d.CacheDir) || strings.HasPrefix(path.Clean(d.CacheDir), "..") {
			return nil, fmt.Errorf("argument cache-dir %q must be relative to the work dir", d.CacheDir)
		}
		a = append(a, "--cache-dir", path.Clean(d.CacheDir))
	}
	a = append(a, "--skip-version-check", "--disable-telemetry")
	if d.Offline {
		a = append(a, "--skip-db-update", "--skip-java-db-update", "--offline-scan")
	} else if d.Repository != "" {
		a = append(a, "--db-repository", d.Repository)
	}
	return a, nil
}

// ScanOptions configures ScanImage.
type ScanOptions struct {
	Common
	// Image is the image by digest.
	Image string
	// Threshold is the failing policy.
	Threshold Threshold
	// DB locates the vulnerability database.
	DB TrivyDB
}

// ScanImage returns the `trivy image` step: a vulnerability scan of the
// image in the registry, written as trivy JSON (FileScanJSON), exiting 1 when
// a finding at or above the threshold is not allow-listed. Use Convert for
// SARIF and the cosign vulnerability predicate.
func ScanImage(o ScanOptions) (step.Step, error) {
	ref, err := ParseDigestRef("scan: argument image", o.Image)
	if err != nil {
		return step.Step{}, err
	}
	sev, list, err := o.Threshold.Resolve()
	if err != nil {
		return step.Step{}, fmt.Errorf("scan: %w", err)
	}
	db, err := o.DB.args()
	if err != nil {
		return step.Step{}, fmt.Errorf("scan: %w", err)
	}
	args := []string{"image", "--image-src", "remote", "--scanners", "vuln",
		"--format", "json", "--output", FileScanJSON,
		"--severity", strings.Join(sev, ","), "--exit-code", "1",
		"--ignorefile", FileTrivyIgnore}
	if !o.Threshold.IncludeUnfixed {
		args = append(args, "--ignore-unfixed")
	}
	if o.PlainHTTP {
		args = append(args, "--insecure")
	}
	args = append(args, db...)
	args = append(args, ref.String())
	s := newStep(o.Common, "scan-image", "trivy", args...)
	s.Files = map[string][]byte{FileTrivyIgnore: list.TrivyIgnore()}
	s.Inputs = []string{FileTrivyIgnore}
	if o.DB.CacheDir != "" {
		s.Inputs = append(s.Inputs, path.Clean(o.DB.CacheDir))
	}
	s.Outputs = []string{FileScanJSON}
	return s, nil
}

// ConfigScanOptions configures ScanConfig.
type ConfigScanOptions struct {
	Common
	// Dir is the Terraform directory, relative to the work dir.
	Dir string
	// Threshold is the failing policy (IncludeUnfixed does not apply).
	Threshold Threshold
	// CacheDir is trivy's cache dir, relative to the work dir; the embedded
	// checks are used (no check download).
	CacheDir string
}

// ScanConfig returns the `trivy config` step: misconfigurations in a
// Terraform directory, written as trivy JSON (FileConfigJSON), exiting 1 on
// findings at or above the threshold that are not allow-listed.
func ScanConfig(o ConfigScanOptions) (step.Step, error) {
	dir := path.Clean(o.Dir)
	if o.Dir == "" || path.IsAbs(dir) || strings.HasPrefix(dir, "..") {
		return step.Step{}, fmt.Errorf("scan config: argument dir %q must be a Terraform directory relative to the work dir, like iac/envs/prod", o.Dir)
	}
	sev, list, err := o.Threshold.Resolve()
	if err != nil {
		return step.Step{}, fmt.Errorf("scan config: %w", err)
	}
	db, err := TrivyDB{CacheDir: o.CacheDir}.args()
	if err != nil {
		return step.Step{}, fmt.Errorf("scan config: %w", err)
	}
	args := []string{"config", "--format", "json", "--output", FileConfigJSON,
		"--severity", strings.Join(sev, ","), "--exit-code", "1",
		"--ignorefile", FileTrivyIgnore, "--skip-check-update"}
	args = append(args, db...)
	args = append(args, dir)
	s := newStep(o.Common, "scan-config", "trivy", args...)
	s.Files = map[string][]byte{FileTrivyIgnore: list.TrivyIgnore()}
	s.Inputs = []string{FileTrivyIgnore, dir}
	s.Outputs = []string{FileConfigJSON}
	return s, nil
}

// Report formats Convert produces.
const (
	FormatSARIF      = "sarif"
	FormatCosignVuln = "cosign-vuln"
)

// Convert returns the `trivy convert` step that renders a trivy JSON report
// (from ScanImage or ScanConfig) as SARIF 2.1.0 or as cosign's vulnerability
// predicate (the `--type vuln` attestation).
func Convert(c Common, in, format, out string) (step.Step, error) {
	if format != FormatSARIF && format != FormatCosignVuln {
		return step.Step{}, fmt.Errorf("convert: argument format %q is unknown: use %s or %s", format, FormatSARIF, FormatCosignVuln)
	}
	for arg, p := range map[string]string{"in": in, "out": out} {
		if p == "" || path.IsAbs(p) || path.Clean(p) != p || strings.HasPrefix(p, "..") {
			return step.Step{}, fmt.Errorf("convert: argument %s %q must be a file relative to the work dir", arg, p)
		}
	}
	s := newStep(c, "convert-"+format, "trivy", "convert", "--format", format, "--output", out, in)
	s.Inputs = []string{in}
	s.Outputs = []string{out}
	return s, nil
}
