// Package deploylock holds an explicit per-environment deploy lock in the
// DynamoDB state table, next to Terraform's own state lock: a conditional
// PutItem that succeeds only when no unexpired lock exists, naming the owner
// and run, released by a conditional DeleteItem.
package deploylock

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/deliverykit/podinfo/ci/deploy/clock"
)

// API is the DynamoDB subset the lock uses.
type API interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// SortKey is the lock item's sort key; its partition key is "env#<env>".
const SortKey = "lock"

// Options describe who takes the lock.
type Options struct {
	// Table is the state table (state_table_name output).
	Table string
	// Env is the environment locked.
	Env string
	// Owner is who deploys (GitHub actor, or user@host).
	Owner string
	// Run identifies this deploy (GitHub run ID, or a random ID).
	Run string
	// TTL is how long the lock lasts if never released (a crashed run);
	// DynamoDB's TTL on expires_at also deletes it eventually.
	TTL time.Duration
	// Clock tells time; nil is the wall clock.
	Clock clock.Clock
}

// Lock is a held deploy lock.
type Lock struct {
	api API
	o   Options
	// Expires is when the lock lapses unless released.
	Expires time.Time
}

// HeldError says who holds the lock.
type HeldError struct {
	Env, Table, Owner, Run, Since string
	Expires                       time.Time
}

// Error names the holder and the way out.
func (e *HeldError) Error() string {
	return fmt.Sprintf("another deploy to %s is running: lock held by %s (run %s) since %s until %s; wait for it to finish, or if that run is dead, delete the item pk=env#%s sk=%s from DynamoDB table %s",
		e.Env, e.Owner, e.Run, e.Since, e.Expires.UTC().Format(time.RFC3339), e.Env, SortKey, e.Table)
}

func partition(env string) string { return "env#" + env }

// Acquire takes the lock or returns a *HeldError naming its holder.
func Acquire(ctx context.Context, api API, o Options) (*Lock, error) {
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Table == "" || o.Env == "" || o.Owner == "" || o.Run == "" || o.TTL <= 0 {
		return nil, fmt.Errorf("deploy lock: table, env, owner, run and a positive TTL are required")
	}
	now := o.Clock.Now()
	expires := now.Add(o.TTL)
	_, err := api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(o.Table),
		Item: map[string]types.AttributeValue{
			"pk":          &types.AttributeValueMemberS{Value: partition(o.Env)},
			"sk":          &types.AttributeValueMemberS{Value: SortKey},
			"owner":       &types.AttributeValueMemberS{Value: o.Owner},
			"run":         &types.AttributeValueMemberS{Value: o.Run},
			"acquired_at": &types.AttributeValueMemberS{Value: now.UTC().Format(time.RFC3339)},
			"expires_at":  &types.AttributeValueMemberN{Value: strconv.FormatInt(expires.Unix(), 10)},
		},
		ConditionExpression:      aws.String("attribute_not_exists(#pk) OR #exp < :now"),
		ExpressionAttributeNames: map[string]string{"#pk": "pk", "#exp": "expires_at"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Unix(), 10)},
		},
	})
	if err != nil {
		var cond *types.ConditionalCheckFailedException
		if errors.As(err, &cond) {
			return nil, holder(ctx, api, o)
		}
		return nil, fmt.Errorf("take deploy lock for %s in table %s: %w", o.Env, o.Table, err)
	}
	return &Lock{api: api, o: o, Expires: expires}, nil
}

func holder(ctx context.Context, api API, o Options) error {
	out, err := api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(o.Table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: partition(o.Env)},
			"sk": &types.AttributeValueMemberS{Value: SortKey},
		},
	})
	if err != nil {
		return fmt.Errorf("deploy lock for %s is held, and reading its holder failed: %w", o.Env, err)
	}
	e := &HeldError{Env: o.Env, Table: o.Table}
	e.Owner, e.Run, e.Since = str(out.Item, "owner"), str(out.Item, "run"), str(out.Item, "acquired_at")
	if n, ok := out.Item["expires_at"].(*types.AttributeValueMemberN); ok {
		if sec, err := strconv.ParseInt(n.Value, 10, 64); err == nil {
			e.Expires = time.Unix(sec, 0)
		}
	}
	return e
}

func str(item map[string]types.AttributeValue, k string) string {
	if s, ok := item[k].(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return "?"
}

// Release deletes the lock if this run still holds it.
func (l *Lock) Release(ctx context.Context) error {
	_, err := l.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(l.o.Table),
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: partition(l.o.Env)},
			"sk": &types.AttributeValueMemberS{Value: SortKey},
		},
		ConditionExpression:      aws.String("#owner = :owner AND #run = :run"),
		ExpressionAttributeNames: map[string]string{"#owner": "owner", "#run": "run"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":owner": &types.AttributeValueMemberS{Value: l.o.Owner},
			":run":   &types.AttributeValueMemberS{Value: l.o.Run},
		},
	})
	if err != nil {
		var cond *types.ConditionalCheckFailedException
		if errors.As(err, &cond) {
			return fmt.Errorf("release deploy lock for %s: the lock is no longer ours (it expired and another run took it)", l.o.Env)
		}
		return fmt.Errorf("release deploy lock for %s: %w", l.o.Env, err)
	}
	return nil
}
