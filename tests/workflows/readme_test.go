package workflows

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// slug is GitHub's anchor for a heading: lower case, punctuation other than
// hyphens and underscores dropped, spaces turned into hyphens.
func slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

var (
	headingRE = regexp.MustCompile(`^#{1,6}\s+(.+?)\s*#*\s*$`)
	anchorRE  = regexp.MustCompile(`\]\(#([^)\s]+)\)`)
)

// TestReadmeAnchors checks that every in-page link of README.md points at a
// heading that exists, so the new user's path has no dead ends.
func TestReadmeAnchors(t *testing.T) {
	f, err := os.Open(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	anchors := map[string]bool{}
	type link struct {
		line   int
		anchor string
	}
	var links []link
	sc := bufio.NewScanner(f)
	inCode := false
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			inCode = !inCode
			continue
		}
		if inCode {
			continue
		}
		if m := headingRE.FindStringSubmatch(l); m != nil {
			// GitHub numbers repeated headings: #measured-figures-1.
			a := slug(m[1])
			for n := 1; anchors[a]; n++ {
				a = fmt.Sprintf("%s-%d", slug(m[1]), n)
			}
			anchors[a] = true
		}
		for _, m := range anchorRE.FindAllStringSubmatch(l, -1) {
			links = append(links, link{n, m[1]})
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, l := range links {
		if !anchors[l.anchor] {
			t.Errorf("README.md:%d links to #%s, which no heading defines", l.line, l.anchor)
		}
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Pointing it at AWS":               "pointing-it-at-aws",
		"Reproducing a CI failure locally": "reproducing-a-ci-failure-locally",
		"`dagger call` functions":          "dagger-call-functions",
		"Set-up in two commands":           "set-up-in-two-commands",
	} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}
