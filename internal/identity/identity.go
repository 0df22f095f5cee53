// Package identity models end users and how apps see them: every app knows a
// user by its own OpenID, apps bound to one open-platform account share the
// user's UnionID, and nothing else links the two.
package identity

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"superapp/internal/input"
	"time"

	"superapp/internal/random"
	"superapp/internal/store"
)

// User is an end user of the shell.
type User struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Phone     string `json:"phone,omitempty"`
	AvatarURL string `json:"avatar_url"`
	Gender    int    `json:"gender"`
	Country   string `json:"country"`
	Province  string `json:"province"`
	City      string `json:"city"`
	Language  string `json:"language"`
	TestUser  bool   `json:"test_user"`
	CreatedAt int64  `json:"created_at"`

	passwordHash string
}

// Errors of this package.
var (
	ErrUserNotFound    = errors.New("user not found")
	ErrPhoneTaken      = errors.New("this phone number is already registered")
	ErrBadCredentials  = errors.New("phone number or password is wrong")
	ErrAmbiguousUser   = errors.New("more than one user has this name; use the user id")
	ErrSessionNotFound = errors.New("not signed in")
	ErrOpenIDNotFound  = errors.New("openid not found")
)

// InputError is bad input, naming the field at fault.
type InputError = input.Error

// Service is the identity domain.
type Service struct {
	db  *store.DB
	key []byte // derives OpenIDs and UnionIDs; never leaves the deployment
	now func() time.Time
}

// NewService loads (or creates, on first start) the deployment's identity key.
func NewService(ctx context.Context, db *store.DB) (*Service, error) {
	k, err := db.Setting(ctx, "identity_key", func() string { return random.Hex(32) })
	if err != nil {
		return nil, err
	}
	return &Service{db: db, key: []byte(k), now: time.Now}, nil
}

// derive makes a 28-character identifier shaped like WeChat's ("o" + 27
// base64url characters) from an HMAC of the parts under the deployment key:
// stable for the same parts, and without the key unlinkable to the user or to
// the identifiers other apps see.
func (s *Service) derive(label string, parts ...string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(label))
	for _, p := range parts {
		m.Write([]byte{0})
		m.Write([]byte(p))
	}
	return "o" + base64.RawURLEncoding.EncodeToString(m.Sum(nil))[:27]
}

// OpenID is the user's identifier as app appid sees it.
func (s *Service) OpenID(appid, userID string) string { return s.derive("openid", appid, userID) }

// UnionID is the user's identifier across apps of one open-platform account.
func (s *Service) UnionID(openPlatformID, userID string) string {
	return s.derive("unionid", openPlatformID, userID)
}
