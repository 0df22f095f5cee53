package callback

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"superapp/internal/netguard"
	"superapp/internal/store"
)

// Options configure delivery.
type Options struct {
	Timeout      time.Duration // per attempt (WeChat: 5 s)
	Attempts     int           // in total (WeChat: 3)
	AllowPrivate bool          // loopback and private targets allowed

	// Workers is how many pushes are in flight at once (default 64).
	Workers int
	// RetryDelay is the wait before the next attempt after a failed one
	// (default: Timeout, at most 1 s — WeChat re-sends right after its
	// 5 s wait, and a refused connection should not burn every attempt
	// at once).
	RetryDelay time.Duration
	// PollInterval is how often the outbox is looked at without a Wake
	// (default 250 ms): pushes enqueued by another server, retries.
	PollInterval time.Duration
	// Lease is how long a claimed push is reserved for this server before
	// another server sharing the PostgreSQL outbox may take it over
	// (default: 4 × Timeout + 5 s: a claimed push may wait for three
	// rounds of workers, then takes one attempt).
	Lease time.Duration
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	if o.Attempts <= 0 {
		o.Attempts = 3
	}
	if o.Workers <= 0 {
		o.Workers = 64
	}
	if o.RetryDelay <= 0 {
		o.RetryDelay = min(o.Timeout, time.Second)
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 250 * time.Millisecond
	}
	if o.Lease <= 0 {
		o.Lease = time.Duration(claimFactor)*o.Timeout + 5*time.Second
	}
	return o
}

// Dispatcher sends the outbox: it claims due pushes in batches (on
// PostgreSQL with FOR UPDATE SKIP LOCKED, so several servers share one
// outbox), delivers them from a pool of workers, and settles the outcomes
// of many pushes in one transaction.
//
// On SQLite one process owns the database, so a claim is not written: the
// due pushes are read and their ids kept in memory (inflight) until they
// settle, and each attempt rewrites its row once, when it settles, rather
// than twice. A crash forgets the claims, which is what requeue does on
// PostgreSQL; the attempt the crash interrupted is then not counted (the
// row's attempts says how many attempts settled).
type Dispatcher struct {
	db   *store.DB
	sink Sink
	opts Options
	wake chan struct{}

	client *http.Client // URL verification
	sender *sender      // pushes
	now    func() time.Time

	// targets keeps each account's prepared server (envelope, TLS
	// sessions) while its settings stay the same.
	targetsMu sync.Mutex
	targets   map[string]*target

	// inflight holds the ids of the pushes claimed and not yet settled
	// (SQLite only; used by the round loop alone).
	inflight map[int64]struct{}
}

// NewDispatcher returns a dispatcher; Run starts it.
func NewDispatcher(db *store.DB, sink Sink, opts Options) *Dispatcher {
	opts = opts.withDefaults()
	return &Dispatcher{db: db, sink: sink, opts: opts, wake: make(chan struct{}, 1),
		client: newClient(opts), sender: newSender(opts), now: time.Now, targets: map[string]*target{},
		inflight: map[int64]struct{}{}}
}

// Options returns the settings in force (defaults filled in).
func (d *Dispatcher) Options() Options { return d.opts }

// Wake makes the dispatcher look at the outbox now (after a commit that
// enqueued pushes).
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// task is a claimed push with its account's server.
type task struct {
	job     Job
	payload string
	lease   int64   // the claim's lease deadline (unix ms; PostgreSQL)
	target  *target // nil: no server configured any more
	// cfgErr: the server's settings could not be read; unusable: they
	// were read but cannot be used.
	cfgErr   error
	unusable string
}

// Outcomes of one attempt.
const (
	outcomeDone    = iota // delivered (with or without a reply)
	outcomeRetry          // try again later
	outcomeFailed         // final: out of attempts, or an invalid answer
	outcomeAborted        // the dispatcher stopped mid-attempt: not counted
)

type outcome struct {
	task   *task
	kind   int
	reply  *Reply
	reason string
}

