// Package smfake is a local stand-in for AWS Secrets Manager, for tests.
//
// It serves the awsJson1_1 protocol the real service speaks (POST /, the
// action in the X-Amz-Target header, AWS-shaped JSON errors) on an httptest
// server bound to 127.0.0.1, so tests run the real aws-sdk-go-v2 client
// against it through BaseEndpoint. It implements the actions the service and
// the rotation Lambda call: GetSecretValue, DescribeSecret, PutSecretValue and
// UpdateSecretVersionStage, with Secrets Manager's version and staging-label
// rules (one version per label, AWSPREVIOUS following AWSCURRENT, idempotent
// ClientRequestToken, empty AWSPENDING placeholders created by RotateSecret).
//
// It is written by hand because no maintained Go fake of Secrets Manager
// exists that runs in-process without a container engine.
package smfake

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Staging labels Secrets Manager gives meaning to.
const (
	StageCurrent  = "AWSCURRENT"
	StagePrevious = "AWSPREVIOUS"
	StagePending  = "AWSPENDING"
)

// Fake credentials and region the server accepts; Client and the tests'
// environment use them.
const (
	AccessKeyID     = "AKIDFAKESECRETSMGR01"
	SecretAccessKey = "fake-secret-access-key-for-tests-only"
	Region          = "us-east-1"
	accountID       = "123456789012"
)

// Server is a running fake Secrets Manager endpoint.
type Server struct {
	srv *httptest.Server

	mu      sync.Mutex
	secrets map[string]*secret // by name
	calls   map[string]int     // by action
	faults  map[string][]Fault // by action, consumed in order
	now     func() time.Time
}

type secret struct {
	name            string
	arn             string
	rotationEnabled bool
	rotationLambda  string
	versions        map[string]*version
	lastRotated     time.Time
}

type version struct {
	id      string
	value   *string // nil: an empty placeholder (RotateSecret's AWSPENDING)
	binary  []byte
	stages  []string
	created time.Time
}

// Fault is an AWS error the server answers instead of performing an action.
type Fault struct {
	// Code is the AWS error code, e.g. "AccessDeniedException". An empty
	// Code lets that request through, so a fault can target a later call.
	Code string
	// Message is the error message.
	Message string
	// Status is the HTTP status; 400 when zero.
	Status int
}

// New starts a fake on a free 127.0.0.1 port. Close it when done.
func New() *Server {
	s := &Server{
		secrets: map[string]*secret{},
		calls:   map[string]int{},
		faults:  map[string][]Fault{},
		now:     time.Now,
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	return s
}

// URL is the endpoint to give the SDK as BaseEndpoint.
func (s *Server) URL() string { return s.srv.URL }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Client returns a real Secrets Manager client pointed at the fake, with
// static fake credentials and the SDK's standard retryer.
func (s *Server) Client() *secretsmanager.Client {
	return secretsmanager.New(secretsmanager.Options{
		Region:       Region,
		BaseEndpoint: aws.String(s.URL()),
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, ""),
	})
}

// CreateSecret creates a secret whose first version holds value with the
// AWSCURRENT label, and returns that version's ID.
func (s *Server) CreateSecret(name, value string, rotationEnabled bool) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := &secret{
		name:            name,
		arn:             fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-%s", Region, accountID, name, randomID()[:6]),
		rotationEnabled: rotationEnabled,
		versions:        map[string]*version{},
	}
	if rotationEnabled {
		sec.rotationLambda = fmt.Sprintf("arn:aws:lambda:%s:%s:function:rotator", Region, accountID)
	}
	id := randomID()
	sec.versions[id] = &version{id: id, value: &value, stages: []string{StageCurrent}, created: s.now()}
	s.secrets[name] = sec
	return id
}

// CreateEmptySecret creates a secret with no version at all, as
// CreateSecret without SecretString does; its first rotation gives it a
// value.
func (s *Server) CreateEmptySecret(name string, rotationEnabled bool) {
	s.CreateSecret(name, "", rotationEnabled)
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.secrets[name].versions)
}

// ARN returns the ARN of the named secret, or "" if there is none.
func (s *Server) ARN(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sec, ok := s.secrets[name]; ok {
		return sec.arn
	}
	return ""
}

