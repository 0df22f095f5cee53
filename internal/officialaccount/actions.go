package officialaccount

import (
	"context"
	"time"

	"superapp/internal/account"
	"superapp/internal/callback"
	"superapp/internal/live"
	"superapp/internal/store"
)

// ActResult is what a user's action caused.
type ActResult struct {
	// MessageID is the user's own message (0 for events).
	MessageID int64 `json:"message_id,omitempty"`
	// CallbackID is the push to the developer server (0: none configured,
	// the account's auto-replies answered instead).
	CallbackID int64 `json:"callback_id,omitempty"`
	// After is the conversation position before the action: what the user
	// received in answer has a larger message id.
	After int64 `json:"-"`
	// delivered says messages were put in the user's conversation.
	delivered bool
}

// windowEvents open the short customer-service window (platform-rules §3.5).
var windowEvents = map[string]bool{"CLICK": true, "scancode_push": true, "scancode_waitmsg": true, "subscribe": true, "SCAN": true}

// actTx records a user's action in tx: a visible message goes into the
// conversation (in.MsgID becomes its id), events get a CreateTime distinct
// from the user's previous event (their dedup key), the customer-service
// window opens, and the push is queued for the developer server — or, with
// none configured, the account's auto-replies answer.
func (s *Service) actTx(ctx context.Context, tx *store.Tx, app *account.App, f *Follower, in *Inbound, visible *Message) (*ActResult, error) {
	now := s.now().Unix()
	res := &ActResult{}
	if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(message_id), 0) FROM oa_inbox WHERE user_id = ? AND appid = ?", f.UserID, app.AppID).Scan(&res.After); err != nil {
		return nil, err
	}
	if visible != nil {
		visible.AppID, visible.Direction, visible.Source = app.AppID, In, SourceUser
		if err := s.deliverTx(ctx, tx, f.UserID, visible); err != nil {
			return nil, err
		}
		in.ToUserName, in.FromUserName, in.CreateTime = app.OriginalID, f.OpenID, now
		in.MsgID, res.MessageID, res.delivered = visible.ID, visible.ID, true
	} else if err := s.stampEventTx(ctx, tx, app, f, in); err != nil {
		return nil, err
	}
	if err := s.openWindowTx(ctx, tx, f, in, now); err != nil {
		return nil, err
	}
	server, err := callback.Configured(ctx, tx, app.AppID)
	if err != nil {
		return nil, err
	}
	if server {
		res.CallbackID, err = callback.Enqueue(ctx, tx, callback.Push{AppID: app.AppID, UserID: f.UserID, DedupKey: in.DedupKey(), XML: in.XML(), MessageID: in.MsgID})
		return res, err
	}
	if in.Event == "unsubscribe" {
		return res, nil
	}
	replies, err := s.autoReplies(ctx, tx, app, in)
	if err != nil {
		return nil, err
	}
	for _, m := range replies {
		m.AppID, m.Direction, m.Source = app.AppID, Out, SourceAutoReply
		if err := s.deliverTx(ctx, tx, f.UserID, m); err != nil {
			return nil, err
		}
		res.delivered = true
	}
	return res, nil
}

// stampEventTx addresses an event about f's user from the user to the
// account, with a CreateTime after the user's previous event: developer
// servers deduplicate events by FromUserName+CreateTime, so two events of
// one user must never share a second.
func (s *Service) stampEventTx(ctx context.Context, tx *store.Tx, app *account.App, f *Follower, in *Inbound) error {
	in.MsgType = "event"
	in.ToUserName, in.FromUserName = app.OriginalID, f.OpenID
	in.CreateTime = max(s.now().Unix(), f.lastEventTime+1)
	if _, err := tx.Exec(ctx, "UPDATE oa_followers SET last_event_time = ? WHERE appid = ? AND user_id = ?", in.CreateTime, app.AppID, f.UserID); err != nil {
		return err
	}
	f.lastEventTime = in.CreateTime
	return nil
}

