package officialaccount_test

import (
	"context"
	"encoding/xml"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"superapp/internal/account"
	"superapp/internal/identity"
	"superapp/internal/officialaccount"
	"superapp/internal/platform"
)

func init() { identity.PasswordIterations = 1000 }

// world is a platform without background work: pushes stay in the outbox
// where the test reads them.
type world struct {
	p    *platform.Platform
	oa   *account.App
	user *identity.User
}

func newWorld(t *testing.T) *world {
	t.Helper()
	return policyWorld(t, func(*officialaccount.Policy) {})
}

// withServer gives the account a developer server, so actions queue pushes.
func (w *world) withServer(t *testing.T) {
	t.Helper()
	if _, err := w.p.DB.Exec(context.Background(), `INSERT INTO oa_callback_configs(appid, url, token, mode, updated_at) VALUES (?, 'http://127.0.0.1:9/cb', 'tok123', 'plain', 0)`, w.oa.AppID); err != nil {
		t.Fatal(err)
	}
}

type pushed struct {
	DedupKey string
	Doc      struct {
		ToUserName   string
		FromUserName string
		CreateTime   int64
		MsgType      string
		Content      string
		MsgID        int64 `xml:"MsgId"`
		Event        string
		EventKey     string
		Ticket       string
	}
}

