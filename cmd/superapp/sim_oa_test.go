package main

import (
	"encoding/json"
	"strings"
	"testing"

	"superapp/internal/testserver"
)

// The simulated user's commands against an account that answers with its
// auto-replies (no developer server).
func TestSimOfficialAccountCommands(t *testing.T) {
	s := testserver.New(t)
	t.Setenv("SUPERAPP_OPERATOR_KEY", testserver.OperatorKey)
	oa := s.CreateApp(t, "subscription", "Blog")
	u := s.CreateUser(t, "carol", "")
	s.Call(t, "PUT", "/admin/v1/apps/"+oa.AppID+"/autoreply", map[string]any{
		"follow_reply":  map[string]any{"enabled": true, "reply": map[string]string{"type": "text", "content": "Thanks for following!"}},
		"default_reply": map[string]any{"enabled": true, "reply": map[string]string{"type": "text", "content": "Say news."}},
		"keyword_rules": []map[string]any{{
			"rule_name": "news", "keywords": []map[string]string{{"match_mode": "equal", "content": "news"}},
			"replies": []map[string]any{{"type": "news", "news": []map[string]string{
				{"title": "Launch day", "description": "It is out", "picurl": "https://example.com/a.png", "url": "https://example.com/launch"},
				{"title": "Roadmap", "description": "Next", "picurl": "https://example.com/b.png", "url": "https://example.com/roadmap"}}}},
		}},
	}, nil)

	run := func(args ...string) string {
		t.Helper()
		code, out, errs := cli(t, s, args...)
		if code != 0 {
			t.Fatalf("superapp %s: exit %d: %s", strings.Join(args, " "), code, errs)
		}
		return out
	}

	if out := run("sim", "follow", "--appid", oa.AppID, "--user", "carol", "--scene", "profile_card"); out != "Thanks for following!\n" {
		t.Fatalf("sim follow printed %q", out)
	}
	if out := run("sim", "send", "--appid", oa.AppID, "--user", u.ID, "--text", "news"); out != "[news] Launch day — https://example.com/launch\n[news] Roadmap — https://example.com/roadmap\n" {
		t.Fatalf("sim send printed %q", out)
	}
	out := run("sim", "send", "--appid", oa.AppID, "--user", u.ID, "--text", "hello", "--json")
	var answer struct {
		MessageID int64 `json:"message_id"`
		Replies   []struct {
			Kind string `json:"kind"`
			Body struct {
				Text string `json:"text"`
			} `json:"body"`
		} `json:"replies"`
	}
	if err := json.Unmarshal([]byte(out), &answer); err != nil || answer.MessageID == 0 || len(answer.Replies) != 1 || answer.Replies[0].Body.Text != "Say news." {
		t.Fatalf("sim send --json printed %s (%v)", out, err)
	}

	var inbox []struct {
		Direction string `json:"direction"`
		Kind      string `json:"kind"`
	}
	if err := json.Unmarshal([]byte(run("sim", "inbox", "--appid", oa.AppID, "--user", u.ID)), &inbox); err != nil || len(inbox) != 3 {
		t.Fatalf("sim inbox: %d messages, %v; want the follow reply, the news and the default reply", len(inbox), err)
	}
	if err := json.Unmarshal([]byte(run("sim", "inbox", "--appid", oa.AppID, "--user", u.ID, "--all=1")), &inbox); err != nil || len(inbox) != 5 || inbox[1].Direction != "in" {
		t.Fatalf("sim inbox --all=1: %+v, %v", inbox, err)
	}

	// A QR code made through the wire API, scanned by a new user.
	qr := s.Post(t, "/cgi-bin/qrcode/create?access_token="+s.AccessToken(t, oa), `{"action_name":"QR_SCENE","expire_seconds":600,"action_info":{"scene":{"scene_id":31}}}`)
	link, _ := qr["url"].(string)
	s.CreateUser(t, "dave", "")
	if out := run("sim", "scan", "--user", "dave", "--url", link); out != "Thanks for following!\n" {
		t.Fatalf("sim scan printed %q", out)
	}
	if out := run("sim", "unfollow", "--appid", oa.AppID, "--user", "dave"); out != "" {
		t.Fatalf("sim unfollow printed %q", out)
	}

	// Errors: the server's message, exit 1 for refusals and 2 for bad input.
	code, _, errs := cli(t, s, "sim", "send", "--appid", oa.AppID, "--user", "dave", "--text", "hi")
	if code != 1 || !strings.Contains(errs, "does not follow "+oa.AppID) {
		t.Fatalf("sim send while not following: exit %d %s", code, errs)
	}
	code, _, errs = cli(t, s, "sim", "scan", "--user", "dave", "--url", "https://example.com/not-a-code")
	if code != 2 || !strings.Contains(errs, "url: must be a QR code URL") {
		t.Fatalf("sim scan of another URL: exit %d %s", code, errs)
	}
	code, _, errs = cli(t, s, "sim", "click", "--appid", oa.AppID, "--user", u.ID)
	if code != 2 || !strings.Contains(errs, "--key is required") {
		t.Fatalf("sim click without --key: exit %d %s", code, errs)
	}
}

func TestReplyLines(t *testing.T) {
	for _, c := range []struct {
		kind string
		body string
		want string
	}{
		{"text", `{"text":"hi"}`, "hi"},
		{"image", `{"url":"https://example.com/i.png"}`, "[image] https://example.com/i.png"},
		{"music", `{"title":"Song","music_url":"https://example.com/s.mp3"}`, "[music] Song — https://example.com/s.mp3"},
		{"msgmenu", `{"menu":{"head_content":"Rate us","list":[{"id":"1","content":"Good"},{"id":"2","content":"Bad"}]}}`, "[msgmenu] Rate us — Good | Bad"},
		{"miniprogrampage", `{"miniprogram":{"appid":"wx1","pagepath":"pages/index","title":"Shop"}}`, "[miniprogrampage] Shop — wx1:pages/index"},
		{"template", `{"template":{"title":"Order shipped","url":"https://example.com/o/1"}}`, "[template] Order shipped — https://example.com/o/1"},
		{"voice", `{}`, "[voice]"},
	} {
		var body map[string]any
		json.Unmarshal([]byte(c.body), &body)
		if got := strings.Join(replyLines(c.kind, body), "\n"); got != c.want {
			t.Errorf("%s: %q, want %q", c.kind, got, c.want)
		}
	}
}
