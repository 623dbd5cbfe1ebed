// Package smkeys reads the service's JWT signing keys from AWS Secrets
// Manager: AWSCURRENT signs, AWSCURRENT and AWSPREVIOUS validate, so a
// rotation never invalidates tokens already issued.
//
// Rotation window: a key stays valid for validation for as long as its
// version carries AWSCURRENT or AWSPREVIOUS. The rotation Lambda moves
// AWSCURRENT to the new version, and Secrets Manager moves AWSPREVIOUS to
// the version that was current, so a key is accepted for one full rotation
// period after it stops signing, and rejected once a second rotation pushes
// it out of AWSPREVIOUS. Token lifetimes must therefore be shorter than the
// rotation period, which they are by a wide margin (hours against days).
// Each instance sees label moves when it next reads the secret: a new key
// is learned at once (a token that fails validation triggers Refresh), an
// expired one is dropped at the latest one Refresh period later.
//
// The secret's value format is described by ParseSecret.
//
// Keys are cached in memory and re-read on a schedule by a background loop
// bound to the context given to New or FromConfig (cancel it to stop), and
// on demand by Refresh, which is rate-limited so a flood of bad tokens
// cannot turn into a flood of Secrets Manager calls. A refresh that fails
// keeps the cached keys: an outage of Secrets Manager does not stop token
// validation. Key material is never logged or put into an error.
package smkeys

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"

	"github.com/deliverykit/podinfo/src/internal/signingkey"
)

// Staging labels read by the service.
const (
	StageCurrent  = "AWSCURRENT"
	StagePrevious = "AWSPREVIOUS"
)

// Defaults for Options fields left zero.
const (
	DefaultRefresh            = 5 * time.Minute
	DefaultMinRefreshInterval = 10 * time.Second
	DefaultCallTimeout        = 10 * time.Second
	// DefaultMaxAttempts is the SDK standard retryer's attempt count.
	DefaultMaxAttempts = 3
)

// Options tune a Source. Zero values select the defaults above.
type Options struct {
	// Refresh is how often keys are re-read in the background.
	Refresh time.Duration
	// Endpoint overrides the Secrets Manager endpoint (tests, VPC endpoints).
	// Only FromConfig reads it.
	Endpoint string
	// MinRefreshInterval is the least time between two reads of the secret
	// triggered by Refresh; calls in between return at once.
	MinRefreshInterval time.Duration
	// CallTimeout bounds each GetSecretValue call, retries included.
	CallTimeout time.Duration
	// OnRefreshError, if set, is told about background refresh failures and
	// unusable AWSPREVIOUS values (the cached keys stay in use). Errors
	// carry the secret ID and the AWS error, never key material.
	OnRefreshError func(error)
}

// API is the part of the Secrets Manager client a Source uses;
// *secretsmanager.Client satisfies it.
type API interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// Source is a signingkey.Source backed by one Secrets Manager secret.
type Source struct {
	api      API
	secretID string
	opts     Options
	now      func() time.Time

	// snap is replaced whole by each successful read; readers never lock.
	snap atomic.Pointer[snapshot]

	// sem serialises reads of the secret; lastRead is guarded by it.
	sem      chan struct{}
	lastRead time.Time

	stopped chan struct{}
}

var _ signingkey.Source = (*Source)(nil)

// snapshot is one successful read of the secret. It is never modified.
type snapshot struct {
	keys     []signingkey.Key // current first, then previous
	loadedAt time.Time
}

// FromConfig builds a Source for secretID (a name or ARN) using the default
// AWS configuration chain (environment, shared config, instance or Lambda
// role) and the SDK's standard retryer. When no region is configured and
// secretID is an ARN, the ARN's region is used. The keys are read once
// before it returns; ctx also bounds the background refresh loop.
func FromConfig(ctx context.Context, secretID string, opts Options) (signingkey.Source, error) {
	if err := validate(secretID, opts); err != nil {
		return nil, err
	}
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRetryer(func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = DefaultMaxAttempts })
	}))
	if err != nil {
		return nil, fmt.Errorf("smkeys: loading AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		if a, err := arn.Parse(secretID); err == nil && a.Region != "" {
			cfg.Region = a.Region
		} else {
			return nil, fmt.Errorf("smkeys: no AWS region configured for secret %q: set AWS_REGION or give the secret's full ARN", secretID)
		}
	}
	client := secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) {
		if opts.Endpoint != "" {
			o.BaseEndpoint = aws.String(opts.Endpoint)
		}
	})
	return New(ctx, client, secretID, opts)
}

