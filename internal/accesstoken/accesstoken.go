// Package accesstoken issues and checks the app access tokens of
// /cgi-bin/token and /cgi-bin/stable_token. A token names exactly one app;
// every API call authenticated by it acts on that app only.
package accesstoken

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	"superapp/internal/random"
	"superapp/internal/store"
)

// Kind separates the two token families, which never affect each other
// (wechat-api.md §1.2: "互不影响").
type Kind string

const (
	Basic  Kind = "basic"  // GET /cgi-bin/token
	Stable Kind = "stable" // POST /cgi-bin/stable_token
)

// Timings fixed by WeChat.
const (
	Lifetime  = 7200 * time.Second // expires_in
	Overlap   = 5 * time.Minute    // a replaced token keeps working this long
	RenewLead = 5 * time.Minute    // stable tokens are renewed this early

	StableForceDailyLimit = 20
	StableForceInterval   = 30 * time.Second
)

// Errors of this package.
var (
	ErrInvalid       = errors.New("access token is invalid or not latest") // 40001
	ErrExpired       = errors.New("access token expired")                  // 42001
	ErrForceTooSoon  = errors.New("stable token force refresh within 30 s of the last")
	ErrForceTooOften = errors.New("stable token force refresh limit of 20 per day reached")
)

// Issued is a token handed to a caller.
type Issued struct {
	Token     string
	ExpiresIn int64 // seconds
}

// Service issues and checks tokens. Checks are served from memory: a cached
// verdict is re-read from the database after recheckAfter or as soon as this
// server replaces a token of the same app, so a token replaced by another
// server is noticed within recheckAfter — well inside its 5-minute overlap.
type Service struct {
	db  *store.DB
	now func() time.Time

	mu    sync.RWMutex
	cache map[string]cached
	gen   map[string]uint64 // appid+kind → clock value of its last replacement
	clock uint64
}

type cached struct {
	appid        string
	kind         Kind
	expiresAt    int64
	supersededAt int64
	checkedAt    time.Time
	gen          uint64
}

const recheckAfter = 10 * time.Second

// NewService returns the token service.
func NewService(db *store.DB) *Service {
	return &Service{db: db, now: time.Now, cache: map[string]cached{}, gen: map[string]uint64{}}
}

// SetClock replaces the clock (tests only).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func newToken() string { return random.Token(96) } // 128 characters, like WeChat's ~140

// Issue mints a /cgi-bin/token token; the app's previous basic tokens are
// superseded and keep working for Overlap.
func (s *Service) Issue(ctx context.Context, appid string) (Issued, error) {
	now := s.now()
	tok := newToken()
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.Lock(ctx, "accesstoken:"+appid+":"+string(Basic)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE access_tokens SET superseded_at = ? WHERE appid = ? AND kind = ? AND superseded_at IS NULL", now.Unix(), appid, string(Basic)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO access_tokens(token_hash, appid, kind, issued_at, expires_at) VALUES (?, ?, ?, ?, ?)",
			random.Hash(tok), appid, string(Basic), now.Unix(), now.Add(Lifetime).Unix())
		return err
	})
	if err != nil {
		return Issued{}, err
	}
	s.bump(appid, Basic)
	return Issued{Token: tok, ExpiresIn: int64(Lifetime / time.Second)}, nil
}

// IssueStable answers /cgi-bin/stable_token. In normal mode it returns the
// live stable token while more than RenewLead of it remains; force mode
// replaces it, at most 20 times a day and 30 s apart.
func (s *Service) IssueStable(ctx context.Context, appid string, force bool) (Issued, error) {
	now := s.now()
	var out Issued
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		// One caller at a time per app: normal mode must hand every
		// concurrent caller the same token, and force_refresh's limits must
		// hold under concurrency.
		if err := tx.Lock(ctx, "accesstoken:"+appid+":"+string(Stable)); err != nil {
			return err
		}
		var tok sql.NullString
		var expiresAt int64
		err := tx.QueryRow(ctx, "SELECT token, expires_at FROM access_tokens WHERE appid = ? AND kind = ? AND superseded_at IS NULL ORDER BY issued_at DESC LIMIT 1",
			appid, string(Stable)).Scan(&tok, &expiresAt)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		live := err == nil && tok.Valid && expiresAt-now.Unix() > int64(RenewLead/time.Second)
		if live && !force {
			out = Issued{Token: tok.String, ExpiresIn: expiresAt - now.Unix()}
			return nil
		}
		if force {
			if err := s.takeForceRefresh(ctx, tx, appid, now); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, "UPDATE access_tokens SET superseded_at = ?, token = NULL WHERE appid = ? AND kind = ? AND superseded_at IS NULL", now.Unix(), appid, string(Stable)); err != nil {
			return err
		}
		t := newToken()
		if _, err := tx.Exec(ctx, "INSERT INTO access_tokens(token_hash, appid, kind, token, issued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
			random.Hash(t), appid, string(Stable), t, now.Unix(), now.Add(Lifetime).Unix()); err != nil {
			return err
		}
		out = Issued{Token: t, ExpiresIn: int64(Lifetime / time.Second)}
		return nil
	})
	if err != nil {
		return Issued{}, err
	}
	s.bump(appid, Stable)
	return out, nil
}

