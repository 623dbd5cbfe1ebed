// Package deploy is the deployer: it puts one verified image digest live in
// one environment. The sequence, each step failing before traffic moves
// when its inputs are wrong:
//
//  1. validate --env and --digest;
//  2. terraform init (backend config), plan to a file with image_digest,
//     read the plan as JSON, check the root declares every deploy output,
//     apply the plan policy (prod refuses destroying or replacing protected
//     resources without --allow-destroy);
//  3. take the deploy lock in the state table (Terraform holds its own state
//     lock during plan and apply);
//  4. apply exactly the saved plan, read and validate the outputs;
//  5. preflight: STS caller identity, every alarm in alarm_names exists;
//  6. Lambda: update code, publish, CodeDeploy alias shift, smoke api_url;
//  7. EC2: blue/green listener shift with bake, alarm/health/smoke checks;
//     a failure here also puts the Lambda alias back;
//  8. record the outcome (current deploy, per-digest promotion record,
//     history) and write the JSON and markdown report.
//
// Resumption rule: a run that finds an unfinished shift resumes it when it
// is for the same digest, and otherwise rolls it back before deploying.
package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/deliverykit/podinfo/ci/deploy/alarms"
	"github.com/deliverykit/podinfo/ci/deploy/awsconf"
	"github.com/deliverykit/podinfo/ci/deploy/clock"
	"github.com/deliverykit/podinfo/ci/deploy/deploylock"
	"github.com/deliverykit/podinfo/ci/deploy/ec2roll"
	"github.com/deliverykit/podinfo/ci/deploy/envout"
	"github.com/deliverykit/podinfo/ci/deploy/lambdaroll"
	"github.com/deliverykit/podinfo/ci/deploy/record"
	"github.com/deliverykit/podinfo/ci/deploy/report"
	"github.com/deliverykit/podinfo/ci/deploy/tfrun"
	"github.com/deliverykit/podinfo/ci/smoke"
)

// Environments the deployer knows.
var Environments = []string{"dev", "staging", "prod"}

var digestRE = regexp.MustCompile(`^sha256:[a-f0-9]{64}$`)

// CheckEnv refuses an unknown environment name.
func CheckEnv(env string) error {
	for _, e := range Environments {
		if env == e {
			return nil
		}
	}
	return fmt.Errorf("--env %q: unknown environment; use one of %s", env, strings.Join(Environments, ", "))
}

// CheckDigest refuses anything but a sha256 image digest.
func CheckDigest(d string) error {
	if digestRE.MatchString(d) {
		return nil
	}
	hint := ""
	switch {
	case strings.Contains(d, "@"):
		hint = " (pass only the digest after '@')"
	case strings.Contains(d, ":") && !strings.HasPrefix(d, "sha256:"):
		hint = " (tags are never deployed; deploy by digest)"
	case strings.HasPrefix(d, "sha256:"):
		hint = " (a sha256 digest has 64 lowercase hex digits)"
	}
	return fmt.Errorf("--digest %q: not an image digest%s; want sha256:<64 lowercase hex>, the digest build-and-sign printed", d, hint)
}

