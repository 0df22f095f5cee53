package upload

import (
	"context"
	"time"
)

// Storage of mp_upload_nonces: the nonces of the last NonceLifetime, in
// the database every server of a deployment shares, so that a signed request
// is accepted once whichever server it reaches (an in-memory set would let
// it be replayed once on each of the others).

// useNonce records keyID's nonce as used and reports whether it was new.
// A nonce may be used again once its row has expired (its request's
// timestamp is refused by then anyway).
func (h *Handler) useNonce(ctx context.Context, keyID, nonce string, now time.Time) (bool, error) {
	h.sweepNonces(ctx, now)
	expires := now.Add(NonceLifetime).UnixMilli()
	res, err := h.cfg.DB.Exec(ctx, "INSERT INTO mp_upload_nonces(key_id, nonce, expires_at) VALUES (?, ?, ?) ON CONFLICT (key_id, nonce) DO NOTHING",
		keyID, nonce, expires)
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return n == 1, err
	}
	res, err = h.cfg.DB.Exec(ctx, "UPDATE mp_upload_nonces SET expires_at = ? WHERE key_id = ? AND nonce = ? AND expires_at <= ?",
		expires, keyID, nonce, now.UnixMilli())
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// sweepNonces deletes expired nonces, at most once a minute per server.
func (h *Handler) sweepNonces(ctx context.Context, now time.Time) {
	h.sweepMu.Lock()
	due := now.Sub(h.lastSweep) >= time.Minute
	if due {
		h.lastSweep = now
	}
	h.sweepMu.Unlock()
	if due {
		// A failed sweep only leaves rows for the next one.
		_, _ = h.cfg.DB.Exec(ctx, "DELETE FROM mp_upload_nonces WHERE expires_at <= ?", now.UnixMilli())
	}
}
