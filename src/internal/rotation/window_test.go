package rotation

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/deliverykit/podinfo/src/internal/signingkey"
	"github.com/deliverykit/podinfo/src/internal/smkeys"
)

// sign issues an HS256 token with the source's signing key, as the
// service's POST /token does.
func sign(t *testing.T, src signingkey.Source, name string) string {
	t.Helper()
	key, err := src.Signing(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"name": name, "iss": "podinfo", "exp": time.Now().Add(time.Hour).Unix(),
	})
	tok.Header["kid"] = key.ID
	s, err := tok.SignedString(key.Secret)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// validate checks a token against the source's verification keys and, on
// failure, refreshes once and tries again: the flow the service's
// GET /token/validate follows.
func validate(src signingkey.Source, token string) error {
	try := func() error {
		keys, err := src.Verification(context.Background())
		if err != nil {
			return err
		}
		var errs []error
		for _, k := range keys {
			_, err := jwt.Parse(token, func(*jwt.Token) (any, error) { return k.Secret, nil },
				jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer("podinfo"), jwt.WithExpirationRequired())
			if err == nil {
				return nil
			}
			errs = append(errs, fmt.Errorf("key %s: %w", k.ID, err))
		}
		return errors.Join(errs...)
	}
	if err := try(); err == nil {
		return nil
	}
	if err := src.Refresh(context.Background()); err != nil {
		return err
	}
	return try()
}

// TestTokensAcrossRotations drives two real rotations (the four steps
// against the fake) while two service instances hold smkeys sources: one
// refreshes right after each rotation, the other only when a token fails
// validation. Tokens live across exactly one rotation.
func TestTokensAcrossRotations(t *testing.T) {
	fake, r, _ := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	newSource := func() *smkeys.Source {
		src, err := smkeys.New(ctx, fake.Client(), "jwt", smkeys.Options{Refresh: time.Hour, MinRefreshInterval: time.Nanosecond})
		if err != nil {
			t.Fatal(err)
		}
		return src
	}
	eager, lazy := newSource(), newSource()
	rotateAll := func() {
		token := begin(t, fake)
		for _, step := range allSteps {
			run(t, r, token, step)
		}
		if err := eager.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}

	tokens := map[string]string{"gen0": sign(t, eager, "gen0")}
	type check struct {
		token string
		valid bool
	}
	phases := []struct {
		name   string
		before func()
		checks []check
	}{
		{"before any rotation", nil, []check{{"gen0", true}}},
		{"after the first rotation", func() {
			rotateAll()
			tokens["gen1"] = sign(t, eager, "gen1")
		}, []check{{"gen0", true}, {"gen1", true}}},
		{"after the second rotation", func() {
			rotateAll()
			tokens["gen2"] = sign(t, eager, "gen2")
			// gen2 comes first: it makes the lazy instance refresh. Until
			// an instance refreshes (at most its Refresh period), it still
			// accepts the key it last saw as AWSPREVIOUS.
		}, []check{{"gen2", true}, {"gen1", true}, {"gen0", false}}},
	}
	for _, ph := range phases {
		if ph.before != nil {
			ph.before()
		}
		t.Run(ph.name, func(t *testing.T) {
			for instance, src := range map[string]signingkey.Source{"eager": eager, "lazy": lazy} {
				var got, want []string
				for _, c := range ph.checks {
					err := validate(src, tokens[c.token])
					got = append(got, fmt.Sprintf("%s valid=%v", c.token, err == nil))
					want = append(want, fmt.Sprintf("%s valid=%v", c.token, c.valid))
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s instance: token validity (-want +got):\n%s", instance, diff)
				}
			}
		})
	}

	// The lazy instance learned the new keys from failed validations:
	// it now signs with the same key as the eager one.
	ek, _ := eager.Signing(ctx)
	lk, _ := lazy.Signing(ctx)
	if ek.ID != lk.ID {
		t.Errorf("lazy instance signs with %s, eager with %s", lk.ID, ek.ID)
	}
}
