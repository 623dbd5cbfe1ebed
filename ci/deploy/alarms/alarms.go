// Package alarms reads CloudWatch alarm states for the rollouts: it checks
// that every named alarm exists before traffic moves, and lists those in ALARM.
package alarms

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// API is the CloudWatch call the package makes.
type API interface {
	DescribeAlarms(ctx context.Context, in *cloudwatch.DescribeAlarmsInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error)
}

// States returns the state of each named alarm (metric and composite).
func States(ctx context.Context, api API, names []string) (map[string]types.StateValue, error) {
	states := map[string]types.StateValue{}
	// DescribeAlarms takes at most 100 names per call.
	for start := 0; start < len(names); start += 100 {
		end := min(start+100, len(names))
		in := &cloudwatch.DescribeAlarmsInput{
			AlarmNames: names[start:end],
			AlarmTypes: []types.AlarmType{types.AlarmTypeMetricAlarm, types.AlarmTypeCompositeAlarm},
		}
		for {
			out, err := api.DescribeAlarms(ctx, in)
			if err != nil {
				return nil, fmt.Errorf("describe alarms %s: %w", strings.Join(names[start:end], ", "), err)
			}
			for _, a := range out.MetricAlarms {
				states[deref(a.AlarmName)] = a.StateValue
			}
			for _, a := range out.CompositeAlarms {
				states[deref(a.AlarmName)] = a.StateValue
			}
			if out.NextToken == nil || *out.NextToken == "" {
				break
			}
			in.NextToken = out.NextToken
		}
	}
	return states, nil
}

// CheckExist fails, naming them, when any alarm in names does not exist.
func CheckExist(ctx context.Context, api API, region string, names []string) error {
	states, err := States(ctx, api, names)
	if err != nil {
		return err
	}
	var missing []string
	for _, n := range names {
		if _, ok := states[n]; !ok {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("cloudwatch alarm(s) %s do not exist in region %s; fix: create them, or correct the alarm_names output of the environment root", strings.Join(missing, ", "), region)
	}
	return nil
}

// Firing returns the names, sorted, of alarms in ALARM.
func Firing(ctx context.Context, api API, names []string) ([]string, error) {
	if len(names) == 0 {
		return nil, nil
	}
	states, err := States(ctx, api, names)
	if err != nil {
		return nil, err
	}
	var firing []string
	for n, s := range states {
		if s == types.StateValueAlarm {
			firing = append(firing, n)
		}
	}
	sort.Strings(firing)
	return firing, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
