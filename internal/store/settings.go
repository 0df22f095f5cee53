package store

import (
	"context"
	"database/sql"
	"errors"
)

// Setting returns the value stored under key, creating it with make() when it
// is absent. Concurrent first starts (several servers on one PostgreSQL)
// converge on one value.
func (db *DB) Setting(ctx context.Context, key string, make func() string) (string, error) {
	var v string
	err := db.write.QueryRowContext(ctx, db.Rebind("SELECT value FROM settings WHERE key = ?"), key).Scan(&v)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	if _, err := db.Exec(ctx, "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", key, make()); err != nil {
		return "", err
	}
	err = db.write.QueryRowContext(ctx, db.Rebind("SELECT value FROM settings WHERE key = ?"), key).Scan(&v)
	return v, err
}

// SetSetting stores value under key, replacing any previous value.
func (db *DB) SetSetting(ctx context.Context, key, value string) error {
	_, err := db.Exec(ctx, "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value)
	return err
}
