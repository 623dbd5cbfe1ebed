package smkeys

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/google/go-cmp/cmp"

	"github.com/deliverykit/podinfo/src/internal/signingkey"
	"github.com/deliverykit/podinfo/src/internal/smfake"
)

func newKeyValue(t testing.TB) ([]byte, string) {
	t.Helper()
	key := make([]byte, 32)
	rand.Read(key)
	v, err := FormatSecret(key)
	if err != nil {
		t.Fatal(err)
	}
	return key, v
}

// rotate makes a new AWSCURRENT version directly (as a manual
// PutSecretValue would); the rotation package's tests drive the real
// four-step rotation.
func rotate(t testing.TB, fake *smfake.Server, name string) (string, []byte) {
	t.Helper()
	key, v := newKeyValue(t)
	out, err := fake.Client().PutSecretValue(context.Background(), &secretsmanager.PutSecretValueInput{
		SecretId: aws.String(name), SecretString: aws.String(v), ClientRequestToken: aws.String(smfake.NewToken()),
	})
	if err != nil {
		t.Fatalf("rotating %s: %v", name, err)
	}
	return aws.ToString(out.VersionId), key
}

func ids(keys []signingkey.Key) []string {
	var out []string
	for _, k := range keys {
		out = append(out, k.ID)
	}
	return out
}

// fingerprints compares keys by ID and a SHA-256 prefix of the key
// material, so a failing diff never prints key bytes.
var fingerprints = cmp.Transformer("fingerprint", func(k signingkey.Key) struct{ ID, SHA256 string } {
	sum := sha256.Sum256(k.Secret)
	return struct{ ID, SHA256 string }{k.ID, hex.EncodeToString(sum[:6])}
})

