package shell_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	qrencode "github.com/skip2/go-qrcode"

	"superapp/internal/officialaccount"
	"superapp/internal/testserver"
)

// testUser returns a browser signed in as a new dev-mode test user, and
// the user's id.
func testUser(t *testing.T, ts *testserver.Server) (*browser, string) {
	t.Helper()
	b := newBrowser(t, ts.URL, nil)
	u := userOf(b.ok("POST", "/shell/api/test-user", map[string]any{}))
	return b, str(u["id"])
}

// deliver puts an account's text message into userID's conversation.
func deliver(t *testing.T, ts *testserver.Server, userID, appid, text string) int64 {
	t.Helper()
	m := &officialaccount.Message{AppID: appid, Direction: officialaccount.Out, Kind: "text", Source: officialaccount.SourceCustom,
		Body: officialaccount.Body{Text: text}}
	if err := ts.Server.P.OA.Deliver(context.Background(), userID, m); err != nil {
		t.Fatal(err)
	}
	return m.ID
}

func list(m map[string]any, key string) []map[string]any {
	raw, _ := m[key].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, v := range raw {
		item, _ := v.(map[string]any)
		out = append(out, item)
	}
	return out
}

func num(v any) int64 { f, _ := v.(float64); return int64(f) }

func TestOARequiresSignIn(t *testing.T) {
	ts := testserver.New(t, testserver.Dev())
	oa := ts.CreateApp(t, "service", "Daily News")
	b := newBrowser(t, ts.URL, nil)
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/shell/api/chats", nil},
		{"GET", "/shell/api/oa/search?q=news", nil},
		{"GET", "/shell/api/oa/" + oa.AppID, nil},
		{"POST", "/shell/api/oa/" + oa.AppID + "/follow", map[string]any{}},
		{"POST", "/shell/api/oa/" + oa.AppID + "/unfollow", map[string]any{}},
		{"GET", "/shell/api/oa/" + oa.AppID + "/messages", nil},
		{"POST", "/shell/api/oa/" + oa.AppID + "/messages", map[string]any{"text": "hi"}},
		{"POST", "/shell/api/oa/" + oa.AppID + "/read", map[string]any{}},
		{"GET", "/shell/api/oa/" + oa.AppID + "/menu", nil},
		{"POST", "/shell/api/oa/" + oa.AppID + "/menu/tap", map[string]any{"top": 0}},
		{"GET", "/shell/api/events", nil},
		{"POST", "/shell/api/scan", map[string]any{"url": "https://example.com/"}},
		{"GET", "/shell/media/abc", nil},
	} {
		b.fails(c.method, c.path, c.body, 401, "not_signed_in", "")
	}

	// A QR code's URL sends a signed-out visitor to sign in, then back.
	resp := b.do("GET", "/q/abcDEF123", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/signin?next=%2Fq%2FabcDEF123" {
		t.Fatalf("signed-out /q/: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestOASearchProfileFollow(t *testing.T) {
	ts := testserver.New(t, testserver.Dev())
	daily := ts.CreateApp(t, "service", "Daily News")
	weekly := ts.CreateApp(t, "subscription", "Weekly news")
	game := ts.CreateApp(t, "miniprogram", "News game")
	b, userID := testUser(t, ts)

	found := list(b.ok("GET", "/shell/api/oa/search?q=NEWS", nil), "accounts")
	if len(found) != 2 || found[0]["appid"] != daily.AppID || found[1]["appid"] != weekly.AppID ||
		found[0]["kind"] != "service" || found[1]["kind"] != "subscription" || found[0]["following"] != false {
		t.Fatalf("search: %v", found)
	}
	b.fails("GET", "/shell/api/oa/search", nil, 400, "invalid_input", "q")
	b.fails("GET", "/shell/api/oa/search?q=%00", nil, 400, "invalid_input", "q")

	p := b.ok("GET", "/shell/api/oa/"+daily.AppID, nil)["account"].(map[string]any)
	if p["name"] != "Daily News" || p["kind"] != "service" || str(p["subject"]) == "" || p["followers"] != 0.0 || p["following"] != false {
		t.Fatalf("profile: %v", p)
	}
	b.fails("GET", "/shell/api/oa/"+game.AppID, nil, 404, "account_not_found", "")
	b.fails("GET", "/shell/api/oa/wx0000000000000000", nil, 404, "account_not_found", "")
	b.fails("GET", "/shell/api/oa/not-an-appid", nil, 404, "account_not_found", "")
	b.fails("GET", "/shell/api/oa/"+daily.AppID+"/nothing", nil, 404, "not_found", "")
	b.fails("DELETE", "/shell/api/oa/"+daily.AppID+"/follow", nil, 405, "method_not_allowed", "")
	b.fails("POST", "/shell/api/oa/"+daily.AppID+"/follow", map[string]any{"scene": "ADD_SCENE_QR_CODE"}, 400, "invalid_input", "scene")
	b.fails("POST", "/shell/api/oa/"+game.AppID+"/follow", map[string]any{"scene": "ADD_SCENE_SEARCH"}, 404, "account_not_found", "")

	p = b.ok("POST", "/shell/api/oa/"+daily.AppID+"/follow", map[string]any{"scene": "ADD_SCENE_SEARCH"})["account"].(map[string]any)
	if p["following"] != true || p["followers"] != 1.0 {
		t.Fatalf("after follow: %v", p)
	}
	b.ok("POST", "/shell/api/oa/"+weekly.AppID+"/follow", map[string]any{"scene": "ADD_SCENE_PROFILE_CARD"})
	for appid, scene := range map[string]string{daily.AppID: officialaccount.SceneSearch, weekly.AppID: officialaccount.SceneProfileCard} {
		f, err := ts.Server.P.OA.Relation(context.Background(), appid, userID)
		if err != nil || f == nil || !f.Subscribed || f.SubscribeScene != scene {
			t.Fatalf("relation with %s: %+v %v; want scene %s", appid, f, err, scene)
		}
	}
	if found := list(b.ok("GET", "/shell/api/oa/search?q=daily", nil), "accounts"); len(found) != 1 || found[0]["following"] != true {
		t.Fatalf("search after follow: %v", found)
	}
	chats := list(b.ok("GET", "/shell/api/chats", nil), "chats")
	if len(chats) != 2 {
		t.Fatalf("chats: %v", chats)
	}

	p = b.ok("POST", "/shell/api/oa/"+daily.AppID+"/unfollow", map[string]any{})["account"].(map[string]any)
	if p["following"] != false || p["followers"] != 0.0 {
		t.Fatalf("after unfollow: %v", p)
	}
	if chats := list(b.ok("GET", "/shell/api/chats", nil), "chats"); len(chats) != 1 || chats[0]["appid"] != weekly.AppID {
		t.Fatalf("chats after unfollow: %v", chats)
	}
}

func TestOAConversation(t *testing.T) {
	ts := testserver.New(t, testserver.Dev())
	oa := ts.CreateApp(t, "service", "Daily News")
	other := ts.CreateApp(t, "subscription", "Other")
	b, userID := testUser(t, ts)
	path := "/shell/api/oa/" + oa.AppID

	b.fails("POST", path+"/messages", map[string]any{"text": "hello"}, 409, "not_following", "")
	b.ok("POST", path+"/follow", map[string]any{})
	b.ok("POST", "/shell/api/oa/"+other.AppID+"/follow", map[string]any{})

	sent := b.ok("POST", path+"/messages", map[string]any{"text": "hello"})
	mine := num(sent["message_id"])
	if mine == 0 {
		t.Fatalf("send: %v", sent)
	}
	b.fails("POST", path+"/messages", map[string]any{"text": ""}, 400, "invalid_input", "text")
	b.fails("POST", path+"/messages", map[string]any{"text": "a\x00b"}, 400, "invalid_input", "text")
	b.fails("POST", path+"/messages", map[string]any{"text": strings.Repeat("长", 2049)}, 400, "invalid_input", "text")
	b.fails("POST", path+"/messages", map[string]any{"text": "x", "bizmsgmenuid": strings.Repeat("1", 65)}, 400, "invalid_input", "bizmsgmenuid")
	b.fails("POST", path+"/messages", map[string]any{"txt": "x"}, 400, "bad_json", "")
	b.fails("GET", path+"/messages?before=x", nil, 400, "invalid_input", "before")
	b.fails("GET", path+"/messages?before=1&after=1", nil, 400, "invalid_input", "after")

	// A plain-text write is refused: no other site can post as the user.
	req, _ := http.NewRequest("POST", ts.URL+path+"/messages", strings.NewReader(`{"text":"hi"}`))
	req.Header.Set("Content-Type", "text/plain")
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("text/plain write: %d", resp.StatusCode)
	}

	// The account answers; the chat list shows the newest and counts unread.
	var ids []int64
	for i := range 3 {
		ids = append(ids, deliver(t, ts, userID, oa.AppID, fmt.Sprintf("news %d", i)))
	}
	deliver(t, ts, userID, other.AppID, "older")
	ids[2] = deliver(t, ts, userID, oa.AppID, "news 3") // newest of all: Daily News first

	msgs := list(b.ok("GET", path+"/messages", nil), "messages")
	if len(msgs) != 5 || num(msgs[0]["id"]) != mine || msgs[0]["direction"] != "in" || msgs[0]["body"].(map[string]any)["text"] != "hello" ||
		msgs[4]["direction"] != "out" || msgs[4]["body"].(map[string]any)["text"] != "news 3" {
		t.Fatalf("conversation: %v", msgs)
	}
	chats := list(b.ok("GET", "/shell/api/chats", nil), "chats")
	if len(chats) != 2 || chats[0]["appid"] != oa.AppID || num(chats[0]["unread"]) != 4 || num(chats[1]["unread"]) != 1 {
		t.Fatalf("chats: %v", chats)
	}
	if last := chats[0]["last"].(map[string]any); last["body"].(map[string]any)["text"] != "news 3" {
		t.Fatalf("last message: %v", last)
	}

	// Read up to a message, then everything.
	b.ok("POST", path+"/read", map[string]any{"up_to": ids[1]})
	if chats := list(b.ok("GET", "/shell/api/chats", nil), "chats"); num(chats[0]["unread"]) != 2 {
		t.Fatalf("after reading up to %d: %v", ids[1], chats)
	}
	b.ok("POST", path+"/read", map[string]any{})
	if chats := list(b.ok("GET", "/shell/api/chats", nil), "chats"); num(chats[0]["unread"]) != 0 || num(chats[1]["unread"]) != 1 {
		t.Fatalf("after reading all: %v", chats)
	}
	b.fails("POST", path+"/read", map[string]any{"up_to": -1}, 400, "invalid_input", "up_to")
	b.fails("POST", "/shell/api/oa/wx0000000000000000/read", map[string]any{}, 404, "account_not_found", "")

	// Pages: the newest 50, then older ones; after= returns what is new.
	for i := range 55 {
		deliver(t, ts, userID, oa.AppID, fmt.Sprintf("bulk %d", i))
	}
	page := b.ok("GET", path+"/messages", nil)
	newest := list(page, "messages")
	if len(newest) != 50 || page["more"] != true || newest[49]["body"].(map[string]any)["text"] != "bulk 54" {
		t.Fatalf("newest page: %d more=%v", len(newest), page["more"])
	}
	page = b.ok("GET", fmt.Sprintf("%s/messages?before=%d", path, num(newest[0]["id"])), nil)
	older := list(page, "messages")
	if len(older) != 10 || page["more"] != false || num(older[0]["id"]) != mine || num(older[9]["id"]) >= num(newest[0]["id"]) {
		t.Fatalf("older page: %d more=%v", len(older), page["more"])
	}
	page = b.ok("GET", fmt.Sprintf("%s/messages?after=%d", path, num(older[0]["id"])), nil)
	if after := list(page, "messages"); len(after) != 50 || page["more"] != true || num(after[0]["id"]) <= mine {
		t.Fatalf("after page: %d more=%v", len(after), page["more"])
	}
	last := num(newest[49]["id"])
	page = b.ok("GET", fmt.Sprintf("%s/messages?after=%d", path, last), nil)
	if len(list(page, "messages")) != 0 || page["more"] != false || num(page["last_id"]) != last {
		t.Fatalf("nothing new: %v", page)
	}

	// Another user sees none of it.
	b2, _ := testUser(t, ts)
	if msgs := list(b2.ok("GET", path+"/messages", nil), "messages"); len(msgs) != 0 {
		t.Fatalf("another user's view: %v", msgs)
	}
	if chats := list(b2.ok("GET", "/shell/api/chats", nil), "chats"); len(chats) != 0 {
		t.Fatalf("another user's chats: %v", chats)
	}
}

