package smfake

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
)

// TestStagingRules checks the fake enforces Secrets Manager's version and
// label rules through the real SDK, so tests built on it cannot pass
// against rules the service would refuse.
func TestStagingRules(t *testing.T) {
	ctx := context.Background()
	s := New()
	defer s.Close()
	c := s.Client()
	v0 := s.CreateSecret("app", "v0", true)
	v1, v2 := NewToken(), NewToken()

	type step struct {
		name     string
		do       func() error
		wantCode string // AWS error code, "" for success
		want     map[string][]string
	}
	steps := []step{
		{"placeholder from RotateSecret", func() error { return s.BeginRotation("app", v1) }, "",
			map[string][]string{v0: {"AWSCURRENT"}, v1: {"AWSPENDING"}}},
		{"placeholder has no value", func() error {
			_, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("app"), VersionId: aws.String(v1), VersionStage: aws.String("AWSPENDING")})
			return err
		}, "ResourceNotFoundException", map[string][]string{v0: {"AWSCURRENT"}, v1: {"AWSPENDING"}}},
		{"put fills the placeholder", func() error {
			_, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("app"), ClientRequestToken: aws.String(v1), SecretString: aws.String("v1"), VersionStages: []string{"AWSPENDING"}})
			return err
		}, "", map[string][]string{v0: {"AWSCURRENT"}, v1: {"AWSPENDING"}}},
		{"same put again is a no-op", func() error {
			_, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("app"), ClientRequestToken: aws.String(v1), SecretString: aws.String("v1"), VersionStages: []string{"AWSPENDING"}})
			return err
		}, "", map[string][]string{v0: {"AWSCURRENT"}, v1: {"AWSPENDING"}}},
		{"different content under the same token", func() error {
			_, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("app"), ClientRequestToken: aws.String(v1), SecretString: aws.String("other"), VersionStages: []string{"AWSPENDING"}})
			return err
		}, "ResourceExistsException", map[string][]string{v0: {"AWSCURRENT"}, v1: {"AWSPENDING"}}},
		{"moving AWSCURRENT needs RemoveFromVersionId", func() error {
			_, err := c.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String("app"), VersionStage: aws.String("AWSCURRENT"), MoveToVersionId: aws.String(v1)})
			return err
		}, "InvalidParameterException", map[string][]string{v0: {"AWSCURRENT"}, v1: {"AWSPENDING"}}},
		{"RemoveFromVersionId must hold the label", func() error {
			_, err := c.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String("app"), VersionStage: aws.String("AWSCURRENT"), MoveToVersionId: aws.String(v1), RemoveFromVersionId: aws.String(v1)})
			return err
		}, "InvalidParameterException", map[string][]string{v0: {"AWSCURRENT"}, v1: {"AWSPENDING"}}},
		{"moving AWSCURRENT moves AWSPREVIOUS along", func() error {
			_, err := c.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String("app"), VersionStage: aws.String("AWSCURRENT"), MoveToVersionId: aws.String(v1), RemoveFromVersionId: aws.String(v0)})
			return err
		}, "", map[string][]string{v0: {"AWSPREVIOUS"}, v1: {"AWSCURRENT", "AWSPENDING"}}},
		{"a new rotation may begin while AWSPENDING sits on AWSCURRENT", func() error { return s.BeginRotation("app", v2) }, "",
			map[string][]string{v0: {"AWSPREVIOUS"}, v1: {"AWSCURRENT"}, v2: {"AWSPENDING"}}},
		{"second BeginRotation while v2 is pending", func() error { return s.BeginRotation("app", NewToken()) }, "in progress",
			map[string][]string{v0: {"AWSPREVIOUS"}, v1: {"AWSCURRENT"}, v2: {"AWSPENDING"}}},
		{"a put without stages becomes AWSCURRENT; the oldest version loses its labels", func() error {
			_, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("app"), ClientRequestToken: aws.String(v2), SecretString: aws.String("v2")})
			return err
		}, "", map[string][]string{v1: {"AWSPREVIOUS"}, v2: {"AWSCURRENT", "AWSPENDING"}}},
		{"unknown secret", func() error {
			_, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("nope")})
			return err
		}, "ResourceNotFoundException", map[string][]string{v1: {"AWSPREVIOUS"}, v2: {"AWSCURRENT", "AWSPENDING"}}},
	}
	for _, st := range steps {
		err := st.do()
		switch {
		case st.wantCode == "" && err != nil:
			t.Fatalf("%s: %v", st.name, err)
		case st.wantCode != "" && (err == nil || !strings.Contains(err.Error(), st.wantCode)):
			t.Fatalf("%s: error %v, want %s", st.name, err, st.wantCode)
		}
		if diff := cmp.Diff(st.want, s.Stages("app")); diff != "" {
			t.Fatalf("%s: stages (-want +got):\n%s", st.name, diff)
		}
	}

	out, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(s.ARN("app"))})
	if err != nil {
		t.Fatalf("DescribeSecret by ARN: %v", err)
	}
	if diff := cmp.Diff(s.Stages("app"), out.VersionIdsToStages); diff != "" {
		t.Errorf("DescribeSecret VersionIdsToStages (-fake +sdk):\n%s", diff)
	}
	if !aws.ToBool(out.RotationEnabled) || out.LastRotatedDate == nil {
		t.Errorf("DescribeSecret: RotationEnabled %v, LastRotatedDate %v", aws.ToBool(out.RotationEnabled), out.LastRotatedDate)
	}
}

func TestErrorsAreTypedBySDK(t *testing.T) {
	s := New()
	defer s.Close()
	_, err := s.Client().GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("missing")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("missing secret: error %T %v, want *types.ResourceNotFoundException", err, err)
	}
	s.Fail("GetSecretValue", Fault{Code: "AccessDeniedException", Message: "denied"})
	_, err = s.Client().GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("missing")})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "AccessDeniedException" {
		t.Errorf("injected fault: error %v, want AccessDeniedException", err)
	}
}

func TestRefusesUnsignedRequests(t *testing.T) {
	s := New()
	defer s.Close()
	req, _ := http.NewRequest(http.MethodPost, s.URL(), strings.NewReader(`{"SecretId":"x"}`))
	req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unsigned request: status %d, want 400", resp.StatusCode)
	}
}
