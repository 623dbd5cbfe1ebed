package smkeys

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
)

// Key sizes accepted in a secret value. HS256 needs at least as many key
// bytes as its 32-byte output (RFC 7518 section 3.2); anything over
// MaxKeyBytes is a mistake (a pasted file, not a key).
const (
	MinKeyBytes = 32
	MaxKeyBytes = 1024
)

// ErrFormat is wrapped by every error ParseSecret returns, so callers can
// tell a malformed secret from an AWS failure.
var ErrFormat = errors.New(`want a SecretString of the form {"key":"<standard base64 of 32 to 1024 random bytes>"}`)

// secretValue is the JSON document stored in the secret's SecretString.
type secretValue struct {
	Key string `json:"key"`
}

// ParseSecret decodes a secret value: a JSON object with one field, "key",
// holding the HMAC key in standard base64 (padding optional), between
// MinKeyBytes and MaxKeyBytes once decoded. Errors never contain any part
// of the value.
func ParseSecret(value string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(value)))
	dec.DisallowUnknownFields()
	var sv secretValue
	if err := dec.Decode(&sv); err != nil {
		// The decoder's message may quote the input, so it is not wrapped.
		return nil, fmt.Errorf("secret value is not that JSON object (or has fields other than \"key\"): %w", ErrFormat)
	}
	if dec.More() {
		return nil, fmt.Errorf("secret value has data after the JSON object: %w", ErrFormat)
	}
	if sv.Key == "" {
		return nil, fmt.Errorf("secret value has no \"key\" field or it is empty: %w", ErrFormat)
	}
	key, err := base64.StdEncoding.DecodeString(sv.Key)
	if err != nil {
		key, err = base64.RawStdEncoding.DecodeString(sv.Key)
	}
	if err != nil {
		return nil, fmt.Errorf("secret value's \"key\" is not standard base64 (%d characters): %w", len(sv.Key), ErrFormat)
	}
	switch {
	case len(key) < MinKeyBytes:
		return nil, fmt.Errorf("secret value's \"key\" decodes to %d bytes, fewer than the %d an HS256 key needs; generate one with `openssl rand -base64 32`: %w", len(key), MinKeyBytes, ErrFormat)
	case len(key) > MaxKeyBytes:
		return nil, fmt.Errorf("secret value's \"key\" decodes to %d bytes, more than %d: %w", len(key), MaxKeyBytes, ErrFormat)
	}
	return key, nil
}

// FormatSecret encodes key as the secret value ParseSecret reads.
func FormatSecret(key []byte) (string, error) {
	if len(key) < MinKeyBytes || len(key) > MaxKeyBytes {
		return "", fmt.Errorf("format secret: key is %d bytes, want %d to %d", len(key), MinKeyBytes, MaxKeyBytes)
	}
	b, err := json.Marshal(secretValue{Key: base64.StdEncoding.EncodeToString(key)})
	if err != nil {
		return "", fmt.Errorf("format secret: %w", err)
	}
	return string(b), nil
}
