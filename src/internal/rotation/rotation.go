// Package rotation rotates the service's JWT signing key in AWS Secrets
// Manager. It implements the contract of a Secrets Manager rotation Lambda:
// Secrets Manager calls the function four times per rotation, with the same
// SecretId and ClientRequestToken (the ID of the new version) and Step set to
// createSecret, setSecret, testSecret and finishSecret in turn, and retries a
// step that fails. Every step is idempotent, so any retry is safe.
//
//   - createSecret: if the token's version already holds a value, nothing is
//     done; otherwise a new key of random bytes (crypto/rand) is stored as that
//     version with PutSecretValue, labelled AWSPENDING. A secret created
//     without a value gets its first key this way, from its first rotation.
//   - setSecret: nothing. A database password must be pushed to the database
//     here, but an HMAC key has no other holder: the service reads it from
//     Secrets Manager itself.
//   - testSecret: the AWSPENDING version is read back and must parse as a
//     valid key (smkeys.ParseSecret).
//   - finishSecret: AWSCURRENT moves to the token's version
//     (UpdateSecretVersionStage, removing it from the old current version,
//     which Secrets Manager then labels AWSPREVIOUS; a first rotation has no
//     old version) and AWSPENDING is removed from it. Already current: only
//     the AWSPENDING cleanup, if needed.
//
// Before any step, the secret must have rotation enabled and the token must
// be one of its versions, labelled AWSPENDING (or already AWSCURRENT, in
// which case the rotation is complete and the step does nothing).
//
// The key format is smkeys's; the old key stays valid for validation while
// it is AWSPREVIOUS, see package smkeys.
package rotation

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/sirupsen/logrus"

	"github.com/deliverykit/podinfo/src/internal/smkeys"
)

// The four rotation steps, as Secrets Manager names them in Event.Step.
const (
	StepCreate = "createSecret"
	StepSet    = "setSecret"
	StepTest   = "testSecret"
	StepFinish = "finishSecret"
)

// Staging labels.
const (
	StageCurrent = "AWSCURRENT"
	StagePending = "AWSPENDING"
)

// Defaults for the options.
const (
	DefaultKeyBytes    = 32
	DefaultCallTimeout = 10 * time.Second
)

// Event is the payload Secrets Manager invokes the rotation function with.
type Event struct {
	// SecretID is the secret's ARN or name.
	SecretID string `json:"SecretId"`
	// ClientRequestToken is the ID of the version being created.
	ClientRequestToken string `json:"ClientRequestToken"`
	// Step is one of createSecret, setSecret, testSecret, finishSecret.
	Step string `json:"Step"`
	// RotationToken identifies the rotation request to Secrets Manager when
	// the function assumes a role or rotates across accounts. It is passed
	// back on PutSecretValue and never logged.
	RotationToken string `json:"RotationToken,omitempty"`
}

// API is the part of the Secrets Manager client the rotator uses;
// *secretsmanager.Client satisfies it.
type API interface {
	DescribeSecret(ctx context.Context, in *secretsmanager.DescribeSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error)
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	PutSecretValue(ctx context.Context, in *secretsmanager.PutSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error)
	UpdateSecretVersionStage(ctx context.Context, in *secretsmanager.UpdateSecretVersionStageInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.UpdateSecretVersionStageOutput, error)
}

// Rotator performs rotation steps. It holds no per-rotation state: all of
// it lives in Secrets Manager, which is what makes retries safe.
type Rotator struct {
	api         API
	log         logrus.FieldLogger
	rand        io.Reader
	keyBytes    int
	callTimeout time.Duration
}

// Option configures a Rotator.
type Option func(*Rotator)

// WithLogger sets where step progress is logged (version IDs and labels,
// never key material). The default discards it.
func WithLogger(l logrus.FieldLogger) Option { return func(r *Rotator) { r.log = l } }

// WithKeyBytes sets the size of new keys, between smkeys.MinKeyBytes and
// smkeys.MaxKeyBytes; the default is DefaultKeyBytes.
func WithKeyBytes(n int) Option { return func(r *Rotator) { r.keyBytes = n } }

