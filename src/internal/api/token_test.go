package api

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/deliverykit/podinfo/src/internal/signingkey"
)

// rotatingKeys is a signingkey.Source whose keys a test changes, counting
// refreshes; pending keys become visible only on Refresh, as a cached
// Secrets Manager source behaves.
type rotatingKeys struct {
	mu        sync.Mutex
	keys      []signingkey.Key
	pending   []signingkey.Key
	refreshes int
	err       error
}

func (k *rotatingKeys) Signing(context.Context) (signingkey.Key, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.err != nil {
		return signingkey.Key{}, k.err
	}
	return k.keys[0], nil
}

func (k *rotatingKeys) Verification(context.Context) ([]signingkey.Key, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.err != nil {
		return nil, k.err
	}
	return append([]signingkey.Key(nil), k.keys...), nil
}

func (k *rotatingKeys) Refresh(context.Context) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.refreshes++
	if k.pending != nil {
		k.keys, k.pending = k.pending, nil
	}
	return nil
}

var (
	keyA = signingkey.Key{ID: "v1", Secret: []byte("key-A-0123456789abcdef0123456789")}
	keyB = signingkey.Key{ID: "v2", Secret: []byte("key-B-0123456789abcdef0123456789")}
	keyC = signingkey.Key{ID: "v3", Secret: []byte("key-C-0123456789abcdef0123456789")}
)

func issue(t *testing.T, ts *testServer, name string) TokenResponse {
	t.Helper()
	w := ts.do("POST", "/token", strings.NewReader(name))
	if w.Code != 200 {
		t.Fatalf("POST /token = %d %s", w.Code, w.Body)
	}
	return decode[TokenResponse](t, w)
}

func validate(ts *testServer, tok string) (int, string) {
	w := ts.do("GET", "/token/validate", nil, "Authorization", "Bearer "+tok)
	return w.Code, w.Body.String()
}

func TestTokenRoundTrip(t *testing.T) {
	ts := newTestServer(t, nil)
	before := time.Now()
	resp := issue(t, ts, "alice")
	if resp.ExpiresAt.Before(before.Add(TokenTTL-2*time.Second)) || resp.ExpiresAt.After(before.Add(TokenTTL+time.Second)) {
		t.Errorf("expires_at %s, want about %s from now", resp.ExpiresAt, TokenTTL)
	}
	claims := &TokenClaims{}
	tok, _, err := jwt.NewParser().ParseUnverified(resp.Token, claims)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Method.Alg() != "HS256" || tok.Header["kid"] != "dev" || claims.Name != "alice" || claims.Issuer != "podinfo" {
		t.Errorf("token header %v claims %+v", tok.Header, claims)
	}
	w := ts.do("GET", "/token/validate", nil, "Authorization", "Bearer "+resp.Token)
	if w.Code != 200 {
		t.Fatalf("validate = %d %s", w.Code, w.Body)
	}
	got := decode[TokenValidationResponse](t, w)
	if got.TokenName != "alice" || !got.ExpiresAt.Equal(resp.ExpiresAt) {
		t.Errorf("validation = %+v, want alice expiring %s", got, resp.ExpiresAt)
	}
	if anon := issue(t, ts, ""); anon.Token == "" {
		t.Error("empty body gave no token")
	} else if code, body := validate(ts, anon.Token); code != 200 || !strings.Contains(body, `"anonymous"`) {
		t.Errorf("anonymous token: %d %s", code, body)
	}
}