func TestOAActionsAreRateLimited(t *testing.T) {
	ts := testserver.New(t, testserver.Dev())
	oa := ts.CreateApp(t, "service", "Daily News")
	b, _ := testUser(t, ts)
	path := "/shell/api/oa/" + oa.AppID
	b.ok("POST", path+"/follow", map[string]any{}) // one action
	for i := range 59 {
		b.ok("POST", path+"/messages", map[string]any{"text": fmt.Sprint("spam ", i)})
	}
	resp := b.do("POST", path+"/messages", map[string]any{"text": "one too many"})
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("61st action: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// Other users are not affected, and reading is not an action.
	b.ok("GET", path+"/messages", nil)
	b2, _ := testUser(t, ts)
	b2.ok("POST", path+"/follow", map[string]any{})
	b2.ok("POST", path+"/messages", map[string]any{"text": "hi"})
}

// stream is an open /shell/api/events connection.
type stream struct {
	resp  *http.Response
	lines chan string
}

func openStream(t *testing.T, b *browser) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", b.base+"/shell/api/events", nil)
	resp, err := b.c.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		cancel()
		t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	s := &stream{resp: resp, lines: make(chan string, 100)}
	go func() {
		defer close(s.lines)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() { cancel(); resp.Body.Close() })
	return s
}

