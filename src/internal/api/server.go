// Package api is the podinfo-compatible HTTP API. New builds the one
// http.Handler that serves HTTP on EC2 and API Gateway events on Lambda.
// This file owns the route table and the middleware order; every endpoint
// lives in its own file with its test beside it.
package api

import (
	"errors"
	"net/http"
	"os"
	"slices"
	"strings"

	"github.com/gorilla/mux"
	"github.com/sirupsen/logrus"

	"github.com/deliverykit/podinfo/src/internal/config"
	"github.com/deliverykit/podinfo/src/internal/emf"
	"github.com/deliverykit/podinfo/src/internal/health"
	"github.com/deliverykit/podinfo/src/internal/metrics"
	"github.com/deliverykit/podinfo/src/internal/signingkey"
)

// MaxBodyBytes is the largest request body accepted; larger ones get 413.
const MaxBodyBytes = 10 << 20

// Target names the platform serving requests, as written in log lines.
const (
	TargetEC2    = "ec2"
	TargetLambda = "lambda"
)

// Options are everything a Server needs. Config, Log, State and Keys are
// required.
type Options struct {
	// Config is the merged service configuration.
	Config config.Config
	// Log is the service logger; request lines are written at info.
	Log *logrus.Logger
	// State holds liveness, readiness and fault injection for this server.
	State *health.State
	// Keys signs and validates tokens.
	Keys signingkey.Source
	// Metrics records Prometheus metrics; nil makes a fresh set.
	Metrics *metrics.Metrics
	// EMF, when set, receives one CloudWatch EMF line per request (Lambda).
	EMF *emf.Writer
	// Target is TargetEC2 or TargetLambda.
	Target string
	// Environ lists the environment for /env; nil uses os.Environ.
	Environ func() []string
	// Exit ends the process for /panic; nil uses os.Exit.
	Exit func(code int)
}

// Server is the podinfo API. It is an http.Handler.
type Server struct {
	opts    Options
	router  *mux.Router
	exact   map[string]*exactRoute
	handler http.Handler
	info    infoTemplate
}

// exactRoute is a route without path variables, answered without asking
// the router (see dispatch).
type exactRoute struct {
	route   *route
	methods []string // empty: any method
	h       http.HandlerFunc
}

var _ http.Handler = (*Server)(nil)

