package fakeaws

import (
	"encoding/json"
	"time"
)

// DeployBehaviour says how new CodeDeploy deployments go.
type DeployBehaviour struct {
	// Outcome is "Succeeded", "Failed", "Stopped" or "Hang" (never ends by itself).
	Outcome string
	// Polls is how many GetDeployment calls the deployment takes to end.
	Polls int
	// RollbackAlias makes a failed deployment move the alias back itself,
	// as CodeDeploy's automatic rollback does; false leaves the alias
	// half-shifted, for the deployer to repair.
	RollbackAlias bool
	// ErrorCode is the failure's errorInformation code ("ALARM_ACTIVE").
	ErrorCode string
}

// Deployment is a CodeDeploy Lambda deployment.
type Deployment struct {
	ID, App, Group, Config, Status string
	AppSpec                        string
	Function, Alias                string
	Current, Target                string
	Polls                          int
	Behaviour                      DeployBehaviour
	StopRequested                  bool
	created                        time.Time
}

type appSpec struct {
	Resources []map[string]struct {
		Type       string
		Properties struct {
			Name, Alias, CurrentVersion, TargetVersion string
		}
	}
}

func (s *Server) codedeploy(op string, in map[string]any) (any, error) {
	switch op {
	case "CreateDeployment":
		rev, _ := in["revision"].(map[string]any)
		content, _ := rev["appSpecContent"].(map[string]any)
		if str(rev, "revisionType") != "AppSpecContent" || content == nil {
			return nil, errf(400, "InvalidRevisionException", "Lambda deployments need an AppSpecContent revision")
		}
		var spec appSpec
		if err := json.Unmarshal([]byte(str(content, "content")), &spec); err != nil || len(spec.Resources) != 1 {
			return nil, errf(400, "InvalidRevisionException", "AppSpec content is not valid: %v", err)
		}
		d := &Deployment{ID: s.next("d-"), App: str(in, "applicationName"), Group: str(in, "deploymentGroupName"),
			Config: str(in, "deploymentConfigName"), Status: "Created", AppSpec: str(content, "content"),
			Behaviour: s.DeployBehaviour, created: time.Now()}
		for _, res := range spec.Resources[0] {
			if res.Type != "AWS::Lambda::Function" {
				return nil, errf(400, "InvalidRevisionException", "resource type %s", res.Type)
			}
			d.Function, d.Alias, d.Current, d.Target = res.Properties.Name, res.Properties.Alias, res.Properties.CurrentVersion, res.Properties.TargetVersion
		}
		f, ok := s.Functions[d.Function]
		if !ok || f.Aliases[d.Alias] == nil {
			return nil, errf(400, "InvalidRevisionException", "function %s alias %s not found", d.Function, d.Alias)
		}
		if f.Aliases[d.Alias].Version != d.Current {
			return nil, errf(400, "InvalidRevisionException", "alias %s points at %s, not CurrentVersion %s", d.Alias, f.Aliases[d.Alias].Version, d.Current)
		}
		for _, o := range s.Deployments {
			if o.App == d.App && o.Group == d.Group && !terminal(o.Status) {
				return nil, errf(400, "DeploymentLimitExceededException", "The deployment group %s already has an active deployment %s", d.Group, o.ID)
			}
		}
		s.Deployments[d.ID] = d
		return map[string]any{"deploymentId": d.ID}, nil
	case "GetDeployment":
		d, ok := s.Deployments[str(in, "deploymentId")]
		if !ok {
			return nil, errf(400, "DeploymentDoesNotExistException", "deployment %s does not exist", str(in, "deploymentId"))
		}
		s.progress(d)
		info := map[string]any{"deploymentId": d.ID, "applicationName": d.App, "deploymentGroupName": d.Group,
			"deploymentConfigName": d.Config, "status": d.Status, "computePlatform": "Lambda",
			"createTime": float64(d.created.Unix()),
			"revision":   map[string]any{"revisionType": "AppSpecContent", "appSpecContent": map[string]any{"content": d.AppSpec}}}
		if d.Status == "Failed" || d.Status == "Stopped" {
			code := d.Behaviour.ErrorCode
			if code == "" {
				code = "INTERNAL_ERROR"
			}
			info["errorInformation"] = map[string]any{"code": code, "message": "deployment " + d.Status + " (" + code + ")"}
		}
		return map[string]any{"deploymentInfo": info}, nil
	case "StopDeployment":
		d, ok := s.Deployments[str(in, "deploymentId")]
		if !ok {
			return nil, errf(400, "DeploymentDoesNotExistException", "deployment %s does not exist", str(in, "deploymentId"))
		}
		if terminal(d.Status) {
			return nil, errf(400, "DeploymentAlreadyCompletedException", "deployment %s is already completed", d.ID)
		}
		d.StopRequested = true
		if rb, _ := in["autoRollbackEnabled"].(bool); rb {
			d.Behaviour.RollbackAlias = true
		}
		return map[string]any{"status": "Pending", "statusMessage": "stopping"}, nil
	case "ListDeployments":
		want := map[string]bool{}
		if list, ok := in["includeOnlyStatuses"].([]any); ok {
			for _, v := range list {
				want[v.(string)] = true
			}
		}
		ids := []string{}
		for _, d := range s.Deployments {
			if d.App == str(in, "applicationName") && d.Group == str(in, "deploymentGroupName") && (len(want) == 0 || want[d.Status]) {
				ids = append(ids, d.ID)
			}
		}
		return map[string]any{"deployments": ids}, nil
	}
	return nil, errf(400, "InvalidAction", "fakeaws codedeploy: %s not implemented", op)
}

func terminal(status string) bool {
	return status == "Succeeded" || status == "Failed" || status == "Stopped"
}

// progress advances a deployment by one poll, moving the alias as
// CodeDeploy does: a canary weight first, then all or nothing.
func (s *Server) progress(d *Deployment) {
	if terminal(d.Status) {
		return
	}
	f := s.Functions[d.Function]
	alias := f.Aliases[d.Alias]
	d.Polls++
	end := func(status string) {
		d.Status = status
		if status == "Succeeded" {
			alias.Version, alias.Extra = d.Target, nil
		} else if d.Behaviour.RollbackAlias {
			alias.Version, alias.Extra = d.Current, nil
		}
	}
	if d.StopRequested {
		end("Stopped")
		return
	}
	d.Status = "InProgress"
	if d.Polls == 1 {
		alias.Extra = map[string]float64{d.Target: 0.1}
	}
	if d.Behaviour.Outcome != "Hang" && d.Polls >= d.Behaviour.Polls {
		end(d.Behaviour.Outcome)
	}
}