// next returns the next line that starts with prefix, skipping others.
func (s *stream) next(t *testing.T, prefix string) string {
	t.Helper()
	deadline := time.After(10 * time.Second) // a guard against hanging, not a measurement
	for {
		select {
		case l, ok := <-s.lines:
			if !ok {
				t.Fatalf("stream ended waiting for %q", prefix)
			}
			if strings.HasPrefix(l, prefix) {
				return l
			}
		case <-deadline:
			t.Fatalf("no %q line on the stream", prefix)
		}
	}
}

// event waits for the next event.
func (s *stream) event(t *testing.T) map[string]any {
	t.Helper()
	var e map[string]any
	if err := json.Unmarshal([]byte(strings.TrimPrefix(s.next(t, "data: "), "data: ")), &e); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestOAEventStream(t *testing.T) {
	ts := testserver.New(t, testserver.Dev())
	oa := ts.CreateApp(t, "service", "Daily News")
	other := ts.CreateApp(t, "service", "Other")
	alice, aliceID := testUser(t, ts)
	_, bobID := testUser(t, ts)

	s := openStream(t, alice)
	s.next(t, ": connected")
	if n := ts.Server.P.Live.Subscribers(); n != 1 {
		t.Fatalf("%d subscribers", n)
	}
	// Bob's message is not Alice's business; hers arrives.
	deliver(t, ts, bobID, other.AppID, "for bob")
	deliver(t, ts, aliceID, oa.AppID, "for alice")
	if e := s.event(t); e["type"] != "message" || e["appid"] != oa.AppID {
		t.Fatalf("event: %v", e)
	}
	// Following through the API is an event too.
	alice.ok("POST", "/shell/api/oa/"+other.AppID+"/follow", map[string]any{})
	if e := s.event(t); e["type"] != "follow" || e["appid"] != other.AppID {
		t.Fatalf("follow event: %v", e)
	}
	// Reading tells the user's other pages, so their unread counts drop.
	alice.ok("POST", "/shell/api/oa/"+oa.AppID+"/read", map[string]any{})
	if e := s.event(t); e["type"] != "read" || e["appid"] != oa.AppID {
		t.Fatalf("read event: %v", e)
	}

	signedOut := newBrowser(t, ts.URL, nil)
	signedOut.fails("GET", "/shell/api/events", nil, 401, "not_signed_in", "")
	alice.fails("POST", "/shell/api/events", map[string]any{}, 405, "method_not_allowed", "")
}

func TestOAEventStreamsPerUserAreBounded(t *testing.T) {
	ts := testserver.New(t, testserver.Dev())
	b, _ := testUser(t, ts)
	for range 16 {
		openStream(t, b).next(t, ": connected")
	}
	b.fails("GET", "/shell/api/events", nil, 429, "too_many_streams", "")
	// Another user still gets one.
	other, _ := testUser(t, ts)
	openStream(t, other).next(t, ": connected")
}

// TestOAEventStreamOutlivesServerTimeouts runs the handler in an
// http.Server with tiny read and write timeouts, like the real server's
// (which are a minute): a stream must outlive them, and a graceful
// shutdown must end it rather than wait for it.
func TestOAEventStreamOutlivesServerTimeouts(t *testing.T) {
	ts := testserver.New(t, testserver.Dev())
	oa := ts.CreateApp(t, "service", "Daily News")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: ts.Server.Handler(), ReadTimeout: 50 * time.Millisecond, WriteTimeout: 50 * time.Millisecond}
	go srv.Serve(ln)
	base := "http://" + ln.Addr().String()
	b := newBrowser(t, base, nil)
	u := userOf(b.ok("POST", "/shell/api/test-user", map[string]any{}))

	s := openStream(t, b)
	s.next(t, ": connected")
	time.Sleep(200 * time.Millisecond) // past both timeouts
	deliver(t, ts, str(u["id"]), oa.AppID, "still there?")
	if e := s.event(t); e["appid"] != oa.AppID {
		t.Fatalf("event: %v", e)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown with an open stream: %v", err)
	}
	for range s.lines {
	} // the stream ended
	if n := ts.Server.P.Live.Subscribers(); n != 0 {
		t.Fatalf("%d subscribers after shutdown", n)
	}
}