// beijingDay is the calendar day in China Standard Time, when WeChat's daily
// limits reset.
func beijingDay(t time.Time) string { return t.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02") }

func (s *Service) takeForceRefresh(ctx context.Context, tx *store.Tx, appid string, now time.Time) error {
	day := beijingDay(now)
	var count int
	var last int64
	err := tx.QueryRow(ctx, "SELECT count, last_at FROM stable_token_refreshes WHERE appid = ? AND day = ?", appid, day).Scan(&count, &last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if count >= StableForceDailyLimit {
		return ErrForceTooOften
	}
	if count > 0 && now.Unix()-last < int64(StableForceInterval/time.Second) {
		return ErrForceTooSoon
	}
	_, err = tx.Exec(ctx, `INSERT INTO stable_token_refreshes(appid, day, count, last_at) VALUES (?, ?, 1, ?)
		ON CONFLICT (appid, day) DO UPDATE SET count = stable_token_refreshes.count + 1, last_at = excluded.last_at`, appid, day, now.Unix())
	return err
}

func (s *Service) bump(appid string, kind Kind) {
	s.mu.Lock()
	s.clock++
	s.gen[appid+"/"+string(kind)] = s.clock
	s.mu.Unlock()
}

// Authenticate returns the appid a token belongs to.
func (s *Service) Authenticate(ctx context.Context, token string) (string, error) {
	if token == "" {
		return "", ErrInvalid
	}
	h := random.Hash(token)
	now := s.now()
	s.mu.RLock()
	c, ok := s.cache[h]
	fresh := ok && now.Sub(c.checkedAt) < recheckAfter && s.gen[c.appid+"/"+string(c.kind)] <= c.gen
	s.mu.RUnlock()
	if !fresh {
		var err error
		c, err = s.load(ctx, h, now)
		if err != nil {
			return "", err
		}
	}
	return c.appid, verdict(c, now.Unix())
}

func verdict(c cached, now int64) error {
	if c.supersededAt > 0 && now >= c.supersededAt+int64(Overlap/time.Second) {
		return ErrInvalid
	}
	if now >= c.expiresAt {
		return ErrExpired
	}
	return nil
}

func (s *Service) load(ctx context.Context, h string, now time.Time) (cached, error) {
	// Read the clock first: a replacement racing with this read then makes
	// the entry stale instead of being missed.
	var c cached
	var superseded sql.NullInt64
	s.mu.RLock()
	before := s.clock
	s.mu.RUnlock()
	err := s.db.QueryRow(ctx, "SELECT appid, kind, expires_at, superseded_at FROM access_tokens WHERE token_hash = ?", h).
		Scan(&c.appid, &c.kind, &c.expiresAt, &superseded)
	if errors.Is(err, sql.ErrNoRows) {
		return cached{}, ErrInvalid
	}
	if err != nil {
		return cached{}, err
	}
	c.supersededAt = superseded.Int64
	c.checkedAt = now
	s.mu.Lock()
	c.gen = before
	if len(s.cache) > 200_000 {
		s.cache = map[string]cached{}
	}
	s.cache[h] = c
	s.mu.Unlock()
	return c, nil
}

// Sweep deletes tokens that expired more than a day ago.
func (s *Service) Sweep(ctx context.Context) error {
	_, err := s.db.Exec(ctx, "DELETE FROM access_tokens WHERE expires_at < ?", s.now().Add(-24*time.Hour).Unix())
	return err
}
