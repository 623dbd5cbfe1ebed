package iac

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// ignoreFile is the committed trivy ignore file, relative to iac/.
const ignoreFile = ".trivyignore.yaml"

// trivyReport is the part of trivy's JSON report the tests read.
type trivyReport struct {
	Results []struct {
		Target            string         `json:"Target"`
		Misconfigurations []trivyMisconf `json:"Misconfigurations"`
	} `json:"Results"`
}

type trivyMisconf struct {
	ID            string `json:"ID"`
	AVDID         string `json:"AVDID"`
	Title         string `json:"Title"`
	Message       string `json:"Message"`
	Severity      string `json:"Severity"`
	Status        string `json:"Status"`
	CauseMetadata struct {
		Resource  string `json:"Resource"`
		StartLine int    `json:"StartLine"`
	} `json:"CauseMetadata"`
}

// finding is one failed check at one place.
type finding struct {
	Target, ID, AVDID, Severity, Title, Resource string
	Line                                         int
}

func (f finding) String() string {
	return fmt.Sprintf("%s %s %s:%d %s: %s", f.Severity, f.ID, f.Target, f.Line, f.Resource, f.Title)
}

// trivyConfig runs `trivy config` over dir with the embedded checks only
// (empty cache, no check update, no version check, no telemetry), reporting
// HIGH and CRITICAL findings as JSON with exit code 1 when there are any.
// ignore is an ignore file path, or "" for none.
func trivyConfig(t *testing.T, dir, ignore string) ([]finding, int) {
	t.Helper()
	cache := t.TempDir()
	if ignore == "" {
		// An explicit empty ignore file: trivy then ignores nothing (it
		// would otherwise read .trivyignore from the working directory).
		ignore = filepath.Join(t.TempDir(), "no-ignores.yaml")
		if err := os.WriteFile(ignore, []byte("misconfigurations: []\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	res := runTool(t, "trivy", dir, nil, "config",
		"--cache-dir", cache,
		"--skip-check-update", "--skip-version-check", "--disable-telemetry", "--quiet",
		"--severity", "HIGH,CRITICAL", "--exit-code", "1",
		"--ignorefile", ignore,
		"--format", "json", ".")
	if res.code != 0 && res.code != 1 {
		t.Fatalf("trivy config exited %d:\n%s", res.code, res.stderr)
	}
	var rep trivyReport
	if err := json.Unmarshal(res.stdout, &rep); err != nil {
		t.Fatalf("parse trivy JSON report: %v\n%s\n%s", err, res.stdout, res.stderr)
	}
	var out []finding
	for _, r := range rep.Results {
		for _, m := range r.Misconfigurations {
			if m.Status != "FAIL" || (m.Severity != "HIGH" && m.Severity != "CRITICAL") {
				continue
			}
			out = append(out, finding{Target: r.Target, ID: m.ID, AVDID: m.AVDID, Severity: m.Severity, Title: m.Title,
				Resource: m.CauseMetadata.Resource, Line: m.CauseMetadata.StartLine})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	if (len(out) > 0) != (res.code == 1) {
		t.Errorf("trivy exit code %d disagrees with the %d findings its report lists", res.code, len(out))
	}
	return out, res.code
}

// checkID is a finding's check ID in trivy's current form ("AWS-0053");
// older releases reported "AVD-AWS-0053" as AVDID.
func checkID(f finding) string {
	if f.ID != "" {
		return strings.TrimPrefix(f.ID, "AVD-")
	}
	return strings.TrimPrefix(f.AVDID, "AVD-")
}

func iacAbs(t *testing.T) string {
	t.Helper()
	abs, err := filepath.Abs(iacRoot)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// TestTrivyConfig runs trivy config over iac/ with the committed ignore
// file: no HIGH or CRITICAL finding may remain.
func TestTrivyConfig(t *testing.T) {
	t.Parallel()
	dir := iacAbs(t)
	findings, _ := trivyConfig(t, dir, filepath.Join(dir, ignoreFile))
	for _, f := range findings {
		t.Errorf("unsuppressed trivy finding: %s", f)
	}
}

// ignoreEntry is one misconfiguration entry of .trivyignore.yaml.
type ignoreEntry struct {
	ID        string    `yaml:"id"`
	Paths     []string  `yaml:"paths"`
	Statement string    `yaml:"statement"`
	ExpiredAt time.Time `yaml:"expired_at"`
}

// TestTrivyIgnoresAreJustified checks every suppression names the files it
// covers and gives its reason, and that each still matches a finding of an
// unsuppressed run (a stale suppression fails).
func TestTrivyIgnoresAreJustified(t *testing.T) {
	t.Parallel()
	dir := iacAbs(t)
	raw, err := os.ReadFile(filepath.Join(dir, ignoreFile))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Misconfigurations []ignoreEntry `yaml:"misconfigurations"`
	}
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		t.Fatalf("parse %s: %v", ignoreFile, err)
	}
	findings, _ := trivyConfig(t, dir, "")
	bySeverity := map[string]int{}
	for _, f := range findings {
		bySeverity[f.Severity]++
		t.Logf("suppressed: %s", f)
	}
	t.Logf("unsuppressed run: %d HIGH, %d CRITICAL findings; %d suppressions", bySeverity["HIGH"], bySeverity["CRITICAL"], len(cfg.Misconfigurations))
	for i, e := range cfg.Misconfigurations {
		name := fmt.Sprintf("%s#%d", e.ID, i)
		if e.ID == "" {
			t.Errorf("%s: entry %d has no id", ignoreFile, i)
		}
		if len(strings.Fields(e.Statement)) < 8 {
			t.Errorf("%s: %s: statement %q does not explain why (write at least a sentence)", ignoreFile, name, e.Statement)
		}
		switch {
		case e.ExpiredAt.IsZero():
			t.Errorf("%s: %s has no expired_at: give it a review date (YYYY-MM-DD)", ignoreFile, name)
		case !e.ExpiredAt.After(time.Now()):
			t.Errorf("%s: %s expired on %s: review the finding, then fix it or renew the entry with a new date", ignoreFile, name, e.ExpiredAt.Format(time.DateOnly))
		}
		if len(e.Paths) == 0 {
			t.Errorf("%s: %s suppresses the check everywhere: list the files it applies to in paths", ignoreFile, name)
		}
		for _, p := range e.Paths {
			used := false
			for _, f := range findings {
				if ok, _ := path.Match(p, f.Target); ok && (f.ID == e.ID || f.AVDID == e.ID || checkID(f) == e.ID) {
					used = true
				}
			}
			if !used {
				t.Errorf("%s: %s on %s matches no finding: remove the stale suppression", ignoreFile, name, p)
			}
		}
	}
}

// TestTrivyCatchesBadFixture shows the trivy gate can fail: a repository
// with mutable tags and no scanning, and SSH open to the world.
func TestTrivyCatchesBadFixture(t *testing.T) {
	t.Parallel()
	dir, err := filepath.Abs(filepath.Join("testdata", "bad", "trivy"))
	if err != nil {
		t.Fatal(err)
	}
	findings, code := trivyConfig(t, dir, "")
	if code != 1 {
		t.Errorf("trivy config exited %d on the insecure fixture, want 1", code)
	}
	got := map[string]bool{}
	for _, f := range findings {
		got[checkID(f)] = true
	}
	for _, id := range []string{"AWS-0030", "AWS-0031", "AWS-0107"} {
		if !got[id] {
			t.Errorf("trivy did not report %s on the insecure fixture; findings:\n%v", id, findings)
		}
	}
}
