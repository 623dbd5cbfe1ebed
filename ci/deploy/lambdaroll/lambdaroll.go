// Package lambdaroll rolls an image digest out to a Lambda function: it
// updates the function code to repo@digest, waits for the update, publishes a
// version, and has CodeDeploy shift the live alias to it (canary or linear,
// per the deployment group's config), watching the deployment until it
// succeeds, fails or is stopped by alarms. When it does not succeed, the
// alias is verified to be back on the previous version, and put back if not.
package lambdaroll

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/deliverykit/podinfo/ci/deploy/clock"
)

// Lambda is the Lambda subset the rollout calls.
type Lambda interface {
	GetAlias(ctx context.Context, in *lambda.GetAliasInput, opts ...func(*lambda.Options)) (*lambda.GetAliasOutput, error)
	UpdateAlias(ctx context.Context, in *lambda.UpdateAliasInput, opts ...func(*lambda.Options)) (*lambda.UpdateAliasOutput, error)
	GetFunction(ctx context.Context, in *lambda.GetFunctionInput, opts ...func(*lambda.Options)) (*lambda.GetFunctionOutput, error)
	GetFunctionConfiguration(ctx context.Context, in *lambda.GetFunctionConfigurationInput, opts ...func(*lambda.Options)) (*lambda.GetFunctionConfigurationOutput, error)
	UpdateFunctionCode(ctx context.Context, in *lambda.UpdateFunctionCodeInput, opts ...func(*lambda.Options)) (*lambda.UpdateFunctionCodeOutput, error)
	PublishVersion(ctx context.Context, in *lambda.PublishVersionInput, opts ...func(*lambda.Options)) (*lambda.PublishVersionOutput, error)
}

// CodeDeploy is the CodeDeploy subset the rollout calls.
type CodeDeploy interface {
	CreateDeployment(ctx context.Context, in *codedeploy.CreateDeploymentInput, opts ...func(*codedeploy.Options)) (*codedeploy.CreateDeploymentOutput, error)
	GetDeployment(ctx context.Context, in *codedeploy.GetDeploymentInput, opts ...func(*codedeploy.Options)) (*codedeploy.GetDeploymentOutput, error)
	StopDeployment(ctx context.Context, in *codedeploy.StopDeploymentInput, opts ...func(*codedeploy.Options)) (*codedeploy.StopDeploymentOutput, error)
	ListDeployments(ctx context.Context, in *codedeploy.ListDeploymentsInput, opts ...func(*codedeploy.Options)) (*codedeploy.ListDeploymentsOutput, error)
}

// Clients are the AWS APIs the rollout uses.
type Clients struct {
	Lambda     Lambda
	CodeDeploy CodeDeploy
}

// Config is one rollout.
type Config struct {
	// FunctionName and Alias carry live traffic ("live").
	FunctionName, Alias string
	// ImageURI is repo@sha256:... to run.
	ImageURI string
	// AppName and GroupName are the CodeDeploy application and deployment group.
	AppName, GroupName string
	// DeploymentConfig is the CodeDeploy config ("CodeDeployDefault.LambdaCanary10Percent5Minutes").
	DeploymentConfig string
	// UpdateTimeout bounds the wait for the code update.
	UpdateTimeout time.Duration
	// DeployTimeout bounds the CodeDeploy shift; past it the deployment is
	// stopped with rollback.
	DeployTimeout time.Duration
	// Poll is the interval between status polls.
	Poll time.Duration
	// OnShift, when set, runs once the deployment is created, with the
	// versions being shifted, so the caller can record it as in progress.
	OnShift func(ctx context.Context, from, to, deploymentID string) error
	// Clock tells time and waits; nil is the wall clock.
	Clock clock.Clock
}

// Outcomes of a rollout.
const (
	OutcomeSucceeded  = "succeeded"
	OutcomeRolledBack = "rolled-back"
	OutcomeNoOp       = "no-op"
	OutcomeFailed     = "failed"
)

