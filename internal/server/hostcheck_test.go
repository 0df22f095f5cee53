package server_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"superapp/internal/server"
	"superapp/internal/store/storetest"
	"superapp/internal/testserver"
)

// statusFor asks the server with the given Host header.
func statusFor(t *testing.T, base, host string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/shell/api/config", nil)
	req.Host = host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// In dev mode a page of another site that points its name at the server
// (DNS rebinding) gets 403, naming the flag that would allow it.
func TestDevModeAnswersOnlyLocalAndAllowedHosts(t *testing.T) {
	s := testserver.New(t, testserver.Dev(), func(c *server.Config) { c.AllowedHosts = []string{"Dev.Example.test:8080", "phone.lan"} })
	for _, h := range []string{"localhost", "localhost:8080", "127.0.0.1:9", "[::1]:8080", "dev.example.test", "PHONE.lan:1234"} {
		if code, body := statusFor(t, s.URL, h); code != 200 {
			t.Errorf("Host %s: %d %s", h, code, body)
		}
	}
	for _, h := range []string{"evil.example:8080", "192.168.1.20:8080", "localhost.evil.example", "example.test"} {
		code, body := statusFor(t, s.URL, h)
		if code != http.StatusForbidden || !strings.Contains(body, "--allowed-host "+strings.Split(h, ":")[0]) || !strings.Contains(body, "SUPERAPP_ALLOWED_HOSTS") {
			t.Errorf("Host %s: %d %s", h, code, body)
		}
	}
	// Outside dev mode any Host is answered (a deployment sits behind its own name).
	prod := testserver.New(t)
	if code, body := statusFor(t, prod.URL, "evil.example"); code != 200 {
		t.Errorf("production: %d %s", code, body)
	}
}

// The address the server listens on is allowed as it is bound.
func TestDevModeAllowsTheBoundAddress(t *testing.T) {
	// A non-loopback address of this machine: loopback is allowed anyway.
	var addr string
	ifaddrs, _ := net.InterfaceAddrs()
	for _, a := range ifaddrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() {
			addr = n.IP.String() + ":0"
			break
		}
	}
	if addr == "" {
		t.Skip("this machine has no non-loopback IPv4 address")
	}
	sc := storetest.Config(t)
	srv, err := server.New(context.Background(), server.Config{Addr: addr, DataDir: sc.DataDir, DatabaseURL: sc.DatabaseURL, Dev: true, OperatorKey: "hostcheck-test-operator-key"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	bound := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, func(a string) { bound <- a }) }()
	defer func() { stop(); <-done }()
	base := "http://" + <-bound
	if code, body := statusFor(t, base, strings.TrimPrefix(base, "http://")); code != 200 {
		t.Fatalf("bound address: %d %s", code, body)
	}
	if code, _ := statusFor(t, base, "10.0.0.1"); code != http.StatusForbidden {
		t.Fatalf("another address: %d", code)
	}
}
