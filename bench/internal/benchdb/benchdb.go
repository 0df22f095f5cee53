// Package benchdb gives a benchmark a fresh database on either backend and
// removes it afterwards.
package benchdb

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for the admin connection

	"superapp/internal/quota"
	"superapp/internal/random"
	"superapp/internal/server"
	"superapp/internal/store"
)

// DefaultPostgres is the PostgreSQL server benchmarks use unless told
// otherwise: $SUPERAPP_TEST_POSTGRES, else the machine's local one.
func DefaultPostgres() string {
	if v := os.Getenv("SUPERAPP_TEST_POSTGRES"); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/postgres"
}

// DB is a fresh database: Config opens it; Drop removes it (the data
// directory, and on PostgreSQL the database).
type DB struct {
	Config store.Config
	Drop   func()
}

// Fresh makes an empty database for backend ("sqlite" or "postgres"; the
// PostgreSQL server is postgresURL, whose role needs CREATEDB).
func Fresh(backend, postgresURL string) (*DB, error) {
	dir, err := os.MkdirTemp("", "superapp-bench-")
	if err != nil {
		return nil, err
	}
	rmDir := func() { os.RemoveAll(dir) }
	switch backend {
	case "sqlite":
		return &DB{Config: store.Config{DataDir: dir}, Drop: rmDir}, nil
	case "postgres":
	default:
		rmDir()
		return nil, fmt.Errorf("unknown backend %q", backend)
	}
	u, err := url.Parse(postgresURL)
	if err != nil {
		rmDir()
		return nil, fmt.Errorf("PostgreSQL URL: %w", err)
	}
	admin, err := sql.Open("pgx", postgresURL)
	if err != nil {
		rmDir()
		return nil, err
	}
	name := "superapp_bench_" + random.Hex(6)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		rmDir()
		return nil, fmt.Errorf("create database on %s: %w", store.RedactURL(postgresURL), err)
	}
	u.Path = "/" + name
	return &DB{Config: store.Config{DataDir: dir, DatabaseURL: u.String()}, Drop: func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "drop database %s: %v\n", name, err)
		}
		admin.Close()
		rmDir()
	}}, nil
}

// Server is the whole platform serving on a loopback port, as `superapp
// serve` runs it, with WeChat's daily API limits lifted (one benchmark run
// exceeds several of them).
type Server struct {
	*server.Server
	URL string // http://127.0.0.1:port
	// Stop shuts it down and waits.
	Stop func()
}

// Serve starts the platform on d.
func Serve(d *DB) (*Server, error) {
	ctx, cancel := context.WithCancel(context.Background())
	policy := quota.DefaultPolicy()
	for k := range policy.Daily {
		policy.Daily[k] = 1 << 60
	}
	srv, err := server.New(ctx, server.Config{Addr: "127.0.0.1:0", DataDir: d.Config.DataDir, DatabaseURL: d.Config.DatabaseURL,
		OperatorKey: "sak_bench_" + random.Hex(8), ShutdownTimeout: 10 * time.Second, QuotaPolicy: &policy})
	if err != nil {
		cancel()
		return nil, err
	}
	ready := make(chan string, 1)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, func(addr string) { ready <- addr }) }()
	select {
	case a := <-ready:
		return &Server{Server: srv, URL: "http://" + a, Stop: func() {
			cancel()
			if err := <-served; err != nil {
				fmt.Fprintln(os.Stderr, "serve:", err)
			}
		}}, nil
	case err := <-served:
		cancel()
		return nil, err
	}
}
