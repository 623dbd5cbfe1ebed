// Package preflight checks, before any tool runs, that the outside world a
// pipeline needs is there: that the registry answers. A pipeline that fails
// here has published nothing.
package preflight

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/deliverykit/podinfo/ci/steps"
)

// Registry checks that the registry holding repo answers the OCI
// distribution API (GET /v2/ with 200 or 401: it is there, credentials are
// the tools' business). arg names the argument in the error.
func Registry(ctx context.Context, arg, repo string, plainHTTP bool) error {
	r, err := steps.ParseRepository(arg, repo)
	if err != nil {
		return err
	}
	scheme := "https"
	if plainHTTP {
		scheme = "http"
	}
	url := scheme + "://" + r.RegistryStr() + "/v2/"
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("%s: registry %s: %w", arg, r.RegistryStr(), err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s: registry %s is unreachable (%v): check the address, that the registry runs, and that this machine can reach it", arg, r.RegistryStr(), err)
	}
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK, http.StatusUnauthorized:
		return nil
	default:
		return fmt.Errorf("%s: %s answered %s: it is not an OCI registry (want 200 or 401 on /v2/)", arg, url, resp.Status)
	}
}
