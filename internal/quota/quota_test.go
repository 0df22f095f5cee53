package quota_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"superapp/internal/quota"
	"superapp/internal/store/storetest"
)

func TestDailyLimitFlushAndReset(t *testing.T) {
	db := storetest.Open(t)
	policy := quota.Policy{Daily: map[string]int64{"/cgi-bin/token": 3}, ResetsPerMonth: 2}
	now := time.Date(2026, 11, 21, 15, 0, 0, 0, time.UTC) // 23:00 in Beijing
	c := quota.New(db, policy)
	c.SetClock(func() time.Time { return now })
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if err := c.Take(ctx, "wxa", "/cgi-bin/token"); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	if err := c.Take(ctx, "wxa", "/cgi-bin/token"); !errors.Is(err, quota.ErrExceeded) {
		t.Fatalf("4th call: %v, want ErrExceeded", err)
	}
	if err := c.Take(ctx, "wxb", "/cgi-bin/token"); err != nil {
		t.Fatalf("another app shares the quota: %v", err)
	}
	if err := c.Take(ctx, "wxa", "/cgi-bin/unlimited"); err != nil {
		t.Fatalf("unlisted endpoint: %v", err)
	}
	u, err := c.Get(ctx, "wxa", "/cgi-bin/token")
	if err != nil || u != (quota.Usage{DailyLimit: 3, Used: 3, Remain: 0}) {
		t.Fatalf("Get = %+v, %v", u, err)
	}
	if _, err := c.Get(ctx, "wxa", "/cgi-bin/unlimited"); !errors.Is(err, quota.ErrUnknownPath) {
		t.Fatalf("Get of an unlisted path: %v", err)
	}

	// Counts survive a restart once flushed.
	c.Flush(ctx)
	c2 := quota.New(db, policy)
	c2.SetClock(func() time.Time { return now })
	if err := c2.Take(ctx, "wxa", "/cgi-bin/token"); !errors.Is(err, quota.ErrExceeded) {
		t.Fatalf("after restart: %v, want ErrExceeded", err)
	}

	// Clearing restores the quota, twice a month under this policy.
	for i := 0; i < 2; i++ {
		if err := c2.Clear(ctx, "wxa"); err != nil {
			t.Fatalf("clear %d: %v", i+1, err)
		}
		if err := c2.Take(ctx, "wxa", "/cgi-bin/token"); err != nil {
			t.Fatalf("after clear %d: %v", i+1, err)
		}
	}
	if err := c2.Clear(ctx, "wxa"); !errors.Is(err, quota.ErrResetLimit) {
		t.Fatalf("third clear: %v, want ErrResetLimit", err)
	}

	// A new day in Beijing (16:00 UTC) starts from zero.
	now = now.Add(time.Hour)
	for i := 0; i < 3; i++ {
		if err := c2.Take(ctx, "wxa", "/cgi-bin/token"); err != nil {
			t.Fatalf("next day call %d: %v", i+1, err)
		}
	}
}

func TestClearOnAnotherServerLiftsTheLimit(t *testing.T) {
	// Two counters on one database stand for two servers.
	db := storetest.Open(t)
	policy := quota.Policy{Daily: map[string]int64{"/cgi-bin/token": 2}, ResetsPerMonth: 10}
	ctx := context.Background()
	a, b := quota.New(db, policy), quota.New(db, policy)
	a.Take(ctx, "wxa", "/cgi-bin/token")
	a.Flush(ctx)
	b.Take(ctx, "wxa", "/cgi-bin/token")
	b.Flush(ctx)
	// a has not seen b's call yet: one call over the limit gets through
	// (the documented overshoot), and a's flush brings back the total.
	if err := a.Take(ctx, "wxa", "/cgi-bin/token"); err != nil {
		t.Fatal(err)
	}
	a.Flush(ctx)
	if err := a.Take(ctx, "wxa", "/cgi-bin/token"); !errors.Is(err, quota.ErrExceeded) {
		t.Fatalf("server a after both servers' calls: %v, want ErrExceeded", err)
	}
	if err := b.Clear(ctx, "wxa"); err != nil {
		t.Fatal(err)
	}
	a.Flush(ctx)
	if err := a.Take(ctx, "wxa", "/cgi-bin/token"); err != nil {
		t.Fatalf("server a after a clear on server b and one flush: %v", err)
	}
}