// claimFactor is how many pushes per worker are claimed at most.
const claimFactor = 4

// maxSettle is how many outcomes one round settles at most.
const maxSettle = 1000

// Run delivers pushes until ctx ends, after requeueing what a crashed
// process left in delivery (see requeue).
//
// Workers deliver; this loop works in rounds, each one transaction that
// settles every outcome that came in since the last round and claims due
// pushes for the room that frees. Pushes in flight at shutdown are put
// back without counting the attempt.
func (d *Dispatcher) Run(ctx context.Context) {
	d.requeue(ctx)
	clear(d.inflight)
	// Four times the workers are claimed, so workers find the next push
	// waiting while a round runs and rounds are large.
	capacity := claimFactor * d.opts.Workers
	tasks := make(chan *task, capacity)
	results := make(chan *outcome, capacity)
	var workers sync.WaitGroup
	states := make([]*worker, d.opts.Workers)
	for i := range states {
		w := &worker{}
		states[i] = w
		workers.Add(1)
		go func() {
			defer workers.Done()
			for t := range tasks {
				results <- d.attempt(ctx, w, t)
			}
		}()
	}
	defer func() { close(tasks); workers.Wait(); d.sender.closeIdle(0) }()
	interrupted := false

	poll := time.NewTicker(d.opts.PollInterval)
	defer poll.Stop()
	inflight := 0
	mayBeDue := true // whether a claim might find something
	var outcomes []*outcome
	// A round's cost is mostly per transaction, so under load a round
	// waits for as many outcomes as there are workers; it runs at once
	// when workers could run dry (also whenever the load is light).
	batch := d.opts.Workers
	force := false // the linger time is up
	for {
		outcomes = collect(outcomes, results)
		select {
		case <-d.wake:
			mayBeDue = true
		case <-poll.C:
			d.tick(ctx)
			mayBeDue = true
		default:
		}
		stopping := ctx.Err() != nil
		if stopping && !interrupted {
			// Attempts in flight end now (they are put back uncounted).
			interrupted = true
			for _, w := range states {
				w.interrupt()
			}
		}
		outstanding := inflight - len(outcomes) // claimed, not back yet
		claim := 0
		if !stopping && mayBeDue && outstanding < capacity {
			claim = capacity - outstanding
		}
		if (len(outcomes) > 0 || claim > 0) && (force || outstanding < d.opts.Workers || len(outcomes) >= batch || stopping) {
			force = false
			claimed, err := d.round(outcomes, claim)
			inflight += len(claimed) - len(outcomes)
			outcomes = outcomes[:0]
			if claim > 0 {
				// Less than asked for: nothing more is due now.
				mayBeDue = err == nil && len(claimed) == claim
			}
			for _, t := range claimed {
				tasks <- t
			}
			continue
		}
		if stopping {
			if inflight == 0 {
				return
			}
			outcomes = append(outcomes, <-results)
			continue
		}
		var linger <-chan time.Time
		if len(outcomes) > 0 {
			// Bounds how long a settled outcome waits for company.
			linger = time.After(2 * time.Millisecond)
		}
		select {
		case o := <-results:
			outcomes = append(outcomes, o)
		case <-d.wake:
			mayBeDue = true
		case <-poll.C:
			d.tick(ctx)
			mayBeDue = true
		case <-linger:
			force = true
		case <-ctx.Done():
		}
	}
}

// requeue puts pushes whose claim is gone back to pending: on SQLite every
// push in delivery when Run starts (claims are no longer written there, but
// an older version's may be left); on PostgreSQL those whose lease ran out —
// their server died, and several servers share the outbox. The lost attempt
// counts.
func (d *Dispatcher) requeue(ctx context.Context) {
	var err error
	if d.db.Dialect == store.SQLite {
		_, err = d.db.Exec(ctx, "UPDATE oa_callbacks SET state = 'pending', lease_until = 0 WHERE state = 'delivering'")
	} else {
		_, err = d.db.Exec(ctx, `UPDATE oa_callbacks SET state = 'pending', lease_until = 0
			WHERE id IN (SELECT id FROM oa_callbacks WHERE state = 'delivering' AND lease_until < ? LIMIT 1000 FOR UPDATE SKIP LOCKED)`,
			d.now().UnixMilli())
	}
	if err != nil && ctx.Err() == nil {
		slog.Warn("callbacks: requeue pushes left in delivery", "err", err)
	}
}

