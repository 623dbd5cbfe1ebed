package rotation

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/deliverykit/podinfo/src/internal/smfake"
	"github.com/deliverykit/podinfo/src/internal/syncbuf"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// podinfoBinary builds the service once per test run.
func podinfoBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "rotation-podinfo-*")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "podinfo")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/deliverykit/podinfo/src/cmd/podinfo").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build podinfo: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// process is a running service binary.
type process struct {
	cmd  *exec.Cmd
	addr string
	logs *syncbuf.Buffer
	done chan error
}

// startBinary runs the service on a free 127.0.0.1 port with its keys in
// the fake's secret, and waits for its "listening" line (or its exit).
func startBinary(t *testing.T, fake *smfake.Server, secretID string, extraArgs ...string) *process {
	t.Helper()
	args := append([]string{"--host", "127.0.0.1", "--port", "0", "--server-shutdown-delay", "0s"}, extraArgs...)
	cmd := exec.Command(podinfoBinary(t), args...)
	cmd.Env = append(os.Environ(),
		"PODINFO_JWT_SECRET_ID="+secretID,
		"PODINFO_SECRETSMANAGER_ENDPOINT="+fake.URL(),
		"AWS_ACCESS_KEY_ID="+smfake.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY="+smfake.SecretAccessKey,
		"AWS_REGION="+smfake.Region,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE="+filepath.Join(t.TempDir(), "none"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(t.TempDir(), "none"),
	)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, logs: &syncbuf.Buffer{}, done: make(chan error, 1)}
	cmd.Stderr = p.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill() // this test's own child, by PID
		<-p.done
	})
	addrCh := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			p.logs.Write([]byte(line + "\n"))
			var entry struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &entry) == nil && entry.Msg == "listening" {
				addrCh <- entry.Addr
			}
		}
		p.done <- cmd.Wait()
	}()
	select {
	case p.addr = <-addrCh:
	case err := <-p.done:
		p.done <- err
	case <-time.After(60 * time.Second):
		t.Fatalf("service did not start within 60s; logs:\n%s", p.logs.String())
	}
	return p
}

func (p *process) get(t *testing.T, method, path, bearer, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, "http://"+p.addr+path, strings.NewReader(body))
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (p *process) token(t *testing.T, name string) string {
	t.Helper()
	code, body := p.get(t, http.MethodPost, "/token", "", name)
	var tr struct{ Token string }
	if code != http.StatusOK || json.Unmarshal([]byte(body), &tr) != nil || tr.Token == "" {
		t.Fatalf("POST /token: %d %s", code, body)
	}
	return tr.Token
}

// TestBinaryStartupErrorNamesSecret: the built service, pointed at a
// secret that does not exist, exits at once with an error naming it and the
// setting to fix.
func TestBinaryStartupErrorNamesSecret(t *testing.T) {
	fake := smfake.New()
	defer fake.Close()
	p := startBinary(t, fake, "podinfo/missing")
	select {
	case err := <-p.done:
		p.done <- err
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Errorf("exit: %v, want status 1", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("service kept running without its signing keys")
	}
	for _, want := range []string{`\"podinfo/missing\"`, "--jwt-secret-id", "PODINFO_JWT_SECRET_ID", "ResourceNotFoundException"} {
		if !strings.Contains(p.logs.String(), want) {
			t.Errorf("logs do not contain %s:\n%s", want, p.logs.String())
		}
	}
}

// TestBinaryTokensAcrossRotations: two service processes on the same
// secret while the rotation Lambda's steps rotate it twice. Tokens issued
// before a rotation keep validating; after the second one, the first
// generation is refused; no key material reaches the logs.
func TestBinaryTokensAcrossRotations(t *testing.T) {
	fake, r, id0 := setup(t)
	// --jwt-secret-refresh 1s: the scheduled refresh is what the old
	// process relies on here (on-demand refresh is rate-limited to the
	// same second).
	old := startBinary(t, fake, "jwt", "--jwt-secret-refresh", "1s")
	if old.addr == "" {
		t.Fatalf("service exited; logs:\n%s", old.logs.String())
	}
	gen0 := old.token(t, "gen0")

	var versions []string
	rotate := func() {
		token := begin(t, fake)
		for _, step := range allSteps {
			run(t, r, token, step)
		}
		versions = append(versions, token)
	}
	rotate()
	rotate()
	fresh := startBinary(t, fake, "jwt")
	if fresh.addr == "" {
		t.Fatalf("service exited; logs:\n%s", fresh.logs.String())
	}
	gen2 := fresh.token(t, "gen2")

	want := []string{"gen2 200", "gen0 401"}
	var got []string
	deadline := time.Now().Add(15 * time.Second)
	for {
		got = got[:0]
		for _, tc := range []struct{ name, tok string }{{"gen2", gen2}, {"gen0", gen0}} {
			code, _ := old.get(t, http.MethodGet, "/token/validate", tc.tok, "")
			got = append(got, fmt.Sprintf("%s %d", tc.name, code))
		}
		if cmp.Equal(want, got) || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("old process, after two rotations (-want +got):\n%s", diff)
	}
	if code, body := fresh.get(t, http.MethodGet, "/token/validate", gen0, ""); code != http.StatusUnauthorized || !strings.Contains(body, "signature does not match any current key") {
		t.Errorf("fresh process, gen0 token: %d %s; want 401 with the reason", code, body)
	}

	for _, id := range append([]string{id0}, versions...) {
		v, _ := fake.Value("jwt", id)
		var sv struct{ Key string }
		if err := json.Unmarshal([]byte(v), &sv); err != nil || sv.Key == "" {
			t.Fatalf("version %s value is not in the key format", id)
		}
		for name, p := range map[string]*process{"old": old, "fresh": fresh} {
			if strings.Contains(p.logs.String(), sv.Key) {
				t.Errorf("%s process logs contain the key of version %s", name, id)
			}
		}
	}
}
