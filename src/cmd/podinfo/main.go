// Command podinfo is the podinfo-compatible service. The one binary serves
// HTTP (EC2, behind an ALB) or, when AWS_LAMBDA_RUNTIME_API is set, API
// Gateway HTTP API events on Lambda, through the same router.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	stdlog "log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"syscall"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/sirupsen/logrus"

	"github.com/deliverykit/podinfo/src/internal/api"
	"github.com/deliverykit/podinfo/src/internal/config"
	"github.com/deliverykit/podinfo/src/internal/emf"
	"github.com/deliverykit/podinfo/src/internal/health"
	"github.com/deliverykit/podinfo/src/internal/lambdahttp"
	"github.com/deliverykit/podinfo/src/internal/logging"
	"github.com/deliverykit/podinfo/src/internal/metrics"
	"github.com/deliverykit/podinfo/src/internal/rotatorapp"
	"github.com/deliverykit/podinfo/src/internal/shutdown"
	"github.com/deliverykit/podinfo/src/internal/signingkey"
	"github.com/deliverykit/podinfo/src/internal/smkeys"
	"github.com/deliverykit/podinfo/src/internal/version"
)

// gcPercent is the GOGC the service runs with unless GOGC is set.
const gcPercent = 400

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-ctx.Done()
		stop() // a second signal now ends the process at once
	}()
	if len(os.Args) > 1 && os.Args[1] == rotatorMode {
		os.Exit(rotatorapp.Run(ctx, os.Getenv, os.Stderr, lambda.Start))
	}
	os.Exit(run(ctx, os.Args[1:], os.Environ(), os.Stdout, os.Stderr))
}

// rotatorMode is the first argument that makes this binary the secret-rotation
// Lambda instead of the service, so the one signed image also serves as the
// rotation function (iac/modules/secrets sets it as the image command).
const rotatorMode = "rotator"

// run is main without the process: it returns the exit code.
func run(ctx context.Context, args, environ []string, stdout, stderr io.Writer) int {
	hostname, _ := os.Hostname() // podinfo's default; empty if unknown
	cfg, err := config.Load(args, environ, hostname, stderr)
	if errors.Is(err, config.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "podinfo: %v\n", err)
		return 2
	}
	if lookup(environ, "GOGC") == "" {
		// The service's live heap is a few MB, so the default GOGC=100
		// collects every few thousand requests; 400 cuts GC work per
		// request by about a fifth (README, "Measured figures") for a
		// peak heap of tens of MB under load. GOGC in the environment wins.
		debug.SetGCPercent(gcPercent)
	}
	target := api.TargetEC2
	if lookup(environ, "AWS_LAMBDA_RUNTIME_API") != "" {
		target = api.TargetLambda
	}
	// On EC2, log lines are written in batches (--log-flush-interval); on
	// Lambda each line is written at once, because the sandbox is frozen
	// between invocations and buffered lines would wait for the next one.
	logOut := stdout
	exit := os.Exit
	if target == api.TargetEC2 && cfg.LogFlushInterval > 0 {
		buffered, err := logging.NewBuffered(stdout, cfg.LogFlushInterval)
		if err != nil {
			fmt.Fprintf(stderr, "podinfo: %v\n", err)
			return 2
		}
		defer func() {
			if err := buffered.Close(); err != nil {
				fmt.Fprintf(stderr, "podinfo: %v\n", err)
			}
		}()
		logOut = buffered
		exit = func(code int) {
			_ = buffered.Close() // /panic: write the last lines first
			os.Exit(code)
		}
	}
	logger, err := logging.New(logOut, cfg.Level)
	if err != nil {
		fmt.Fprintf(stderr, "podinfo: %v\n", err)
		return 2
	}
	log := logger.WithFields(logrus.Fields{"target": target, "version": version.Version})
	log.WithField("revision", version.Revision).Info("starting podinfo")

	keys, err := signingKeys(ctx, cfg, log)
	if err != nil {
		log.WithError(err).Error("cannot start without the JWT signing keys")
		return 1
	}
	opts := api.Options{
		Config:  cfg,
		Log:     logger,
		State:   health.New(!cfg.Unhealthy, !cfg.Unready),
		Keys:    keys,
		Metrics: metrics.New(),
		Target:  target,
		Exit:    exit,
	}
	if target == api.TargetLambda {
		opts.EMF = emf.New(stdout, cfg.EMFNamespace)
	}
	srv, err := api.New(opts)
	if err != nil {
		log.WithError(err).Error("building the API failed")
		return 1
	}

	if target == api.TargetLambda {
		if err := lambdahttp.Start(ctx, srv); err != nil {
			log.WithError(err).Error("lambda runtime loop failed")
			return 1
		}
		return 0
	}

	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.WithError(err).WithField("addr", addr).Error("cannot listen: pick a free --port (PODINFO_PORT)")
		return 1
	}
	log.WithField("addr", ln.Addr().String()).Info("listening")
	// net/http's own complaints (malformed requests, TLS noise) become
	// JSON warning lines like every other line the service writes.
	errorLog := log.Logger.WriterLevel(logrus.WarnLevel)
	defer errorLog.Close()
	httpSrv := &http.Server{
		ErrorLog:          stdlog.New(errorLog, "net/http: ", 0),
		Handler:           srv,
		ReadHeaderTimeout: cfg.HTTPServerTimeout,
		ReadTimeout:       cfg.HTTPServerTimeout,
		WriteTimeout:      cfg.HTTPServerTimeout,
		IdleTimeout:       2 * cfg.HTTPServerTimeout,
	}
	err = shutdown.Serve(ctx, httpSrv, ln, opts.State, shutdown.Options{
		Delay:   cfg.ServerShutdownDelay,
		Timeout: cfg.ServerShutdownTimeout,
		Log:     log,
	})
	if err != nil {
		log.WithError(err).Error("server stopped with an error")
		return 1
	}
	return 0
}

// signingKeys returns the JWT key source: the Secrets Manager secret named
// by --jwt-secret-id, or a random development key, with a warning.
func signingKeys(ctx context.Context, cfg config.Config, log *logrus.Entry) (signingkey.Source, error) {
	if cfg.JWTSecretID == "" {
		secret := make([]byte, 32)
		_, _ = rand.Read(secret) // never fails (Go 1.24+)
		log.Warn("no --jwt-secret-id (PODINFO_JWT_SECRET_ID) configured: tokens are signed with a random development key that lives only in this process; do not use this in production")
		return signingkey.NewStatic(signingkey.Key{ID: "dev", Secret: secret}), nil
	}
	src, err := smkeys.FromConfig(ctx, cfg.JWTSecretID, smkeys.Options{
		Refresh:  cfg.JWTSecretRefresh,
		Endpoint: cfg.SecretsEndpoint,
		OnRefreshError: func(err error) {
			log.WithError(err).Warn("refreshing the JWT signing keys failed; the cached keys stay in use")
		},
	})
	if err != nil {
		return nil, fmt.Errorf("reading JWT signing keys from secret %q: %w", cfg.JWTSecretID, err)
	}
	log.WithField("secret_id", cfg.JWTSecretID).Info("JWT signing keys read from Secrets Manager")
	return src, nil
}

func lookup(environ []string, name string) string {
	for _, kv := range environ {
		if len(kv) > len(name) && kv[len(name)] == '=' && kv[:len(name)] == name {
			return kv[len(name)+1:]
		}
	}
	return ""
}
