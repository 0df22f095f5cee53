package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"superapp/internal/server"
	"superapp/internal/store/storetest"
	"superapp/internal/testserver"
)

func TestHealthzAndMetrics(t *testing.T) {
	s := testserver.New(t)
	resp, err := http.Get(s.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"status":"ok"`) || !strings.Contains(string(body), storetest.Backend()) {
		t.Fatalf("healthz: %d %s", resp.StatusCode, body)
	}
	s.Get(t, "/cgi-bin/token?grant_type=client_credential&appid=wx0000000000000000&secret=x")
	resp, err = http.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`superapp_http_requests_total{route="/cgi-bin/token",status="200"} 1`, "superapp_http_request_duration_seconds_bucket", "go_goroutines"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestSecretsNeverLogged(t *testing.T) {
	var logs syncBuffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(prev) })

	s := testserver.New(t)
	mp := s.CreateApp(t, "miniprogram", "Logged")
	u := s.CreateUser(t, "frank", "13700137000")
	tok := s.AccessToken(t, mp)
	code := s.LoginCode(t, mp.AppID, u.ID)
	m := s.Get(t, "/sns/jscode2session?grant_type=authorization_code&appid="+mp.AppID+"&secret="+mp.Secret+"&js_code="+code)
	key, _ := m["session_key"].(string)
	s.Get(t, "/wxa/checksession?access_token="+tok+"&openid=x&signature=y&sig_method=hmac_sha256")
	out := logs.String()
	if !strings.Contains(out, "/sns/jscode2session") {
		t.Fatalf("debug request log missing; the test would prove nothing: %s", out)
	}
	for name, secret := range map[string]string{"app secret": mp.Secret, "access token": tok, "login code": code, "session key": key, "operator key": testserver.OperatorKey} {
		if secret == "" || strings.Contains(out, secret) {
			t.Errorf("%s %q appears in the log", name, secret)
		}
	}
}

func TestOperatorKeyCreatedOnFirstStart(t *testing.T) {
	var logs syncBuffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(prev) })

	sc := storetest.Config(t)
	cfg := server.Config{DataDir: sc.DataDir, DatabaseURL: sc.DatabaseURL}
	srv, err := server.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(sc.DataDir, server.OperatorKeyFileName)
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 || srv.OperatorKeyFile != path {
		t.Fatalf("operator key file: %v %v %q", st, err, srv.OperatorKeyFile)
	}
	key, _ := os.ReadFile(path)
	srv.P.Close()
	// A second start reuses the key.
	srv2, err := server.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer srv2.P.Close()
	again, _ := os.ReadFile(path)
	if !bytes.Equal(key, again) || srv2.OperatorKeyFile != "" {
		t.Fatal("the operator key changed on restart")
	}
	if strings.Contains(logs.String(), strings.TrimSpace(string(key))) {
		t.Fatal("the operator key was logged")
	}
}

func TestGracefulShutdown(t *testing.T) {
	sc := storetest.Config(t)
	srv, err := server.New(context.Background(), server.Config{Addr: "127.0.0.1:0", DataDir: sc.DataDir, DatabaseURL: sc.DatabaseURL, OperatorKey: "graceful-test-operator-key"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, func(a string) { addr <- a }) }()
	base := "http://" + <-addr
	// A request in flight when shutdown starts still gets its answer: its
	// body is still arriving when stop() is called.
	body, bodyWriter := io.Pipe()
	slow := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest("POST", base+"/admin/v1/apps", body)
		req.Header.Set("Authorization", "Bearer graceful-test-operator-key")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != 201 {
				err = fmt.Errorf("status %d", resp.StatusCode)
			}
		}
		slow <- err
	}()
	bodyWriter.Write([]byte(`{"kind":"miniprogram",`))
	time.Sleep(50 * time.Millisecond) // the server is now reading the body
	stop()
	time.Sleep(50 * time.Millisecond) // shutdown has begun and waits for the request
	bodyWriter.Write([]byte(`"name":"late"}`))
	bodyWriter.Close()
	if err := <-slow; err != nil {
		t.Fatalf("in-flight request: %v", err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve returned %v after shutdown", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("server did not stop")
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Fatal("server still answers after shutdown")
	}
}

func TestOperatorKeyFileMustMatchTheDatabase(t *testing.T) {
	sc := storetest.Config(t)
	cfg := server.Config{DataDir: sc.DataDir, DatabaseURL: sc.DatabaseURL}
	srv, err := server.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv.P.Close()
	path := filepath.Join(sc.DataDir, server.OperatorKeyFileName)
	for content, want := range map[string]string{
		"   \n":                       "an operator key has at least 16",
		"sak_someone_elses_key_12345": "does not hold the operator key of this database",
	} {
		os.WriteFile(path, []byte(content), 0o600)
		if s, err := server.New(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), want) {
			if s != nil {
				s.P.Close()
			}
			t.Errorf("operator.key %q: %v, want %q", content, err, want)
		}
	}
	os.Remove(path)
	if s, err := server.New(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "is missing") {
		if s != nil {
			s.P.Close()
		}
		t.Errorf("operator.key removed: %v", err)
	}
	// The environment replaces the key.
	cfg.OperatorKey = "a-new-operator-key-from-env"
	s, err := server.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.P.Close()
	cfg.OperatorKey = "short"
	if _, err := server.New(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "at least 16") {
		t.Errorf("short SUPERAPP_OPERATOR_KEY: %v", err)
	}
}
