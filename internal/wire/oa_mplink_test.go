package wire_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"superapp/internal/officialaccount"
	"superapp/internal/testserver"
)

// otherSubjectApp creates an app of kind under a new subject.
func otherSubjectApp(t *testing.T, s *testserver.Server, kind, name string) testserver.App {
	t.Helper()
	var sub struct {
		ID string `json:"id"`
	}
	s.Call(t, "POST", "/admin/v1/subjects", map[string]string{"kind": "enterprise", "name": name + " Ltd"}, &sub)
	var a testserver.App
	s.Call(t, "POST", "/admin/v1/apps", map[string]string{"kind": kind, "name": name, "subject_id": sub.ID}, &a)
	return a
}

func linkItems(t *testing.T, s *testserver.Server, tok string) map[string]map[string]any {
	t.Helper()
	m := s.Post(t, "/cgi-bin/wxopen/wxamplinkget?access_token="+tok, "")
	if testserver.Errcode(m) != 0 || m["errmsg"] != "ok" {
		t.Fatalf("wxamplinkget = %v", m)
	}
	items, ok := m["wxopens"].(map[string]any)["items"].([]any)
	if !ok {
		t.Fatalf("wxamplinkget has no wxopens.items array: %v", m)
	}
	out := map[string]map[string]any{}
	for _, it := range items {
		item := it.(map[string]any)
		out[item["appid"].(string)] = item
	}
	return out
}

func linkCode(t *testing.T, what string, m map[string]any, code int, prefix string) {
	t.Helper()
	if testserver.Errcode(m) != code || !strings.HasPrefix(fmt.Sprint(m["errmsg"]), prefix) {
		t.Fatalf("%s = %v; want errcode %d %q…", what, m, code, prefix)
	}
}

