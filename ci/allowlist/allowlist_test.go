package allowlist

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var now = time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    List
		wantErr []string
	}{
		{name: "empty", in: "", want: List{}},
		{
			name: "valid",
			in:   "vulnerabilities:\n  - id: CVE-2022-32149\n    packages: [pkg:golang/golang.org/x/text@v0.3.7]\n    reason: only parses our own Accept-Language values\n    expires: 2026-11-26\nmisconfigurations:\n  - id: AVD-AWS-0104\n    reason: egress to the internet is required\n    expires: 2027-01-01\n",
			want: List{
				Vulnerabilities:   []Entry{{ID: "CVE-2022-32149", Packages: []string{"pkg:golang/golang.org/x/text@v0.3.7"}, Reason: "only parses our own Accept-Language values", Expires: "2026-11-26"}},
				Misconfigurations: []Entry{{ID: "AVD-AWS-0104", Reason: "egress to the internet is required", Expires: "2027-01-01"}},
			},
		},
		{name: "expired", in: "vulnerabilities:\n- id: CVE-1\n  reason: r\n  expires: 2026-11-25\n", wantErr: []string{"vulnerabilities[0] (CVE-1)", "expired on 2026-11-25"}},
		{name: "no reason", in: "vulnerabilities:\n- id: CVE-1\n  expires: 2027-01-01\n", wantErr: []string{"reason is empty"}},
		{name: "no expiry", in: "vulnerabilities:\n- id: CVE-1\n  reason: r\n", wantErr: []string{"expires is empty", "YYYY-MM-DD"}},
		{name: "bad date", in: "vulnerabilities:\n- id: CVE-1\n  reason: r\n  expires: next year\n", wantErr: []string{"not a date"}},
		{name: "typo field", in: "vulnerabilities:\n- id: CVE-1\n  reason: r\n  expiry: 2027-01-01\n", wantErr: []string{"expiry", "not found"}},
		{name: "no id", in: "misconfigurations:\n- reason: r\n  expires: 2027-01-01\n", wantErr: []string{"misconfigurations[0]: id is empty"}},
		{name: "duplicate", in: "vulnerabilities:\n- {id: CVE-1, reason: r, expires: 2027-01-01}\n- {id: CVE-1, reason: r, expires: 2027-01-01}\n", wantErr: []string{"listed twice"}},
		{name: "not yaml", in: "vulnerabilities: [", wantErr: []string{"allow-list"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.in), now)
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("no error, got %+v", got)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestAllowsAndTrivyIgnore(t *testing.T) {
	l := List{Vulnerabilities: []Entry{
		{ID: "CVE-1", Reason: "r", Expires: "2027-01-01"},
		{ID: "CVE-2", Packages: []string{"pkg:golang/a@v1"}, Reason: "r", Expires: "2027-01-01"},
	}}
	for _, c := range []struct {
		id, purl string
		want     bool
	}{{"CVE-1", "pkg:golang/x@v1", true}, {"CVE-2", "pkg:golang/a@v1", true}, {"CVE-2", "pkg:golang/b@v1", false}, {"CVE-3", "", false}} {
		if got := l.Allows(c.id, c.purl); got != c.want {
			t.Errorf("Allows(%s, %s) = %v", c.id, c.purl, got)
		}
	}
	want := `{
  "misconfigurations": [],
  "vulnerabilities": [
    {
      "id": "CVE-1",
      "statement": "r",
      "expired_at": "2027-01-01"
    },
    {
      "id": "CVE-2",
      "purls": [
        "pkg:golang/a@v1"
      ],
      "statement": "r",
      "expired_at": "2027-01-01"
    }
  ]
}
`
	if diff := cmp.Diff(want, string(l.TrivyIgnore())); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// FuzzParse feeds arbitrary files to the parser: it must not panic, and a
// list it accepts must validate and render.
func FuzzParse(f *testing.F) {
	f.Add([]byte("vulnerabilities:\n- id: CVE-1\n  reason: r\n  expires: 2027-01-01\n"))
	f.Add([]byte("misconfigurations: [{id: X, reason: y, expires: 2030-02-02, paths: [a.tf]}]"))
	f.Add([]byte("{}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := Parse(b, now)
		if err != nil {
			return
		}
		if err := l.Validate(now); err != nil {
			t.Fatalf("accepted list fails validation: %v", err)
		}
		_ = l.TrivyIgnore()
	})
}
