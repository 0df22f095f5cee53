package officialaccount

import (
	"context"
	"strings"

	"superapp/internal/callback"
	"superapp/internal/live"
	"superapp/internal/store"
)

// unavailableNotice is what WeChat shows a user when the account's server
// did not answer in time or answered something invalid.
const unavailableNotice = "该公众号暂时无法提供服务，请稍后再试"

// mediaPath is where the shell serves an account's temporary media.
func mediaPath(mediaID string) string {
	if mediaID == "" {
		return ""
	}
	return "/shell/media/" + mediaID
}

// replyMessage turns a passive reply into the message the user sees; nil
// for replies that show nothing (transfer_customer_service hands the user
// to customer service).
func replyMessage(r *callback.Reply) *Message {
	m := &Message{Kind: r.MsgType}
	switch r.MsgType {
	case "text":
		m.Body.Text = r.Content
	case "image", "voice":
		m.Body.MediaID, m.Body.URL = r.MediaID, mediaPath(r.MediaID)
	case "video":
		m.Body.MediaID, m.Body.URL = r.MediaID, mediaPath(r.MediaID)
		m.Body.Title, m.Body.Description = r.Title, r.Description
	case "music":
		m.Body.Title, m.Body.Description = r.Title, r.Description
		m.Body.MusicURL, m.Body.HQMusicURL = r.MusicURL, r.HQMusicURL
		m.Body.MediaID, m.Body.ThumbURL = r.ThumbMediaID, mediaPath(r.ThumbMediaID)
	case "news":
		for _, a := range r.Articles {
			m.Body.Articles = append(m.Body.Articles, Article{Title: a.Title, Description: a.Description, PicURL: a.PicURL, URL: a.URL})
		}
	default:
		return nil
	}
	return m
}

// Replied puts a developer server's passive reply into the user's
// conversation.
func (s *Service) Replied(ctx context.Context, tx *store.Tx, job callback.Job, reply *callback.Reply) error {
	if reply == nil || job.UserID == "" {
		return nil
	}
	m := replyMessage(reply)
	if m == nil {
		return nil
	}
	m.AppID, m.Direction, m.Source = job.AppID, Out, SourceReply
	return s.deliverTx(ctx, tx, job.UserID, m)
}

// awaitsAnswer reports whether the user waits for an answer to a push, so
// WeChat tells them when none comes: their own messages, menu taps that
// expect one, scans and follows. Unfollows, location reports, link menus
// and platform events have nobody waiting.
func awaitsAnswer(job callback.Job) bool {
	if job.UserID == "" {
		return false
	}
	if job.MsgType != "event" {
		return job.MessageID != 0
	}
	switch job.Event {
	case "subscribe", "SCAN", "CLICK", "scancode_push", "scancode_waitmsg", "location_select":
		return true
	}
	return strings.HasPrefix(job.Event, "pic_")
}

// Failed tells the user the account cannot serve right now, as WeChat does.
func (s *Service) Failed(ctx context.Context, tx *store.Tx, job callback.Job, reason string) error {
	if !awaitsAnswer(job) {
		return nil
	}
	return s.deliverTx(ctx, tx, job.UserID, &Message{AppID: job.AppID, Direction: Notice, Kind: "notice", Source: SourcePlatform,
		Body: Body{Text: unavailableNotice}})
}

// Settled publishes live events for settled pushes whose outcome the user
// can see.
func (s *Service) Settled(jobs []callback.Job) {
	type conv struct{ user, appid string }
	seen := map[conv]bool{}
	for _, j := range jobs {
		shown := false
		switch j.State {
		case callback.StateDone:
			shown = j.Reply != nil && replyMessage(j.Reply) != nil
		case callback.StateFailed:
			shown = awaitsAnswer(j)
		}
		c := conv{j.UserID, j.AppID}
		if !shown || j.UserID == "" || seen[c] {
			continue
		}
		seen[c] = true
		s.hub.Publish(j.UserID, live.Event{Type: "message", AppID: j.AppID})
	}
}
