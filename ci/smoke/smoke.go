// Package smoke runs the synthetic checks of a podinfo-compatible service
// against any base URL (API Gateway, ALB, or a local process): /healthz,
// /readyz, /version (optionally the expected version and revision),
// /api/info, an echo round trip and a token round trip. The deployer runs it
// after every traffic step; the GitHub workflows run it through cmd/smoke.
package smoke

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Options configure a run.
type Options struct {
	// BaseURL is the service's root ("https://abc.execute-api.eu-west-1.amazonaws.com").
	BaseURL string
	// ExpectVersion and ExpectRevision, when set, must equal what /version reports.
	ExpectVersion, ExpectRevision string
	// Client sends the requests; nil uses a client with RequestTimeout.
	Client *http.Client
	// RequestTimeout bounds each request (default 10s).
	RequestTimeout time.Duration
	// Attempts is how many times the whole suite runs before it fails
	// (default 1); Interval is the wait between attempts (default 2s).
	Attempts int
	Interval time.Duration
}

// Check is one check's result.
type Check struct {
	Name     string        `json:"name"`
	OK       bool          `json:"ok"`
	Status   int           `json:"status,omitempty"`
	Duration time.Duration `json:"duration_ns"`
	Detail   string        `json:"detail,omitempty"`
}

// Result is one suite run.
type Result struct {
	BaseURL  string  `json:"base_url"`
	Version  string  `json:"version,omitempty"`
	Revision string  `json:"revision,omitempty"`
	Attempt  int     `json:"attempt"`
	Checks   []Check `json:"checks"`
}

// OK reports whether every check passed.
func (r Result) OK() bool {
	for _, c := range r.Checks {
		if !c.OK {
			return false
		}
	}
	return len(r.Checks) > 0
}

// Err returns nil when every check passed, else an error listing failures.
func (r Result) Err() error {
	if r.OK() {
		return nil
	}
	var failed []string
	for _, c := range r.Checks {
		if !c.OK {
			failed = append(failed, c.Name+": "+c.Detail)
		}
	}
	return fmt.Errorf("smoke tests against %s failed: %s", r.BaseURL, strings.Join(failed, "; "))
}

