// Package awsconf builds the aws-sdk-go-v2 configuration every deployer call
// shares: the environment's region, a standard retryer with bounded attempts
// and exponential backoff, a per-call deadline covering all retries, and a
// preflight that checks the credentials before anything changes.
package awsconf

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

// Options configure Load.
type Options struct {
	// Region every call is made in (the aws_region output).
	Region string
	// Endpoint, when set, sends every service's calls to this base URL
	// (a local stand-in, or a VPC endpoint); AWS_ENDPOINT_URL works too.
	Endpoint string
	// StaticKeyID and StaticSecret, when both set, replace the default
	// credential chain (tests against local endpoints).
	StaticKeyID, StaticSecret string
	// MaxAttempts bounds the attempts per call (default 5).
	MaxAttempts int
	// MaxBackoff caps the backoff between attempts (default 10s).
	MaxBackoff time.Duration
	// CallTimeout bounds one call including its retries (default 60s).
	CallTimeout time.Duration
	// AttemptTimeout bounds one HTTP attempt (default 20s).
	AttemptTimeout time.Duration
}

func (o *Options) defaults() {
	if o.MaxAttempts == 0 {
		o.MaxAttempts = 5
	}
	if o.MaxBackoff == 0 {
		o.MaxBackoff = 10 * time.Second
	}
	if o.CallTimeout == 0 {
		o.CallTimeout = 60 * time.Second
	}
	if o.AttemptTimeout == 0 {
		o.AttemptTimeout = 20 * time.Second
	}
}

// Load returns the shared AWS configuration.
func Load(ctx context.Context, o Options) (aws.Config, error) {
	o.defaults()
	if o.Region == "" {
		return aws.Config{}, errors.New("aws region is empty: the environment root must output aws_region")
	}
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(o.Region),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(so *retry.StandardOptions) {
				so.MaxAttempts = o.MaxAttempts
				so.MaxBackoff = o.MaxBackoff
			})
		}),
		config.WithHTTPClient(awshttp.NewBuildableClient().WithTimeout(o.AttemptTimeout)),
		config.WithAPIOptions([]func(*middleware.Stack) error{CallTimeout(o.CallTimeout)}),
	}
	if o.Endpoint != "" {
		opts = append(opts, config.WithBaseEndpoint(o.Endpoint))
	}
	if o.StaticKeyID != "" && o.StaticSecret != "" {
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(o.StaticKeyID, o.StaticSecret, "")))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load aws configuration: %w", err)
	}
	return cfg, nil
}

// CallTimeout returns a middleware that bounds each operation, all its
// retries included, by d.
func CallTimeout(d time.Duration) func(*middleware.Stack) error {
	return func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("DeployerCallTimeout",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				ctx, cancel := context.WithTimeout(ctx, d)
				defer cancel()
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
	}
}

// Identity is who the deployer acts as.
type Identity struct {
	// Account is the AWS account ID.
	Account string `json:"account"`
	// ARN is the caller's ARN.
	ARN string `json:"arn"`
}

// Preflight calls STS GetCallerIdentity so bad credentials or a bad region
// fail before any change, with a message saying how to fix them.
func Preflight(ctx context.Context, cfg aws.Config) (Identity, error) {
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Identity{}, Explain("check aws credentials (sts:GetCallerIdentity)", cfg.Region, err)
	}
	return Identity{Account: aws.ToString(out.Account), ARN: aws.ToString(out.Arn)}, nil
}

// Explain wraps an AWS error with what was being done and, for the errors a
// wrong region or wrong credentials produce, the fix.
func Explain(doing, region string, err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch code := ae.ErrorCode(); {
		case code == "InvalidClientTokenId" || code == "UnrecognizedClientException" || code == "SignatureDoesNotMatch" ||
			code == "InvalidSignatureException" || code == "ExpiredToken" || code == "ExpiredTokenException":
			return fmt.Errorf("%s: aws rejected the credentials (%s); fix: supply valid credentials for the target account (AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or the workflow's OIDC role): %w", doing, code, err)
		case code == "AccessDenied" || code == "AccessDeniedException" || code == "UnauthorizedOperation":
			return fmt.Errorf("%s: access denied (%s); fix: grant the deploy role this permission: %w", doing, code, err)
		case strings.HasSuffix(code, "NotFoundException") || strings.HasSuffix(code, "NotFound") || code == "ResourceNotFoundException":
			return fmt.Errorf("%s in region %s: not found (%s); fix: check the region (aws_region output) and that the credentials are for the account Terraform applied to: %w", doing, region, code, err)
		}
	}
	var dns interface{ Timeout() bool }
	if errors.As(err, &dns) && strings.Contains(err.Error(), "no such host") {
		return fmt.Errorf("%s: cannot reach the aws endpoint for region %q; fix: check the region name (aws_region output): %w", doing, region, err)
	}
	return fmt.Errorf("%s: %w", doing, err)
}
