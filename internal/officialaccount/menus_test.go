package officialaccount_test

import (
	"context"
	"encoding/xml"
	"errors"
	"reflect"
	"strings"
	"testing"

	"superapp/internal/account"
	"superapp/internal/identity"
	"superapp/internal/input"
	"superapp/internal/officialaccount"
)

type B = officialaccount.Button

func click(name, key string) B { return B{Type: "click", Name: name, Key: key} }

// allButtons is a menu using every button type.
func allButtons(miniProgram string) []B {
	return []B{
		{Name: "Go", SubButtons: []B{
			click("Today", "TODAY"),
			{Type: "view", Name: "Site", URL: "https://example.com/a"},
			{Type: "miniprogram", Name: "Shop", URL: "https://example.com/shop", AppID: miniProgram, PagePath: "pages/index?x=1"},
			{Type: "scancode_push", Name: "Scan", Key: "SCAN1"},
			{Type: "scancode_waitmsg", Name: "Scan wait", Key: "SCAN2"},
		}},
		{Name: "Send", SubButtons: []B{
			{Type: "pic_sysphoto", Name: "Camera", Key: "PIC1"},
			{Type: "pic_photo_or_album", Name: "Album", Key: "PIC2"},
			{Type: "pic_weixin", Name: "WeChat album", Key: "PIC3"},
			{Type: "location_select", Name: "Where", Key: "LOC"},
		}},
		{Name: "More", SubButtons: []B{
			{Type: "media_id", Name: "Material", MediaID: "MEDIA_1"},
			{Type: "view_limited", Name: "Article page", MediaID: "MEDIA_2"},
			{Type: "article_id", Name: "Post", ArticleID: "ART_1"},
			{Type: "article_view_limited", Name: "Post page", ArticleID: "ART_2"},
		}},
	}
}

func (w *world) miniProgram(t *testing.T) string {
	t.Helper()
	mp, _, err := w.p.Accounts.CreateApp(context.Background(), account.MiniProgram, "Shop", "")
	if err != nil {
		t.Fatal(err)
	}
	// Menus open only linked mini programs (miniprograms.go).
	if _, err := w.p.OA.LinkMiniProgram(context.Background(), w.oa.AppID, mp.AppID, true, false); err != nil {
		t.Fatal(err)
	}
	return mp.AppID
}

