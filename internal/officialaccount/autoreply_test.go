package officialaccount_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"superapp/internal/input"
	"superapp/internal/officialaccount"
)

func text(s string) officialaccount.AutoReply {
	return officialaccount.AutoReply{Type: "text", Content: s}
}

func rule(mode string, keyword string, replies ...officialaccount.AutoReply) officialaccount.KeywordRule {
	return officialaccount.KeywordRule{Keywords: []officialaccount.Keyword{{MatchMode: mode, Content: keyword}}, Replies: replies}
}

func TestAutoReplyValidationNamesFieldAndLimit(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	oa := w.p.OA
	good := rule("equal", "hi", text("hello"))
	long := func(n int) string { return strings.Repeat("字", n) }
	news := func(arts ...officialaccount.Article) officialaccount.AutoReply {
		return officialaccount.AutoReply{Type: "news", News: arts}
	}
	many := func(n int, r officialaccount.KeywordRule) []officialaccount.KeywordRule {
		out := make([]officialaccount.KeywordRule, n)
		for i := range out {
			out[i] = r
		}
		return out
	}
	cases := []struct {
		name  string
		doc   officialaccount.AutoReplies
		field string
		msg   string
	}{
		{"follow enabled without reply", officialaccount.AutoReplies{FollowReply: officialaccount.ReplySwitch{Enabled: true}}, "follow_reply.reply", "needs"},
		{"news follow reply", officialaccount.AutoReplies{FollowReply: officialaccount.ReplySwitch{Enabled: true, Reply: &officialaccount.AutoReply{Type: "news", News: []officialaccount.Article{{Title: "t"}}}}}, "follow_reply.reply.type", "keyword rules"},
		{"empty default text", officialaccount.AutoReplies{DefaultReply: officialaccount.ReplySwitch{Reply: &officialaccount.AutoReply{Type: "text"}}}, "default_reply.reply.content", "must not be empty"},
		{"unknown reply type", officialaccount.AutoReplies{DefaultReply: officialaccount.ReplySwitch{Reply: &officialaccount.AutoReply{Type: "sticker", Content: "x"}}}, "default_reply.reply.type", `"text", "img"`},
		{"201 rules", officialaccount.AutoReplies{KeywordRules: many(201, good)}, "keyword_rules", "at most 200"},
		{"rule without keywords", officialaccount.AutoReplies{KeywordRules: []officialaccount.KeywordRule{{Replies: []officialaccount.AutoReply{text("x")}}}}, "keyword_rules[0].keywords", "1 to 10"},
		{"11 keywords", officialaccount.AutoReplies{KeywordRules: []officialaccount.KeywordRule{{Keywords: make([]officialaccount.Keyword, 11), Replies: []officialaccount.AutoReply{text("x")}}}}, "keyword_rules[0].keywords", "has 11 keywords"},
		{"bad match mode", officialaccount.AutoReplies{KeywordRules: []officialaccount.KeywordRule{good, rule("regex", "a", text("x"))}}, "keyword_rules[1].keywords[0].match_mode", `"equal"`},
		{"31-character keyword", officialaccount.AutoReplies{KeywordRules: []officialaccount.KeywordRule{rule("contain", long(31), text("x"))}}, "keyword_rules[0].keywords[0].content", "is 31 characters; at most 30"},
		{"61-character rule name", officialaccount.AutoReplies{KeywordRules: []officialaccount.KeywordRule{{RuleName: long(61), Keywords: good.Keywords, Replies: good.Replies}}}, "keyword_rules[0].rule_name", "at most 60"},
		{"bad reply mode", officialaccount.AutoReplies{KeywordRules: []officialaccount.KeywordRule{{ReplyMode: "all", Keywords: good.Keywords, Replies: good.Replies}}}, "keyword_rules[0].reply_mode", "random_one"},
		{"no replies", officialaccount.AutoReplies{KeywordRules: []officialaccount.KeywordRule{rule("equal", "a")}}, "keyword_rules[0].replies", "1 to 5"},
		{"6 replies", officialaccount.AutoReplies{KeywordRules: []officialaccount.KeywordRule{rule("equal", "a", text("1"), text("2"), text("3"), text("4"), text("5"), text("6"))}}, "keyword_rules[0].replies", "has 6 replies"},
		{"601-character text", officialaccount.AutoReplies{KeywordRules: []officialaccount.KeywordRule{rule("equal", "a", text(long(601)))}}, "keyword_rules[0].replies[0].content", "at most 600"},
		{"img without media_id", officialaccount.AutoReplies{KeywordRules: []officialaccount.KeywordRule{rule("equal", "a", officialaccount.AutoReply{Type: "img"})}}, "keyword_rules[0].replies[0].content", "media_id"},
		{"9 news articles", officialaccount.AutoReplies{KeywordRules: []officialaccount.KeywordRule{rule("equal", "a", news(make([]officialaccount.Article, 9)...))}}, "keyword_rules[0].replies[0].news", "1 to 8"},
		{"news without title", officialaccount.AutoReplies{KeywordRules: []officialaccount.KeywordRule{rule("equal", "a", news(officialaccount.Article{URL: "https://e.com"}))}}, "keyword_rules[0].replies[0].news[0].title", "must not be empty"},
		{"news with a bad url", officialaccount.AutoReplies{KeywordRules: []officialaccount.KeywordRule{rule("equal", "a", news(officialaccount.Article{Title: "t", URL: "javascript:x"}))}}, "keyword_rules[0].replies[0].news[0].url", "http or https"},
		{"future create_time", officialaccount.AutoReplies{KeywordRules: []officialaccount.KeywordRule{{CreateTime: 1 << 40, Keywords: good.Keywords, Replies: good.Replies}}}, "keyword_rules[0].create_time", "past"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := oa.SetAutoReplies(ctx, w.oa.AppID, c.doc)
			var ie *input.Error
			if !errors.As(err, &ie) || ie.Field != c.field || !strings.Contains(ie.Msg, c.msg) {
				t.Fatalf("err = %v, want %s: …%s…", err, c.field, c.msg)
			}
			doc, err := oa.AutoReplies(ctx, w.oa.AppID)
			if err != nil || len(doc.KeywordRules) != 0 || doc.UpdatedAt != 0 {
				t.Fatalf("an invalid document was stored: %+v, %v", doc, err)
			}
		})
	}
}

