package adminapi_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"superapp/internal/callback"
	"superapp/internal/testserver"
)

// replyingBackend is a developer server in plain mode that answers text
// with "echo: <text>", a follow with "welcome", a scan with "scanned <key>",
// a menu click with a news card, and anything else with "success".
func replyingBackend(t *testing.T, s *testserver.Server, appid string) {
	t.Helper()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			io.WriteString(w, r.URL.Query().Get("echostr"))
			return
		}
		var in struct {
			ToUserName, FromUserName, MsgType, Content, Event, EventKey string
		}
		raw, _ := io.ReadAll(r.Body)
		if err := xml.Unmarshal(raw, &in); err != nil {
			t.Errorf("push is not XML: %s", raw)
			return
		}
		head := fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName><CreateTime>1700000000</CreateTime>", in.FromUserName, in.ToUserName)
		text := func(s string) {
			fmt.Fprintf(w, "%s<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content></xml>", head, s)
		}
		switch {
		case in.MsgType == "text":
			text("echo: " + in.Content)
		case in.Event == "subscribe":
			text("welcome")
		case in.Event == "SCAN":
			text("scanned " + in.EventKey)
		case in.Event == "CLICK":
			fmt.Fprintf(w, "%s<MsgType><![CDATA[news]]></MsgType><ArticleCount>1</ArticleCount><Articles><item><Title><![CDATA[Today %s]]></Title><Description><![CDATA[d]]></Description><PicUrl><![CDATA[https://example.com/p.png]]></PicUrl><Url><![CDATA[https://example.com/today]]></Url></item></Articles></xml>", head, in.EventKey)
		default:
			io.WriteString(w, "success")
		}
	}))
	t.Cleanup(hs.Close)
	if _, err := s.Server.P.OA.Dispatcher().Configure(context.Background(), appid, callback.Settings{URL: hs.URL, Token: "simtoken"}); err != nil {
		t.Fatal(err)
	}
}

// simAnswer is what the action endpoints answer.
type simAnswer struct {
	AppID      string `json:"appid"`
	User       string `json:"user"`
	OpenID     string `json:"openid"`
	Event      string `json:"event"`
	Subscribed *bool  `json:"subscribed"`
	MessageID  int64  `json:"message_id"`
	Replies    []struct {
		Direction string `json:"direction"`
		Kind      string `json:"kind"`
		Source    string `json:"source"`
		Body      struct {
			Text     string `json:"text"`
			Articles []struct {
				Title, URL string
			} `json:"articles"`
		} `json:"body"`
	} `json:"replies"`
	Pending bool `json:"pending"`
}

func simCall(t *testing.T, s *testserver.Server, path string, body any) simAnswer {
	t.Helper()
	var a simAnswer
	s.Call(t, "POST", path, body, &a)
	return a
}