func TestMenuLimitsStoreNothingWhenViolated(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	oa := w.p.OA
	mp := w.miniProgram(t)
	long := func(n int) string { return strings.Repeat("a", n) }
	sub := func(bs ...B) []B { return []B{{Name: "Top", SubButtons: bs}} }
	cases := []struct {
		name    string
		buttons []B
		problem officialaccount.MenuProblem
		sub     bool
		field   string
	}{
		{"no buttons", nil, officialaccount.ProblemButtonCount, false, "button"},
		{"4 buttons", []B{click("a", "1"), click("b", "2"), click("c", "3"), click("d", "4")}, officialaccount.ProblemButtonCount, false, "button"},
		{"6 sub-buttons", sub(click("1", "1"), click("2", "2"), click("3", "3"), click("4", "4"), click("5", "5"), click("6", "6")), officialaccount.ProblemButtonCount, true, "button[0].sub_button"},
		{"empty name", []B{click("", "k")}, officialaccount.ProblemButtonName, false, "button[0].name"},
		{"17-byte top name", []B{click(long(17), "k")}, officialaccount.ProblemButtonName, false, "button[0].name"},
		{"6 Chinese characters (18 bytes) on top", []B{click("六个汉字六个", "k")}, officialaccount.ProblemButtonName, false, "button[0].name"},
		{"17-byte parent name", []B{{Name: long(17), SubButtons: []B{click("a", "k")}}}, officialaccount.ProblemButtonName, false, "button[0].name"},
		{"61-byte sub name", sub(click(long(61), "k")), officialaccount.ProblemButtonName, true, "button[0].sub_button[0].name"},
		{"no type", []B{{Name: "x", Key: "k"}}, officialaccount.ProblemButtonType, false, "button[0].type"},
		{"unknown type", []B{{Type: "text", Name: "x", Key: "k"}}, officialaccount.ProblemButtonType, false, "button[0].type"},
		{"unknown sub type", sub(B{Type: "news", Name: "x"}), officialaccount.ProblemButtonType, true, "button[0].sub_button[0].type"},
		{"click without key", []B{{Type: "click", Name: "x"}}, officialaccount.ProblemButtonKey, false, "button[0].key"},
		{"129-byte key", []B{click("x", long(129))}, officialaccount.ProblemButtonKey, false, "button[0].key"},
		{"129-byte sub key", sub(B{Type: "location_select", Name: "x", Key: long(129)}), officialaccount.ProblemButtonKey, true, "button[0].sub_button[0].key"},
		{"view without url", []B{{Type: "view", Name: "x"}}, officialaccount.ProblemButtonURL, false, "button[0].url"},
		{"1025-byte url", []B{{Type: "view", Name: "x", URL: "https://e.com/" + long(1011)}}, officialaccount.ProblemButtonURL, false, "button[0].url"},
		{"1025-byte sub url", sub(B{Type: "view", Name: "x", URL: "https://e.com/" + long(1011)}), officialaccount.ProblemButtonURL, true, "button[0].sub_button[0].url"},
		{"url without scheme", []B{{Type: "view", Name: "x", URL: "example.com"}}, officialaccount.ProblemButtonURLDomain, false, "button[0].url"},
		{"sub url ftp", sub(B{Type: "view", Name: "x", URL: "ftp://example.com"}), officialaccount.ProblemButtonURLDomain, true, "button[0].sub_button[0].url"},
		{"three levels", sub(B{Name: "x", SubButtons: []B{click("y", "k")}}), officialaccount.ProblemSubButtonLevel, true, "button[0].sub_button[0].sub_button"},
		{"miniprogram without appid", []B{{Type: "miniprogram", Name: "x", URL: "https://e.com", PagePath: "p"}}, officialaccount.ProblemMiniProgram, false, "button[0].appid"},
		{"miniprogram of an official account", []B{{Type: "miniprogram", Name: "x", URL: "https://e.com", AppID: w.oa.AppID, PagePath: "p"}}, officialaccount.ProblemMiniProgram, false, "button[0].appid"},
		{"miniprogram without pagepath", []B{{Type: "miniprogram", Name: "x", URL: "https://e.com", AppID: mp}}, officialaccount.ProblemMiniProgramPage, false, "button[0].pagepath"},
		{"miniprogram without fallback url", []B{{Type: "miniprogram", Name: "x", AppID: mp, PagePath: "p"}}, officialaccount.ProblemButtonURL, false, "button[0].url"},
		{"media_id without media_id", []B{{Type: "media_id", Name: "x"}}, officialaccount.ProblemMediaID, false, "button[0].media_id"},
		{"view_limited without media_id", sub(B{Type: "view_limited", Name: "x"}), officialaccount.ProblemMediaID, true, "button[0].sub_button[0].media_id"},
		{"article_id without article_id", []B{{Type: "article_id", Name: "x"}}, officialaccount.ProblemArticleID, false, "button[0].article_id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := oa.CreateMenu(ctx, w.oa.AppID, c.buttons)
			var me *officialaccount.MenuError
			if !errors.As(err, &me) || me.Problem != c.problem || me.Sub != c.sub || me.Field != c.field {
				t.Fatalf("err = %#v (%v), want %s (sub %v) at %s", me, err, c.problem, c.sub, c.field)
			}
			menus, err := oa.Menus(ctx, w.oa.AppID)
			if err != nil || menus.Default != nil {
				t.Fatalf("an invalid menu was stored: %+v, %v", menus.Default, err)
			}
		})
	}

	// The limits themselves are allowed: 3 buttons, 5 sub-buttons, 16/60
	// bytes of name, 128 bytes of key, 1024 of url.
	ok := []B{
		click(long(16), long(128)),
		{Name: "五个汉字呀", SubButtons: []B{click(long(60), "1"), click("2", "2"), click("3", "3"), click("4", "4"),
			{Type: "view", Name: "5", URL: "https://e.com/" + long(1010)}}},
		{Type: "view", Name: "v", URL: "https://e.com/x", Key: "ignored"},
	}
	m, err := oa.CreateMenu(ctx, w.oa.AppID, ok)
	if err != nil {
		t.Fatalf("a menu at the limits: %v", err)
	}
	got, err := oa.MenuFor(ctx, w.oa.AppID, w.user.ID)
	if err != nil || got.MenuID != m.MenuID || len(got.Buttons) != 3 || got.Buttons[1].SubButtons[4].URL != ok[1].SubButtons[4].URL {
		t.Fatalf("stored menu = %+v, %v", got, err)
	}
	if got.Buttons[2].Key != "" {
		t.Fatalf("a view button kept a key: %+v", got.Buttons[2])
	}
}

