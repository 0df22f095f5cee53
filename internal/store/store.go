// Package store opens the platform's database — embedded SQLite by default,
// PostgreSQL for scale-out — and runs the schema migrations. Domain packages
// own their tables and queries; they write portable SQL with `?` placeholders
// and this package rebinds them for PostgreSQL.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing/fstest"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect names the SQL backend in use.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is the platform's database handle. On SQLite, writes go through a single
// connection (SQLite has one writer anyway; this avoids SQLITE_BUSY churn)
// while reads use a pool; on PostgreSQL both are the same pool.
type DB struct {
	Dialect Dialect
	write   *sql.DB
	read    *sql.DB

	// Group transactions (GroupTx) on SQLite: one committer goroutine.
	groupOnce   sync.Once
	group       chan *groupReq
	groupMu     sync.RWMutex
	groupClosed bool
	closing     chan struct{}
	groupDone   sync.WaitGroup
}

// Config selects the backend.
type Config struct {
	// DatabaseURL, when it starts with postgres:// or postgresql://, selects
	// PostgreSQL. Empty selects SQLite in DataDir.
	DatabaseURL string
	// DataDir holds superapp.db when SQLite is used.
	DataDir string
}

// Open connects and migrates the schema to the newest version.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	var db *DB
	var err error
	switch {
	case strings.HasPrefix(cfg.DatabaseURL, "postgres://"), strings.HasPrefix(cfg.DatabaseURL, "postgresql://"):
		db, err = openPostgres(ctx, cfg.DatabaseURL)
	case cfg.DatabaseURL == "":
		db, err = openSQLite(cfg.DataDir)
	default:
		// Not echoed: a key=value connection string may carry a password.
		return nil, errors.New("the database setting is not a postgres:// URL: only postgres://user@host:port/dbname URLs are supported (leave it empty for embedded SQLite)")
	}
	if err != nil {
		return nil, err
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func openSQLite(dir string) (*DB, error) {
	if dir == "" {
		return nil, errors.New("data directory is empty")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	path := filepath.Join(dir, "superapp.db")
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(ON)&_txlock=immediate"
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.Ping(); err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", dsn+"&mode=ro")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	r.SetConnMaxLifetime(0)
	return &DB{Dialect: SQLite, write: w, read: r, closing: make(chan struct{})}, nil
}

func openPostgres(ctx context.Context, url string) (*DB, error) {
	p, err := sql.Open("pgx", url)
	if err != nil {
		return nil, err
	}
	p.SetMaxOpenConns(32)
	p.SetMaxIdleConns(32)
	p.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := p.PingContext(pctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("connect to PostgreSQL at %s: %w", RedactURL(url), err)
	}
	return &DB{Dialect: Postgres, write: p, read: p, closing: make(chan struct{})}, nil
}

func (db *DB) migrate(ctx context.Context) error {
	dialect := goose.DialectSQLite3
	if db.Dialect == Postgres {
		dialect = goose.DialectPostgres
	}
	dir, err := db.migrationFiles()
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(dialect, db.write, dir, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	if db.Dialect == Postgres {
		// Several servers may start at once against one database; serialize
		// their migrations with an advisory lock.
		conn, err := db.write.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(727274)"); err != nil {
			return fmt.Errorf("lock for migrations: %w", err)
		}
		defer conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock(727274)")
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate schema: %w", err)
	}
	return nil
}

// dialectWords are the few spellings the two backends cannot share; the
// migration files write them as {{name}}.
var dialectWords = map[Dialect]map[string]string{
	// An INTEGER PRIMARY KEY is SQLite's rowid, assigned on insert.
	SQLite:   {"{{autoid}}": "INTEGER PRIMARY KEY", "{{blob}}": "BLOB", "{{without_rowid}}": " WITHOUT ROWID"},
	Postgres: {"{{autoid}}": "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "{{blob}}": "BYTEA", "{{without_rowid}}": ""},
}

// migrationFiles are the embedded migrations with this backend's spellings.
func (db *DB) migrationFiles() (fs.FS, error) {
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	out := fstest.MapFS{}
	for _, e := range entries {
		raw, err := fs.ReadFile(migrations, "migrations/"+e.Name())
		if err != nil {
			return nil, err
		}
		text := string(raw)
		for word, spelling := range dialectWords[db.Dialect] {
			text = strings.ReplaceAll(text, word, spelling)
		}
		out[e.Name()] = &fstest.MapFile{Data: []byte(text), Mode: 0o444}
	}
	return out, nil
}

// Close releases every connection. Group transactions already queued are
// committed first; later ones fail with ErrClosed.
func (db *DB) Close() error {
	db.groupMu.Lock()
	if !db.groupClosed {
		db.groupClosed = true
		close(db.closing)
	}
	db.groupMu.Unlock()
	db.groupDone.Wait()
	err := db.write.Close()
	if db.read != db.write {
		if e := db.read.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Exec runs a write statement.
func (db *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return db.write.ExecContext(ctx, db.Rebind(query), args...)
}

// QueryRow runs a read expected to return at most one row.
func (db *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.read.QueryRowContext(ctx, db.Rebind(query), args...)
}

// Query runs a read.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.read.QueryContext(ctx, db.Rebind(query), args...)
}

// Tx is a transaction whose statements use `?` placeholders.
type Tx struct {
	tx *sql.Tx
	db *DB
	// ctx, when set, replaces the context callers pass: in a group
	// transaction one caller's cancellation must not interrupt statements
	// of a transaction that others share.
	ctx context.Context
	// stmts, in a group transaction, supplies statements prepared once.
	stmts *groupStmts
}

func (t *Tx) context(ctx context.Context) context.Context {
	if t.ctx != nil {
		return t.ctx
	}
	return ctx
}

func (t *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = t.context(ctx)
	if st := t.stmts.get(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, t.db.Rebind(query), args...)
}

func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = t.context(ctx)
	if st := t.stmts.get(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, t.db.Rebind(query), args...)
}

func (t *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = t.context(ctx)
	if st := t.stmts.get(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, t.db.Rebind(query), args...)
}

// InTx runs fn in a transaction on the writer, committing when fn returns nil
// and rolling back otherwise, so a failed request leaves nothing half-written.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(&Tx{tx: sqlTx, db: db}); err != nil {
		sqlTx.Rollback()
		return err
	}
	return sqlTx.Commit()
}

// Rebind turns `?` placeholders into `$1, $2, …` for PostgreSQL. Question
// marks inside single-quoted literals are left alone.
func (db *DB) Rebind(query string) string {
	if db.Dialect != Postgres || strings.IndexByte(query, '?') < 0 {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	inQuote := false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			inQuote = !inQuote
			b.WriteByte(c)
		case c == '?' && !inQuote:
			n++
			b.WriteByte('$')
			b.WriteString(fmt.Sprint(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// IsUniqueViolation reports whether err is a unique-constraint failure on
// either backend.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505")
}

// RedactURL shows a database URL without its password (in the user info
// or in password/passfile query parameters), for messages and logs. What
// does not parse as a URL is not shown at all.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable database URL)"
	}
	q := u.Query()
	for _, k := range []string{"password", "passfile", "sslpassword"} {
		if q.Has(k) {
			q.Set(k, "xxxxx")
		}
	}
	u.RawQuery = q.Encode()
	return u.Redacted()
}

// QueryRowWrite runs a statement that writes and returns a row
// (INSERT … RETURNING) on the writer.
func (db *DB) QueryRowWrite(ctx context.Context, query string, args ...any) *sql.Row {
	return db.write.QueryRowContext(ctx, db.Rebind(query), args...)
}

// QueryWrite runs a statement that writes and returns rows on the writer.
func (db *DB) QueryWrite(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.write.QueryContext(ctx, db.Rebind(query), args...)
}
