package wire_test

import (
	"context"
	"strings"
	"testing"

	"superapp/internal/release"
	"superapp/internal/testserver"
)

func subCode(t *testing.T, what string, m map[string]any, want int) {
	t.Helper()
	if got := testserver.Errcode(m); got != want {
		t.Fatalf("%s: errcode %d (%v), want %d", what, got, m["errmsg"], want)
	}
}

func TestSubscribeTemplatesWire(t *testing.T) {
	s := testserver.New(t)
	mp := s.CreateApp(t, "miniprogram", "Coffee")
	oa := s.CreateApp(t, "service", "News")
	tok, oaTok := s.AccessToken(t, mp), s.AccessToken(t, oa)
	get := func(path string) map[string]any { return s.Get(t, path+sep(path)+"access_token="+tok) }
	post := func(path, body string) map[string]any { return s.Post(t, path+"?access_token="+tok, body) }

	m := get("/wxaapi/newtmpl/getcategory")
	subCode(t, "getcategory", m, 0)
	if cats, _ := m["data"].([]any); len(cats) < 5 || cats[0].(map[string]any)["name"] == "" {
		t.Fatalf("categories %v", m)
	}
	subCode(t, "an official account's token", s.Get(t, "/wxaapi/newtmpl/getcategory?access_token="+oaTok), 48001)

	m = get("/wxaapi/newtmpl/getpubtemplatetitles?ids=1184,616&start=0&limit=2")
	subCode(t, "titles", m, 0)
	data, _ := m["data"].([]any)
	if m["count"] != float64(8) || len(data) != 2 {
		t.Fatalf("titles %v", m)
	}
	first := data[0].(map[string]any)
	if _, isNum := first["tid"].(float64); !isNum || first["type"] != float64(2) {
		t.Fatalf("title %v: tid must be a number, type 2", first)
	}
	if _, isStr := first["categoryId"].(string); !isStr {
		t.Fatalf("title %v: categoryId must be a string, as WeChat sends it", first)
	}
	subCode(t, "no ids", get("/wxaapi/newtmpl/getpubtemplatetitles?start=0&limit=2"), 200018)
	subCode(t, "bad ids", get("/wxaapi/newtmpl/getpubtemplatetitles?ids=a&start=0&limit=2"), 200019)
	subCode(t, "bad start", get("/wxaapi/newtmpl/getpubtemplatetitles?ids=616&start=-1&limit=2"), 200016)
	subCode(t, "limit 31", get("/wxaapi/newtmpl/getpubtemplatetitles?ids=616&start=0&limit=31"), 200017)

	m = get("/wxaapi/newtmpl/getpubtemplatekeywords?tid=99")
	subCode(t, "keywords", m, 0)
	kws, _ := m["data"].([]any)
	if m["count"] != float64(5) || len(kws) != 5 || kws[1].(map[string]any)["rule"] != "amount" || kws[1].(map[string]any)["kid"] != float64(2) {
		t.Fatalf("keywords %v", m)
	}
	subCode(t, "keywords of an unknown tid", get("/wxaapi/newtmpl/getpubtemplatekeywords?tid=4242"), 200014)

	m = post("/wxaapi/newtmpl/addtemplate", `{"tid":"99","kidList":[1,2,4],"sceneDesc":"下单后通知"}`)
	subCode(t, "add", m, 0)
	id, _ := m["priTmplId"].(string)
	if len(id) != 43 {
		t.Fatalf("priTmplId %q", id)
	}
	subCode(t, "tid as a number", post("/wxaapi/newtmpl/addtemplate", `{"tid":307,"kidList":[1,2]}`), 0)
	subCode(t, "unknown tid", post("/wxaapi/newtmpl/addtemplate", `{"tid":"4242","kidList":[1,2]}`), 200014)
	subCode(t, "one keyword", post("/wxaapi/newtmpl/addtemplate", `{"tid":"99","kidList":[1]}`), 200020)
	subCode(t, "unknown keyword", post("/wxaapi/newtmpl/addtemplate", `{"tid":"99","kidList":[1,42]}`), 200020)
	subCode(t, "long sceneDesc", post("/wxaapi/newtmpl/addtemplate", `{"tid":"99","kidList":[1,2],"sceneDesc":"`+strings.Repeat("长", 16)+`"}`), 200021)
	subCode(t, "add with GET", get("/wxaapi/newtmpl/addtemplate"), 43002)
	subCode(t, "bad JSON", post("/wxaapi/newtmpl/addtemplate", `{"tid":`), 47001)

	m = get("/wxaapi/newtmpl/gettemplate")
	subCode(t, "gettemplate", m, 0)
	list, _ := m["data"].([]any)
	if len(list) != 2 {
		t.Fatalf("templates %v", m)
	}
	tpl := list[0].(map[string]any)
	if tpl["priTmplId"] != id {
		tpl = list[1].(map[string]any)
	}
	if tpl["priTmplId"] != id || tpl["title"] != "付款成功通知" || tpl["type"] != float64(2) ||
		tpl["content"] != "订单编号:{{character_string1.DATA}}\n支付金额:{{amount2.DATA}}\n支付时间:{{time4.DATA}}\n" ||
		!strings.Contains(tpl["example"].(string), "支付金额:¥100.00") {
		t.Fatalf("template %v", tpl)
	}

	// Another mini program neither sees nor deletes it.
	other := s.CreateApp(t, "miniprogram", "Tea")
	otherTok := s.AccessToken(t, other)
	if l, _ := s.Get(t, "/wxaapi/newtmpl/gettemplate?access_token="+otherTok)["data"].([]any); len(l) != 0 {
		t.Fatalf("another app lists %v", l)
	}
	subCode(t, "delete by another app", s.Post(t, "/wxaapi/newtmpl/deltemplate?access_token="+otherTok, `{"priTmplId":"`+id+`"}`), 40037)
	subCode(t, "delete", post("/wxaapi/newtmpl/deltemplate", `{"priTmplId":"`+id+`"}`), 0)
	subCode(t, "delete again", post("/wxaapi/newtmpl/deltemplate", `{"priTmplId":"`+id+`"}`), 40037)
}

