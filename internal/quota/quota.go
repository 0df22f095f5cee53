// Package quota counts API calls per app, endpoint and day (China Standard
// Time, when WeChat resets them) against per-deployment daily limits, and
// answers /cgi-bin/openapi/quota/get and /cgi-bin/clear_quota.
//
// Counting happens in memory and is flushed to the database every second, so
// a call costs no write. With several servers on one PostgreSQL each adds its
// own calls to the shared row; a server sees the others' calls as of its
// last flush, so a limit can be overshot by at most what the other servers
// served within that second.
package quota

import (
	"context"
	"errors"
	"sync"
	"time"

	"superapp/internal/store"
)

// Policy maps an endpoint path to its daily limit; endpoints absent from the
// map are unlimited (but still counted).
type Policy struct {
	Daily          map[string]int64 `json:"daily"`
	ResetsPerMonth int              `json:"resets_per_month"`
}

// DefaultPolicy is WeChat's for a new account (platform-rules.md §3.5,
// wechat-api.md §1.1–§1.2).
func DefaultPolicy() Policy {
	return Policy{
		Daily: map[string]int64{
			"/cgi-bin/token":                       2000,
			"/cgi-bin/stable_token":                500_000,
			"/cgi-bin/ticket/getticket":            100_000,
			"/cgi-bin/menu/create":                 1000,
			"/cgi-bin/menu/get":                    10_000,
			"/cgi-bin/menu/delete":                 1000,
			"/cgi-bin/message/mass/sendall":        100,
			"/cgi-bin/message/mass/send":           100,
			"/cgi-bin/qrcode/create":               100_000,
			"/cgi-bin/user/get":                    500,
			"/cgi-bin/user/info":                   5_000_000,
			"/cgi-bin/user/info/batchget":          5_000_000,
			"/cgi-bin/message/custom/send":         500_000,
			"/cgi-bin/message/template/send":       100_000,
			"/cgi-bin/media/upload":                100_000,
			"/cgi-bin/media/get":                   100_000,
			"/cgi-bin/openapi/quota/get":           100,
			"/cgi-bin/account/getaccountbasicinfo": 100_000,
		},
		ResetsPerMonth: 10,
	}
}

// Errors of this package.
var (
	ErrExceeded    = errors.New("daily quota reached")
	ErrResetLimit  = errors.New("quota resets for this month used up")
	ErrUnknownPath = errors.New("no quota is kept for this path")
)

// Usage is one endpoint's count today.
type Usage struct {
	DailyLimit int64 `json:"daily_limit"`
	Used       int64 `json:"used"`
	Remain     int64 `json:"remain"`
}

type key struct{ appid, endpoint string }

type counter struct {
	day      string
	stored   int64 // the shared count as of the last flush
	inflight int64 // counted here, being flushed
	pending  int64 // counted here, not yet flushed
}

func (e *counter) used() int64 { return e.stored + e.inflight + e.pending }

// leftover is what was counted on a day that has since ended.
type leftover struct {
	k   key
	day string
	n   int64
}

// Counter counts calls.
type Counter struct {
	db     *store.DB
	policy Policy
	now    func() time.Time

	mu        sync.Mutex
	counts    map[key]*counter
	leftovers []leftover
}

// New returns a counter; call Run to flush it.
func New(db *store.DB, policy Policy) *Counter {
	if policy.Daily == nil {
		policy.Daily = map[string]int64{}
	}
	return &Counter{db: db, policy: policy, now: time.Now, counts: map[key]*counter{}}
}

// SetClock replaces the clock (tests only).
func (c *Counter) SetClock(now func() time.Time) { c.now = now }

