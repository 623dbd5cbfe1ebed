// Command docker-credential-env is a Docker credential helper answering
// from REGISTRY_USERNAME and REGISTRY_PASSWORD (package credhelper). The
// Dagger module builds it from its own source and mounts it into the tool
// containers that read credentials only through a Docker config.
package main

import (
	"fmt"
	"os"

	"github.com/deliverykit/podinfo/ci/credhelper"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: docker-credential-env get|list (server URL on stdin)")
		os.Exit(2)
	}
	if err := credhelper.Run(os.Args[1], os.Stdin, os.Stdout, os.Getenv); err != nil {
		fmt.Fprintln(os.Stdout, err) // the protocol reads errors from stdout
		os.Exit(1)
	}
}