func sep(path string) string {
	if strings.Contains(path, "?") {
		return "&"
	}
	return "?"
}

func TestSubscribeSendWire(t *testing.T) {
	ctx := context.Background()
	s := testserver.New(t)
	mp := s.CreateApp(t, "miniprogram", "Coffee")
	other := s.CreateApp(t, "miniprogram", "Tea")
	tok, otherTok := s.AccessToken(t, mp), s.AccessToken(t, other)
	u := s.CreateUser(t, "alice", "")
	p := s.Server.P
	openid, _ := p.Identity.Enroll(ctx, mp.AppID, u.ID)
	otherOpenID, _ := p.Identity.Enroll(ctx, other.AppID, u.ID)
	m := s.Post(t, "/wxaapi/newtmpl/addtemplate?access_token="+tok, `{"tid":"99","kidList":[1,2,4]}`)
	id := m["priTmplId"].(string)
	send := func(tok, body string) map[string]any {
		return s.Post(t, "/cgi-bin/message/subscribe/send?access_token="+tok, body)
	}
	body := func(touser, extra string) string {
		return `{"touser":"` + touser + `","template_id":"` + id + `","page":"pages/index/index?from=msg","miniprogram_state":"trial","lang":"en_US",` + extra +
			`"data":{"character_string1":{"value":"20191104123456"},"amount2":{"value":"¥100.00"},"time4":{"value":"2019-11-04 12:00"}}}`
	}

	subCode(t, "no consent", send(tok, body(openid, "")), 43101)
	if msg := send(tok, body(openid, ""))["errmsg"].(string); !strings.HasPrefix(msg, "user refuse to accept the msg rid: ") {
		t.Fatalf("errmsg %q", msg)
	}
	if _, err := p.Subscribe.Decide(ctx, mp.AppID, u.ID, map[string]string{id: "accept"}, false); err != nil {
		t.Fatal(err)
	}
	subCode(t, "another app's openid", send(tok, body(otherOpenID, "")), 40003)
	subCode(t, "no touser", send(tok, `{"template_id":"`+id+`"}`), 40003)
	subCode(t, "another app's token", send(otherTok, body(otherOpenID, "")), 40037)
	subCode(t, "unknown template", send(tok, `{"touser":"`+openid+`","template_id":"nope","data":{}}`), 40037)
	m = send(tok, `{"touser":"`+openid+`","template_id":"`+id+`","data":{"character_string1":{"value":"1"},"time4":{"value":"12:00"}}}`)
	subCode(t, "missing amount", m, 47003)
	if msg := m["errmsg"].(string); !strings.HasPrefix(msg, "argument invalid! data.amount2.value is emtpy") {
		t.Fatalf("errmsg %q", msg)
	}
	subCode(t, "bad state", send(tok, strings.Replace(body(openid, ""), `"trial"`, `"beta"`, 1)), 47003)
	subCode(t, "send with GET", s.Get(t, "/cgi-bin/message/subscribe/send?access_token="+tok), 43002)
	subCode(t, "send", send(tok, body(openid, "")), 0)
	subCode(t, "credit spent", send(tok, body(openid, "")), 43101)

	list, unread, err := p.Subscribe.Inbox(ctx, u.ID, 0, 10)
	if err != nil || len(list) != 1 || unread != 1 {
		t.Fatalf("inbox %v, %d, %v", list, unread, err)
	}
	if n := list[0]; n.AppID != mp.AppID || n.EnvVersion != "trial" || n.Lang != "en_US" || n.Page != "pages/index/index?from=msg" || n.Fields[0].Value != "20191104123456" {
		t.Fatalf("notification %+v", n)
	}
}