// tick is the periodic look at the outbox: on PostgreSQL, take over what
// dead servers left.
func (d *Dispatcher) tick(ctx context.Context) {
	d.sender.closeIdle(idleTimeout)
	if d.db.Dialect == store.Postgres {
		d.requeue(ctx)
	}
}

// collect adds the outcomes waiting in results to outcomes, up to maxSettle.
func collect(outcomes []*outcome, results <-chan *outcome) []*outcome {
	for len(outcomes) < maxSettle {
		select {
		case o := <-results:
			outcomes = append(outcomes, o)
		default:
			return outcomes
		}
	}
	return outcomes
}

// round settles outcomes and claims up to claim due pushes in one
// transaction, then tells the Sink what settled. If the transaction fails,
// each outcome is settled on its own, so one bad push cannot hold back the
// others, and nothing is claimed.
func (d *Dispatcher) round(outcomes []*outcome, claim int) ([]*task, error) {
	// A round finishes even while the dispatcher stops: it records what
	// already happened.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var final []Job
	var claimed []*task
	// Settled in the transaction before its claim reads, so a push whose
	// attempt failed is taken again when due.
	d.release(outcomes)
	// A group transaction (on SQLite: run by the committer, which keeps
	// the statements prepared; the Sink writes only in tx) rather than
	// InTx, whose statements are parsed again every round.
	err := d.db.GroupTx(ctx, func(tx *store.Tx) error {
		var err error
		if final, err = d.settleTx(ctx, tx, outcomes); err != nil {
			return err
		}
		if claim > 0 {
			claimed, err = d.claimTx(ctx, tx, claim)
		}
		return err
	})
	if err == nil {
		d.hold(claimed)
	} else {
		d.hold(tasksOf(outcomes)) // still claimed; released one by one below
		slog.Warn("callbacks: settle and claim", "settling", len(outcomes), "claiming", claim, "err", err)
		claimed, final = nil, nil
		for _, o := range outcomes {
			var one []Job
			err := d.db.GroupTx(ctx, func(tx *store.Tx) error {
				var err error
				one, err = d.settleTx(ctx, tx, []*outcome{o})
				return err
			})
			if err != nil {
				slog.Error("callbacks: settle push", "id", o.task.job.ID, "appid", o.task.job.AppID, "err", err)
				if !d.markFailed(ctx, o, "settling failed: "+err.Error()) {
					// Left as it is (SQLite: still claimed) until the
					// next start.
					continue
				}
			}
			d.release([]*outcome{o})
			final = append(final, one...)
		}
	}
	if len(final) > 0 {
		d.sink.Settled(final)
	}
	d.loadConfigs(ctx, claimed)
	return claimed, err
}

