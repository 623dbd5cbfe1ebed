// Package record keeps what was deployed where and when in the DynamoDB
// state table: the environment's current deploy (which the next run reads to
// resume or roll back an interrupted shift), one item per digest per
// environment (which promote reads), and a history item per deploy.
//
// Items share the partition key "env#<env>"; sort keys are "deploy#current",
// "digest#<digest>" and "history#<RFC3339 time>#<run>". Every item carries
// the record as JSON in "record" plus a few plain attributes for people
// reading the table.
package record

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/deliverykit/podinfo/ci/deploy/ec2roll"
)

// Statuses of a deploy record.
const (
	StatusInProgress = "in-progress"
	StatusSucceeded  = "succeeded"
	StatusNoOp       = "no-op"
	StatusRolledBack = "rolled-back"
	StatusFailed     = "failed"
)

// Deploy is one deploy of a digest to an environment.
type Deploy struct {
	Env    string `json:"env"`
	Digest string `json:"digest"`
	// Version and Revision are what the service's /version reported.
	Version  string `json:"version,omitempty"`
	Revision string `json:"revision,omitempty"`
	Status   string `json:"status"`
	// Healthy is true when the post-deploy smoke tests passed on both targets.
	Healthy bool `json:"healthy"`
	// Actor and Run say who deployed and from which run.
	Actor      string    `json:"actor"`
	Run        string    `json:"run"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at,omitempty"`
	// EC2 is the blue/green shift, set while it is in progress.
	EC2 *ec2roll.InProgress `json:"ec2,omitempty"`
	// LambdaFrom and LambdaTo are the alias versions shifted.
	LambdaFrom string `json:"lambda_from,omitempty"`
	LambdaTo   string `json:"lambda_to,omitempty"`
}

// API is the DynamoDB subset the store uses.
type API interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// Store reads and writes records in one table.
type Store struct {
	API   API
	Table string
}

// Sort keys.
const (
	currentKey = "deploy#current"
)

func digestKey(d string) string { return "digest#" + d }

func (s Store) put(ctx context.Context, sk string, d Deploy) error {
	b, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode deploy record: %w", err)
	}
	item := map[string]types.AttributeValue{
		"pk":      &types.AttributeValueMemberS{Value: "env#" + d.Env},
		"sk":      &types.AttributeValueMemberS{Value: sk},
		"digest":  &types.AttributeValueMemberS{Value: d.Digest},
		"status":  &types.AttributeValueMemberS{Value: d.Status},
		"healthy": &types.AttributeValueMemberBOOL{Value: d.Healthy},
		"run":     &types.AttributeValueMemberS{Value: d.Run},
		"actor":   &types.AttributeValueMemberS{Value: d.Actor},
		"record":  &types.AttributeValueMemberS{Value: string(b)},
	}
	if d.Version != "" {
		item["version"] = &types.AttributeValueMemberS{Value: d.Version}
	}
	if _, err := s.API.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: item}); err != nil {
		return fmt.Errorf("write deploy record %s/%s to table %s: %w", d.Env, sk, s.Table, err)
	}
	return nil
}

func (s Store) get(ctx context.Context, env, sk string) (*Deploy, error) {
	out, err := s.API.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.Table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "env#" + env},
			"sk": &types.AttributeValueMemberS{Value: sk},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("read deploy record %s/%s from table %s: %w", env, sk, s.Table, err)
	}
	if len(out.Item) == 0 {
		return nil, nil
	}
	raw, ok := out.Item["record"].(*types.AttributeValueMemberS)
	if !ok {
		return nil, fmt.Errorf("deploy record %s/%s in table %s has no record attribute", env, sk, s.Table)
	}
	var d Deploy
	if err := json.Unmarshal([]byte(raw.Value), &d); err != nil {
		return nil, fmt.Errorf("decode deploy record %s/%s: %w", env, sk, err)
	}
	return &d, nil
}

// Begin records d as the environment's current, in-progress deploy.
func (s Store) Begin(ctx context.Context, d Deploy) error {
	d.Status = StatusInProgress
	return s.put(ctx, currentKey, d)
}

// Current returns the environment's current deploy record, nil if none.
func (s Store) Current(ctx context.Context, env string) (*Deploy, error) {
	return s.get(ctx, env, currentKey)
}

// Finish records the deploy's outcome as current, for its digest, and in
// the history.
func (s Store) Finish(ctx context.Context, d Deploy) error {
	if err := s.put(ctx, currentKey, d); err != nil {
		return err
	}
	if err := s.put(ctx, digestKey(d.Digest), d); err != nil {
		return err
	}
	return s.put(ctx, "history#"+d.FinishedAt.UTC().Format(time.RFC3339)+"#"+d.Run, d)
}

// ForDigest returns the latest record of digest in env, nil if none.
func (s Store) ForDigest(ctx context.Context, env, digest string) (*Deploy, error) {
	return s.get(ctx, env, digestKey(digest))
}

// CheckPromotable refuses promoting digest out of env unless its latest
// deploy there succeeded (or found it already live) and was healthy.
func (s Store) CheckPromotable(ctx context.Context, env, digest string) (*Deploy, error) {
	d, err := s.ForDigest(ctx, env, digest)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, fmt.Errorf("promote %s: it was never deployed to %s (no record in table %s); deploy it to %s first", digest, env, s.Table, env)
	}
	if d.Status != StatusSucceeded && d.Status != StatusNoOp {
		return d, fmt.Errorf("promote %s: its last deploy to %s (run %s, %s) ended %s; fix and redeploy it to %s first", digest, env, d.Run, d.FinishedAt.UTC().Format(time.RFC3339), d.Status, env)
	}
	if !d.Healthy {
		return d, fmt.Errorf("promote %s: its last deploy to %s (run %s) did not pass the smoke tests; redeploy it to %s and check its health first", digest, env, d.Run, env)
	}
	return d, nil
}
