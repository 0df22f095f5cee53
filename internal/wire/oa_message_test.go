package wire_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"superapp/internal/callback"
	"superapp/internal/live"
	"superapp/internal/officialaccount"
	"superapp/internal/testserver"
)

// pmWorld is a dev-mode server with a service account ("News") and a
// subscription account ("Blog"), their tokens, and users.
type pmWorld struct {
	s         *testserver.Server
	oa, sub   testserver.App
	tok, tok2 string
}

func newPMWorld(t *testing.T, edit ...func(*officialaccount.Policy)) *pmWorld {
	t.Helper()
	p := officialaccount.DefaultPolicy()
	p.Callbacks.TimeoutMillis = 2000
	for _, e := range edit {
		e(&p)
	}
	s := testserver.New(t, testserver.Dev(), testserver.OAPolicy(p))
	w := &pmWorld{s: s, oa: s.CreateApp(t, "service", "News"), sub: s.CreateApp(t, "subscription", "Blog")}
	w.tok, w.tok2 = s.AccessToken(t, w.oa), s.AccessToken(t, w.sub)
	return w
}

// user creates a user who follows the given accounts and returns the id
// and the OpenID in the first account.
func (w *pmWorld) user(t *testing.T, name string, follow ...string) (string, string) {
	t.Helper()
	u := w.s.CreateUser(t, name, "")
	openid := ""
	for i, appid := range follow {
		if _, err := w.s.Server.P.OA.Follow(context.Background(), appid, u.ID, officialaccount.SceneSearch, nil); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			openid = w.s.Server.P.Identity.OpenID(appid, u.ID)
		}
	}
	return u.ID, openid
}

// post sends body (a string or a value to marshal) to a wire path with tok.
func (w *pmWorld) post(t *testing.T, path, tok string, body any) map[string]any {
	t.Helper()
	raw, ok := body.(string)
	if !ok {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		raw = string(b)
	}
	return w.s.Post(t, path+"?access_token="+tok, raw)
}

func pmCode(t *testing.T, what string, m map[string]any, want int) {
	t.Helper()
	if got := testserver.Errcode(m); got != want {
		t.Fatalf("%s: errcode %d (%v), want %d", what, got, m["errmsg"], want)
	}
}

// conversation is what userID's conversation with appid holds, oldest first.
func (w *pmWorld) conversation(t *testing.T, userID, appid string) []*officialaccount.Message {
	t.Helper()
	msgs, err := w.s.Server.P.OA.Conversation(context.Background(), userID, appid, 0, 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func (w *pmWorld) lastMessage(t *testing.T, userID, appid string) *officialaccount.Message {
	t.Helper()
	msgs := w.conversation(t, userID, appid)
	if len(msgs) == 0 {
		t.Fatal("the conversation is empty")
	}
	return msgs[len(msgs)-1]
}

func (w *pmWorld) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := w.s.Server.P.DB.Exec(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// upload sends a file to media/upload as multipart field "media".
func (w *pmWorld) upload(t *testing.T, tok, typ, filename string, data []byte) map[string]any {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("media", filename)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	resp, err := http.Post(w.s.URL+"/cgi-bin/media/upload?access_token="+tok+"&type="+typ, mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("upload answered %q", raw)
	}
	return m
}

// mediaID uploads a file of typ and returns its id.
func (w *pmWorld) mediaID(t *testing.T, tok, typ string) string {
	t.Helper()
	name, data := map[string]string{"image": "a.png", "voice": "a.amr", "video": "a.mp4", "thumb": "a.jpg"}[typ], pmFile(t, typ)
	m := w.upload(t, tok, typ, name, data)
	id, _ := m["media_id"].(string)
	if typ == "thumb" {
		id, _ = m["thumb_media_id"].(string)
	}
	if id == "" {
		t.Fatalf("upload %s: %v", typ, m)
	}
	return id
}

// pmFile is a small valid file of a media type.
func pmFile(t *testing.T, typ string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{200, 10, 10, 255})
	var buf bytes.Buffer
	switch typ {
	case "image":
		png.Encode(&buf, img)
	case "thumb":
		jpeg.Encode(&buf, img, nil)
	case "voice":
		buf.WriteString("#!AMR\n" + strings.Repeat("\x3c", 64))
	case "video":
		buf.Write([]byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + strings.Repeat("\x00", 64)))
	}
	return buf.Bytes()
}

// devServer is a developer server in plain mode that records the pushes
// it receives and answers "success".
type devServer struct {
	mu     sync.Mutex
	pushes []devPush
	srv    *httptest.Server
}

// devPush is a received push, parsed.
type devPush struct {
	ToUserName   string
	FromUserName string
	CreateTime   int64
	MsgType      string
	Event        string
	MsgID        int64 `xml:"MsgID"`
	Status       string
	TotalCount   int64
	FilterCount  int64
	SentCount    int64
	ErrorCount   int64
}

func (w *pmWorld) devServer(t *testing.T, appid string) *devServer {
	t.Helper()
	d := &devServer{}
	d.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			io.WriteString(rw, r.URL.Query().Get("echostr"))
			return
		}
		var p devPush
		raw, _ := io.ReadAll(r.Body)
		if err := xml.Unmarshal(raw, &p); err == nil {
			d.mu.Lock()
			d.pushes = append(d.pushes, p)
			d.mu.Unlock()
		}
		io.WriteString(rw, "success")
	}))
	t.Cleanup(d.srv.Close)
	if _, err := w.s.Server.P.OA.Dispatcher().Configure(context.Background(), appid, callback.Settings{URL: d.srv.URL + "/wx", Token: "devtoken"}); err != nil {
		t.Fatal(err)
	}
	return d
}