func TestMPLinkEndpoints(t *testing.T) {
	s := testserver.New(t)
	oa := s.CreateApp(t, "service", "News")
	blog := s.CreateApp(t, "subscription", "Blog")
	shop := s.CreateApp(t, "miniprogram", "Shop")
	partner := otherSubjectApp(t, s, "miniprogram", "Partner")
	tok, blogTok, shopTok := s.AccessToken(t, oa), s.AccessToken(t, blog), s.AccessToken(t, shop)
	q := "?access_token=" + tok
	link := func(tok, body string) map[string]any {
		return s.Post(t, "/cgi-bin/wxopen/wxamplink?access_token="+tok, body)
	}
	unlink := func(tok, appid string) map[string]any {
		return s.Post(t, "/cgi-bin/wxopen/wxampunlink?access_token="+tok, `{"appid":"`+appid+`"}`)
	}

	if items := linkItems(t, s, tok); len(items) != 0 {
		t.Fatalf("links of a new account: %v", items)
	}
	// Same subject: linked at once. Flags as numbers or strings.
	linkCode(t, "link", link(tok, `{"appid":"`+shop.AppID+`","notify_users":"1","show_profile":1}`), 0, "ok")
	linkCode(t, "link again", link(tok, `{"appid":"`+shop.AppID+`","notify_users":0,"show_profile":1}`), 89015, "has linked")
	// Another subject: pending until the mini program's admin confirms.
	linkCode(t, "link other subject", link(tok, `{"appid":"`+partner.AppID+`","notify_users":false,"show_profile":true}`), 0, "ok")
	linkCode(t, "link pending again", link(tok, `{"appid":"`+partner.AppID+`"}`), 89010, "link invitation already sent")

	items := linkItems(t, s, tok)
	it := items[shop.AppID]
	if len(items) != 2 || it["status"] != 1.0 || !strings.HasPrefix(fmt.Sprint(it["username"]), "gh_") || it["nickname"] != "Shop" ||
		it["selected"] != 1.0 || it["released"] != 0.0 || it["source"] != "SOURCE_NORMAL" || len(it["func_infos"].([]any)) != 2 {
		t.Fatalf("wxamplinkget items = %v", items)
	}
	if items[partner.AppID]["status"] != 2.0 {
		t.Fatalf("pending link = %v", items[partner.AppID])
	}
	if _, err := s.Server.P.OA.ConfirmMiniProgramLink(context.Background(), oa.AppID, partner.AppID); err != nil {
		t.Fatal(err)
	}
	if items := linkItems(t, s, tok); items[partner.AppID]["status"] != 1.0 {
		t.Fatalf("confirmed link = %v", items[partner.AppID])
	}

	// Bad requests.
	linkCode(t, "no appid", link(tok, `{"show_profile":1}`), 41002, "appid missing")
	linkCode(t, "an official account's appid", link(tok, `{"appid":"`+blog.AppID+`"}`), 40166, "invalid weapp appid")
	linkCode(t, "unknown appid", link(tok, `{"appid":"wx0000000000000000"}`), 40166, "invalid weapp appid")
	linkCode(t, "bad flag", link(tok, `{"appid":"`+shop.AppID+`","show_profile":"maybe"}`), 47001, "data format error")
	linkCode(t, "not JSON", link(tok, `{`), 47001, "data format error")
	if m := s.Get(t, "/cgi-bin/wxopen/wxamplink"+q); testserver.Errcode(m) != 43002 {
		t.Fatalf("GET wxamplink = %v; want 43002", m)
	}
	linkCode(t, "unlink without appid", s.Post(t, "/cgi-bin/wxopen/wxampunlink"+q, `{}`), 41002, "appid missing")

	// A mini program's token cannot manage links.
	linkCode(t, "mini program token: get", s.Post(t, "/cgi-bin/wxopen/wxamplinkget?access_token="+shopTok, ""), 48001, "api unauthorized")
	linkCode(t, "mini program token: link", link(shopTok, `{"appid":"`+shop.AppID+`"}`), 48001, "api unauthorized")
	linkCode(t, "mini program token: unlink", unlink(shopTok, shop.AppID), 48001, "api unauthorized")

	// Another account sees and changes only its own links.
	if items := linkItems(t, s, blogTok); len(items) != 0 {
		t.Fatalf("another account sees %v", items)
	}
	linkCode(t, "unlink another account's link", unlink(blogTok, shop.AppID), 40097, "invalid args, the mini program is not linked")
	if items := linkItems(t, s, tok); len(items) != 2 {
		t.Fatalf("after another account's unlink: %v", items)
	}

	linkCode(t, "unlink", unlink(tok, shop.AppID), 0, "ok")
	linkCode(t, "unlink twice", unlink(tok, shop.AppID), 40097, "invalid args, the mini program is not linked")
	if items := linkItems(t, s, tok); len(items) != 1 || items[partner.AppID] == nil {
		t.Fatalf("after unlink: %v", items)
	}
}

func TestMPLinkLimitErrcodes(t *testing.T) {
	p := officialaccount.DefaultPolicy()
	p.MiniProgramLinks = officialaccount.MiniProgramLinkPolicy{SameSubject: 1, OtherSubject: 1, PerMonth: 3, AccountsPerMiniProgram: 1}
	s := testserver.New(t, testserver.OAPolicy(p))
	oa, blog := s.CreateApp(t, "service", "News"), s.CreateApp(t, "subscription", "Blog")
	shop, shop2 := s.CreateApp(t, "miniprogram", "Shop"), s.CreateApp(t, "miniprogram", "Shop Two")
	partner, partner2 := otherSubjectApp(t, s, "miniprogram", "Partner"), otherSubjectApp(t, s, "miniprogram", "Partner Two")
	tok, blogTok := s.AccessToken(t, oa), s.AccessToken(t, blog)
	link := func(tok, appid string) map[string]any {
		return s.Post(t, "/cgi-bin/wxopen/wxamplink?access_token="+tok, `{"appid":"`+appid+`","notify_users":0,"show_profile":1}`)
	}

	linkCode(t, "first same-subject", link(tok, shop.AppID), 0, "ok")
	linkCode(t, "second same-subject", link(tok, shop2.AppID), 89009, "reach link limit, account "+oa.AppID+" already links 1 mini programs of its own subject")
	linkCode(t, "first other-subject", link(tok, partner.AppID), 0, "ok")
	linkCode(t, "second other-subject", link(tok, partner2.AppID), 89407, "reach different realname limit")
	linkCode(t, "unlink", s.Post(t, "/cgi-bin/wxopen/wxampunlink?access_token="+tok, `{"appid":"`+shop.AppID+`"}`), 0, "ok")
	linkCode(t, "third this month", link(tok, shop2.AppID), 0, "ok")
	linkCode(t, "unlink", s.Post(t, "/cgi-bin/wxopen/wxampunlink?access_token="+tok, `{"appid":"`+shop2.AppID+`"}`), 0, "ok")
	m := link(tok, shop.AppID)
	linkCode(t, "fourth this month", m, 89009, "reach link limit")
	if !strings.Contains(fmt.Sprint(m["errmsg"]), "3 new links this month") {
		t.Fatalf("monthly limit message %v", m["errmsg"])
	}
	m = link(blogTok, partner.AppID)
	linkCode(t, "mini program's account limit", m, 89009, "reach link limit")
	if !strings.Contains(fmt.Sprint(m["errmsg"]), "already linked to 1 accounts") {
		t.Fatalf("mini program limit message %v", m["errmsg"])
	}
}

