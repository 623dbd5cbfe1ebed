package supplychain

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/aquasecurity/trivy-db/pkg/db"
	"github.com/aquasecurity/trivy-db/pkg/metadata"
	"github.com/aquasecurity/trivy-db/pkg/types"
	"github.com/aquasecurity/trivy-db/pkg/vulnsrc/vulnerability"
	bolt "go.etcd.io/bbolt"
)

// The fixture advisory: a real one, for a real module version.
const (
	fixtureVulnID     = "CVE-2022-32149"
	fixtureModule     = "golang.org/x/text"
	fixtureVersion    = "v0.3.7"
	fixtureFixed      = "0.3.8"
	goAdvisoryBucket  = "go::GitHub Security Advisory Go"
	fixtureGHSA       = "GHSA-69ch-w2m2-3vjp"
	fixtureAdvisoryID = fixtureGHSA
)

// buildTrivyDB writes a trivy vulnerability database holding one Go
// advisory (CVE-2022-32149 in golang.org/x/text < 0.3.8) into
// cacheDir/db, the layout `trivy --cache-dir cacheDir --skip-db-update`
// reads. trivy-db keeps its handle in a package variable, so callers must not
// build two databases at once.
func buildTrivyDB(cacheDir string, now time.Time) error {
	dir := filepath.Join(cacheDir, "db")
	if err := db.Init(dir); err != nil {
		return fmt.Errorf("trivy db: init %s: %w", dir, err)
	}
	dbc := db.Config{}
	err := dbc.BatchUpdate(func(tx *bolt.Tx) error {
		if err := dbc.PutDataSource(tx, goAdvisoryBucket, types.DataSource{
			ID: vulnerability.GHSA, Name: "GitHub Security Advisory Go",
			URL: "https://github.com/advisories?query=type%3Areviewed+ecosystem%3Ago",
		}); err != nil {
			return fmt.Errorf("data source: %w", err)
		}
		adv := types.Advisory{VulnerableVersions: []string{"< " + fixtureFixed}, PatchedVersions: []string{fixtureFixed}}
		if err := dbc.PutAdvisory(tx, []string{goAdvisoryBucket, fixtureModule}, fixtureVulnID, adv); err != nil {
			return fmt.Errorf("advisory: %w", err)
		}
		return dbc.PutVulnerability(tx, fixtureVulnID, types.Vulnerability{
			Title:          "golang.org/x/text/language: ParseAcceptLanguage takes a long time to parse complex tags",
			Description:    "An attacker may cause a denial of service by crafting an Accept-Language header which ParseAcceptLanguage will take significant time to parse.",
			Severity:       types.SeverityHigh.String(),
			VendorSeverity: types.VendorSeverity{vulnerability.GHSA: types.SeverityHigh},
			References:     []string{"https://github.com/advisories/" + fixtureGHSA, "https://nvd.nist.gov/vuln/detail/" + fixtureVulnID},
		})
	})
	if cerr := db.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("trivy db: %w", err)
	}
	meta := metadata.Metadata{Version: db.SchemaVersion, NextUpdate: now.Add(24 * time.Hour), UpdatedAt: now, DownloadedAt: now}
	b, err := json.Marshal(meta)
	if err != nil {
		return fmt.Errorf("trivy db metadata: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "metadata.json"), b, 0o644); err != nil {
		return fmt.Errorf("trivy db metadata: %w", err)
	}
	return nil
}