// qrPNG is a PNG of a QR code holding text.
func qrPNG(t *testing.T, text string) []byte {
	t.Helper()
	png, err := qrencode.Encode(text, qrencode.Medium, 256)
	if err != nil {
		t.Fatal(err)
	}
	return png
}

// upload posts a picture to the scan endpoint as a browser's form would.
func (b *browser) upload(t *testing.T, field string, data []byte, origin string) (int, map[string]any) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile(field, "code.png")
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", b.base+"/shell/api/scan", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("scan upload: %d %s", resp.StatusCode, raw)
	}
	return resp.StatusCode, m
}

func TestOAScanOtherCodes(t *testing.T) {
	ts := testserver.New(t, testserver.Dev())
	b, _ := testUser(t, ts)

	if m := b.ok("POST", "/shell/api/scan", map[string]any{"url": " https://example.com/page?x=1 "}); m["url"] != "https://example.com/page?x=1" || m["appid"] != nil {
		t.Fatalf("scan a web address: %v", m)
	}
	if m := b.ok("POST", "/shell/api/scan", map[string]any{"url": "just some words"}); m["text"] != "just some words" || m["url"] != nil {
		t.Fatalf("scan text: %v", m)
	}
	if m := b.ok("POST", "/shell/api/scan", map[string]any{"url": "javascript:alert(1)"}); m["url"] != nil {
		t.Fatalf("a script address is not one to open: %v", m)
	}
	b.fails("POST", "/shell/api/scan", map[string]any{"url": ""}, 400, "invalid_input", "url")
	b.fails("GET", "/shell/api/scan", nil, 405, "method_not_allowed", "")

	// A picture: the server finds the code in it.
	status, m := b.upload(t, "image", qrPNG(t, "https://example.com/from-a-picture"), ts.URL)
	if status != 200 || m["url"] != "https://example.com/from-a-picture" {
		t.Fatalf("scan a picture: %d %v", status, m)
	}
	// Forms from other sites, or without an Origin, are refused.
	for _, origin := range []string{"", "https://evil.example"} {
		if status, m := b.upload(t, "image", qrPNG(t, "https://example.com/"), origin); status != 403 {
			t.Fatalf("upload with Origin %q: %d %v", origin, status, m)
		}
	}
	blank := image.NewGray(image.Rect(0, 0, 64, 64))
	for i := range blank.Pix {
		blank.Pix[i] = 255
	}
	blank.Set(3, 3, color.Black)
	var buf bytes.Buffer
	png.Encode(&buf, blank)
	for _, c := range []struct {
		field string
		data  []byte
		code  string
	}{
		{"image", buf.Bytes(), "no_qr_code"},
		{"image", []byte("not a picture"), "invalid_input"},
		{"photo", qrPNG(t, "https://example.com/"), "invalid_input"},
	} {
		status, m := b.upload(t, c.field, c.data, ts.URL)
		if e, _ := m["error"].(map[string]any); status != 400 || e["code"] != c.code || e["field"] != "image" {
			t.Fatalf("upload %s: %d %v; want %s", c.field, status, m, c.code)
		}
	}
}

