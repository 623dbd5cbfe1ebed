package redact

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEnviron(t *testing.T) {
	in := []string{
		"PATH=/usr/bin",
		"AWS_ACCESS_KEY_ID=AKIAEXAMPLE",
		"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG",
		"AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjEXAMPLE",
		"AWS_REGION=eu-west-1",
		"AWS_LAMBDA_FUNCTION_NAME=podinfo",
		"PODINFO_UI_COLOR=#34577c",
		"github_token=ghp_x",
		"DB_PASSWORD=hunter2",
		"SIGNING_KEY=abc",
		"DATABASE_URL=postgres://app:pw@db:5432/x?sslmode=require",
		"PUBLIC_URL=https://example.com/a@b",
		"BROKEN_URL=postgres://app:p%zz@db",
		"EMPTY=",
		"NOEQUALS",
	}
	want := []string{
		"PATH=/usr/bin",
		"AWS_ACCESS_KEY_ID=[REDACTED]",
		"AWS_SECRET_ACCESS_KEY=[REDACTED]",
		"AWS_SESSION_TOKEN=[REDACTED]",
		"AWS_REGION=eu-west-1",
		"AWS_LAMBDA_FUNCTION_NAME=podinfo",
		"PODINFO_UI_COLOR=#34577c",
		"github_token=[REDACTED]",
		"DB_PASSWORD=[REDACTED]",
		"SIGNING_KEY=[REDACTED]",
		"DATABASE_URL=postgres://app:[REDACTED]@db:5432/x?sslmode=require",
		"PUBLIC_URL=https://example.com/a@b",
		"BROKEN_URL=postgres://[REDACTED]",
		"EMPTY=",
		"NOEQUALS",
	}
	if diff := cmp.Diff(want, Environ(in)); diff != "" {
		t.Errorf("Environ (-want +got):\n%s", diff)
	}
}

// FuzzValue checks that a secret-named variable's value, and a URL's
// password, never survive redaction.
func FuzzValue(f *testing.F) {
	f.Add("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI")
	f.Add("DATABASE_URL", "postgres://app:pw123@db/x")
	f.Add("X", "a://b:c@d")
	f.Fuzz(func(t *testing.T, name, value string) {
		got := Value(name, value)
		if SecretName(name) && got != Mask {
			t.Fatalf("Value(%q, %q) = %q, want %q", name, value, got, Mask)
		}
		if strings.Contains(value, "://") && strings.Contains(value, "@") {
			if _, rest, ok := strings.Cut(value, "://"); ok {
				userinfo, _, _ := strings.Cut(rest, "@")
				if _, pw, ok := strings.Cut(userinfo, ":"); ok && len(pw) >= 4 && !strings.Contains(Mask, pw) {
					host := rest[len(userinfo):]
					if strings.Contains(got, pw) && !strings.Contains(host, pw) && !strings.Contains(userinfo[:len(userinfo)-len(pw)-1], pw) {
						t.Fatalf("Value(%q, %q) = %q still holds the password %q", name, value, got, pw)
					}
				}
			}
		}
	})
}