// BeginRotation does what RotateSecret does before it invokes the rotation
// function: it creates an empty version with ID token and the AWSPENDING
// label. It fails, as RotateSecret does, if a rotation is already in
// progress (AWSPENDING on a version other than AWSCURRENT's).
func (s *Server) BeginRotation(name, token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, ok := s.secrets[name]
	if !ok {
		return fmt.Errorf("begin rotation: no secret %q", name)
	}
	if !sec.rotationEnabled {
		return fmt.Errorf("begin rotation: secret %q has rotation disabled", name)
	}
	if p := sec.withStage(StagePending); p != nil && !slices.Contains(p.stages, StageCurrent) {
		return fmt.Errorf("begin rotation: a previous rotation of %q is still in progress (AWSPENDING on version %s)", name, p.id)
	}
	if _, exists := sec.versions[token]; exists {
		return fmt.Errorf("begin rotation: version %s already exists", token)
	}
	sec.moveStage(StagePending, "")
	sec.versions[token] = &version{id: token, stages: []string{StagePending}, created: s.now()}
	return nil
}

// Stages returns the secret's VersionIdsToStages (labelled versions only),
// labels sorted, as DescribeSecret reports them.
func (s *Server) Stages(name string) map[string][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, ok := s.secrets[name]
	if !ok {
		return nil
	}
	return sec.stageMap()
}

// Value returns the SecretString of version id of the named secret.
func (s *Server) Value(name, id string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, ok := s.secrets[name]
	if !ok {
		return "", false
	}
	v, ok := sec.versions[id]
	if !ok || v.value == nil {
		return "", false
	}
	return *v.value, true
}

// Calls returns how many requests for action (e.g. "GetSecretValue") the
// server has received, failed ones included.
func (s *Server) Calls(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[action]
}

// Fail makes the next requests for action answer with faults, one per request,
// in order.
func (s *Server) Fail(action string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[action] = append(s.faults[action], faults...)
}

func (sec *secret) withStage(stage string) *version {
	for _, v := range sec.versions {
		if slices.Contains(v.stages, stage) {
			return v
		}
	}
	return nil
}

// moveStage attaches stage to version to (none if ""), removing it from
// whichever version held it. Moving AWSCURRENT moves AWSPREVIOUS to the
// version AWSCURRENT left, as the service does.
func (sec *secret) moveStage(stage, to string) {
	from := sec.withStage(stage)
	if from != nil {
		if from.id == to {
			return
		}
		from.stages = slices.DeleteFunc(from.stages, func(s string) bool { return s == stage })
	}
	if to != "" {
		v := sec.versions[to]
		v.stages = append(v.stages, stage)
	}
	if stage == StageCurrent && from != nil && to != "" {
		sec.moveStage(StagePrevious, from.id)
	}
}

func (sec *secret) stageMap() map[string][]string {
	m := map[string][]string{}
	for id, v := range sec.versions {
		if len(v.stages) == 0 {
			continue
		}
		st := slices.Clone(v.stages)
		sort.Strings(st)
		m[id] = st
	}
	return m
}

// apiError is an AWS error answer.
type apiError struct {
	status int
	code   string
	msg    string
}

func (e *apiError) Error() string { return e.code + ": " + e.msg }

func errNotFound(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, "ResourceNotFoundException", fmt.Sprintf(format, args...)}
}

func errInvalidParam(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, "InvalidParameterException", fmt.Sprintf(format, args...)}
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	action, ok := strings.CutPrefix(target, "secretsmanager.")
	if r.Method != http.MethodPost || !ok {
		writeError(w, &apiError{http.StatusBadRequest, "UnknownOperationException", fmt.Sprintf("unknown target %q", target)})
		return
	}
	s.mu.Lock()
	s.calls[action]++
	var fault *Fault
	if fs := s.faults[action]; len(fs) > 0 {
		fault = &fs[0]
		s.faults[action] = fs[1:]
	}
	s.mu.Unlock()

	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		writeError(w, &apiError{http.StatusBadRequest, "SerializationException", fmt.Sprintf("unexpected Content-Type %q", ct)})
		return
	}
	if auth := r.Header.Get("Authorization"); !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential="+AccessKeyID+"/") {
		writeError(w, &apiError{http.StatusBadRequest, "UnrecognizedClientException", "The security token included in the request is invalid."})
		return
	}
	if fault != nil && fault.Code != "" {
		st := fault.Status
		if st == 0 {
			st = http.StatusBadRequest
		}
		writeError(w, &apiError{st, fault.Code, fault.Message})
		return
	}

	var body bytes.Buffer
	if _, err := body.ReadFrom(http.MaxBytesReader(w, r.Body, 1<<20)); err != nil {
		writeError(w, &apiError{http.StatusBadRequest, "SerializationException", err.Error()})
		return
	}
	var out any
	var err *apiError
	s.mu.Lock()
	switch action {
	case "GetSecretValue":
		out, err = decodeThen(body.Bytes(), s.getSecretValue)
	case "DescribeSecret":
		out, err = decodeThen(body.Bytes(), s.describeSecret)
	case "PutSecretValue":
		out, err = decodeThen(body.Bytes(), s.putSecretValue)
	case "UpdateSecretVersionStage":
		out, err = decodeThen(body.Bytes(), s.updateSecretVersionStage)
	default:
		err = &apiError{http.StatusBadRequest, "UnknownOperationException", fmt.Sprintf("operation %s is not implemented by the fake", action)}
	}
	s.mu.Unlock()
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-RequestId", randomID())
	if e := json.NewEncoder(w).Encode(out); e != nil {
		// The client went away; nothing more to do.
		return
	}
}

