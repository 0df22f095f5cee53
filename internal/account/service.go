package account

import (
	"context"
	"crypto/subtle"
	"sync"
	"time"

	"superapp/internal/random"
	"superapp/internal/store"
)

// appCacheTTL bounds how long another server's change to an app (secret
// reset, whitelist) can go unseen here; this server's own changes apply at once.
const appCacheTTL = 5 * time.Second

// Service is the account domain: its rules and its storage.
type Service struct {
	db     *store.DB
	policy Policy
	now    func() time.Time

	mu       sync.RWMutex
	cache    map[string]cachedApp
	subjects map[string]cachedSubject
}

type cachedApp struct {
	app      *App
	loadedAt time.Time
}

// NewService returns the account service over db with the given policy.
func NewService(db *store.DB, policy Policy) *Service {
	return &Service{db: db, policy: policy, now: time.Now, cache: map[string]cachedApp{}, subjects: map[string]cachedSubject{}}
}

// Policy returns the limits in force.
func (s *Service) Policy() Policy { return s.policy }

// NewSecret makes an AppSecret: 32 lowercase hex digits.
func NewSecret() string { return random.Hex(16) }

// CheckSecret reports whether secret is app's current secret, in constant time.
func CheckSecret(app *App, secret string) bool {
	h := random.Hash(secret)
	return subtle.ConstantTimeCompare([]byte(h), []byte(app.SecretHash)) == 1
}

// App returns the app with this appid, from a short-lived cache.
func (s *Service) App(ctx context.Context, appid string) (*App, error) {
	now := s.now()
	s.mu.RLock()
	c, ok := s.cache[appid]
	s.mu.RUnlock()
	if ok && now.Sub(c.loadedAt) < appCacheTTL {
		return c.app, nil
	}
	if !ValidAppID(appid) {
		return nil, ErrAppNotFound
	}
	app, err := s.loadApp(ctx, appid)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if len(s.cache) > 100_000 {
		s.cache = map[string]cachedApp{}
	}
	s.cache[appid] = cachedApp{app: app, loadedAt: now}
	s.mu.Unlock()
	return app, nil
}

func (s *Service) forget(appid string) {
	s.mu.Lock()
	delete(s.cache, appid)
	s.mu.Unlock()
}

// CachedSubject returns a subject from the same short-lived cache as apps;
// for hot read paths that show a subject's name.
func (s *Service) CachedSubject(ctx context.Context, id string) (*Subject, error) {
	now := s.now()
	s.mu.RLock()
	c, ok := s.subjects[id]
	s.mu.RUnlock()
	if ok && now.Sub(c.loadedAt) < appCacheTTL {
		return c.subject, nil
	}
	sub, err := s.Subject(ctx, id)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if len(s.subjects) > 100_000 {
		s.subjects = map[string]cachedSubject{}
	}
	s.subjects[id] = cachedSubject{subject: sub, loadedAt: now}
	s.mu.Unlock()
	return sub, nil
}

type cachedSubject struct {
	subject  *Subject
	loadedAt time.Time
}