// fakeClock is a settable clock for the rate limiter.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestFromConfigReadsCurrentAndPrevious(t *testing.T) {
	fake := smfake.New()
	defer fake.Close()
	smfake.SetEnv(t)
	key0, v0 := newKeyValue(t)
	id0 := fake.CreateSecret("jwt", v0, true)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src, err := FromConfig(ctx, "jwt", Options{Endpoint: fake.URL(), Refresh: time.Hour, MinRefreshInterval: time.Nanosecond})
	if err != nil {
		t.Fatalf("FromConfig: %v", err)
	}
	got, err := src.Signing(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(signingkey.Key{ID: id0, Secret: key0}, got, fingerprints); diff != "" {
		t.Errorf("Signing (-want +got):\n%s", diff)
	}

	id1, key1 := rotate(t, fake, "jwt")
	if err := src.Refresh(ctx); err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	keys, err := src.Verification(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []signingkey.Key{{ID: id1, Secret: key1}, {ID: id0, Secret: key0}}
	if diff := cmp.Diff(want, keys, fingerprints); diff != "" {
		t.Errorf("Verification after rotation (-want +got):\n%s", diff)
	}
}

func TestFromConfigUsesRegionOfARN(t *testing.T) {
	fake := smfake.New()
	defer fake.Close()
	smfake.SetEnv(t)
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	_, v := newKeyValue(t)
	id := fake.CreateSecret("jwt", v, false)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src, err := FromConfig(ctx, fake.ARN("jwt"), Options{Endpoint: fake.URL()})
	if err != nil {
		t.Fatalf("FromConfig with ARN and no region: %v", err)
	}
	k, _ := src.Signing(ctx)
	if k.ID != id {
		t.Errorf("Signing key ID = %q, want %q", k.ID, id)
	}

	_, err = FromConfig(ctx, "jwt", Options{Endpoint: fake.URL()})
	if err == nil || !strings.Contains(err.Error(), "set AWS_REGION") {
		t.Errorf("FromConfig with a name and no region: error %v, want one asking for AWS_REGION", err)
	}
}

func TestStartupErrors(t *testing.T) {
	// base64 of the 31 bytes "0123456789abcdef0123456789abcde".
	shortValue := `{"key":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZQ=="}`
	tests := []struct {
		name     string
		secretID string
		value    string // value of secret "jwt"
		opts     Options
		faults   []smfake.Fault
		want     []string // substrings of the error
		notWant  []string // must not appear (key material)
		format   bool     // errors.Is(err, ErrFormat)

		noCredentials bool
	}{
		{
			name: "missing secret", secretID: "nope",
			want: []string{`"nope"`, "--jwt-secret-id", "AWS_REGION", "ResourceNotFoundException"},
		},
		{
			name: "access denied", secretID: "jwt",
			faults: []smfake.Fault{{Code: "AccessDeniedException", Message: "User is not authorized to perform: secretsmanager:GetSecretValue"}},
			want:   []string{`"jwt"`, "grant secretsmanager:GetSecretValue", "IAM role"},
		},
		{
			name: "kms decrypt", secretID: "jwt",
			faults: []smfake.Fault{{Code: "DecryptionFailure", Message: "access to KMS is not allowed"}},
			want:   []string{`"jwt"`, "kms:Decrypt"},
		},
		{
			name: "key too short", secretID: "jwt", value: shortValue,
			want:    []string{`"jwt"`, "31 bytes", "fewer than the 32"},
			notWant: []string{"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZQ", "0123456789abcdef"},
			format:  true,
		},
		{
			name: "raw string instead of JSON", secretID: "jwt", value: "hunter2hunter2hunter2hunter2hunter2",
			want: []string{`"jwt"`, `{"key":`}, notWant: []string{"hunter2"}, format: true,
		},
		{
			name: "no credentials", secretID: "jwt", noCredentials: true,
			want: []string{`"jwt"`, "no usable AWS credentials", "IAM role"},
		},
		{
			name: "empty secret ID", secretID: "",
			want: []string{"secret ID is empty"},
		},
		{
			name: "bad endpoint", secretID: "jwt", opts: Options{Endpoint: "localhost:4566"},
			want: []string{`Endpoint "localhost:4566"`, "http(s) URL"},
		},
		{
			name: "negative refresh", secretID: "jwt", opts: Options{Refresh: -time.Second},
			want: []string{"Refresh is -1s"},
		},
		{
			name: "min refresh interval above refresh", secretID: "jwt", opts: Options{Refresh: time.Second, MinRefreshInterval: time.Minute},
			want: []string{"MinRefreshInterval 1m0s is longer than Refresh 1s"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := smfake.New()
			defer fake.Close()
			smfake.SetEnv(t)
			if tt.noCredentials {
				t.Setenv("AWS_ACCESS_KEY_ID", "")
				t.Setenv("AWS_SECRET_ACCESS_KEY", "")
			}
			value := tt.value
			if value == "" {
				_, value = newKeyValue(t)
			}
			fake.CreateSecret("jwt", value, false)
			fake.Fail("GetSecretValue", tt.faults...)
			opts := tt.opts
			if opts.Endpoint == "" {
				opts.Endpoint = fake.URL()
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			_, err := FromConfig(ctx, tt.secretID, opts)
			if err == nil {
				t.Fatal("FromConfig succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			for _, nw := range tt.notWant {
				if strings.Contains(err.Error(), nw) {
					t.Errorf("error %q leaks %q", err, nw)
				}
			}
			if got := errors.Is(err, ErrFormat); got != tt.format {
				t.Errorf("errors.Is(err, ErrFormat) = %v, want %v", got, tt.format)
			}
		})
	}
}

func TestRefreshIsRateLimited(t *testing.T) {
	fake := smfake.New()
	defer fake.Close()
	_, v := newKeyValue(t)
	fake.CreateSecret("jwt", v, true)
	clock := &fakeClock{t: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src, err := newSource(ctx, fake.Client(), "jwt", Options{Refresh: time.Hour, MinRefreshInterval: 10 * time.Second}, clock.now)
	if err != nil {
		t.Fatal(err)
	}
	// Each read is two GetSecretValue calls (AWSCURRENT, AWSPREVIOUS).
	steps := []struct {
		name      string
		advance   time.Duration
		refreshes int
		wantCalls int
	}{
		{"start-up read", 0, 0, 2},
		{"burst right after start-up is absorbed", time.Second, 100, 2},
		{"still inside the interval", 8 * time.Second, 50, 2},
		{"interval elapsed: one read for the whole burst", 2 * time.Second, 100, 4},
		{"next interval", 10 * time.Second, 1, 6},
	}
	for _, st := range steps {
		clock.advance(st.advance)
		var wg sync.WaitGroup
		for range st.refreshes {
			wg.Go(func() {
				if err := src.Refresh(ctx); err != nil {
					t.Errorf("Refresh: %v", err)
				}
			})
		}
		wg.Wait()
		if got := fake.Calls("GetSecretValue"); got != st.wantCalls {
			t.Errorf("%s: GetSecretValue calls = %d, want %d", st.name, got, st.wantCalls)
		}
	}
}

func TestRefreshFailureKeepsCachedKeys(t *testing.T) {
	fake := smfake.New()
	defer fake.Close()
	key0, v0 := newKeyValue(t)
	id0 := fake.CreateSecret("jwt", v0, true)
	clock := &fakeClock{t: time.Now()}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src, err := newSource(ctx, fake.Client(), "jwt", Options{Refresh: time.Hour, MinRefreshInterval: time.Second}, clock.now)
	if err != nil {
		t.Fatal(err)
	}
	rotate(t, fake, "jwt")
	fake.Fail("GetSecretValue", smfake.Fault{Code: "InternalServiceError", Message: "boom", Status: 500},
		smfake.Fault{Code: "InternalServiceError", Message: "boom", Status: 500},
		smfake.Fault{Code: "InternalServiceError", Message: "boom", Status: 500})
	clock.advance(2 * time.Second)
	err = src.Refresh(ctx)
	if err == nil || !strings.Contains(err.Error(), `secret "jwt"`) {
		t.Fatalf("Refresh during an outage: error %v, want one naming the secret", err)
	}
	if got := fake.Calls("GetSecretValue"); got != 2+DefaultMaxAttempts {
		t.Errorf("GetSecretValue calls = %d, want %d (start-up read, then one call retried by the SDK)", got, 2+DefaultMaxAttempts)
	}
	got, _ := src.Signing(ctx)
	if diff := cmp.Diff(signingkey.Key{ID: id0, Secret: key0}, got, fingerprints); diff != "" {
		t.Errorf("Signing after a failed refresh (-want +got):\n%s", diff)
	}
}

func TestScheduledRefreshPicksUpNewCurrentAndStops(t *testing.T) {
	fake := smfake.New()
	defer fake.Close()
	_, v0 := newKeyValue(t)
	id0 := fake.CreateSecret("jwt", v0, true)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src, err := New(ctx, fake.Client(), "jwt", Options{Refresh: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	id1, _ := rotate(t, fake, "jwt")
	deadline := time.Now().Add(10 * time.Second)
	for {
		keys, _ := src.Verification(ctx)
		if cmp.Equal([]string{id1, id0}, ids(keys)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("background refresh never picked up the new AWSCURRENT: keys %v, want [%s %s]", ids(keys), id1, id0)
		}
		time.Sleep(5 * time.Millisecond)
	}

	cancel()
	select {
	case <-src.Stopped():
	case <-time.After(10 * time.Second):
		t.Fatal("refresh loop still running after its context was cancelled")
	}
	before := fake.Calls("GetSecretValue")
	time.Sleep(100 * time.Millisecond) // five periods
	if after := fake.Calls("GetSecretValue"); after != before {
		t.Errorf("GetSecretValue calls went from %d to %d after the loop stopped", before, after)
	}
}

func TestStaleCacheIsRefreshedOnUse(t *testing.T) {
	fake := smfake.New()
	defer fake.Close()
	_, v0 := newKeyValue(t)
	fake.CreateSecret("jwt", v0, true)
	clock := &fakeClock{t: time.Now()}
	ctx, cancel := context.WithCancel(context.Background())
	// The loop is stopped at once, standing in for a frozen Lambda
	// environment: only the on-use check can refresh.
	src, err := newSource(ctx, fake.Client(), "jwt", Options{Refresh: time.Minute}, clock.now)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	<-src.Stopped()
	id1, _ := rotate(t, fake, "jwt")

	clock.advance(time.Minute)
	if k, _ := src.Signing(context.Background()); k.ID == id1 {
		t.Fatalf("key refreshed after one period; the on-use check should wait for two")
	}
	clock.advance(90 * time.Second)
	if k, _ := src.Signing(context.Background()); k.ID != id1 {
		t.Errorf("Signing key %q after 2.5 periods without refresh, want the new AWSCURRENT %q", k.ID, id1)
	}
}

func TestNoPreviousBeforeFirstRotation(t *testing.T) {
	fake := smfake.New()
	defer fake.Close()
	_, v0 := newKeyValue(t)
	id0 := fake.CreateSecret("jwt", v0, false)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src, err := New(ctx, fake.Client(), "jwt", Options{})
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := src.Verification(ctx)
	if diff := cmp.Diff([]string{id0}, ids(keys)); diff != "" {
		t.Errorf("Verification key IDs (-want +got):\n%s", diff)
	}
}

func TestMalformedPreviousIsSkippedAndReported(t *testing.T) {
	fake := smfake.New()
	defer fake.Close()
	fake.CreateSecret("jwt", "legacy-raw-value-that-is-not-json", true)
	id1, _ := rotate(t, fake, "jwt")
	var mu sync.Mutex
	var reported []error
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src, err := New(ctx, fake.Client(), "jwt", Options{OnRefreshError: func(err error) {
		mu.Lock()
		defer mu.Unlock()
		reported = append(reported, err)
	}})
	if err != nil {
		t.Fatalf("New with a malformed AWSPREVIOUS: %v", err)
	}
	keys, _ := src.Verification(ctx)
	if diff := cmp.Diff([]string{id1}, ids(keys)); diff != "" {
		t.Errorf("Verification key IDs (-want +got):\n%s", diff)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reported) != 1 || !errors.Is(reported[0], ErrFormat) || !strings.Contains(reported[0].Error(), "AWSPREVIOUS") {
		t.Errorf("reported errors %v, want one format error about AWSPREVIOUS", reported)
	}
	for _, e := range reported {
		if strings.Contains(e.Error(), "legacy-raw-value") {
			t.Errorf("reported error leaks the secret value: %v", e)
		}
	}
}

func TestParseSecret(t *testing.T) {
	k32 := bytes.Repeat([]byte{0xab}, 32)
	k64 := bytes.Repeat([]byte{0x01}, 64)
	tests := []struct {
		name    string
		value   string
		want    []byte
		wantErr string
	}{
		{"32 bytes padded", `{"key":"q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s="}`, k32, ""},
		{"32 bytes unpadded", `{"key":"q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s"}`, k32, ""},
		{"64 bytes with whitespace", " {\n \"key\": \"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ==\"\n}\n", k64, ""},
		{"30 bytes", `{"key":"q6urq6urq6urq6urq6urq6urq6urq6urq6urq6ur"}`, nil, "decodes to 30 bytes"},
		{"empty key", `{"key":""}`, nil, `no "key" field`},
		{"missing key", `{}`, nil, `no "key" field`},
		{"unknown field", `{"key":"q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=","alg":"HS256"}`, nil, "fields other than"},
		{"not JSON", `q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=`, nil, "not that JSON object"},
		{"JSON array", `["q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s="]`, nil, "not that JSON object"},
		{"URL-safe base64", `{"key":"q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6-_"}`, nil, "not standard base64"},
		{"trailing data", `{"key":"q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s="}{}`, nil, "data after"},
		{"too long", `{"key":"` + strings.Repeat("AAAA", 342) + `"}`, nil, "more than 1024"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSecret(tt.value)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrFormat) {
					t.Fatalf("ParseSecret error %v, want a format error containing %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "q6ur") || strings.Contains(err.Error(), "AAAA") {
					t.Errorf("error leaks key material: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseSecret: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("key (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFormatSecretRoundTrip(t *testing.T) {
	for _, n := range []int{MinKeyBytes, 48, MaxKeyBytes} {
		key := make([]byte, n)
		rand.Read(key)
		v, err := FormatSecret(key)
		if err != nil {
			t.Fatalf("FormatSecret(%d bytes): %v", n, err)
		}
		got, err := ParseSecret(v)
		if err != nil {
			t.Fatalf("ParseSecret(FormatSecret(%d bytes)): %v", n, err)
		}
		if diff := cmp.Diff(key, got); diff != "" {
			t.Errorf("round trip of %d bytes (-want +got):\n%s", n, diff)
		}
	}
	for _, n := range []int{0, MinKeyBytes - 1, MaxKeyBytes + 1} {
		if _, err := FormatSecret(make([]byte, n)); err == nil {
			t.Errorf("FormatSecret(%d bytes) succeeded, want an error", n)
		}
	}
}

func FuzzParseSecret(f *testing.F) {
	for _, s := range []string{
		`{"key":"q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s="}`,
		`{"key":"q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s"}`,
		`{"key":""}`, `{}`, `null`, `"key"`, `{"key":1}`, `{"KEY":"AAAA"}`,
		`{"key":"q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s="} x`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		key, err := ParseSecret(value)
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v does not wrap ErrFormat", err)
			}
			return
		}
		if len(key) < MinKeyBytes || len(key) > MaxKeyBytes {
			t.Fatalf("accepted a %d-byte key", len(key))
		}
		v, err := FormatSecret(key)
		if err != nil {
			t.Fatalf("FormatSecret of an accepted key: %v", err)
		}
		again, err := ParseSecret(v)
		if err != nil || !bytes.Equal(again, key) {
			t.Fatalf("round trip changed the key (err %v)", err)
		}
	})
}

func BenchmarkSigning(b *testing.B) {
	src := benchSource(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := src.Signing(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerification(b *testing.B) {
	src := benchSource(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := src.Verification(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRefreshRoundTrip measures one uncached read of the secret (two
// GetSecretValue calls through the real SDK to the local fake).
func BenchmarkRefreshRoundTrip(b *testing.B) {
	fake := smfake.New()
	defer fake.Close()
	_, v := newKeyValue(b)
	fake.CreateSecret("jwt", v, true)
	rotate(b, fake, "jwt")
	clock := &fakeClock{t: time.Now()}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src, err := newSource(ctx, fake.Client(), "jwt", Options{Refresh: time.Hour, MinRefreshInterval: time.Second}, clock.now)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		clock.advance(time.Second)
		if err := src.Refresh(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseSecret(b *testing.B) {
	_, v := newKeyValue(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseSecret(v); err != nil {
			b.Fatal(err)
		}
	}
}

func benchSource(b *testing.B) *Source {
	fake := smfake.New()
	b.Cleanup(fake.Close)
	_, v := newKeyValue(b)
	fake.CreateSecret("jwt", v, true)
	rotate(b, fake, "jwt")
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	src, err := New(ctx, fake.Client(), "jwt", Options{Refresh: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	return src
}

// rotatingAPI rotates the secret right after the first AWSCURRENT read it
// serves: a rotation landing between the two reads of one refresh.
type rotatingAPI struct {
	API
	once   sync.Once
	rotate func()
}

func (r *rotatingAPI) GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	out, err := r.API.GetSecretValue(ctx, in, optFns...)
	if aws.ToString(in.VersionStage) == StageCurrent {
		r.once.Do(r.rotate)
	}
	return out, err
}

// TestRotationBetweenReads: the read sees the old AWSCURRENT and then, as
// AWSPREVIOUS, the same version. It keeps that key (which other instances
// still sign with and all accept) and learns the new one on the next
// Refresh, as a token signed with it would trigger.
func TestRotationBetweenReads(t *testing.T) {
	fake := smfake.New()
	defer fake.Close()
	_, v0 := newKeyValue(t)
	id0 := fake.CreateSecret("jwt", v0, true)
	var id1 string
	api := &rotatingAPI{API: fake.Client(), rotate: func() { id1, _ = rotate(t, fake, "jwt") }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src, err := New(ctx, api, "jwt", Options{Refresh: time.Hour, MinRefreshInterval: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := src.Verification(ctx)
	if diff := cmp.Diff([]string{id0}, ids(keys)); diff != "" {
		t.Errorf("keys after a read split by a rotation (-want +got):\n%s", diff)
	}
	if err := src.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	keys, _ = src.Verification(ctx)
	if diff := cmp.Diff([]string{id1, id0}, ids(keys)); diff != "" {
		t.Errorf("keys after the next Refresh (-want +got):\n%s", diff)
	}
}