// Event is one timestamped thing the rollout saw or did.
type Event struct {
	At     time.Time `json:"at"`
	Name   string    `json:"name"`
	OK     bool      `json:"ok"`
	Detail string    `json:"detail,omitempty"`
}

// Result says what the rollout did.
type Result struct {
	Outcome         string  `json:"outcome"`
	PreviousVersion string  `json:"previous_version,omitempty"`
	NewVersion      string  `json:"new_version,omitempty"`
	DeploymentID    string  `json:"deployment_id,omitempty"`
	Resumed         bool    `json:"resumed,omitempty"`
	Message         string  `json:"message,omitempty"`
	Events          []Event `json:"events,omitempty"`
}

// Validate checks a Config before any call is made.
func (c Config) Validate() error {
	var p []string
	for name, v := range map[string]string{"function name": c.FunctionName, "alias": c.Alias, "CodeDeploy application": c.AppName,
		"CodeDeploy deployment group": c.GroupName, "deployment config": c.DeploymentConfig} {
		if v == "" {
			p = append(p, name+" is empty")
		}
	}
	if _, d, ok := strings.Cut(c.ImageURI, "@"); !ok || !strings.HasPrefix(d, "sha256:") {
		p = append(p, fmt.Sprintf("image URI %q is not repo@sha256:<digest>", c.ImageURI))
	}
	if c.UpdateTimeout <= 0 || c.DeployTimeout <= 0 || c.Poll <= 0 {
		p = append(p, "timeouts and poll interval must be positive")
	}
	if len(p) > 0 {
		return fmt.Errorf("lambda rollout config: %s", strings.Join(p, "; "))
	}
	return nil
}

type roller struct {
	c   Clients
	cfg Config
	clk clock.Clock
	res *Result
}

// Rollout puts cfg.ImageURI live behind the alias.
func Rollout(ctx context.Context, c Clients, cfg Config) (Result, error) {
	if err := cfg.Validate(); err != nil {
		return Result{Outcome: OutcomeFailed}, err
	}
	r := &roller{c: c, cfg: cfg, clk: cfg.Clock, res: &Result{}}
	if r.clk == nil {
		r.clk = clock.Real{}
	}
	err := r.run(ctx)
	return *r.res, err
}

func (r *roller) event(name string, ok bool, format string, args ...any) {
	r.res.Events = append(r.res.Events, Event{At: r.clk.Now().UTC(), Name: name, OK: ok, Detail: fmt.Sprintf(format, args...)})
}

func digestOf(uri string) string {
	_, d, _ := strings.Cut(uri, "@")
	return d
}

