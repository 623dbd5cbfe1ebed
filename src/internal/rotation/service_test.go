package rotation

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sirupsen/logrus"

	"github.com/deliverykit/podinfo/src/internal/api"
	"github.com/deliverykit/podinfo/src/internal/config"
	"github.com/deliverykit/podinfo/src/internal/health"
	"github.com/deliverykit/podinfo/src/internal/smfake"
	"github.com/deliverykit/podinfo/src/internal/smkeys"
)

// instance is one running copy of the service's router, on 127.0.0.1,
// reading its keys from the fake with smkeys.FromConfig.
type instance struct {
	url string
}

func startInstance(t *testing.T, ctx context.Context, fake *smfake.Server, secretID string) instance {
	t.Helper()
	cfg, err := config.Load(nil, nil, "test-host", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := smkeys.FromConfig(ctx, secretID, smkeys.Options{
		Endpoint: fake.URL(), Refresh: time.Hour, MinRefreshInterval: time.Nanosecond,
	})
	if err != nil {
		t.Fatalf("smkeys.FromConfig: %v", err)
	}
	log := logrus.New()
	log.SetOutput(io.Discard)
	srv, err := api.New(api.Options{Config: cfg, Log: log, State: health.New(true, true), Keys: keys, Target: api.TargetEC2})
	if err != nil {
		t.Fatalf("api.New: %v", err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return instance{url: hs.URL}
}

func (in instance) issue(t *testing.T, name string) string {
	t.Helper()
	resp, err := http.Post(in.url+"/token", "text/plain", strings.NewReader(name))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tr api.TokenResponse
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /token: status %d, decode error %v", resp.StatusCode, err)
	}
	return tr.Token
}

// validate answers "<status> <token_name or error message>".
func (in instance) validate(t *testing.T, token string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, in.url+"/token/validate", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		TokenName string `json:"token_name"`
		Message   string `json:"message"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("GET /token/validate: decoding body: %v", err)
	}
	return strings.TrimSpace(http.StatusText(resp.StatusCode) + " " + body.TokenName + body.Message)
}

// TestServiceTokensAcrossRotations runs the service's router (POST /token,
// GET /token/validate) on keys from the fake while the rotation Lambda's
// four steps rotate the secret twice. Instance "old" started before any
// rotation and is never told about them: it learns new keys only by
// refreshing when a token's signature matches none of its keys.
func TestServiceTokensAcrossRotations(t *testing.T) {
	fake, r, _ := setup(t)
	smfake.SetEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rotate := func() {
		token := begin(t, fake)
		for _, step := range allSteps {
			run(t, r, token, step)
		}
	}

	old := startInstance(t, ctx, fake, "jwt")
	tokens := map[string]string{"gen0": old.issue(t, "gen0")}

	rotate()
	gen1 := startInstance(t, ctx, fake, "jwt") // a fresh instance signs with the new key
	tokens["gen1"] = gen1.issue(t, "gen1")

	rotate()
	gen2 := startInstance(t, ctx, fake, "jwt")
	tokens["gen2"] = gen2.issue(t, "gen2")

	tests := []struct {
		instance instance
		name     string
		token    string
		want     string
	}{
		// After two rotations, gen0's key is neither AWSCURRENT nor
		// AWSPREVIOUS: the newest instance rejects it.
		{gen2, "newest instance", "gen2", "OK gen2"},
		{gen2, "newest instance", "gen1", "OK gen1"},
		{gen2, "newest instance", "gen0", "Unauthorized invalid token: signature does not match any current key"},
		// The instance started before both rotations refreshes on the
		// first unknown signature, then agrees with the newest one.
		{old, "oldest instance", "gen2", "OK gen2"},
		{old, "oldest instance", "gen1", "OK gen1"},
		{old, "oldest instance", "gen0", "Unauthorized invalid token: signature does not match any current key"},
		{gen1, "middle instance", "gen2", "OK gen2"},
		{gen1, "middle instance", "gen0", "Unauthorized invalid token: signature does not match any current key"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" validates "+tt.token, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.instance.validate(t, tokens[tt.token])); diff != "" {
				t.Errorf("GET /token/validate (-want +got):\n%s", diff)
			}
		})
	}
}

// TestServiceTokenSurvivesOneRotation: a token issued just before a
// rotation keeps validating after it, on the instance that issued it and
// on one started after the rotation.
func TestServiceTokenSurvivesOneRotation(t *testing.T) {
	fake, r, _ := setup(t)
	smfake.SetEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	before := startInstance(t, ctx, fake, "jwt")
	tok := before.issue(t, "alice")

	token := begin(t, fake)
	for _, step := range allSteps {
		run(t, r, token, step)
	}
	after := startInstance(t, ctx, fake, "jwt")
	for name, in := range map[string]instance{"issuing instance": before, "instance started after the rotation": after} {
		if diff := cmp.Diff("OK alice", in.validate(t, tok)); diff != "" {
			t.Errorf("%s: GET /token/validate (-want +got):\n%s", name, diff)
		}
	}
}