func TestMenuEveryTypeRoundTrips(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	buttons := allButtons(w.miniProgram(t))
	if _, err := w.p.OA.CreateMenu(ctx, w.oa.AppID, buttons); err != nil {
		t.Fatal(err)
	}
	menus, err := w.p.OA.Menus(ctx, w.oa.AppID)
	if err != nil || !reflect.DeepEqual(menus.Default.Buttons, buttons) || len(menus.Conditional) != 0 {
		t.Fatalf("menus = %+v, %v", menus, err)
	}
	// A new default menu replaces the old one under a new id.
	first := menus.Default.MenuID
	if _, err := w.p.OA.CreateMenu(ctx, w.oa.AppID, []B{click("One", "1")}); err != nil {
		t.Fatal(err)
	}
	menus, _ = w.p.OA.Menus(ctx, w.oa.AppID)
	if menus.Default.MenuID <= first || len(menus.Default.Buttons) != 1 {
		t.Fatalf("replaced menu = %+v (first id %d)", menus.Default, first)
	}
	// Only official accounts have menus.
	if _, err := w.p.OA.CreateMenu(ctx, w.miniProgram(t), buttons); err != officialaccount.ErrNotOfficialAccount {
		t.Fatalf("a mini program's menu: %v", err)
	}
}

// tag gives userID the account's tag id (creating the tag).
func (w *world) tag(t *testing.T, id int64, userIDs ...string) {
	t.Helper()
	ctx := context.Background()
	if _, err := w.p.DB.Exec(ctx, "INSERT INTO oa_tags(appid, id, name, created_at) VALUES (?, ?, ?, 0) ON CONFLICT DO NOTHING", w.oa.AppID, id, "tag"+itoa(id)); err != nil {
		t.Fatal(err)
	}
	for _, u := range userIDs {
		if _, err := w.p.DB.Exec(ctx, "INSERT INTO oa_follower_tags(appid, tag_id, user_id) VALUES (?, ?, ?)", w.oa.AppID, id, u); err != nil {
			t.Fatal(err)
		}
	}
}

