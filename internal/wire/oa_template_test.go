package wire_test

import (
	"context"
	"strings"
	"testing"

	"superapp/internal/officialaccount"
)

func TestTemplateManagement(t *testing.T) {
	w := newPMWorld(t, func(p *officialaccount.Policy) { p.TemplatesMax = 2 })
	post := func(path string, body string) map[string]any { return w.post(t, path, w.tok, body) }

	pmCode(t, "add before the industry is set", post("/cgi-bin/template/api_add_template", `{"template_id_short":"TM00015"}`), 45027)
	pmCode(t, "industry 0", post("/cgi-bin/template/api_set_industry", `{"industry_id1":"0","industry_id2":"13"}`), 40102)
	pmCode(t, "industry 42", post("/cgi-bin/template/api_set_industry", `{"industry_id1":1,"industry_id2":42}`), 40102)
	m := w.s.Get(t, "/cgi-bin/template/get_industry?access_token="+w.tok)
	if p := m["primary_industry"].(map[string]any); p["first_class"] != "" {
		t.Fatalf("industry before any was set: %v", m)
	}
	pmCode(t, "set industry", post("/cgi-bin/template/api_set_industry", `{"industry_id1":"1","industry_id2":"13"}`), 0)
	m = post("/cgi-bin/template/get_industry", ``)
	p, s := m["primary_industry"].(map[string]any), m["secondary_industry"].(map[string]any)
	if p["first_class"] != "IT科技" || p["second_class"] != "互联网|电子商务" || s["first_class"] != "运输与仓储" || s["second_class"] != "快递" {
		t.Fatalf("get_industry = %v", m)
	}

	pmCode(t, "unknown short id", post("/cgi-bin/template/api_add_template", `{"template_id_short":"TM99999"}`), 40037)
	pmCode(t, "template of another industry", post("/cgi-bin/template/api_add_template", `{"template_id_short":"OPENTM200654400"}`), 45027)
	m = post("/cgi-bin/template/api_add_template", `{"template_id_short":"TM00015","keyword_name_list":["x"]}`)
	pmCode(t, "add", m, 0)
	first, _ := m["template_id"].(string)
	if len(first) < 20 {
		t.Fatalf("template_id %q", first)
	}
	if again := post("/cgi-bin/template/api_add_template", `{"template_id_short":"TM00015"}`); again["template_id"] != first {
		t.Fatalf("adding the same template again gave %v, want %s", again, first)
	}
	m = post("/cgi-bin/template/api_add_template", `{"template_id_short":"OPENTM401833445"}`)
	pmCode(t, "second template", m, 0)
	second, _ := m["template_id"].(string)
	pmCode(t, "third template over the limit of 2", post("/cgi-bin/template/api_add_template", `{"template_id_short":"OPENTM202243318"}`), 45026)

	m = w.s.Get(t, "/cgi-bin/template/get_all_private_template?access_token="+w.tok)
	list, _ := m["template_list"].([]any)
	if len(list) != 2 {
		t.Fatalf("template_list = %v", m)
	}
	tpl := list[0].(map[string]any)
	if tpl["template_id"] != first {
		tpl = list[1].(map[string]any)
	}
	if tpl["template_id"] != first || tpl["title"] != "订单支付成功" || tpl["primary_industry"] != "IT科技" || tpl["deputy_industry"] != "互联网|电子商务" ||
		!strings.Contains(tpl["content"].(string), "{{orderMoneySum.DATA}}") || tpl["example"] == "" {
		t.Fatalf("template %v", tpl)
	}

	pmCode(t, "delete", post("/cgi-bin/template/del_private_template", `{"template_id":"`+second+`"}`), 0)
	pmCode(t, "delete again", post("/cgi-bin/template/del_private_template", `{"template_id":"`+second+`"}`), 40037)
	pmCode(t, "room again after the delete", post("/cgi-bin/template/api_add_template", `{"template_id_short":"OPENTM202243318"}`), 0)
	// Another account cannot see or delete these templates.
	other := w.s.CreateApp(t, "service", "Other")
	otherTok := w.s.AccessToken(t, other)
	if m := w.post(t, "/cgi-bin/template/get_all_private_template", otherTok, ``); len(m["template_list"].([]any)) != 0 {
		t.Fatalf("another account's list: %v", m)
	}
	pmCode(t, "another account deletes", w.post(t, "/cgi-bin/template/del_private_template", otherTok, `{"template_id":"`+first+`"}`), 40037)
}