// New builds a Source for secretID on api, reads the keys once, and starts
// the background refresh loop, which runs until ctx is done.
func New(ctx context.Context, api API, secretID string, opts Options) (*Source, error) {
	return newSource(ctx, api, secretID, opts, time.Now)
}

func newSource(ctx context.Context, api API, secretID string, opts Options, now func() time.Time) (*Source, error) {
	if err := validate(secretID, opts); err != nil {
		return nil, err
	}
	if api == nil {
		return nil, errors.New("smkeys: nil Secrets Manager client")
	}
	if opts.Refresh == 0 {
		opts.Refresh = DefaultRefresh
	}
	if opts.MinRefreshInterval == 0 {
		opts.MinRefreshInterval = min(DefaultMinRefreshInterval, opts.Refresh)
	}
	if opts.CallTimeout == 0 {
		opts.CallTimeout = DefaultCallTimeout
	}
	s := &Source{
		api: api, secretID: secretID, opts: opts, now: now,
		sem:     make(chan struct{}, 1),
		stopped: make(chan struct{}),
	}
	s.sem <- struct{}{}
	err := s.read(ctx)
	<-s.sem
	if err != nil {
		return nil, err
	}
	go s.loop(ctx)
	return s, nil
}

func validate(secretID string, opts Options) error {
	switch {
	case secretID == "":
		return errors.New("smkeys: secret ID is empty: give the name or ARN of the Secrets Manager secret holding the JWT key")
	case opts.Refresh < 0:
		return fmt.Errorf("smkeys: Refresh is %v: want a positive interval, or 0 for %v", opts.Refresh, DefaultRefresh)
	case opts.Refresh > 0 && opts.Refresh < time.Millisecond:
		return fmt.Errorf("smkeys: Refresh is %v: want at least 1ms", opts.Refresh)
	case opts.MinRefreshInterval < 0:
		return fmt.Errorf("smkeys: MinRefreshInterval is %v: want a positive interval, or 0 for %v", opts.MinRefreshInterval, DefaultMinRefreshInterval)
	case opts.Refresh > 0 && opts.MinRefreshInterval > opts.Refresh:
		return fmt.Errorf("smkeys: MinRefreshInterval %v is longer than Refresh %v: on-demand refreshes would be rarer than scheduled ones", opts.MinRefreshInterval, opts.Refresh)
	case opts.CallTimeout < 0:
		return fmt.Errorf("smkeys: CallTimeout is %v: want a positive duration, or 0 for %v", opts.CallTimeout, DefaultCallTimeout)
	}
	if opts.Endpoint != "" {
		u, err := url.Parse(opts.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("smkeys: Endpoint %q is not an http(s) URL like https://secretsmanager.us-east-1.amazonaws.com", opts.Endpoint)
		}
	}
	return nil
}

// Stopped is closed once the background refresh loop has ended.
func (s *Source) Stopped() <-chan struct{} { return s.stopped }

// Signing returns the AWSCURRENT key.
func (s *Source) Signing(ctx context.Context) (signingkey.Key, error) {
	return s.fresh(ctx).keys[0], nil
}

// Verification returns the AWSCURRENT key, then the AWSPREVIOUS key if the
// secret has one.
func (s *Source) Verification(ctx context.Context) ([]signingkey.Key, error) {
	return slices.Clone(s.fresh(ctx).keys), nil
}

// Refresh re-reads the keys, unless they were read less than
// MinRefreshInterval ago, in which case it returns nil at once. Concurrent
// calls wait for one read and share it. Callers use it after a token failed
// validation, then validate again.
func (s *Source) Refresh(ctx context.Context) error {
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("smkeys: refresh of secret %q: %w", s.secretID, ctx.Err())
	}
	defer func() { <-s.sem }()
	if !s.lastRead.IsZero() && s.now().Sub(s.lastRead) < s.opts.MinRefreshInterval {
		return nil
	}
	return s.read(ctx)
}

// fresh returns the cached keys, first re-reading them in line when the
// background loop has not done so for two periods (a Lambda environment
// frozen between invocations, or a stopped loop). Failures keep the cached
// keys.
func (s *Source) fresh(ctx context.Context) *snapshot {
	snap := s.snap.Load()
	if s.now().Sub(snap.loadedAt) <= 2*s.opts.Refresh {
		return snap
	}
	if err := s.Refresh(ctx); err != nil {
		s.report(err)
	}
	return s.snap.Load()
}

