// Command installtools builds the named pinned tools (all when none is named)
// into the tool cache, so a test run starts with them ready. It prints each
// tool's path.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/deliverykit/podinfo/ci/toolversions"
	"github.com/deliverykit/podinfo/tests/internal/toolbuild"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	names := os.Args[1:]
	if len(names) == 0 {
		for _, t := range toolversions.All() {
			if t.GoPackage != "" && t.Name != "go" {
				names = append(names, t.Name)
			}
		}
	}
	for _, n := range names {
		p, err := toolbuild.Ensure(ctx, n)
		if err != nil {
			fmt.Fprintln(os.Stderr, "installtools:", err)
			os.Exit(1)
		}
		fmt.Printf("%s\t%s\n", n, p)
	}
}
