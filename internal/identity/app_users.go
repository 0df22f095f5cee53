package identity

import (
	"context"
	"database/sql"
	"errors"
)

// Enroll records that app appid has seen user userID and returns the OpenID.
// Idempotent.
func (s *Service) Enroll(ctx context.Context, appid, userID string) (string, error) {
	openid := s.OpenID(appid, userID)
	_, err := s.db.Exec(ctx, "INSERT INTO app_users(appid, user_id, openid, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (appid, user_id) DO NOTHING",
		appid, userID, openid, s.now().Unix())
	return openid, err
}

// ByOpenID finds the user behind an OpenID of app appid. An OpenID of another
// app is not found, which keeps apps from reading each other's users.
func (s *Service) ByOpenID(ctx context.Context, appid, openid string) (*User, error) {
	var userID string
	err := s.db.QueryRow(ctx, "SELECT user_id FROM app_users WHERE appid = ? AND openid = ?", appid, openid).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrOpenIDNotFound
	}
	if err != nil {
		return nil, err
	}
	return s.User(ctx, userID)
}
