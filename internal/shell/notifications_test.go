package shell_test

import (
	"context"
	"testing"

	"superapp/internal/subscribemsg"
	"superapp/internal/testserver"
)

// The consent sheet's calls and the inbox, through the shell API: each
// user answers and reads for themselves only.
func TestSubscribeConsentAndInbox(t *testing.T) {
	ctx := context.Background()
	ts := testserver.New(t, testserver.Dev())
	mp := ts.CreateApp(t, "miniprogram", "Express")
	oa := ts.CreateApp(t, "service", "News")
	svc := ts.Server.P.Subscribe
	tm, err := svc.AddTemplate(ctx, mp.AppID, 1200, []int64{1, 2}, "")
	if err != nil {
		t.Fatal(err)
	}
	other := ts.CreateApp(t, "miniprogram", "Tea")
	foreign, _ := svc.AddTemplate(ctx, other.AppID, 1200, []int64{1, 2}, "")
	alice, aliceID := testUser(t, ts)
	bob, bobID := testUser(t, ts)
	base := "/shell/api/subscribe/" + mp.AppID

	m := alice.ok("GET", base+"?ids="+tm.PriTmplID+","+foreign.PriTmplID, nil)
	tpls := list(m, "templates")
	if len(tpls) != 1 || tpls[0]["title"] != "订单发货通知" || len(m["unknown"].([]any)) != 1 || m["unknown"].([]any)[0] != foreign.PriTmplID {
		t.Fatalf("prompt %v", m)
	}
	alice.fails("GET", base+"?ids=a,b,c,d", nil, 400, "invalid_input", "ids")
	alice.fails("GET", "/shell/api/subscribe/"+oa.AppID+"?ids="+tm.PriTmplID, nil, 404, "not_found", "appid")
	alice.fails("POST", base, map[string]any{"answers": map[string]string{foreign.PriTmplID: "accept"}}, 404, "template_not_found", "answers")
	alice.fails("POST", base, map[string]any{"answers": map[string]string{tm.PriTmplID: "maybe"}}, 400, "invalid_input", "answers")

	m = alice.ok("POST", base, map[string]any{"answers": map[string]string{tm.PriTmplID: "accept"}, "keep": true})
	if m["answers"].(map[string]any)[tm.PriTmplID] != "accept" {
		t.Fatalf("decide %v", m)
	}
	if n, _ := svc.Credits(ctx, mp.AppID, aliceID, tm.PriTmplID); n != 1 {
		t.Fatalf("alice's credits %d", n)
	}
	if n, _ := svc.Credits(ctx, mp.AppID, bobID, tm.PriTmplID); n != 0 {
		t.Fatalf("bob got alice's credit: %d", n)
	}
	if kept := alice.ok("GET", base+"?ids="+tm.PriTmplID, nil)["kept"].(map[string]any); kept[tm.PriTmplID] != "accept" {
		t.Fatalf("kept %v", kept)
	}

	// The app sends to alice (the consent enrolled her OpenID).
	openid := ts.Server.P.Identity.OpenID(mp.AppID, aliceID)
	if _, err := svc.Send(ctx, mp.AppID, subscribemsg.SendInput{ToUser: openid, TemplateID: tm.PriTmplID, Page: "pages/order/order?id=7",
		Data: map[string]string{"character_string1": "DD1", "thing2": "顺丰速运"}}); err != nil {
		t.Fatal(err)
	}
	m = alice.ok("GET", "/shell/api/notifications", nil)
	ns := list(m, "notifications")
	if num(m["unread"]) != 1 || len(ns) != 1 || ns[0]["app_name"] != "Express" || ns[0]["env_version"] != "release" || ns[0]["page"] != "pages/order/order?id=7" {
		t.Fatalf("alice's notifications %v", m)
	}
	if m := bob.ok("GET", "/shell/api/notifications", nil); len(list(m, "notifications")) != 0 || num(m["unread"]) != 0 {
		t.Fatalf("bob sees %v", m)
	}
	bob.ok("POST", "/shell/api/notifications/read", map[string]any{})
	if m := alice.ok("GET", "/shell/api/notifications", nil); num(m["unread"]) != 1 {
		t.Fatalf("bob's read marked alice's: %v", m)
	}
	if m := alice.ok("POST", "/shell/api/notifications/read", map[string]any{"up_to": num(ns[0]["id"])}); num(m["unread"]) != 0 {
		t.Fatalf("read %v", m)
	}
	alice.fails("GET", "/shell/api/notifications?before=x", nil, 400, "invalid_input", "before")
	newBrowser(t, ts.URL, nil).fails("GET", "/shell/api/notifications", nil, 401, "not_signed_in", "")
}
