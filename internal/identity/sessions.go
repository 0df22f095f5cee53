package identity

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"superapp/internal/random"
)

// SessionTTL is how long a shell sign-in lasts.
const SessionTTL = 30 * 24 * time.Hour

// StartSession signs a user into the shell and returns the session token for
// the cookie; only its hash is stored.
func (s *Service) StartSession(ctx context.Context, userID string) (string, error) {
	token := random.Token(32)
	now := s.now()
	_, err := s.db.Exec(ctx, "INSERT INTO shell_sessions(token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
		random.Hash(token), userID, now.Unix(), now.Add(SessionTTL).Unix())
	return token, err
}

// SessionUser returns the user signed in with token.
func (s *Service) SessionUser(ctx context.Context, token string) (*User, error) {
	if token == "" {
		return nil, ErrSessionNotFound
	}
	var userID string
	err := s.db.QueryRow(ctx, "SELECT user_id FROM shell_sessions WHERE token_hash = ? AND expires_at > ?", random.Hash(token), s.now().Unix()).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrSessionNotFound
	}
	if err != nil {
		return nil, err
	}
	return s.User(ctx, userID)
}

// Sweep deletes shell sessions that have expired.
func (s *Service) Sweep(ctx context.Context) error {
	_, err := s.db.Exec(ctx, "DELETE FROM shell_sessions WHERE expires_at < ?", s.now().Unix())
	return err
}

// EndSession signs out.
func (s *Service) EndSession(ctx context.Context, token string) error {
	_, err := s.db.Exec(ctx, "DELETE FROM shell_sessions WHERE token_hash = ?", random.Hash(token))
	return err
}
