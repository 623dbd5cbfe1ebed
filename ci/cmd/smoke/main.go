// Command smoke runs the synthetic checks of a podinfo-compatible service
// against a base URL and exits non-zero when any fails. The GitHub workflows
// and the deployer share the checks (package ci/smoke).
//
//	smoke --url https://api.example.com [--expect-version 1.2.3] [--expect-revision SHA]
//	      [--attempts 3] [--interval 5s] [--timeout 10s] [--json]
//
// Exit codes: 0 all checks passed, 1 a check failed, 2 bad usage.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/deliverykit/podinfo/ci/smoke"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("smoke", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o smoke.Options
	var asJSON bool
	fs.StringVar(&o.BaseURL, "url", "", "base URL of the service (required), e.g. https://api.example.com")
	fs.StringVar(&o.ExpectVersion, "expect-version", "", "version /version must report (empty: any)")
	fs.StringVar(&o.ExpectRevision, "expect-revision", "", "commit /version must report (empty: any)")
	fs.IntVar(&o.Attempts, "attempts", 1, "runs of the whole suite before giving up (1-20)")
	fs.DurationVar(&o.Interval, "interval", 2*time.Second, "wait between attempts")
	fs.DurationVar(&o.RequestTimeout, "timeout", 10*time.Second, "timeout of each request")
	fs.BoolVar(&asJSON, "json", false, "print the result as JSON instead of text")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if o.BaseURL == "" {
		fmt.Fprintln(stderr, "smoke: --url is required, e.g. --url https://api.example.com")
		return 2
	}
	if _, err := smoke.ParseBaseURL(o.BaseURL); err != nil {
		fmt.Fprintf(stderr, "smoke: --url: %v\n", err)
		return 2
	}
	if o.Attempts < 1 || o.Attempts > 20 {
		fmt.Fprintf(stderr, "smoke: --attempts %d: want 1 to 20\n", o.Attempts)
		return 2
	}
	if o.RequestTimeout <= 0 || o.Interval <= 0 {
		fmt.Fprintln(stderr, "smoke: --timeout and --interval must be positive, e.g. 10s")
		return 2
	}
	res, err := smoke.Run(ctx, o)
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if eerr := enc.Encode(res); eerr != nil {
			fmt.Fprintf(stderr, "smoke: write result: %v\n", eerr)
			return 1
		}
	} else {
		for _, c := range res.Checks {
			mark := "ok  "
			if !c.OK {
				mark = "FAIL"
			}
			fmt.Fprintf(stdout, "%s %-8s %4d %8s %s\n", mark, c.Name, c.Status, c.Duration.Round(time.Millisecond), c.Detail)
		}
		if res.Version != "" {
			fmt.Fprintf(stdout, "version %s (commit %s) at %s, attempt %d\n", res.Version, res.Revision, res.BaseURL, res.Attempt)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "smoke: %v\n", err)
		return 1
	}
	return 0
}