func day(t time.Time) string { return t.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02") }

func (c *Counter) entry(ctx context.Context, k key, today string) (*counter, error) {
	e := c.counts[k]
	if e != nil && e.day == today {
		return e, nil
	}
	if e != nil && e.pending > 0 {
		c.leftovers = append(c.leftovers, leftover{k, e.day, e.pending})
	}
	var stored int64
	err := c.db.QueryRow(ctx, "SELECT used FROM api_quota_usage WHERE appid = ? AND endpoint = ? AND day = ?", k.appid, k.endpoint, today).Scan(&stored)
	if err != nil && !isNoRows(err) {
		return nil, err
	}
	e = &counter{day: today, stored: stored}
	c.counts[k] = e
	return e, nil
}

// Take counts one call of endpoint by appid, or returns ErrExceeded when the
// daily limit is reached (the refused call is not counted).
func (c *Counter) Take(ctx context.Context, appid, endpoint string) error {
	today := day(c.now())
	c.mu.Lock()
	defer c.mu.Unlock()
	e, err := c.entry(ctx, key{appid, endpoint}, today)
	if err != nil {
		return err
	}
	if limit, ok := c.policy.Daily[endpoint]; ok && e.used() >= limit {
		return ErrExceeded
	}
	e.pending++
	return nil
}

// Get reports today's usage of endpoint by appid.
func (c *Counter) Get(ctx context.Context, appid, endpoint string) (Usage, error) {
	limit, ok := c.policy.Daily[endpoint]
	if !ok {
		return Usage{}, ErrUnknownPath
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, err := c.entry(ctx, key{appid, endpoint}, day(c.now()))
	if err != nil {
		return Usage{}, err
	}
	used := e.used()
	return Usage{DailyLimit: limit, Used: used, Remain: max(0, limit-used)}, nil
}

// Clear zeroes today's counts of every endpoint of appid, at most
// ResetsPerMonth times a calendar month.
func (c *Counter) Clear(ctx context.Context, appid string) error {
	now := c.now()
	month := day(now)[:7]
	err := c.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.Lock(ctx, "quota:"+appid); err != nil {
			return err
		}
		var n int
		err := tx.QueryRow(ctx, "SELECT count FROM api_quota_resets WHERE appid = ? AND month = ?", appid, month).Scan(&n)
		if err != nil && !isNoRows(err) {
			return err
		}
		if n >= c.policy.ResetsPerMonth {
			return ErrResetLimit
		}
		if _, err := tx.Exec(ctx, `INSERT INTO api_quota_resets(appid, month, count) VALUES (?, ?, 1)
			ON CONFLICT (appid, month) DO UPDATE SET count = api_quota_resets.count + 1`, appid, month); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "DELETE FROM api_quota_usage WHERE appid = ? AND day = ?", appid, day(now))
		return err
	})
	if err != nil {
		return err
	}
	c.mu.Lock()
	for k := range c.counts {
		if k.appid == appid {
			delete(c.counts, k)
		}
	}
	c.mu.Unlock()
	return nil
}

// Flush adds the counts made here to the shared rows and reads back the
// totals, which include other servers' calls. Counts at their limit are
// re-read even with nothing to add, so a clear_quota on another server
// lifts the limit here within one flush. The database is written outside
// the lock: calls are never held up by a flush.
func (c *Counter) Flush(ctx context.Context) {
	type job struct {
		k   key
		e   *counter
		day string
		n   int64
	}
	c.mu.Lock()
	var jobs []job
	for k, e := range c.counts {
		limit, limited := c.policy.Daily[k.endpoint]
		if e.pending > 0 || (limited && e.inflight == 0 && e.used() >= limit) {
			jobs = append(jobs, job{k, e, e.day, e.pending})
			e.inflight += e.pending
			e.pending = 0
		}
	}
	left := c.leftovers
	c.leftovers = nil
	c.mu.Unlock()

	for _, l := range left {
		if _, err := c.add(ctx, l.k, l.day, l.n); err != nil {
			c.mu.Lock()
			c.leftovers = append(c.leftovers, l)
			c.mu.Unlock()
		}
	}
	for _, j := range jobs {
		stored, err := c.add(ctx, j.k, j.day, j.n)
		c.mu.Lock()
		j.e.inflight -= j.n
		if err != nil {
			j.e.pending += j.n
		} else {
			j.e.stored = stored
		}
		c.mu.Unlock()
	}

	c.mu.Lock()
	if len(c.counts) > 100_000 {
		for k, e := range c.counts {
			if e.pending == 0 && e.inflight == 0 {
				delete(c.counts, k)
			}
		}
	}
	c.mu.Unlock()
}

// add adds n calls to the shared count of (k, day) and returns the total.
func (c *Counter) add(ctx context.Context, k key, day string, n int64) (int64, error) {
	var stored int64
	if n == 0 {
		err := c.db.QueryRow(ctx, "SELECT used FROM api_quota_usage WHERE appid = ? AND endpoint = ? AND day = ?", k.appid, k.endpoint, day).Scan(&stored)
		if isNoRows(err) {
			return 0, nil
		}
		return stored, err
	}
	err := c.db.QueryRowWrite(ctx, `INSERT INTO api_quota_usage(appid, endpoint, day, used) VALUES (?, ?, ?, ?)
		ON CONFLICT (appid, endpoint, day) DO UPDATE SET used = api_quota_usage.used + excluded.used RETURNING used`,
		k.appid, k.endpoint, day, n).Scan(&stored)
	return stored, err
}

// Run flushes every interval until ctx ends, then once more.
func (c *Counter) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			c.Flush(context.Background())
			return
		case <-t.C:
			c.Flush(ctx)
		}
	}
}