func TestOAMedia(t *testing.T) {
	ts := testserver.New(t, testserver.Dev())
	oa := ts.CreateApp(t, "service", "Daily News")
	picture := qrPNG(t, "a picture")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("media", "cover.png")
	fw.Write(picture)
	mw.Close()
	resp, err := http.Post(ts.URL+"/cgi-bin/media/upload?type=image&access_token="+ts.AccessToken(t, oa), mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	var up map[string]any
	json.NewDecoder(resp.Body).Decode(&up)
	resp.Body.Close()
	id := str(up["media_id"])
	if id == "" {
		t.Fatalf("media/upload: %v", up)
	}

	newBrowser(t, ts.URL, nil).fails("GET", "/shell/media/"+id, nil, 401, "not_signed_in", "")
	b, _ := testUser(t, ts)
	resp = b.do("GET", "/shell/media/"+id, nil)
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	h := resp.Header
	if resp.StatusCode != 200 || !bytes.Equal(got, picture) || h.Get("Content-Type") != "image/png" ||
		!strings.HasPrefix(h.Get("Content-Disposition"), "inline") || h.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("media: %d %d bytes, headers %v", resp.StatusCode, len(got), h)
	}
	b.fails("GET", "/shell/media/no-such-media", nil, 404, "media_not_found", "")
}

