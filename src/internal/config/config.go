// Package config holds the service's one configuration struct, merged once
// from command-line flags and PODINFO_* environment variables, with
// podinfo's flag names and defaults where the feature exists.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/deliverykit/podinfo/src/internal/version"
)

// EnvPrefix is the prefix of every environment variable the service reads:
// flag "ui-color" is also read from PODINFO_UI_COLOR.
const EnvPrefix = "PODINFO_"

// Config is the service's configuration. Each field's flag name is in its
// `flag` tag; its environment variable is EnvPrefix plus the flag name in
// upper case with "-" replaced by "_".
type Config struct {
	// Host is the address the HTTP server binds; empty means all.
	Host string `flag:"host"`
	// Port is the HTTP port; 0 picks a free one.
	Port int `flag:"port"`
	// Level is the log level; request lines are written at info.
	Level string `flag:"level"`
	// Hostname is reported by /api/info.
	Hostname string `flag:"hostname"`
	// HTTPServerTimeout is the server's read and write timeout.
	HTTPServerTimeout time.Duration `flag:"http-server-timeout"`
	// ServerShutdownTimeout bounds the drain of in-flight requests.
	ServerShutdownTimeout time.Duration `flag:"server-shutdown-timeout"`
	// ServerShutdownDelay is how long the server keeps serving, not ready,
	// after SIGTERM before it stops accepting connections.
	ServerShutdownDelay time.Duration `flag:"server-shutdown-delay"`
	// UILogo, UIColor and UIMessage are reported by /api/info.
	UILogo    string `flag:"ui-logo"`
	UIColor   string `flag:"ui-color"`
	UIMessage string `flag:"ui-message"`
	// RandomDelay delays every request by RandomDelayMin..RandomDelayMax
	// units of RandomDelayUnit ("s" or "ms").
	RandomDelay     bool   `flag:"random-delay"`
	RandomDelayUnit string `flag:"random-delay-unit"`
	RandomDelayMin  int    `flag:"random-delay-min"`
	RandomDelayMax  int    `flag:"random-delay-max"`
	// RandomError answers one request in three with an error status.
	RandomError bool `flag:"random-error"`
	// Unhealthy and Unready set the initial probe states.
	Unhealthy bool `flag:"unhealthy"`
	Unready   bool `flag:"unready"`
	// DelayMax caps /delay and /chunked, in seconds.
	DelayMax int `flag:"delay-max"`
	// JWTSecretID names the Secrets Manager secret of the JWT keys; empty
	// means a random development key.
	JWTSecretID string `flag:"jwt-secret-id"`
	// JWTSecretRefresh is how often the keys are re-read.
	JWTSecretRefresh time.Duration `flag:"jwt-secret-refresh"`
	// SecretsEndpoint overrides the Secrets Manager endpoint.
	SecretsEndpoint string `flag:"secretsmanager-endpoint"`
	// EMFNamespace is the CloudWatch namespace of the Lambda metric lines.
	EMFNamespace string `flag:"emf-namespace"`
	// LogFlushInterval batches log writes on EC2 (0: one write per line).
	LogFlushInterval time.Duration `flag:"log-flush-interval"`
}

// DefaultLogo is podinfo's default UI logo.
const DefaultLogo = "https://raw.githubusercontent.com/stefanprodan/podinfo/gh-pages/cuddle_clap.gif"

// ErrHelp is returned by Load when -h or --help was given; usage has
// already been written.
var ErrHelp = flag.ErrHelp

