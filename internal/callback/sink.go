package callback

import (
	"context"

	"superapp/internal/store"
)

// Job is a push being delivered, as the Sink sees it.
type Job struct {
	ID        int64
	AppID     string
	UserID    string
	DedupKey  string
	MessageID int64
	Attempts  int

	// From the push's XML: MsgType and Event (events only), the user's
	// OpenID (FromUserName) and the account's original id (ToUserName).
	MsgType    string
	Event      string
	OpenID     string
	ToUserName string

	// The outcome, as Settled sees it: State is StateDone (Reply is the
	// passive reply, nil for none) or StateFailed (Reason says why).
	State  string
	Reply  *Reply
	Reason string
}

// Reply is a developer server's passive reply, decrypted and parsed
// (WeChat's reply XML, §2.4 of the reference).
type Reply struct {
	MsgType      string    // text, image, voice, video, music, news, transfer_customer_service
	Content      string    // text
	MediaID      string    // image, voice, video
	Title        string    // video, music
	Description  string    // video, music
	MusicURL     string    // music
	HQMusicURL   string    // music
	ThumbMediaID string    // music
	Articles     []Article // news
}

// Article is one item of a news reply.
type Article struct {
	Title       string
	Description string
	PicURL      string
	URL         string
}

// Sink receives the outcome of each push. The dispatcher settles several
// pushes in one transaction: Replied and Failed write in tx, and Settled is
// called after that transaction committed. On SQLite the transaction is a
// group commit (store.GroupTx), so Replied and Failed run on the committer's
// goroutine: they must write only through tx and must not block.
type Sink interface {
	// Replied is called once a push is delivered; reply is nil when the
	// server answered "success" or an empty body.
	Replied(ctx context.Context, tx *store.Tx, job Job, reply *Reply) error
	// Failed is called when every attempt failed (or the answer was not
	// a valid reply): WeChat then tells the user the account cannot
	// serve right now.
	Failed(ctx context.Context, tx *store.Tx, job Job, reason string) error
	// Settled is called with the jobs whose outcome was just committed.
	Settled(jobs []Job)
}