func (r *roller) run(ctx context.Context) error {
	want := digestOf(r.cfg.ImageURI)
	alias, err := r.alias(ctx)
	if err != nil {
		r.res.Outcome = OutcomeFailed
		return err
	}
	prev := aws.ToString(alias.FunctionVersion)
	r.res.PreviousVersion = prev

	// A deployment still running for the group: resume it when it shifts
	// to our digest, stop it (with rollback) otherwise.
	active, err := r.activeDeployment(ctx)
	if err != nil {
		r.res.Outcome = OutcomeFailed
		return err
	}
	if active != nil {
		spec := parseAppSpec(active.appSpec)
		img, err := r.versionImage(ctx, spec.TargetVersion)
		if err == nil && digestOf(img) == want && spec.CurrentVersion == prev {
			r.res.Resumed, r.res.DeploymentID, r.res.NewVersion = true, active.id, spec.TargetVersion
			r.res.Message = fmt.Sprintf("resumed CodeDeploy deployment %s shifting %s from version %s to %s", active.id, r.cfg.Alias, prev, spec.TargetVersion)
			r.event("resume", true, "%s", r.res.Message)
			return r.watch(ctx, active.id, prev)
		}
		r.event("stop-interrupted", true, "stopping deployment %s of another image (%s) with rollback", active.id, img)
		if err := r.stop(ctx, active.id); err != nil {
			r.res.Outcome = OutcomeFailed
			return err
		}
		if _, err := r.waitDone(ctx, active.id, 5*time.Minute); err != nil {
			r.res.Outcome = OutcomeFailed
			return err
		}
		if spec.CurrentVersion != "" {
			prev = spec.CurrentVersion
			r.res.PreviousVersion = prev
		}
		if err := r.ensureAlias(ctx, prev); err != nil {
			r.res.Outcome = OutcomeFailed
			return err
		}
		alias, err = r.alias(ctx)
		if err != nil {
			r.res.Outcome = OutcomeFailed
			return err
		}
	}
	shifting := alias.RoutingConfig != nil && len(alias.RoutingConfig.AdditionalVersionWeights) > 0
	if shifting {
		// Weighted alias with no deployment running: an interrupted shift
		// whose rollback never ran. Put all traffic back on the main version.
		r.event("repair-alias", true, "alias %s had weighted routing %v with no deployment running; restoring version %s", r.cfg.Alias, alias.RoutingConfig.AdditionalVersionWeights, prev)
		if err := r.ensureAlias(ctx, prev); err != nil {
			r.res.Outcome = OutcomeFailed
			return err
		}
	}
	live, err := r.versionImage(ctx, prev)
	if err != nil {
		r.res.Outcome = OutcomeFailed
		return err
	}
	if digestOf(live) == want {
		r.res.Outcome, r.res.NewVersion = OutcomeNoOp, prev
		r.res.Message = fmt.Sprintf("%s is already live on %s:%s (version %s); nothing to do", want, r.cfg.FunctionName, r.cfg.Alias, prev)
		return nil
	}

	newVersion, err := r.publish(ctx)
	if err != nil {
		r.res.Outcome = OutcomeFailed
		return err
	}
	r.res.NewVersion = newVersion
	if newVersion == prev {
		r.res.Outcome = OutcomeFailed
		return fmt.Errorf("published version %s equals the live version; the alias already points at this code", newVersion)
	}
	id, err := r.createDeployment(ctx, prev, newVersion)
	if err != nil {
		r.res.Outcome = OutcomeFailed
		return err
	}
	r.res.DeploymentID = id
	if r.cfg.OnShift != nil {
		if err := r.cfg.OnShift(ctx, prev, newVersion, id); err != nil {
			_ = r.stop(ctx, id)
			return r.rollback(ctx, prev, fmt.Errorf("record shift in progress: %w", err))
		}
	}
	return r.watch(ctx, id, prev)
}

func (r *roller) alias(ctx context.Context) (*lambda.GetAliasOutput, error) {
	a, err := r.c.Lambda.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String(r.cfg.FunctionName), Name: aws.String(r.cfg.Alias)})
	if err != nil {
		return nil, fmt.Errorf("get alias %s:%s: %w", r.cfg.FunctionName, r.cfg.Alias, err)
	}
	return a, nil
}

func (r *roller) versionImage(ctx context.Context, version string) (string, error) {
	out, err := r.c.Lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(r.cfg.FunctionName), Qualifier: aws.String(version)})
	if err != nil {
		return "", fmt.Errorf("get function %s version %s: %w", r.cfg.FunctionName, version, err)
	}
	if out.Code == nil {
		return "", fmt.Errorf("function %s version %s has no code location; is it a container image function?", r.cfg.FunctionName, version)
	}
	if img := aws.ToString(out.Code.ResolvedImageUri); img != "" {
		return img, nil
	}
	return aws.ToString(out.Code.ImageUri), nil
}