// await waits for a push with the event and returns it.
func (d *devServer) await(t *testing.T, event string, jobMsgID int64) devPush {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		d.mu.Lock()
		for _, p := range d.pushes {
			if p.Event == event && p.MsgID == jobMsgID {
				d.mu.Unlock()
				return p
			}
		}
		d.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no %s push for %d", event, jobMsgID)
	return devPush{}
}

func TestCustomServiceMessages(t *testing.T) {
	w := newPMWorld(t)
	ctx := context.Background()
	oa := w.s.Server.P.OA
	alice, openid := w.user(t, "alice", w.oa.AppID)
	image, voice, video, thumb := w.mediaID(t, w.tok, "image"), w.mediaID(t, w.tok, "voice"), w.mediaID(t, w.tok, "video"), w.mediaID(t, w.tok, "thumb")

	send := func(msg string) map[string]any {
		return w.post(t, "/cgi-bin/message/custom/send", w.tok, `{"touser":"`+openid+`",`+msg+`}`)
	}
	userSays := func() {
		if _, err := oa.Send(ctx, w.oa.AppID, alice, officialaccount.UserMessage{Text: "hello"}); err != nil {
			t.Fatal(err)
		}
	}
	type want struct {
		msg  string
		kind string
		body func(b officialaccount.Body) bool
	}
	cases := []want{
		{`"msgtype":"text","text":{"content":"Hi there"}`, "text", func(b officialaccount.Body) bool { return b.Text == "Hi there" }},
		{`"msgtype":"image","image":{"media_id":"` + image + `"}`, "image", func(b officialaccount.Body) bool { return b.URL == "/shell/media/"+image }},
		{`"msgtype":"voice","voice":{"media_id":"` + voice + `"}`, "voice", func(b officialaccount.Body) bool { return b.URL == "/shell/media/"+voice }},
		{`"msgtype":"video","video":{"media_id":"` + video + `","thumb_media_id":"` + thumb + `","title":"Clip","description":"A clip"}`, "video",
			func(b officialaccount.Body) bool {
				return b.URL == "/shell/media/"+video && b.Title == "Clip" && b.ThumbURL == "/shell/media/"+thumb
			}},
		{`"msgtype":"music","music":{"title":"Song","description":"d","musicurl":"http://m.example/a.mp3","hqmusicurl":"http://m.example/hq.mp3","thumb_media_id":"` + thumb + `"}`, "music",
			func(b officialaccount.Body) bool {
				return b.MusicURL == "http://m.example/a.mp3" && b.HQMusicURL == "http://m.example/hq.mp3"
			}},
		{`"msgtype":"news","news":{"articles":[{"title":"Headline","description":"d","url":"http://news.example/1","picurl":"http://news.example/1.jpg"}]}`, "news",
			func(b officialaccount.Body) bool {
				return len(b.Articles) == 1 && b.Articles[0].URL == "http://news.example/1"
			}},
		{`"msgtype":"mpnews","mpnews":{"media_id":"PERMANENT_ID"}`, "mpnews", func(b officialaccount.Body) bool { return strings.Contains(b.Title, "PERMANENT_ID") }},
		{`"msgtype":"mpnewsarticle","mpnewsarticle":{"article_id":"ART_1"}`, "mpnews", func(b officialaccount.Body) bool { return strings.Contains(b.Title, "ART_1") }},
		{`"msgtype":"msgmenu","msgmenu":{"head_content":"Satisfied?","list":[{"id":"101","content":"Yes"},{"id":102,"content":"No"}],"tail_content":"Thanks"}`, "msgmenu",
			func(b officialaccount.Body) bool {
				return b.Menu != nil && len(b.Menu.Items) == 2 && b.Menu.Items[1].ID == "102" && b.Menu.Head == "Satisfied?"
			}},
		{`"msgtype":"miniprogrampage","miniprogrampage":{"title":"Shop","appid":"wx1234567890abcdef","pagepath":"pages/index?x=1","thumb_media_id":"` + image + `"},"customservice":{"kf_account":"kf@news"}`, "miniprogrampage",
			func(b officialaccount.Body) bool {
				return b.MiniProgram != nil && b.MiniProgram.PagePath == "pages/index?x=1" && b.MiniProgram.ThumbURL == "/shell/media/"+image
			}},
	}
	// A user message opens a window of 5; the sixth message is refused.
	for i, c := range cases {
		if i%5 == 0 {
			userSays()
		}
		pmCode(t, c.kind, send(c.msg), 0)
		m := w.lastMessage(t, alice, w.oa.AppID)
		if m.Kind != c.kind || m.Direction != officialaccount.Out || m.Source != officialaccount.SourceCustom || !c.body(m.Body) {
			t.Fatalf("%s arrived as %+v %+v", c.kind, m, m.Body)
		}
	}
	pmCode(t, "sixth message in the window", send(`"msgtype":"text","text":{"content":"one too many"}`), 45047)

	// 48 hours after the user's message, the window is closed.
	userSays()
	pmCode(t, "fresh window", send(`"msgtype":"text","text":{"content":"ok"}`), 0)
	w.exec(t, "UPDATE oa_followers SET window_opened_at = window_opened_at - 48*3600 WHERE appid = ? AND user_id = ?", w.oa.AppID, alice)
	pmCode(t, "after 48 hours", send(`"msgtype":"text","text":{"content":"late"}`), 45015)

	// A follow opens the short window: 3 messages within 60 seconds.
	bob, bobOpenID := w.user(t, "bob", w.oa.AppID)
	for i := range 3 {
		pmCode(t, "event window", w.post(t, "/cgi-bin/message/custom/send", w.tok, `{"touser":"`+bobOpenID+`","msgtype":"text","text":{"content":"welcome"}}`), 0)
		_ = i
	}
	pmCode(t, "fourth in the event window", w.post(t, "/cgi-bin/message/custom/send", w.tok, `{"touser":"`+bobOpenID+`","msgtype":"text","text":{"content":"x"}}`), 45047)
	if n := len(w.conversation(t, bob, w.oa.AppID)); n != 3 {
		t.Fatalf("bob has %d messages, want 3", n)
	}
	if _, err := oa.Event(ctx, w.oa.AppID, bob, officialaccount.Inbound{Event: "CLICK", EventKey: "KEY"}); err != nil {
		t.Fatal(err)
	}
	w.exec(t, "UPDATE oa_followers SET window_opened_at = window_opened_at - 60 WHERE appid = ? AND user_id = ?", w.oa.AppID, bob)
	pmCode(t, "a minute after the click", w.post(t, "/cgi-bin/message/custom/send", w.tok, `{"touser":"`+bobOpenID+`","msgtype":"text","text":{"content":"x"}}`), 45015)

	// Unfollowed and blacklisted users are out of reach even in a window.
	userSays()
	if err := oa.SetBlacklisted(ctx, w.oa.AppID, []string{openid}, true); err != nil {
		t.Fatal(err)
	}
	pmCode(t, "blacklisted", send(`"msgtype":"text","text":{"content":"x"}`), 45015)
	if err := oa.SetBlacklisted(ctx, w.oa.AppID, []string{openid}, false); err != nil {
		t.Fatal(err)
	}
	pmCode(t, "off the blacklist", send(`"msgtype":"text","text":{"content":"x"}`), 0)
	if _, err := oa.Unfollow(ctx, w.oa.AppID, alice); err != nil {
		t.Fatal(err)
	}
	pmCode(t, "unfollowed", send(`"msgtype":"text","text":{"content":"x"}`), 45015)

	// Media must be this account's and alive.
	carol, carolOpenID := w.user(t, "carol", w.oa.AppID, w.sub.AppID)
	if _, err := oa.Send(ctx, w.oa.AppID, carol, officialaccount.UserMessage{Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	toCarol := func(msg string) map[string]any {
		return w.post(t, "/cgi-bin/message/custom/send", w.tok, `{"touser":"`+carolOpenID+`",`+msg+`}`)
	}
	other := w.mediaID(t, w.tok2, "image")
	pmCode(t, "another account's media", toCarol(`"msgtype":"image","image":{"media_id":"`+other+`"}`), 40007)
	pmCode(t, "a voice as an image", toCarol(`"msgtype":"image","image":{"media_id":"`+voice+`"}`), 40007)
	w.exec(t, "UPDATE oa_media SET expires_at = ? WHERE media_id = ?", time.Now().Unix()-1, image)
	pmCode(t, "expired media", toCarol(`"msgtype":"image","image":{"media_id":"`+image+`"}`), 40007)
	before := len(w.conversation(t, carol, w.oa.AppID))
	if after := len(w.conversation(t, carol, w.oa.AppID)); after != before {
		t.Fatal("a refused message reached the conversation")
	}
	var sent int
	if err := w.s.Server.P.DB.QueryRow(ctx, "SELECT window_sent FROM oa_followers WHERE appid = ? AND user_id = ?", w.oa.AppID, carol).Scan(&sent); err != nil || sent != 0 {
		t.Fatalf("refused messages counted against the window: %d, %v", sent, err)
	}
	pmCode(t, "unknown openid", w.post(t, "/cgi-bin/message/custom/send", w.tok, `{"touser":"oNOBODY","msgtype":"text","text":{"content":"x"}}`), 40003)
	pmCode(t, "OpenID of another account", w.post(t, "/cgi-bin/message/custom/send", w.tok2, `{"touser":"`+carolOpenID+`","msgtype":"text","text":{"content":"x"}}`), 40003)
}

func TestCustomTyping(t *testing.T) {
	w := newPMWorld(t)
	alice, openid := w.user(t, "alice", w.oa.AppID)
	events, cancel := w.s.Server.P.Live.Subscribe(alice)
	defer cancel()
	typing := func(cmd string) map[string]any {
		return w.post(t, "/cgi-bin/message/custom/typing", w.tok, `{"touser":"`+openid+`","command":"`+cmd+`"}`)
	}
	next := func() live.Event {
		t.Helper()
		for {
			select {
			case e := <-events:
				if e.Type == "typing" || e.Type == "typing_cancel" {
					return e
				}
			case <-time.After(5 * time.Second):
				t.Fatal("no typing event")
			}
		}
	}
	pmCode(t, "Typing", typing("Typing"), 0)
	if e := next(); e.Type != "typing" || e.AppID != w.oa.AppID {
		t.Fatalf("event %+v", e)
	}
	pmCode(t, "CancelTyping", typing("CancelTyping"), 0)
	if e := next(); e.Type != "typing_cancel" {
		t.Fatalf("event %+v", e)
	}
	pmCode(t, "unknown command", typing("Dancing"), 40097)
	w.exec(t, "UPDATE oa_followers SET window_opened_at = 0 WHERE appid = ? AND user_id = ?", w.oa.AppID, alice)
	pmCode(t, "outside the window", typing("Typing"), 45015)
	// Typing uses none of the window's messages.
	var sent int
	if err := w.s.Server.P.DB.QueryRow(context.Background(), "SELECT window_sent FROM oa_followers WHERE appid = ? AND user_id = ?", w.oa.AppID, alice).Scan(&sent); err != nil || sent != 0 {
		t.Fatalf("window_sent %d, %v", sent, err)
	}
}

// Account kinds: customer-service messages and mass sends are for both
// official-account kinds, template messages and OpenID-list sends for
// service accounts only; mini programs get none.
func TestPushedMessagesNeedTheRightAccount(t *testing.T) {
	w := newPMWorld(t)
	mp := w.s.CreateApp(t, "miniprogram", "Shop")
	mptok := w.s.AccessToken(t, mp)
	for _, path := range []string{"/cgi-bin/message/custom/send", "/cgi-bin/message/custom/typing", "/cgi-bin/message/mass/sendall",
		"/cgi-bin/message/mass/send", "/cgi-bin/message/mass/preview", "/cgi-bin/message/mass/get", "/cgi-bin/message/mass/delete",
		"/cgi-bin/template/api_set_industry", "/cgi-bin/template/get_industry", "/cgi-bin/template/api_add_template",
		"/cgi-bin/template/get_all_private_template", "/cgi-bin/template/del_private_template", "/cgi-bin/message/template/send",
		"/cgi-bin/media/get"} {
		pmCode(t, "mini program at "+path, w.post(t, path, mptok, `{}`), 48001)
	}
	for _, path := range []string{"/cgi-bin/message/mass/send", "/cgi-bin/template/api_set_industry", "/cgi-bin/template/get_industry",
		"/cgi-bin/template/api_add_template", "/cgi-bin/template/get_all_private_template", "/cgi-bin/template/del_private_template",
		"/cgi-bin/message/template/send"} {
		m := w.post(t, path, w.tok2, `{}`)
		pmCode(t, "subscription account at "+path, m, 48001)
		if msg, _ := m["errmsg"].(string); !strings.HasPrefix(msg, "api unauthorized") {
			t.Fatalf("%s: errmsg %q", path, msg)
		}
	}
	_ = fmt.Sprint
}

// Limits hold when requests race (PostgreSQL runs them in parallel): a
// window of 5 lets exactly 5 of 12 concurrent messages through, a
// client_msg_id sends once, a subscription account's daily mass send
// happens once.
func TestPushedMessageLimitsUnderRace(t *testing.T) {
	w := newPMWorld(t)
	ctx := context.Background()
	alice, openid := w.user(t, "alice", w.oa.AppID, w.sub.AppID)
	if _, err := w.s.Server.P.OA.Send(ctx, w.oa.AppID, alice, officialaccount.UserMessage{Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	race := func(n int, call func() map[string]any) map[int]int {
		var mu sync.Mutex
		var wg sync.WaitGroup
		codes := map[int]int{}
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				m := call()
				mu.Lock()
				codes[testserver.Errcode(m)]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		return codes
	}
	codes := race(12, func() map[string]any {
		return w.post(t, "/cgi-bin/message/custom/send", w.tok, `{"touser":"`+openid+`","msgtype":"text","text":{"content":"race"}}`)
	})
	if codes[0] != 5 || codes[45047] != 7 {
		t.Fatalf("custom sends in a window of 5: %v", codes)
	}

	pmCode(t, "industry", w.post(t, "/cgi-bin/template/api_set_industry", w.tok, `{"industry_id1":"1","industry_id2":"2"}`), 0)
	tpl, _ := w.post(t, "/cgi-bin/template/api_add_template", w.tok, `{"template_id_short":"TM00015"}`)["template_id"].(string)
	var mu sync.Mutex
	msgids := map[float64]bool{}
	codes = race(8, func() map[string]any {
		m := w.post(t, "/cgi-bin/message/template/send", w.tok, `{"touser":"`+openid+`","template_id":"`+tpl+`","client_msg_id":"once","data":{}}`)
		mu.Lock()
		msgids[m["msgid"].(float64)] = true
		mu.Unlock()
		return m
	})
	templates := 0
	for _, m := range w.conversation(t, alice, w.oa.AppID) {
		if m.Kind == "template" {
			templates++
		}
	}
	if codes[0] != 8 || len(msgids) != 1 || templates != 1 {
		t.Fatalf("8 sends with one client_msg_id: codes %v, msgids %v, %d delivered", codes, msgids, templates)
	}

	codes = race(6, func() map[string]any {
		return w.post(t, "/cgi-bin/message/mass/sendall", w.tok2, `{"filter":{"is_to_all":true},"msgtype":"text","text":{"content":"daily"}}`)
	})
	if codes[0] != 1 || codes[45028] != 5 {
		t.Fatalf("6 racing sends of a subscription account: %v", codes)
	}
}
