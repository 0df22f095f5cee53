package shell

import (
	"context"
	"math"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"superapp/internal/proxy"
	"sync"
	"time"
)

// Limits on the endpoints that hash passwords. Hashing costs tens of
// milliseconds of CPU (identity.PasswordIterations rounds of PBKDF2), so
// without them anyone could drain the server's CPU or guess passwords.
const (
	signInPerIP       = 10 // sign-in attempts per client address a minute
	signInPerIPEvery  = time.Minute
	failsPerPhone     = 5 // failed sign-ins per phone number in 15 minutes
	failsPerPhoneOver = 15 * time.Minute
	registerPerIP     = 5 // registrations per client address a minute
	registerPerIPOver = time.Minute

	// maxLimiterKeys bounds each limiter's memory whatever keys clients
	// choose (phone numbers are theirs to make up).
	maxLimiterKeys = 10_000
	// hashWait is how long a request waits for a hashing slot before the
	// server answers 503.
	hashWait = 5 * time.Second
)

// limiter is a set of token buckets keyed by string: each key may spend
// burst tokens at once, and they come back at burst per period. Keys whose
// bucket is full are the same as keys never seen, so they are dropped when
// the map grows past max; if that is not enough, the longest-untouched
// keys go.
type limiter struct {
	burst float64
	every time.Duration // one token comes back every this long
	max   int
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time // when tokens was right
}

func newLimiter(burst int, period time.Duration, max int) *limiter {
	return &limiter{
		burst: float64(burst), every: period / time.Duration(burst), max: max,
		now: time.Now, buckets: make(map[string]*bucket),
	}
}

// level brings b's tokens up to now and returns them.
func (l *limiter) level(b *bucket, now time.Time) float64 {
	if d := now.Sub(b.at); d > 0 {
		b.tokens = math.Min(l.burst, b.tokens+float64(d)/float64(l.every))
		b.at = now
	}
	return b.tokens
}

// take spends a token of key. If none is left it spends nothing and returns
// false with how long until one comes back.
func (l *limiter) take(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= l.max {
			l.shrink(now)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	if t := l.level(b, now); t < 1 {
		return false, time.Duration((1 - t) * float64(l.every))
	}
	b.tokens--
	return true, 0
}

// give returns a token taken for an attempt that turned out not to count.
func (l *limiter) give(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.buckets[key]; ok {
		b.tokens = math.Min(l.burst, l.level(b, l.now())+1)
	}
}

// reset forgets key, giving it a full bucket.
func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.buckets, key)
}

// size is the number of keys held.
func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// shrink makes room: it drops full buckets, then the longest-untouched ones
// until a tenth of max is free, so it runs once per many new keys.
func (l *limiter) shrink(now time.Time) {
	for k, b := range l.buckets {
		if l.level(b, now) >= l.burst {
			delete(l.buckets, k)
		}
	}
	target := l.max - l.max/10
	if len(l.buckets) <= target {
		return
	}
	type entry struct {
		key string
		at  time.Time
	}
	all := make([]entry, 0, len(l.buckets))
	for k, b := range l.buckets {
		all = append(all, entry{k, b.at})
	}
	slices.SortFunc(all, func(a, b entry) int { return a.at.Compare(b.at) })
	for _, e := range all[:len(all)-target] {
		delete(l.buckets, e.key)
	}
}

// limits are the shell's defences around password hashing.
type limits struct {
	signInIP   *limiter
	phoneFails *limiter
	registerIP *limiter
	// hashing holds one slot per CPU; a request that hashes a password
	// holds one, so floods queue instead of starving everything else.
	hashing  chan struct{}
	hashWait time.Duration
}

func newLimits() *limits {
	return &limits{
		signInIP:   newLimiter(signInPerIP, signInPerIPEvery, maxLimiterKeys),
		phoneFails: newLimiter(failsPerPhone, failsPerPhoneOver, maxLimiterKeys),
		registerIP: newLimiter(registerPerIP, registerPerIPOver, maxLimiterKeys),
		hashing:    make(chan struct{}, runtime.NumCPU()),
		hashWait:   hashWait,
	}
}

// tooMany is the 429 answer for a refused attempt.
func tooMany(retry time.Duration) *apiError {
	secs := max(1, int(math.Ceil(retry.Seconds())))
	e := errorf(http.StatusTooManyRequests, "rate_limited", "", "Too many attempts. Try again in %d seconds.", secs)
	e.header = http.Header{"Retry-After": {strconv.Itoa(secs)}}
	return e
}

var errBusy = &apiError{
	Status: http.StatusServiceUnavailable, Code: "busy", Message: "The server is busy. Try again in a few seconds.",
	header: http.Header{"Retry-After": {"5"}},
}

// acquireHashing waits for a hashing slot; the caller must call the returned
// release when done.
func (l *limits) acquireHashing(ctx context.Context) (release func(), err error) {
	select {
	case l.hashing <- struct{}{}:
		return func() { <-l.hashing }, nil
	default:
	}
	t := time.NewTimer(l.hashWait)
	defer t.Stop()
	select {
	case l.hashing <- struct{}{}:
		return func() { <-l.hashing }, nil
	case <-t.C:
		return nil, errBusy
	case <-ctx.Done():
		return nil, errBusy
	}
}

// clientKey is the key of the client's address (the TCP peer, or behind a
// trusted proxy the address it reports): an IPv6 client's /64, since one
// host commonly holds the whole prefix.
func clientKey(r *http.Request, trust proxy.Trust) string {
	a := trust.ClientIP(r)
	if !a.IsValid() {
		return r.RemoteAddr
	}
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