func decodeThen[In any](body []byte, fn func(In) (any, *apiError)) (any, *apiError) {
	var in In
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, &apiError{http.StatusBadRequest, "SerializationException", "malformed request body: " + err.Error()}
	}
	return fn(in)
}

func writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-RequestId", randomID())
	w.WriteHeader(e.status)
	b, _ := json.Marshal(map[string]string{"__type": e.code, "message": e.msg})
	w.Write(b) //nolint:errcheck // the client may have gone; nothing to do.
}

func (s *Server) lookup(id *string) (*secret, *apiError) {
	if id == nil || *id == "" {
		return nil, errInvalidParam("SecretId is required")
	}
	if sec, ok := s.secrets[*id]; ok {
		return sec, nil
	}
	for _, sec := range s.secrets {
		if sec.arn == *id {
			return sec, nil
		}
	}
	return nil, errNotFound("Secrets Manager can't find the specified secret.")
}

type getSecretValueIn struct {
	SecretId     *string
	VersionId    *string
	VersionStage *string
}

type getSecretValueOut struct {
	ARN           string
	Name          string
	VersionId     string
	SecretString  *string `json:",omitempty"`
	SecretBinary  []byte  `json:",omitempty"`
	VersionStages []string
	CreatedDate   float64
}

func (s *Server) getSecretValue(in getSecretValueIn) (any, *apiError) {
	sec, err := s.lookup(in.SecretId)
	if err != nil {
		return nil, err
	}
	var v *version
	switch {
	case in.VersionId != nil:
		v = sec.versions[*in.VersionId]
		if v == nil || (in.VersionStage != nil && !slices.Contains(v.stages, *in.VersionStage)) {
			return nil, errNotFound("Secrets Manager can't find the specified secret value for VersionId: %s", *in.VersionId)
		}
	default:
		stage := StageCurrent
		if in.VersionStage != nil {
			stage = *in.VersionStage
		}
		v = sec.withStage(stage)
		if v == nil {
			return nil, errNotFound("Secrets Manager can't find the specified secret value for staging label: %s", stage)
		}
	}
	if v.value == nil && v.binary == nil {
		return nil, errNotFound("Secrets Manager can't find the specified secret value for VersionId: %s", v.id)
	}
	st := slices.Clone(v.stages)
	sort.Strings(st)
	return getSecretValueOut{
		ARN: sec.arn, Name: sec.name, VersionId: v.id,
		SecretString: v.value, SecretBinary: v.binary,
		VersionStages: st, CreatedDate: epoch(v.created),
	}, nil
}

type describeSecretIn struct {
	SecretId *string
}

type describeSecretOut struct {
	ARN                string
	Name               string
	RotationEnabled    bool
	RotationLambdaARN  string              `json:",omitempty"`
	LastRotatedDate    *float64            `json:",omitempty"`
	VersionIdsToStages map[string][]string `json:",omitempty"`
}

func (s *Server) describeSecret(in describeSecretIn) (any, *apiError) {
	sec, err := s.lookup(in.SecretId)
	if err != nil {
		return nil, err
	}
	out := describeSecretOut{
		ARN: sec.arn, Name: sec.name,
		RotationEnabled: sec.rotationEnabled, RotationLambdaARN: sec.rotationLambda,
		VersionIdsToStages: sec.stageMap(),
	}
	if !sec.lastRotated.IsZero() {
		e := epoch(sec.lastRotated)
		out.LastRotatedDate = &e
	}
	return out, nil
}

type putSecretValueIn struct {
	SecretId           *string
	ClientRequestToken *string
	SecretString       *string
	SecretBinary       []byte
	VersionStages      []string
}

type putSecretValueOut struct {
	ARN           string
	Name          string
	VersionId     string
	VersionStages []string
}