func (w *world) pushes(t *testing.T) []pushed {
	t.Helper()
	rows, err := w.p.DB.Query(context.Background(), "SELECT dedup_key, payload FROM oa_callbacks WHERE appid = ? ORDER BY id", w.oa.AppID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []pushed
	for rows.Next() {
		var p pushed
		var payload string
		if err := rows.Scan(&p.DedupKey, &payload); err != nil {
			t.Fatal(err)
		}
		if err := xml.Unmarshal([]byte(payload), &p.Doc); err != nil {
			t.Fatalf("push is not XML: %v\n%s", err, payload)
		}
		out = append(out, p)
	}
	return out
}

func TestFollowScanUnfollowPushes(t *testing.T) {
	w := newWorld(t)
	w.withServer(t)
	ctx := context.Background()
	oa := w.p.OA
	qr := &officialaccount.QRScene{Ticket: "T1", SceneStr: "poster"}
	if _, err := oa.Follow(ctx, w.oa.AppID, w.user.ID, "", qr); err != nil {
		t.Fatal(err)
	}
	if _, err := oa.Follow(ctx, w.oa.AppID, w.user.ID, "", qr); err != nil { // a follower scans again
		t.Fatal(err)
	}
	if _, err := oa.Follow(ctx, w.oa.AppID, w.user.ID, officialaccount.SceneSearch, nil); err != nil { // nothing new
		t.Fatal(err)
	}
	if _, err := oa.Unfollow(ctx, w.oa.AppID, w.user.ID); err != nil {
		t.Fatal(err)
	}
	ps := w.pushes(t)
	if len(ps) != 3 {
		t.Fatalf("%d pushes, want subscribe, SCAN, unsubscribe", len(ps))
	}
	openid := w.p.Identity.OpenID(w.oa.AppID, w.user.ID)
	want := []struct{ event, key string }{{"subscribe", "qrscene_poster"}, {"SCAN", "poster"}, {"unsubscribe", ""}}
	seen := map[string]bool{}
	for i, p := range ps {
		d := p.Doc
		if d.MsgType != "event" || d.Event != want[i].event || d.EventKey != want[i].key || d.ToUserName != w.oa.OriginalID || d.FromUserName != openid {
			t.Fatalf("push %d = %+v, want %s with EventKey %q", i, d, want[i].event, want[i].key)
		}
		if want[i].key != "" && d.Ticket != "T1" {
			t.Fatalf("push %d lacks the ticket: %+v", i, d)
		}
		// Events deduplicate by FromUserName+CreateTime: each must differ.
		if p.DedupKey != d.FromUserName+itoa(d.CreateTime) || seen[p.DedupKey] {
			t.Fatalf("push %d dedup key %q (seen before: %v)", i, p.DedupKey, seen[p.DedupKey])
		}
		seen[p.DedupKey] = true
	}
	f, err := oa.Relation(ctx, w.oa.AppID, w.user.ID)
	if err != nil || f.Subscribed || f.SubscribeScene != officialaccount.SceneQRCode || f.QRSceneStr != "poster" {
		t.Fatalf("relation after unfollow = %+v, %v", f, err)
	}
}

func itoa(n int64) string {
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

func TestSendRecordsTheMessageAndQueuesItsPush(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	oa := w.p.OA
	if _, err := oa.Send(ctx, w.oa.AppID, w.user.ID, officialaccount.UserMessage{Text: "hi"}); err != officialaccount.ErrNotFollowing {
		t.Fatalf("a stranger's message: err = %v, want ErrNotFollowing", err)
	}
	if _, err := oa.Follow(ctx, w.oa.AppID, w.user.ID, officialaccount.SceneSearch, nil); err != nil {
		t.Fatal(err)
	}
	// Without a developer server nothing is queued.
	res, err := oa.Send(ctx, w.oa.AppID, w.user.ID, officialaccount.UserMessage{Text: "first"})
	if err != nil || res.CallbackID != 0 || res.MessageID == 0 {
		t.Fatalf("send without a server = %+v, %v", res, err)
	}
	w.withServer(t)
	res, err = oa.Send(ctx, w.oa.AppID, w.user.ID, officialaccount.UserMessage{Text: "a ]]> b"})
	if err != nil || res.CallbackID == 0 {
		t.Fatalf("send with a server = %+v, %v", res, err)
	}
	ps := w.pushes(t)
	if len(ps) != 1 || ps[0].Doc.MsgType != "text" || ps[0].Doc.Content != "a ]]> b" || ps[0].Doc.MsgID != res.MessageID || ps[0].DedupKey != itoa(res.MessageID) {
		t.Fatalf("push = %+v, want the text with MsgId %d", ps, res.MessageID)
	}
	if _, err := oa.Send(ctx, w.oa.AppID, w.user.ID, officialaccount.UserMessage{Kind: "sticker"}); err == nil || !strings.Contains(err.Error(), "kind") {
		t.Fatalf("unknown kind: err = %v", err)
	}
	msgs, err := oa.Conversation(ctx, w.user.ID, w.oa.AppID, 0, 0, 10)
	if err != nil || len(msgs) != 2 || msgs[0].Body.Text != "first" || msgs[1].Direction != officialaccount.In {
		t.Fatalf("conversation = %+v, %v", msgs, err)
	}
}

func TestChatsOrderAndUnreadCounts(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	oa := w.p.OA
	blog, _, err := w.p.Accounts.CreateApp(ctx, account.SubscriptionAccount, "Blog", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, appid := range []string{w.oa.AppID, blog.AppID} {
		if _, err := oa.Follow(ctx, appid, w.user.ID, officialaccount.SceneSearch, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, text := range []string{"one", "two"} {
		m := &officialaccount.Message{AppID: w.oa.AppID, Direction: officialaccount.Out, Kind: "text", Source: officialaccount.SourceCustom, Body: officialaccount.Body{Text: text}}
		if err := oa.Deliver(ctx, w.user.ID, m); err != nil {
			t.Fatal(err)
		}
	}
	chats, err := oa.Chats(ctx, w.user.ID)
	if err != nil || len(chats) != 2 {
		t.Fatalf("chats = %+v, %v", chats, err)
	}
	if chats[0].AppID != w.oa.AppID || chats[0].Unread != 2 || chats[0].Last.Body.Text != "two" {
		t.Fatalf("first chat = %+v, want News with 2 unread", chats[0])
	}
	if err := oa.MarkRead(ctx, w.user.ID, w.oa.AppID, 0); err != nil {
		t.Fatal(err)
	}
	chats, _ = oa.Chats(ctx, w.user.ID)
	if chats[0].Unread != 0 {
		t.Fatalf("after reading: %d unread", chats[0].Unread)
	}
	// A mini program is not an official account.
	mp, _, _ := w.p.Accounts.CreateApp(ctx, account.MiniProgram, "Shop", "")
	if _, err := oa.Follow(ctx, mp.AppID, w.user.ID, "", nil); err != officialaccount.ErrNotOfficialAccount {
		t.Fatalf("following a mini program: err = %v", err)
	}
}

func TestInboundXMLShapes(t *testing.T) {
	in := officialaccount.Inbound{ToUserName: "gh_1", FromUserName: "o1", CreateTime: 100, MsgType: "event", Event: "MASSSENDJOBFINISH",
		JobMsgID: 7, Status: "send success", TotalCount: 3, FilterCount: 2, SentCount: 2}
	x := in.XML()
	for _, want := range []string{"<MsgID>7</MsgID>", "<Status><![CDATA[send success]]></Status>", "<TotalCount>3</TotalCount>", "<FilterCount>2</FilterCount>", "<SentCount>2</SentCount>", "<ErrorCount>0</ErrorCount>"} {
		if !strings.Contains(x, want) {
			t.Fatalf("%s lacks %s", x, want)
		}
	}
	if strings.Contains(x, "MsgId") {
		t.Fatalf("an event carries MsgId: %s", x)
	}
	loc := officialaccount.Inbound{MsgType: "location", LocationX: 31.2, LocationY: 121.5, Scale: 15, Label: "here", MsgID: 9}
	var d struct {
		X     float64 `xml:"Location_X"`
		Y     float64 `xml:"Location_Y"`
		Label string
		MsgID int64 `xml:"MsgId"`
	}
	if err := xml.Unmarshal([]byte(loc.XML()), &d); err != nil || d.X != 31.2 || d.Y != 121.5 || d.Label != "here" || d.MsgID != 9 {
		t.Fatalf("location push = %+v, %v", d, err)
	}
}

// A user's first follow can arrive twice at once (a double tap, the shell
// and a QR code): both succeed, and the developer hears one subscribe.
func TestFirstFollowUnderRace(t *testing.T) {
	w := newWorld(t)
	w.withServer(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := w.p.OA.Follow(ctx, w.oa.AppID, w.user.ID, officialaccount.SceneSearch, nil); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	subscribes := 0
	for _, p := range w.pushes(t) {
		if p.Doc.Event == "subscribe" {
			subscribes++
		}
	}
	if subscribes != 1 {
		t.Fatalf("%d subscribe pushes after racing first follows, want 1", subscribes)
	}
	if f, err := w.p.OA.Relation(ctx, w.oa.AppID, w.user.ID); err != nil || f == nil || !f.Subscribed {
		t.Fatalf("relation = %+v, %v; want subscribed", f, err)
	}
}

// A user's message carries only web addresses: the shell turns them into
// links and sources, where javascript: or data: would run.
func TestUserMessageURLsMustBeWebAddresses(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	if _, err := w.p.OA.Follow(ctx, w.oa.AppID, w.user.ID, officialaccount.SceneSearch, nil); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"javascript:alert(document.cookie)", "JavaScript:alert(1)", "data:text/html,<script>alert(1)</script>", "//evil.example/x.png", "/shell/api/me"} {
		for _, kind := range []string{"image", "voice", "video", "link"} {
			_, err := w.p.OA.Send(ctx, w.oa.AppID, w.user.ID, officialaccount.UserMessage{Kind: kind, URL: bad, Title: "t"})
			if err == nil || !strings.HasPrefix(err.Error(), "url:") {
				t.Errorf("%s message with url %q: err = %v, want an error naming url", kind, bad, err)
			}
		}
	}
	if _, err := w.p.OA.Send(ctx, w.oa.AppID, w.user.ID, officialaccount.UserMessage{Kind: "image", URL: "https://pics.example/a.png"}); err != nil {
		t.Fatalf("an https picture: %v", err)
	}
	if msgs, err := w.p.OA.Conversation(ctx, w.user.ID, w.oa.AppID, 0, 0, 10); err != nil || len(msgs) != 1 {
		t.Fatalf("conversation = %+v, %v; want only the https picture", msgs, err)
	}
}

func TestSweepKeepsRecentlyExpiredQRCodes(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	oa := w.p.OA
	var codes []*officialaccount.QRCode
	for _, req := range []officialaccount.QRCodeRequest{
		{Action: "QR_SCENE", SceneID: 1}, {Action: "QR_SCENE", SceneID: 2}, {Action: "QR_LIMIT_SCENE", SceneID: 3},
	} {
		req.BaseURL = "http://127.0.0.1"
		q, err := oa.CreateQRCode(ctx, w.oa.AppID, req)
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, q)
	}
	now := time.Now().Unix()
	// The first expired 31 days ago, the second yesterday.
	for i, age := range []int64{31 * 86400, 86400} {
		if _, err := w.p.DB.Exec(ctx, "UPDATE oa_qrcodes SET expires_at = ? WHERE code = ?", now-age, codes[i].Code); err != nil {
			t.Fatal(err)
		}
	}
	if err := oa.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := oa.ScanQR(ctx, w.user.ID, codes[0].Code); !errors.Is(err, officialaccount.ErrQRCodeNotFound) {
		t.Fatalf("a code expired 31 days ago: err = %v, want not found (swept)", err)
	}
	if _, err := oa.ScanQR(ctx, w.user.ID, codes[1].Code); !errors.Is(err, officialaccount.ErrQRCodeExpired) {
		t.Fatalf("a code expired yesterday: err = %v, want expired (kept)", err)
	}
	if res, err := oa.ScanQR(ctx, w.user.ID, codes[2].Code); err != nil || res.AppID != w.oa.AppID {
		t.Fatalf("a permanent code: %+v, %v", res, err)
	}
}
