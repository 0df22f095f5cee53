// Package callback delivers pushes to developer servers the way WeChat does:
// signed (and in safe mode encrypted) XML POSTed with a 5 s timeout and 3
// attempts, from a durable outbox (the oa_callbacks table) written in the
// same transaction as whatever caused the push, so a push acknowledged to a
// user is never lost to a crash and is retried after a restart. Targets are
// checked against SSRF.
//
// What a developer server answers (a passive reply) is handed to a Sink,
// which turns it into messages the user sees.
package callback

import (
	"context"
	"time"

	"superapp/internal/store"
)

// Modes of message encryption, as WeChat's console names them.
const (
	ModePlain      = "plain"      // 明文模式
	ModeCompatible = "compatible" // 兼容模式: plain fields and <Encrypt>
	ModeSafe       = "safe"       // 安全模式: only <Encrypt>
)

// Outbox states.
const (
	StatePending    = "pending"
	StateDelivering = "delivering"
	StateDone       = "done"
	StateFailed     = "failed"
)

// Push is one callback to enqueue.
type Push struct {
	AppID string
	// UserID is the user whose action caused the push ("" for platform
	// events such as MASSSENDJOBFINISH); replies go to this user.
	UserID string
	// DedupKey is what the developer server deduplicates by: the MsgId of
	// a message, FromUserName+CreateTime of an event.
	DedupKey string
	// XML is the plain push document.
	XML string
	// MessageID is the inbound message the push carries (0 for events).
	MessageID int64
}

// Enqueue writes p to the outbox in tx. The push is sent after tx commits
// (call Dispatcher.Wake then to send it at once).
func Enqueue(ctx context.Context, tx *store.Tx, p Push) (int64, error) {
	now := time.Now()
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO oa_callbacks(appid, user_id, dedup_key, payload, message_id, state, next_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		p.AppID, p.UserID, p.DedupKey, p.XML, p.MessageID, StatePending, now.UnixMilli(), now.Unix()).Scan(&id)
	return id, err
}
