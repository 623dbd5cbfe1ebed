// Command deployer puts one verified image digest live in one environment:
// Terraform plan, policy and apply, then the Lambda alias shift through
// CodeDeploy and the EC2 blue/green listener shift, with smoke tests and
// automatic rollback, a deploy lock and a deploy record in the state table,
// and a JSON and markdown report. The Dagger module builds it from ci/ and
// runs it in the Terraform container.
//
// Deploy (the default command):
//
//	deployer [deploy] --env prod --digest sha256:... --iac-dir iac/envs/prod \
//	    [--backend-config iac/envs/prod/backend.tfbackend] [--report-dir out] \
//	    [--allow-destroy] [--dry-run] [--protect-type TYPE]... [--var name=value]... \
//	    [--terraform terraform] [--digest-var image_digest] [--region R] \
//	    [--actor A] [--run ID] [--expect-version V] [--skip-smoke] \
//	    [--poll 15s] [--grace 60s] [--bake DURATION] [--lambda-update-timeout 5m] \
//	    [--lambda-deploy-timeout 45m] [--ec2-health-timeout 15m] [--lock-ttl 3h15m] \
//	    [--aws-max-attempts 5] [--aws-call-timeout 60s] [--aws-endpoint URL] [--timeout 3h]
//
// Promotion check (refuses a digest not deployed healthy to the source env):
//
//	deployer promote-check --from staging --digest sha256:... \
//	    (--state-table T --region R | --iac-dir iac/envs/staging [--backend-config F])
//
// AWS credentials come from the SDK's default chain (env, profile, web
// identity); AWS_ENDPOINT_URL also redirects every call. Exit codes: 0 done
// (or no-op, dry run, promotable), 1 the deploy failed or was rolled back,
// 2 bad usage or refused input (nothing changed).
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"os/user"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/deliverykit/podinfo/ci/deploy"
	"github.com/deliverykit/podinfo/ci/deploy/awsconf"
	"github.com/deliverykit/podinfo/ci/deploy/record"
	"github.com/deliverykit/podinfo/ci/deploy/report"
	"github.com/deliverykit/podinfo/ci/deploy/tfrun"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "deploy":
			return runDeploy(ctx, args[1:], stdout, stderr)
		case "promote-check":
			return runPromoteCheck(ctx, args[1:], stdout, stderr)
		default:
			fmt.Fprintf(stderr, "deployer: unknown command %q; use deploy (the default) or promote-check\n", args[0])
			return 2
		}
	}
	return runDeploy(ctx, args, stdout, stderr)
}

// multiFlag collects a repeatable flag.
type multiFlag []string

// String joins the values (flag.Value).
func (m *multiFlag) String() string { return strings.Join(*m, ",") }

// Set adds one value (flag.Value).
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// bakeFlag is an optional duration: nil until set.
type bakeFlag struct{ d *time.Duration }

// String prints the duration, empty when unset (flag.Value).
func (b *bakeFlag) String() string {
	if b.d == nil {
		return ""
	}
	return b.d.String()
}

// Set parses a non-negative duration (flag.Value).
func (b *bakeFlag) Set(v string) error {
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return fmt.Errorf("want a duration of 0 or more, e.g. 5m")
	}
	b.d = &d
	return nil
}

func defaultActor() string {
	if a := os.Getenv("GITHUB_ACTOR"); a != "" {
		return a
	}
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	host, _ := os.Hostname()
	return name + "@" + host
}