// Config is one deploy.
type Config struct {
	// Env is dev, staging or prod.
	Env string
	// Digest is the verified image digest (sha256:...).
	Digest string
	// IaCDir is the environment's Terraform root; BackendConfig its
	// backend config file (empty: the root's own backend block only).
	IaCDir, BackendConfig string
	// Terraform is the terraform binary (default: "terraform" on PATH).
	Terraform string
	// DigestVar is the root variable receiving the digest (default image_digest).
	DigestVar string
	// Vars are extra root variables, "name=value" (HCL for lists and maps).
	Vars []string
	// AllowDestroy lets a prod plan destroy or replace protected resources.
	AllowDestroy bool
	// ProtectedTypes are added to tfrun.DefaultProtectedTypes.
	ProtectedTypes []string
	// DryRun stops after the plan and policy.
	DryRun bool
	// Region, when set, must equal the aws_region output.
	Region string
	// Actor and Run identify who deploys and from which run.
	Actor, Run string
	// ExpectVersion, when set, is the version /version must report at the end.
	ExpectVersion string
	// SkipSmoke skips the smoke tests (the deploy is then not recorded healthy).
	SkipSmoke bool
	// SmokeAttempts and SmokeInterval retry a failing smoke suite (default 3, 5s).
	SmokeAttempts int
	SmokeInterval time.Duration
	// LambdaUpdateTimeout, LambdaDeployTimeout and EC2HealthTimeout bound the waits.
	LambdaUpdateTimeout, LambdaDeployTimeout, EC2HealthTimeout time.Duration
	// Poll is the status poll interval; Grace the wait before scaling the
	// old colour down.
	Poll, Grace time.Duration
	// Bake, when set, overrides the ec2_bake_seconds output.
	Bake *time.Duration
	// LockTTL is how long the deploy lock lasts if never released.
	LockTTL time.Duration
	// AWS configures the SDK (endpoint, retries, call timeout); Region is
	// taken from the aws_region output.
	AWS awsconf.Options
	// TerraformEnv, when not nil, replaces Terraform's environment.
	TerraformEnv map[string]string
	// Log receives progress lines and Terraform's output; nil discards.
	Log io.Writer
	// Clock tells time and waits; nil is the wall clock.
	Clock clock.Clock
}