// publish updates $LATEST to the image, waits for the update and publishes
// a version of exactly that code.
func (r *roller) publish(ctx context.Context) (string, error) {
	up, err := r.c.Lambda.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{
		FunctionName: aws.String(r.cfg.FunctionName), ImageUri: aws.String(r.cfg.ImageURI),
	})
	if err != nil {
		return "", fmt.Errorf("update function %s code to %s: %w", r.cfg.FunctionName, r.cfg.ImageURI, err)
	}
	r.event("update-code", true, "%s code set to %s", r.cfg.FunctionName, r.cfg.ImageURI)
	deadline := r.clk.Now().Add(r.cfg.UpdateTimeout)
	sha := aws.ToString(up.CodeSha256)
	for {
		conf, err := r.c.Lambda.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(r.cfg.FunctionName)})
		if err != nil {
			return "", fmt.Errorf("wait for %s update: %w", r.cfg.FunctionName, err)
		}
		switch conf.LastUpdateStatus {
		case lambdatypes.LastUpdateStatusSuccessful:
			sha = aws.ToString(conf.CodeSha256)
			r.event("code-updated", true, "update finished")
			pub, err := r.c.Lambda.PublishVersion(ctx, &lambda.PublishVersionInput{
				FunctionName: aws.String(r.cfg.FunctionName), CodeSha256: aws.String(sha),
				Description: aws.String("deploy " + digestOf(r.cfg.ImageURI)),
			})
			if err != nil {
				return "", fmt.Errorf("publish version of %s: %w", r.cfg.FunctionName, err)
			}
			r.event("publish-version", true, "version %s", aws.ToString(pub.Version))
			return aws.ToString(pub.Version), nil
		case lambdatypes.LastUpdateStatusFailed:
			r.event("code-updated", false, "%s", aws.ToString(conf.LastUpdateStatusReason))
			return "", fmt.Errorf("update of %s to %s failed (%s): %s", r.cfg.FunctionName, r.cfg.ImageURI, conf.LastUpdateStatusReasonCode, aws.ToString(conf.LastUpdateStatusReason))
		}
		if !r.clk.Now().Before(deadline) {
			return "", fmt.Errorf("update of %s to %s still %s after %s", r.cfg.FunctionName, r.cfg.ImageURI, conf.LastUpdateStatus, r.cfg.UpdateTimeout)
		}
		if err := r.clk.Sleep(ctx, r.cfg.Poll); err != nil {
			return "", fmt.Errorf("wait for %s update: %w", r.cfg.FunctionName, err)
		}
	}
}

// AppSpec is the CodeDeploy AppSpec for a Lambda alias shift.
type AppSpec struct {
	Version   string                       `json:"version"`
	Resources []map[string]AppSpecResource `json:"Resources"`
}

// AppSpecResource is the function whose alias moves.
type AppSpecResource struct {
	Type       string          `json:"Type"`
	Properties AppSpecFunction `json:"Properties"`
}

// AppSpecFunction names the alias and the versions it moves between.
type AppSpecFunction struct {
	Name           string `json:"Name"`
	Alias          string `json:"Alias"`
	CurrentVersion string `json:"CurrentVersion"`
	TargetVersion  string `json:"TargetVersion"`
}

// NewAppSpec returns the AppSpec (JSON, which CodeDeploy accepts as YAML)
// moving alias of function from version current to target.
func NewAppSpec(function, alias, current, target string) string {
	spec := AppSpec{Version: "0.0", Resources: []map[string]AppSpecResource{{
		function: {Type: "AWS::Lambda::Function", Properties: AppSpecFunction{Name: function, Alias: alias, CurrentVersion: current, TargetVersion: target}},
	}}}
	b, _ := json.Marshal(spec) // plain strings: cannot fail
	return string(b)
}

func parseAppSpec(content string) AppSpecFunction {
	var spec AppSpec
	if err := json.Unmarshal([]byte(content), &spec); err != nil {
		return AppSpecFunction{}
	}
	for _, res := range spec.Resources {
		for _, r := range res {
			return r.Properties
		}
	}
	return AppSpecFunction{}
}