func defaultRun() string {
	if id := os.Getenv("GITHUB_RUN_ID"); id != "" {
		return id + "." + os.Getenv("GITHUB_RUN_ATTEMPT")
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return "local-" + hex.EncodeToString(b)
}

func runDeploy(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("deployer deploy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c deploy.Config
	var protect, vars multiFlag
	var bake bakeFlag
	var reportDir string
	var timeout time.Duration
	fs.StringVar(&c.Env, "env", "", "environment: dev, staging or prod (required)")
	fs.StringVar(&c.Digest, "digest", "", "verified image digest, sha256:<64 hex> (required)")
	fs.StringVar(&c.IaCDir, "iac-dir", "", "the environment's Terraform root, e.g. iac/envs/prod (required)")
	fs.StringVar(&c.BackendConfig, "backend-config", "", "backend config file for terraform init, e.g. iac/envs/prod/backend.tfbackend")
	fs.BoolVar(&c.AllowDestroy, "allow-destroy", false, "let a prod plan destroy or replace protected (stateful or networking) resources")
	fs.Var(&protect, "protect-type", "extra resource type the prod plan policy protects (repeatable)")
	fs.Var(&vars, "var", "extra root variable name=value for plan (repeatable; never secrets: argv is visible)")
	fs.BoolVar(&c.DryRun, "dry-run", false, "stop after plan and policy: apply nothing, move no traffic")
	fs.StringVar(&reportDir, "report-dir", "", "write "+report.JSONFile+" and "+report.MarkdownFile+" here")
	fs.StringVar(&c.Terraform, "terraform", "terraform", "terraform binary")
	fs.StringVar(&c.DigestVar, "digest-var", "image_digest", "root variable that receives the digest")
	fs.StringVar(&c.Region, "region", "", "expected AWS region; must equal the aws_region output")
	fs.StringVar(&c.Actor, "actor", defaultActor(), "who deploys (recorded)")
	fs.StringVar(&c.Run, "run", defaultRun(), "run ID (recorded, owns the deploy lock)")
	fs.StringVar(&c.ExpectVersion, "expect-version", "", "version /version must report once live (empty: any)")
	fs.BoolVar(&c.SkipSmoke, "skip-smoke", false, "skip smoke tests (the deploy is then recorded unhealthy)")
	fs.DurationVar(&c.Poll, "poll", 15*time.Second, "status poll interval")
	fs.DurationVar(&c.Grace, "grace", 60*time.Second, "wait at 100% before scaling the old colour to 0")
	fs.Var(&bake, "bake", "bake time per EC2 step (default: the ec2_bake_seconds output)")
	fs.DurationVar(&c.LambdaUpdateTimeout, "lambda-update-timeout", 5*time.Minute, "bound on the Lambda code update")
	fs.DurationVar(&c.LambdaDeployTimeout, "lambda-deploy-timeout", 45*time.Minute, "bound on the CodeDeploy shift; then it is stopped and rolled back")
	fs.DurationVar(&c.EC2HealthTimeout, "ec2-health-timeout", 15*time.Minute, "bound on the new colour's targets turning healthy")
	fs.DurationVar(&c.LockTTL, "lock-ttl", 0, "deploy lock lifetime if never released (default: --timeout plus 15m, so a live run never loses it)")
	fs.IntVar(&c.AWS.MaxAttempts, "aws-max-attempts", 5, "attempts per AWS call (SDK standard retryer, exponential backoff)")
	fs.DurationVar(&c.AWS.CallTimeout, "aws-call-timeout", 60*time.Second, "bound on one AWS call including retries")
	fs.StringVar(&c.AWS.Endpoint, "aws-endpoint", "", "send every AWS call to this base URL (VPC endpoints, local stand-ins)")
	fs.DurationVar(&timeout, "timeout", 3*time.Hour, "bound on the whole deploy")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "deployer: unexpected arguments %q; every input is a flag\n", fs.Args())
		return 2
	}
	if c.AWS.MaxAttempts < 1 || c.AWS.MaxAttempts > 20 {
		fmt.Fprintf(stderr, "deployer: --aws-max-attempts %d: want 1 to 20\n", c.AWS.MaxAttempts)
		return 2
	}
	if c.LockTTL == 0 {
		c.LockTTL = timeout + 15*time.Minute
	}
	for name, d := range map[string]time.Duration{"poll": c.Poll, "lambda-update-timeout": c.LambdaUpdateTimeout, "lambda-deploy-timeout": c.LambdaDeployTimeout,
		"ec2-health-timeout": c.EC2HealthTimeout, "lock-ttl": c.LockTTL, "aws-call-timeout": c.AWS.CallTimeout, "timeout": timeout} {
		if d <= 0 {
			fmt.Fprintf(stderr, "deployer: --%s %s: must be positive\n", name, d)
			return 2
		}
	}
	if c.Grace < 0 {
		fmt.Fprintf(stderr, "deployer: --grace %s: must not be negative\n", c.Grace)
		return 2
	}
	c.ProtectedTypes = protect
	c.Vars = vars
	c.Bake = bake.d
	c.Log = stderr
	if err := c.Validate(); err != nil {
		fmt.Fprintf(stderr, "deployer: %v\n", strings.ReplaceAll(err.Error(), "\n", "\ndeployer: "))
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	rep, err := deploy.Run(ctx, c)
	if reportDir != "" {
		if werr := report.Write(reportDir, *rep); werr != nil {
			fmt.Fprintf(stderr, "deployer: %v\n", werr)
			err = errors.Join(err, werr)
		}
	}
	fmt.Fprintf(stdout, "deploy %s to %s: %s\n", c.Digest, c.Env, rep.Outcome)
	for _, n := range rep.Notes {
		fmt.Fprintf(stdout, "  %s\n", n)
	}
	if err != nil {
		fmt.Fprintf(stderr, "deployer: %v\n", err)
		if rep.Outcome == report.OutcomeRefused {
			return 2
		}
		return 1
	}
	return 0
}

func runPromoteCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("deployer promote-check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var from, digest, table, region, iacDir, backend, terraform, endpoint string
	fs.StringVar(&from, "from", "", "source environment the digest must be healthy in (required)")
	fs.StringVar(&digest, "digest", "", "digest to promote (required)")
	fs.StringVar(&table, "state-table", "", "source environment's state table (or give --iac-dir)")
	fs.StringVar(&region, "region", "", "source environment's region (with --state-table)")
	fs.StringVar(&iacDir, "iac-dir", "", "source environment's Terraform root, to read state_table_name and aws_region")
	fs.StringVar(&backend, "backend-config", "", "backend config for --iac-dir")
	fs.StringVar(&terraform, "terraform", "terraform", "terraform binary (with --iac-dir)")
	fs.StringVar(&endpoint, "aws-endpoint", "", "send every AWS call to this base URL")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	var errs []error
	if err := deploy.CheckEnv(from); err != nil {
		errs = append(errs, fmt.Errorf("--from: %w", err))
	}
	if err := deploy.CheckDigest(digest); err != nil {
		errs = append(errs, err)
	}
	if (table == "") == (iacDir == "") {
		errs = append(errs, errors.New("give either --state-table with --region, or --iac-dir of the source environment"))
	}
	if table != "" && region == "" {
		errs = append(errs, errors.New("--state-table needs --region"))
	}
	if err := errors.Join(errs...); err != nil {
		fmt.Fprintf(stderr, "deployer promote-check: %v\n", err)
		return 2
	}
	if iacDir != "" {
		tf, err := tfrun.New(iacDir, terraform, tfrun.Options{Stdout: stderr, Stderr: stderr})
		if err == nil {
			err = tf.Init(ctx, backend)
		}
		if err == nil {
			var outs map[string]json.RawMessage
			outs, err = tf.RawOutputs(ctx)
			table, region = jsonString(outs["state_table_name"]), jsonString(outs["aws_region"])
			if err == nil && (table == "" || region == "") {
				err = fmt.Errorf("terraform root %s has no state_table_name or aws_region output value; apply it first", iacDir)
			}
		}
		if err != nil {
			fmt.Fprintf(stderr, "deployer promote-check: %v\n", err)
			return 1
		}
	}
	cfg, err := awsconf.Load(ctx, awsconf.Options{Region: region, Endpoint: endpoint})
	if err != nil {
		fmt.Fprintf(stderr, "deployer promote-check: %v\n", err)
		return 1
	}
	store := record.Store{API: dynamodb.NewFromConfig(cfg), Table: table}
	d, err := store.CheckPromotable(ctx, from, digest)
	if err != nil {
		fmt.Fprintf(stderr, "deployer promote-check: %v\n", awsconf.Explain("check promotion record", region, err))
		return 1
	}
	fmt.Fprintf(stdout, "%s is promotable: deployed to %s %s by %s (run %s), version %s, healthy\n",
		digest, from, d.FinishedAt.UTC().Format(time.RFC3339), d.Actor, d.Run, d.Version)
	return 0
}

func jsonString(m json.RawMessage) string {
	var s string
	if json.Unmarshal(m, &s) != nil {
		return ""
	}
	return s
}
