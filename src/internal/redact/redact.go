// Package redact hides credentials in the environment before /env shows it.
//
// The rule (documented in the README):
//  1. A variable whose name, in upper case, contains SECRET, TOKEN, PASSWORD,
//     PASSWD, PASSPHRASE, CREDENTIAL, PRIVATE, SESSION, COOKIE, SIGNATURE,
//     AUTH, ACCESS_KEY or APIKEY, or ends in KEY, has its whole value
//     replaced by Mask. On Lambda this covers AWS_ACCESS_KEY_ID,
//     AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.
//  2. Any other value that is a URL with a password in its user info
//     ("postgres://app:pw@db/x") keeps the URL with the password replaced
//     by Mask.
//
// Names are always shown, so an operator can see that a variable is set.
package redact

import (
	"net/url"
	"strings"
)

// Mask replaces redacted values.
const Mask = "[REDACTED]"

var secretWords = []string{
	"SECRET", "TOKEN", "PASSWORD", "PASSWD", "PASSPHRASE", "CREDENTIAL",
	"PRIVATE", "SESSION", "COOKIE", "SIGNATURE", "AUTH", "ACCESS_KEY", "APIKEY",
}

// SecretName reports whether a variable named name holds a credential by
// rule 1.
func SecretName(name string) bool {
	n := strings.ToUpper(name)
	if strings.HasSuffix(n, "KEY") {
		return true
	}
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// Value returns the value of variable name as /env may show it.
func Value(name, value string) string {
	if SecretName(name) {
		return Mask
	}
	if !strings.Contains(value, "@") || !strings.Contains(value, "://") {
		return value
	}
	u, err := url.Parse(value)
	if err != nil {
		// Unparseable but URL-like: keep the scheme, hide the rest.
		scheme, _, _ := strings.Cut(value, "://")
		return scheme + "://" + Mask
	}
	if _, has := u.User.Password(); !has {
		return value
	}
	u.User = url.User(u.User.Username())
	s := u.String()
	// Put the mask where the password was, after the user name.
	scheme, rest, _ := strings.Cut(s, "://")
	user, host, _ := strings.Cut(rest, "@")
	return scheme + "://" + user + ":" + Mask + "@" + host
}

// Environ returns environ ("NAME=value" entries) with every value passed
// through Value.
func Environ(environ []string) []string {
	out := make([]string, 0, len(environ))
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			out = append(out, kv)
			continue
		}
		out = append(out, name+"="+Value(name, value))
	}
	return out
}