func TestSimOfficialAccountSession(t *testing.T) {
	s := testserver.New(t, testserver.Dev())
	oa := s.CreateApp(t, "service", "News")
	replyingBackend(t, s, oa.AppID)
	u := s.CreateUser(t, "alice", "13800138000")
	openid := s.Server.P.Identity.OpenID(oa.AppID, u.ID)

	// The user is found by id, phone or unique name.
	a := simCall(t, s, "/sim/v1/oa/follow", map[string]string{"appid": oa.AppID, "user": "13800138000", "scene": "search"})
	if a.Event != "subscribe" || a.OpenID != openid || a.User != u.ID || a.Subscribed == nil || !*a.Subscribed || len(a.Replies) != 1 || a.Replies[0].Body.Text != "welcome" {
		t.Fatalf("follow = %+v", a)
	}
	if f, _ := s.Server.P.OA.Relation(context.Background(), oa.AppID, u.ID); f.SubscribeScene != "ADD_SCENE_SEARCH" {
		t.Fatalf("subscribe_scene = %s", f.SubscribeScene)
	}
	// Following again does nothing: no event, no replies.
	if a := simCall(t, s, "/sim/v1/oa/follow", map[string]string{"appid": oa.AppID, "user": "alice"}); a.Event != "" || len(a.Replies) != 0 {
		t.Fatalf("follow again = %+v", a)
	}

	a = simCall(t, s, "/sim/v1/oa/send", map[string]string{"appid": oa.AppID, "user": u.ID, "text": "hello"})
	if a.MessageID == 0 || len(a.Replies) != 1 || a.Replies[0].Kind != "text" || a.Replies[0].Body.Text != "echo: hello" || a.Replies[0].Direction != "out" || a.Pending {
		t.Fatalf("send = %+v", a)
	}
	// Other kinds of UserMessage go through the same endpoint.
	a = simCall(t, s, "/sim/v1/oa/send", map[string]any{"appid": oa.AppID, "user": u.ID, "kind": "location", "location": map[string]any{"latitude": 23.1, "longitude": 113.3, "label": "Canton Tower"}})
	if a.MessageID == 0 || len(a.Replies) != 0 {
		t.Fatalf("send location = %+v", a)
	}

	// A click on the menu's button.
	menu := `{"button":[{"type":"click","name":"Today","key":"TODAY"}]}`
	if m := s.Post(t, "/cgi-bin/menu/create?access_token="+s.AccessToken(t, oa), menu); testserver.Errcode(m) != 0 {
		t.Fatalf("menu/create = %v", m)
	}
	a = simCall(t, s, "/sim/v1/oa/click", map[string]string{"appid": oa.AppID, "user": u.ID, "key": "TODAY"})
	if a.Event != "CLICK" || len(a.Replies) != 1 || a.Replies[0].Kind != "news" || len(a.Replies[0].Body.Articles) != 1 || a.Replies[0].Body.Articles[0].Title != "Today TODAY" {
		t.Fatalf("click = %+v", a)
	}
	status, raw := s.Do(t, "POST", "/sim/v1/oa/click", map[string]string{"appid": oa.AppID, "user": u.ID, "key": "NOPE"})
	if status != 404 || !strings.Contains(string(raw), "no_such_button") {
		t.Fatalf("click on a missing key: %d %s", status, raw)
	}

	// A scan of a parametric code by the follower: SCAN.
	qr := s.Post(t, "/cgi-bin/qrcode/create?access_token="+s.AccessToken(t, oa), `{"action_name":"QR_LIMIT_STR_SCENE","action_info":{"scene":{"scene_str":"door"}}}`)
	link, _ := qr["url"].(string)
	// Any host will do: only /q/<code> matters.
	other := strings.Replace(link, strings.TrimPrefix(s.URL, "http://"), "scan.example.com", 1)
	a = simCall(t, s, "/sim/v1/oa/scan", map[string]string{"user": u.ID, "url": other})
	if a.Event != "SCAN" || a.AppID != oa.AppID || len(a.Replies) != 1 || a.Replies[0].Body.Text != "scanned door" {
		t.Fatalf("scan = %+v", a)
	}

	// The inbox: what the user received, oldest first; all=1 adds the
	// user's own messages.
	var inbox []struct {
		Direction string `json:"direction"`
		Kind      string `json:"kind"`
		Body      struct {
			Text string `json:"text"`
		} `json:"body"`
	}
	q := url.Values{"appid": {oa.AppID}, "user": {"alice"}}
	s.Call(t, "GET", "/sim/v1/oa/inbox?"+q.Encode(), nil, &inbox)
	var got []string
	for _, m := range inbox {
		got = append(got, m.Direction+":"+m.Kind+":"+m.Body.Text)
	}
	if strings.Join(got, "|") != "out:text:welcome|out:text:echo: hello|out:news:|out:text:scanned door" {
		t.Fatalf("inbox = %v", got)
	}
	q.Set("all", "1")
	s.Call(t, "GET", "/sim/v1/oa/inbox?"+q.Encode(), nil, &inbox)
	if len(inbox) != 6 || inbox[1].Direction != "in" || inbox[1].Body.Text != "hello" || inbox[3].Kind != "location" {
		t.Fatalf("inbox with all=1 = %+v", inbox)
	}

	a = simCall(t, s, "/sim/v1/oa/unfollow", map[string]string{"appid": oa.AppID, "user": u.ID})
	if a.Event != "unsubscribe" || a.Subscribed == nil || *a.Subscribed || len(a.Replies) != 0 {
		t.Fatalf("unfollow = %+v", a)
	}
	if a := simCall(t, s, "/sim/v1/oa/unfollow", map[string]string{"appid": oa.AppID, "user": u.ID}); a.Event != "" {
		t.Fatalf("unfollow again = %+v", a)
	}
	// Not following: sending is refused, naming the user and the account.
	status, raw = s.Do(t, "POST", "/sim/v1/oa/send", map[string]string{"appid": oa.AppID, "user": u.ID, "text": "still there?"})
	if status != 409 || !strings.Contains(string(raw), `"not_following"`) || !strings.Contains(string(raw), u.ID) || !strings.Contains(string(raw), oa.AppID) {
		t.Fatalf("send while not following: %d %s", status, raw)
	}
	// Scanning the code again follows through it.
	a = simCall(t, s, "/sim/v1/oa/scan", map[string]string{"user": u.ID, "url": link})
	if a.Event != "subscribe" || len(a.Replies) != 1 || a.Replies[0].Body.Text != "welcome" {
		t.Fatalf("scan by a former follower = %+v", a)
	}
	if f, _ := s.Server.P.OA.Relation(context.Background(), oa.AppID, u.ID); f.SubscribeScene != "ADD_SCENE_QR_CODE" || f.QRSceneStr != "door" {
		t.Fatalf("relation after following by scan = %+v", f)
	}

	// Blacklisted: still following, but messages are refused.
	if err := s.Server.P.OA.SetBlacklisted(context.Background(), oa.AppID, []string{openid}, true); err != nil {
		t.Fatal(err)
	}
	status, raw = s.Do(t, "POST", "/sim/v1/oa/send", map[string]string{"appid": oa.AppID, "user": u.ID, "text": "hi"})
	if status != 409 || !strings.Contains(string(raw), `"blacklisted"`) {
		t.Fatalf("send while blacklisted: %d %s", status, raw)
	}
}

