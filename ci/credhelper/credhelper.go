// Package credhelper is a Docker credential helper that answers from
// environment variables, so tools that read registry credentials only
// through a Docker config (cosign, ko) can use a username and a password
// that reach their container as a secret variable: the config names the
// helper, never the password, and the password never touches a file, an
// argv or an image layer.
//
// The helper speaks the docker-credential-helpers protocol: `get` reads a
// server URL on stdin and prints {"ServerURL","Username","Secret"}; every
// other action is refused (the pipeline never stores credentials).
package credhelper

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Names the pipeline and the helper agree on.
const (
	// EnvUsername holds the registry user name (not secret).
	EnvUsername = "REGISTRY_USERNAME"
	// EnvPassword holds the registry password or token (a secret variable).
	EnvPassword = "REGISTRY_PASSWORD"
	// EnvHost is the registry host the credentials belong to.
	EnvHost = "REGISTRY_HOST"
	// Name is the helper's name in a Docker config ("docker-credential-" + Name).
	Name = "env"
	// BinaryPath is where the pipeline mounts the helper: a directory on
	// every image's PATH.
	BinaryPath = "/usr/local/bin/docker-credential-env"
)

// Config returns a Docker config.json that sends lookups for hosts to
// the helper.
func Config(hosts ...string) ([]byte, error) {
	if len(hosts) == 0 {
		return nil, fmt.Errorf("credhelper config: no registry host")
	}
	helpers := map[string]string{}
	for _, h := range hosts {
		if h == "" || strings.ContainsAny(h, "/ \"") {
			return nil, fmt.Errorf("credhelper config: %q is not a registry host", h)
		}
		helpers[h] = Name
	}
	b, err := json.MarshalIndent(map[string]any{"credHelpers": helpers}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("credhelper config: %w", err)
	}
	return append(b, '\n'), nil
}

// Credentials is the helper's answer to `get`.
type Credentials struct {
	// ServerURL echoes the server asked for.
	ServerURL string
	// Username is the user name.
	Username string
	// Secret is the password or token.
	Secret string
}

// hostOf reduces a server URL ("https://ghcr.io/v2/") to its host.
func hostOf(server string) string {
	s := strings.TrimSpace(server)
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	s, _, _ = strings.Cut(s, "/")
	return s
}

// Run executes the helper: action is the first argument, stdin and stdout
// the protocol streams, getenv the environment. Errors never quote the
// secret.
func Run(action string, stdin io.Reader, stdout io.Writer, getenv func(string) string) error {
	switch action {
	case "get":
	case "list":
		host := getenv(EnvHost)
		out := map[string]string{}
		if host != "" && getenv(EnvUsername) != "" {
			out[host] = getenv(EnvUsername)
		}
		return json.NewEncoder(stdout).Encode(out)
	case "store", "erase":
		return fmt.Errorf("docker-credential-env: %s is not supported: credentials come from %s and %s", action, EnvUsername, EnvPassword)
	default:
		return fmt.Errorf("docker-credential-env: unknown action %q: use get or list", action)
	}
	in, err := io.ReadAll(io.LimitReader(stdin, 4096))
	if err != nil {
		return fmt.Errorf("docker-credential-env: read the server URL: %w", err)
	}
	server := strings.TrimSpace(string(in))
	want := getenv(EnvHost)
	if want != "" && hostOf(server) != want {
		// The protocol's "not found" answer: tools then try anonymous access.
		return fmt.Errorf("credentials not found in native keychain")
	}
	user, secret := getenv(EnvUsername), getenv(EnvPassword)
	if user == "" || secret == "" {
		missing := []string{}
		if user == "" {
			missing = append(missing, EnvUsername)
		}
		if secret == "" {
			missing = append(missing, EnvPassword)
		}
		sort.Strings(missing)
		return fmt.Errorf("docker-credential-env: %s not set", strings.Join(missing, " and "))
	}
	return json.NewEncoder(stdout).Encode(Credentials{ServerURL: server, Username: user, Secret: secret})
}
