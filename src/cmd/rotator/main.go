// Command rotator is the AWS Secrets Manager rotation Lambda for the
// service's JWT signing key. Secrets Manager invokes it with
// {"SecretId","ClientRequestToken","Step"} for each of the four rotation
// steps; package rotation does the work. Build it with
//
//	CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -ldflags=-s -o bootstrap ./src/cmd/rotator
//
// and deploy it on the provided.al2023 runtime. The Secrets Manager
// endpoint can be overridden with AWS_ENDPOINT_URL_SECRETS_MANAGER (the
// SDK's standard variable), e.g. for a VPC endpoint; it logs JSON lines
// (logrus) with version IDs and labels, never key material.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/deliverykit/podinfo/src/internal/rotatorapp"
)

func main() {
	os.Exit(rotatorapp.Run(context.Background(), os.Getenv, os.Stderr, lambda.Start))
}
