// Package storetest opens a fresh, migrated database for a test: embedded
// SQLite in a temporary directory by default, or a new PostgreSQL database
// when SUPERAPP_TEST_POSTGRES names a server (as .ci/run does). A PostgreSQL
// that is named but unreachable fails the test rather than skipping it.
package storetest

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"superapp/internal/random"
	"superapp/internal/store"
)

// EnvPostgres names the PostgreSQL server tests run against, e.g.
// postgres://postgres@127.0.0.1:5432/postgres.
const EnvPostgres = "SUPERAPP_TEST_POSTGRES"

// Config returns a store configuration for a fresh database, dropped when
// the test ends.
func Config(t testing.TB) store.Config {
	t.Helper()
	admin := os.Getenv(EnvPostgres)
	if admin == "" {
		return store.Config{DataDir: t.TempDir()}
	}
	name := "superapp_test_" + random.Hex(6)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("%s=%s: %v", EnvPostgres, store.RedactURL(admin), err)
	}
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		db.Close()
		t.Fatalf("PostgreSQL named by %s (%s) is unreachable or refuses CREATE DATABASE: %v", EnvPostgres, store.RedactURL(admin), err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
		db.Close()
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgres, err)
	}
	u.Path = "/" + name
	return store.Config{DatabaseURL: u.String(), DataDir: t.TempDir()}
}

// Open returns a fresh migrated database, closed when the test ends.
func Open(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), Config(t))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Backend names the backend tests run on, for test names and logs.
func Backend() string {
	if os.Getenv(EnvPostgres) != "" {
		return "postgres"
	}
	return "sqlite"
}