func TestMenusAndTemplatesNeedLinkedMiniPrograms(t *testing.T) {
	s := testserver.New(t)
	oa := s.CreateApp(t, "service", "News")
	shop := s.CreateApp(t, "miniprogram", "Shop")
	q := "?access_token=" + s.AccessToken(t, oa)
	menu := `{"button":[{"name":"Go","sub_button":[{"type":"click","name":"Today","key":"T"},
		{"type":"miniprogram","name":"Shop","url":"https://example.com/shop","appid":"` + shop.AppID + `","pagepath":"pages/index"}]}]}`
	m := s.Post(t, "/cgi-bin/menu/create"+q, menu)
	linkCode(t, "menu with an unlinked mini program", m, 45064, "no permission to use weapp in menu")
	if !strings.Contains(fmt.Sprint(m["errmsg"]), "button[0].sub_button[1].appid") || !strings.Contains(fmt.Sprint(m["errmsg"]), "not linked") {
		t.Fatalf("menu error names neither the button nor the cause: %v", m["errmsg"])
	}
	linkCode(t, "link", s.Post(t, "/cgi-bin/wxopen/wxamplink"+q, `{"appid":"`+shop.AppID+`","show_profile":0}`), 0, "ok")
	linkCode(t, "menu with a linked mini program", s.Post(t, "/cgi-bin/menu/create"+q, menu), 0, "ok")
}

func TestTemplateMiniProgramMustBeLinked(t *testing.T) {
	on := true
	w := newPMWorld(t, func(p *officialaccount.Policy) { p.MiniProgramLinks.Enforce = &on })
	linkCode(t, "industry", w.post(t, "/cgi-bin/template/api_set_industry", w.tok, `{"industry_id1":"1","industry_id2":"13"}`), 0, "ok")
	tplID, _ := w.post(t, "/cgi-bin/template/api_add_template", w.tok, `{"template_id_short":"OPENTM200565259"}`)["template_id"].(string)
	_, openid := w.user(t, "alice", w.oa.AppID)
	shop := w.s.CreateApp(t, "miniprogram", "Shop")
	send := func() map[string]any {
		return w.post(t, "/cgi-bin/message/template/send", w.tok, `{"touser":"`+openid+`","template_id":"`+tplID+`",
			"miniprogram":{"appid":"`+shop.AppID+`","pagepath":"pages/order?id=1"},"data":{"keyword1":{"value":"2"}}}`)
	}
	linkCode(t, "template with an unlinked mini program", send(), 40166, "invalid weapp appid")
	linkCode(t, "link", w.s.Post(t, "/cgi-bin/wxopen/wxamplink?access_token="+w.tok, `{"appid":"`+shop.AppID+`"}`), 0, "ok")
	linkCode(t, "template with a linked mini program", send(), 0, "ok")
	// Without a miniprogram (or with the empty object SDKs send) nothing is checked.
	linkCode(t, "no mini program", w.post(t, "/cgi-bin/message/template/send", w.tok, `{"touser":"`+openid+`","template_id":"`+tplID+`",
		"miniprogram":{"appid":"","pagepath":""},"data":{}}`), 0, "ok")
}