func (s *Server) putSecretValue(in putSecretValueIn) (any, *apiError) {
	sec, err := s.lookup(in.SecretId)
	if err != nil {
		return nil, err
	}
	if (in.SecretString == nil) == (in.SecretBinary == nil) {
		return nil, errInvalidParam("You must provide either SecretString or SecretBinary, but not both.")
	}
	if in.ClientRequestToken == nil || len(*in.ClientRequestToken) < 32 || len(*in.ClientRequestToken) > 64 {
		return nil, errInvalidParam("ClientRequestToken must be 32 to 64 characters long.")
	}
	stages := in.VersionStages
	if len(stages) == 0 {
		stages = []string{StageCurrent}
	}
	token := *in.ClientRequestToken
	v, exists := sec.versions[token]
	switch {
	case exists && (v.value != nil || v.binary != nil):
		// Idempotent replay: same content is a no-op, different is an error.
		if !ptrEqual(v.value, in.SecretString) || !bytes.Equal(v.binary, in.SecretBinary) {
			return nil, &apiError{http.StatusBadRequest, "ResourceExistsException",
				fmt.Sprintf("A resource with the ID you requested already exists: version %s has different contents.", token)}
		}
	default:
		if !exists {
			v = &version{id: token, created: s.now()}
			sec.versions[token] = v
		}
		v.value, v.binary = in.SecretString, in.SecretBinary
	}
	for _, st := range stages {
		sec.moveStage(st, token)
	}
	if slices.Contains(stages, StageCurrent) {
		sec.lastRotated = s.now()
	}
	st := slices.Clone(v.stages)
	sort.Strings(st)
	return putSecretValueOut{ARN: sec.arn, Name: sec.name, VersionId: token, VersionStages: st}, nil
}

type updateStageIn struct {
	SecretId            *string
	VersionStage        *string
	MoveToVersionId     *string
	RemoveFromVersionId *string
}

type updateStageOut struct {
	ARN  string
	Name string
}

func (s *Server) updateSecretVersionStage(in updateStageIn) (any, *apiError) {
	sec, err := s.lookup(in.SecretId)
	if err != nil {
		return nil, err
	}
	if in.VersionStage == nil || *in.VersionStage == "" {
		return nil, errInvalidParam("VersionStage is required")
	}
	stage := *in.VersionStage
	holder := sec.withStage(stage)
	if in.RemoveFromVersionId != nil {
		if holder == nil || holder.id != *in.RemoveFromVersionId {
			return nil, errInvalidParam("The staging label %s is not attached to version %s.", stage, *in.RemoveFromVersionId)
		}
	}
	if in.MoveToVersionId == nil {
		if in.RemoveFromVersionId == nil {
			return nil, errInvalidParam("You must specify MoveToVersionId, RemoveFromVersionId, or both.")
		}
		if stage == StageCurrent {
			return nil, errInvalidParam("You can't remove the staging label AWSCURRENT without moving it to another version.")
		}
		sec.moveStage(stage, "")
		return updateStageOut{ARN: sec.arn, Name: sec.name}, nil
	}
	to := *in.MoveToVersionId
	if _, ok := sec.versions[to]; !ok {
		return nil, errInvalidParam("Version %s does not exist in secret %s.", to, sec.name)
	}
	if holder != nil && holder.id != to && in.RemoveFromVersionId == nil {
		return nil, errInvalidParam("The parameter RemoveFromVersionId can't be empty. Staging label %s is currently attached to version %s, so you must explicitly reference that version in RemoveFromVersionId.", stage, holder.id)
	}
	sec.moveStage(stage, to)
	if stage == StageCurrent {
		sec.lastRotated = s.now()
	}
	return updateStageOut{ARN: sec.arn, Name: sec.name}, nil
}

func ptrEqual(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

// randomID returns a UUID-shaped random identifier, like the version IDs
// Secrets Manager hands out.
func randomID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails: crypto/rand aborts the program instead.
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// NewToken returns a fresh ClientRequestToken, as RotateSecret generates.
func NewToken() string { return randomID() }

// SetEnv points the default AWS configuration chain at the fake's static
// credentials and region, and away from any shared config, profile or
// instance metadata on the machine, for the duration of t.
func SetEnv(t testing.TB) {
	t.Helper()
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":           AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":       SecretAccessKey,
		"AWS_SESSION_TOKEN":           "",
		"AWS_REGION":                  Region,
		"AWS_DEFAULT_REGION":          Region,
		"AWS_PROFILE":                 "",
		"AWS_CONFIG_FILE":             dir + "/config",
		"AWS_SHARED_CREDENTIALS_FILE": dir + "/credentials",
		"AWS_EC2_METADATA_DISABLED":   "true",
	} {
		t.Setenv(k, v)
	}
}
