package fakeaws

import (
	"net/http"
	"sort"
	"strings"

	"github.com/aws/smithy-go/encoding/cbor"
)

// serveCBOR answers CloudWatch over Smithy RPC v2 CBOR:
// POST /service/GraniteServiceVersion20100801/operation/<Op>.
func (s *Server) serveCBOR(w http.ResponseWriter, r *http.Request, body []byte) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) != 4 || parts[0] != "service" || parts[1] != "GraniteServiceVersion20100801" || parts[2] != "operation" {
		http.Error(w, "fakeaws: unknown rpc-v2-cbor path "+r.URL.Path, http.StatusNotImplemented)
		return
	}
	op := "cloudwatch:" + parts[3]
	s.record(op)
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.Header().Set("Content-Type", "application/cbor")
	fail := func(status int, code, msg string) {
		w.WriteHeader(status)
		w.Write(cbor.Encode(cbor.Map{"__type": cbor.String("com.amazonaws.cloudwatch#" + code), "message": cbor.String(msg)}))
	}
	if s.RejectCredentials {
		fail(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
		return
	}
	if parts[3] != "DescribeAlarms" {
		fail(400, "InvalidAction", "fakeaws cloudwatch: "+parts[3]+" not implemented")
		return
	}
	var names []string
	if len(body) > 0 {
		v, err := cbor.Decode(body)
		if err != nil {
			fail(400, "SerializationException", err.Error())
			return
		}
		in, _ := v.(cbor.Map)
		if list, ok := in["AlarmNames"].(cbor.List); ok {
			for _, n := range list {
				if ns, ok := n.(cbor.String); ok {
					names = append(names, string(ns))
				}
			}
		}
	}
	if len(names) == 0 {
		for n := range s.Alarms {
			names = append(names, n)
		}
		sort.Strings(names)
	}
	var alarms cbor.List
	for _, n := range names {
		state, ok := s.Alarms[n]
		if !ok {
			continue // AWS returns only the alarms that exist
		}
		alarms = append(alarms, cbor.Map{
			"AlarmName":  cbor.String(n),
			"AlarmArn":   cbor.String("arn:aws:cloudwatch:" + s.Region + ":" + s.Account + ":alarm:" + n),
			"StateValue": cbor.String(state),
			"MetricName": cbor.String("HTTPCode_Target_5XX_Count"),
			"Namespace":  cbor.String("AWS/ApplicationELB"),
		})
	}
	if alarms == nil {
		alarms = cbor.List{}
	}
	s.after(op)
	w.Write(cbor.Encode(cbor.Map{"MetricAlarms": alarms, "CompositeAlarms": cbor.List{}}))
}
