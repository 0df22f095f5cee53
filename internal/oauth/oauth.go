// Package oauth is web authorization for H5 pages inside the super app
// (WeChat's 网页授权): codes minted when a user passes /connect/oauth2/authorize,
// user access tokens and 30-day refresh tokens, and the JS-SDK tickets that
// H5 pages sign wx.config with.
package oauth

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"superapp/internal/identity"
	"superapp/internal/random"
	"superapp/internal/store"
)

// Scopes.
const (
	ScopeBase     = "snsapi_base"
	ScopeUserInfo = "snsapi_userinfo"
)

// Lifetimes fixed by WeChat.
const (
	CodeLifetime    = 5 * time.Minute
	TokenLifetime   = 7200 * time.Second
	RefreshLifetime = 30 * 24 * time.Hour
	TicketLifetime  = 7200 * time.Second
)

// Errors of this package.
var (
	ErrBadScope       = errors.New("scope must be snsapi_base or snsapi_userinfo")
	ErrCodeInvalid    = errors.New("oauth code is invalid")                // 40029
	ErrCodeUsed       = errors.New("oauth code has been used")             // 40163
	ErrCodeExpired    = errors.New("oauth code expired")                   // 42003
	ErrTokenInvalid   = errors.New("oauth access token is invalid")        // 40001
	ErrTokenExpired   = errors.New("oauth access token expired")           // 42001
	ErrRefreshInvalid = errors.New("refresh token is invalid")             // 40030
	ErrRefreshExpired = errors.New("refresh token expired")                // 42002
	ErrOpenIDMismatch = errors.New("openid does not belong to this token") // 40003
)

// ValidScope reports whether s is a scope of web authorization.
func ValidScope(s string) bool { return s == ScopeBase || s == ScopeUserInfo }

// Grant is what /sns/oauth2/access_token and refresh_token return.
type Grant struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    int64
	OpenID       string
	UserID       string
	Scope        string
}

// Service is the web-authorization domain.
type Service struct {
	db    *store.DB
	ident *identity.Service
	now   func() time.Time
}

// NewService returns the OAuth service.
func NewService(db *store.DB, ident *identity.Service) *Service {
	return &Service{db: db, ident: ident, now: time.Now}
}

// SetClock replaces the clock (tests only).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// MintCode records the user's authorization of app for scope and returns the
// code the redirect carries.
func (s *Service) MintCode(ctx context.Context, appid, userID, scope string) (string, error) {
	if !ValidScope(scope) {
		return "", ErrBadScope
	}
	if _, err := s.ident.Enroll(ctx, appid, userID); err != nil {
		return "", err
	}
	code := random.Token(24)
	now := s.now()
	_, err := s.db.Exec(ctx, "INSERT INTO oauth_codes(code_hash, appid, user_id, scope, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
		random.Hash(code), appid, userID, scope, now.Unix(), now.Add(CodeLifetime).Unix())
	return code, err
}

// Exchange spends a code for an access token and a refresh token.
func (s *Service) Exchange(ctx context.Context, appid, code string) (Grant, error) {
	if code == "" {
		return Grant{}, ErrCodeInvalid
	}
	h := random.Hash(code)
	now := s.now()
	var g Grant
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		err := tx.SpendCode(ctx, "oauth_codes", h, appid, now.Unix(), "user_id, scope", []any{&g.UserID, &g.Scope}, nil)
		switch {
		case errors.Is(err, store.ErrCodeUnknown):
			return ErrCodeInvalid
		case errors.Is(err, store.ErrCodeSpent):
			return ErrCodeUsed
		case errors.Is(err, store.ErrCodeExpired):
			return ErrCodeExpired
		case err != nil:
			return err
		}
		g.OpenID = s.ident.OpenID(appid, g.UserID)
		g.RefreshToken = random.Token(64)
		if err := insertToken(ctx, tx, "refresh", g.RefreshToken, appid, g, now, RefreshLifetime); err != nil {
			return err
		}
		g.AccessToken = random.Token(96)
		g.ExpiresIn = int64(TokenLifetime / time.Second)
		return insertToken(ctx, tx, "access", g.AccessToken, appid, g, now, TokenLifetime)
	})
	return g, err
}

func insertToken(ctx context.Context, tx *store.Tx, kind, token, appid string, g Grant, now time.Time, life time.Duration) error {
	_, err := tx.Exec(ctx, "INSERT INTO oauth_tokens(token_hash, kind, appid, user_id, openid, scope, issued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		random.Hash(token), kind, appid, g.UserID, g.OpenID, g.Scope, now.Unix(), now.Add(life).Unix())
	return err
}

// Refresh issues a new access token for a refresh token. The refresh token
// itself keeps its 30 days, as on WeChat.
func (s *Service) Refresh(ctx context.Context, appid, refreshToken string) (Grant, error) {
	now := s.now()
	g, expires, err := s.lookup(ctx, "refresh", refreshToken)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && g.appid != appid) {
		return Grant{}, ErrRefreshInvalid
	}
	if err != nil {
		return Grant{}, err
	}
	if now.Unix() >= expires {
		return Grant{}, ErrRefreshExpired
	}
	out := g.Grant
	out.RefreshToken = refreshToken
	out.AccessToken = random.Token(96)
	out.ExpiresIn = int64(TokenLifetime / time.Second)
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		return insertToken(ctx, tx, "access", out.AccessToken, appid, out, now, TokenLifetime)
	})
	return out, err
}

type stored struct {
	Grant
	appid string
}

func (s *Service) lookup(ctx context.Context, kind, token string) (stored, int64, error) {
	var g stored
	var expires int64
	err := s.db.QueryRow(ctx, "SELECT appid, user_id, openid, scope, expires_at FROM oauth_tokens WHERE token_hash = ? AND kind = ?", random.Hash(token), kind).
		Scan(&g.appid, &g.UserID, &g.OpenID, &g.Scope, &expires)
	return g, expires, err
}

// Check validates a user access token for openid (/sns/auth, /sns/userinfo)
// and returns its grant.
func (s *Service) Check(ctx context.Context, accessToken, openid string) (Grant, string, error) {
	if accessToken == "" {
		return Grant{}, "", ErrTokenInvalid
	}
	g, expires, err := s.lookup(ctx, "access", accessToken)
	if errors.Is(err, sql.ErrNoRows) {
		return Grant{}, "", ErrTokenInvalid
	}
	if err != nil {
		return Grant{}, "", err
	}
	if s.now().Unix() >= expires {
		return Grant{}, "", ErrTokenExpired
	}
	if openid != g.OpenID {
		return Grant{}, "", ErrOpenIDMismatch
	}
	return g.Grant, g.appid, nil
}

// Sweep deletes codes and tokens that expired more than a day ago.
func (s *Service) Sweep(ctx context.Context) error {
	cutoff := s.now().Add(-24 * time.Hour).Unix()
	if _, err := s.db.Exec(ctx, "DELETE FROM oauth_codes WHERE expires_at < ?", cutoff); err != nil {
		return err
	}
	_, err := s.db.Exec(ctx, "DELETE FROM oauth_tokens WHERE expires_at < ?", cutoff)
	return err
}
