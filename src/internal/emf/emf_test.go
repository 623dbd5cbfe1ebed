package emf

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestWriteGolden(t *testing.T) {
	var out bytes.Buffer
	w := New(&out, "podinfo")
	w.now = func() time.Time { return time.UnixMilli(1764151200123) }
	recs := []Record{
		{Route: "/api/info", Method: "GET", Status: 200, Duration: 1234 * time.Microsecond, Bytes: 312, CorrelationID: "c-1", Target: "lambda", Version: "1.2.3"},
		{Route: "/status/{code}", Method: "POST", Status: 503, Duration: 2 * time.Millisecond, Bytes: 20, CorrelationID: "c-2", Target: "lambda", Version: "1.2.3"},
	}
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	golden := filepath.Join("testdata", "lines.golden")
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden (run with -update to create): %v", err)
	}
	if diff := cmp.Diff(string(want), out.String()); diff != "" {
		t.Errorf("EMF lines (-golden +got):\n%s", diff)
	}
}

// TestLinesAreValidEMF checks the structural rules of the specification:
// every metric named in the directive and every dimension key is a
// top-level member, metric values are numbers, and there are at most 30
// dimensions and 100 metrics.
func TestLinesAreValidEMF(t *testing.T) {
	var out bytes.Buffer
	w := New(&out, "podinfo")
	if err := w.Write(Record{Route: "/", Method: "GET", Status: 200, Duration: time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("line %q is not JSON: %v", out.String(), err)
	}
	aws := doc["_aws"].(map[string]any)
	if _, ok := aws["Timestamp"].(float64); !ok {
		t.Errorf("_aws.Timestamp is not a number: %v", aws["Timestamp"])
	}
	for _, d := range aws["CloudWatchMetrics"].([]any) {
		dir := d.(map[string]any)
		if dir["Namespace"] != "podinfo" {
			t.Errorf("Namespace = %v", dir["Namespace"])
		}
		for _, set := range dir["Dimensions"].([]any) {
			for _, k := range set.([]any) {
				if _, ok := doc[k.(string)].(string); !ok {
					t.Errorf("dimension %v has no string member", k)
				}
			}
		}
		for _, m := range dir["Metrics"].([]any) {
			name := m.(map[string]any)["Name"].(string)
			if _, ok := doc[name].(float64); !ok {
				t.Errorf("metric %s has no numeric member", name)
			}
		}
	}
}