func TestAutoRepliesAnswerFollowKeywordsAndDefault(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	oa := w.p.OA
	appid := w.oa.AppID
	article := officialaccount.Article{Title: "Menu", Description: "Today's menu", URL: "https://example.com/menu", PicURL: "https://example.com/p.png"}
	doc, err := oa.SetAutoReplies(ctx, appid, officialaccount.AutoReplies{
		FollowReply:  officialaccount.ReplySwitch{Enabled: true, Reply: &officialaccount.AutoReply{Type: "text", Content: "Welcome!"}},
		DefaultReply: officialaccount.ReplySwitch{Enabled: true, Reply: &officialaccount.AutoReply{Type: "text", Content: "Sorry?"}},
		KeywordRules: []officialaccount.KeywordRule{
			rule("equal", "menu", officialaccount.AutoReply{Type: "news", News: []officialaccount.Article{article}}, text("bon appétit")),
			{RuleName: "prices", ReplyMode: "random_one", Keywords: []officialaccount.Keyword{{MatchMode: "contain", Content: "price"}, {MatchMode: "equal", Content: "$"}},
				Replies: []officialaccount.AutoReply{text("cheap"), text("free"), text("on the house")}},
			rule("contain", "menu", text("a later rule never answers what an earlier one does")),
			rule("contain", "photo", officialaccount.AutoReply{Type: "img", Content: "MEDIA_9"}),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if doc.KeywordRules[0].RuleName != "menu" || doc.KeywordRules[0].ReplyMode != "reply_all" || doc.KeywordRules[0].CreateTime == 0 || doc.UpdatedAt == 0 {
		t.Fatalf("defaults not filled: %+v", doc.KeywordRules[0])
	}

	res, err := oa.Follow(ctx, appid, w.user.ID, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	answer := func(res *officialaccount.ActResult) []*officialaccount.Message {
		t.Helper()
		got, err := oa.Outcome(ctx, w.user.ID, appid, res)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range got {
			if m.Source != officialaccount.SourceAutoReply || m.Direction != officialaccount.Out {
				t.Fatalf("auto-reply %+v", m)
			}
		}
		return got
	}
	if got := answer(res); len(got) != 1 || got[0].Kind != "text" || got[0].Body.Text != "Welcome!" {
		t.Fatalf("follow answered %+v", got)
	}
	send := func(um officialaccount.UserMessage) []*officialaccount.Message {
		t.Helper()
		res, err := oa.Send(ctx, appid, w.user.ID, um)
		if err != nil {
			t.Fatal(err)
		}
		return answer(res)
	}
	say := func(s string) []*officialaccount.Message { return send(officialaccount.UserMessage{Text: s}) }

	if got := say("menu"); len(got) != 2 || got[0].Kind != "news" || got[0].Body.Articles[0] != article || got[1].Body.Text != "bon appétit" {
		t.Fatalf(`"menu" (equal, reply_all) answered %+v`, got)
	}
	// "the menu" does not equal "menu": the third rule (contain) answers.
	if got := say("the menu"); len(got) != 1 || !strings.HasPrefix(got[0].Body.Text, "a later rule") {
		t.Fatalf(`"the menu" answered %+v`, got)
	}
	seen := map[string]bool{}
	for range 40 {
		got := say("what price?")
		if len(got) != 1 {
			t.Fatalf("random_one answered %d messages", len(got))
		}
		seen[got[0].Body.Text] = true
	}
	if len(seen) < 2 || !(seen["cheap"] || seen["free"] || seen["on the house"]) || len(seen) > 3 {
		t.Fatalf("random_one over 40 messages chose %v; want several of its replies and nothing else", seen)
	}
	if got := say("$"); len(got) != 1 || !strings.Contains("cheap free on the house", got[0].Body.Text) {
		t.Fatalf(`"$" answered %+v`, got)
	}
	if got := say("photo please"); len(got) != 1 || got[0].Kind != "image" || got[0].Body.MediaID != "MEDIA_9" {
		t.Fatalf("img reply = %+v", got)
	}
	if got := say("hello"); len(got) != 1 || got[0].Body.Text != "Sorry?" {
		t.Fatalf("unmatched text answered %+v, want the default reply", got)
	}
	// Other messages get nothing.
	if got := send(officialaccount.UserMessage{Kind: "image", URL: "https://example.com/x.png"}); len(got) != 0 {
		t.Fatalf("an image was answered with %+v", got)
	}

	// Switching the default reply off keeps it; unmatched text then gets nothing.
	doc, err = oa.UpdateAutoReplies(ctx, appid, func(d *officialaccount.AutoReplies) error {
		d.DefaultReply.Enabled = false
		return nil
	})
	if err != nil || doc.DefaultReply.Reply == nil || doc.DefaultReply.Reply.Content != "Sorry?" {
		t.Fatalf("default switched off: %+v, %v", doc, err)
	}
	if got := say("hello"); len(got) != 0 {
		t.Fatalf("with the default reply off, answered %+v", got)
	}
	// A document written back keeps its rules' creation times.
	before := doc.KeywordRules[1].CreateTime
	again, err := oa.SetAutoReplies(ctx, appid, *doc)
	if err != nil || again.KeywordRules[1].CreateTime != before {
		t.Fatalf("rewritten document: %+v, %v (create_time was %d)", again, err, before)
	}
	// With a developer server, the server answers instead.
	w.withServer(t)
	res, err = oa.Send(ctx, appid, w.user.ID, officialaccount.UserMessage{Text: "menu"})
	if err != nil || res.CallbackID == 0 {
		t.Fatalf("with a server: %+v, %v", res, err)
	}
	if got, _ := oa.Conversation(ctx, w.user.ID, appid, 0, res.After, 10); len(got) != 1 {
		t.Fatalf("with a server the auto-replies still answered: %+v", got)
	}
	if err := oa.ClearAutoReplies(ctx, appid); err != nil {
		t.Fatal(err)
	}
	if doc, err := oa.AutoReplies(ctx, appid); err != nil || len(doc.KeywordRules) != 0 || doc.FollowReply.Reply != nil {
		t.Fatalf("after clear: %+v, %v", doc, err)
	}
}