// WithCallTimeout bounds each Secrets Manager call, SDK retries included.
func WithCallTimeout(d time.Duration) Option { return func(r *Rotator) { r.callTimeout = d } }

// withRand replaces crypto/rand (tests).
func withRand(rd io.Reader) Option { return func(r *Rotator) { r.rand = rd } }

// New returns a Rotator calling api.
func New(api API, opts ...Option) (*Rotator, error) {
	discard := logrus.New()
	discard.SetOutput(io.Discard)
	r := &Rotator{api: api, log: discard, rand: rand.Reader, keyBytes: DefaultKeyBytes, callTimeout: DefaultCallTimeout}
	for _, o := range opts {
		o(r)
	}
	switch {
	case api == nil:
		return nil, errors.New("rotation: nil Secrets Manager client")
	case r.keyBytes < smkeys.MinKeyBytes || r.keyBytes > smkeys.MaxKeyBytes:
		return nil, fmt.Errorf("rotation: key size %d bytes: want %d to %d", r.keyBytes, smkeys.MinKeyBytes, smkeys.MaxKeyBytes)
	case r.callTimeout <= 0:
		return nil, fmt.Errorf("rotation: call timeout %v: want a positive duration", r.callTimeout)
	}
	return r, nil
}

// Validate reports what is missing or wrong in ev.
func (ev Event) Validate() error {
	var problems []string
	if ev.SecretID == "" {
		problems = append(problems, "SecretId is empty")
	}
	if ev.ClientRequestToken == "" {
		problems = append(problems, "ClientRequestToken is empty")
	}
	switch ev.Step {
	case StepCreate, StepSet, StepTest, StepFinish:
	default:
		problems = append(problems, fmt.Sprintf("Step %q is not one of %s, %s, %s, %s", ev.Step, StepCreate, StepSet, StepTest, StepFinish))
	}
	if len(problems) > 0 {
		return fmt.Errorf("invalid rotation event (Secrets Manager sends SecretId, ClientRequestToken and Step): %s", strings.Join(problems, "; "))
	}
	return nil
}

// Handle performs one rotation step.
func (r *Rotator) Handle(ctx context.Context, ev Event) error {
	if err := ev.Validate(); err != nil {
		return fmt.Errorf("rotation: %w", err)
	}
	log := r.log.WithFields(logrus.Fields{"secret_id": ev.SecretID, "version_id": ev.ClientRequestToken, "step": ev.Step})

	meta, err := r.describe(ctx, ev.SecretID)
	if err != nil {
		return err
	}
	if !aws.ToBool(meta.RotationEnabled) {
		return fmt.Errorf("rotation: secret %q does not have rotation enabled: configure rotation on it (RotateSecret with this function's ARN) before invoking the function", ev.SecretID)
	}
	stages, ok := meta.VersionIdsToStages[ev.ClientRequestToken]
	if !ok {
		return fmt.Errorf("rotation: secret %q has no version %q: the ClientRequestToken must be the version Secrets Manager created for this rotation", ev.SecretID, ev.ClientRequestToken)
	}
	if slices.Contains(stages, StageCurrent) {
		if ev.Step == StepFinish && slices.Contains(stages, StagePending) {
			return r.dropPending(ctx, log, ev)
		}
		log.Info("version is already AWSCURRENT: nothing to do")
		return nil
	}
	if !slices.Contains(stages, StagePending) {
		return fmt.Errorf("rotation: secret %q version %q is labelled %v, not AWSPENDING: it is not the version being rotated in", ev.SecretID, ev.ClientRequestToken, stages)
	}

	switch ev.Step {
	case StepCreate:
		return r.create(ctx, log, ev)
	case StepSet:
		log.Info("setSecret: nothing to set; the service reads the key from Secrets Manager itself")
		return nil
	case StepTest:
		return r.test(ctx, log, ev)
	default: // StepFinish, by Validate
		return r.finish(ctx, log, ev, meta.VersionIdsToStages)
	}
}

