package wire_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"superapp/internal/officialaccount"
	"superapp/internal/testserver"
)

// menuGetRaw calls a wire endpoint and returns its JSON body undecoded.
func menuGetRaw(t *testing.T, s *testserver.Server, target string) string {
	t.Helper()
	resp, err := http.Get(s.URL + target)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const menuOfEveryType = `{"button":[
 {"name":"Go","sub_button":[
   {"type":"click","name":"Today","key":"TODAY"},
   {"type":"view","name":"Site","url":"https://example.com/a"},
   {"type":"miniprogram","name":"Shop","url":"https://example.com/shop","appid":"{mp}","pagepath":"pages/index"},
   {"type":"scancode_push","name":"Scan","key":"S1"},
   {"type":"scancode_waitmsg","name":"Wait","key":"S2"}]},
 {"name":"Send","sub_button":[
   {"type":"pic_sysphoto","name":"Camera","key":"P1"},
   {"type":"pic_photo_or_album","name":"Album","key":"P2"},
   {"type":"pic_weixin","name":"Pics","key":"P3"},
   {"type":"location_select","name":"Where","key":"L"}]},
 {"name":"More","sub_button":[
   {"type":"media_id","name":"Material","media_id":"M1"},
   {"type":"view_limited","name":"Page","media_id":"M2"},
   {"type":"article_id","name":"Post","article_id":"A1"},
   {"type":"article_view_limited","name":"Post page","article_id":"A2"}]}]}`

func TestMenuEndpoints(t *testing.T) {
	s := testserver.New(t)
	ctx := context.Background()
	oa := s.CreateApp(t, "service", "News")
	other := s.CreateApp(t, "subscription", "Blog")
	mp := s.CreateApp(t, "miniprogram", "Shop")
	alice := s.CreateUser(t, "alice", "")
	tok, otherTok := s.AccessToken(t, oa), s.AccessToken(t, other)
	q := "?access_token=" + tok
	if m := s.Post(t, "/cgi-bin/wxopen/wxamplink"+q, `{"appid":"`+mp.AppID+`"}`); testserver.Errcode(m) != 0 { // menus open linked mini programs only
		t.Fatalf("wxamplink = %v", m)
	}

	if m := s.Get(t, "/cgi-bin/menu/get"+q); testserver.Errcode(m) != 46003 {
		t.Fatalf("menu/get without a menu = %v, want 46003", m)
	}
	if m := s.Post(t, "/cgi-bin/menu/create"+q, strings.ReplaceAll(menuOfEveryType, "{mp}", mp.AppID)); testserver.Errcode(m) != 0 || m["errmsg"] != "ok" {
		t.Fatalf("menu/create = %v", m)
	}

	// menu/get: the menu as created, every button with sub_button, and a menuid.
	got := menuGetRaw(t, s, "/cgi-bin/menu/get"+q)
	var menu struct {
		Menu struct {
			Button []map[string]any `json:"button"`
			MenuID int64            `json:"menuid"`
		} `json:"menu"`
		Conditional []any `json:"conditionalmenu"`
	}
	if err := json.Unmarshal([]byte(got), &menu); err != nil || len(menu.Menu.Button) != 3 || menu.Menu.MenuID == 0 || menu.Conditional != nil {
		t.Fatalf("menu/get = %s (%v)", got, err)
	}
	var want struct {
		Button []map[string]any `json:"button"`
	}
	json.Unmarshal([]byte(strings.ReplaceAll(menuOfEveryType, "{mp}", mp.AppID)), &want)
	for i, b := range want.Button {
		for _, sb := range b["sub_button"].([]any) {
			sb.(map[string]any)["sub_button"] = []any{}
		}
		if menuJS(menu.Menu.Button[i]) != menuJS(b) {
			t.Fatalf("menu/get button %d = %s, want %s", i, menuJS(menu.Menu.Button[i]), menuJS(b))
		}
	}

	// get_current_selfmenu_info: sub-buttons under list, materials as value.
	self := s.Get(t, "/cgi-bin/get_current_selfmenu_info"+q)
	info := self["selfmenu_info"].(map[string]any)["button"].([]any)
	if self["is_menu_open"] != 1.0 || len(info) != 3 {
		t.Fatalf("selfmenu = %v", self)
	}
	list := info[2].(map[string]any)["sub_button"].(map[string]any)["list"].([]any)
	media := list[0].(map[string]any)
	if media["type"] != "media_id" || media["value"] != "M1" || media["news_info"].(map[string]any)["list"].([]any)[0].(map[string]any)["digest"] != "Material M1" {
		t.Fatalf("media_id button in selfmenu = %v", media)
	}
	if article := list[2].(map[string]any); article["value"] != "A1" {
		t.Fatalf("article_id button in selfmenu = %v", article)
	}
	first := info[0].(map[string]any)["sub_button"].(map[string]any)["list"].([]any)
	if c := first[0].(map[string]any); c["key"] != "TODAY" || c["type"] != "click" {
		t.Fatalf("click button in selfmenu = %v", c)
	}
	if p := first[2].(map[string]any); p["appid"] != mp.AppID || p["pagepath"] != "pages/index" || p["url"] != "https://example.com/shop" {
		t.Fatalf("miniprogram button in selfmenu = %v", p)
	}

	// Conditional menus by tag: menuid answered as a string.
	if _, err := s.Server.P.DB.Exec(ctx, "INSERT INTO oa_tags(appid, id, name, created_at) VALUES (?, 100, 'vip', 0)", oa.AppID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Server.P.OA.Follow(ctx, oa.AppID, alice.ID, "", nil); err != nil {
		t.Fatal(err)
	}
	openid := s.Server.P.Identity.OpenID(oa.AppID, alice.ID)
	added := s.Post(t, "/cgi-bin/menu/addconditional"+q, `{"button":[{"type":"click","name":"VIP","key":"VIP"}],"matchrule":{"tag_id":"100","sex":"","country":"","province":"","city":"","client_platform_type":"","language":""}}`)
	menuid, ok := added["menuid"].(string)
	if !ok || menuid == "" {
		t.Fatalf("addconditional = %v, want a string menuid", added)
	}
	match := func() string {
		m := s.Post(t, "/cgi-bin/menu/trymatch"+q, `{"user_id":"`+openid+`"}`)
		bs, _ := m["button"].([]any)
		if len(bs) == 0 {
			t.Fatalf("trymatch = %v", m)
		}
		return bs[0].(map[string]any)["name"].(string)
	}
	if name := match(); name != "Go" {
		t.Fatalf("untagged alice matched %q, want the default menu", name)
	}
	if _, err := s.Server.P.DB.Exec(ctx, "INSERT INTO oa_follower_tags(appid, tag_id, user_id) VALUES (?, 100, ?)", oa.AppID, alice.ID); err != nil {
		t.Fatal(err)
	}
	if name := match(); name != "VIP" {
		t.Fatalf("tagged alice matched %q, want the VIP menu", name)
	}
	// A region rule with numbers where SDKs send them.
	if m := s.Post(t, "/cgi-bin/menu/addconditional"+q, `{"button":[{"type":"click","name":"Men","key":"MEN"}],"matchrule":{"sex":1,"country":"China"}}`); testserver.Errcode(m) != 0 {
		t.Fatalf("addconditional with a numeric sex = %v", m)
	}
	got = menuGetRaw(t, s, "/cgi-bin/menu/get"+q)
	var withRules struct {
		Conditional []struct {
			MatchRule map[string]any `json:"matchrule"`
			MenuID    int64          `json:"menuid"`
		} `json:"conditionalmenu"`
	}
	json.Unmarshal([]byte(got), &withRules)
	if len(withRules.Conditional) != 2 || menuJS(withRules.Conditional[0].MatchRule) != `{"group_id":"100"}` || menuJS(withRules.Conditional[1].MatchRule) != `{"country":"China","sex":"1"}` {
		t.Fatalf("conditional menus in menu/get = %s", got)
	}
	// Deleting by numeric and by string id.
	if m := s.Post(t, "/cgi-bin/menu/delconditional"+q, `{"menuid":`+menuid+`}`); testserver.Errcode(m) != 0 {
		t.Fatalf("delconditional = %v", m)
	}
	if m := s.Post(t, "/cgi-bin/menu/delconditional"+q, `{"menuid":"`+menuid+`"}`); testserver.Errcode(m) != 65301 {
		t.Fatalf("delconditional again = %v, want 65301", m)
	}
	if name := match(); name != "Go" {
		t.Fatalf("after deleting the VIP menu alice matched %q", name)
	}

	// Menus are per account: the other account sees none and cannot delete ours.
	if m := s.Get(t, "/cgi-bin/menu/get?access_token="+otherTok); testserver.Errcode(m) != 46003 {
		t.Fatalf("other account's menu/get = %v", m)
	}
	if m := s.Post(t, "/cgi-bin/menu/delconditional?access_token="+otherTok, `{"menuid":`+menuJS(withRules.Conditional[1].MenuID)+`}`); testserver.Errcode(m) != 65301 {
		t.Fatalf("deleting another account's conditional menu = %v", m)
	}
	if m := s.Post(t, "/cgi-bin/menu/trymatch?access_token="+otherTok, `{"user_id":"`+openid+`"}`); testserver.Errcode(m) != 40003 {
		t.Fatalf("trymatch with another account's OpenID = %v", m)
	}
	// menu/delete removes default and conditional menus.
	if m := s.Get(t, "/cgi-bin/menu/delete"+q); testserver.Errcode(m) != 0 {
		t.Fatalf("menu/delete = %v", m)
	}
	if menus, _ := s.Server.P.OA.Menus(ctx, oa.AppID); menus.Default != nil || len(menus.Conditional) != 0 {
		t.Fatalf("after menu/delete: %+v", menus)
	}
	if self := s.Get(t, "/cgi-bin/get_current_selfmenu_info"+q); self["is_menu_open"] != 0.0 {
		t.Fatalf("selfmenu without a menu = %v", self)
	}
}

func TestAutoReplyInfo(t *testing.T) {
	s := testserver.New(t)
	oa := s.CreateApp(t, "subscription", "Blog")
	q := "?access_token=" + s.AccessToken(t, oa)
	m := s.Get(t, "/cgi-bin/get_current_autoreply_info"+q)
	if m["is_add_friend_reply_open"] != 0.0 || m["is_autoreply_open"] != 0.0 || menuJS(m["keyword_autoreply_info"]) != `{"list":[]}` {
		t.Fatalf("autoreply info of a fresh account = %v", m)
	}
	doc := officialaccount.AutoReplies{
		FollowReply:  officialaccount.ReplySwitch{Enabled: true, Reply: &officialaccount.AutoReply{Type: "text", Content: "Welcome"}},
		DefaultReply: officialaccount.ReplySwitch{Reply: &officialaccount.AutoReply{Type: "img", Content: "MEDIA"}},
		KeywordRules: []officialaccount.KeywordRule{{RuleName: "news", ReplyMode: "random_one",
			Keywords: []officialaccount.Keyword{{MatchMode: "contain", Content: "new"}, {MatchMode: "equal", Content: "n"}},
			Replies: []officialaccount.AutoReply{{Type: "news", News: []officialaccount.Article{{Title: "T", Description: "D", URL: "https://e.com/a", PicURL: "https://e.com/p"}}},
				{Type: "text", Content: "hi"}}}},
	}
	stored, err := s.Server.P.OA.SetAutoReplies(context.Background(), oa.AppID, doc)
	if err != nil {
		t.Fatal(err)
	}
	got := menuGetRaw(t, s, "/cgi-bin/get_current_autoreply_info"+q)
	want := `{"is_add_friend_reply_open":1,"is_autoreply_open":1,` +
		`"add_friend_autoreply_info":{"type":"text","content":"Welcome"},` +
		`"message_default_autoreply_info":{"type":"img","content":"MEDIA"},` +
		`"keyword_autoreply_info":{"list":[{"rule_name":"news","create_time":` + menuJS(stored.KeywordRules[0].CreateTime) + `,"reply_mode":"random_one",` +
		`"keyword_list_info":[{"type":"text","match_mode":"contain","content":"new"},{"type":"text","match_mode":"equal","content":"n"}],` +
		`"reply_list_info":[{"type":"news","news_info":{"list":[{"title":"T","author":"","digest":"D","show_cover":1,"cover_url":"https://e.com/p","content_url":"https://e.com/a","source_url":""}]}},` +
		`{"type":"text","content":"hi"}]}]}}` + "\n"
	if got != want {
		t.Fatalf("autoreply info =\n%s\nwant\n%s", got, want)
	}
	mp := s.CreateApp(t, "miniprogram", "Shop")
	if m := s.Get(t, "/cgi-bin/get_current_autoreply_info?access_token="+s.AccessToken(t, mp)); testserver.Errcode(m) != 48001 {
		t.Fatalf("a mini program's autoreply info = %v", m)
	}
}

func menuJS(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
