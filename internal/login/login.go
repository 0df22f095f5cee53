// Package login is mini program sign-in: the codes wx.login hands a mini
// program (5 minutes, single use), their exchange for openid and session_key
// in jscode2session, session-key checks and resets, getPhoneNumber codes, and
// the encrypted open data (user info, phone number) sealed under the session key.
package login

import (
	"context"
	"crypto/hmac"
	"database/sql"
	"errors"
	"strings"
	"time"

	"superapp/internal/identity"
	"superapp/internal/input"
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
	ErrOtherUser    = errors.New("the code was issued to another user") // 40003
	ErrNoPhone      = errors.New("the user has no phone number")        // 40029
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

	batcher exchangeBatcher // PostgreSQL jscode2session batches
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

// MintCodes is MintCode for many sign-ins at once (load tests, bulk
// simulation): one code per entry of userIDs, which may repeat, written in
// one transaction. Each distinct user is enrolled once.
func (s *Service) MintCodes(ctx context.Context, appid string, userIDs []string) ([]string, error) {
	openids := make(map[string]string)
	for _, u := range userIDs {
		if _, ok := openids[u]; ok {
			continue
		}
		openid, err := s.ident.Enroll(ctx, appid, u)
		if err != nil {
			return nil, err
		}
		openids[u] = openid
	}
	codes := make([]string, len(userIDs))
	now := s.now()
	const perStatement = 500 // 7 parameters a row, well inside both backends' limits
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		for lo := 0; lo < len(userIDs); lo += perStatement {
			hi := min(lo+perStatement, len(userIDs))
			var q strings.Builder
			q.WriteString("INSERT INTO login_codes(code_hash, appid, user_id, openid, session_key, created_at, expires_at) VALUES ")
			args := make([]any, 0, 7*(hi-lo))
			for i := lo; i < hi; i++ {
				if i > lo {
					q.WriteString(", ")
				}
				q.WriteString("(?, ?, ?, ?, ?, ?, ?)")
				codes[i] = newCode()
				args = append(args, random.Hash(codes[i]), appid, userIDs[i], openids[userIDs[i]], wxcrypto.NewSessionKey(), now.Unix(), now.Add(CodeLifetime).Unix())
			}
			if _, err := tx.Exec(ctx, q.String(), args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// Exchange is jscode2session: it spends the code and makes its session key
// the user's current one for this mini program, atomically — a code is
// spent exactly once and never without its session being written.
//
// It is the hottest write of the platform, so concurrent exchanges share
// their commit: on SQLite the two statements (spend, upsert session) run in
// a group transaction (store.GroupTx); on PostgreSQL one statement spends a
// whole batch of codes and upserts their sessions (exchange_pg.go). Only a
// code that cannot be spent costs a further read, to tell used from invalid.
func (s *Service) Exchange(ctx context.Context, appid, code string) (Session, error) {
	if code == "" {
		return Session{}, ErrCodeInvalid
	}
	h := random.Hash(code)
	now := s.now().Unix()
	if s.db.Dialect == store.Postgres {
		return s.exchangeBatched(appid, h)
	}
	var sess Session
	err := s.db.GroupTx(ctx, func(tx *store.Tx) error {
		err := tx.QueryRow(ctx, spendCode, now, h, appid, now).Scan(&sess.UserID, &sess.OpenID, &sess.SessionKey)
		if errors.Is(err, sql.ErrNoRows) {
			return whyUnspendable(tx.QueryRow(ctx, codeState, h, appid))
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, upsertSession, appid, sess.OpenID, sess.UserID, sess.SessionKey, now)
		return err
	})
	return sess, err
}

const (
	// spendCode marks an unused, unexpired code used and returns its session.
	spendCode = `UPDATE login_codes SET used_at = ? WHERE code_hash = ? AND appid = ? AND used_at IS NULL AND expires_at > ?
		RETURNING user_id, openid, session_key`
	upsertSession = `INSERT INTO mp_sessions(appid, openid, user_id, session_key, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (appid, openid) DO UPDATE SET session_key = excluded.session_key, updated_at = excluded.updated_at`
	codeState = "SELECT expires_at, used_at FROM login_codes WHERE code_hash = ? AND appid = ?"
	// exchangePG is spendCode and upsertSession as one statement; its
	// parameters are now, code_hash, appid.
	exchangePG = `WITH spent AS (
		UPDATE login_codes SET used_at = $1 WHERE code_hash = $2 AND appid = $3 AND used_at IS NULL AND expires_at > $1
		RETURNING user_id, openid, session_key
	), upserted AS (
		INSERT INTO mp_sessions(appid, openid, user_id, session_key, updated_at)
		SELECT $3, openid, user_id, session_key, $1 FROM spent
		ON CONFLICT (appid, openid) DO UPDATE SET session_key = excluded.session_key, updated_at = excluded.updated_at
	)
	SELECT user_id, openid, session_key FROM spent`
)

func (s *Service) exchangePostgres(ctx context.Context, appid, h string, now int64) (Session, error) {
	var sess Session
	err := s.db.QueryRowWrite(ctx, exchangePG, now, h, appid).Scan(&sess.UserID, &sess.OpenID, &sess.SessionKey)
	if errors.Is(err, sql.ErrNoRows) {
		// Read from the writer: a code spent a moment ago must read as used.
		return Session{}, whyUnspendable(s.db.QueryRowWrite(ctx, codeState, h, appid))
	}
	if err != nil {
		return Session{}, err
	}
	return sess, nil
}

// whyUnspendable reads the state of a code that could not be spent: used
// (40163) takes precedence over expired or unknown (40029).
func whyUnspendable(row *sql.Row) error {
	var expires int64
	var used sql.NullInt64
	err := row.Scan(&expires, &used)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return ErrCodeInvalid
	case err != nil:
		return err
	case used.Valid:
		return ErrCodeUsed
	}
	return ErrCodeInvalid
}

// Current returns the user's current session with a mini program.
func (s *Service) Current(ctx context.Context, appid, openid string) (Session, error) {
	if !input.Storable(openid) {
		return Session{}, ErrNoSession // PostgreSQL refuses such text; no OpenID has it
	}
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
	if !hmac.Equal([]byte(signature), []byte(wxcrypto.SessionSignature(sess.SessionKey))) {
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

// ExchangePhoneCode spends a getPhoneNumber code and returns the user. A
// non-empty openid must be the code's user in this app (ErrOtherUser), or
// the code is left unspent; so is the code of a user without a phone number
// (ErrNoPhone).
func (s *Service) ExchangePhoneCode(ctx context.Context, appid, code, openid string) (*identity.User, error) {
	if code == "" {
		return nil, ErrCodeInvalid
	}
	h := random.Hash(code)
	now := s.now().Unix()
	var userID string
	var u *identity.User
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		err := tx.SpendCode(ctx, "phone_codes", h, appid, now, "user_id", []any{&userID}, func() error {
			if openid != "" && openid != s.ident.OpenID(appid, userID) {
				return ErrOtherUser
			}
			var err error
			if u, err = s.ident.User(ctx, userID); err != nil {
				return err
			}
			if u.Phone == "" {
				return ErrNoPhone
			}
			return nil
		})
		switch {
		case errors.Is(err, store.ErrCodeUnknown), errors.Is(err, store.ErrCodeExpired):
			return ErrCodeInvalid
		case errors.Is(err, store.ErrCodeSpent):
			return ErrCodeUsed
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return u, nil
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