func TestSimOfficialAccountBadInput(t *testing.T) {
	s := testserver.New(t)
	oa := s.CreateApp(t, "subscription", "Blog")
	mp := s.CreateApp(t, "miniprogram", "Shop")
	u := s.CreateUser(t, "bob", "")
	qr := s.Post(t, "/cgi-bin/qrcode/create?access_token="+s.AccessToken(t, oa), `{"action_name":"QR_SCENE","action_info":{"scene":{"scene_id":5}}}`)
	link, _ := qr["url"].(string)
	ticket, _ := qr["ticket"].(string)
	if _, err := s.Server.P.DB.Exec(context.Background(), "UPDATE oa_qrcodes SET expires_at = 1700000000 WHERE ticket = ?", ticket); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, method, path string
		body               any
		status             int
		code, field        string
		message            string
	}{
		{"follow without appid", "POST", "/sim/v1/oa/follow", map[string]string{"user": u.ID}, 400, "invalid_input", "appid", "appid: must not be empty"},
		{"follow without user", "POST", "/sim/v1/oa/follow", map[string]string{"appid": oa.AppID}, 400, "invalid_input", "user", "user: must not be empty"},
		{"follow a mini program", "POST", "/sim/v1/oa/follow", map[string]string{"appid": mp.AppID, "user": u.ID}, 400, "invalid_input", "appid", "appid: " + mp.AppID + " is a miniprogram account; this action needs a subscription or service account"},
		{"follow an unknown app", "POST", "/sim/v1/oa/follow", map[string]string{"appid": "wx0000000000000000", "user": u.ID}, 404, "not_found", "", "app not found"},
		{"follow as an unknown user", "POST", "/sim/v1/oa/follow", map[string]string{"appid": oa.AppID, "user": "nobody"}, 404, "not_found", "", "user not found"},
		{"follow with an unknown scene", "POST", "/sim/v1/oa/follow", map[string]string{"appid": oa.AppID, "user": u.ID, "scene": "billboard"}, 400, "invalid_input", "scene", `scene: unknown follow scene "billboard"; use one of account_migration, channels,`},
		{"follow with an unknown field", "POST", "/sim/v1/oa/follow", map[string]string{"appid": oa.AppID, "user": u.ID, "sceen": "search"}, 400, "invalid_input", "body", `body: is not valid JSON for this request: json: unknown field "sceen"`},
		{"send while not following", "POST", "/sim/v1/oa/send", map[string]string{"appid": oa.AppID, "user": u.ID, "text": "hi"}, 409, "not_following", "", "user " + u.ID + " does not follow " + oa.AppID},
		{"send an empty text", "POST", "/sim/v1/oa/send", map[string]string{"appid": oa.AppID, "user": u.ID}, 400, "invalid_input", "text", "text: must not be empty"},
		{"send an unknown kind", "POST", "/sim/v1/oa/send", map[string]string{"appid": oa.AppID, "user": u.ID, "kind": "sticker"}, 400, "invalid_input", "kind", "kind: must be text, image, voice, video, location or link"},
		{"click without key", "POST", "/sim/v1/oa/click", map[string]string{"appid": oa.AppID, "user": u.ID}, 400, "invalid_input", "key", "key: must not be empty"},
		{"scan without url", "POST", "/sim/v1/oa/scan", map[string]string{"user": u.ID}, 400, "invalid_input", "url", "url: must not be empty"},
		{"scan a URL that is no QR code's", "POST", "/sim/v1/oa/scan", map[string]string{"user": u.ID, "url": "https://example.com/article/1"}, 400, "invalid_input", "url", "url: must be a QR code URL of the form http(s)://<host>/q/<code>"},
		{"scan a bare code", "POST", "/sim/v1/oa/scan", map[string]string{"user": u.ID, "url": "abc"}, 400, "invalid_input", "url", "url: must be a QR code URL"},
		{"scan an unknown code", "POST", "/sim/v1/oa/scan", map[string]string{"user": u.ID, "url": "http://localhost/q/unknowncode"}, 404, "not_found", "url", "url: no QR code has this URL's code"},
		{"scan an expired code", "POST", "/sim/v1/oa/scan", map[string]string{"user": u.ID, "url": link}, 410, "qrcode_expired", "url", "url: this QR code has expired: it was valid until 2023-11-14 22:13:20 UTC"},
		{"inbox without user", "GET", "/sim/v1/oa/inbox?appid=" + oa.AppID, nil, 400, "invalid_input", "user", "user: must not be empty"},
		{"inbox with all=yes", "GET", "/sim/v1/oa/inbox?appid=" + oa.AppID + "&user=" + u.ID + "&all=yes", nil, 400, "invalid_input", "all", "all: must be 1"},
		{"inbox for a user that is not UTF-8", "GET", "/sim/v1/oa/inbox?appid=" + oa.AppID + "&user=%FF", nil, 400, "invalid_input", "user", "user: must be UTF-8 text without NUL"},
	} {
		status, raw := s.Do(t, c.method, c.path, c.body)
		var p struct {
			Error struct{ Code, Field, Message string } `json:"error"`
		}
		json.Unmarshal(raw, &p)
		if status != c.status || p.Error.Code != c.code || p.Error.Field != c.field || !strings.HasPrefix(p.Error.Message, c.message) {
			t.Errorf("%s: %d %s, want %d %s field %q message %q…", c.name, status, raw, c.status, c.code, c.field, c.message)
		}
	}
	// Nothing of that made bob a follower.
	if f, _ := s.Server.P.OA.Relation(context.Background(), oa.AppID, u.ID); f != nil {
		t.Fatalf("bad input made a follower: %+v", f)
	}
}
