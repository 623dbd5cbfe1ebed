// Command coldfloor is the smallest function served through lambdahttp: one
// handler writing fixed JSON. The Lambda cold-start benchmark in tests/lambda
// runs it beside the service to separate the emulator's, the Go runtime's and
// the adapter's share of a cold start from the service's own start-up.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/deliverykit/podinfo/src/internal/lambdahttp"
)

func main() {
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = io.WriteString(w, `{"status":"OK"}`)
	})
	if err := lambdahttp.Start(context.Background(), h); err != nil {
		fmt.Fprintf(os.Stderr, "coldfloor: %v\n", err)
		os.Exit(1)
	}
}
