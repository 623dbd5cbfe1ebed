package supplychain

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// checkSARIF validates the structure SARIF 2.1.0 requires of a log and of
// the parts GitHub code scanning reads: version, $schema, runs with a tool
// driver, results with a rule id and message, rule indexes that resolve,
// levels from the enum and locations with an artifact URI. (No SARIF JSON
// schema ships in a Go module reachable here, so the rules are checked in
// Go, by hand, following the OASIS 2.1.0 specification.)
func checkSARIF(b []byte) error {
	var log struct {
		Schema  *string `json:"$schema"`
		Version *string `json:"version"`
		Runs    *[]struct {
			Tool *struct {
				Driver *struct {
					Name    string `json:"name"`
					Version string `json:"version"`
					Rules   []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results *[]struct {
				RuleID    string `json:"ruleId"`
				RuleIndex *int   `json:"ruleIndex"`
				Level     string `json:"level"`
				Message   struct {
					Text string `json:"text"`
				} `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b, &log); err != nil {
		return fmt.Errorf("sarif: not JSON: %w", err)
	}
	var errs []error
	if log.Version == nil || *log.Version != "2.1.0" {
		errs = append(errs, fmt.Errorf("sarif: version must be \"2.1.0\""))
	}
	if log.Schema == nil || !strings.Contains(*log.Schema, "sarif") || !strings.Contains(*log.Schema, "2.1.0") {
		errs = append(errs, fmt.Errorf("sarif: $schema must name the SARIF 2.1.0 schema"))
	}
	if log.Runs == nil || len(*log.Runs) == 0 {
		return errors.Join(append(errs, fmt.Errorf("sarif: runs must be a non-empty array"))...)
	}
	levels := map[string]bool{"": true, "none": true, "note": true, "warning": true, "error": true}
	for i, run := range *log.Runs {
		if run.Tool == nil || run.Tool.Driver == nil || run.Tool.Driver.Name == "" {
			errs = append(errs, fmt.Errorf("sarif: runs[%d].tool.driver.name is required", i))
			continue
		}
		if run.Results == nil {
			errs = append(errs, fmt.Errorf("sarif: runs[%d].results is required for a completed scan", i))
			continue
		}
		for j, r := range *run.Results {
			at := fmt.Sprintf("runs[%d].results[%d]", i, j)
			if r.Message.Text == "" {
				errs = append(errs, fmt.Errorf("sarif: %s.message.text is required", at))
			}
			if r.RuleID == "" {
				errs = append(errs, fmt.Errorf("sarif: %s.ruleId is required", at))
			}
			if !levels[r.Level] {
				errs = append(errs, fmt.Errorf("sarif: %s.level %q is not none, note, warning or error", at, r.Level))
			}
			if r.RuleIndex != nil {
				rules := run.Tool.Driver.Rules
				if *r.RuleIndex < 0 || *r.RuleIndex >= len(rules) || rules[*r.RuleIndex].ID != r.RuleID {
					errs = append(errs, fmt.Errorf("sarif: %s.ruleIndex %d does not name rule %q", at, *r.RuleIndex, r.RuleID))
				}
			}
			for k, l := range r.Locations {
				if l.PhysicalLocation.ArtifactLocation.URI == "" {
					errs = append(errs, fmt.Errorf("sarif: %s.locations[%d] has no artifact URI", at, k))
				}
			}
		}
	}
	return errors.Join(errs...)
}

func TestCheckSARIF(t *testing.T) {
	good := `{"version":"2.1.0","$schema":"https://json.schemastore.org/sarif-2.1.0.json","runs":[{"tool":{"driver":{"name":"Trivy","rules":[{"id":"CVE-1"}]}},"results":[{"ruleId":"CVE-1","ruleIndex":0,"level":"error","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"app"}}}]}]}]}`
	tests := []struct {
		name, in, want string
	}{
		{"valid", good, ""},
		{"wrong version", strings.Replace(good, `"2.1.0","$schema"`, `"2.0.0","$schema"`, 1), "version"},
		{"no schema", strings.Replace(good, `"$schema":"https://json.schemastore.org/sarif-2.1.0.json",`, "", 1), "$schema"},
		{"no runs", `{"version":"2.1.0","$schema":"sarif-2.1.0","runs":[]}`, "runs must be"},
		{"no driver", `{"version":"2.1.0","$schema":"sarif-2.1.0","runs":[{"tool":{},"results":[]}]}`, "driver.name"},
		{"bad rule index", strings.Replace(good, `"ruleIndex":0`, `"ruleIndex":3`, 1), "ruleIndex"},
		{"bad level", strings.Replace(good, `"level":"error"`, `"level":"fatal"`, 1), "level"},
		{"not json", `{`, "not JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkSARIF([]byte(tt.in))
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
