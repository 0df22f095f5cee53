package login_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"superapp/internal/account"
	"superapp/internal/identity"
	"superapp/internal/login"
	"superapp/internal/store/storetest"
)

func setup(t *testing.T) (*login.Service, string, []string) {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t)
	ident, err := identity.NewService(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	app, _, err := account.NewService(db, account.DefaultPolicy()).CreateApp(ctx, account.MiniProgram, "Exchange Test", "")
	if err != nil {
		t.Fatal(err)
	}
	var users []string
	for _, name := range []string{"alice", "bob", "carol"} {
		u, err := ident.CreateUser(ctx, identity.NewUser{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, u.ID)
	}
	return login.NewService(db, ident), app.AppID, users
}

// A code is spent exactly once however many exchanges race for it, and the
// winner's session becomes current.
func TestExchangeConcurrentSingleUse(t *testing.T) {
	s, appid, users := setup(t)
	ctx := context.Background()
	for round := 0; round < 5; round++ {
		code, err := s.MintCode(ctx, appid, users[0])
		if err != nil {
			t.Fatal(err)
		}
		const n = 16
		sessions := make([]login.Session, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				sessions[i], errs[i] = s.Exchange(ctx, appid, code)
			}(i)
		}
		wg.Wait()
		won := -1
		for i, err := range errs {
			switch {
			case err == nil:
				if won >= 0 {
					t.Fatalf("round %d: code spent twice", round)
				}
				won = i
			case !errors.Is(err, login.ErrCodeUsed):
				t.Fatalf("round %d: loser got %v, want ErrCodeUsed", round, err)
			}
		}
		if won < 0 {
			t.Fatalf("round %d: nobody spent the code", round)
		}
		cur, err := s.CurrentForUser(ctx, appid, users[0])
		if err != nil || cur.SessionKey != sessions[won].SessionKey || cur.OpenID != sessions[won].OpenID {
			t.Fatalf("round %d: current session %+v (%v), want the winner's %+v", round, cur, err, sessions[won])
		}
	}
}

func TestExchangeInvalid(t *testing.T) {
	s, appid, users := setup(t)
	ctx := context.Background()
	if _, err := s.Exchange(ctx, appid, "no-such-code"); !errors.Is(err, login.ErrCodeInvalid) {
		t.Errorf("unknown code: %v", err)
	}
	code, err := s.MintCode(ctx, appid, users[1])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Exchange(ctx, "wx0000000000000000", code); !errors.Is(err, login.ErrCodeInvalid) {
		t.Errorf("another app's code: %v", err)
	}
	s.SetClock(func() time.Time { return time.Now().Add(login.CodeLifetime + time.Second) })
	if _, err := s.Exchange(ctx, appid, code); !errors.Is(err, login.ErrCodeInvalid) {
		t.Errorf("expired code: %v", err)
	}
	if _, err := s.CurrentForUser(ctx, appid, users[1]); !errors.Is(err, login.ErrNoSession) {
		t.Errorf("a failed exchange wrote a session: %v", err)
	}
	s.SetClock(time.Now)
	if _, err := s.Exchange(ctx, appid, code); err != nil {
		t.Errorf("the code was spent by failed exchanges: %v", err)
	}
}

func TestMintCodes(t *testing.T) {
	s, appid, users := setup(t)
	ctx := context.Background()
	ids := make([]string, 1200) // more than one statement's worth
	for i := range ids {
		ids[i] = users[i%len(users)]
	}
	codes, err := s.MintCodes(ctx, appid, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != len(ids) {
		t.Fatalf("%d codes for %d users", len(codes), len(ids))
	}
	for _, i := range []int{0, 1, 599, 1199} {
		sess, err := s.Exchange(ctx, appid, codes[i])
		if err != nil || sess.UserID != ids[i] {
			t.Errorf("code %d: %+v, %v; want user %s", i, sess, err, ids[i])
		}
	}
}

// Concurrent exchanges of different codes of one user all succeed (on
// PostgreSQL they may share one batch statement), and one of their session
// keys becomes current.
func TestExchangeConcurrentSameUser(t *testing.T) {
	s, appid, users := setup(t)
	ctx := context.Background()
	const n = 24
	ids := make([]string, n)
	for i := range ids {
		ids[i] = users[2]
	}
	codes, err := s.MintCodes(ctx, appid, ids)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, code := range codes {
		wg.Add(1)
		go func(code string) {
			defer wg.Done()
			sess, err := s.Exchange(ctx, appid, code)
			if err != nil {
				t.Errorf("exchange: %v", err)
				return
			}
			mu.Lock()
			keys[sess.SessionKey] = true
			mu.Unlock()
		}(code)
	}
	wg.Wait()
	if len(keys) != n {
		t.Fatalf("%d distinct session keys for %d exchanges", len(keys), n)
	}
	cur, err := s.CurrentForUser(ctx, appid, users[2])
	if err != nil || !keys[cur.SessionKey] {
		t.Fatalf("current session %+v (%v) is none of the exchanged ones", cur, err)
	}
}
