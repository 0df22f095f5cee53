// Package login is mini program sign-in: the codes wx.login hands a mini
// program (5 minutes, single use), their exchange for openid and session_key
// in jscode2session, session-key checks and resets, getPhoneNumber codes, and
// the encrypted open data (user info, phone number) sealed under the session key.
package login

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"superapp/internal/identity"
	"superapp/internal/random"
	"superapp/internal/store"
	"superapp/internal/wxcrypto"
)

// CodeLifetime is how long a wx.login or getPhoneNumber code can be exchanged.
const CodeLifetime = 5 * time.Minute

// Errors of this package.
var (
	ErrCodeInvalid  = errors.New("code is invalid or expired") // 40029
	ErrCodeUsed     = errors.New("code has been used")         // 40163
	ErrNoSession    = errors.New("no session: the user has not signed in to this mini program (wx.login + jscode2session)")
	ErrBadSignature = errors.New("signature does not match the session key") // 87009
	ErrBadSigMethod = errors.New("sig_method must be hmac_sha256")
)

// Session is a user's sign-in to a mini program.
type Session struct {
	UserID     string
	OpenID     string
	SessionKey string
}

// Service is the login domain.
type Service struct {
	db    *store.DB
	ident *identity.Service
	now   func() time.Time
}

// NewService returns the login service.
func NewService(db *store.DB, ident *identity.Service) *Service {
	return &Service{db: db, ident: ident, now: time.Now}
}

// SetClock replaces the clock (tests only).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func newCode() string { return random.Token(24) }

// MintCode is wx.login: a code for (user, mini program). The session key it
// will carry is chosen now, so the exchange is a single write.
func (s *Service) MintCode(ctx context.Context, appid, userID string) (string, error) {
	openid, err := s.ident.Enroll(ctx, appid, userID)
	if err != nil {
		return "", err
	}
	code := newCode()
	now := s.now()
	_, err = s.db.Exec(ctx, `INSERT INTO login_codes(code_hash, appid, user_id, openid, session_key, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, random.Hash(code), appid, userID, openid, wxcrypto.NewSessionKey(), now.Unix(), now.Add(CodeLifetime).Unix())
	return code, err
}

// Exchange is jscode2session: it spends the code and makes its session key
// the user's current one for this mini program.
func (s *Service) Exchange(ctx context.Context, appid, code string) (Session, error) {
	if code == "" {
		return Session{}, ErrCodeInvalid
	}
	h := random.Hash(code)
	now := s.now().Unix()
	var sess Session
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var used sql.NullInt64
		var expires int64
		err := tx.QueryRow(ctx, "SELECT user_id, openid, session_key, expires_at, used_at FROM login_codes WHERE code_hash = ? AND appid = ?", h, appid).
			Scan(&sess.UserID, &sess.OpenID, &sess.SessionKey, &expires, &used)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrCodeInvalid
		}
		if err != nil {
			return err
		}
		if used.Valid {
			return ErrCodeUsed
		}
		if now >= expires {
			return ErrCodeInvalid
		}
		if _, err := tx.Exec(ctx, "UPDATE login_codes SET used_at = ? WHERE code_hash = ?", now, h); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO mp_sessions(appid, openid, user_id, session_key, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (appid, openid) DO UPDATE SET session_key = excluded.session_key, updated_at = excluded.updated_at`,
			appid, sess.OpenID, sess.UserID, sess.SessionKey, now)
		return err
	})
	return sess, err
}

// Current returns the user's current session with a mini program.
func (s *Service) Current(ctx context.Context, appid, openid string) (Session, error) {
	sess := Session{OpenID: openid}
	err := s.db.QueryRow(ctx, "SELECT user_id, session_key FROM mp_sessions WHERE appid = ? AND openid = ?", appid, openid).Scan(&sess.UserID, &sess.SessionKey)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrNoSession
	}
	return sess, err
}

// CurrentForUser returns the user's current session with a mini program.
func (s *Service) CurrentForUser(ctx context.Context, appid, userID string) (Session, error) {
	return s.Current(ctx, appid, s.ident.OpenID(appid, userID))
}

// CheckSession verifies a checksession signature against the current key.
func (s *Service) CheckSession(ctx context.Context, appid, openid, signature, method string) error {
	if method != "hmac_sha256" {
		return ErrBadSigMethod
	}
	sess, err := s.Current(ctx, appid, openid)
	if err != nil {
		return err
	}
	if signature != wxcrypto.SessionSignature(sess.SessionKey) {
		return ErrBadSignature
	}
	return nil
}

// ResetSessionKey verifies the signature of the current key and replaces it.
func (s *Service) ResetSessionKey(ctx context.Context, appid, openid, signature, method string) (Session, error) {
	if err := s.CheckSession(ctx, appid, openid, signature, method); err != nil {
		return Session{}, err
	}
	key := wxcrypto.NewSessionKey()
	if _, err := s.db.Exec(ctx, "UPDATE mp_sessions SET session_key = ?, updated_at = ? WHERE appid = ? AND openid = ?", key, s.now().Unix(), appid, openid); err != nil {
		return Session{}, err
	}
	return s.Current(ctx, appid, openid)
}

// MintPhoneCode is what the getPhoneNumber button gives a mini program.
func (s *Service) MintPhoneCode(ctx context.Context, appid, userID string) (string, error) {
	if _, err := s.ident.Enroll(ctx, appid, userID); err != nil {
		return "", err
	}
	code := newCode()
	now := s.now()
	_, err := s.db.Exec(ctx, "INSERT INTO phone_codes(code_hash, appid, user_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
		random.Hash(code), appid, userID, now.Unix(), now.Add(CodeLifetime).Unix())
	return code, err
}

// ExchangePhoneCode spends a getPhoneNumber code and returns the user.
func (s *Service) ExchangePhoneCode(ctx context.Context, appid, code string) (*identity.User, error) {
	if code == "" {
		return nil, ErrCodeInvalid
	}
	h := random.Hash(code)
	now := s.now().Unix()
	var userID string
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var used sql.NullInt64
		var expires int64
		err := tx.QueryRow(ctx, "SELECT user_id, expires_at, used_at FROM phone_codes WHERE code_hash = ? AND appid = ?", h, appid).Scan(&userID, &expires, &used)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrCodeInvalid
		}
		if err != nil {
			return err
		}
		if used.Valid {
			return ErrCodeUsed
		}
		if now >= expires {
			return ErrCodeInvalid
		}
		_, err = tx.Exec(ctx, "UPDATE phone_codes SET used_at = ? WHERE code_hash = ?", now, h)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.ident.User(ctx, userID)
}

// Sweep deletes codes that expired more than a day ago.
func (s *Service) Sweep(ctx context.Context) error {
	cutoff := s.now().Add(-24 * time.Hour).Unix()
	if _, err := s.db.Exec(ctx, "DELETE FROM login_codes WHERE expires_at < ?", cutoff); err != nil {
		return err
	}
	_, err := s.db.Exec(ctx, "DELETE FROM phone_codes WHERE expires_at < ?", cutoff)
	return err
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }
