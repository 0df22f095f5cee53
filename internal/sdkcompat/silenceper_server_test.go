package sdkcompat_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	offConfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/message"

	"superapp/internal/callback"
	"superapp/internal/officialaccount"
	"superapp/internal/store"
	"superapp/internal/testserver"
)

// callbackToken and callbackAESKey are the developer server's settings in
// these tests.
const (
	callbackToken  = "sdkToken2024"
	callbackAESKey = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
)

// configureCallback points app's pushes at url through the admin API, which
// runs WeChat's URL verification against the SDK's server.
func configureCallback(t *testing.T, s *testserver.Server, appid, url, mode string) {
	t.Helper()
	body := map[string]string{"url": url, "token": callbackToken, "mode": mode}
	if mode != callback.ModePlain {
		body["encoding_aes_key"] = callbackAESKey
	}
	var view map[string]any
	s.Call(t, "PUT", "/admin/v1/apps/"+appid+"/callback", body, &view)
	if view["mode"] != mode || view["token_set"] != true || view["verified_at"] == float64(0) {
		t.Fatalf("callback view %v", view)
	}
}

// received is one push as silenceper's server parsed it.
type received struct {
	msg    message.MixMessage
	openid string // the openid query parameter
}

// silenceperBackend is a developer backend built on silenceper's official
// account message server: it verifies, decrypts and parses every push and
// answers with the reply reply() picks.
type silenceperBackend struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	errs   []error
	verify int
}

func newSilenceperBackend(t *testing.T, app testserver.App, reply func(*message.MixMessage) *message.Reply) *silenceperBackend {
	b := &silenceperBackend{}
	oa := silenceper(t, nil).GetOfficialAccount(&offConfig.Config{AppID: app.AppID, AppSecret: app.Secret,
		Token: callbackToken, EncodingAESKey: callbackAESKey, Cache: cache.NewMemory()})
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srv := oa.GetServer(r, w)
		srv.SetMessageHandler(func(m *message.MixMessage) *message.Reply {
			b.mu.Lock()
			b.got = append(b.got, received{*m, srv.GetOpenID()})
			b.mu.Unlock()
			return reply(m)
		})
		if r.Method == http.MethodGet {
			b.mu.Lock()
			b.verify++
			b.mu.Unlock()
		}
		if err := srv.Serve(); err != nil {
			b.mu.Lock()
			b.errs = append(b.errs, err)
			b.mu.Unlock()
			http.Error(w, "bad push", http.StatusBadRequest)
			return
		}
		if err := srv.Send(); err != nil {
			b.mu.Lock()
			b.errs = append(b.errs, err)
			b.mu.Unlock()
		}
	}))
	t.Cleanup(b.Close)
	return b
}

// last returns the newest push and checks that the SDK saw no error.
func (b *silenceperBackend) last(t *testing.T) received {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.errs) > 0 {
		t.Fatalf("silenceper's server refused a push: %v", b.errs)
	}
	if len(b.got) == 0 {
		t.Fatal("the backend received nothing")
	}
	return b.got[len(b.got)-1]
}

func (b *silenceperBackend) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.got)
}

// replyFor answers text messages "reply <kind>" with a passive reply of that
// kind, and nothing else.
func replyFor(m *message.MixMessage) *message.Reply {
	if m.MsgType != message.MsgTypeText {
		return nil
	}
	switch m.Content {
	case "reply text":
		return &message.Reply{MsgType: message.MsgTypeText, MsgData: message.NewText("你好, " + m.Content)}
	case "reply image":
		return &message.Reply{MsgType: message.MsgTypeImage, MsgData: message.NewImage("IMG_MEDIA")}
	case "reply voice":
		return &message.Reply{MsgType: message.MsgTypeVoice, MsgData: message.NewVoice("VOICE_MEDIA")}
	case "reply video":
		return &message.Reply{MsgType: message.MsgTypeVideo, MsgData: message.NewVideo("VIDEO_MEDIA", "Clip", "A short clip")}
	case "reply music":
		return &message.Reply{MsgType: message.MsgTypeMusic, MsgData: message.NewMusic("Song", "A song", "https://music.example.com/a.mp3", "https://music.example.com/a-hq.mp3", "THUMB_MEDIA")}
	case "reply news":
		return &message.Reply{MsgType: message.MsgTypeNews, MsgData: message.NewNews([]*message.Article{
			message.NewArticle("Headline", "Summary", "https://img.example.com/p.jpg", "https://news.example.com/1")})}
	}
	return nil
}

