package store

import (
	"context"
	"database/sql"
	"errors"
)

// Why a single-use code cannot be spent.
var (
	ErrCodeUnknown = errors.New("code unknown")
	ErrCodeSpent   = errors.New("code already used")
	ErrCodeExpired = errors.New("code expired")
)

// SpendCode spends a single-use code of table — a table with code_hash,
// appid, expires_at and used_at columns — inside the transaction. It scans
// columns of the code's row into dest, then runs check (if not nil), which
// may refuse the code after all; only then is the code marked used at now.
// A refused code stays unspent. Concurrent spenders of one code are
// serialized (SQLite has one writer; on PostgreSQL the row is read FOR
// UPDATE), so exactly one of them spends it.
func (t *Tx) SpendCode(ctx context.Context, table, codeHash, appid string, now int64, columns string, dest []any, check func() error) error {
	var used sql.NullInt64
	var expires int64
	lock := ""
	if t.db.Dialect == Postgres {
		lock = " FOR UPDATE"
	}
	err := t.QueryRow(ctx, "SELECT "+columns+", expires_at, used_at FROM "+table+" WHERE code_hash = ? AND appid = ?"+lock, codeHash, appid).
		Scan(append(dest, &expires, &used)...)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return ErrCodeUnknown
	case err != nil:
		return err
	case used.Valid:
		return ErrCodeSpent
	case now >= expires:
		return ErrCodeExpired
	}
	if check != nil {
		if err := check(); err != nil {
			return err
		}
	}
	res, err := t.Exec(ctx, "UPDATE "+table+" SET used_at = ? WHERE code_hash = ? AND used_at IS NULL", now, codeHash)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return ErrCodeSpent
	}
	return nil
}

// Lock serializes the transactions that lock the same key until they end:
// the read-check-write sequences of one app's tokens, tickets, quota resets
// and limits. On SQLite every write transaction is already serial (one
// writer, BEGIN IMMEDIATE), so only PostgreSQL takes a lock, a
// transaction-scoped advisory lock.
func (t *Tx) Lock(ctx context.Context, key string) error {
	if t.db.Dialect != Postgres {
		return nil
	}
	_, err := t.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", key)
	return err
}