func TestConditionalMenus(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	oa := w.p.OA
	appid := w.oa.AppID
	bob, err := w.p.Identity.CreateUser(ctx, identity.NewUser{Name: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	vip := []B{click("VIP", "VIP")}
	problem := func(err error) officialaccount.MenuProblem {
		var me *officialaccount.MenuError
		if errors.As(err, &me) {
			return me.Problem
		}
		t.Fatalf("err = %v, want a menu error", err)
		return ""
	}
	w.tag(t, 100, w.user.ID)
	w.tag(t, 101)

	if _, err := oa.AddConditionalMenu(ctx, appid, vip, officialaccount.MatchRule{TagID: "100"}); problem(err) != officialaccount.ProblemNoDefaultMenu {
		t.Fatalf("conditional without a default menu: %v", err)
	}
	if m, err := oa.MenuFor(ctx, appid, w.user.ID); m != nil || err != nil {
		t.Fatalf("menu of an account without one = %+v, %v", m, err)
	}
	def, err := oa.CreateMenu(ctx, appid, []B{click("Default", "DEF")})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		rule officialaccount.MatchRule
		want officialaccount.MenuProblem
	}{
		{officialaccount.MatchRule{}, officialaccount.ProblemMatchRuleEmpty},
		{officialaccount.MatchRule{TagID: " "}, officialaccount.ProblemMatchRuleEmpty},
		{officialaccount.MatchRule{TagID: "999"}, officialaccount.ProblemTagID},
		{officialaccount.MatchRule{TagID: "vip"}, officialaccount.ProblemTagID},
		{officialaccount.MatchRule{Sex: "3"}, officialaccount.ProblemMatchValue},
		{officialaccount.MatchRule{ClientPlatformType: "4"}, officialaccount.ProblemMatchValue},
		{officialaccount.MatchRule{Language: "klingon"}, officialaccount.ProblemMatchValue},
		{officialaccount.MatchRule{Province: "Guangdong"}, officialaccount.ProblemMissingCountry},
		{officialaccount.MatchRule{Country: "China", City: "Guangzhou"}, officialaccount.ProblemMissingProvince},
		{officialaccount.MatchRule{Country: strings.Repeat("x", 65)}, officialaccount.ProblemCountry},
	} {
		if _, err := oa.AddConditionalMenu(ctx, appid, vip, c.rule); problem(err) != c.want {
			t.Fatalf("rule %+v: %v, want %s", c.rule, err, c.want)
		}
	}
	if _, err := oa.AddConditionalMenu(ctx, appid, nil, officialaccount.MatchRule{TagID: "100"}); problem(err) != officialaccount.ProblemEmptyMenu {
		t.Fatalf("empty conditional menu: %v", err)
	}
	if _, err := oa.AddConditionalMenu(ctx, appid, []B{{Name: "x"}}, officialaccount.MatchRule{TagID: "100"}); problem(err) != officialaccount.ProblemNoResponseType {
		t.Fatalf("conditional button without a type: %v", err)
	}

	// Tags: alice carries tag 100, bob nothing.
	byTag, err := oa.AddConditionalMenu(ctx, appid, vip, officialaccount.MatchRule{TagID: "100"})
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := oa.MenuFor(ctx, appid, w.user.ID); m == nil || m.MenuID != byTag.MenuID || m.Buttons[0].Key != "VIP" {
		t.Fatalf("tagged user sees %+v, want the tag's menu %d", m, byTag.MenuID)
	}
	if m, _ := oa.MenuFor(ctx, appid, bob.ID); m == nil || m.MenuID != def.MenuID {
		t.Fatalf("untagged user sees %+v, want the default %d", m, def.MenuID)
	}
	// Profile criteria: bob is a man in Guangzhou.
	gender, country, province, city := 1, "China", "Guangdong", "Guangzhou"
	if _, err := w.p.Identity.UpdateProfile(ctx, bob.ID, identity.Profile{Gender: &gender, Country: &country, Province: &province, City: &city}); err != nil {
		t.Fatal(err)
	}
	men, err := oa.AddConditionalMenu(ctx, appid, []B{click("Men", "MEN")}, officialaccount.MatchRule{Sex: "1", Country: "china", Province: "Guangdong"})
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := oa.MenuFor(ctx, appid, bob.ID); m.MenuID != men.MenuID {
		t.Fatalf("bob sees %d, want the men-in-Guangdong menu %d", m.MenuID, men.MenuID)
	}
	if m, _ := oa.MenuFor(ctx, appid, w.user.ID); m.MenuID != byTag.MenuID {
		t.Fatalf("alice (no gender) sees %d, want her tag's menu %d", m.MenuID, byTag.MenuID)
	}
	// The newest matching menu wins; a platform rule never matches the shell.
	w.tag(t, 101, bob.ID, w.user.ID)
	newest, err := oa.AddConditionalMenu(ctx, appid, []B{click("New", "NEW")}, officialaccount.MatchRule{TagID: "101"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := oa.AddConditionalMenu(ctx, appid, vip, officialaccount.MatchRule{TagID: "101", ClientPlatformType: "2"}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{w.user.ID, bob.ID} {
		if m, _ := oa.MenuFor(ctx, appid, u); m.MenuID != newest.MenuID {
			t.Fatalf("user %s sees %d, want the newest matching menu %d", u, m.MenuID, newest.MenuID)
		}
	}
	menus, _ := oa.Menus(ctx, appid)
	if len(menus.Conditional) != 4 || menus.Conditional[0].MatchRule.ClientPlatformType != "2" || menus.Conditional[3].MenuID != byTag.MenuID {
		t.Fatalf("conditional menus (newest first) = %+v", menus.Conditional)
	}

	// Deleting one conditional menu; deleting an unknown or the default one fails.
	if err := oa.DeleteConditionalMenu(ctx, appid, newest.MenuID); err != nil {
		t.Fatal(err)
	}
	if m, _ := oa.MenuFor(ctx, appid, w.user.ID); m.MenuID != byTag.MenuID {
		t.Fatalf("after deleting the newest: %d, want %d", m.MenuID, byTag.MenuID)
	}
	for _, id := range []int64{newest.MenuID, def.MenuID} {
		if err := oa.DeleteConditionalMenu(ctx, appid, id); problem(err) != officialaccount.ProblemNoSuchMenu {
			t.Fatalf("deleting %d: %v", id, err)
		}
	}
	// Links of all conditional menus span at most 3 domains.
	view := func(host string) B { return B{Type: "view", Name: host, URL: "https://" + host + "/p"} }
	if _, err := oa.AddConditionalMenu(ctx, appid, []B{view("a.com"), view("b.com"), view("c.com")}, officialaccount.MatchRule{TagID: "100"}); err != nil {
		t.Fatal(err)
	}
	if _, err := oa.AddConditionalMenu(ctx, appid, []B{view("d.com")}, officialaccount.MatchRule{TagID: "100"}); problem(err) != officialaccount.ProblemTooManyDomains {
		t.Fatalf("a fourth domain: %v", err)
	}
	// menu/delete removes everything.
	if err := oa.DeleteMenus(ctx, appid); err != nil {
		t.Fatal(err)
	}
	if menus, _ := oa.Menus(ctx, appid); menus.Default != nil || len(menus.Conditional) != 0 {
		t.Fatalf("after delete: %+v", menus)
	}
}

func TestConditionalMenuCountLimit(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.tag(t, 1, w.user.ID)
	if _, err := w.p.OA.CreateMenu(ctx, w.oa.AppID, []B{click("Default", "D")}); err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if _, err := w.p.OA.AddConditionalMenu(ctx, w.oa.AppID, []B{click("C", "C")}, officialaccount.MatchRule{TagID: "1"}); err != nil {
			t.Fatalf("conditional menu %d: %v", i+1, err)
		}
	}
	_, err := w.p.OA.AddConditionalMenu(ctx, w.oa.AppID, []B{click("C", "C")}, officialaccount.MatchRule{TagID: "1"})
	var me *officialaccount.MenuError
	if !errors.As(err, &me) || me.Problem != officialaccount.ProblemTooManyConditional {
		t.Fatalf("conditional menu 101: %v", err)
	}
	if m, _ := w.p.OA.MenuFor(ctx, w.oa.AppID, w.user.ID); m.Buttons[0].Key != "C" || m.MatchRule != nil {
		t.Fatalf("the tagged user sees %+v; want a conditional menu without its rule", m)
	}
}

// eventPush is the event XML a tap pushes.
type eventPush struct {
	FromUserName string
	MsgType      string
	Event        string
	EventKey     string
	MenuID       int64 `xml:"MenuId"`
	ScanCodeInfo struct {
		ScanType   string
		ScanResult string
	}
	SendPicsInfo struct {
		Count   int
		PicList []string `xml:"PicList>item>PicMd5Sum"`
	}
	SendLocationInfo struct {
		X     float64 `xml:"Location_X"`
		Y     float64 `xml:"Location_Y"`
		Scale int
		Label string
	}
}

func (w *world) lastEvent(t *testing.T) (eventPush, int) {
	t.Helper()
	ctx := context.Background()
	var n int
	var payload string
	if err := w.p.DB.QueryRow(ctx, "SELECT COUNT(*) FROM oa_callbacks WHERE appid = ?", w.oa.AppID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if err := w.p.DB.QueryRow(ctx, "SELECT payload FROM oa_callbacks WHERE appid = ? ORDER BY id DESC LIMIT 1", w.oa.AppID).Scan(&payload); err != nil {
		t.Fatal(err)
	}
	var e eventPush
	if err := xml.Unmarshal([]byte(payload), &e); err != nil {
		t.Fatalf("push is not XML: %v\n%s", err, payload)
	}
	return e, n
}

func TestTapButtonRaisesEachButtonsEvent(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	oa := w.p.OA
	appid := w.oa.AppID
	mp := w.miniProgram(t)
	m, err := oa.CreateMenu(ctx, appid, allButtons(mp))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := oa.TapButton(ctx, appid, w.user.ID, officialaccount.Tap{Top: 0, Sub: 0}); err != officialaccount.ErrNotFollowing {
		t.Fatalf("a stranger's tap: %v", err)
	}
	if _, err := oa.Follow(ctx, appid, w.user.ID, officialaccount.SceneSearch, nil); err != nil {
		t.Fatal(err)
	}
	w.withServer(t)
	openid := w.p.Identity.OpenID(appid, w.user.ID)
	pushes := 0
	tap := func(tp officialaccount.Tap) (*officialaccount.TapResult, eventPush) {
		t.Helper()
		res, err := oa.TapButton(ctx, appid, w.user.ID, tp)
		if err != nil {
			t.Fatalf("tap %+v: %v", tp, err)
		}
		e, n := w.lastEvent(t)
		if n != pushes+1 || res.CallbackID == 0 || e.MsgType != "event" || e.FromUserName != openid {
			t.Fatalf("tap %+v: %d pushes (want %d), result %+v, push %+v", tp, n, pushes+1, res, e)
		}
		pushes = n
		return res, e
	}

	if _, e := tap(officialaccount.Tap{Top: 0, Sub: 0}); e.Event != "CLICK" || e.EventKey != "TODAY" {
		t.Fatalf("click pushed %+v", e)
	}
	if res, e := tap(officialaccount.Tap{Top: 0, Sub: 1}); e.Event != "VIEW" || e.EventKey != "https://example.com/a" || e.MenuID != m.MenuID || res.OpenURL != "https://example.com/a" {
		t.Fatalf("view pushed %+v, result %+v", e, res)
	}
	if res, e := tap(officialaccount.Tap{Top: 0, Sub: 2}); e.Event != "view_miniprogram" || e.EventKey != "pages/index?x=1" || e.MenuID != m.MenuID ||
		res.MiniProgram == nil || res.MiniProgram.AppID != mp || res.MiniProgram.PagePath != "pages/index?x=1" {
		t.Fatalf("miniprogram pushed %+v, result %+v", e, res)
	}
	for i, typ := range []string{"scancode_push", "scancode_waitmsg"} {
		_, e := tap(officialaccount.Tap{Top: 0, Sub: 3 + i, ScanResult: "https://scanned.example/" + typ})
		if e.Event != typ || e.EventKey != "SCAN"+itoa(int64(i+1)) || e.ScanCodeInfo.ScanType != "qrcode" || e.ScanCodeInfo.ScanResult != "https://scanned.example/"+typ {
			t.Fatalf("%s pushed %+v", typ, e)
		}
	}
	sums := []string{strings.Repeat("a", 32), strings.Repeat("0", 32)}
	for i, typ := range []string{"pic_sysphoto", "pic_photo_or_album", "pic_weixin"} {
		_, e := tap(officialaccount.Tap{Top: 1, Sub: i, PicMD5s: sums})
		if e.Event != typ || e.EventKey != "PIC"+itoa(int64(i+1)) || e.SendPicsInfo.Count != 2 || !reflect.DeepEqual(e.SendPicsInfo.PicList, sums) {
			t.Fatalf("%s pushed %+v", typ, e)
		}
	}
	loc := &officialaccount.Location{Latitude: 23.13, Longitude: 113.26, Scale: 16, Label: "Canton Tower"}
	if _, e := tap(officialaccount.Tap{Top: 1, Sub: 3, Location: loc}); e.Event != "location_select" || e.EventKey != "LOC" ||
		e.SendLocationInfo.X != 23.13 || e.SendLocationInfo.Y != 113.26 || e.SendLocationInfo.Scale != 16 || e.SendLocationInfo.Label != "Canton Tower" {
		t.Fatalf("location_select pushed %+v", e)
	}

	// What the user must provide for a button type.
	for _, tp := range []officialaccount.Tap{{Top: 0, Sub: 3}, {Top: 1, Sub: 0}, {Top: 1, Sub: 0, PicMD5s: []string{"xyz"}}, {Top: 1, Sub: 3},
		{Top: 1, Sub: 3, Location: &officialaccount.Location{Latitude: 91}}} {
		var ie *input.Error
		if _, err := oa.TapButton(ctx, appid, w.user.ID, tp); !errors.As(err, &ie) {
			t.Fatalf("tap %+v without its input: %v", tp, err)
		}
	}
	// Bad indexes, including a parent itself.
	for _, tp := range []officialaccount.Tap{{Top: 3, Sub: -1}, {Top: -1, Sub: 0}, {Top: 0, Sub: -1}, {Top: 0, Sub: 5}, {Top: 2, Sub: 4}} {
		if _, err := oa.TapButton(ctx, appid, w.user.ID, tp); err != officialaccount.ErrNoSuchButton {
			t.Fatalf("tap %+v: %v, want ErrNoSuchButton", tp, err)
		}
	}

	// Material buttons push nothing and deliver a card naming the material.
	for i, want := range []string{"Material MEDIA_1", "Material MEDIA_2", "Published article ART_1", "Published article ART_2"} {
		res, err := oa.TapButton(ctx, appid, w.user.ID, officialaccount.Tap{Top: 2, Sub: i})
		if err != nil || res.CallbackID != 0 {
			t.Fatalf("material tap %d: %+v, %v", i, res, err)
		}
		got, err := oa.Outcome(ctx, w.user.ID, appid, res.ActResult)
		if err != nil || len(got) != 1 || got[0].Kind != "news" || got[0].Source != officialaccount.SourceMenu || got[0].Body.Articles[0].Description != want {
			t.Fatalf("material tap %d delivered %+v, %v; want a card %q", i, got, err, want)
		}
	}
	if _, n := w.lastEvent(t); n != pushes {
		t.Fatalf("material taps pushed events: %d pushes, want %d", n, pushes)
	}

	// Click finds a click button by key in the user's menu.
	res, err := oa.Click(ctx, appid, w.user.ID, "TODAY")
	if e, _ := w.lastEvent(t); err != nil || res.CallbackID == 0 || e.Event != "CLICK" || e.EventKey != "TODAY" {
		t.Fatalf("Click = %+v, %v; pushed %+v", res, err, e)
	}
	for _, key := range []string{"NOPE", "SCAN1", ""} {
		if _, err := oa.Click(ctx, appid, w.user.ID, key); err != officialaccount.ErrNoSuchButton {
			t.Fatalf("Click(%q) = %v, want ErrNoSuchButton", key, err)
		}
	}
}

// Without a developer server, a click is answered by the auto-replies
// (here: none for events) and still recorded nowhere visible.
func TestClickWithoutServerDeliversNothing(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	appid := w.oa.AppID
	if _, err := w.p.OA.CreateMenu(ctx, appid, []B{click("Hi", "HI")}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.p.OA.Follow(ctx, appid, w.user.ID, "", nil); err != nil {
		t.Fatal(err)
	}
	res, err := w.p.OA.Click(ctx, appid, w.user.ID, "HI")
	if err != nil || res.CallbackID != 0 {
		t.Fatalf("click = %+v, %v", res, err)
	}
	if got, err := w.p.OA.Outcome(ctx, w.user.ID, appid, res); err != nil || len(got) != 0 {
		t.Fatalf("a click delivered %+v, %v", got, err)
	}
}
