package server_test

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"superapp/internal/platform"
	"superapp/internal/store/storetest"
)

// childSetup builds the superapp binary into a temporary directory and
// returns it with the options of a dev-mode platform on a fresh database
// (data directory beside the binary), a free address, and the `serve`
// arguments for that database, address and policy (a policy file's JSON):
// what the tests that run and kill the real binary share.
func childSetup(t *testing.T, policy string) (bin string, opts platform.Options, addr string, args []string) {
	t.Helper()
	dir := t.TempDir()
	bin = filepath.Join(dir, "superapp")
	build := exec.Command("go", "build", "-o", bin, "./cmd/superapp")
	build.Dir = repoRoot(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	sc := storetest.Config(t)
	sc.DataDir = filepath.Join(dir, "data")
	opts = platform.DefaultOptions(sc.DataDir)
	opts.Store, opts.Dev = sc, true
	policyFile := filepath.Join(dir, "policy.json")
	if err := os.WriteFile(policyFile, []byte(policy), 0o600); err != nil {
		t.Fatal(err)
	}
	addr = freeAddr(t)
	args = []string{"serve", "--dev", "--data", sc.DataDir, "--addr", addr, "--policy", policyFile}
	if sc.DatabaseURL != "" {
		args = append(args, "--database", sc.DatabaseURL)
	}
	return bin, opts, addr, args
}

// childServer is a running superapp binary.
type childServer struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan error
}

func startChild(t *testing.T, bin string, args ...string) *childServer {
	t.Helper()
	c := &childServer{cmd: exec.Command(bin, args...), out: &syncBuffer{}, done: make(chan error, 1)}
	c.cmd.Stdout, c.cmd.Stderr = c.out, c.out
	c.cmd.Env = append(os.Environ(), "SUPERAPP_LOG_LEVEL=debug")
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.done <- c.cmd.Wait() }()
	t.Cleanup(func() {
		if c.cmd.ProcessState == nil {
			c.cmd.Process.Kill()
			<-c.done
		}
	})
	return c
}

func (c *childServer) waitHealthy(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		select {
		case err := <-c.done:
			t.Fatalf("superapp exited: %v\n%s", err, c.out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("superapp did not become healthy:\n%s", c.out.String())
}

// repoRoot is the module root, two directories above this file.
func repoRoot(t *testing.T) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("no caller information")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
