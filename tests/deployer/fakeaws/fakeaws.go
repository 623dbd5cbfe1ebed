// Package fakeaws is a local stand-in for the AWS APIs the deployer calls,
// served over httptest on 127.0.0.1 and speaking each service's real wire
// protocol, so the unmodified aws-sdk-go-v2 clients (BaseEndpoint pointed
// here) talk to it: STS, Elastic Load Balancing v2 and Auto Scaling (awsquery
// XML), CloudWatch (Smithy RPC v2 CBOR, what the SDK sends since 2025),
// DynamoDB (JSON 1.0), CodeDeploy (JSON 1.1) and Lambda (REST-JSON).
//
// State is realistic enough to exercise rollouts: Auto Scaling groups launch
// instances that register into their target group and turn healthy after a
// few polls, CodeDeploy deployments move the Lambda alias over polls, and
// DynamoDB evaluates the condition expressions the deployer uses.
package fakeaws

import (
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Server is the fake. Tests set up and inspect its exported state under Lock.
type Server struct {
	mu  sync.Mutex
	srv *httptest.Server

	// URL is the base endpoint to give the SDK.
	URL string
	// Region the fake claims to be.
	Region string
	// Account returned by STS.
	Account string
	// RejectCredentials makes every call fail as with a bad access key.
	RejectCredentials bool
	// Calls records "service:Operation" for every request, in order.
	Calls []string
	// FailNext answers the next n requests, whatever they are, with HTTP
	// 503, as an overloaded endpoint does; the SDK retries those.
	FailNext int
	// Requests counts every request received, failed ones included.
	Requests int
	// After runs after every successful call with the lock held, so tests
	// can change state at a given point ("alarm fires after the 2nd shift").
	After func(s *Server, op string)

	Listeners    map[string]*Listener
	TargetGroups map[string]*TargetGroup
	Groups       map[string]*Group
	Alarms       map[string]string // name -> OK | ALARM | INSUFFICIENT_DATA
	Functions    map[string]*Function
	Deployments  map[string]*Deployment
	// DeployBehaviour drives new CodeDeploy deployments.
	DeployBehaviour DeployBehaviour
	Tables          map[string]map[string]Item

	seq int
}

// New starts a fake on 127.0.0.1; it stops when the test ends.
func New(t testing.TB) *Server {
	s := &Server{
		Region: "eu-west-1", Account: "123456789012",
		Listeners: map[string]*Listener{}, TargetGroups: map[string]*TargetGroup{},
		Groups: map[string]*Group{}, Alarms: map[string]string{}, Functions: map[string]*Function{},
		Deployments: map[string]*Deployment{}, Tables: map[string]map[string]Item{},
		DeployBehaviour: DeployBehaviour{Outcome: "Succeeded", Polls: 2},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Lock guards the exported state while a test reads or changes it.
func (s *Server) Lock() { s.mu.Lock() }

// Unlock releases Lock.
func (s *Server) Unlock() { s.mu.Unlock() }

// Count returns how many calls of op ("elbv2:ModifyListener") were made.
func (s *Server) Count(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.Calls {
		if c == op {
			n++
		}
	}
	return n
}

func (s *Server) next(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s%04d", prefix, s.seq)
}

// apiError is an error answer in the service's own format.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func errf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		http.Error(w, "request is not SigV4-signed", http.StatusForbidden)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Requests++
	if s.FailNext > 0 {
		s.FailNext--
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
		return
	}
	switch {
	case r.Header.Get("Smithy-Protocol") == "rpc-v2-cbor":
		s.serveCBOR(w, r, body)
	case strings.HasPrefix(r.Header.Get("X-Amz-Target"), "DynamoDB_20120810."):
		s.serveJSON(w, r, body, "dynamodb", "application/x-amz-json-1.0", s.dynamo)
	case strings.HasPrefix(r.Header.Get("X-Amz-Target"), "CodeDeploy_20141006."):
		s.serveJSON(w, r, body, "codedeploy", "application/x-amz-json-1.1", s.codedeploy)
	case strings.HasPrefix(r.URL.Path, "/2015-03-31/functions"):
		s.serveLambda(w, r, body)
	case strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded"):
		s.serveQuery(w, r, body)
	default:
		http.Error(w, "fakeaws: unrecognised request "+r.Method+" "+r.URL.String(), http.StatusNotImplemented)
	}
}

func (s *Server) record(op string) {
	s.Calls = append(s.Calls, op)
}

func (s *Server) after(op string) {
	if s.After != nil {
		s.After(s, op)
	}
}

// ---- awsquery: STS, ELBv2, Auto Scaling ----

func (s *Server) serveQuery(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	action, version := form.Get("Action"), form.Get("Version")
	var svc, xmlns string
	var handler func(url.Values) (string, error)
	switch version {
	case "2011-06-15":
		svc, xmlns, handler = "sts", "https://sts.amazonaws.com/doc/2011-06-15/", s.sts
	case "2015-12-01":
		svc, xmlns, handler = "elbv2", "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/", s.elb
	case "2011-01-01":
		svc, xmlns, handler = "autoscaling", "http://autoscaling.amazonaws.com/doc/2011-01-01/", s.asg
	default:
		http.Error(w, "fakeaws: unknown query API version "+version, http.StatusNotImplemented)
		return
	}
	op := svc + ":" + action
	s.record(op)
	var result string
	if s.RejectCredentials {
		err = errf(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
	} else {
		result, err = handler(form)
	}
	w.Header().Set("Content-Type", "text/xml")
	if err != nil {
		ae := asAPIError(err)
		w.WriteHeader(ae.status)
		fmt.Fprintf(w, `<ErrorResponse xmlns="%s"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>fake</RequestId></ErrorResponse>`,
			xmlns, ae.code, xmlEscape(ae.message))
		return
	}
	s.after(op)
	fmt.Fprintf(w, `<%sResponse xmlns="%s"><%sResult>%s</%sResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></%sResponse>`,
		action, xmlns, action, result, action, action)
}

func asAPIError(err error) *apiError {
	if ae, ok := err.(*apiError); ok {
		return ae
	}
	return errf(400, "ValidationError", "%v", err)
}

func xmlEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// members returns form values prefix.member.1, prefix.member.2, ...
func members(form url.Values, prefix string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := form[fmt.Sprintf("%s.member.%d", prefix, i)]
		if !ok {
			return out
		}
		out = append(out, v[0])
	}
}

func (s *Server) sts(form url.Values) (string, error) {
	if form.Get("Action") != "GetCallerIdentity" {
		return "", errf(400, "InvalidAction", "fakeaws sts: %s not implemented", form.Get("Action"))
	}
	return fmt.Sprintf("<Arn>arn:aws:sts::%s:assumed-role/deployer/ci</Arn><UserId>AROAFAKE:ci</UserId><Account>%s</Account>", s.Account, s.Account), nil
}

// ---- JSON 1.0 / 1.1 ----

func (s *Server) serveJSON(w http.ResponseWriter, r *http.Request, body []byte, svc, ctype string, handle func(op string, in map[string]any) (any, error)) {
	target := r.Header.Get("X-Amz-Target")
	op := target[strings.LastIndex(target, ".")+1:]
	s.record(svc + ":" + op)
	var in map[string]any
	if err := json.Unmarshal(body, &in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var out any
	var err error
	if s.RejectCredentials {
		err = errf(400, "UnrecognizedClientException", "The security token included in the request is invalid.")
	} else {
		out, err = handle(op, in)
	}
	w.Header().Set("Content-Type", ctype)
	status := http.StatusOK
	if err != nil {
		ae := asAPIError(err)
		status = ae.status
		out = map[string]string{"__type": ae.code, "message": ae.message}
	} else {
		s.after(svc + ":" + op)
	}
	b, err := json.Marshal(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	// DynamoDB signs its bodies with a CRC32 the SDK checks.
	w.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(b)), 10))
	w.WriteHeader(status)
	w.Write(b)
}

func str(m map[string]any, k string) string {
	v, _ := m[k].(string)
	return v
}
