package envout

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/deliverykit/podinfo/ci/deploycontract"
)

// valid returns a complete, valid set of raw outputs.
func valid() map[string]json.RawMessage {
	m := map[string]string{
		"environment": `"prod"`, "aws_region": `"eu-west-1"`,
		"image_digest":         `"sha256:1111111111111111111111111111111111111111111111111111111111111111"`,
		"image_uri":            `"1.dkr.ecr.eu-west-1.amazonaws.com/p@sha256:1111111111111111111111111111111111111111111111111111111111111111"`,
		"lambda_function_name": `"p"`, "lambda_alias_name": `"live"`, "codedeploy_app_name": `"p"`,
		"codedeploy_lambda_group_name": `"p-live"`, "lambda_deployment_config": `"CodeDeployDefault.LambdaAllAtOnce"`,
		"api_url": `"https://api.example.com"`, "alb_listener_arn": `"arn:l"`, "blue_target_group_arn": `"arn:b"`,
		"green_target_group_arn": `"arn:g"`, "blue_asg_name": `"p-blue"`, "green_asg_name": `"p-green"`,
		"launch_template_id": `"lt-1"`, "asg_desired_capacity": `3`, "alb_url": `"http://alb.example.com"`,
		"alarm_names": `["a","b"]`, "ec2_shift_steps": `[10,50,100]`, "ec2_bake_seconds": `300`,
		"state_table_name": `"p-deploy-state"`,
	}
	raw := map[string]json.RawMessage{}
	for k, v := range m {
		raw[k] = json.RawMessage(v)
	}
	return raw
}

func TestParseValid(t *testing.T) {
	o, err := Parse("iac/envs/prod", valid())
	if err != nil {
		t.Fatal(err)
	}
	if o.ASGDesiredCapacity != 3 || o.EC2BakeSeconds != 300 || !cmp.Equal(o.EC2ShiftSteps, []int32{10, 50, 100}) || !cmp.Equal(o.AlarmNames, []string{"a", "b"}) {
		t.Errorf("parsed %+v", o)
	}
	// every contract name maps to a field
	b, _ := json.Marshal(o)
	var back map[string]json.RawMessage
	_ = json.Unmarshal(b, &back)
	for _, n := range deploycontract.Names() {
		if _, ok := back[n]; !ok {
			t.Errorf("contract output %s has no field in Outputs", n)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		name   string
		change func(m map[string]json.RawMessage)
		want   string
	}{
		{"missing", func(m map[string]json.RawMessage) { delete(m, "alarm_names"); delete(m, "state_table_name") },
			"is missing deploy outputs: alarm_names, state_table_name; declare them"},
		{"null counts as missing", func(m map[string]json.RawMessage) { m["api_url"] = json.RawMessage("null") }, "missing deploy outputs: api_url"},
		{"wrong type", func(m map[string]json.RawMessage) { m["asg_desired_capacity"] = json.RawMessage(`"three"`) }, `output asg_desired_capacity = "three"`},
		{"empty", func(m map[string]json.RawMessage) { m["lambda_alias_name"] = json.RawMessage(`""`) }, "output lambda_alias_name is empty"},
		{"same target groups", func(m map[string]json.RawMessage) { m["green_target_group_arn"] = m["blue_target_group_arn"] }, "blue/green needs two"},
		{"zero capacity", func(m map[string]json.RawMessage) { m["asg_desired_capacity"] = json.RawMessage(`0`) }, "asg_desired_capacity = 0, want at least 1"},
		{"steps not ending at 100", func(m map[string]json.RawMessage) { m["ec2_shift_steps"] = json.RawMessage(`[10,50]`) }, "must end at 100"},
		{"steps falling", func(m map[string]json.RawMessage) { m["ec2_shift_steps"] = json.RawMessage(`[50,10,100]`) }, "must rise strictly"},
		{"negative bake", func(m map[string]json.RawMessage) { m["ec2_bake_seconds"] = json.RawMessage(`-1`) }, "ec2_bake_seconds = -1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := valid()
			tc.change(m)
			_, err := Parse("iac/envs/prod", m)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse error = %v, want it to contain %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), "iac/envs/prod") {
				t.Errorf("error does not name the root: %v", err)
			}
		})
	}
}

// FuzzParse feeds arbitrary output values: Parse must never panic, and
// whatever it accepts must satisfy the invariants the rollouts rely on.
func FuzzParse(f *testing.F) {
	f.Add(`[10,50,100]`, `3`, `["a"]`)
	f.Add(`[100]`, `1`, `[]`)
	f.Add(`[0,100]`, `-1`, `null`)
	f.Add(`"x"`, `1e9`, `[1,2]`)
	f.Fuzz(func(t *testing.T, steps, capacity, alarms string) {
		m := valid()
		m["ec2_shift_steps"], m["asg_desired_capacity"], m["alarm_names"] = json.RawMessage(steps), json.RawMessage(capacity), json.RawMessage(alarms)
		o, err := Parse("root", m)
		if err != nil {
			return
		}
		if o.ASGDesiredCapacity < 1 || CheckSteps(o.EC2ShiftSteps) != nil || o.EC2ShiftSteps[len(o.EC2ShiftSteps)-1] != 100 {
			t.Fatalf("accepted invalid outputs: %+v", o)
		}
	})
}
