package officialaccount_test

import (
	"context"
	"testing"

	"superapp/internal/callback"
	"superapp/internal/live"
	"superapp/internal/officialaccount"
	"superapp/internal/store"
)

// settle runs the Sink's writes for one job in a transaction, as the
// dispatcher does.
func settleSink(t *testing.T, w *world, fn func(ctx context.Context, tx *store.Tx) error) {
	t.Helper()
	if err := w.p.DB.InTx(context.Background(), func(tx *store.Tx) error { return fn(context.Background(), tx) }); err != nil {
		t.Fatal(err)
	}
}

func (w *world) sinkConversation(t *testing.T) []*officialaccount.Message {
	t.Helper()
	msgs, err := w.p.OA.Conversation(context.Background(), w.user.ID, w.oa.AppID, 0, 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func TestRepliesBecomeMessages(t *testing.T) {
	w := newWorld(t)
	oa := w.p.OA
	job := callback.Job{AppID: w.oa.AppID, UserID: w.user.ID, MsgType: "text", MessageID: 1}
	replies := []*callback.Reply{
		{MsgType: "text", Content: "你好"},
		{MsgType: "image", MediaID: "M_IMG"},
		{MsgType: "voice", MediaID: "M_VOICE"},
		{MsgType: "video", MediaID: "M_VIDEO", Title: "Clip", Description: "Short"},
		{MsgType: "music", Title: "Song", Description: "D", MusicURL: "https://m.example/a.mp3", HQMusicURL: "https://m.example/hq.mp3", ThumbMediaID: "M_THUMB"},
		{MsgType: "news", Articles: []callback.Article{{Title: "T", Description: "D", PicURL: "https://p.example/1.jpg", URL: "https://n.example/1"}}},
		{MsgType: "transfer_customer_service"}, // hands over; shows nothing
		nil,                                    // "success"
	}
	for _, r := range replies {
		settleSink(t, w, func(ctx context.Context, tx *store.Tx) error { return oa.Replied(ctx, tx, job, r) })
	}
	// A platform event has no user to answer.
	settleSink(t, w, func(ctx context.Context, tx *store.Tx) error {
		return oa.Replied(ctx, tx, callback.Job{AppID: w.oa.AppID, MsgType: "event"}, &callback.Reply{MsgType: "text", Content: "nobody"})
	})

	msgs := w.sinkConversation(t)
	if len(msgs) != 6 {
		t.Fatalf("%d messages, want 6", len(msgs))
	}
	for i, m := range msgs {
		if m.Direction != officialaccount.Out || m.Source != officialaccount.SourceReply || m.AppID != w.oa.AppID || m.Kind != replies[i].MsgType {
			t.Fatalf("message %d: %+v", i, m)
		}
	}
	b := func(i int) officialaccount.Body { return msgs[i].Body }
	if b(0).Text != "你好" ||
		b(1).MediaID != "M_IMG" || b(1).URL != "/shell/media/M_IMG" ||
		b(2).MediaID != "M_VOICE" || b(2).URL != "/shell/media/M_VOICE" ||
		b(3).MediaID != "M_VIDEO" || b(3).URL != "/shell/media/M_VIDEO" || b(3).Title != "Clip" || b(3).Description != "Short" ||
		b(4).Title != "Song" || b(4).MusicURL != "https://m.example/a.mp3" || b(4).HQMusicURL != "https://m.example/hq.mp3" || b(4).ThumbURL != "/shell/media/M_THUMB" ||
		len(b(5).Articles) != 1 || b(5).Articles[0] != (officialaccount.Article{Title: "T", Description: "D", PicURL: "https://p.example/1.jpg", URL: "https://n.example/1"}) {
		t.Fatalf("bodies: %+v", msgs)
	}
}

// WeChat tells a user the account cannot serve when they were waiting for
// an answer: their own message, a menu tap, a scan or follow — not an
// unfollow, a location report, or an event no user caused.
func TestFailureNoticeOnlyWhereTheUserWaits(t *testing.T) {
	w := newWorld(t)
	oa := w.p.OA
	events, cancel := w.p.Live.Subscribe(w.user.ID)
	defer cancel()
	user := func(msgType, event string, messageID int64) callback.Job {
		return callback.Job{AppID: w.oa.AppID, UserID: w.user.ID, MsgType: msgType, Event: event, MessageID: messageID, State: callback.StateFailed}
	}
	for _, tc := range []struct {
		job    callback.Job
		notice bool
	}{
		{user("text", "", 7), true},
		{user("image", "", 8), true},
		{user("event", "CLICK", 0), true},
		{user("event", "scancode_waitmsg", 0), true},
		{user("event", "SCAN", 0), true},
		{user("event", "subscribe", 0), true},
		{user("event", "pic_weixin", 0), true},
		{user("event", "unsubscribe", 0), false},
		{user("event", "LOCATION", 0), false},
		{user("event", "VIEW", 0), false},
		{callback.Job{AppID: w.oa.AppID, MsgType: "event", Event: "MASSSENDJOBFINISH", State: callback.StateFailed}, false},
	} {
		before := len(w.sinkConversation(t))
		settleSink(t, w, func(ctx context.Context, tx *store.Tx) error {
			return oa.Failed(ctx, tx, tc.job, "no answer within 5s")
		})
		oa.Settled([]callback.Job{tc.job})
		msgs := w.sinkConversation(t)
		got := len(msgs) - before
		if tc.notice {
			last := msgs[len(msgs)-1]
			if got != 1 || last.Direction != officialaccount.Notice || last.Kind != "notice" || last.Body.Text != "该公众号暂时无法提供服务，请稍后再试" {
				t.Fatalf("%s %s: %d new messages, last %+v", tc.job.MsgType, tc.job.Event, got, last)
			}
		} else if got != 0 {
			t.Fatalf("%s %s: a notice was shown", tc.job.MsgType, tc.job.Event)
		}
		// The page hears about it exactly when a notice appeared.
		select {
		case e := <-events:
			if !tc.notice || e != (live.Event{Type: "message", AppID: w.oa.AppID}) {
				t.Fatalf("%s %s: live event %+v", tc.job.MsgType, tc.job.Event, e)
			}
		default:
			if tc.notice {
				t.Fatalf("%s %s: no live event", tc.job.MsgType, tc.job.Event)
			}
		}
	}
}

func TestSettledPublishesOncePerConversation(t *testing.T) {
	w := newWorld(t)
	events, cancel := w.p.Live.Subscribe(w.user.ID)
	defer cancel()
	reply := &callback.Reply{MsgType: "text", Content: "hi"}
	done := func(r *callback.Reply) callback.Job {
		return callback.Job{AppID: w.oa.AppID, UserID: w.user.ID, MsgType: "text", MessageID: 1, State: callback.StateDone, Reply: r}
	}
	w.p.OA.Settled([]callback.Job{done(reply), done(reply), done(nil)})
	if e := <-events; e.Type != "message" || e.AppID != w.oa.AppID {
		t.Fatalf("event %+v", e)
	}
	select {
	case e := <-events:
		t.Fatalf("a second event %+v for the same conversation", e)
	default:
	}
	w.p.OA.Settled([]callback.Job{done(nil), done(&callback.Reply{MsgType: "transfer_customer_service"})})
	select {
	case e := <-events:
		t.Fatalf("an event %+v for pushes that showed nothing", e)
	default:
	}
}
