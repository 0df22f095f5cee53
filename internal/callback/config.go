package callback

import (
	"context"
	"database/sql"
	"errors"

	"superapp/internal/store"
)

// Config is an account's developer server.
type Config struct {
	AppID          string `json:"appid"`
	URL            string `json:"url"`
	Token          string `json:"-"`
	AESKey         string `json:"-"` // EncodingAESKey, 43 characters
	PreviousAESKey string `json:"-"`
	Mode           string `json:"mode"`
	VerifiedAt     int64  `json:"verified_at"`
	UpdatedAt      int64  `json:"updated_at"`
}

// ErrNoServer means the account has no developer server configured.
var ErrNoServer = errors.New("no developer server is configured for this account")

type querier interface {
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
}

// LoadConfig returns appid's developer server, or ErrNoServer. q is the
// database or a transaction.
func LoadConfig(ctx context.Context, q querier, appid string) (*Config, error) {
	var c Config
	err := q.QueryRow(ctx, `SELECT appid, url, token, aes_key, previous_aes_key, mode, verified_at, updated_at
		FROM oa_callback_configs WHERE appid = ?`, appid).
		Scan(&c.AppID, &c.URL, &c.Token, &c.AESKey, &c.PreviousAESKey, &c.Mode, &c.VerifiedAt, &c.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && c.URL == "") {
		return nil, ErrNoServer
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}

var _ querier = (*store.Tx)(nil)
var _ querier = (*store.DB)(nil)
