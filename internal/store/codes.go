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
// A refused code stays unspent.
func (t *Tx) SpendCode(ctx context.Context, table, codeHash, appid string, now int64, columns string, dest []any, check func() error) error {
	var used sql.NullInt64
	var expires int64
	err := t.QueryRow(ctx, "SELECT "+columns+", expires_at, used_at FROM "+table+" WHERE code_hash = ? AND appid = ?", codeHash, appid).
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
	_, err = t.Exec(ctx, "UPDATE "+table+" SET used_at = ? WHERE code_hash = ?", now, codeHash)
	return err
}
