// Package server composes the platform into one HTTP server: the WeChat wire
// API, the admin and simulation APIs, the shell, health and metrics, with
// request ids, metrics and panic recovery around every request.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"superapp/internal/account"
	"superapp/internal/adminapi"
	"superapp/internal/miniprogram/host"
	"superapp/internal/miniprogram/upload"
	"superapp/internal/officialaccount"
	"superapp/internal/platform"
	"superapp/internal/proxy"
	"superapp/internal/quota"
	"superapp/internal/random"
	"superapp/internal/shell"
	"superapp/internal/wire"
	mpruntime "superapp/web/miniprogram"
)

// Config is everything `superapp serve` takes.
type Config struct {
	Addr              string
	DataDir           string
	DatabaseURL       string
	Dev               bool
	TrustForwardedFor bool
	// OperatorKey, when set (SUPERAPP_OPERATOR_KEY), becomes the operator
	// credential; otherwise one is made on first start and kept in DataDir.
	OperatorKey string
	// ShutdownTimeout bounds how long in-flight requests may finish after SIGTERM.
	ShutdownTimeout time.Duration
	// QuotaPolicy, when not nil, replaces quota.DefaultPolicy (WeChat's daily
	// API limits); the load benchmark lifts the limits with it.
	QuotaPolicy *quota.Policy
	// AccountPolicy, when not nil, replaces account.DefaultPolicy.
	AccountPolicy *account.Policy
	// OAPolicy, when not nil, replaces officialaccount.DefaultPolicy.
	OAPolicy *officialaccount.Policy
	// PolicyFile names a JSON file ({"accounts":{…},"quota":{…}}) whose
	// fields override WeChat's default limits for this deployment.
	PolicyFile string
	// AllowedHosts are Host names a dev mode server answers besides
	// localhost, loopback addresses and the address it listens on
	// (--allowed-host); other Hosts get 403 (see hostCheck).
	AllowedHosts []string
}

// Server is a running platform.
type Server struct {
	cfg      Config
	P        *platform.Platform
	handler  http.Handler
	hosts    *hostCheck // dev mode only
	registry *prometheus.Registry
	// OperatorKeyFile is where a generated operator key was written ("" when
	// it came from the environment).
	OperatorKeyFile string
}

// OperatorKeyFileName is the operator credential's file in the data directory.
const OperatorKeyFileName = "operator.key"

// New opens the platform and builds the handler.
func New(ctx context.Context, cfg Config) (*Server, error) {
	opts := platform.DefaultOptions(cfg.DataDir)
	opts.Store.DatabaseURL = cfg.DatabaseURL
	opts.Dev = cfg.Dev
	opts.BehindProxy = proxy.Trust(cfg.TrustForwardedFor)
	if cfg.PolicyFile != "" {
		if err := LoadPolicyFile(cfg.PolicyFile, &opts); err != nil {
			return nil, err
		}
	}
	if cfg.QuotaPolicy != nil {
		opts.QuotaPolicy = *cfg.QuotaPolicy
	}
	if cfg.AccountPolicy != nil {
		opts.AccountPolicy = *cfg.AccountPolicy
	}
	if cfg.OAPolicy != nil {
		opts.OAPolicy = *cfg.OAPolicy
	}
	p, err := platform.Open(ctx, opts)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, P: p, registry: prometheus.NewRegistry()}
	keyHash, err := s.operatorKey(ctx)
	if err != nil {
		p.Close()
		return nil, err
	}
	s.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := newMetrics(s.registry)

	mux := http.NewServeMux()
	w := wire.New(p)
	w.Register(mux)
	adminapi.New(p, keyHash).Register(mux)
	shell.New(p).Register(mux)
	host.NewHandler(host.Config{Registry: p.MiniPrograms, Accounts: p.Accounts, Identity: p.Identity, Login: p.Login,
		Runtime: mpruntime.FS(), SessionCookie: shell.SessionCookie, Dev: cfg.Dev, DecodeCode: shell.DecodeCode}).Register(mux)
	upload.NewHandler(upload.Config{DB: p.DB, Files: p.MiniPrograms, Versions: p.Releases, Trust: opts.BehindProxy}).Register(mux)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}))
	var root http.Handler = mux
	if cfg.Dev {
		s.hosts = newHostCheck(cfg.AllowedHosts)
		root = s.hosts.wrap(mux)
	}
	s.handler = m.wrap(root)
	return s, nil
}