func (r *Rotator) create(ctx context.Context, log logrus.FieldLogger, ev Event) error {
	// A secret created without a value (so that no key passes through
	// Terraform or its state) has no AWSCURRENT until its first rotation:
	// that rotation creates the first key.
	if _, err := r.get(ctx, ev.SecretID, "", StageCurrent); err != nil {
		if !isNotFound(err) {
			return fmt.Errorf("rotation: createSecret: reading the AWSCURRENT version of %q: %w", ev.SecretID, err)
		}
		log.Info("createSecret: the secret has no AWSCURRENT version yet; this rotation creates its first key")
	}
	out, err := r.get(ctx, ev.SecretID, ev.ClientRequestToken, StagePending)
	switch {
	case err == nil:
		if _, perr := parse(out); perr != nil {
			return fmt.Errorf("rotation: createSecret: secret %q version %q already holds a value that is not a valid key; remove its AWSPENDING label and rotate again: %w", ev.SecretID, ev.ClientRequestToken, perr)
		}
		log.Info("createSecret: pending version already holds a key")
		return nil
	case !isNotFound(err):
		return fmt.Errorf("rotation: createSecret: reading pending version of %q: %w", ev.SecretID, err)
	}

	key := make([]byte, r.keyBytes)
	if _, err := io.ReadFull(r.rand, key); err != nil {
		return fmt.Errorf("rotation: createSecret: generating a key: %w", err)
	}
	value, err := smkeys.FormatSecret(key)
	if err != nil {
		return fmt.Errorf("rotation: createSecret: %w", err)
	}
	in := &secretsmanager.PutSecretValueInput{
		SecretId:           aws.String(ev.SecretID),
		ClientRequestToken: aws.String(ev.ClientRequestToken),
		SecretString:       aws.String(value),
		VersionStages:      []string{StagePending},
	}
	if ev.RotationToken != "" {
		in.RotationToken = aws.String(ev.RotationToken)
	}
	cctx, cancel := context.WithTimeout(ctx, r.callTimeout)
	defer cancel()
	_, err = r.api.PutSecretValue(cctx, in)
	var exists *types.ResourceExistsException
	if errors.As(err, &exists) {
		// A concurrent or earlier attempt stored a different key under
		// this token between our read and our write; it wins, if valid.
		out, gerr := r.get(ctx, ev.SecretID, ev.ClientRequestToken, StagePending)
		if gerr != nil {
			return fmt.Errorf("rotation: createSecret: version %q of %q exists but cannot be read: %w", ev.ClientRequestToken, ev.SecretID, gerr)
		}
		if _, perr := parse(out); perr != nil {
			return fmt.Errorf("rotation: createSecret: version %q of %q exists with an invalid key: %w", ev.ClientRequestToken, ev.SecretID, perr)
		}
		log.Info("createSecret: another attempt stored the pending key first")
		return nil
	}
	if err != nil {
		return fmt.Errorf("rotation: createSecret: storing the new key in %q: %w", ev.SecretID, explain(err))
	}
	log.Info("createSecret: stored a new key as AWSPENDING")
	return nil
}

func (r *Rotator) test(ctx context.Context, log logrus.FieldLogger, ev Event) error {
	out, err := r.get(ctx, ev.SecretID, ev.ClientRequestToken, StagePending)
	if err != nil {
		return fmt.Errorf("rotation: testSecret: reading pending version %q of %q (did createSecret run?): %w", ev.ClientRequestToken, ev.SecretID, err)
	}
	if _, err := parse(out); err != nil {
		return fmt.Errorf("rotation: testSecret: pending version %q of %q: %w", ev.ClientRequestToken, ev.SecretID, err)
	}
	log.Info("testSecret: pending key is valid")
	return nil
}

