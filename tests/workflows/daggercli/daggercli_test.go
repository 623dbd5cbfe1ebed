package daggercli

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestKebab(t *testing.T) {
	for in, want := range map[string]string{
		"BuildAndSign":     "build-and-sign",
		"oidcRequestToken": "oidc-request-token",
		"sbomURL":          "sbom-url",
		"ECRRegistry":      "ecr-registry",
		"ScanIac":          "scan-iac",
		"env":              "env",
		"Ci":               "ci",
	} {
		if got := Kebab(in); got != want {
			t.Errorf("Kebab(%q) = %q, want %q", in, got, want)
		}
	}
}

func fixture(t *testing.T) *Surface {
	t.Helper()
	s, err := Load("testdata/module")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLoad(t *testing.T) {
	s := fixture(t)
	if s.Main != "Podinfo" {
		t.Errorf("main object = %q, want Podinfo", s.Main)
	}
	got := map[string][]string{}
	for _, o := range []string{"Podinfo", "Release"} {
		for _, n := range s.Objects[o].Names() {
			got[o] = append(got[o], n+" "+strings.Join(s.Objects[o].Functions[n].Flags(), " "))
		}
	}
	got["New"] = s.Constructor.Flags()
	want := map[string][]string{
		"Podinfo": {
			"build-and-sign --keyless --oidc-request-token --registry --sbom-url --source",
			"deploy --digest --env",
			"release ",
			"serve --http-mode",
		},
		"Release": {"digest ", "notes --format"},
		"New":     {"--mirror"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("surface (-want +got):\n%s", d)
	}
	var required []string
	for _, o := range []string{"Podinfo", "Release"} {
		for _, n := range s.Objects[o].Names() {
			for _, a := range s.Objects[o].Functions[n].Args {
				if a.Required {
					required = append(required, n+" --"+a.Flag)
				}
			}
		}
	}
	wantRequired := []string{"deploy --env", "deploy --digest", "serve --http-mode", "notes --format"}
	if d := cmp.Diff(wantRequired, required); d != "" {
		t.Errorf("required flags (-want +got):\n%s", d)
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := Load("testdata/nowhere"); err == nil || !strings.Contains(err.Error(), "dagger.json") {
		t.Errorf("missing module: err = %v, want one naming dagger.json", err)
	}
	if _, err := LoadSource("other", "testdata/module/ci"); err == nil || !strings.Contains(err.Error(), "no struct type Other") {
		t.Errorf("wrong module name: err = %v, want one naming the missing main object", err)
	}
}

func TestCheck(t *testing.T) {
	s := fixture(t)
	for _, tc := range []struct {
		name, line, wantErr string
	}{
		{"function and flags", `dagger call build-and-sign --registry r --keyless --oidc-request-token env://T -o ./out`, ""},
		{"equals form", `dagger call deploy --env=dev --digest="$DIGEST"`, ""},
		{"constructor flag first", `dagger call --mirror m.example deploy --env dev --digest "$D"`, ""},
		{"module flag before call", `dagger -m . --progress plain call deploy --env dev --digest x`, ""},
		{"chained core function", `dagger call build-and-sign export --path ./out`, ""},
		{"chained service", `dagger call serve --http-mode up --ports 8080:9898`, ""},
		{"object field", `dagger call release digest`, ""},
		{"object method", `dagger call release notes --format md`, ""},
		{"listing", `dagger call --help`, ""},
		{"documentation ellipsis", `dagger call deploy --env dev ...`, ""},
		{"documentation placeholder function", `dagger call PLACEHOLDER --help`, ""},
		{"secret from a variable's value", `dagger call build-and-sign --oidc-request-token "$TOKEN"`, `secret flag --oidc-request-token of function build-and-sign is given "$TOKEN"; pass a secret provider URI`},
		{"secret as a literal value", `dagger call build-and-sign --oidc-request-token=hunter2`, `is given hunter2`},
		{"secret by file", `dagger call build-and-sign --oidc-request-token file://./token`, ""},
		{"required flag missing", `dagger call deploy --env dev`, `function deploy needs --digest, which is required`},
		{"required flag missing before chaining", `dagger call release notes export --path x`, `function notes needs --format`},
		{"help waives required flags", `dagger call deploy --help`, ""},
		{"unknown flag", `dagger call deploy --environment dev`, `unknown flag --environment for function deploy; it accepts --digest, --env`},
		{"unknown function", `dagger call deplo --env dev`, `no function "deplo" on Podinfo`},
		{"unknown function after chaining", `dagger call release notes --format md publish`, `cannot call "publish"`},
		{"function flag before function", `dagger call --registry r build-and-sign`, `unknown flag --registry for the constructor`},
		{"missing value", `dagger call deploy --digest`, `flag --digest of function deploy needs a value`},
		{"variable function", `dagger call "$FN" --env dev`, `is not a literal function name`},
		{"chain on unknown core function", `dagger call build-and-sign publish`, `no function "publish" on Directory`},
		{"chain on scalar", `dagger call deploy --env dev --digest x stdout`, `cannot call "stdout"`},
		{"private field", `dagger call release hidden`, `no function "hidden" on Release`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls, err := ExtractShell("t.sh", 1, tc.line)
			if err != nil {
				t.Fatal(err)
			}
			if len(calls) != 1 {
				t.Fatalf("extracted %d calls from %q, want 1", len(calls), tc.line)
			}
			err = s.Check(calls[0])
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("Check: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("Check error = %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

func TestExtractShell(t *testing.T) {
	script := `set -o pipefail
echo "dagger call not-a-call --x"
dagger call build-and-sign \
  --registry "$REGISTRY" \
  --keyless -o ./out 2>&1 | tee "$RUNNER_TEMP/dagger.log"
if true; then dagger --progress plain call deploy --env ${{ inputs.env }}; fi
dagger version
`
	calls, err := ExtractShell("w.yml", 10, script)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range calls {
		got = append(got, c.String())
	}
	want := []string{
		`w.yml:12: dagger call build-and-sign --registry "$REGISTRY" --keyless -o ./out`,
		`w.yml:15: dagger --progress plain call deploy --env GITHUB_EXPRESSION`,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("calls (-want +got):\n%s", d)
	}
	if _, err := ExtractShell("bad.sh", 1, "dagger call x 'unterminated"); err == nil {
		t.Error("unterminated quote: no error")
	}
}

func TestExtractMarkdown(t *testing.T) {
	doc := "# Title\n" +
		"Run `dagger call build-and-sign -o ./out` first, or `dagger functions`; `dagger call deploy` needs flags.\n" +
		"\n" +
		"```sh\n" +
		"$ dagger call deploy --env <local|dev> --digest sha256:...\n" +
		"make test\n" +
		"```\n" +
		"\n" +
		"```yaml\n" +
		"run: dagger call ignored-in-yaml\n" +
		"```\n" +
		"~~~bash\n" +
		"dagger call \\\n" +
		"  release notes --format md\n" +
		"~~~\n"
	calls, err := ExtractMarkdown("README.md", doc)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range calls {
		got = append(got, c.String())
	}
	want := []string{
		"README.md:2: dagger call build-and-sign -o ./out",
		"README.md:2: dagger call deploy",
		"README.md:5: dagger call deploy --env PLACEHOLDER --digest sha256:...",
		"README.md:13: dagger call release notes --format md",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("calls (-want +got):\n%s", d)
	}
	s := fixture(t)
	for _, c := range calls {
		if err := s.Check(c); err != nil {
			t.Errorf("Check: %v", err)
		}
	}
	if !calls[1].Inline || calls[2].Inline {
		t.Errorf("Inline = %v, %v; want inline spans marked and fenced blocks not", calls[1].Inline, calls[2].Inline)
	}
	block := calls[2]
	block.Words = block.Words[:5] // dagger call deploy --env <env>: no --digest
	if err := s.Check(block); err == nil || !strings.Contains(err.Error(), "needs --digest") {
		t.Errorf("fenced block without a required flag: err = %v, want needs --digest", err)
	}
}

// FuzzExtractMarkdown feeds arbitrary documents to the README reader: it
// must return calls or an error, never panic, and every call it returns
// starts with dagger.
func FuzzExtractMarkdown(f *testing.F) {
	f.Add("```sh\ndagger call build-and-sign -o ./out\n```\n")
	f.Add("`dagger call deploy --env <env>`")
	f.Add("```\n$ dagger -m . call x --y 'z\n```")
	f.Fuzz(func(t *testing.T, doc string) {
		calls, err := ExtractMarkdown("fuzz.md", doc)
		if err != nil {
			return
		}
		for _, c := range calls {
			if len(c.Words) == 0 || c.Words[0].Text != "dagger" {
				t.Fatalf("extracted %q, which does not start with dagger", c.Text)
			}
		}
	})
}

// BenchmarkLoad measures reading a module's surface from its Go source.
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load("testdata/module"); err != nil {
			b.Fatal(err)
		}
	}
}
