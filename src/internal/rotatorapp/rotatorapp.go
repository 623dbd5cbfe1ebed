// Package rotatorapp wires the secret-rotation Lambda: AWS configuration,
// the rotation.Rotator and the Lambda handler. Both the standalone rotator
// binary and the service binary's `rotator` mode (how the one service image
// also serves as the rotation function) call Run.
package rotatorapp

import (
	"context"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/sirupsen/logrus"

	"github.com/deliverykit/podinfo/src/internal/rotation"
)

// Run is the rotation Lambda's main without the process: it builds the handler and hands it to
// start (lambda.Start, which never returns on Lambda). It returns the exit
// code when it cannot start.
func Run(ctx context.Context, getenv func(string) string, out io.Writer, start func(any)) int {
	log := logrus.New()
	log.SetOutput(out)
	log.SetFormatter(&logrus.JSONFormatter{})
	if getenv("AWS_LAMBDA_RUNTIME_API") == "" {
		log.Error("AWS_LAMBDA_RUNTIME_API is not set: rotator is a Secrets Manager rotation Lambda and runs only under the Lambda runtime or the runtime interface emulator (aws-lambda-rie)")
		return 2
	}
	h, err := newHandler(ctx, log)
	if err != nil {
		log.WithError(err).Error("rotator cannot start")
		return 1
	}
	start(h)
	return 0
}

// newHandler builds the Lambda handler on the default AWS configuration
// chain (the function's role on Lambda) with the SDK's standard retryer.
func newHandler(ctx context.Context, log logrus.FieldLogger) (func(context.Context, rotation.Event) error, error) {
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRetryer(func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = 3 })
	}))
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, fmt.Errorf("no AWS region: Lambda sets AWS_REGION; set it when running elsewhere")
	}
	r, err := rotation.New(secretsmanager.NewFromConfig(cfg), rotation.WithLogger(log))
	if err != nil {
		return nil, err
	}
	return handler(r, log), nil
}

// handler adapts a Rotator to the Lambda handler signature and logs each
// step's outcome; a returned error makes Secrets Manager retry the step.
func handler(r *rotation.Rotator, log logrus.FieldLogger) func(context.Context, rotation.Event) error {
	return func(ctx context.Context, ev rotation.Event) error {
		entry := log.WithFields(logrus.Fields{"secret_id": ev.SecretID, "version_id": ev.ClientRequestToken, "step": ev.Step})
		if err := r.Handle(ctx, ev); err != nil {
			entry.WithError(err).Error("rotation step failed")
			return err
		}
		entry.Info("rotation step done")
		return nil
	}
}
