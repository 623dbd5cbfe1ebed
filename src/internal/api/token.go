package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/deliverykit/podinfo/src/internal/signingkey"
)

// TokenIssuer is the iss claim of issued tokens, podinfo's.
const TokenIssuer = "podinfo"

// TokenTTL is how long an issued token is valid, podinfo's one minute.
const TokenTTL = time.Minute

// maxTokenName bounds the name claim (the POST /token body).
const maxTokenName = 4096

// TokenClaims are the claims of an issued token: name, iss and exp.
type TokenClaims struct {
	Name string `json:"name"`
	jwt.RegisteredClaims
}

// TokenResponse is the body of POST /token.
type TokenResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// TokenValidationResponse is the body of a successful GET /token/validate.
type TokenValidationResponse struct {
	TokenName string    `json:"token_name"`
	ExpiresAt time.Time `json:"expires_at"`
}

// tokenGenerate serves POST /token: the body is the token's name
// ("anonymous" when empty); answers an HS256 JWT signed with the current
// key, valid for TokenTTL, whose kid header names the key.
func (s *Server) tokenGenerate(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	if len(body) > maxTokenName {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("token name is %d bytes; at most %d allowed", len(body), maxTokenName))
		return
	}
	name := "anonymous"
	if len(body) > 0 {
		name = string(body)
	}
	key, err := s.opts.Keys.Signing(r.Context())
	if err != nil {
		s.logFor(r).WithError(err).Error("reading the token signing key failed")
		writeError(w, http.StatusServiceUnavailable, "token signing key unavailable")
		return
	}
	exp := time.Now().Add(TokenTTL).Truncate(time.Second)
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, TokenClaims{
		Name:             name,
		RegisteredClaims: jwt.RegisteredClaims{Issuer: TokenIssuer, ExpiresAt: jwt.NewNumericDate(exp)},
	})
	tok.Header["kid"] = key.ID
	signed, err := tok.SignedString(key.Secret)
	if err != nil {
		s.logFor(r).WithError(err).Error("signing a token failed")
		writeError(w, http.StatusInternalServerError, "signing the token failed")
		return
	}
	writeJSON(w, http.StatusOK, TokenResponse{Token: signed, ExpiresAt: exp.UTC()})
}

// tokenValidate serves GET /token/validate: checks the bearer token's HS256
// signature against every verification key (current, then previous during
// a rotation), its issuer and expiry. When no key's signature matches it
// refreshes the keys once and tries again, so a token signed right after a
// rotation validates on an instance that has not seen the new key yet.
// Failures answer 401 with the reason.
func (s *Server) tokenValidate(w http.ResponseWriter, r *http.Request) {
	raw, ok := bearer(r.Header.Get("Authorization"))
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="podinfo"`)
		writeError(w, http.StatusUnauthorized, "authorization bearer header required")
		return
	}
	claims, err := s.verify(r, raw)
	if errors.Is(err, jwt.ErrTokenSignatureInvalid) {
		if rerr := s.opts.Keys.Refresh(r.Context()); rerr != nil {
			s.logFor(r).WithError(rerr).Warn("refreshing the token keys after a signature mismatch failed")
		}
		claims, err = s.verify(r, raw)
	}
	if err != nil {
		var keyErr keyError
		if errors.As(err, &keyErr) {
			s.logFor(r).WithError(err).Error("reading the token verification keys failed")
			writeError(w, http.StatusServiceUnavailable, "token verification keys unavailable")
			return
		}
		reason := tokenReason(err)
		s.logFor(r).WithField("reason", reason).Info("token rejected")
		w.Header().Set("WWW-Authenticate", `Bearer realm="podinfo", error="invalid_token"`)
		writeError(w, http.StatusUnauthorized, "invalid token: "+reason)
		return
	}
	writeJSON(w, http.StatusOK, TokenValidationResponse{TokenName: claims.Name, ExpiresAt: claims.ExpiresAt.UTC()})
}

// errAlgorithm marks tokens signed with anything but HS256.
var errAlgorithm = errors.New("signing method not allowed")

type keyError struct{ error }

func (e keyError) Unwrap() error { return e.error }

// verify parses raw against each verification key, the one named by the
// token's kid first. It returns jwt.ErrTokenSignatureInvalid only when no
// key's signature matched.
func (s *Server) verify(r *http.Request, raw string) (*TokenClaims, error) {
	keys, err := s.opts.Keys.Verification(r.Context())
	if err != nil {
		return nil, keyError{fmt.Errorf("token verification keys: %w", err)}
	}
	if len(keys) == 0 {
		return nil, keyError{errors.New("token verification keys: the key source returned none")}
	}
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(TokenIssuer),
		jwt.WithExpirationRequired(),
	)
	// Read the header without trusting it: refuse other algorithms before
	// trying any key (so they never trigger a key refresh), and try the
	// key named by kid first.
	unverified, _, err := parser.ParseUnverified(raw, &TokenClaims{})
	if err != nil {
		return nil, err
	}
	if alg := unverified.Method.Alg(); alg != jwt.SigningMethodHS256.Alg() {
		return nil, fmt.Errorf("token signed with %q: %w", alg, errAlgorithm)
	}
	kid, _ := unverified.Header["kid"].(string)
	ordered := make([]signingkey.Key, 0, len(keys))
	for _, k := range keys {
		if k.ID == kid {
			ordered = append(ordered, k)
		}
	}
	for _, k := range keys {
		if k.ID != kid {
			ordered = append(ordered, k)
		}
	}
	var last error
	for _, k := range ordered {
		claims := &TokenClaims{}
		_, err := parser.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return k.Secret, nil })
		if err == nil {
			return claims, nil
		}
		last = err
		if !errors.Is(err, jwt.ErrTokenSignatureInvalid) {
			return nil, err // the signature matched (or never got checked): another key cannot help
		}
	}
	return nil, last
}

// bearer extracts the token from an "Authorization: Bearer <token>" value.
func bearer(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
	tok = strings.TrimSpace(tok)
	if !ok || !strings.EqualFold(scheme, "bearer") || tok == "" {
		return "", false
	}
	return tok, true
}

// tokenReason turns a jwt error into the reason a client is told.
func tokenReason(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "malformed token"
	case errors.Is(err, errAlgorithm), errors.Is(err, jwt.ErrTokenUnverifiable):
		return "signing method not allowed (want HS256)"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return "signature does not match any current key"
	case errors.Is(err, jwt.ErrTokenExpired):
		return "token expired"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return "token has no expiry"
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return "issuer is not " + TokenIssuer
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return "token not valid yet"
	}
	return "token rejected"
}