// Defaults fills unset durations and names.
func (c *Config) Defaults() {
	if c.Terraform == "" {
		c.Terraform = "terraform"
	}
	if c.DigestVar == "" {
		c.DigestVar = "image_digest"
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.LambdaUpdateTimeout, 5*time.Minute)
	def(&c.LambdaDeployTimeout, 45*time.Minute)
	def(&c.EC2HealthTimeout, 15*time.Minute)
	def(&c.Poll, 15*time.Second)
	def(&c.LockTTL, 2*time.Hour)
	def(&c.SmokeInterval, 5*time.Second)
	if c.SmokeAttempts == 0 {
		c.SmokeAttempts = 3
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
}

// Validate checks the inputs before anything runs.
func (c Config) Validate() error {
	var errs []error
	if err := CheckEnv(c.Env); err != nil {
		errs = append(errs, err)
	}
	if err := CheckDigest(c.Digest); err != nil {
		errs = append(errs, err)
	}
	if c.IaCDir == "" {
		errs = append(errs, errors.New("--iac-dir is required: the environment's Terraform root, e.g. iac/envs/prod"))
	} else if fi, err := os.Stat(c.IaCDir); err != nil || !fi.IsDir() {
		errs = append(errs, fmt.Errorf("--iac-dir %q: not a directory; pass the environment's Terraform root, e.g. iac/envs/prod", c.IaCDir))
	}
	if c.BackendConfig != "" {
		if _, err := os.Stat(c.BackendConfig); err != nil {
			errs = append(errs, fmt.Errorf("--backend-config %q: %v; pass the environment's backend file, e.g. iac/envs/prod/backend.tfbackend", c.BackendConfig, err))
		}
	}
	digestVar := c.DigestVar
	if digestVar == "" {
		digestVar = "image_digest"
	}
	for _, v := range c.Vars {
		if name, _, ok := strings.Cut(v, "="); !ok || name == "" || name == digestVar {
			errs = append(errs, fmt.Errorf("--var %q: want name=value for a root variable other than %s (the digest comes from --digest)", v, digestVar))
		}
	}
	if c.Actor == "" || c.Run == "" {
		errs = append(errs, errors.New("actor and run are required (--actor, --run; in GitHub Actions they default to GITHUB_ACTOR and GITHUB_RUN_ID)"))
	}
	return errors.Join(errs...)
}

type deployer struct {
	cfg   Config
	rep   *report.Report
	tf    *tfrun.Runner
	out   envout.Outputs
	raw   map[string]json.RawMessage
	aws   aws.Config
	store record.Store
	lock  *deploylock.Lock
	rec   record.Deploy
	// cleanup runs when the deploy ends (temporary files).
	cleanup []func()
}

func (d *deployer) logf(format string, args ...any) {
	fmt.Fprintf(d.cfg.Log, "deployer: "+format+"\n", args...)
}

// Run deploys and returns the report, complete whether or not it failed.
func Run(ctx context.Context, cfg Config) (*report.Report, error) {
	cfg.Defaults()
	rep := &report.Report{Env: cfg.Env, Digest: cfg.Digest, Actor: cfg.Actor, Run: cfg.Run, DryRun: cfg.DryRun, StartedAt: cfg.Clock.Now().UTC()}
	d := &deployer{cfg: cfg, rep: rep}
	err := d.run(ctx)
	for _, f := range d.cleanup {
		f()
	}
	if d.lock != nil {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		if lerr := d.lock.Release(rctx); lerr != nil {
			err = errors.Join(err, lerr)
		}
		cancel()
	}
	rep.FinishedAt = cfg.Clock.Now().UTC()
	if err != nil {
		rep.Error = err.Error()
		if rep.Outcome == "" || rep.Outcome == report.OutcomeSucceeded || rep.Outcome == report.OutcomeNoOp {
			rep.Outcome = report.OutcomeFailed
		}
	}
	return rep, err
}

func (d *deployer) run(ctx context.Context) error {
	if err := d.cfg.Validate(); err != nil {
		d.rep.Outcome = report.OutcomeRefused
		return err
	}
	plan, changes, err := d.plan(ctx)
	if err != nil {
		return err
	}
	if d.cfg.DryRun {
		d.rep.Outcome = report.OutcomeDryRun
		d.rep.Notes = append(d.rep.Notes, "dry run: stopped after the plan; nothing was applied and no traffic moved")
		return nil
	}
	// Lock before apply when the state already names the table (on the
	// first apply into an empty state it is taken right after).
	raw, err := d.tf.RawOutputs(ctx)
	if err != nil {
		return err
	}
	if table := jsonString(raw["state_table_name"]); table != "" {
		if err := d.connect(ctx, jsonString(raw["aws_region"])); err != nil {
			return err
		}
		if err := d.takeLock(ctx, table); err != nil {
			return err
		}
	}
	if changes {
		d.logf("applying %s", plan)
		if err := d.tf.Apply(ctx, plan); err != nil {
			return err
		}
		d.rep.Applied = true
	}
	if err := d.readOutputs(ctx); err != nil {
		return err
	}
	if d.lock == nil {
		if err := d.connect(ctx, d.out.AWSRegion); err != nil {
			return err
		}
		if err := d.takeLock(ctx, d.out.StateTableName); err != nil {
			return err
		}
	}
	if err := alarms.CheckExist(ctx, cloudwatch.NewFromConfig(d.aws), d.out.AWSRegion, d.out.AlarmNames); err != nil {
		return awsconf.Explain("check alarms", d.out.AWSRegion, err)
	}
	return d.rollout(ctx)
}

// plan runs init, plan and show, checks the declared outputs and the policy.
func (d *deployer) plan(ctx context.Context) (string, bool, error) {
	tf, err := tfrun.New(d.cfg.IaCDir, d.cfg.Terraform, tfrun.Options{LockTimeout: "120s", Stdout: d.cfg.Log, Stderr: d.cfg.Log, Env: d.cfg.TerraformEnv})
	if err != nil {
		return "", false, err
	}
	d.tf = tf
	d.logf("terraform init in %s", tf.Dir())
	if err := tf.Init(ctx, d.cfg.BackendConfig); err != nil {
		return "", false, err
	}
	// The plan file can hold sensitive values: keep it out of the root
	// (which callers may export) and remove it when the deploy ends.
	tmp, err := os.MkdirTemp("", "deployer-plan-")
	if err != nil {
		return "", false, fmt.Errorf("plan file directory: %w", err)
	}
	d.cleanup = append(d.cleanup, func() { os.RemoveAll(tmp) })
	planFile := filepath.Join(tmp, "deploy-"+d.cfg.Env+".tfplan")
	vars := append([]string{d.cfg.DigestVar + "=" + d.cfg.Digest}, d.cfg.Vars...)
	changes, err := tf.Plan(ctx, planFile, vars)
	if err != nil {
		return "", false, err
	}
	p, err := tf.ShowPlan(ctx, planFile)
	if err != nil {
		return "", false, err
	}
	if err := checkPlanOutputs(tf.Dir(), d.cfg.Env, p); err != nil {
		d.rep.Outcome = report.OutcomeRefused
		return "", false, err
	}
	policy := tfrun.Policy{Env: d.cfg.Env, AllowDestroy: d.cfg.AllowDestroy,
		ProtectedTypes: append(append([]string{}, tfrun.DefaultProtectedTypes...), d.cfg.ProtectedTypes...)}
	sum := policy.Summarize(p)
	d.rep.Plan = &sum
	d.logf("plan: %d to add, %d to change, %d to replace, %d to destroy", sum.Add, sum.Change, sum.Replace, sum.Destroy)
	if err := sum.Err(); err != nil {
		d.rep.Outcome = report.OutcomeRefused
		return "", false, err
	}
	return planFile, changes, nil
}

// checkPlanOutputs fails before apply when the root does not declare every
// contract output, or plans an environment output that is not --env.
func checkPlanOutputs(root, env string, p *tfjson.Plan) error {
	declared := map[string]bool{}
	if p.Config != nil && p.Config.RootModule != nil {
		for name := range p.Config.RootModule.Outputs {
			declared[name] = true
		}
	}
	if err := envout.CheckDeclared(root, declared); err != nil {
		return err
	}
	if p.PlannedValues != nil {
		if o, ok := p.PlannedValues.Outputs["environment"]; ok && o != nil {
			if s, ok := o.Value.(string); ok && s != env {
				return fmt.Errorf("--env %s but terraform root %s is environment %q; pass the root of %s (e.g. iac/envs/%s)", env, root, s, env, env)
			}
		}
	}
	return nil
}

// optionalInt32 reads an optional numeric output (0 when absent or not a number).
func optionalInt32(m json.RawMessage) int32 {
	var n int32
	if json.Unmarshal(m, &n) != nil {
		return 0
	}
	return n
}

func jsonString(m json.RawMessage) string {
	var s string
	if json.Unmarshal(m, &s) != nil {
		return ""
	}
	return s
}

func (d *deployer) readOutputs(ctx context.Context) error {
	raw, err := d.tf.RawOutputs(ctx)
	if err != nil {
		return err
	}
	out, err := envout.Parse(d.tf.Dir(), raw)
	if err != nil {
		return err
	}
	var errs []error
	if out.Environment != d.cfg.Env {
		errs = append(errs, fmt.Errorf("--env %s but terraform root %s outputs environment %q; pass the root of %s", d.cfg.Env, d.tf.Dir(), out.Environment, d.cfg.Env))
	}
	if out.ImageDigest != d.cfg.Digest {
		errs = append(errs, fmt.Errorf("output image_digest is %q after apply, not --digest %s; the root must pass var.%s through to image_digest", out.ImageDigest, d.cfg.Digest, d.cfg.DigestVar))
	}
	if !strings.HasSuffix(out.ImageURI, "@"+d.cfg.Digest) {
		errs = append(errs, fmt.Errorf("output image_uri %q does not end in @%s; the root must build it as repository@digest", out.ImageURI, d.cfg.Digest))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	d.out, d.raw = out, raw
	d.rep.ImageURI = out.ImageURI
	return nil
}

// connect loads the AWS configuration for region and checks the credentials.
func (d *deployer) connect(ctx context.Context, region string) error {
	if region == "" {
		return errors.New("the terraform root has no aws_region output value; add it (see ci/deploycontract)")
	}
	if d.cfg.Region != "" && d.cfg.Region != region {
		return fmt.Errorf("--region %s but the environment's aws_region output is %s; drop --region or deploy the root of that region", d.cfg.Region, region)
	}
	o := d.cfg.AWS
	o.Region = region
	cfg, err := awsconf.Load(ctx, o)
	if err != nil {
		return err
	}
	id, err := awsconf.Preflight(ctx, cfg)
	if err != nil {
		return err
	}
	d.aws = cfg
	d.rep.Identity = &id
	d.logf("aws account %s as %s in %s", id.Account, id.ARN, region)
	return nil
}

func (d *deployer) takeLock(ctx context.Context, table string) error {
	lock, err := deploylock.Acquire(ctx, dynamodb.NewFromConfig(d.aws), deploylock.Options{
		Table: table, Env: d.cfg.Env, Owner: d.cfg.Actor, Run: d.cfg.Run, TTL: d.cfg.LockTTL, Clock: d.cfg.Clock,
	})
	if err != nil {
		d.rep.Outcome = report.OutcomeRefused
		var held *deploylock.HeldError
		if errors.As(err, &held) {
			return err
		}
		return awsconf.Explain("take deploy lock", d.aws.Region, err)
	}
	d.lock = lock
	d.store = record.Store{API: dynamodb.NewFromConfig(d.aws), Table: table}
	return nil
}

// launchTemplateVersion is the launch_template_version output when the
// root has it, else latest_version of the aws_launch_template in state.
func (d *deployer) launchTemplateVersion(ctx context.Context) (string, error) {
	if v, ok := d.raw["launch_template_version"]; ok {
		var n json.Number
		if json.Unmarshal(v, &n) == nil && n.String() != "" {
			return n.String(), nil
		}
		if s := jsonString(v); s != "" {
			return s, nil
		}
	}
	st, err := d.tf.State(ctx)
	if err != nil {
		return "", err
	}
	var found string
	var walk func(m *tfjson.StateModule)
	walk = func(m *tfjson.StateModule) {
		if m == nil {
			return
		}
		for _, r := range m.Resources {
			if r.Type == "aws_launch_template" && r.AttributeValues["id"] == d.out.LaunchTemplateID {
				if f, ok := r.AttributeValues["latest_version"].(float64); ok {
					found = strconv.FormatInt(int64(f), 10)
				}
			}
		}
		for _, c := range m.ChildModules {
			walk(c)
		}
	}
	if st.Values != nil {
		walk(st.Values.RootModule)
	}
	if found == "" {
		return "", fmt.Errorf("launch template %s: no latest_version in the state and no launch_template_version output; add the output to the root", d.out.LaunchTemplateID)
	}
	return found, nil
}

func (d *deployer) smoke(ctx context.Context, url, expect string) (smoke.Result, error) {
	res, err := smoke.Run(ctx, smoke.Options{BaseURL: url, ExpectVersion: expect, Attempts: d.cfg.SmokeAttempts, Interval: d.cfg.SmokeInterval})
	d.rep.Smoke = append(d.rep.Smoke, res)
	return res, err
}

func (d *deployer) rollout(ctx context.Context) error {
	o := d.out
	cur, err := d.store.Current(ctx, d.cfg.Env)
	if err != nil {
		return awsconf.Explain("read deploy record", o.AWSRegion, err)
	}
	d.rec = record.Deploy{Env: d.cfg.Env, Digest: d.cfg.Digest, Actor: d.cfg.Actor, Run: d.cfg.Run, StartedAt: d.rep.StartedAt}
	var hint *ec2roll.InProgress
	if cur != nil && (cur.Status == record.StatusInProgress || cur.EC2 != nil) {
		hint = cur.EC2
		note := fmt.Sprintf("found an unfinished deploy of %s (run %s by %s); ", cur.Digest, cur.Run, cur.Actor)
		if cur.Digest == d.cfg.Digest {
			note += "same digest: resuming it"
		} else {
			note += "another digest: rolling its shift back before deploying"
		}
		d.rep.Notes = append(d.rep.Notes, note)
		d.logf("%s", note)
	}
	ltVersion, err := d.launchTemplateVersion(ctx)
	if err != nil {
		return err
	}

	// Lambda.
	lc := lambdaroll.Clients{Lambda: lambda.NewFromConfig(d.aws), CodeDeploy: codedeploy.NewFromConfig(d.aws)}
	lcfg := lambdaroll.Config{
		FunctionName: o.LambdaFunctionName, Alias: o.LambdaAliasName, ImageURI: o.ImageURI,
		AppName: o.CodeDeployAppName, GroupName: o.CodeDeployLambdaGroupName, DeploymentConfig: o.LambdaDeploymentConfig,
		UpdateTimeout: d.cfg.LambdaUpdateTimeout, DeployTimeout: d.cfg.LambdaDeployTimeout, Poll: d.cfg.Poll, Clock: d.cfg.Clock,
		OnShift: func(ctx context.Context, from, to, _ string) error {
			d.rec.LambdaFrom, d.rec.LambdaTo, d.rec.EC2 = from, to, hint
			return d.store.Begin(ctx, d.rec)
		},
	}
	d.logf("lambda: shifting %s:%s to %s", o.LambdaFunctionName, o.LambdaAliasName, o.ImageURI)
	lres, lerr := lambdaroll.Rollout(ctx, lc, lcfg)
	d.rep.Lambda = &lres
	if lerr != nil {
		return d.finish(ctx, report.OutcomeRolledBack, awsconf.Explain("lambda rollout", o.AWSRegion, lerr), lres.Outcome == lambdaroll.OutcomeFailed)
	}
	healthy := true
	if !d.cfg.SkipSmoke {
		if _, err := d.smoke(ctx, o.APIURL, d.cfg.ExpectVersion); err != nil {
			if lres.Outcome != lambdaroll.OutcomeNoOp {
				rb, rerr := lambdaroll.RestoreAlias(ctx, lc, lcfg, lres.PreviousVersion)
				d.rep.Lambda.Events = append(d.rep.Lambda.Events, rb.Events...)
				d.rep.Lambda.Outcome = lambdaroll.OutcomeRolledBack
				return d.finish(ctx, report.OutcomeRolledBack, errors.Join(fmt.Errorf("lambda smoke test after the shift: %w; alias put back on version %s", err, lres.PreviousVersion), rerr), false)
			}
			healthy = false
		}
	}

	// EC2.
	ec := ec2roll.Clients{ELB: elbv2.NewFromConfig(d.aws), ASG: autoscaling.NewFromConfig(d.aws), Alarms: cloudwatch.NewFromConfig(d.aws)}
	bake := time.Duration(o.EC2BakeSeconds) * time.Second
	if d.cfg.Bake != nil {
		bake = *d.cfg.Bake
	}
	ecfg := ec2roll.Config{
		Digest: d.cfg.Digest, ListenerARN: o.ALBListenerARN,
		Blue:             ec2roll.Side{TargetGroupARN: o.BlueTargetGroupARN, ASGName: o.BlueASGName},
		Green:            ec2roll.Side{TargetGroupARN: o.GreenTargetGroupARN, ASGName: o.GreenASGName},
		LaunchTemplateID: o.LaunchTemplateID, LaunchTemplateVersion: ltVersion, Capacity: o.ASGDesiredCapacity,
		MinSize: optionalInt32(d.raw["asg_min_size"]),
		Steps:   o.EC2ShiftSteps, Bake: bake, Grace: d.cfg.Grace, HealthTimeout: d.cfg.EC2HealthTimeout, Poll: d.cfg.Poll,
		AlarmNames: o.AlarmNames, Hint: hint, Clock: d.cfg.Clock,
		OnShift: func(ctx context.Context, p ec2roll.InProgress) error {
			d.rec.EC2 = &p
			return d.store.Begin(ctx, d.rec)
		},
	}
	if !d.cfg.SkipSmoke {
		ecfg.Smoke = func(ctx context.Context, w int32) error {
			expect := ""
			if w == 100 {
				expect = d.cfg.ExpectVersion
			}
			_, err := d.smoke(ctx, o.ALBURL, expect)
			return err
		}
	}
	d.logf("ec2: shifting %s to launch template %s version %s in steps %v", o.ALBListenerARN, o.LaunchTemplateID, ltVersion, o.EC2ShiftSteps)
	eres, eerr := ec2roll.Rollout(ctx, ec, ecfg)
	d.rep.EC2 = &eres
	if eerr != nil {
		if lres.Outcome == lambdaroll.OutcomeSucceeded {
			rb, rerr := lambdaroll.RestoreAlias(ctx, lc, lcfg, lres.PreviousVersion)
			d.rep.Lambda.Events = append(d.rep.Lambda.Events, rb.Events...)
			d.rep.Lambda.Outcome = lambdaroll.OutcomeRolledBack
			d.rep.Notes = append(d.rep.Notes, fmt.Sprintf("EC2 rollout failed, so the Lambda alias was put back on version %s too: both targets keep running one digest", lres.PreviousVersion))
			eerr = errors.Join(eerr, rerr)
		}
		return d.finish(ctx, report.OutcomeRolledBack, awsconf.Explain("ec2 rollout", o.AWSRegion, eerr), eres.Outcome == ec2roll.OutcomeFailed)
	}
	if eres.Outcome == ec2roll.OutcomeNoOp && !d.cfg.SkipSmoke {
		if _, err := d.smoke(ctx, o.ALBURL, d.cfg.ExpectVersion); err != nil {
			healthy = false
		}
	}
	outcome := report.OutcomeSucceeded
	if lres.Outcome == lambdaroll.OutcomeNoOp && eres.Outcome == ec2roll.OutcomeNoOp {
		outcome = report.OutcomeNoOp
		d.rep.Notes = append(d.rep.Notes, fmt.Sprintf("%s is already live on Lambda and EC2 in %s; nothing to do", d.cfg.Digest, d.cfg.Env))
	}
	d.rep.Healthy = healthy && !d.cfg.SkipSmoke
	for _, s := range d.rep.Smoke {
		if s.Version != "" {
			d.rep.Version, d.rep.Revision = s.Version, s.Revision
		}
	}
	if d.cfg.SkipSmoke {
		d.rep.Notes = append(d.rep.Notes, "smoke tests skipped: the deploy is not recorded healthy, so promote will refuse this digest")
	}
	var unhealthy error
	if !healthy {
		unhealthy = errors.New("the new version is live but its smoke tests failed (see the report); it is recorded unhealthy, so promote refuses it")
	}
	return d.finish(ctx, outcome, unhealthy, false)
}

// finish records the outcome; failed marks an error that left the
// environment in an unknown state rather than rolled back.
func (d *deployer) finish(ctx context.Context, outcome string, cause error, failed bool) error {
	if failed {
		outcome = report.OutcomeFailed
	}
	d.rep.Outcome = outcome
	d.rec.Status = map[string]string{
		report.OutcomeSucceeded: record.StatusSucceeded, report.OutcomeNoOp: record.StatusNoOp,
		report.OutcomeRolledBack: record.StatusRolledBack, report.OutcomeFailed: record.StatusFailed,
	}[outcome]
	d.rec.Healthy = d.rep.Healthy
	d.rec.Version, d.rec.Revision = d.rep.Version, d.rep.Revision
	d.rec.FinishedAt = d.cfg.Clock.Now().UTC()
	if outcome != report.OutcomeFailed {
		d.rec.EC2 = nil // nothing left half-done
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if err := d.store.Finish(rctx, d.rec); err != nil {
		return errors.Join(cause, err)
	}
	return cause
}
