package officialaccount_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"superapp/internal/account"
	"superapp/internal/identity"
	"superapp/internal/officialaccount"
	"superapp/internal/platform"
	"superapp/internal/store"
	"superapp/internal/store/storetest"
)

// pmPlatform opens a platform on cfg whose background work (callbacks,
// mass fan-out) runs until the test ends.
func pmPlatform(t *testing.T, cfg store.Config, edit func(*officialaccount.Policy)) *platform.Platform {
	t.Helper()
	opts := platform.DefaultOptions("")
	opts.Store = cfg
	if edit != nil {
		edit(&opts.OAPolicy)
	}
	p, err := platform.Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.OA.Run(ctx); close(done) }()
	t.Cleanup(func() { stop(); <-done; p.Close() })
	return p
}

// pmAudience creates n users following appid; every fifth unfollows again
// and every seventh is blacklisted. It returns the users who can be reached.
func pmAudience(t *testing.T, p *platform.Platform, appid string, n int) (reachable, all []string) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		u, err := p.Identity.CreateUser(ctx, identity.NewUser{Name: fmt.Sprintf("fan%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, u.ID)
		if _, err := p.OA.Follow(ctx, appid, u.ID, officialaccount.SceneSearch, nil); err != nil {
			t.Fatal(err)
		}
		switch {
		case i%5 == 4:
			if _, err := p.OA.Unfollow(ctx, appid, u.ID); err != nil {
				t.Fatal(err)
			}
		case i%7 == 6:
			if err := p.OA.SetBlacklisted(ctx, appid, []string{p.Identity.OpenID(appid, u.ID)}, true); err != nil {
				t.Fatal(err)
			}
		default:
			reachable = append(reachable, u.ID)
		}
	}
	return reachable, all
}

func pmAwaitJob(t *testing.T, p *platform.Platform, appid string, msgID int64) *officialaccount.MassJob {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		j, err := p.OA.MassJob(context.Background(), appid, msgID)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status != officialaccount.MassSending {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d still sending: %+v", msgID, j)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// pmCopies counts, per user, the copies of message messageID.
func pmCopies(t *testing.T, db *store.DB, messageID int64) map[string]int {
	t.Helper()
	rows, err := db.Query(context.Background(), "SELECT user_id FROM oa_inbox WHERE message_id = ?", messageID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			t.Fatal(err)
		}
		out[u]++
	}
	return out
}

func pmCheckCopies(t *testing.T, got map[string]int, reachable []string) {
	t.Helper()
	if len(got) != len(reachable) {
		t.Fatalf("%d users got copies, want %d", len(got), len(reachable))
	}
	for _, u := range reachable {
		if got[u] != 1 {
			t.Fatalf("user %s has %d copies", u, got[u])
		}
	}
}

// Whatever the chunk size — one follower, a divisor of the audience, the
// audience exactly, more — every reachable follower gets exactly one copy
// and the counts are exact.
func TestMassFanOutChunks(t *testing.T) {
	for _, chunk := range []int{1, 4, 23, 50} {
		t.Run(fmt.Sprint("chunk ", chunk), func(t *testing.T) {
			p := pmPlatform(t, storetest.Config(t), func(pol *officialaccount.Policy) { pol.MassChunk = chunk })
			ctx := context.Background()
			app, _, err := p.Accounts.CreateApp(ctx, account.ServiceAccount, "News", "")
			if err != nil {
				t.Fatal(err)
			}
			reachable, all := pmAudience(t, p, app.AppID, 23)
			job, err := p.OA.SubmitMass(ctx, app.AppID, officialaccount.MassSend{ToAll: true, Message: officialaccount.Outgoing{Kind: "text", Text: "hello all"}})
			if err != nil {
				t.Fatal(err)
			}
			j := pmAwaitJob(t, p, app.AppID, job.MsgID)
			n := int64(len(reachable))
			if j.Status != officialaccount.MassSuccess || j.TotalCount != n || j.FilterCount != n || j.SentCount != n || j.ErrorCount != 0 {
				t.Fatalf("job %+v, want %d everywhere", j, n)
			}
			pmCheckCopies(t, pmCopies(t, p.DB, job.MessageID), reachable)

			// An OpenID list (with a duplicate, an unfollowed and a
			// blacklisted follower) in the same chunks.
			var openids []string
			for _, u := range all[:10] {
				openids = append(openids, p.Identity.OpenID(app.AppID, u))
			}
			openids = append(openids, openids[0])
			job, err = p.OA.SubmitMass(ctx, app.AppID, officialaccount.MassSend{OpenIDs: openids, Message: officialaccount.Outgoing{Kind: "text", Text: "listed"}})
			if err != nil {
				t.Fatal(err)
			}
			j = pmAwaitJob(t, p, app.AppID, job.MsgID)
			var want []string
			for _, u := range reachable {
				for _, a := range all[:10] {
					if a == u {
						want = append(want, u)
					}
				}
			}
			if j.TotalCount != int64(len(want)) || j.SentCount != int64(len(want)) {
				t.Fatalf("list job %+v, want %d", j, len(want))
			}
			pmCheckCopies(t, pmCopies(t, p.DB, job.MessageID), want)
		})
	}
}

// Two servers sharing one database take turns on the same jobs: each
// follower still gets exactly one copy of each.
func TestMassTwoServersShareTheWork(t *testing.T) {
	cfg := storetest.Config(t)
	small := func(pol *officialaccount.Policy) { pol.MassChunk = 3 }
	p1 := pmPlatform(t, cfg, small)
	p2 := pmPlatform(t, cfg, small)
	ctx := context.Background()
	app, _, err := p1.Accounts.CreateApp(ctx, account.ServiceAccount, "News", "")
	if err != nil {
		t.Fatal(err)
	}
	reachable, _ := pmAudience(t, p1, app.AppID, 40)
	var jobs []*officialaccount.MassJob
	for i, p := range []*platform.Platform{p1, p2, p1} {
		job, err := p.OA.SubmitMass(ctx, app.AppID, officialaccount.MassSend{ToAll: true, Message: officialaccount.Outgoing{Kind: "text", Text: fmt.Sprint("news ", i)}})
		if err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, job)
	}
	for _, job := range jobs {
		j := pmAwaitJob(t, p2, app.AppID, job.MsgID)
		if j.SentCount != int64(len(reachable)) || j.TotalCount != int64(len(reachable)) {
			t.Fatalf("job %+v, want %d", j, len(reachable))
		}
		pmCheckCopies(t, pmCopies(t, p1.DB, job.MessageID), reachable)
	}
}

// A template card labels each field with its line's text.
func TestTemplateCardFields(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	if err := w.p.OA.SetIndustry(ctx, w.oa.AppID, 1, 2); err != nil {
		t.Fatal(err)
	}
	id, err := w.p.OA.AddTemplate(ctx, w.oa.AppID, "TM00015")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.p.OA.Follow(ctx, w.oa.AppID, w.user.ID, officialaccount.SceneSearch, nil); err != nil {
		t.Fatal(err)
	}
	msgid, err := w.p.OA.SendTemplate(ctx, w.oa.AppID, officialaccount.TemplateSend{
		OpenID: w.p.Identity.OpenID(w.oa.AppID, w.user.ID), TemplateID: id,
		Data: map[string]officialaccount.TemplateValue{"orderMoneySum": {Value: "30.00元"}, "Remark": {Value: "See you", Color: "#888888"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := w.p.OA.Conversation(ctx, w.user.ID, w.oa.AppID, 0, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	last := msgs[len(msgs)-1]
	card := last.Body.Template
	if last.ID != msgid || card == nil {
		t.Fatalf("last message %+v", last)
	}
	want := []officialaccount.TemplateField{{Key: "first"}, {Key: "orderMoneySum", Label: "支付金额", Value: "30.00元"},
		{Key: "orderProductName", Label: "商品信息"}, {Key: "Remark", Value: "See you", Color: "#888888"}}
	if len(card.Fields) != len(want) {
		t.Fatalf("fields %+v", card.Fields)
	}
	for i := range want {
		if card.Fields[i] != want[i] {
			t.Fatalf("field %d = %+v, want %+v", i, card.Fields[i], want[i])
		}
	}
	// No developer server: no TEMPLATESENDJOBFINISH is queued.
	if len(w.pushes(t)) != 0 {
		t.Fatal("a push was queued without a developer server")
	}
}
