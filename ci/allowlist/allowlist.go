// Package allowlist parses and validates the scan allow-list: findings the
// team has accepted, each with a reason and an expiry date. An expired entry
// is an error, not a silent re-opening, so the scan fails until someone
// renews or removes it. The list is rendered as trivy's .trivyignore.yaml.
package allowlist

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// DateLayout is the format of an entry's expiry date.
const DateLayout = "2006-01-02"

// Entry is one accepted finding.
type Entry struct {
	// ID is the vulnerability (CVE-..., GHSA-...) or check (AVD-..., AWS-...) id.
	ID string `yaml:"id"`
	// Packages optionally narrows a vulnerability entry to package URLs
	// ("pkg:golang/golang.org/x/text@v0.3.7"); empty means any package.
	Packages []string `yaml:"packages,omitempty"`
	// Paths optionally narrows the entry to file paths (misconfigurations).
	Paths []string `yaml:"paths,omitempty"`
	// Reason says why the finding is accepted. Required.
	Reason string `yaml:"reason"`
	// Expires is the last day (UTC, YYYY-MM-DD) the entry applies. Required.
	Expires string `yaml:"expires"`
}

// List is the allow-list file.
type List struct {
	// Vulnerabilities are accepted image vulnerabilities.
	Vulnerabilities []Entry `yaml:"vulnerabilities,omitempty"`
	// Misconfigurations are accepted Terraform misconfigurations.
	Misconfigurations []Entry `yaml:"misconfigurations,omitempty"`
}

// Parse reads an allow-list (YAML) and validates it against now: every entry
// needs an id, a reason and an expiry date not before now's UTC day.
// Unknown fields are errors, so a typo ("expiry:") cannot disable a check.
func Parse(data []byte, now time.Time) (List, error) {
	var l List
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&l); err != nil && !errors.Is(err, io.EOF) {
		return List{}, fmt.Errorf("allow-list: %w (format: vulnerabilities: [{id, reason, expires: YYYY-MM-DD}])", err)
	}
	if err := l.Validate(now); err != nil {
		return List{}, err
	}
	return l, nil
}

// Validate checks every entry against now and returns all problems found.
func (l List) Validate(now time.Time) error {
	var errs []error
	check := func(kind string, es []Entry) {
		seen := map[string]bool{}
		for i, e := range es {
			at := fmt.Sprintf("allow-list %s[%d]", kind, i)
			if strings.TrimSpace(e.ID) == "" {
				errs = append(errs, fmt.Errorf("%s: id is empty: set the finding id, like CVE-2024-1234", at))
				continue
			}
			at += " (" + e.ID + ")"
			if seen[e.ID] && len(e.Packages) == 0 && len(e.Paths) == 0 {
				errs = append(errs, fmt.Errorf("%s: listed twice: keep one entry", at))
			}
			seen[e.ID] = true
			if strings.TrimSpace(e.Reason) == "" {
				errs = append(errs, fmt.Errorf("%s: reason is empty: say why the finding is accepted", at))
			}
			exp, err := e.Expiry()
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", at, err))
				continue
			}
			if today := now.UTC().Truncate(24 * time.Hour); exp.Before(today) {
				errs = append(errs, fmt.Errorf("%s: expired on %s: fix the finding, or renew the entry with a new reason and date", at, e.Expires))
			}
		}
	}
	check("vulnerabilities", l.Vulnerabilities)
	check("misconfigurations", l.Misconfigurations)
	return errors.Join(errs...)
}

// Expiry parses the entry's expiry date.
func (e Entry) Expiry() (time.Time, error) {
	if strings.TrimSpace(e.Expires) == "" {
		return time.Time{}, fmt.Errorf("expires is empty: set the last day the entry applies, as YYYY-MM-DD")
	}
	t, err := time.Parse(DateLayout, e.Expires)
	if err != nil {
		return time.Time{}, fmt.Errorf("expires %q is not a date: write it as YYYY-MM-DD", e.Expires)
	}
	return t, nil
}

// Allows reports whether the list accepts the vulnerability id found in the
// package with URL purl (entries with no packages accept any package).
func (l List) Allows(id, purl string) bool {
	for _, e := range l.Vulnerabilities {
		if e.ID != id {
			continue
		}
		if len(e.Packages) == 0 {
			return true
		}
		for _, p := range e.Packages {
			if p == purl {
				return true
			}
		}
	}
	return false
}

type trivyEntry struct {
	ID        string   `json:"id"`
	Paths     []string `json:"paths,omitempty"`
	PURLs     []string `json:"purls,omitempty"`
	Statement string   `json:"statement,omitempty"`
	ExpiredAt string   `json:"expired_at,omitempty"`
}

// TrivyIgnore renders the list as trivy's .trivyignore.yaml (written as
// JSON, which YAML parsers read). Expiry dates are kept (expired_at), so
// trivy itself also stops ignoring an entry once it expires.
func (l List) TrivyIgnore() []byte {
	conv := func(es []Entry) []trivyEntry {
		out := make([]trivyEntry, 0, len(es))
		for _, e := range es {
			out = append(out, trivyEntry{ID: e.ID, Paths: e.Paths, PURLs: e.Packages, Statement: e.Reason, ExpiredAt: e.Expires})
		}
		return out
	}
	doc := map[string][]trivyEntry{
		"vulnerabilities":   conv(l.Vulnerabilities),
		"misconfigurations": conv(l.Misconfigurations),
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(err) // plain strings only
	}
	return append(b, '\n')
}