func (r *roller) createDeployment(ctx context.Context, from, to string) (string, error) {
	content := NewAppSpec(r.cfg.FunctionName, r.cfg.Alias, from, to)
	out, err := r.c.CodeDeploy.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{
		ApplicationName:      aws.String(r.cfg.AppName),
		DeploymentGroupName:  aws.String(r.cfg.GroupName),
		DeploymentConfigName: aws.String(r.cfg.DeploymentConfig),
		Description:          aws.String(fmt.Sprintf("%s %s -> %s (%s)", r.cfg.Alias, from, to, digestOf(r.cfg.ImageURI))),
		Revision: &cdtypes.RevisionLocation{
			RevisionType:   cdtypes.RevisionLocationTypeAppSpecContent,
			AppSpecContent: &cdtypes.AppSpecContent{Content: aws.String(content)},
		},
	})
	if err != nil {
		return "", fmt.Errorf("create CodeDeploy deployment %s/%s: %w", r.cfg.AppName, r.cfg.GroupName, err)
	}
	id := aws.ToString(out.DeploymentId)
	r.event("create-deployment", true, "%s shifting %s from %s to %s with %s", id, r.cfg.Alias, from, to, r.cfg.DeploymentConfig)
	return id, nil
}

type activeDeployment struct {
	id, appSpec string
}

func (r *roller) activeDeployment(ctx context.Context) (*activeDeployment, error) {
	out, err := r.c.CodeDeploy.ListDeployments(ctx, &codedeploy.ListDeploymentsInput{
		ApplicationName: aws.String(r.cfg.AppName), DeploymentGroupName: aws.String(r.cfg.GroupName),
		IncludeOnlyStatuses: []cdtypes.DeploymentStatus{cdtypes.DeploymentStatusCreated, cdtypes.DeploymentStatusQueued,
			cdtypes.DeploymentStatusInProgress, cdtypes.DeploymentStatusReady, cdtypes.DeploymentStatusBaking},
	})
	if err != nil {
		return nil, fmt.Errorf("list active deployments of %s/%s: %w", r.cfg.AppName, r.cfg.GroupName, err)
	}
	if len(out.Deployments) == 0 {
		return nil, nil
	}
	d, err := r.c.CodeDeploy.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: aws.String(out.Deployments[0])})
	if err != nil {
		return nil, fmt.Errorf("get deployment %s: %w", out.Deployments[0], err)
	}
	a := &activeDeployment{id: out.Deployments[0]}
	if info := d.DeploymentInfo; info != nil && info.Revision != nil && info.Revision.AppSpecContent != nil {
		a.appSpec = aws.ToString(info.Revision.AppSpecContent.Content)
	}
	return a, nil
}

func (r *roller) stop(ctx context.Context, id string) error {
	_, err := r.c.CodeDeploy.StopDeployment(ctx, &codedeploy.StopDeploymentInput{DeploymentId: aws.String(id), AutoRollbackEnabled: aws.Bool(true)})
	if err != nil {
		var done *cdtypes.DeploymentAlreadyCompletedException
		if errors.As(err, &done) {
			return nil
		}
		return fmt.Errorf("stop deployment %s: %w", id, err)
	}
	return nil
}

// waitDone polls a deployment until it ends or limit passes.
func (r *roller) waitDone(ctx context.Context, id string, limit time.Duration) (*cdtypes.DeploymentInfo, error) {
	deadline := r.clk.Now().Add(limit)
	last := ""
	for {
		out, err := r.c.CodeDeploy.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: aws.String(id)})
		if err != nil {
			return nil, fmt.Errorf("get deployment %s: %w", id, err)
		}
		info := out.DeploymentInfo
		if info == nil {
			return nil, fmt.Errorf("get deployment %s: no deployment info", id)
		}
		if s := string(info.Status); s != last {
			r.event("deployment-status", info.Status != cdtypes.DeploymentStatusFailed && info.Status != cdtypes.DeploymentStatusStopped, "%s %s", id, s)
			last = s
		}
		switch info.Status {
		case cdtypes.DeploymentStatusSucceeded, cdtypes.DeploymentStatusFailed, cdtypes.DeploymentStatusStopped:
			return info, nil
		}
		if !r.clk.Now().Before(deadline) {
			return info, errDeadline
		}
		if err := r.clk.Sleep(ctx, r.cfg.Poll); err != nil {
			return info, err
		}
	}
}