// oaWorld is an official account whose developer server is an SDK's
// message server, and two users.
type oaWorld struct {
	s          *testserver.Server
	p          *officialaccount.Service
	app        testserver.App
	originalID string
	alice, bob testserver.User
}

func newOAWorld(t *testing.T) *oaWorld {
	t.Helper()
	s := testserver.New(t, testserver.Dev())
	w := &oaWorld{s: s, p: s.Server.P.OA, app: s.CreateApp(t, "service", "News")}
	a, err := s.Server.P.Accounts.App(context.Background(), w.app.AppID)
	if err != nil {
		t.Fatal(err)
	}
	w.originalID = a.OriginalID
	w.alice, w.bob = s.CreateUser(t, "alice", ""), s.CreateUser(t, "bob", "")
	return w
}

func (w *oaWorld) openid(u testserver.User) string {
	return w.s.Server.P.Identity.OpenID(w.app.AppID, u.ID)
}

// outcome waits for the developer server's answer to an action and returns
// what the user received.
func (w *oaWorld) outcome(t *testing.T, u testserver.User, res *officialaccount.ActResult, err error) []*officialaccount.Message {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if res.CallbackID == 0 {
		t.Fatal("the action queued no push")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	msgs, err := w.p.Outcome(ctx, u.ID, w.app.AppID, res)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// enqueuePlatformEvent queues a push that no user caused, as the platform
// does for job-finish events, and wakes the dispatcher.
func (w *oaWorld) enqueuePlatformEvent(t *testing.T, in officialaccount.Inbound) int64 {
	t.Helper()
	in.ToUserName, in.FromUserName, in.MsgType = w.originalID, w.originalID, "event"
	in.CreateTime = time.Now().Unix()
	var id int64
	err := w.s.Server.P.DB.InTx(context.Background(), func(tx *store.Tx) error {
		var err error
		id, err = callback.Enqueue(context.Background(), tx, callback.Push{AppID: w.app.AppID, DedupKey: in.DedupKey(), XML: in.XML()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	w.p.Dispatcher().Wake()
	return id
}

// waitPush waits until the backend has received n pushes.
func waitPush(t *testing.T, count func() int, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for count() < n {
		if time.Now().After(deadline) {
			t.Fatalf("the backend received %d pushes, want %d", count(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// wantReply checks that the user received exactly one reply message.
func wantReply(t *testing.T, what string, msgs []*officialaccount.Message, check func(m *officialaccount.Message) bool) {
	t.Helper()
	if len(msgs) != 1 || msgs[0].Source != officialaccount.SourceReply || msgs[0].Direction != officialaccount.Out || !check(msgs[0]) {
		var desc []string
		for _, m := range msgs {
			desc = append(desc, m.Kind+"/"+m.Source+" "+strconv.Quote(m.Body.Text)+" "+m.Body.MediaID+" "+m.Body.URL)
		}
		t.Fatalf("%s: the user received %v", what, desc)
	}
}

func TestSilenceperMessageServer(t *testing.T) {
	for _, mode := range []string{callback.ModePlain, callback.ModeSafe} {
		t.Run(mode, func(t *testing.T) {
			w := newOAWorld(t)
			b := newSilenceperBackend(t, w.app, replyFor)
			configureCallback(t, w.s, w.app.AppID, b.URL+"/wechat", mode)
			if b.verify != 1 {
				t.Fatalf("%d URL verifications reached the backend", b.verify)
			}
			ctx := context.Background()
			aliceOpenID, bobOpenID := w.openid(w.alice), w.openid(w.bob)
			eventKeys := map[string]bool{}
			// common checks every push's header and its dedup key.
			common := func(what string, r received, openid, msgType string) {
				t.Helper()
				m := r.msg
				if string(m.ToUserName) != w.originalID || string(m.FromUserName) != openid || string(m.MsgType) != msgType || r.openid != openid || m.CreateTime == 0 {
					t.Fatalf("%s: parsed To=%q From=%q MsgType=%q CreateTime=%d, openid query %q", what, m.ToUserName, m.FromUserName, m.MsgType, m.CreateTime, r.openid)
				}
				if msgType == "event" {
					key := string(m.FromUserName) + strconv.FormatInt(m.CreateTime, 10)
					if eventKeys[key] {
						t.Fatalf("%s: dedup key %s repeats an earlier event's", what, key)
					}
					eventKeys[key] = true
				}
			}

			// Follows: plain, through a QR code, and a follower's scan.
			res, err := w.p.Follow(ctx, w.app.AppID, w.alice.ID, "", nil)
			w.outcome(t, w.alice, res, err)
			r := b.last(t)
			common("subscribe", r, aliceOpenID, "event")
			if r.msg.Event != message.EventSubscribe || r.msg.EventKey != "" || r.msg.Ticket != "" {
				t.Fatalf("plain subscribe parsed as %+v", r.msg)
			}
			res, err = w.p.Follow(ctx, w.app.AppID, w.bob.ID, "", &officialaccount.QRScene{Ticket: "gQH47joAAAAAAAAAASxodHRw", SceneStr: "spring_sale"})
			w.outcome(t, w.bob, res, err)
			r = b.last(t)
			common("subscribe by QR", r, bobOpenID, "event")
			if r.msg.Event != message.EventSubscribe || r.msg.EventKey != "qrscene_spring_sale" || r.msg.Ticket != "gQH47joAAAAAAAAAASxodHRw" {
				t.Fatalf("QR subscribe parsed as Event=%q EventKey=%q Ticket=%q", r.msg.Event, r.msg.EventKey, r.msg.Ticket)
			}
			res, err = w.p.Follow(ctx, w.app.AppID, w.bob.ID, "", &officialaccount.QRScene{Ticket: "gQFT8DwAAAAAAAAAAS5odHRw", SceneID: 123})
			w.outcome(t, w.bob, res, err)
			r = b.last(t)
			common("SCAN", r, bobOpenID, "event")
			if r.msg.Event != message.EventScan || r.msg.EventKey != "123" || r.msg.Ticket != "gQFT8DwAAAAAAAAAAS5odHRw" {
				t.Fatalf("SCAN parsed as Event=%q EventKey=%q Ticket=%q", r.msg.Event, r.msg.EventKey, r.msg.Ticket)
			}

			// Every kind of user message, with its MsgId.
			loc := &officialaccount.Location{Latitude: 23.134521, Longitude: 113.358803, Scale: 20, Label: "广州市天河区"}
			for _, um := range []officialaccount.UserMessage{
				{Kind: "text", Text: "hello <b>&amp;]]> there"},
				{Kind: "image", URL: "https://img.example.com/cat.jpg", MediaID: "IMG_IN"},
				{Kind: "voice", MediaID: "VOICE_IN"},
				{Kind: "video", MediaID: "VIDEO_IN"},
				{Kind: "location", Location: loc},
				{Kind: "link", Title: "A page", Description: "worth reading", URL: "https://example.com/page"},
			} {
				res, err := w.p.Send(ctx, w.app.AppID, w.alice.ID, um)
				if got := w.outcome(t, w.alice, res, err); len(got) != 0 {
					t.Fatalf("%s: no reply expected, the user got %d messages", um.Kind, len(got))
				}
				r := b.last(t)
				common(um.Kind, r, aliceOpenID, um.Kind)
				m := r.msg
				if m.MsgID != res.MessageID || m.MsgID == 0 {
					t.Fatalf("%s: MsgId %d, the message's id is %d", um.Kind, m.MsgID, res.MessageID)
				}
				ok := true
				switch um.Kind {
				case "text":
					ok = m.Content == um.Text
				case "image":
					ok = m.PicURL == um.URL && m.MediaID == um.MediaID
				case "voice":
					ok = m.MediaID == um.MediaID && m.Format == "amr"
				case "video":
					ok = m.MediaID == um.MediaID
				case "location":
					ok = m.LocationX == loc.Latitude && m.LocationY == loc.Longitude && m.Scale == float64(loc.Scale) && m.Label == loc.Label
				case "link":
					ok = m.Title == um.Title && m.Description == um.Description && m.URL == um.URL
				}
				if !ok {
					t.Fatalf("%s parsed as %+v", um.Kind, m)
				}
			}

			// Menu and device events.
			events := []officialaccount.Inbound{
				{Event: "CLICK", EventKey: "V1001_TODAY_MUSIC"},
				{Event: "VIEW", EventKey: "https://shop.example.com/?a=1&b=2", MenuID: 208396938},
				{Event: "view_miniprogram", EventKey: "pages/index/index?x=1", MenuID: 208396939},
				{Event: "scancode_push", EventKey: "scan_1", ScanType: "qrcode", ScanResult: "https://example.com/qr"},
				{Event: "scancode_waitmsg", EventKey: "scan_2", ScanType: "barcode", ScanResult: "EAN_13,6901234567892"},
				{Event: "LOCATION", Latitude: 23.137466, Longitude: 113.352425, Precision: 119.385040},
				{Event: "pic_sysphoto", EventKey: "photo", PicMD5s: []string{"1b5f7c23b5bf75682a53e7b6d163e185"}},
				{Event: "pic_photo_or_album", EventKey: "album", PicMD5s: []string{"5a75aaca956d97be686719218f275c6b", "0d8a4f4cfd7c7b1b0f2b3b0b3c4d5e6f"}},
				{Event: "pic_weixin", EventKey: "wxpic", PicMD5s: []string{"a5b2b7f8d4f1a8b4a9c8f7d3b2e1c0a9"}},
				{Event: "location_select", EventKey: "where", LocationX: 23.104105, LocationY: 113.320107, Scale: 15, Label: "广州市海珠区", Poiname: "某地"},
			}
			for _, in := range events {
				res, err := w.p.Event(ctx, w.app.AppID, w.alice.ID, in)
				w.outcome(t, w.alice, res, err)
				r := b.last(t)
				common(in.Event, r, aliceOpenID, "event")
				m := r.msg
				ok := string(m.Event) == in.Event
				switch in.Event {
				case "CLICK":
					ok = ok && m.EventKey == in.EventKey
				case "VIEW", "view_miniprogram":
					ok = ok && m.EventKey == in.EventKey && m.MenuID == strconv.FormatInt(in.MenuID, 10)
				case "scancode_push", "scancode_waitmsg":
					ok = ok && m.EventKey == in.EventKey && m.ScanCodeInfo.ScanType == in.ScanType && m.ScanCodeInfo.ScanResult == in.ScanResult
				case "LOCATION":
					ok = ok && m.Latitude == strconv.FormatFloat(in.Latitude, 'f', -1, 64) && m.Longitude == strconv.FormatFloat(in.Longitude, 'f', -1, 64) &&
						m.Precision == strconv.FormatFloat(in.Precision, 'f', -1, 64)
				case "location_select":
					l := m.SendLocationInfo
					ok = ok && m.EventKey == in.EventKey && l.LocationX == in.LocationX && l.LocationY == in.LocationY && l.Scale == float64(in.Scale) && l.Label == in.Label && l.Poiname == in.Poiname
				default: // pic_*
					ok = ok && m.EventKey == in.EventKey && int(m.SendPicsInfo.Count) == len(in.PicMD5s) && len(m.SendPicsInfo.PicList) == len(in.PicMD5s)
					for i, p := range m.SendPicsInfo.PicList {
						ok = ok && i < len(in.PicMD5s) && p.PicMd5Sum == in.PicMD5s[i]
					}
				}
				if !ok {
					t.Fatalf("%s parsed as %+v", in.Event, m)
				}
			}

			// Unfollow.
			res, err = w.p.Unfollow(ctx, w.app.AppID, w.bob.ID)
			w.outcome(t, w.bob, res, err)
			r = b.last(t)
			common("unsubscribe", r, bobOpenID, "event")
			if r.msg.Event != message.EventUnsubscribe {
				t.Fatalf("unsubscribe parsed as %+v", r.msg)
			}

			// Platform events: no user, no openid query parameter.
			n := b.count()
			w.enqueuePlatformEvent(t, officialaccount.Inbound{Event: "TEMPLATESENDJOBFINISH", JobMsgID: 200163836, Status: "failed:user block"})
			waitPush(t, b.count, n+1)
			r = b.last(t)
			if r.msg.Event != message.EventTemplateSendJobFinish || r.msg.TemplateMsgID != 200163836 || r.msg.Status != "failed:user block" || r.openid != "" || string(r.msg.FromUserName) != w.originalID {
				t.Fatalf("TEMPLATESENDJOBFINISH parsed as %+v (openid %q)", r.msg, r.openid)
			}
			w.enqueuePlatformEvent(t, officialaccount.Inbound{Event: "MASSSENDJOBFINISH", JobMsgID: 1000001625, Status: "send success", TotalCount: 100, FilterCount: 80, SentCount: 75, ErrorCount: 5})
			waitPush(t, b.count, n+2)
			r = b.last(t)
			if m := r.msg; m.Event != message.EventMassSendJobFinish || m.TemplateMsgID != 1000001625 || m.Status != "send success" ||
				m.TotalCount != 100 || m.FilterCount != 80 || m.SentCount != 75 || m.ErrorCount != 5 || r.openid != "" {
				t.Fatalf("MASSSENDJOBFINISH parsed as %+v", m)
			}

			// Passive replies of every kind reach the user.
			send := func(text string) []*officialaccount.Message {
				res, err := w.p.Send(ctx, w.app.AppID, w.alice.ID, officialaccount.UserMessage{Text: text})
				return w.outcome(t, w.alice, res, err)
			}
			wantReply(t, "text", send("reply text"), func(m *officialaccount.Message) bool {
				return m.Kind == "text" && m.Body.Text == "你好, reply text"
			})
			for _, kind := range []string{"image", "voice"} {
				media := strings.ToUpper(kind) + "_MEDIA"
				if kind == "image" {
					media = "IMG_MEDIA"
				}
				wantReply(t, kind, send("reply "+kind), func(m *officialaccount.Message) bool {
					return m.Kind == kind && m.Body.MediaID == media && m.Body.URL == "/shell/media/"+media
				})
			}
			wantReply(t, "video", send("reply video"), func(m *officialaccount.Message) bool {
				return m.Kind == "video" && m.Body.MediaID == "VIDEO_MEDIA" && m.Body.URL == "/shell/media/VIDEO_MEDIA" && m.Body.Title == "Clip" && m.Body.Description == "A short clip"
			})
			// silenceper's NewMusic drops its hQMusicURL argument: the reply
			// carries an empty HQMusicUrl.
			wantReply(t, "music", send("reply music"), func(m *officialaccount.Message) bool {
				return m.Kind == "music" && m.Body.Title == "Song" && m.Body.Description == "A song" && m.Body.MusicURL == "https://music.example.com/a.mp3" &&
					m.Body.HQMusicURL == "" && m.Body.MediaID == "THUMB_MEDIA" && m.Body.ThumbURL == "/shell/media/THUMB_MEDIA"
			})
			wantReply(t, "news", send("reply news"), func(m *officialaccount.Message) bool {
				a := m.Body.Articles
				return m.Kind == "news" && len(a) == 1 && a[0].Title == "Headline" && a[0].Description == "Summary" &&
					a[0].PicURL == "https://img.example.com/p.jpg" && a[0].URL == "https://news.example.com/1"
			})
			b.last(t) // no SDK errors along the way
		})
	}
}

// A developer server that is down: after every attempt the user is told
// the account cannot serve, as WeChat does.
func TestSilenceperServerDownNotice(t *testing.T) {
	pol := officialaccount.DefaultPolicy()
	pol.Callbacks.TimeoutMillis = 300
	s := testserver.New(t, testserver.Dev(), testserver.OAPolicy(pol))
	app := s.CreateApp(t, "service", "News")
	b := newSilenceperBackend(t, app, replyFor)
	configureCallback(t, s, app.AppID, b.URL, callback.ModeSafe)
	alice := s.CreateUser(t, "alice", "")
	ctx := context.Background()
	p := s.Server.P.OA
	res, err := p.Follow(ctx, app.AppID, alice.ID, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Outcome(ctx, alice.ID, app.AppID, res); err != nil {
		t.Fatal(err)
	}
	b.Close() // the backend goes away
	res, err = p.Send(ctx, app.AppID, alice.ID, officialaccount.UserMessage{Text: "anyone there?"})
	if err != nil {
		t.Fatal(err)
	}
	octx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	msgs, err := p.Outcome(octx, alice.ID, app.AppID, res)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].Direction != officialaccount.Notice || msgs[0].Kind != "notice" || msgs[0].Body.Text != "该公众号暂时无法提供服务，请稍后再试" {
		t.Fatalf("the user received %+v", msgs)
	}
	var attempts int
	var state string
	s.Server.P.DB.QueryRow(ctx, "SELECT attempts, state FROM oa_callbacks WHERE id = ?", res.CallbackID).Scan(&attempts, &state)
	if attempts != 3 || state != callback.StateFailed {
		t.Fatalf("push %s after %d attempts", state, attempts)
	}
}
