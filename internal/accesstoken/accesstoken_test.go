package accesstoken_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"superapp/internal/accesstoken"
	"superapp/internal/account"
	"superapp/internal/store/storetest"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func newClock() *clock               { return &clock{t: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)} }

func setup(t *testing.T) (*accesstoken.Service, *clock, string, string) {
	t.Helper()
	db := storetest.Open(t)
	accts := account.NewService(db, account.DefaultPolicy())
	a, _, err := accts.CreateApp(context.Background(), account.MiniProgram, "A", "")
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := accts.CreateApp(context.Background(), account.ServiceAccount, "B", "")
	if err != nil {
		t.Fatal(err)
	}
	s := accesstoken.NewService(db)
	c := newClock()
	s.SetClock(c.now)
	return s, c, a.AppID, b.AppID
}

func TestIssueAuthenticateAndExpiry(t *testing.T) {
	s, c, appA, appB := setup(t)
	ctx := context.Background()
	tok, err := s.Issue(ctx, appA)
	if err != nil {
		t.Fatal(err)
	}
	if tok.ExpiresIn != 7200 || len(tok.Token) < 100 {
		t.Fatalf("issued %+v", tok)
	}
	got, err := s.Authenticate(ctx, tok.Token)
	if err != nil || got != appA {
		t.Fatalf("Authenticate = %q, %v; want %s", got, err, appA)
	}
	tokB, _ := s.Issue(ctx, appB)
	if got, _ := s.Authenticate(ctx, tokB.Token); got != appB {
		t.Fatalf("token of B authenticated as %q", got)
	}
	if _, err := s.Authenticate(ctx, tok.Token+"x"); !errors.Is(err, accesstoken.ErrInvalid) {
		t.Fatalf("tampered token: %v, want ErrInvalid", err)
	}
	if _, err := s.Authenticate(ctx, ""); !errors.Is(err, accesstoken.ErrInvalid) {
		t.Fatalf("empty token: %v", err)
	}
	c.add(7199 * time.Second)
	if _, err := s.Authenticate(ctx, tok.Token); err != nil {
		t.Fatalf("token 1 s before expiry: %v", err)
	}
	c.add(time.Second)
	if _, err := s.Authenticate(ctx, tok.Token); !errors.Is(err, accesstoken.ErrExpired) {
		t.Fatalf("token at expiry: %v, want ErrExpired (42001)", err)
	}
}

func TestRefreshKeepsPreviousTokenFiveMinutes(t *testing.T) {
	s, c, app, _ := setup(t)
	ctx := context.Background()
	old, _ := s.Issue(ctx, app)
	if _, err := s.Authenticate(ctx, old.Token); err != nil { // cache it
		t.Fatal(err)
	}
	c.add(time.Minute)
	fresh, _ := s.Issue(ctx, app)
	c.add(4*time.Minute + 59*time.Second)
	if _, err := s.Authenticate(ctx, old.Token); err != nil {
		t.Fatalf("previous token 4m59s after refresh: %v, want valid", err)
	}
	c.add(time.Second)
	if _, err := s.Authenticate(ctx, old.Token); !errors.Is(err, accesstoken.ErrInvalid) {
		t.Fatalf("previous token 5m after refresh: %v, want ErrInvalid (40001)", err)
	}
	if _, err := s.Authenticate(ctx, fresh.Token); err != nil {
		t.Fatalf("new token: %v", err)
	}
}

func TestRefreshSeenByAnotherServer(t *testing.T) {
	// Two services on one database stand for two servers: a refresh on one
	// retires the token on the other once the overlap has passed.
	db := storetest.Open(t)
	accts := account.NewService(db, account.DefaultPolicy())
	a, _, _ := accts.CreateApp(context.Background(), account.MiniProgram, "A", "")
	c := newClock()
	s1, s2 := accesstoken.NewService(db), accesstoken.NewService(db)
	s1.SetClock(c.now)
	s2.SetClock(c.now)
	ctx := context.Background()
	old, _ := s1.Issue(ctx, a.AppID)
	if _, err := s2.Authenticate(ctx, old.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := s1.Issue(ctx, a.AppID); err != nil {
		t.Fatal(err)
	}
	c.add(6 * time.Minute)
	if _, err := s2.Authenticate(ctx, old.Token); !errors.Is(err, accesstoken.ErrInvalid) {
		t.Fatalf("server 2 still accepts a token retired on server 1: %v", err)
	}
}

func TestStableToken(t *testing.T) {
	s, c, app, _ := setup(t)
	ctx := context.Background()
	basic, _ := s.Issue(ctx, app)
	st1, err := s.IssueStable(ctx, app, false)
	if err != nil {
		t.Fatal(err)
	}
	c.add(10 * time.Minute)
	st2, _ := s.IssueStable(ctx, app, false)
	if st2.Token != st1.Token || st2.ExpiresIn != 7200-600 {
		t.Fatalf("normal mode: %+v then %+v; want the same token with 6600 s left", st1, st2)
	}
	// The two families are isolated: a stable token leaves basic tokens alone.
	if _, err := s.Authenticate(ctx, basic.Token); err != nil {
		t.Fatalf("basic token after stable issue: %v", err)
	}
	// Renewed 5 minutes before expiry, so expires_in never drops below 300.
	c.add(7200*time.Second - 10*time.Minute - 300*time.Second)
	st3, _ := s.IssueStable(ctx, app, false)
	if st3.Token == st1.Token || st3.ExpiresIn != 7200 {
		t.Fatalf("near expiry: got %+v, want a new token", st3)
	}
	if _, err := s.Authenticate(ctx, st1.Token); err != nil {
		t.Fatalf("replaced stable token inside its overlap: %v", err)
	}
	// force_refresh: a new token each time, 30 s apart, 20 a day.
	c.add(time.Second)
	f1, err := s.IssueStable(ctx, app, true)
	if err != nil || f1.Token == st3.Token {
		t.Fatalf("force refresh: %+v %v", f1, err)
	}
	if _, err := s.IssueStable(ctx, app, true); !errors.Is(err, accesstoken.ErrForceTooSoon) {
		t.Fatalf("second force within 30 s: %v", err)
	}
	for i := 1; i < accesstoken.StableForceDailyLimit; i++ {
		c.add(31 * time.Second)
		if _, err := s.IssueStable(ctx, app, true); err != nil {
			t.Fatalf("force refresh %d: %v", i+1, err)
		}
	}
	c.add(31 * time.Second)
	if _, err := s.IssueStable(ctx, app, true); !errors.Is(err, accesstoken.ErrForceTooOften) {
		t.Fatalf("21st force refresh in a day: %v", err)
	}
	// Normal mode still answers.
	if _, err := s.IssueStable(ctx, app, false); err != nil {
		t.Fatalf("normal mode after the force limit: %v", err)
	}
}