var errDeadline = errors.New("deadline passed")

// watch follows a deployment to its end; anything but success ends with the
// alias verified on prev.
func (r *roller) watch(ctx context.Context, id, prev string) error {
	info, err := r.waitDone(ctx, id, r.cfg.DeployTimeout)
	switch {
	case err == nil && info.Status == cdtypes.DeploymentStatusSucceeded:
		r.res.Outcome = OutcomeSucceeded
		return nil
	case err == nil:
		cause := fmt.Errorf("CodeDeploy deployment %s %s", id, strings.ToLower(string(info.Status)))
		if ei := info.ErrorInformation; ei != nil {
			cause = fmt.Errorf("%w: %s: %s", cause, ei.Code, aws.ToString(ei.Message))
		}
		return r.rollback(ctx, prev, cause)
	default:
		cause := fmt.Errorf("CodeDeploy deployment %s did not finish within %s: %w", id, r.cfg.DeployTimeout, err)
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Minute)
		defer cancel()
		if serr := r.stop(rctx, id); serr != nil {
			cause = fmt.Errorf("%w; %v", cause, serr)
		}
		return r.rollback(ctx, prev, cause)
	}
}

// rollback makes sure the alias is on prev with no weighted routing.
func (r *roller) rollback(ctx context.Context, prev string, cause error) error {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Minute)
	defer cancel()
	if err := r.ensureAlias(rctx, prev); err != nil {
		r.res.Outcome = OutcomeFailed
		return fmt.Errorf("lambda rollout failed: %w; ROLLBACK ALSO FAILED: %v (point alias %s at version %s by hand)", cause, err, r.cfg.Alias, prev)
	}
	r.res.Outcome = OutcomeRolledBack
	r.res.Message = fmt.Sprintf("rolled back: %v", cause)
	return fmt.Errorf("lambda rollout rolled back to version %s: %w", prev, cause)
}

// ensureAlias verifies the alias is on version with no extra weights and
// moves it there if not, then verifies again.
func (r *roller) ensureAlias(ctx context.Context, version string) error {
	a, err := r.alias(ctx)
	if err != nil {
		return err
	}
	if aws.ToString(a.FunctionVersion) == version && (a.RoutingConfig == nil || len(a.RoutingConfig.AdditionalVersionWeights) == 0) {
		r.event("alias-verified", true, "%s on version %s", r.cfg.Alias, version)
		return nil
	}
	if _, err := r.c.Lambda.UpdateAlias(ctx, &lambda.UpdateAliasInput{
		FunctionName: aws.String(r.cfg.FunctionName), Name: aws.String(r.cfg.Alias),
		FunctionVersion: aws.String(version), RoutingConfig: &lambdatypes.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{}},
	}); err != nil {
		return fmt.Errorf("restore alias %s to version %s: %w", r.cfg.Alias, version, err)
	}
	a, err = r.alias(ctx)
	if err != nil {
		return err
	}
	if aws.ToString(a.FunctionVersion) != version || (a.RoutingConfig != nil && len(a.RoutingConfig.AdditionalVersionWeights) > 0) {
		return fmt.Errorf("alias %s still on version %s after restoring %s", r.cfg.Alias, aws.ToString(a.FunctionVersion), version)
	}
	r.event("alias-restored", true, "%s moved back to version %s", r.cfg.Alias, version)
	return nil
}

// RestoreAlias puts cfg.Alias back on version with no weighted routing and
// verifies it; the deployer calls it when a later step (the EC2 rollout)
// fails after the Lambda shift succeeded.
func RestoreAlias(ctx context.Context, c Clients, cfg Config, version string) (Result, error) {
	r := &roller{c: c, cfg: cfg, clk: cfg.Clock, res: &Result{NewVersion: version}}
	if r.clk == nil {
		r.clk = clock.Real{}
	}
	err := r.ensureAlias(ctx, version)
	return *r.res, err
}