func (s *Source) loop(ctx context.Context) {
	defer close(s.stopped)
	wait := s.opts.Refresh
	for {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		var err error
		select {
		case s.sem <- struct{}{}:
			err = s.read(ctx)
			<-s.sem
		case <-ctx.Done():
			return
		}
		wait = s.opts.Refresh
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			s.report(err)
			// Retry sooner than a full period, but no faster than
			// on-demand refreshes are allowed.
			wait = s.opts.MinRefreshInterval
		}
	}
}

func (s *Source) report(err error) {
	if s.opts.OnRefreshError != nil {
		s.opts.OnRefreshError(err)
	}
}

// read fetches AWSCURRENT and AWSPREVIOUS and replaces the cache. The
// caller holds sem. AWSCURRENT is read first: if a rotation lands between
// the two reads, the fresh key is missed (and fetched by the next Refresh)
// rather than the key that was signing until a moment ago.
func (s *Source) read(ctx context.Context) error {
	s.lastRead = s.now()
	cur, err := s.get(ctx, StageCurrent)
	if err != nil {
		return err
	}
	keys := []signingkey.Key{cur}
	prev, err := s.get(ctx, StagePrevious)
	var nf *types.ResourceNotFoundException
	switch {
	case err == nil:
		if prev.ID != cur.ID {
			keys = append(keys, prev)
		}
	case errors.As(err, &nf):
		// No rotation has happened yet: there is no previous key.
	case errors.Is(err, ErrFormat):
		// An old value in another format cannot validate anything; serve
		// with the current key alone rather than fail.
		s.report(err)
	default:
		return err
	}
	s.snap.Store(&snapshot{keys: keys, loadedAt: s.now()})
	return nil
}

func (s *Source) get(ctx context.Context, stage string) (signingkey.Key, error) {
	cctx, cancel := context.WithTimeout(ctx, s.opts.CallTimeout)
	defer cancel()
	out, err := s.api.GetSecretValue(cctx, &secretsmanager.GetSecretValueInput{
		SecretId:     aws.String(s.secretID),
		VersionStage: aws.String(stage),
	})
	if err != nil {
		return signingkey.Key{}, explain(s.secretID, stage, err)
	}
	if out.SecretString == nil {
		return signingkey.Key{}, fmt.Errorf("smkeys: secret %q %s version %s holds binary data: %w", s.secretID, stage, aws.ToString(out.VersionId), ErrFormat)
	}
	key, err := ParseSecret(*out.SecretString)
	if err != nil {
		return signingkey.Key{}, fmt.Errorf("smkeys: secret %q %s version %s: %w", s.secretID, stage, aws.ToString(out.VersionId), err)
	}
	return signingkey.Key{ID: aws.ToString(out.VersionId), Secret: key}, nil
}

// explain wraps an AWS error with the secret ID and, for the usual causes,
// what to change.
func explain(secretID, stage string, err error) error {
	var nf *types.ResourceNotFoundException
	var dec *types.DecryptionFailure
	var api smithy.APIError
	switch {
	case errors.As(err, &nf):
		return fmt.Errorf("smkeys: secret %q has no %s version (or does not exist in this account and region): check the secret name or ARN the service was given (--jwt-secret-id, PODINFO_JWT_SECRET_ID) and AWS_REGION; a secret created without a value gets its first key from its first rotation, so check that the rotation function ran: %w", secretID, stage, err)
	case errors.As(err, &dec):
		return fmt.Errorf("smkeys: cannot decrypt secret %q: grant kms:Decrypt on the secret's KMS key to this service's IAM role: %w", secretID, err)
	case errors.As(err, &api) && api.ErrorCode() == "AccessDeniedException":
		return fmt.Errorf("smkeys: not allowed to read secret %q: grant secretsmanager:GetSecretValue on it to this service's IAM role: %w", secretID, err)
	case strings.Contains(err.Error(), "get credentials: "):
		// The SDK has no exported type for a failed credential chain.
		return fmt.Errorf("smkeys: no usable AWS credentials to read secret %q: give the instance or function an IAM role (or set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY when running elsewhere): %w", secretID, err)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("smkeys: reading secret %q %s timed out: check network access to Secrets Manager (a VPC endpoint or NAT on private subnets): %w", secretID, stage, err)
	}
	return fmt.Errorf("smkeys: reading secret %q %s: %w", secretID, stage, err)
}