func (r *Rotator) finish(ctx context.Context, log logrus.FieldLogger, ev Event, versions map[string][]string) error {
	current := ""
	for id, stages := range versions {
		if slices.Contains(stages, StageCurrent) {
			current = id
			break
		}
	}
	in := &secretsmanager.UpdateSecretVersionStageInput{
		SecretId:        aws.String(ev.SecretID),
		VersionStage:    aws.String(StageCurrent),
		MoveToVersionId: aws.String(ev.ClientRequestToken),
	}
	if current != "" {
		in.RemoveFromVersionId = aws.String(current)
	}
	cctx, cancel := context.WithTimeout(ctx, r.callTimeout)
	defer cancel()
	if _, err := r.api.UpdateSecretVersionStage(cctx, in); err != nil {
		// A concurrent attempt may have moved the label between our
		// DescribeSecret and this call: that is success, not failure.
		if meta, derr := r.describe(ctx, ev.SecretID); derr == nil {
			if stages := meta.VersionIdsToStages[ev.ClientRequestToken]; slices.Contains(stages, StageCurrent) {
				log.Info("finishSecret: another attempt made the version AWSCURRENT first")
				if slices.Contains(stages, StagePending) {
					return r.dropPending(ctx, log, ev)
				}
				return nil
			}
		}
		return fmt.Errorf("rotation: finishSecret: moving AWSCURRENT of %q from version %q to %q: %w", ev.SecretID, current, ev.ClientRequestToken, explain(err))
	}
	log.WithField("previous_version_id", current).Info("finishSecret: version is now AWSCURRENT")
	return r.dropPending(ctx, log, ev)
}

// dropPending removes AWSPENDING from the (now current) token version, so
// the next RotateSecret does not see a rotation in progress.
func (r *Rotator) dropPending(ctx context.Context, log logrus.FieldLogger, ev Event) error {
	cctx, cancel := context.WithTimeout(ctx, r.callTimeout)
	defer cancel()
	_, err := r.api.UpdateSecretVersionStage(cctx, &secretsmanager.UpdateSecretVersionStageInput{
		SecretId:            aws.String(ev.SecretID),
		VersionStage:        aws.String(StagePending),
		RemoveFromVersionId: aws.String(ev.ClientRequestToken),
	})
	if err != nil {
		return fmt.Errorf("rotation: finishSecret: removing AWSPENDING from version %q of %q: %w", ev.ClientRequestToken, ev.SecretID, explain(err))
	}
	log.Info("finishSecret: removed AWSPENDING")
	return nil
}

func (r *Rotator) describe(ctx context.Context, secretID string) (*secretsmanager.DescribeSecretOutput, error) {
	cctx, cancel := context.WithTimeout(ctx, r.callTimeout)
	defer cancel()
	out, err := r.api.DescribeSecret(cctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(secretID)})
	if err != nil {
		return nil, fmt.Errorf("rotation: describing secret %q: %w", secretID, explain(err))
	}
	return out, nil
}

func (r *Rotator) get(ctx context.Context, secretID, versionID, stage string) (*secretsmanager.GetSecretValueOutput, error) {
	cctx, cancel := context.WithTimeout(ctx, r.callTimeout)
	defer cancel()
	in := &secretsmanager.GetSecretValueInput{SecretId: aws.String(secretID), VersionStage: aws.String(stage)}
	if versionID != "" {
		in.VersionId = aws.String(versionID)
	}
	out, err := r.api.GetSecretValue(cctx, in)
	if err != nil {
		return nil, explain(err)
	}
	return out, nil
}

func parse(out *secretsmanager.GetSecretValueOutput) ([]byte, error) {
	if out.SecretString == nil {
		return nil, fmt.Errorf("version holds binary data: %w", smkeys.ErrFormat)
	}
	return smkeys.ParseSecret(*out.SecretString)
}

func isNotFound(err error) bool {
	var nf *types.ResourceNotFoundException
	return errors.As(err, &nf)
}

// explain adds the usual fix to permission errors.
func explain(err error) error {
	var api interface{ ErrorCode() string }
	if errors.As(err, &api) && api.ErrorCode() == "AccessDeniedException" {
		return fmt.Errorf("%w (the rotation function's role needs secretsmanager:DescribeSecret, GetSecretValue, PutSecretValue and UpdateSecretVersionStage on the secret, and kms:Decrypt and kms:GenerateDataKey on its KMS key if customer-managed)", err)
	}
	return err
}