// openWindowTx opens the customer-service window the interaction grants: a
// message opens the long window; a click, follow or scan opens the short
// one unless a long one is still open.
func (s *Service) openWindowTx(ctx context.Context, tx *store.Tx, f *Follower, in *Inbound, now int64) error {
	kind := ""
	switch {
	case in.MsgType != "event":
		kind = "message"
	case windowEvents[in.Event]:
		if f.windowKind == "message" && now-f.windowOpenedAt < int64(s.policy.WindowMessageHours)*3600 {
			return nil
		}
		kind = "event"
	default:
		return nil
	}
	_, err := tx.Exec(ctx, "UPDATE oa_followers SET window_kind = ?, window_opened_at = ?, window_sent = 0 WHERE appid = ? AND user_id = ?",
		kind, now, f.AppID, f.UserID)
	return err
}

// settled runs after an action's transaction committed: the push goes out
// now and the user's pages hear about new messages.
func (s *Service) settled(userID, appid string, res *ActResult) {
	if res == nil {
		return
	}
	if res.CallbackID != 0 {
		s.dispatcher.Wake()
	}
	if res.delivered {
		s.hub.Publish(userID, live.Event{Type: "message", AppID: appid})
	}
}

// act runs one action of a following user in its own transaction.
func (s *Service) act(ctx context.Context, appid, userID string, in *Inbound, visible *Message) (*ActResult, error) {
	app, err := s.officialAccount(ctx, appid)
	if err != nil {
		return nil, err
	}
	return s.inRelationTx(ctx, app, userID, func(tx *store.Tx, f *Follower) (*ActResult, error) {
		if f == nil || !f.Subscribed {
			return nil, ErrNotFollowing
		}
		if f.Blacklisted && visible != nil {
			return nil, ErrBlacklisted
		}
		return s.actTx(ctx, tx, app, f, in, visible)
	})
}

// UserMessage is what a user sends an account.
type UserMessage struct {
	Kind        string    `json:"kind"` // text (default), image, voice, video, location, link
	Text        string    `json:"text,omitempty"`
	MenuID      string    `json:"bizmsgmenuid,omitempty"` // a msgmenu choice
	URL         string    `json:"url,omitempty"`          // image/voice/video address, link target
	MediaID     string    `json:"media_id,omitempty"`
	Title       string    `json:"title,omitempty"`
	Description string    `json:"description,omitempty"`
	Location    *Location `json:"location,omitempty"`
}

// Send delivers a user's message to the account: into the conversation,
// then to the developer server or the auto-replies.
func (s *Service) Send(ctx context.Context, appid, userID string, um UserMessage) (*ActResult, error) {
	in, visible, err := um.inbound()
	if err != nil {
		return nil, err
	}
	return s.act(ctx, appid, userID, in, visible)
}

// Event raises an event of a following user (menu taps, scans, location
// reports). in's MsgType is set to "event"; Event and its fields are the
// caller's.
func (s *Service) Event(ctx context.Context, appid, userID string, in Inbound) (*ActResult, error) {
	in.MsgType = "event"
	return s.act(ctx, appid, userID, &in, nil)
}

// Outcome waits until the developer server has answered the action (or
// every attempt failed, or ctx ends) and returns what the user received in
// answer.
func (s *Service) Outcome(ctx context.Context, userID, appid string, res *ActResult) ([]*Message, error) {
	if res.CallbackID != 0 {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			var state string
			if err := s.db.QueryRow(ctx, "SELECT state FROM oa_callbacks WHERE id = ?", res.CallbackID).Scan(&state); err != nil {
				return nil, err
			}
			if state == callback.StateDone || state == callback.StateFailed {
				break
			}
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-tick.C:
			}
		}
	}
	msgs, err := s.Conversation(ctx, userID, appid, 0, res.After, 200)
	if err != nil {
		return nil, err
	}
	out := []*Message{}
	for _, m := range msgs {
		if m.Direction != In {
			out = append(out, m)
		}
	}
	return out, nil
}
