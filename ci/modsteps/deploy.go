package modsteps

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/deliverykit/podinfo/ci/step"
	"github.com/deliverykit/podinfo/ci/toolversions"
)

// Files and directories the deploy steps use, relative to the work dir.
const (
	// DirBin receives binaries built by GoBuild and GoInstall.
	DirBin = "bin"
	// DirDeployReport receives the deployer's report.json and report.md.
	DirDeployReport = "deploy-report"
	// FileSmokeReport receives the smoke checks' JSON result.
	FileSmokeReport = "smoke.json"
	// FileInvokeRequest is the Lambda event LambdaInvoke posts.
	FileInvokeRequest = "invoke-request.json"
	// FileInvokeResponse receives the Lambda function's response.
	FileInvokeResponse = "invoke-response.json"
)

// GoBuild returns the step that builds the main package pkg (relative to
// the work dir, which holds its Go module) into bin/<name>, static.
func GoBuild(mirror, pkg, name string) (step.Step, error) {
	if !strings.HasPrefix(pkg, "./") || strings.Contains(pkg, "..") {
		return step.Step{}, fmt.Errorf("go build: argument package %q must be relative to the module root, like ./cmd/deployer", pkg)
	}
	if name == "" || strings.ContainsAny(name, `/\ `) {
		return step.Step{}, fmt.Errorf("go build: argument name %q must be a plain file name", name)
	}
	out := path.Join(DirBin, name)
	s := goStep(mirror, "go-build-"+name, "go", "build", "-trimpath", "-o", out, pkg)
	s.Inputs = []string{"."}
	s.Outputs = []string{out}
	return s, nil
}

var versionRE = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$`)

// GoInstall returns the step that builds a pinned tool from source
// (toolversions), static, into bin/<binary>: module-aware `go install
// pkg@version` uses the tool's own go.mod and go.sum.
func GoInstall(mirror, tool string) (step.Step, error) {
	t, err := toolversions.Get(tool)
	if err != nil {
		return step.Step{}, fmt.Errorf("go install: %w", err)
	}
	if !versionRE.MatchString(t.Version) {
		return step.Step{}, fmt.Errorf("go install %s: version %q is not a module version", tool, t.Version)
	}
	s := goStep(mirror, "go-install-"+tool, "go", "install", "-trimpath", t.GoPackage+"@"+t.Version)
	s.Env["GOBIN"] = path.Join(step.WorkDir, DirBin)
	s.Env["GOFLAGS"] = "-mod=mod"
	if t.GoExperiment != "" {
		s.Env["GOEXPERIMENT"] = t.GoExperiment
	}
	s.Outputs = []string{path.Join(DirBin, t.Binary())}
	return s, nil
}

// Smoke returns the step that runs the smoke checks (bin/smoke, built from
// ci/cmd/smoke) against url, retrying while the service starts, and writes
// the JSON result to FileSmokeReport.
func Smoke(mirror, url, expectVersion string) (step.Step, error) {
	if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		return step.Step{}, fmt.Errorf("smoke: argument url %q must be an http(s) URL", url)
	}
	args := []string{path.Join(DirBin, "smoke"), "--url", url, "--attempts", "15", "--interval", "2s", "--json"}
	if expectVersion != "" {
		args = append(args, "--expect-version", expectVersion)
	}
	s := goStep(mirror, "smoke", args...)
	s.Env = map[string]string{}
	s.Inputs = []string{path.Join(DirBin, "smoke")}
	s.Stdout = FileSmokeReport
	s.Outputs = []string{FileSmokeReport}
	return s, nil
}

// LambdaInvoke returns the step that posts FileInvokeRequest (an API
// Gateway HTTP API payload v2 event) to the Lambda runtime interface
// emulator's invoke endpoint at base and writes the function's response to
// FileInvokeResponse. It retries while the emulator starts.
func LambdaInvoke(mirror, base string, event []byte) (step.Step, error) {
	if !strings.HasPrefix(base, "http://") {
		return step.Step{}, fmt.Errorf("lambda invoke: argument base %q must be the emulator's http URL", base)
	}
	url := strings.TrimSuffix(base, "/") + "/2015-03-31/functions/function/invocations"
	s := goStep(mirror, "lambda-invoke", "curl", "--silent", "--show-error", "--fail",
		"--retry", "15", "--retry-delay", "2", "--retry-all-errors", "--max-time", "30",
		"--data-binary", "@"+FileInvokeRequest, "--output", FileInvokeResponse, url)
	s.Env = map[string]string{}
	s.Files = map[string][]byte{FileInvokeRequest: event}
	s.Inputs = []string{FileInvokeRequest}
	s.Outputs = []string{FileInvokeResponse}
	return s, nil
}

// DeployOptions configures Deploy.
type DeployOptions struct {
	// Mirror is the tool image mirror prefix.
	Mirror string
	// Env is the environment (dev, staging, prod).
	Env string
	// Digest is the verified image digest.
	Digest string
	// Region is the AWS region the environment lives in.
	Region string
	// DryRun stops after plan and policy.
	DryRun bool
	// ExpectVersion is the version /version must report once live.
	ExpectVersion string
	// Secrets are the AWS credential variable names bound for the deployer.
	Secrets []string
}

// Deploy returns the step that runs the deployer (bin/deployer, built from
// ci/cmd/deployer) in the Terraform image against the environment's root
// iac/envs/<env> (the work dir holds --iac under iac/), writing its report to
// DirDeployReport.
func Deploy(o DeployOptions) (step.Step, error) {
	return deployer(o, "deploy")
}

// PromoteCheck returns the step that asks the deployer whether the digest
// is deployed healthy in o.Env, the source environment of a promotion.
func PromoteCheck(o DeployOptions) (step.Step, error) {
	return deployer(o, "promote-check")
}

func deployer(o DeployOptions, command string) (step.Step, error) {
	if o.Env == "" || strings.ContainsAny(o.Env, "/. ") {
		return step.Step{}, fmt.Errorf("deployer: argument env %q is not an environment name", o.Env)
	}
	if !strings.HasPrefix(o.Digest, "sha256:") {
		return step.Step{}, fmt.Errorf("deployer: argument digest %q is not a digest", o.Digest)
	}
	t := toolversions.MustGet("terraform")
	root := path.Join("iac", "envs", o.Env)
	args := []string{path.Join(step.WorkDir, DirBin, "deployer"), command}
	if command == "promote-check" {
		args = append(args, "--from", o.Env)
	} else {
		args = append(args, "--env", o.Env, "--report-dir", DirDeployReport)
		if o.DryRun {
			args = append(args, "--dry-run")
		}
		if o.ExpectVersion != "" {
			args = append(args, "--expect-version", o.ExpectVersion)
		}
		if o.Region != "" {
			args = append(args, "--region", o.Region)
		}
	}
	args = append(args, "--digest", o.Digest, "--iac-dir", root, "--backend-config", path.Join(root, "backend.tfbackend"))
	s := step.Step{
		Name: "deployer-" + command + "-" + o.Env, Tool: "terraform", Image: t.ImageRef(o.Mirror),
		Args:      args,
		Env:       map[string]string{"TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"},
		SecretEnv: append([]string(nil), o.Secrets...),
		Inputs:    []string{root, path.Join(DirBin, "deployer")},
	}
	if o.Region != "" {
		s.Env["AWS_REGION"] = o.Region
	}
	if command == "deploy" {
		s.Outputs = []string{DirDeployReport}
	}
	return s, nil
}