// ParseBaseURL checks that raw is an absolute http(s) URL without query or
// fragment and returns it without a trailing slash.
func ParseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("base URL %q: %w; want e.g. https://api.example.com", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("base URL %q: scheme must be http or https, e.g. https://api.example.com", raw)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("base URL %q: no host; want e.g. https://api.example.com", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("base URL %q: must not carry a query, fragment or credentials", raw)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// Run runs the suite, up to Attempts times, and returns the last result.
func Run(ctx context.Context, o Options) (Result, error) {
	base, err := ParseBaseURL(o.BaseURL)
	if err != nil {
		return Result{BaseURL: o.BaseURL}, err
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 10 * time.Second
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: o.RequestTimeout}
	}
	if o.Attempts < 1 {
		o.Attempts = 1
	}
	if o.Interval <= 0 {
		o.Interval = 2 * time.Second
	}
	var res Result
	for attempt := 1; attempt <= o.Attempts; attempt++ {
		res = suite(ctx, base, o)
		res.Attempt = attempt
		if res.OK() || attempt == o.Attempts {
			break
		}
		t := time.NewTimer(o.Interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return res, fmt.Errorf("smoke tests against %s: %w", base, ctx.Err())
		case <-t.C:
		}
	}
	return res, res.Err()
}

type runner struct {
	ctx  context.Context
	base *url.URL
	o    Options
	res  *Result
}

func suite(ctx context.Context, base *url.URL, o Options) Result {
	res := &Result{BaseURL: base.String()}
	r := &runner{ctx: ctx, base: base, o: o, res: res}
	r.status("healthz", http.MethodGet, "/healthz", http.StatusOK)
	r.status("readyz", http.MethodGet, "/readyz", http.StatusOK)
	r.version()
	r.info()
	r.echo()
	r.token()
	return *res
}

func (r *runner) url(path string) string {
	u := *r.base
	u.Path = r.base.Path + path
	return u.String()
}

// do sends one request and reads at most 1 MiB of the answer.
func (r *runner) do(method, path string, body []byte, header http.Header) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(r.ctx, r.o.RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, r.url(path), bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", "podinfo-smoke/1")
	resp, err := r.o.Client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, b, err
}

func (r *runner) add(name string, startT time.Time, status int, err error) bool {
	c := Check{Name: name, OK: err == nil, Status: status, Duration: time.Since(startT)}
	if err != nil {
		c.Detail = err.Error()
	}
	r.res.Checks = append(r.res.Checks, c)
	return c.OK
}

func (r *runner) status(name, method, path string, want int) {
	t := time.Now()
	code, body, err := r.do(method, path, nil, nil)
	if err == nil && code != want {
		err = fmt.Errorf("%s %s answered %d, want %d: %s", method, path, code, want, snippet(body))
	}
	r.add(name, t, code, err)
}

func (r *runner) version() {
	t := time.Now()
	code, body, err := r.do(http.MethodGet, "/version", nil, nil)
	var v struct {
		Commit  string `json:"commit"`
		Version string `json:"version"`
	}
	switch {
	case err != nil:
	case code != http.StatusOK:
		err = fmt.Errorf("GET /version answered %d, want 200: %s", code, snippet(body))
	case json.Unmarshal(body, &v) != nil:
		err = fmt.Errorf("GET /version: body is not {\"commit\",\"version\"} JSON: %s", snippet(body))
	case v.Version == "":
		err = errors.New("GET /version: empty version")
	case r.o.ExpectVersion != "" && v.Version != r.o.ExpectVersion:
		err = fmt.Errorf("GET /version reports version %q, want %q (is the new version live?)", v.Version, r.o.ExpectVersion)
	case r.o.ExpectRevision != "" && v.Commit != r.o.ExpectRevision:
		err = fmt.Errorf("GET /version reports commit %q, want %q (is the new version live?)", v.Commit, r.o.ExpectRevision)
	}
	if err == nil {
		r.res.Version, r.res.Revision = v.Version, v.Commit
	}
	r.add("version", t, code, err)
}

func (r *runner) info() {
	t := time.Now()
	code, body, err := r.do(http.MethodGet, "/api/info", nil, nil)
	var info struct {
		Hostname string `json:"hostname"`
		Version  string `json:"version"`
		Revision string `json:"revision"`
	}
	switch {
	case err != nil:
	case code != http.StatusOK:
		err = fmt.Errorf("GET /api/info answered %d, want 200: %s", code, snippet(body))
	case json.Unmarshal(body, &info) != nil:
		err = fmt.Errorf("GET /api/info: body is not JSON: %s", snippet(body))
	case info.Version == "" || info.Hostname == "":
		err = fmt.Errorf("GET /api/info: hostname or version missing: %s", snippet(body))
	case r.o.ExpectVersion != "" && info.Version != r.o.ExpectVersion:
		err = fmt.Errorf("GET /api/info reports version %q, want %q (is the new version live everywhere?)", info.Version, r.o.ExpectVersion)
	}
	r.add("api-info", t, code, err)
}

func (r *runner) echo() {
	t := time.Now()
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails
	payload := []byte("smoke-" + hex.EncodeToString(nonce))
	code, body, err := r.do(http.MethodPost, "/echo", payload, http.Header{"Content-Type": {"text/plain"}})
	switch {
	case err != nil:
	case code != http.StatusAccepted:
		err = fmt.Errorf("POST /echo answered %d, want 202: %s", code, snippet(body))
	case !bytes.Equal(body, payload):
		err = fmt.Errorf("POST /echo returned %q, want the %d bytes sent", snippet(body), len(payload))
	}
	r.add("echo", t, code, err)
}

// token issues a token and validates it; the token itself is never put in
// a result or an error.
func (r *runner) token() {
	t := time.Now()
	const name = "podinfo-smoke"
	code, body, err := r.do(http.MethodPost, "/token", []byte(name), http.Header{"Content-Type": {"text/plain"}})
	var tok struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	switch {
	case err != nil:
	case code != http.StatusOK:
		err = fmt.Errorf("POST /token answered %d, want 200", code)
	case json.Unmarshal(body, &tok) != nil || tok.Token == "":
		err = errors.New("POST /token: body has no token field")
	}
	if err != nil {
		r.add("token", t, code, err)
		return
	}
	code, body, err = r.do(http.MethodGet, "/token/validate", nil, http.Header{"Authorization": {"Bearer " + tok.Token}})
	var v struct {
		TokenName string `json:"token_name"`
	}
	switch {
	case err != nil:
	case code != http.StatusOK:
		err = fmt.Errorf("GET /token/validate of a fresh token answered %d, want 200: %s", code, snippet(body))
	case json.Unmarshal(body, &v) != nil:
		err = fmt.Errorf("GET /token/validate: body is not JSON: %s", snippet(body))
	case v.TokenName != name:
		err = fmt.Errorf("GET /token/validate: token_name %q, want %q", v.TokenName, name)
	}
	r.add("token", t, code, err)
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}
