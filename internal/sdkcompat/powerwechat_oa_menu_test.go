package sdkcompat_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/ArtisanCloud/PowerWeChat/v3/src/officialAccount/menu/request"
	"github.com/ArtisanCloud/PowerWeChat/v3/src/officialAccount/menu/response"
)

// asParsed is what PowerWeChat's menu/get model keeps of buttons it sent
// (it has no media_id field): the request through JSON into the response
// type, every button with its sub_button list as WeChat answers it.
func asParsed(t *testing.T, buttons []*request.Button) []*response.Button {
	t.Helper()
	b, _ := json.Marshal(buttons)
	var out []*response.Button
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	var fill func([]*response.Button)
	fill = func(bs []*response.Button) {
		for _, b := range bs {
			if b.SubButtons == nil {
				b.SubButtons = []*response.Button{}
			}
			fill(b.SubButtons)
		}
	}
	fill(out)
	return out
}

func TestPowerWeChatMenu(t *testing.T) {
	w := newMenuWorld(t)
	ctx := context.Background()
	oa := powerOfficialAccount(t, w.s.Transport(), w.app)

	buttons := []*request.Button{
		{Name: "Go", SubButtons: []request.SubButton{
			{Type: "click", Name: "Today", Key: "TODAY"},
			{Type: "view", Name: "Site", URL: "https://example.com/a"},
			{Type: "miniprogram", Name: "Shop", URL: "https://example.com/shop", AppID: w.mp.AppID, PagePath: "pages/index"},
			{Type: "scancode_push", Name: "Scan", Key: "S1"},
			{Type: "scancode_waitmsg", Name: "Scan wait", Key: "S2"},
		}},
		{Name: "Send", SubButtons: []request.SubButton{
			{Type: "pic_sysphoto", Name: "Camera", Key: "P1"},
			{Type: "pic_photo_or_album", Name: "Album", Key: "P2"},
			{Type: "pic_weixin", Name: "Pics", Key: "P3"},
			{Type: "location_select", Name: "Where", Key: "L"},
		}},
		{Type: "media_id", Name: "Material", MediaId: "MEDIA_1"},
	}
	created, err := oa.Menu.Create(ctx, buttons)
	if err != nil || created.ErrCode != 0 {
		t.Fatalf("Create = %+v, %v", created, err)
	}
	got, err := oa.Menu.Get(ctx)
	if err != nil || got.ErrCode != 0 || got.Menus == nil || got.Menus.MenuID == 0 || len(got.ConditionalMenus) != 0 {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	sameJSON(t, "Get buttons", got.Menus.Buttons, asParsed(t, buttons))

	self, err := oa.Menu.CurrentSelfMenu(ctx)
	if err != nil || self.IsMenuOpen != 1 || len(self.SelfMenuInfo.Buttons) != 3 {
		t.Fatalf("CurrentSelfMenu = %+v, %v", self, err)
	}
	goList := self.SelfMenuInfo.Buttons[0].SubButtons.List
	material := self.SelfMenuInfo.Buttons[2]
	if len(goList) != 5 || goList[0].Key != "TODAY" || goList[2].AppID != w.mp.AppID || goList[2].PagePath != "pages/index" ||
		material.Type != "media_id" || material.Value != "MEDIA_1" || material.SubButtons != nil {
		t.Fatalf("self menu = %+v / %+v", goList, material)
	}

	// A conditional menu by region: PowerWeChat sends every rule field,
	// unset ones as "".
	regional := []*request.Button{{Type: "click", Name: "Local", Key: "LOCAL"}, {Type: "view", Name: "News", URL: "https://example.com/n"}}
	regionRule := &request.RequestMatchRule{Country: "China", Province: "Guangdong", City: "Guangzhou", Language: "zh_CN"}
	added, err := oa.Menu.CreateConditional(ctx, regional, regionRule)
	regionID, _ := strconv.Atoi(added.MenuID)
	if err != nil || added.ErrCode != 0 || regionID == 0 {
		t.Fatalf("CreateConditional = %+v, %v", added, err)
	}
	got, err = oa.Menu.Get(ctx)
	if err != nil || len(got.ConditionalMenus) != 1 {
		t.Fatalf("Get with a conditional menu = %+v, %v", got, err)
	}
	c := got.ConditionalMenus[0]
	sameJSON(t, "conditional buttons", c.Buttons, asParsed(t, regional))
	if c.MenuID != regionID || *c.MatchRule != (response.MatchRule{Country: "China", Province: "Guangdong", City: "Guangzhou"}) {
		t.Fatalf("conditional menu = %+v, rule %+v (id %d)", c, c.MatchRule, regionID)
	}

	// By tag: try-match shows the tagged follower the tag's menu.
	vip := []*request.Button{{Type: "click", Name: "VIP", Key: "VIP"}}
	byTag, err := oa.Menu.CreateConditional(ctx, vip, &request.RequestMatchRule{TagID: "100"})
	if err != nil || byTag.ErrCode != 0 || byTag.MenuID == "" {
		t.Fatalf("CreateConditional by tag = %+v, %v", byTag, err)
	}
	matched, err := oa.Menu.TryMatch(ctx, w.openid)
	if err != nil || len(matched.Buttons) != 1 {
		t.Fatalf("TryMatch = %+v, %v", matched, err)
	}
	sameJSON(t, "TryMatch buttons", matched.Buttons, asParsed(t, vip))
	// PowerWeChat models group_id, sex and client_platform_type in menu/get
	// as numbers; WeChat sends them as strings ("group_id":"102", as SDK
	// maintainers captured), so with a tag rule the SDK's Get fails to
	// parse — as it does against WeChat. See docs/sdk-quirks.md.
	if _, err := oa.Menu.Get(ctx); err == nil || !strings.Contains(err.Error(), "group_id") {
		t.Fatalf("Get with a tag rule: %v, want PowerWeChat's parse error on group_id", err)
	}
	tagID, _ := strconv.Atoi(byTag.MenuID)
	if del, err := oa.Menu.DeleteConditional(ctx, tagID); err != nil || del.ErrCode != 0 {
		t.Fatalf("DeleteConditional = %+v, %v", del, err)
	}
	if matched, err = oa.Menu.TryMatch(ctx, w.openid); err != nil || len(matched.Buttons) != 3 || matched.Buttons[0].Name != "Go" {
		t.Fatalf("TryMatch after deleting the tag menu = %+v, %v", matched, err)
	}

	// Violations: errcodes in the parsed answer.
	for _, v := range []struct {
		call func() (int, error)
		code int
	}{
		{func() (int, error) {
			r, err := oa.Menu.Create(ctx, []*request.Button{{Type: "click", Name: "x", Key: "1"}, {Type: "click", Name: "y", Key: "2"}, {Type: "click", Name: "z", Key: "3"}, {Type: "click", Name: "w", Key: "4"}})
			return r.ErrCode, err
		}, 40016},
		{func() (int, error) {
			r, err := oa.Menu.Create(ctx, []*request.Button{{Name: "p", SubButtons: []request.SubButton{{Type: "view", Name: "x", URL: "https://e.com/" + strings.Repeat("u", 1011)}}}})
			return r.ErrCode, err
		}, 40027},
		{func() (int, error) {
			r, err := oa.Menu.Create(ctx, []*request.Button{{Type: "bogus", Name: "x"}})
			return r.ErrCode, err
		}, 40017},
		{func() (int, error) {
			r, err := oa.Menu.CreateConditional(ctx, vip, &request.RequestMatchRule{})
			return r.ErrCode, err
		}, 65304},
		{func() (int, error) {
			r, err := oa.Menu.CreateConditional(ctx, vip, &request.RequestMatchRule{City: "Guangzhou", Country: "China"})
			return r.ErrCode, err
		}, 65311},
		{func() (int, error) {
			r, err := oa.Menu.DeleteConditional(ctx, tagID)
			return r.ErrCode, err
		}, 65301},
	} {
		if code, err := v.call(); err != nil || code != v.code {
			t.Fatalf("errcode %d, %v; want %d", code, err, v.code)
		}
	}

	if del, err := oa.Menu.Delete(ctx); err != nil || del.ErrCode != 0 {
		t.Fatalf("Delete = %+v, %v", del, err)
	}
	if got, err := oa.Menu.Get(ctx); err != nil || got.ErrCode != 46003 {
		t.Fatalf("Get after Delete = %+v, %v", got, err)
	}
}

func TestPowerWeChatAutoReplyInfo(t *testing.T) {
	w := newMenuWorld(t)
	ctx := context.Background()
	oa := powerOfficialAccount(t, w.s.Transport(), w.app)
	doc := map[string]any{
		"follow_reply":  map[string]any{"enabled": true, "reply": map[string]any{"type": "text", "content": "Welcome!"}},
		"default_reply": map[string]any{"enabled": false, "reply": map[string]any{"type": "voice", "content": "VOICE_1"}},
		"keyword_rules": []any{
			map[string]any{"rule_name": "menu", "reply_mode": "reply_all",
				"keywords": []any{map[string]any{"match_mode": "equal", "content": "menu"}, map[string]any{"match_mode": "contain", "content": "food"}},
				"replies": []any{map[string]any{"type": "news", "news": []any{map[string]any{"title": "Today", "description": "Soup", "url": "https://e.com/m", "picurl": "https://e.com/p.png"}}},
					map[string]any{"type": "text", "content": "Enjoy"}}},
		},
	}
	var stored struct {
		KeywordRules []struct {
			CreateTime int `json:"create_time"`
		} `json:"keyword_rules"`
	}
	w.s.Call(t, "PUT", "/admin/v1/apps/"+w.app.AppID+"/autoreply", doc, &stored)

	info, err := oa.AutoReply.Current(ctx)
	if err != nil || info.ErrCode != 0 {
		t.Fatalf("AutoReply.Current = %+v, %v", info, err)
	}
	if info.IsAddFriendReplyOpen != 1 || info.IsAutoreplyOpen != 1 || info.AddFriendAutoReplyInfo.Type != "text" || info.AddFriendAutoReplyInfo.Content != "Welcome!" ||
		info.MessageDefaultAutoReplyInfo.Type != "voice" || info.MessageDefaultAutoReplyInfo.Content != "VOICE_1" || len(info.KeywordAutoReplyInfo.List) != 1 {
		t.Fatalf("AutoReply.Current = %+v", info)
	}
	r := info.KeywordAutoReplyInfo.List[0]
	if r.RuleName != "menu" || r.ReplyMode != "reply_all" || r.CreateTime != stored.KeywordRules[0].CreateTime || len(r.KeywordListInfo) != 2 {
		t.Fatalf("rule = %+v", r)
	}
	if k := r.KeywordListInfo[1]; k.Type != "text" || k.MatchMode != "contain" || k.Content != "food" {
		t.Fatalf("keyword = %+v", k)
	}
	if len(r.ReplyListInfo) != 2 || r.ReplyListInfo[0].Type != "news" || len(r.ReplyListInfo[0].NewsInfos.List) != 1 ||
		r.ReplyListInfo[1].Type != "text" || r.ReplyListInfo[1].Content != "Enjoy" {
		t.Fatalf("replies = %+v", r.ReplyListInfo)
	}
	if n := r.ReplyListInfo[0].NewsInfos.List[0]; n.Title != "Today" || n.Digest != "Soup" || n.ContentUrl != "https://e.com/m" || n.CoverUrl != "https://e.com/p.png" || n.ShowCover != 1 {
		t.Fatalf("news = %+v", n)
	}
}
