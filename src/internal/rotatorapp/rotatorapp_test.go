package rotatorapp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/google/go-cmp/cmp"

	"github.com/deliverykit/podinfo/src/internal/smfake"
	"github.com/deliverykit/podinfo/src/internal/smkeys"
)

func TestRunRefusesOutsideLambda(t *testing.T) {
	var out bytes.Buffer
	started := false
	code := Run(context.Background(), func(string) string { return "" }, &out, func(any) { started = true })
	if code != 2 || started {
		t.Errorf("run without AWS_LAMBDA_RUNTIME_API: code %d, started %v; want 2, false", code, started)
	}
	if !strings.Contains(out.String(), "AWS_LAMBDA_RUNTIME_API is not set") {
		t.Errorf("log %q does not say why", out.String())
	}
}

// TestRotationThroughLambdaPayloads starts the program as Lambda would,
// then feeds the handler it registered the JSON payloads Secrets Manager
// sends, through aws-lambda-go's own payload decoding.
func TestRotationThroughLambdaPayloads(t *testing.T) {
	fake := smfake.New()
	defer fake.Close()
	smfake.SetEnv(t)
	t.Setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", fake.URL())
	first, _ := smkeys.FormatSecret(bytes.Repeat([]byte{3}, 32))
	id0 := fake.CreateSecret("podinfo/jwt", first, true)
	token := smfake.NewToken()
	if err := fake.BeginRotation("podinfo/jwt", token); err != nil {
		t.Fatal(err)
	}

	var logs bytes.Buffer
	var registered any
	code := Run(context.Background(), func(k string) string {
		if k == "AWS_LAMBDA_RUNTIME_API" {
			return "127.0.0.1:9001"
		}
		return os.Getenv(k)
	}, &logs, func(h any) { registered = h })
	if code != 0 || registered == nil {
		t.Fatalf("run: code %d, handler registered %v; logs:\n%s", code, registered != nil, logs.String())
	}
	h := lambda.NewHandler(registered)

	for _, step := range []string{"createSecret", "setSecret", "testSecret", "finishSecret"} {
		payload := fmt.Sprintf(`{"Step":%q,"SecretId":%q,"ClientRequestToken":%q,"RotationToken":"rot-token-not-to-be-logged"}`,
			step, fake.ARN("podinfo/jwt"), token)
		if _, err := h.Invoke(context.Background(), []byte(payload)); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	want := map[string][]string{id0: {"AWSPREVIOUS"}, token: {"AWSCURRENT"}}
	if diff := cmp.Diff(want, fake.Stages("podinfo/jwt")); diff != "" {
		t.Errorf("stages after rotation (-want +got):\n%s", diff)
	}

	// Bad payloads fail the invocation without crashing the process.
	for _, bad := range []string{`{"Step":"createSecret"`, `{"Step":"dropSecret","SecretId":"podinfo/jwt","ClientRequestToken":"x"}`, `[]`} {
		if _, err := h.Invoke(context.Background(), []byte(bad)); err == nil {
			t.Errorf("payload %s: invocation succeeded, want an error", bad)
		}
	}

	newValue, _ := fake.Value("podinfo/jwt", token)
	var sv struct{ Key string }
	if err := json.Unmarshal([]byte(newValue), &sv); err != nil || sv.Key == "" {
		t.Fatalf("new version value is not the key format: %v", err)
	}
	for _, secret := range []string{sv.Key, "rot-token-not-to-be-logged", "AwMDAwMD"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("logs contain secret material %q", secret)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var entry map[string]any
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Errorf("log line is not JSON: %q", line)
		}
	}
	if !strings.Contains(logs.String(), `"step":"finishSecret"`) {
		t.Errorf("logs do not record the finishSecret step:\n%s", logs.String())
	}
}