// The page of a send must be a page of the version miniprogram_state names,
// when the release domain has that version (41030); a version it lacks is
// not checked.
func TestSubscribeSendPageOfVersion(t *testing.T) {
	ctx := context.Background()
	s := testserver.New(t)
	mp := s.CreateApp(t, "miniprogram", "Coffee")
	tok := s.AccessToken(t, mp)
	u := s.CreateUser(t, "alice", "")
	p := s.Server.P
	openid, _ := p.Identity.Enroll(ctx, mp.AppID, u.ID)
	if _, err := p.Releases.AddDevVersion(ctx, mp.AppID, release.DevVersionInput{Uploader: u.ID, UserVersion: "1.0.0", Manifest: []byte(`{}`),
		ManifestHash: strings.Repeat("ab", 32), Pages: []string{"pages/index/index", "pages/order/order"}}); err != nil {
		t.Fatal(err)
	}
	id := s.Post(t, "/wxaapi/newtmpl/addtemplate?access_token="+tok, `{"tid":"307","kidList":[1,2]}`)["priTmplId"].(string)
	p.Subscribe.Decide(ctx, mp.AppID, u.ID, map[string]string{id: "accept"}, false)
	send := func(state, page string) map[string]any {
		return s.Post(t, "/cgi-bin/message/subscribe/send?access_token="+tok, `{"touser":"`+openid+`","template_id":"`+id+`","miniprogram_state":"`+state+
			`","page":"`+page+`","data":{"character_string1":{"value":"YT1"},"number2":{"value":"628814"}}}`)
	}
	subCode(t, "a page the dev version lacks", send("developer", "pages/nope/nope"), 41030)
	subCode(t, "formal without an online version: not checked", send("formal", "pages/nope/nope"), 0)
	p.Subscribe.Decide(ctx, mp.AppID, u.ID, map[string]string{id: "accept"}, false)
	subCode(t, "a page of the dev version, with a query", send("developer", "pages/order/order?id=7"), 0)
}

// Text no database stores (a NUL byte) gets WeChat's errcode for the
// field, on PostgreSQL too, and spends no credit.
func TestSubscribeSendUnstorableText(t *testing.T) {
	ctx := context.Background()
	s := testserver.New(t)
	mp := s.CreateApp(t, "miniprogram", "Coffee")
	tok := s.AccessToken(t, mp)
	u := s.CreateUser(t, "alice", "")
	p := s.Server.P
	openid, _ := p.Identity.Enroll(ctx, mp.AppID, u.ID)
	id := s.Post(t, "/wxaapi/newtmpl/addtemplate?access_token="+tok, `{"tid":"99","kidList":[1,2,4]}`)["priTmplId"].(string)
	if _, err := p.Subscribe.Decide(ctx, mp.AppID, u.ID, map[string]string{id: "accept"}, false); err != nil {
		t.Fatal(err)
	}
	send := func(touser, tmpl, page string) map[string]any {
		return s.Post(t, "/cgi-bin/message/subscribe/send?access_token="+tok, `{"touser":"`+touser+`","template_id":"`+tmpl+`","page":"`+page+`",`+
			`"data":{"character_string1":{"value":"1"},"amount2":{"value":"¥1.00"},"time4":{"value":"12:00"}}}`)
	}
	subCode(t, "NUL in touser", send(openid+`\u0000`, id, ""), 40003)
	subCode(t, "NUL in template_id", send(openid, id+`\u0000`, ""), 40037)
	subCode(t, "NUL in page", send(openid, id, `pages/a\u0000`), 41030)
	subCode(t, "NUL in deltemplate", s.Post(t, "/wxaapi/newtmpl/deltemplate?access_token="+tok, `{"priTmplId":"`+id+`\u0000"}`), 40037)
	if n, err := p.Subscribe.Credits(ctx, mp.AppID, u.ID, id); err != nil || n != 1 {
		t.Fatalf("credits after refused sends = %d, %v; want 1", n, err)
	}
}