// pushDoc is what a developer server reads from a push (plain mode).
type pushDoc struct {
	ToUserName   string
	FromUserName string
	MsgType      string
	Content      string
	Event        string
	EventKey     string
	Ticket       string
	BizMsgMenuID string `xml:"bizmsgmenuid"`
	ScanCodeInfo struct {
		ScanResult string
	}
	SendLocationInfo struct {
		Label string
	}
}

// developerServer is an official account's server in plain mode: it
// passes URL verification, records every push and answers text messages
// and CLICK events with a passive text reply.
func developerServer(t *testing.T, ts *testserver.Server, appid string) <-chan pushDoc {
	t.Helper()
	pushes := make(chan pushDoc, 100)
	dev := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "GET" {
			io.WriteString(w, r.URL.Query().Get("echostr"))
			return
		}
		var d pushDoc
		if err := xml.NewDecoder(r.Body).Decode(&d); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		pushes <- d
		reply := ""
		switch {
		case d.MsgType == "text":
			reply = "echo: " + d.Content
		case d.Event == "CLICK":
			reply = "you tapped " + d.EventKey
		default:
			io.WriteString(w, "success")
			return
		}
		fmt.Fprintf(w, "<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName><CreateTime>%d</CreateTime>"+
			"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content></xml>", d.FromUserName, d.ToUserName, time.Now().Unix(), reply)
	}))
	t.Cleanup(dev.Close)
	ts.Call(t, "PUT", "/admin/v1/apps/"+appid+"/callback", map[string]string{"url": dev.URL + "/wx", "token": "tok3n", "mode": "plain"}, nil)
	return pushes
}

func nextPush(t *testing.T, pushes <-chan pushDoc) pushDoc {
	t.Helper()
	select {
	case d := <-pushes:
		return d
	case <-time.After(10 * time.Second): // a guard against hanging
		t.Fatal("no push reached the developer server")
	}
	return pushDoc{}
}

// waitForMessage follows the event stream until the conversation holds an
// account's message with text, and returns the conversation.
func waitForMessage(t *testing.T, b *browser, s *stream, appid, text string) []map[string]any {
	t.Helper()
	for {
		msgs := list(b.ok("GET", "/shell/api/oa/"+appid+"/messages", nil), "messages")
		for _, m := range msgs {
			if m["direction"] == "out" && m["body"].(map[string]any)["text"] == text {
				return msgs
			}
		}
		if e := s.event(t); e["appid"] != appid {
			t.Fatalf("event for another account: %v", e)
		}
	}
}

func TestOASendGetsThePassiveReplyLive(t *testing.T) {
	ts := testserver.New(t, testserver.Dev())
	oa := ts.CreateApp(t, "service", "Echo")
	pushes := developerServer(t, ts, oa.AppID)
	b, _ := testUser(t, ts)
	b.ok("POST", "/shell/api/oa/"+oa.AppID+"/follow", map[string]any{"scene": "ADD_SCENE_SEARCH"})
	if d := nextPush(t, pushes); d.Event != "subscribe" || d.EventKey != "" {
		t.Fatalf("follow push: %+v", d)
	}

	s := openStream(t, b)
	s.next(t, ": connected")
	b.ok("POST", "/shell/api/oa/"+oa.AppID+"/messages", map[string]any{"text": "hello", "bizmsgmenuid": "101"})
	if d := nextPush(t, pushes); d.MsgType != "text" || d.Content != "hello" || d.BizMsgMenuID != "101" {
		t.Fatalf("message push: %+v", d)
	}
	msgs := waitForMessage(t, b, s, oa.AppID, "echo: hello")
	if len(msgs) != 2 || msgs[0]["direction"] != "in" || msgs[0]["body"].(map[string]any)["text"] != "hello" || msgs[1]["source"] != "reply" {
		t.Fatalf("conversation: %v", msgs)
	}
	if chats := list(b.ok("GET", "/shell/api/chats", nil), "chats"); num(chats[0]["unread"]) != 1 {
		t.Fatalf("the reply is unread: %v", chats)
	}
}

