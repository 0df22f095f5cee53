package login

import (
	"context"
	"sync"
)

// On PostgreSQL, concurrent jscode2session exchanges are sent to the
// database in batches: one statement spends every code of the batch and
// upserts their sessions, so a burst of sign-ins costs one round trip and
// one commit instead of one each. Whoever finds no batch running starts
// one; it keeps taking what queued meanwhile until the queue is empty, then
// ends, so nothing runs while the platform is idle.

const maxExchangeBatch = 256

type exchangeReq struct {
	appid, hash string
	sess        Session
	err         error
	done        chan struct{}
}

type exchangeBatcher struct {
	mu      sync.Mutex
	queue   []*exchangeReq
	running bool
}

// exchangeBatchPG spends the codes of a batch: $1 now, $2 code hashes, $3
// appids (parallel arrays; no code twice). It returns the position (1-based)
// and session of each code it spent. If two spent codes are the same user's,
// the later one's session becomes current, as if they had been exchanged in
// order.
const exchangeBatchPG = `WITH req AS (
		SELECT * FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS r(code_hash, appid, ord)
	), spent AS (
		UPDATE login_codes l SET used_at = $1 FROM req
		WHERE l.code_hash = req.code_hash AND l.appid = req.appid AND l.used_at IS NULL AND l.expires_at > $1
		RETURNING req.ord, l.appid, l.user_id, l.openid, l.session_key
	), upserted AS (
		INSERT INTO mp_sessions(appid, openid, user_id, session_key, updated_at)
		SELECT DISTINCT ON (appid, openid) appid, openid, user_id, session_key, $1 FROM spent ORDER BY appid, openid, ord DESC
		ON CONFLICT (appid, openid) DO UPDATE SET session_key = excluded.session_key, updated_at = excluded.updated_at
	)
	SELECT ord, user_id, openid, session_key FROM spent`

func (s *Service) exchangeBatched(appid, h string) (Session, error) {
	r := &exchangeReq{appid: appid, hash: h, done: make(chan struct{})}
	b := &s.batcher
	b.mu.Lock()
	b.queue = append(b.queue, r)
	start := !b.running
	b.running = true
	b.mu.Unlock()
	if start {
		go s.runExchangeBatches()
	}
	// Once queued the exchange runs; wait for it, so that a caller never
	// returns while its code may still be spent.
	<-r.done
	return r.sess, r.err
}

func (s *Service) runExchangeBatches() {
	b := &s.batcher
	for {
		b.mu.Lock()
		n := min(len(b.queue), maxExchangeBatch)
		if n == 0 {
			b.running = false
			b.mu.Unlock()
			return
		}
		batch := b.queue[:n:n]
		b.queue = b.queue[n:]
		if len(b.queue) == 0 {
			b.queue = nil
		}
		b.mu.Unlock()
		s.exchangeBatch(batch)
		for _, r := range batch {
			close(r.done)
		}
	}
}

// exchangeBatch answers every request of batch. Callers' contexts are not
// used: one caller giving up must not fail the others' statement.
func (s *Service) exchangeBatch(batch []*exchangeReq) {
	ctx := context.Background()
	now := s.now().Unix()
	hashes := make([]string, 0, len(batch))
	appids := make([]string, 0, len(batch))
	pos := make([]int, len(batch)) // request → 1-based position in the statement, 0 for a repeated code
	seen := make(map[[2]string]bool, len(batch))
	for i, r := range batch {
		k := [2]string{r.appid, r.hash}
		if seen[k] {
			continue // a repeat in the same batch: the first one spends it
		}
		seen[k] = true
		hashes = append(hashes, r.hash)
		appids = append(appids, r.appid)
		pos[i] = len(hashes)
	}
	spent := make(map[int]Session, len(hashes))
	err := func() error {
		rows, err := s.db.QueryWrite(ctx, exchangeBatchPG, now, hashes, appids)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var ord int
			var sess Session
			if err := rows.Scan(&ord, &sess.UserID, &sess.OpenID, &sess.SessionKey); err != nil {
				return err
			}
			spent[ord] = sess
		}
		return rows.Err()
	}()
	if err != nil {
		// Nothing of the batch was written (one statement). Retry each on
		// its own, so that a failure one code causes stays its own.
		for _, r := range batch {
			r.sess, r.err = s.exchangePostgres(ctx, r.appid, r.hash, now)
		}
		return
	}
	for i, r := range batch {
		if sess, ok := spent[pos[i]]; ok && pos[i] > 0 {
			r.sess = sess
			continue
		}
		r.err = whyUnspendable(s.db.QueryRowWrite(ctx, codeState, r.hash, r.appid))
	}
}
