package rotation

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/google/go-cmp/cmp"

	"github.com/deliverykit/podinfo/src/internal/smfake"
	"github.com/deliverykit/podinfo/src/internal/smkeys"
)

var allSteps = []string{StepCreate, StepSet, StepTest, StepFinish}

// setup creates secret "jwt" with a valid first key and rotation enabled,
// and returns the fake, a rotator on the real SDK client, and the first
// version's ID.
func setup(t *testing.T) (*smfake.Server, *Rotator, string) {
	t.Helper()
	fake := smfake.New()
	t.Cleanup(fake.Close)
	v, err := smkeys.FormatSecret(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	id0 := fake.CreateSecret("jwt", v, true)
	r, err := New(fake.Client())
	if err != nil {
		t.Fatal(err)
	}
	return fake, r, id0
}

func begin(t *testing.T, fake *smfake.Server) string {
	t.Helper()
	token := smfake.NewToken()
	if err := fake.BeginRotation("jwt", token); err != nil {
		t.Fatal(err)
	}
	return token
}

func run(t *testing.T, r *Rotator, token, step string) {
	t.Helper()
	if err := r.Handle(context.Background(), Event{SecretID: "jwt", ClientRequestToken: token, Step: step}); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
}

func TestFourStepsInOrder(t *testing.T) {
	fake, r, id0 := setup(t)
	token := begin(t, fake)
	steps := []struct {
		step       string
		wantStages map[string][]string
		wantValue  bool // token's version holds a valid key afterwards
	}{
		{StepCreate, map[string][]string{id0: {"AWSCURRENT"}, token: {"AWSPENDING"}}, true},
		{StepSet, map[string][]string{id0: {"AWSCURRENT"}, token: {"AWSPENDING"}}, true},
		{StepTest, map[string][]string{id0: {"AWSCURRENT"}, token: {"AWSPENDING"}}, true},
		{StepFinish, map[string][]string{id0: {"AWSPREVIOUS"}, token: {"AWSCURRENT"}}, true},
	}
	for _, st := range steps {
		t.Run(st.step, func(t *testing.T) {
			run(t, r, token, st.step)
			if diff := cmp.Diff(st.wantStages, fake.Stages("jwt")); diff != "" {
				t.Errorf("stages after %s (-want +got):\n%s", st.step, diff)
			}
			v, ok := fake.Value("jwt", token)
			if !ok {
				t.Fatalf("version %s has no value after %s", token, st.step)
			}
			key, err := smkeys.ParseSecret(v)
			if err != nil {
				t.Fatalf("new version's value is not a valid key: %v", err)
			}
			if len(key) != DefaultKeyBytes {
				t.Errorf("new key is %d bytes, want %d", len(key), DefaultKeyBytes)
			}
		})
	}
}

// TestEveryStepRetried runs each step three times before the next, as
// Secrets Manager does when an invocation times out after it succeeded.
func TestEveryStepRetried(t *testing.T) {
	fake, r, id0 := setup(t)
	token := begin(t, fake)
	var firstValue string
	for _, step := range allSteps {
		for attempt := range 3 {
			run(t, r, token, step)
			v, _ := fake.Value("jwt", token)
			if firstValue == "" {
				firstValue = v
			}
			if v != firstValue {
				t.Fatalf("%s attempt %d changed the pending key", step, attempt+1)
			}
		}
	}
	want := map[string][]string{id0: {"AWSPREVIOUS"}, token: {"AWSCURRENT"}}
	if diff := cmp.Diff(want, fake.Stages("jwt")); diff != "" {
		t.Errorf("stages after retried rotation (-want +got):\n%s", diff)
	}
	if got := fake.Calls("PutSecretValue"); got != 1 {
		t.Errorf("PutSecretValue calls = %d, want 1", got)
	}
	if got := fake.Calls("UpdateSecretVersionStage"); got != 2 {
		t.Errorf("UpdateSecretVersionStage calls = %d, want 2 (move AWSCURRENT, drop AWSPENDING)", got)
	}
}

func TestCreateWhenPendingAlreadyHoldsAKey(t *testing.T) {
	fake, r, _ := setup(t)
	token := begin(t, fake)
	existing, _ := smkeys.FormatSecret(bytes.Repeat([]byte{9}, 40))
	if _, err := fake.Client().PutSecretValue(context.Background(), &secretsmanager.PutSecretValueInput{
		SecretId: aws.String("jwt"), ClientRequestToken: aws.String(token),
		SecretString: aws.String(existing), VersionStages: []string{"AWSPENDING"},
	}); err != nil {
		t.Fatal(err)
	}
	puts := fake.Calls("PutSecretValue")
	run(t, r, token, StepCreate)
	if got := fake.Calls("PutSecretValue"); got != puts {
		t.Errorf("createSecret called PutSecretValue although AWSPENDING held a key")
	}
	if v, _ := fake.Value("jwt", token); v != existing {
		t.Errorf("createSecret replaced the existing pending key")
	}
}

// TestCreateLosesRaceGracefully: the pending version is written by another
// attempt between createSecret's read and its PutSecretValue.
func TestCreateLosesRaceGracefully(t *testing.T) {
	fake, r, _ := setup(t)
	token := begin(t, fake)
	existing, _ := smkeys.FormatSecret(bytes.Repeat([]byte{5}, 32))
	if _, err := fake.Client().PutSecretValue(context.Background(), &secretsmanager.PutSecretValueInput{
		SecretId: aws.String("jwt"), ClientRequestToken: aws.String(token),
		SecretString: aws.String(existing), VersionStages: []string{"AWSPENDING"},
	}); err != nil {
		t.Fatal(err)
	}
	// Let the AWSCURRENT read through; the pending read sees "not found"
	// as it would have a moment earlier.
	fake.Fail("GetSecretValue", smfake.Fault{}, smfake.Fault{Code: "ResourceNotFoundException", Message: "Secrets Manager can't find the specified secret value for VersionId: " + token})
	run(t, r, token, StepCreate)
	if v, _ := fake.Value("jwt", token); v != existing {
		t.Errorf("createSecret replaced the key the other attempt stored")
	}
}

func TestFinishWhenAlreadyDone(t *testing.T) {
	tests := []struct {
		name        string
		prepare     func(t *testing.T, fake *smfake.Server, token, id0 string)
		wantUpdates int
	}{
		{
			name:        "fully finished",
			prepare:     func(t *testing.T, fake *smfake.Server, token, id0 string) {},
			wantUpdates: 0,
		},
		{
			// The first UpdateSecretVersionStage succeeded and the Lambda
			// died before the second: AWSCURRENT and AWSPENDING share the
			// token's version.
			name: "AWSPENDING left on the current version",
			prepare: func(t *testing.T, fake *smfake.Server, token, id0 string) {
				if _, err := fake.Client().UpdateSecretVersionStage(context.Background(), &secretsmanager.UpdateSecretVersionStageInput{
					SecretId: aws.String("jwt"), VersionStage: aws.String("AWSPENDING"), MoveToVersionId: aws.String(token),
				}); err != nil {
					t.Fatal(err)
				}
			},
			wantUpdates: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, r, id0 := setup(t)
			token := begin(t, fake)
			for _, step := range allSteps {
				run(t, r, token, step)
			}
			tt.prepare(t, fake, token, id0)
			before := fake.Calls("UpdateSecretVersionStage")
			run(t, r, token, StepFinish)
			if got := fake.Calls("UpdateSecretVersionStage") - before; got != tt.wantUpdates {
				t.Errorf("UpdateSecretVersionStage calls = %d, want %d", got, tt.wantUpdates)
			}
			want := map[string][]string{id0: {"AWSPREVIOUS"}, token: {"AWSCURRENT"}}
			if diff := cmp.Diff(want, fake.Stages("jwt")); diff != "" {
				t.Errorf("stages (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRejectedEvents(t *testing.T) {
	tests := []struct {
		name    string
		event   func(token, id0 string) Event
		setup   func(fake *smfake.Server)
		wantErr []string
	}{
		{
			name: "token is not a version of the secret",
			event: func(token, id0 string) Event {
				return Event{SecretID: "jwt", ClientRequestToken: smfake.NewToken(), Step: StepCreate}
			},
			wantErr: []string{`secret "jwt" has no version`, "ClientRequestToken"},
		},
		{
			name: "unknown step",
			event: func(token, id0 string) Event {
				return Event{SecretID: "jwt", ClientRequestToken: token, Step: "create_secret"}
			},
			wantErr: []string{`Step "create_secret" is not one of createSecret, setSecret, testSecret, finishSecret`},
		},
		{
			name:    "empty event",
			event:   func(token, id0 string) Event { return Event{} },
			wantErr: []string{"SecretId is empty", "ClientRequestToken is empty", `Step ""`},
		},
		{
			name: "secret does not exist",
			event: func(token, id0 string) Event {
				return Event{SecretID: "other", ClientRequestToken: token, Step: StepCreate}
			},
			wantErr: []string{`describing secret "other"`, "ResourceNotFoundException"},
		},
		{
			name: "rotation disabled",
			event: func(token, id0 string) Event {
				return Event{SecretID: "plain", ClientRequestToken: token, Step: StepCreate}
			},
			setup: func(fake *smfake.Server) {
				v, _ := smkeys.FormatSecret(bytes.Repeat([]byte{1}, 32))
				fake.CreateSecret("plain", v, false)
			},
			wantErr: []string{`secret "plain" does not have rotation enabled`},
		},
		{
			name: "access denied",
			event: func(token, id0 string) Event {
				return Event{SecretID: "jwt", ClientRequestToken: token, Step: StepCreate}
			},
			setup: func(fake *smfake.Server) {
				fake.Fail("DescribeSecret", smfake.Fault{Code: "AccessDeniedException", Message: "not authorized"})
			},
			wantErr: []string{"AccessDeniedException", "secretsmanager:DescribeSecret, GetSecretValue, PutSecretValue and UpdateSecretVersionStage"},
		},
		{
			name: "testSecret before createSecret",
			event: func(token, id0 string) Event {
				return Event{SecretID: "jwt", ClientRequestToken: token, Step: StepTest}
			},
			wantErr: []string{"testSecret: reading pending version", "did createSecret run?"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, r, id0 := setup(t)
			token := begin(t, fake)
			if tt.setup != nil {
				tt.setup(fake)
			}
			before := fake.Stages("jwt")
			err := r.Handle(context.Background(), tt.event(token, id0))
			if err == nil {
				t.Fatal("Handle succeeded, want an error")
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if diff := cmp.Diff(before, fake.Stages("jwt")); diff != "" {
				t.Errorf("a rejected event changed the secret (-before +after):\n%s", diff)
			}
		})
	}
}

func TestPreviousVersionIsNotRotatedIn(t *testing.T) {
	fake, r, id0 := setup(t)
	token := begin(t, fake)
	for _, step := range allSteps {
		run(t, r, token, step)
	}
	// id0 is now AWSPREVIOUS: replaying an event naming it must fail.
	err := r.Handle(context.Background(), Event{SecretID: "jwt", ClientRequestToken: id0, Step: StepFinish})
	if err == nil || !strings.Contains(err.Error(), "not AWSPENDING") {
		t.Errorf("finishSecret for the AWSPREVIOUS version: error %v, want one saying it is not AWSPENDING", err)
	}
}

func TestInvalidPendingValue(t *testing.T) {
	fake, r, _ := setup(t)
	token := begin(t, fake)
	if _, err := fake.Client().PutSecretValue(context.Background(), &secretsmanager.PutSecretValueInput{
		SecretId: aws.String("jwt"), ClientRequestToken: aws.String(token),
		SecretString: aws.String("not-a-key-at-all"), VersionStages: []string{"AWSPENDING"},
	}); err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{StepCreate, StepTest} {
		err := r.Handle(context.Background(), Event{SecretID: "jwt", ClientRequestToken: token, Step: step})
		if err == nil || !strings.Contains(err.Error(), "not a valid key") && !strings.Contains(err.Error(), `{"key":`) {
			t.Errorf("%s with an invalid pending value: error %v, want a key-format error", step, err)
		}
		if err != nil && strings.Contains(err.Error(), "not-a-key-at-all") {
			t.Errorf("%s error leaks the secret value: %v", step, err)
		}
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	fake := smfake.New()
	defer fake.Close()
	tests := []struct {
		name string
		api  API
		opts []Option
		want string
	}{
		{"nil client", nil, nil, "nil Secrets Manager client"},
		{"short key", fake.Client(), []Option{WithKeyBytes(16)}, "key size 16 bytes: want 32 to 1024"},
		{"zero timeout", fake.Client(), []Option{WithCallTimeout(0)}, "call timeout 0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.api, tt.opts...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func BenchmarkFullRotation(b *testing.B) {
	fake := smfake.New()
	defer fake.Close()
	v, _ := smkeys.FormatSecret(bytes.Repeat([]byte{7}, 32))
	fake.CreateSecret("jwt", v, true)
	r, err := New(fake.Client())
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		token := smfake.NewToken()
		if err := fake.BeginRotation("jwt", token); err != nil {
			b.Fatal(err)
		}
		for _, step := range allSteps {
			if err := r.Handle(ctx, Event{SecretID: "jwt", ClientRequestToken: token, Step: step}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestFirstRotationCreatesFirstKey: the secret is created without a value
// (iac/modules/secrets keeps key material out of Terraform), so the service
// cannot start until the first rotation gives it an AWSCURRENT key.
func TestFirstRotationCreatesFirstKey(t *testing.T) {
	fake := smfake.New()
	defer fake.Close()
	fake.CreateEmptySecret("jwt", true)
	r, err := New(fake.Client())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err = smkeys.New(ctx, fake.Client(), "jwt", smkeys.Options{})
	if err == nil || !strings.Contains(err.Error(), "check that the rotation function ran") {
		t.Fatalf("smkeys.New before the first rotation: error %v, want one pointing at the rotation function", err)
	}

	token := begin(t, fake)
	for _, step := range allSteps {
		run(t, r, token, step)
	}
	if diff := cmp.Diff(map[string][]string{token: {"AWSCURRENT"}}, fake.Stages("jwt")); diff != "" {
		t.Errorf("stages after the first rotation (-want +got):\n%s", diff)
	}
	src, err := smkeys.New(ctx, fake.Client(), "jwt", smkeys.Options{})
	if err != nil {
		t.Fatalf("smkeys.New after the first rotation: %v", err)
	}
	keys, _ := src.Verification(ctx)
	var got []string
	for _, k := range keys {
		got = append(got, k.ID)
	}
	if diff := cmp.Diff([]string{token}, got); diff != "" {
		t.Errorf("verification key IDs (-want +got):\n%s", diff)
	}
}
