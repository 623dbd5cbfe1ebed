package smkeys_test

import (
	"bytes"
	"fmt"

	"github.com/deliverykit/podinfo/src/internal/smkeys"
)

// The secret value is a JSON object whose "key" is the HMAC key in
// standard base64.
func ExampleFormatSecret() {
	v, err := smkeys.FormatSecret(bytes.Repeat([]byte{0xab}, 32))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(v)
	// Output: {"key":"q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s="}
}

// Keys shorter than 32 bytes are refused; the error says why without
// quoting the value.
func ExampleParseSecret() {
	_, err := smkeys.ParseSecret(`{"key":"c2hvcnQ="}`)
	fmt.Println(err)
	// Output: secret value's "key" decodes to 5 bytes, fewer than the 32 an HS256 key needs; generate one with `openssl rand -base64 32`: want a SecretString of the form {"key":"<standard base64 of 32 to 1024 random bytes>"}
}