func TestOAMenuTaps(t *testing.T) {
	ts := testserver.New(t, testserver.Dev())
	oa := ts.CreateApp(t, "service", "Daily News")
	mp := ts.CreateApp(t, "miniprogram", "Shop")
	tok := ts.AccessToken(t, oa)
	menu := fmt.Sprintf(`{"button":[
		{"type":"click","name":"Today","key":"TODAY"},
		{"name":"More","sub_button":[
			{"type":"view","name":"Site","url":"https://example.com/site"},
			{"type":"miniprogram","name":"Shop","url":"https://example.com/shop","appid":%q,"pagepath":"pages/index?from=menu"},
			{"type":"scancode_push","name":"Scan","key":"SCAN1"},
			{"type":"location_select","name":"Where","key":"LOC"}]}]}`, mp.AppID)
	if m := ts.Post(t, "/cgi-bin/menu/create?access_token="+tok, menu); testserver.Errcode(m) != 0 {
		t.Fatalf("menu/create: %v", m)
	}
	pushes := developerServer(t, ts, oa.AppID)
	b, _ := testUser(t, ts)
	path := "/shell/api/oa/" + oa.AppID

	b.fails("POST", path+"/menu/tap", map[string]any{"top": 0}, 409, "not_following", "")
	b.ok("POST", path+"/follow", map[string]any{})
	nextPush(t, pushes) // subscribe

	got := b.ok("GET", path+"/menu", nil)["menu"].(map[string]any)
	buttons := got["button"].([]any)
	if len(buttons) != 2 || buttons[0].(map[string]any)["name"] != "Today" || len(buttons[1].(map[string]any)["sub_button"].([]any)) != 4 {
		t.Fatalf("menu: %v", got)
	}

	s := openStream(t, b)
	s.next(t, ": connected")
	if r := b.ok("POST", path+"/menu/tap", map[string]any{"top": 0}); num(r["callback_id"]) == 0 || r["open_url"] != nil {
		t.Fatalf("tap Today: %v", r)
	}
	if d := nextPush(t, pushes); d.Event != "CLICK" || d.EventKey != "TODAY" {
		t.Fatalf("click push: %+v", d)
	}
	waitForMessage(t, b, s, oa.AppID, "you tapped TODAY")

	if r := b.ok("POST", path+"/menu/tap", map[string]any{"top": 1, "sub": 0}); r["open_url"] != "https://example.com/site" {
		t.Fatalf("tap Site: %v", r)
	}
	if d := nextPush(t, pushes); d.Event != "VIEW" || d.EventKey != "https://example.com/site" {
		t.Fatalf("view push: %+v", d)
	}
	r := b.ok("POST", path+"/menu/tap", map[string]any{"top": 1, "sub": 1})
	if link, _ := r["miniprogram"].(map[string]any); link["appid"] != mp.AppID || link["pagepath"] != "pages/index?from=menu" {
		t.Fatalf("tap Shop: %v", r)
	}
	if d := nextPush(t, pushes); d.Event != "view_miniprogram" {
		t.Fatalf("mini program push: %+v", d)
	}
	b.ok("POST", path+"/menu/tap", map[string]any{"top": 1, "sub": 2, "scan_result": "https://example.com/code"})
	if d := nextPush(t, pushes); d.Event != "scancode_push" || d.ScanCodeInfo.ScanResult != "https://example.com/code" {
		t.Fatalf("scan push: %+v", d)
	}
	b.ok("POST", path+"/menu/tap", map[string]any{"top": 1, "sub": 3, "location": map[string]any{"latitude": 31.23, "longitude": 121.47, "label": "Shanghai"}})
	if d := nextPush(t, pushes); d.Event != "location_select" || d.SendLocationInfo.Label != "Shanghai" {
		t.Fatalf("location push: %+v", d)
	}

	b.fails("POST", path+"/menu/tap", map[string]any{"top": 2}, 404, "no_such_button", "")
	b.fails("POST", path+"/menu/tap", map[string]any{"top": 1, "sub": 9}, 404, "no_such_button", "")
	b.fails("POST", path+"/menu/tap", map[string]any{}, 400, "invalid_input", "top")
	b.fails("POST", path+"/menu/tap", map[string]any{"top": 1, "sub": -2}, 400, "invalid_input", "sub")
	b.fails("POST", path+"/menu/tap", map[string]any{"top": 1, "sub": 2}, 400, "invalid_input", "scan_result")
	b.fails("POST", path+"/menu/tap", map[string]any{"top": 1, "sub": 3, "location": map[string]any{"latitude": 91, "longitude": 0}}, 400, "invalid_input", "location")
	b.fails("POST", path+"/menu/tap", map[string]any{"top": 1, "sub": 3, "location": map[string]any{"latitude": 1, "longitude": 1, "label": "a\x00"}}, 400, "invalid_input", "location")

	// An account without a menu answers null.
	plain := ts.CreateApp(t, "subscription", "Plain")
	b.ok("POST", "/shell/api/oa/"+plain.AppID+"/follow", map[string]any{})
	if m := b.ok("GET", "/shell/api/oa/"+plain.AppID+"/menu", nil); m["menu"] != nil {
		t.Fatalf("no menu: %v", m)
	}
}