func TestTemplateSend(t *testing.T) {
	w := newPMWorld(t, func(p *officialaccount.Policy) { p.TemplateDailySend = 3 })
	ctx := context.Background()
	dev := w.devServer(t, w.oa.AppID)
	pmCode(t, "industry", w.post(t, "/cgi-bin/template/api_set_industry", w.tok, `{"industry_id1":"1","industry_id2":"13"}`), 0)
	m := w.post(t, "/cgi-bin/template/api_add_template", w.tok, `{"template_id_short":"OPENTM200565259"}`)
	tplID, _ := m["template_id"].(string)
	alice, openid := w.user(t, "alice", w.oa.AppID)

	body := `{"touser":"` + openid + `","template_id":"` + tplID + `","url":"https://shop.example/orders/1",
		"miniprogram":{"appid":"","pagepath":""},"client_msg_id":"order-1",
		"data":{"first":{"value":"Your parcel is on its way","color":"#173177"},"keyword1":{"value":"201408120001"},
			"keyword2":{"value":"SF Express"},"keyword3":{"value":12345},"remark":{"value":"Thanks"},"unused":{"value":"ignored"}}}`
	m = w.post(t, "/cgi-bin/message/template/send", w.tok, body)
	pmCode(t, "send", m, 0)
	msgid := int64(m["msgid"].(float64))
	if m["errmsg"] != "ok" || msgid == 0 {
		t.Fatalf("send answered %v", m)
	}
	got := w.lastMessage(t, alice, w.oa.AppID)
	card := got.Body.Template
	if got.ID != msgid || got.Kind != "template" || got.Source != officialaccount.SourceTemplate || card == nil {
		t.Fatalf("delivered %+v", got)
	}
	if card.Title != "订单发货提醒" || card.URL != "https://shop.example/orders/1" || card.MiniProgram != nil || len(card.Fields) != 5 {
		t.Fatalf("card %+v", card)
	}
	want := []officialaccount.TemplateField{
		{Key: "first", Value: "Your parcel is on its way", Color: "#173177"}, {Key: "keyword1", Label: "订单编号", Value: "201408120001"},
		{Key: "keyword2", Label: "物流公司", Value: "SF Express"}, {Key: "keyword3", Label: "物流单号", Value: "12345"}, {Key: "remark", Value: "Thanks"},
	}
	for i, f := range want {
		if card.Fields[i] != f {
			t.Fatalf("field %d = %+v, want %+v", i, card.Fields[i], f)
		}
	}
	push := dev.await(t, "TEMPLATESENDJOBFINISH", msgid)
	if push.Status != "success" || push.FromUserName != openid || push.ToUserName == "" || push.CreateTime == 0 {
		t.Fatalf("push %+v", push)
	}

	// The same client_msg_id answers the first msgid and sends nothing.
	m = w.post(t, "/cgi-bin/message/template/send", w.tok, body)
	if pmCode(t, "repeat", m, 0); int64(m["msgid"].(float64)) != msgid {
		t.Fatalf("repeated client_msg_id gave %v, want msgid %d", m, msgid)
	}
	if n := len(w.conversation(t, alice, w.oa.AppID)); n != 1 {
		t.Fatalf("%d messages after a repeated client_msg_id", n)
	}

	// A mini program jump.
	m = w.post(t, "/cgi-bin/message/template/send", w.tok, `{"touser":"`+openid+`","template_id":"`+tplID+`",
		"miniprogram":{"appid":"wx0123456789abcdef","pagepath":"pages/order?id=1"},"data":{"keyword1":{"value":"2"}}}`)
	pmCode(t, "mini program jump", m, 0)
	if mp := w.lastMessage(t, alice, w.oa.AppID).Body.Template.MiniProgram; mp == nil || mp.PagePath != "pages/order?id=1" {
		t.Fatalf("miniprogram %+v", mp)
	}

	pmCode(t, "unknown template", w.post(t, "/cgi-bin/message/template/send", w.tok, `{"touser":"`+openid+`","template_id":"nope","data":{}}`), 40037)
	pmCode(t, "not an http url", w.post(t, "/cgi-bin/message/template/send", w.tok, `{"touser":"`+openid+`","template_id":"`+tplID+`","url":"javascript:alert(1)","data":{}}`), 40066)
	pmCode(t, "unknown openid", w.post(t, "/cgi-bin/message/template/send", w.tok, `{"touser":"oNOBODY","template_id":"`+tplID+`","data":{}}`), 40003)
	bob, bobOpenID := w.user(t, "bob", w.oa.AppID)
	if _, err := w.s.Server.P.OA.Unfollow(ctx, w.oa.AppID, bob); err != nil {
		t.Fatal(err)
	}
	pmCode(t, "not following", w.post(t, "/cgi-bin/message/template/send", w.tok, `{"touser":"`+bobOpenID+`","template_id":"`+tplID+`","data":{}}`), 43004)

	// A blacklisted follower gets nothing; the report says user block.
	carol, carolOpenID := w.user(t, "carol", w.oa.AppID)
	if err := w.s.Server.P.OA.SetBlacklisted(ctx, w.oa.AppID, []string{carolOpenID}, true); err != nil {
		t.Fatal(err)
	}
	m = w.post(t, "/cgi-bin/message/template/send", w.tok, `{"touser":"`+carolOpenID+`","template_id":"`+tplID+`","data":{}}`)
	pmCode(t, "blacklisted", m, 0)
	if n := len(w.conversation(t, carol, w.oa.AppID)); n != 0 {
		t.Fatalf("a blacklisted follower received %d messages", n)
	}
	if push := dev.await(t, "TEMPLATESENDJOBFINISH", int64(m["msgid"].(float64))); push.Status != "failed:user block" {
		t.Fatalf("push %+v", push)
	}

	// Three sends today (the policy's cap): the fourth is refused.
	pmCode(t, "over the daily cap", w.post(t, "/cgi-bin/message/template/send", w.tok, `{"touser":"`+openid+`","template_id":"`+tplID+`","data":{}}`), 45009)
	var sent int
	if err := w.s.Server.P.DB.QueryRow(ctx, "SELECT sent FROM oa_template_daily WHERE appid = ?", w.oa.AppID).Scan(&sent); err != nil || sent != 3 {
		t.Fatalf("daily count %d, %v (a refused send must not count)", sent, err)
	}
}