// New validates opts and builds the Server.
func New(opts Options) (*Server, error) {
	var errs []error
	if opts.Log == nil {
		errs = append(errs, errors.New("api options: Log is nil: pass the service logger"))
	}
	if opts.State == nil {
		errs = append(errs, errors.New("api options: State is nil: pass health.New(...)"))
	}
	if opts.Keys == nil {
		errs = append(errs, errors.New("api options: Keys is nil: pass a signingkey.Source"))
	}
	if opts.Target != TargetEC2 && opts.Target != TargetLambda {
		errs = append(errs, errors.New(`api options: Target must be "ec2" or "lambda", got "`+opts.Target+`"`))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if opts.Metrics == nil {
		opts.Metrics = metrics.New()
	}
	if opts.Environ == nil {
		opts.Environ = os.Environ
	}
	if opts.Exit == nil {
		opts.Exit = os.Exit
	}
	s := &Server{opts: opts, router: mux.NewRouter(), exact: map[string]*exactRoute{}}
	s.info = newInfoTemplate(opts.Config)
	s.routes()
	s.router.NotFoundHandler = http.HandlerFunc(s.notFound)
	s.router.MethodNotAllowedHandler = http.HandlerFunc(s.methodNotAllowed)
	s.handler = s.middleware(http.HandlerFunc(s.dispatch))
	return s, nil
}

// ServeHTTP serves one request through the middleware chain and router.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// routes is the route table. Names follow podinfo, whose metric path
// labels come from the route name where one is set.
func (s *Server) routes() {
	s.handle("/", "", s.index, http.MethodGet)
	s.handle("/api/info", "", s.infoHandler, http.MethodGet)
	s.handle("/version", "", s.versionHandler, http.MethodGet)
	s.handle("/healthz", "", s.healthz, http.MethodGet)
	s.handle("/readyz", "", s.readyz, http.MethodGet)
	s.handle("/readyz/enable", "", s.enableReady, http.MethodPost)
	s.handle("/readyz/disable", "", s.disableReady, http.MethodPost)
	s.handle("/env", "", s.env, http.MethodGet, http.MethodPost)
	s.handle("/headers", "", s.headers, http.MethodGet, http.MethodPost)
	s.handle("/delay/{wait}", "delay", s.delay, http.MethodGet)
	s.handle("/status/{code}", "status", s.status, http.MethodGet, http.MethodPost, http.MethodPut)
	s.handle("/echo", "", s.echo)
	s.handlePrefix("/echo/", s.echo)
	s.handle("/api/echo", "", s.echo)
	s.handlePrefix("/api/echo/", s.echo)
	s.handle("/token", "", s.tokenGenerate, http.MethodPost)
	s.handle("/token/validate", "", s.tokenValidate, http.MethodGet)
	s.handle("/fault_injection/enable", "", s.enableFault, http.MethodPost)
	s.handle("/fault_injection/disable", "", s.disableFault, http.MethodPost)
	s.handle("/fault_injection/status", "", s.faultStatus, http.MethodGet)
	s.handle("/chunked", "", s.chunked)
	s.handle("/chunked/{wait}", "chunked", s.chunked)
	s.handle("/metrics", "", s.opts.Metrics.Handler().ServeHTTP, http.MethodGet)
	s.handle("/panic", "", s.panicHandler, http.MethodGet)
}

// middleware wraps the router, outermost first: observe (correlation ID,
// panic recovery, request log, metrics, EMF), the body limit, then
// podinfo's chaos switches (fault injection, random delay, random error).
// Observe is outermost so that every answer, including 404, 405, 413 and
// injected faults, is logged and counted.
func (s *Server) middleware(next http.Handler) http.Handler {
	h := next
	if s.opts.Config.RandomError {
		h = s.randomError(h)
	}
	if s.opts.Config.RandomDelay {
		h = s.randomDelay(h)
	}
	h = s.faultInjection(h)
	h = s.limitBody(h)
	return s.observe(h)
}

// route describes one entry of the route table for logs and metrics.
type route struct {
	template string // "/delay/{wait}", written in log lines and EMF
	label    string // podinfo's Prometheus path label, "delay"
}

func (s *Server) handle(path, name string, h http.HandlerFunc, methods ...string) {
	label := name
	if label == "" {
		label = path
	}
	rt := &route{template: path, label: metrics.Label(label)}
	if !strings.Contains(path, "{") {
		s.exact[path] = &exactRoute{route: rt, methods: methods, h: h}
	}
	r := s.router.Handle(path, withRoute(rt, h))
	if len(methods) > 0 {
		r.Methods(methods...)
	}
	if name != "" {
		r.Name(name)
	}
}

func (s *Server) handlePrefix(prefix string, h http.HandlerFunc) {
	rt := &route{template: prefix + "*", label: metrics.Label(prefix)}
	s.router.PathPrefix(prefix).Handler(withRoute(rt, h))
}

// dispatch answers a request for a path without variables (/api/info,
// /healthz, ...) with a map lookup, and leaves everything else (paths with
// variables, prefixes, wrong methods, unknown paths) to the gorilla/mux
// router. The routes are registered once, in routes(), into both; for the
// exact paths the router's matching (a regular expression per route tried)
// and its two request copies are the largest cost of a request that the
// answer does not need, since those routes have no variables to extract.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	if e, ok := s.exact[r.URL.Path]; ok && (len(e.methods) == 0 || slices.Contains(e.methods, r.Method)) {
		if ex := exchangeFrom(r.Context()); ex != nil {
			ex.route = e.route
		}
		e.h(w, r)
		return
	}
	s.router.ServeHTTP(w, r)
}

// withRoute records which route answered, for the observe middleware.
func withRoute(rt *route, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ex := exchangeFrom(r.Context()); ex != nil {
			ex.route = rt
		}
		h(w, r)
	})
}
