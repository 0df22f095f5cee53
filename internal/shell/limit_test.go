package shell

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time           { return c.t }
func (c *fakeClock) add(d time.Duration)      { c.t = c.t.Add(d) }
func newFakeClock() *fakeClock                { return &fakeClock{time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)} }
func (l *limiter) with(c *fakeClock) *limiter { l.now = c.now; return l }

func TestLimiterRefills(t *testing.T) {
	c := newFakeClock()
	l := newLimiter(5, 15*time.Minute, 100).with(c)
	for i := range 5 {
		if ok, _ := l.take("k"); !ok {
			t.Fatalf("attempt %d refused", i+1)
		}
	}
	ok, retry := l.take("k")
	if ok || retry != 3*time.Minute {
		t.Fatalf("6th attempt: ok=%v retry=%v; want refused, retry 3m", ok, retry)
	}
	c.add(2 * time.Minute)
	if ok, retry := l.take("k"); ok || retry != time.Minute {
		t.Fatalf("after 2m: ok=%v retry=%v; want refused, retry 1m", ok, retry)
	}
	c.add(time.Minute)
	if ok, _ := l.take("k"); !ok {
		t.Fatal("after 3m: refused; want one token back")
	}
	if ok, _ := l.take("k"); ok {
		t.Fatal("after 3m: second attempt allowed; want only one token back")
	}
	// A long wait fills the bucket, but no more than full.
	c.add(24 * time.Hour)
	for i := range 5 {
		if ok, _ := l.take("k"); !ok {
			t.Fatalf("after a day, attempt %d refused", i+1)
		}
	}
	if ok, _ := l.take("k"); ok {
		t.Fatal("after a day, 6th attempt allowed: the bucket overfilled")
	}
	// give returns a token; reset forgets the key.
	l.give("k")
	if ok, _ := l.take("k"); !ok {
		t.Fatal("a given-back token was not there")
	}
	l.reset("k")
	for i := range 5 {
		if ok, _ := l.take("k"); !ok {
			t.Fatalf("after reset, attempt %d refused", i+1)
		}
	}
	if ok, _ := l.take("other"); !ok {
		t.Fatal("keys share a bucket")
	}
}

func TestLimiterStaysBounded(t *testing.T) {
	c := newFakeClock()
	l := newLimiter(10, time.Minute, maxLimiterKeys).with(c)
	for i := range 50_000 {
		l.take(fmt.Sprintf("attacker-key-%d", i))
		if i%1000 == 0 {
			c.add(time.Millisecond)
		}
		if n := l.size(); n > maxLimiterKeys {
			t.Fatalf("after %d keys the limiter holds %d; want at most %d", i+1, n, maxLimiterKeys)
		}
	}
	if n := l.size(); n < maxLimiterKeys/2 {
		t.Errorf("limiter holds only %d keys: it evicted far more than needed", n)
	}
	// Keys that have refilled cost nothing to forget and go first.
	c.add(time.Hour)
	l.take("new")
	if n := l.size(); n != 1 {
		t.Errorf("after every bucket refilled, a new key left %d keys; want 1", n)
	}
}

func TestStorable(t *testing.T) {
	for _, v := range []string{"a\x00b", "\xff", "ok\xc3"} {
		if err := storable("phone", v); err == nil {
			t.Errorf("storable(%q) = nil", v)
		}
	}
	for _, v := range []string{"", "13800138000", "Zoë 李"} {
		if err := storable("phone", v); err != nil {
			t.Errorf("storable(%q) = %v", v, err)
		}
	}
}

func TestClientKey(t *testing.T) {
	for addr, want := range map[string]string{
		"203.0.113.7:4242":            "203.0.113.7",
		"[::ffff:203.0.113.7]:4242":   "203.0.113.7",
		"[2001:db8:1:2:3:4:5:6]:4242": "2001:db8:1:2::/64",
		"[2001:db8:1:2:ffff::1]:1":    "2001:db8:1:2::/64",
		"not an address":              "not an address",
	} {
		r := httptest.NewRequest("POST", "/", nil)
		r.RemoteAddr = addr
		if got := clientKey(r, false); got != want {
			t.Errorf("clientKey(%q) = %q, want %q", addr, got, want)
		}
	}
}

func TestClientKeyBehindAProxy(t *testing.T) {
	r := httptest.NewRequest("POST", "/", nil)
	r.RemoteAddr = "10.0.0.1:80"
	r.Header.Set("X-Forwarded-For", "198.51.100.20, 203.0.113.7")
	if got := clientKey(r, true); got != "203.0.113.7" {
		t.Errorf("behind a trusted proxy: %q, want the proxy's entry", got)
	}
	if got := clientKey(r, false); got != "10.0.0.1" {
		t.Errorf("no proxy trusted: %q, want the TCP peer", got)
	}
}