// Load parses args (without the program name) and the environment (as
// os.Environ returns it) into a Config. Flags given on the command line win
// over environment variables, which win over defaults. Usage and parse
// errors are written to out. hostname is the default of --hostname.
func Load(args, environ []string, hostname string, out io.Writer) (Config, error) {
	var c Config
	fs := newFlagSet(&c, hostname)
	fs.SetOutput(out)
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q: every setting is a --flag (see --help)", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, EnvPrefix) {
			env[k] = v
		}
	}
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] {
			return
		}
		name := EnvName(f.Name)
		v, ok := env[name]
		if !ok {
			return
		}
		if err := fs.Set(f.Name, v); err != nil {
			errs = append(errs, fmt.Errorf("environment variable %s=%q: %w", name, v, err))
		}
	})
	if err := errors.Join(errs...); err != nil {
		return Config{}, err
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// newFlagSet registers every flag of c, with podinfo's defaults.
func newFlagSet(c *Config, hostname string) *flag.FlagSet {
	fs := flag.NewFlagSet("podinfo", flag.ContinueOnError)
	fs.StringVar(&c.Host, "host", "", "host to bind the HTTP server to (all interfaces when empty)")
	fs.IntVar(&c.Port, "port", 9898, "HTTP port (0 picks a free port and logs it)")
	fs.StringVar(&c.Level, "level", "info", "log level: debug, info, warn, error, fatal or panic")
	fs.StringVar(&c.Hostname, "hostname", hostname, "hostname reported by /api/info")
	fs.DurationVar(&c.HTTPServerTimeout, "http-server-timeout", 30*time.Second, "server read and write timeout")
	fs.DurationVar(&c.ServerShutdownTimeout, "server-shutdown-timeout", 5*time.Second, "how long in-flight requests may take to drain on SIGTERM")
	fs.DurationVar(&c.ServerShutdownDelay, "server-shutdown-delay", 3*time.Second, "how long readiness reports 503 before the server stops accepting connections on SIGTERM")
	fs.StringVar(&c.UILogo, "ui-logo", DefaultLogo, "UI logo URL")
	fs.StringVar(&c.UIColor, "ui-color", "#34577c", "UI color")
	fs.StringVar(&c.UIMessage, "ui-message", "greetings from podinfo v"+version.Version, "UI message")
	fs.BoolVar(&c.RandomDelay, "random-delay", false, "delay every request by a random time between random-delay-min and random-delay-max")
	fs.StringVar(&c.RandomDelayUnit, "random-delay-unit", "s", "unit of the random delay: s or ms")
	fs.IntVar(&c.RandomDelayMin, "random-delay-min", 0, "minimum random delay")
	fs.IntVar(&c.RandomDelayMax, "random-delay-max", 5, "maximum random delay")
	fs.BoolVar(&c.RandomError, "random-error", false, "answer one request in three with a random error status")
	fs.BoolVar(&c.Unhealthy, "unhealthy", false, "never report healthy")
	fs.BoolVar(&c.Unready, "unready", false, "start not ready")
	fs.IntVar(&c.DelayMax, "delay-max", 20, "largest number of seconds /delay and /chunked accept (must be below http-server-timeout)")
	fs.StringVar(&c.JWTSecretID, "jwt-secret-id", "", "Secrets Manager secret (name or ARN) holding the JWT signing key; empty uses a random development key")
	fs.DurationVar(&c.JWTSecretRefresh, "jwt-secret-refresh", 5*time.Minute, "how often the JWT signing keys are re-read from Secrets Manager")
	fs.StringVar(&c.SecretsEndpoint, "secretsmanager-endpoint", "", "Secrets Manager endpoint override (VPC endpoints, tests)")
	fs.StringVar(&c.EMFNamespace, "emf-namespace", "podinfo", "CloudWatch namespace of the embedded-metric-format lines written on Lambda")
	fs.DurationVar(&c.LogFlushInterval, "log-flush-interval", 200*time.Millisecond, "batch log lines and write them at least this often (0 writes each line at once; Lambda always does)")

	return fs
}

// EnvName returns the environment variable that sets flag name.
func EnvName(flagName string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Validate reports every setting that is out of range, naming the flag and
// how to fix it.
func (c Config) Validate() error {
	var errs []error
	bad := func(flagName, format string, args ...any) {
		errs = append(errs, fmt.Errorf("--%s (%s): %s", flagName, EnvName(flagName), fmt.Sprintf(format, args...)))
	}
	if c.Port < 0 || c.Port > 65535 {
		bad("port", "%d is not a TCP port: use 1-65535, or 0 for any free port", c.Port)
	}
	switch c.Level {
	case "debug", "info", "warn", "warning", "error", "fatal", "panic":
	default:
		bad("level", "%q is not a log level: use debug, info, warn, error, fatal or panic", c.Level)
	}
	if c.HTTPServerTimeout <= 0 {
		bad("http-server-timeout", "%s must be positive, e.g. 30s", c.HTTPServerTimeout)
	}
	if c.ServerShutdownTimeout <= 0 {
		bad("server-shutdown-timeout", "%s must be positive, e.g. 5s", c.ServerShutdownTimeout)
	}
	if c.ServerShutdownDelay < 0 {
		bad("server-shutdown-delay", "%s must not be negative, e.g. 3s or 0s", c.ServerShutdownDelay)
	}
	if c.RandomDelayUnit != "s" && c.RandomDelayUnit != "ms" {
		bad("random-delay-unit", "%q is not a unit: use s or ms", c.RandomDelayUnit)
	}
	if c.RandomDelayMin < 0 || c.RandomDelayMax < c.RandomDelayMin {
		bad("random-delay-max", "range %d..%d is empty or negative: set 0 <= random-delay-min <= random-delay-max", c.RandomDelayMin, c.RandomDelayMax)
	}
	if c.DelayMax < 0 {
		bad("delay-max", "%d must not be negative", c.DelayMax)
	} else if time.Duration(c.DelayMax)*time.Second >= c.HTTPServerTimeout && c.HTTPServerTimeout > 0 {
		bad("delay-max", "%ds must be below --http-server-timeout (%s), or delayed responses would be cut off", c.DelayMax, c.HTTPServerTimeout)
	}
	if c.JWTSecretID != "" && c.JWTSecretRefresh <= 0 {
		bad("jwt-secret-refresh", "%s must be positive when --jwt-secret-id is set, e.g. 5m", c.JWTSecretRefresh)
	}
	if c.LogFlushInterval < 0 {
		bad("log-flush-interval", "%s must not be negative: use 0 to write each line at once", c.LogFlushInterval)
	}
	if c.EMFNamespace == "" {
		bad("emf-namespace", "must not be empty")
	}
	return errors.Join(errs...)
}