// Handler is the server's root handler.
func (s *Server) Handler() http.Handler { return s.handler }

// operatorKey makes sure an operator credential exists and returns its hash.
// The key itself is written only to DataDir/operator.key (mode 0600) and
// never logged.
func (s *Server) operatorKey(ctx context.Context) (string, error) {
	if k := s.cfg.OperatorKey; k != "" {
		// Set explicitly: it becomes (or replaces) this database's key.
		if len(k) < minOperatorKey {
			return "", fmt.Errorf("SUPERAPP_OPERATOR_KEY is %d characters; use at least %d random characters", len(k), minOperatorKey)
		}
		h := random.Hash(k)
		return h, s.P.DB.SetSetting(ctx, "operator_key_hash", h)
	}
	path := filepath.Join(s.cfg.DataDir, OperatorKeyFileName)
	if b, err := os.ReadFile(path); err == nil {
		key := strings.TrimSpace(string(b))
		if len(key) < minOperatorKey {
			return "", fmt.Errorf("%s holds %d characters; an operator key has at least %d (delete the file to have a new key made)", path, len(key), minOperatorKey)
		}
		h, err := s.P.DB.Setting(ctx, "operator_key_hash", func() string { return random.Hash(key) })
		if err != nil {
			return "", err
		}
		if h != random.Hash(key) {
			return "", fmt.Errorf("%s does not hold the operator key of this database; put the right key there, or start with SUPERAPP_OPERATOR_KEY=<key> to replace the database's key", path)
		}
		return h, nil
	}
	var fresh string
	h, err := s.P.DB.Setting(ctx, "operator_key_hash", func() string {
		fresh = "sak_" + random.Hex(24)
		return random.Hash(fresh)
	})
	if err != nil {
		return "", err
	}
	if fresh == "" || h != random.Hash(fresh) {
		return "", fmt.Errorf("this database already has an operator key, but %s is missing: put the key there, or start with SUPERAPP_OPERATOR_KEY=<key> (which replaces it)", path)
	}
	if err := os.MkdirAll(s.cfg.DataDir, 0o700); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, []byte(fresh+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write operator key: %w", err)
	}
	s.OperatorKeyFile = path
	return h, nil
}

// minOperatorKey is the shortest operator key accepted from a file or the
// environment; generated keys have 52 characters.
const minOperatorKey = 16

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	var one int
	if err := s.P.DB.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, `{"status":"unavailable","database":%q}`+"\n", "unreachable")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"status":"ok","database":%q}`+"\n", s.P.DB.Dialect)
}

// Serve listens on cfg.Addr until ctx ends, then shuts down gracefully:
// in-flight requests finish (up to ShutdownTimeout), quota counters are
// flushed and the database is closed. ready, if not nil, receives the bound
// address once listening.
func (s *Server) Serve(ctx context.Context, ready func(addr string)) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.cfg.Addr, err)
	}
	if s.hosts != nil {
		s.hosts.listening(ln.Addr())
	}
	bgCtx, stopBg := context.WithCancel(context.Background())
	bgDone := make(chan struct{})
	go func() { s.P.RunBackground(bgCtx); close(bgDone) }()

	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(slog.Default().Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	slog.Info("superapp listening", "addr", ln.Addr().String(), "database", string(s.P.DB.Dialect), "dev", s.cfg.Dev)
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case err := <-errc:
		stopBg()
		<-bgDone
		s.P.Close()
		return err
	case <-ctx.Done():
	}
	slog.Info("shutting down")
	timeout := s.cfg.ShutdownTimeout
	if timeout == 0 {
		timeout = 15 * time.Second
	}
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err = srv.Shutdown(sctx)
	stopBg()
	<-bgDone
	if cerr := s.P.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	slog.Info("stopped")
	return err
}