func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.Claims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTokenRejections(t *testing.T) {
	ts := newTestServer(t, nil)
	future := jwt.NewNumericDate(time.Now().Add(time.Hour))
	past := jwt.NewNumericDate(time.Now().Add(-time.Hour))
	good := func(c *TokenClaims) *TokenClaims { return c }
	tests := []struct {
		name   string
		header string
		reason string
	}{
		{name: "no header", header: "", reason: "authorization bearer header required"},
		{name: "basic auth", header: "Basic dXNlcjpwdw==", reason: "authorization bearer header required"},
		{name: "empty bearer", header: "Bearer ", reason: "authorization bearer header required"},
		{name: "malformed", header: "Bearer not-a-jwt", reason: "malformed token"},
		{name: "expired", header: "Bearer " + sign(t, jwt.SigningMethodHS256, devKey.Secret, good(&TokenClaims{Name: "x", RegisteredClaims: jwt.RegisteredClaims{Issuer: "podinfo", ExpiresAt: past}})), reason: "token expired"},
		{name: "wrong key", header: "Bearer " + sign(t, jwt.SigningMethodHS256, []byte("another-key-0123456789abcdef0123"), &TokenClaims{RegisteredClaims: jwt.RegisteredClaims{Issuer: "podinfo", ExpiresAt: future}}), reason: "signature does not match"},
		{name: "wrong issuer", header: "Bearer " + sign(t, jwt.SigningMethodHS256, devKey.Secret, &TokenClaims{RegisteredClaims: jwt.RegisteredClaims{Issuer: "evil", ExpiresAt: future}}), reason: "issuer is not podinfo"},
		{name: "no expiry", header: "Bearer " + sign(t, jwt.SigningMethodHS256, devKey.Secret, &TokenClaims{RegisteredClaims: jwt.RegisteredClaims{Issuer: "podinfo"}}), reason: "token has no expiry"},
		{name: "alg none", header: "Bearer " + sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, &TokenClaims{RegisteredClaims: jwt.RegisteredClaims{Issuer: "podinfo", ExpiresAt: future}}), reason: "signing method not allowed"},
		{name: "HS512", header: "Bearer " + sign(t, jwt.SigningMethodHS512, devKey.Secret, &TokenClaims{RegisteredClaims: jwt.RegisteredClaims{Issuer: "podinfo", ExpiresAt: future}}), reason: "signing method not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := ts.do("GET", "/token/validate", nil, "Authorization", tt.header)
			wantError(t, w, 401, tt.reason)
		})
	}
	for _, l := range ts.logs.lines(t) {
		for _, v := range l {
			if s, ok := v.(string); ok && strings.Contains(s, string(devKey.Secret)) {
				t.Errorf("log line holds the signing key: %v", l)
			}
		}
	}
}

// TestTokenAcrossRotation walks a rotation: tokens signed with the previous
// key stay valid, a token signed with a key this instance has not loaded
// yet validates after one refresh, and a key pushed out of AWSPREVIOUS is
// refused.
func TestTokenAcrossRotation(t *testing.T) {
	keys := &rotatingKeys{keys: []signingkey.Key{keyA}}
	ts := newTestServer(t, func(o *Options) { o.Keys = keys })
	oldTok := issue(t, ts, "before").Token

	// Another instance has already rotated to B and signed with it.
	keys.pending = []signingkey.Key{keyB, keyA}
	newTok := sign(t, jwt.SigningMethodHS256, keyB.Secret, &TokenClaims{Name: "after", RegisteredClaims: jwt.RegisteredClaims{Issuer: "podinfo", ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Minute))}})
	if code, body := validate(ts, newTok); code != 200 {
		t.Fatalf("token signed with the new key = %d %s, want 200 after a refresh", code, body)
	}
	if keys.refreshes != 1 {
		t.Errorf("refreshes = %d, want 1", keys.refreshes)
	}
	if code, body := validate(ts, oldTok); code != 200 {
		t.Errorf("token signed with the previous key = %d %s, want 200", code, body)
	}
	if keys.refreshes != 1 {
		t.Errorf("validating with AWSPREVIOUS refreshed: %d", keys.refreshes)
	}

	// A second rotation pushes A out.
	keys.pending = []signingkey.Key{keyC, keyB}
	keys.Refresh(context.Background())
	if code, body := validate(ts, oldTok); code != 401 || !strings.Contains(body, "signature does not match") {
		t.Errorf("token of a retired key = %d %s, want 401", code, body)
	}
	if code, _ := validate(ts, newTok); code != 200 {
		t.Errorf("token of AWSPREVIOUS after the second rotation = %d, want 200", code)
	}
	if tok := issue(t, ts, "c").Token; !strings.Contains(mustHeader(t, tok), "v3") {
		t.Errorf("new tokens are not signed with AWSCURRENT v3")
	}
}

func mustHeader(t *testing.T, tok string) string {
	t.Helper()
	parsed, _, err := jwt.NewParser().ParseUnverified(tok, &TokenClaims{})
	if err != nil {
		t.Fatal(err)
	}
	kid, _ := parsed.Header["kid"].(string)
	return kid
}

func TestTokenKeysUnavailable(t *testing.T) {
	keys := &rotatingKeys{keys: []signingkey.Key{keyA}, err: errors.New("secrets manager down")}
	ts := newTestServer(t, func(o *Options) { o.Keys = keys })
	wantError(t, ts.do("POST", "/token", strings.NewReader("a")), 503, "signing key unavailable")
	tok := sign(t, jwt.SigningMethodHS256, keyA.Secret, &TokenClaims{RegisteredClaims: jwt.RegisteredClaims{Issuer: "podinfo", ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Minute))}})
	wantError(t, ts.do("GET", "/token/validate", nil, "Authorization", "Bearer "+tok), 503, "verification keys unavailable")
}

func TestTokenNameTooLong(t *testing.T) {
	ts := newTestServer(t, nil)
	wantError(t, ts.do("POST", "/token", strings.NewReader(strings.Repeat("n", maxTokenName+1))), 400, "at most 4096")
}