// createQRCode makes one of oa's parametric QR codes through the wire API
// and returns its URL.
func createQRCode(t *testing.T, ts *testserver.Server, oa testserver.App, body string) string {
	t.Helper()
	m := ts.Post(t, "/cgi-bin/qrcode/create?access_token="+ts.AccessToken(t, oa), body)
	u := str(m["url"])
	if testserver.Errcode(m) != 0 || u == "" {
		t.Fatalf("qrcode/create: %v", m)
	}
	return u
}

func TestOAQRCodeURL(t *testing.T) {
	ts := testserver.New(t, testserver.Dev())
	oa := ts.CreateApp(t, "service", "Daily News")
	pushes := developerServer(t, ts, oa.AppID)
	qr := createQRCode(t, ts, oa, `{"expire_seconds":600,"action_name":"QR_STR_SCENE","action_info":{"scene":{"scene_str":"poster"}}}`)
	u, err := url.Parse(qr)
	if err != nil || !strings.HasPrefix(u.Path, "/q/") {
		t.Fatalf("QR code URL %q", qr)
	}
	b, userID := testUser(t, ts)

	// Opening the URL follows with the code's scene, then opens the chat.
	resp := b.do("GET", u.Path, nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/chats/"+oa.AppID {
		t.Fatalf("open %s: %d %q", u.Path, resp.StatusCode, resp.Header.Get("Location"))
	}
	f, err := ts.Server.P.OA.Relation(context.Background(), oa.AppID, userID)
	if err != nil || f == nil || !f.Subscribed || f.SubscribeScene != officialaccount.SceneQRCode || f.QRSceneStr != "poster" {
		t.Fatalf("relation: %+v %v", f, err)
	}
	if d := nextPush(t, pushes); d.Event != "subscribe" || d.EventKey != "qrscene_poster" || d.Ticket == "" {
		t.Fatalf("subscribe push: %+v", d)
	}
	// A follower opening it again raises SCAN.
	resp = b.do("GET", u.Path, nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("open again: %d", resp.StatusCode)
	}
	if d := nextPush(t, pushes); d.Event != "SCAN" || d.EventKey != "poster" {
		t.Fatalf("scan push: %+v", d)
	}

	// The scan endpoint: the code's URL under any host, or its picture.
	b.ok("POST", "/shell/api/oa/"+oa.AppID+"/unfollow", map[string]any{})
	nextPush(t, pushes) // unsubscribe
	if m := b.ok("POST", "/shell/api/scan", map[string]any{"url": "http://superapp.example" + u.Path}); m["appid"] != oa.AppID || m["url"] != nil {
		t.Fatalf("scan the URL: %v", m)
	}
	if d := nextPush(t, pushes); d.Event != "subscribe" || d.EventKey != "qrscene_poster" {
		t.Fatalf("subscribe push after scanning: %+v", d)
	}
	b.ok("POST", "/shell/api/oa/"+oa.AppID+"/unfollow", map[string]any{})
	nextPush(t, pushes)
	permanent := createQRCode(t, ts, oa, `{"action_name":"QR_LIMIT_SCENE","action_info":{"scene":{"scene_id":42}}}`)
	status, m := b.upload(t, "image", qrPNG(t, permanent), ts.URL)
	if status != 200 || m["appid"] != oa.AppID {
		t.Fatalf("scan a picture of the code: %d %v", status, m)
	}
	if d := nextPush(t, pushes); d.Event != "subscribe" || d.EventKey != "qrscene_42" {
		t.Fatalf("subscribe push after the picture: %+v", d)
	}

	// Expired and unknown codes say so.
	code := strings.TrimPrefix(u.Path, "/q/")
	if _, err := ts.Server.P.DB.Exec(context.Background(), "UPDATE oa_qrcodes SET expires_at = 1 WHERE code = ?", code); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path   string
		status int
		says   string
	}{
		{u.Path, http.StatusGone, "This QR code has expired"},
		{"/q/NoSuchCode", http.StatusNotFound, "This QR code is not valid"},
		{"/q/bad%20code", http.StatusNotFound, "This QR code is not valid"},
	} {
		resp := b.do("GET", c.path, nil)
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || !strings.Contains(string(page), c.says) || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(string(page), `href="/shell/assets/app-`) {
			t.Fatalf("GET %s: %d %s", c.path, resp.StatusCode, page)
		}
	}
	b.fails("POST", "/shell/api/scan", map[string]any{"url": qr}, 410, "qrcode_expired", "")
	b.fails("POST", "/shell/api/scan", map[string]any{"url": "https://example.com/q/NoSuchCode"}, 404, "qrcode_not_found", "")
}