// claimTx claims up to limit due pushes for this dispatcher: on PostgreSQL
// it marks them as delivering under a lease; on SQLite it reads them,
// leaving out the pushes in flight, and the caller holds them once tx
// committed (see hold). The states are SQL literals so the partial indexes
// apply.
func (d *Dispatcher) claimTx(ctx context.Context, tx *store.Tx, limit int) ([]*task, error) {
	now := d.now().UnixMilli()
	var lease int64
	var rows *sql.Rows
	var err error
	if d.db.Dialect == store.SQLite {
		// Leaving the pushes in flight out is cheap: at most claimFactor
		// × Workers ids, checked against the pending index's row ids. A
		// cursor (next_at, id) instead could miss a push committed late
		// with an earlier next_at.
		skip := d.inflightList()
		rows, err = tx.Query(ctx, `SELECT id, appid, user_id, dedup_key, payload, message_id, attempts + 1 FROM oa_callbacks
			WHERE state = 'pending' AND next_at <= ? AND id NOT IN (SELECT value FROM json_each(?)) ORDER BY next_at LIMIT ?`,
			now, skip, limit)
	} else {
		lease = now + d.opts.Lease.Milliseconds()
		rows, err = tx.Query(ctx, `UPDATE oa_callbacks SET state = 'delivering', attempts = attempts + 1, lease_until = ?
			WHERE id IN (SELECT id FROM oa_callbacks WHERE state = 'pending' AND next_at <= ? ORDER BY next_at LIMIT ? FOR UPDATE SKIP LOCKED)
			RETURNING id, appid, user_id, dedup_key, payload, message_id, attempts`, lease, now, limit)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*task
	for rows.Next() {
		t := &task{lease: lease}
		j := &t.job
		if err := rows.Scan(&j.ID, &j.AppID, &j.UserID, &j.DedupKey, &t.payload, &j.MessageID, &j.Attempts); err != nil {
			return nil, err
		}
		h := headOf(t.payload)
		j.MsgType, j.Event, j.OpenID, j.ToUserName = h.MsgType, h.Event, h.FromUserName, h.ToUserName
		out = append(out, t)
	}
	return out, rows.Err()
}

// inflightList is the JSON array of the ids in flight.
func (d *Dispatcher) inflightList() string {
	b := make([]byte, 0, 2+12*len(d.inflight))
	b = append(b, '[')
	for id := range d.inflight {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// hold records claimed pushes as in flight once their claim committed
// (SQLite).
func (d *Dispatcher) hold(claimed []*task) {
	if d.db.Dialect != store.SQLite {
		return
	}
	for _, t := range claimed {
		d.inflight[t.job.ID] = struct{}{}
	}
}

func tasksOf(outcomes []*outcome) []*task {
	out := make([]*task, len(outcomes))
	for i, o := range outcomes {
		out[i] = o.task
	}
	return out
}

// release forgets settled pushes (SQLite): the next claim may take them
// again when they are due.
func (d *Dispatcher) release(settled []*outcome) {
	for _, o := range settled {
		delete(d.inflight, o.task.job.ID)
	}
}

// loadConfigs gives claimed pushes their accounts' servers.
func (d *Dispatcher) loadConfigs(ctx context.Context, tasks []*task) {
	type loaded struct {
		t        *target
		err      error
		unusable string
	}
	targets := map[string]loaded{}
	for _, t := range tasks {
		l, ok := targets[t.job.AppID]
		if !ok {
			c, err := LoadConfig(ctx, d.db, t.job.AppID)
			switch {
			case err == nil:
				if l.t, err = d.target(c); err != nil {
					l.unusable = err.Error()
				}
			case !errors.Is(err, ErrNoServer):
				l.err = err
			}
			targets[t.job.AppID] = l
		}
		t.target, t.cfgErr, t.unusable = l.t, l.err, l.unusable
	}
}

// target returns c's prepared server, the one prepared before while c is
// unchanged.
func (d *Dispatcher) target(c *Config) (*target, error) {
	d.targetsMu.Lock()
	defer d.targetsMu.Unlock()
	if t := d.targets[c.AppID]; t != nil && *t.cfg == *c {
		return t, nil
	}
	t, err := newTarget(c)
	if err != nil {
		delete(d.targets, c.AppID)
		return nil, err
	}
	d.targets[c.AppID] = t
	return t, nil
}

const userAgent = "superapp-callback/1 (WeChat-compatible push)"

// maxAnswer bounds how much of a developer server's answer is read; a
// longer answer is not a valid reply.
const maxAnswer = 1 << 20

// attempt POSTs one push once.
func (d *Dispatcher) attempt(ctx context.Context, w *worker, t *task) *outcome {
	o := &outcome{task: t}
	if t.cfgErr != nil {
		// Put back without counting: a database hiccup is not the
		// developer server's failure.
		slog.Warn("callbacks: read the developer server's settings", "appid", t.job.AppID, "err", t.cfgErr)
		o.kind = outcomeAborted
		return o
	}
	if t.unusable != "" {
		o.kind, o.reason = outcomeFailed, t.unusable
		return o
	}
	if t.target == nil {
		o.kind, o.reason = outcomeFailed, ErrNoServer.Error()
		return o
	}
	openid := ""
	if t.job.UserID != "" {
		openid = t.job.OpenID
	}
	req := t.target.buildRequest(t.payload, t.job.ToUserName, openid, d.now())
	status, body, err := d.sender.post(ctx, w, t.target, req)
	switch {
	case err != nil && ctx.Err() != nil:
		o.kind = outcomeAborted
		return o
	case err != nil:
		o.kind, o.reason = outcomeRetry, describeError(err, d.opts.Timeout)
	case status < 200 || status > 299:
		o.kind, o.reason = outcomeRetry, "HTTP "+strconv.Itoa(status)
	case len(body) > maxAnswer:
		o.kind, o.reason = outcomeFailed, fmt.Sprintf("the answer is longer than %d bytes", maxAnswer)
		return o
	default:
		reply, err := parseReply(t.target.cfg, body)
		if err != nil {
			// A 2xx that is not a reply: WeChat shows the user an error
			// and does not retry.
			o.kind, o.reason = outcomeFailed, err.Error()
			return o
		}
		o.kind, o.reply = outcomeDone, reply
		return o
	}
	if t.job.Attempts >= d.opts.Attempts {
		o.kind, o.reason = outcomeFailed, fmt.Sprintf("%s (after %d attempts)", o.reason, t.job.Attempts)
	}
	return o
}

// describeError says why a request failed without the URL (whose query
// carries signatures) or anything the server sent.
func describeError(err error, timeout time.Duration) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "no answer within " + timeout.String()
	case errors.Is(err, netguard.ErrRefusedAddress):
		return "the host resolved to a refused address (" + strings.TrimPrefix(err.Error(), "dial tcp ") + ")"
	}
	return err.Error()
}

// markFailed ends a push whose outcome could not be recorded with the
// Sink's writes, and reports whether that worked.
func (d *Dispatcher) markFailed(ctx context.Context, o *outcome, reason string) bool {
	j := o.task.job
	counted, held, args := d.settling(o.task.lease)
	if _, err := d.db.Exec(ctx, "UPDATE oa_callbacks SET "+counted+"state = ?, last_error = ?, finished_at = ? WHERE id = ? AND "+held,
		append([]any{StateFailed, truncate(reason, 500), d.now().Unix(), j.ID}, args...)...); err != nil {
		slog.Error("callbacks: mark push failed", "id", j.ID, "err", err)
		return false
	}
	return true
}

// settling returns what settling a push of the claim with lease deadline
// lease writes besides its outcome (counted: SQL assignments ending in a
// comma), and the condition (with its arguments) that the claim still
// holds the push. On PostgreSQL that is its state and lease deadline:
// another server may have taken the push over after the lease ran out. On
// SQLite the claim is in memory, so the push is still pending, and the
// attempt is counted now.
func (d *Dispatcher) settling(lease int64) (counted, held string, args []any) {
	if d.db.Dialect == store.SQLite {
		// "+state" keeps SQLite on rowid lookups rather than the pending
		// index.
		return "attempts = attempts + 1, ", "+state = 'pending'", nil
	}
	return "lease_until = 0, ", "state = 'delivering' AND lease_until = ?", []any{lease}
}

// settleTx writes outcomes in tx and returns the jobs that reached a final
// state. A push is only settled by the claim that holds it (see settling).
func (d *Dispatcher) settleTx(ctx context.Context, tx *store.Tx, batch []*outcome) ([]Job, error) {
	now := d.now()
	var done []*outcome
	var final []Job
	for _, o := range batch {
		j := o.task.job
		counted, held, heldArgs := d.settling(o.task.lease)
		var res interface{ RowsAffected() (int64, error) }
		var err error
		switch o.kind {
		case outcomeDone:
			done = append(done, o)
			continue
		case outcomeRetry:
			res, err = tx.Exec(ctx, "UPDATE oa_callbacks SET "+counted+"state = ?, next_at = ?, last_error = ? WHERE id = ? AND "+held,
				append([]any{StatePending, now.Add(d.opts.RetryDelay).UnixMilli(), truncate(o.reason, 500), j.ID}, heldArgs...)...)
		case outcomeAborted:
			if d.db.Dialect == store.SQLite {
				continue // nothing was written for the attempt
			}
			res, err = tx.Exec(ctx, "UPDATE oa_callbacks SET state = ?, attempts = attempts - 1, lease_until = 0 WHERE id = ? AND "+held,
				append([]any{StatePending, j.ID}, heldArgs...)...)
		case outcomeFailed:
			res, err = tx.Exec(ctx, "UPDATE oa_callbacks SET "+counted+"state = ?, last_error = ?, finished_at = ? WHERE id = ? AND "+held,
				append([]any{StateFailed, truncate(o.reason, 500), now.Unix(), j.ID}, heldArgs...)...)
		}
		if err != nil {
			return nil, err
		}
		if o.kind != outcomeFailed {
			continue
		}
		if n, _ := res.RowsAffected(); n == 1 {
			slog.Info("callbacks: push failed", "id", j.ID, "appid", j.AppID, "dedup_key", j.DedupKey, "reason", o.reason)
			j.State, j.Reason = StateFailed, o.reason
			if err := d.sink.Failed(ctx, tx, j, o.reason); err != nil {
				return nil, err
			}
			final = append(final, j)
		}
	}
	// One statement per claim marks its delivered pushes done; RETURNING
	// says which rows the claim still held. The claim is told by its lease
	// deadline: a takeover happens only after that deadline passed, so it
	// always sets a later one.
	byLease := map[int64][]*outcome{}
	var leases []int64
	for _, o := range done {
		if byLease[o.task.lease] == nil {
			leases = append(leases, o.task.lease)
		}
		byLease[o.task.lease] = append(byLease[o.task.lease], o)
	}
	for _, lease := range leases {
		group := byLease[lease]
		ids := make([]byte, 0, 12*len(group))
		for i, o := range group {
			if i > 0 {
				ids = append(ids, ',')
			}
			ids = strconv.AppendInt(ids, o.task.job.ID, 10)
		}
		counted, stillHeld, heldArgs := d.settling(lease)
		in, list := "id IN (SELECT value FROM json_each(?))", "["+string(ids)+"]"
		if d.db.Dialect == store.Postgres {
			in, list = "id = ANY(CAST(? AS BIGINT[]))", "{"+string(ids)+"}"
		}
		rows, err := tx.Query(ctx, "UPDATE oa_callbacks SET "+counted+"state = ?, last_error = '', finished_at = ? WHERE "+in+" AND "+stillHeld+" RETURNING id",
			append([]any{StateDone, now.Unix(), list}, heldArgs...)...)
		if err != nil {
			return nil, err
		}
		held := make(map[int64]bool, len(group))
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			held[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for _, o := range group {
			j := o.task.job
			if !held[j.ID] {
				continue
			}
			j.State, j.Reply = StateDone, o.reply
			if err := d.sink.Replied(ctx, tx, j, o.reply); err != nil {
				return nil, err
			}
			final = append(final, j)
		}
	}
	return final, nil
}

// settledRetention is how long finished pushes stay in the outbox (for
// Outcome and for operators looking at what happened).
const settledRetention = 7 * 24 * time.Hour

// Sweep deletes pushes that were delivered or failed more than 7 days ago,
// for the platform's hourly sweep to call.
func (d *Dispatcher) Sweep(ctx context.Context) error {
	_, err := d.db.Exec(ctx, "DELETE FROM oa_callbacks WHERE state IN (?, ?) AND finished_at < ?",
		StateDone, StateFailed, d.now().Add(-settledRetention).Unix())
	return err
}
