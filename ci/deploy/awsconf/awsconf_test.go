package awsconf

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/aws/smithy-go"
)

func TestExplain(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"bad key", &smithy.GenericAPIError{Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid."},
			"aws rejected the credentials (InvalidClientTokenId); fix: supply valid credentials"},
		{"expired", &smithy.GenericAPIError{Code: "ExpiredToken", Message: "expired"}, "aws rejected the credentials (ExpiredToken"},
		{"denied", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"}, "access denied (AccessDeniedException); fix: grant the deploy role"},
		{"not found", &smithy.GenericAPIError{Code: "ResourceNotFoundException", Message: "Function not found"}, "in region eu-west-9: not found (ResourceNotFoundException); fix: check the region (aws_region output)"},
		{"no such host", &net.DNSError{Err: "no such host", Name: "sts.eu-west-9.amazonaws.com", IsNotFound: true}, `cannot reach the aws endpoint for region "eu-west-9"; fix: check the region name`},
		{"other", errors.New("boom"), "doing it: boom"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Explain("doing it", "eu-west-9", tc.err)
			if !strings.Contains(got.Error(), tc.want) {
				t.Errorf("Explain = %q, want it to contain %q", got, tc.want)
			}
			if !errors.Is(got, tc.err) {
				t.Errorf("Explain dropped the cause from the chain: %v", got)
			}
		})
	}
}

func TestLoadNeedsRegion(t *testing.T) {
	_, err := Load(context.Background(), Options{})
	if err == nil || !strings.Contains(err.Error(), "aws_region") {
		t.Fatalf("Load without region = %v, want an error naming aws_region", err)
	}
}
