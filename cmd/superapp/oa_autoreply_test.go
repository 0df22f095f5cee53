package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"superapp/internal/officialaccount"
	"superapp/internal/testserver"
)

func TestAutoReplyCommands(t *testing.T) {
	s := testserver.New(t)
	t.Setenv("SUPERAPP_OPERATOR_KEY", testserver.OperatorKey)
	ctx := context.Background()
	oa := s.CreateApp(t, "service", "News")
	u := s.CreateUser(t, "grace", "")
	a := oa.AppID
	doc := func(out string) officialaccount.AutoReplies {
		t.Helper()
		var d officialaccount.AutoReplies
		if err := json.Unmarshal([]byte(out), &d); err != nil {
			t.Fatalf("not a document: %q", out)
		}
		return d
	}
	ok := func(args ...string) officialaccount.AutoReplies {
		t.Helper()
		code, out, errs := cli(t, s, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d, %s", args, code, errs)
		}
		return doc(out)
	}

	ok("autoreply", "keyword", "--appid", a, "--keyword", "hours", "--reply", "9 to 5")
	d := ok("autoreply", "keyword", "--appid", a, "--keyword", "price", "--contains", "--reply", "Cheap", "--name", "prices")
	if len(d.KeywordRules) != 2 || d.KeywordRules[0].Keywords[0] != (officialaccount.Keyword{MatchMode: "equal", Content: "hours"}) ||
		d.KeywordRules[1].RuleName != "prices" || d.KeywordRules[1].Keywords[0].MatchMode != "contain" || d.KeywordRules[1].Replies[0].Content != "Cheap" {
		t.Fatalf("keyword rules = %+v", d.KeywordRules)
	}
	ok("autoreply", "follow", "--appid", a, "--reply", "Welcome")
	d = ok("autoreply", "default", "--appid", a, "--reply", "Pardon?")
	if !d.FollowReply.Enabled || d.FollowReply.Reply.Content != "Welcome" || !d.DefaultReply.Enabled || d.DefaultReply.Reply.Content != "Pardon?" {
		t.Fatalf("document = %+v", d)
	}
	if shown := ok("autoreply", "show", "--appid", a); shown.UpdatedAt != d.UpdatedAt || len(shown.KeywordRules) != 2 {
		t.Fatalf("show = %+v", shown)
	}

	// What the CLI configured answers the user.
	res, err := s.Server.P.OA.Follow(ctx, a, u.ID, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	answer := func(res *officialaccount.ActResult, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Server.P.OA.Outcome(ctx, u.ID, a, res)
		if err != nil || len(got) > 1 {
			t.Fatalf("answer = %+v, %v", got, err)
		}
		if len(got) == 0 {
			return ""
		}
		return got[0].Body.Text
	}
	say := func(text string) string {
		return answer(s.Server.P.OA.Send(ctx, a, u.ID, officialaccount.UserMessage{Text: text}))
	}
	if got := answer(res, nil); got != "Welcome" {
		t.Fatalf("follow answered %q", got)
	}
	for text, want := range map[string]string{"hours": "9 to 5", "opening hours": "Pardon?", "what price?": "Cheap"} {
		if got := say(text); got != want {
			t.Fatalf("%q answered %q, want %q", text, got, want)
		}
	}
	d = ok("autoreply", "default", "--appid", a, "--enabled", "false")
	if d.DefaultReply.Enabled || d.DefaultReply.Reply.Content != "Pardon?" {
		t.Fatalf("default off = %+v", d.DefaultReply)
	}
	if got := say("anything"); got != "" {
		t.Fatalf("with the default reply off, answered %q", got)
	}

	// set replaces the whole document from a file; bad files change nothing.
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o600)
		return p
	}
	good := write("rules.json", `{"keyword_rules":[{"rule_name":"hi","keywords":[{"match_mode":"equal","content":"hi"}],"replies":[{"type":"text","content":"Hello"}]}]}`)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--file", write("broken.json", `{"keyword_rules":[`)}, "not valid JSON"},
		{[]string{"--file", filepath.Join(dir, "missing.json")}, "--file"},
		{[]string{"--file", write("bad.json", `{"keyword_rules":[{"keywords":[],"replies":[]}]}`)}, "keyword_rules[0].keywords"},
		{[]string{}, "--file is required"},
	} {
		code, _, errs := cli(t, s, append([]string{"autoreply", "set", "--appid", a}, c.args...)...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Fatalf("set %v: exit %d, %q; want exit 2 and %q", c.args, code, errs, c.want)
		}
	}
	if shown := ok("autoreply", "show", "--appid", a); len(shown.KeywordRules) != 2 {
		t.Fatalf("a refused set changed the document: %+v", shown)
	}
	d = ok("autoreply", "set", "--appid", a, "--file="+good)
	if len(d.KeywordRules) != 1 || d.FollowReply.Reply != nil || say("hi") != "Hello" {
		t.Fatalf("after set: %+v", d)
	}
	if d = ok("autoreply", "clear", "--appid", a); len(d.KeywordRules) != 0 || say("hi") != "" {
		t.Fatalf("after clear: %+v", d)
	}
	if code, _, errs := cli(t, s, "autoreply", "keyword", "--appid", a, "--keyword", strings.Repeat("k", 31), "--reply", "x"); code != 2 || !strings.Contains(errs, "at most 30") {
		t.Fatalf("a 31-character keyword: exit %d, %q", code, errs)
	}

	// menu show prints the account's menus.
	if _, err := s.Server.P.OA.CreateMenu(ctx, a, []officialaccount.Button{{Type: "click", Name: "Hi", Key: "HI"}}); err != nil {
		t.Fatal(err)
	}
	code, out, errs := cli(t, s, "menu", "show", "--appid", a)
	var menus officialaccount.Menus
	if code != 0 || json.Unmarshal([]byte(out), &menus) != nil || menus.Default == nil || menus.Default.Buttons[0].Key != "HI" {
		t.Fatalf("menu show: %d %q %s", code, out, errs)
	}
}
