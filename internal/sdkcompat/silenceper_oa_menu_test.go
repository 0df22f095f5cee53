package sdkcompat_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/silenceper/wechat/v2/cache"
	offConfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/menu"
	"github.com/silenceper/wechat/v2/util"

	"superapp/internal/testserver"
)

// sameJSON compares what two values marshal to (an SDK's parsed answer
// carries empty sub_button slices where its request had none).
func sameJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Fatalf("%s =\n%s\nwant\n%s", what, g, w)
	}
}

// menuWorld is an official account with a mini program to link, a
// follower (alice) and tag 100 on her.
type menuWorld struct {
	s      *testserver.Server
	app    testserver.App
	mp     testserver.App
	openid string
}

func newMenuWorld(t *testing.T) *menuWorld {
	t.Helper()
	s := testserver.New(t)
	w := &menuWorld{s: s, app: s.CreateApp(t, "service", "News"), mp: s.CreateApp(t, "miniprogram", "Shop")}
	alice := s.CreateUser(t, "alice", "")
	ctx := context.Background()
	if _, err := s.Server.P.OA.Follow(ctx, w.app.AppID, alice.ID, "", nil); err != nil {
		t.Fatal(err)
	}
	// Menus open linked mini programs only.
	if _, err := s.Server.P.OA.LinkMiniProgram(ctx, w.app.AppID, w.mp.AppID, true, false); err != nil {
		t.Fatal(err)
	}
	w.openid = s.Server.P.Identity.OpenID(w.app.AppID, alice.ID)
	for _, q := range []string{"INSERT INTO oa_tags(appid, id, name, created_at) VALUES (?, 100, 'vip', 0)",
		"INSERT INTO oa_follower_tags(appid, tag_id, user_id) VALUES (?, 100, '" + alice.ID + "')"} {
		if _, err := s.Server.P.DB.Exec(ctx, q, w.app.AppID); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func TestSilenceperMenu(t *testing.T) {
	w := newMenuWorld(t)
	wc := silenceper(t, w.s.Transport())
	m := wc.GetOfficialAccount(&offConfig.Config{AppID: w.app.AppID, AppSecret: w.app.Secret, Cache: cache.NewMemory()}).GetMenu()

	if _, err := m.GetMenu(); err == nil || !strings.Contains(err.Error(), "errcode=46003") {
		t.Fatalf("GetMenu without a menu: %v, want errcode=46003", err)
	}
	buttons := []*menu.Button{
		menu.NewSubButton("Go", []*menu.Button{
			menu.NewClickButton("Today", "TODAY"),
			menu.NewViewButton("Site", "https://example.com/a"),
			menu.NewMiniprogramButton("Shop", "https://example.com/shop", w.mp.AppID, "pages/index"),
			menu.NewScanCodePushButton("Scan", "S1"),
			menu.NewScanCodeWaitMsgButton("Scan wait", "S2"),
		}),
		menu.NewSubButton("Send", []*menu.Button{
			menu.NewPicSysPhotoButton("Camera", "P1"),
			menu.NewPicPhotoOrAlbumButton("Album", "P2"),
			menu.NewPicWeixinButton("Pics", "P3"),
			menu.NewLocationSelectButton("Where", "L"),
		}),
		menu.NewSubButton("More", []*menu.Button{
			menu.NewMediaIDButton("Material", "MEDIA_1"),
			menu.NewViewLimitedButton("Page", "MEDIA_2"),
		}),
	}
	if err := m.SetMenu(buttons); err != nil {
		t.Fatalf("SetMenu: %v", err)
	}
	res, err := m.GetMenu()
	if err != nil || res.Menu.MenuID == 0 || len(res.Conditionalmenu) != 0 {
		t.Fatalf("GetMenu = %+v, %v", res, err)
	}
	sameJSON(t, "GetMenu buttons", res.Menu.Button, buttons)

	self, err := m.GetCurrentSelfMenuInfo()
	if err != nil || self.IsMenuOpen != 1 || len(self.SelfMenuInfo.Button) != 3 {
		t.Fatalf("GetCurrentSelfMenuInfo = %+v, %v", self, err)
	}
	goList, more := self.SelfMenuInfo.Button[0].SubButton.List, self.SelfMenuInfo.Button[2].SubButton.List
	if self.SelfMenuInfo.Button[0].Name != "Go" || len(goList) != 5 || goList[0].Type != "click" || goList[0].Key != "TODAY" ||
		goList[1].URL != "https://example.com/a" || goList[2].URL != "https://example.com/shop" ||
		more[0].Type != "media_id" || more[0].Value != "MEDIA_1" || more[1].Value != "MEDIA_2" || more[1].NewsInfo.List[0].Title != "Page" {
		t.Fatalf("self menu = %+v", self.SelfMenuInfo.Button)
	}

	// SetMenuByJSON with the newer article buttons (silenceper's Button has
	// no article_id: only the self-menu read-out shows it).
	if err := m.SetMenuByJSON(`{"button":[{"type":"article_id","name":"Post","article_id":"ART_1"},{"type":"article_view_limited","name":"Read","article_id":"ART_2"}]}`); err != nil {
		t.Fatalf("SetMenuByJSON: %v", err)
	}
	self, err = m.GetCurrentSelfMenuInfo()
	if err != nil || len(self.SelfMenuInfo.Button) != 2 || self.SelfMenuInfo.Button[0].Value != "ART_1" || self.SelfMenuInfo.Button[1].Type != "article_view_limited" {
		t.Fatalf("self menu after SetMenuByJSON = %+v, %v", self, err)
	}
	if err := m.SetMenu(buttons); err != nil {
		t.Fatal(err)
	}

	// Conditional menus: by tag (silenceper still calls it group_id) and by region.
	vip := []*menu.Button{menu.NewClickButton("VIP", "VIP"), menu.NewViewButton("Club", "https://example.com/club")}
	if err := m.AddConditional(vip, &menu.MatchRule{GroupID: "100"}); err != nil {
		t.Fatalf("AddConditional by tag: %v", err)
	}
	regional := []*menu.Button{menu.NewClickButton("Local", "LOCAL")}
	regionRule := &menu.MatchRule{Country: "China", Province: "Guangdong", City: "Guangzhou", Sex: "2", Language: "zh_CN"}
	if err := m.AddConditional(regional, regionRule); err != nil {
		t.Fatalf("AddConditional by region: %v", err)
	}
	matched, err := m.MenuTryMatch(w.openid)
	if err != nil {
		t.Fatalf("MenuTryMatch: %v", err)
	}
	sameJSON(t, "MenuTryMatch for the tagged follower", matched, vip)
	res, err = m.GetMenu()
	if err != nil || len(res.Conditionalmenu) != 2 {
		t.Fatalf("GetMenu with conditional menus = %+v, %v", res, err)
	}
	byTag, byRegion := res.Conditionalmenu[0], res.Conditionalmenu[1]
	sameJSON(t, "tag menu", byTag.Button, vip)
	sameJSON(t, "region menu", byRegion.Button, regional)
	if byTag.MatchRule != (menu.MatchRule{GroupID: "100"}) || byRegion.MatchRule != *regionRule || byTag.MenuID == 0 || byRegion.MenuID <= byTag.MenuID {
		t.Fatalf("conditional menus = %+v", res.Conditionalmenu)
	}
	if err := m.DeleteConditional(byTag.MenuID); err != nil {
		t.Fatalf("DeleteConditional: %v", err)
	}
	if matched, err = m.MenuTryMatch(w.openid); err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "MenuTryMatch after deleting the tag menu", matched, res.Menu.Button)

	// Violations come back as the SDK's error with WeChat's errcode.
	for _, c := range []struct {
		call func() error
		code int64
	}{
		{func() error {
			return m.SetMenu([]*menu.Button{menu.NewClickButton("1", "1"), menu.NewClickButton("2", "2"), menu.NewClickButton("3", "3"), menu.NewClickButton("4", "4")})
		}, 40016},
		{func() error { return m.SetMenu([]*menu.Button{menu.NewClickButton("五个汉字呀!", "K")}) }, 0},      // 16 bytes
		{func() error { return m.SetMenu([]*menu.Button{menu.NewClickButton("五个汉字呀!!", "K")}) }, 40018}, // 17 bytes
		{func() error {
			return m.SetMenu([]*menu.Button{menu.NewSubButton("p", []*menu.Button{menu.NewViewButton(strings.Repeat("n", 61), "https://e.com")})})
		}, 40025},
		{func() error { return m.SetMenu([]*menu.Button{menu.NewClickButton("k", strings.Repeat("k", 129))}) }, 40019},
		{func() error {
			return m.SetMenu([]*menu.Button{menu.NewMiniprogramButton("mp", "https://e.com", "wx0000000000000000", "p")})
		}, 45064},
		{func() error { return m.AddConditional(vip, &menu.MatchRule{}) }, 65304},
		{func() error { return m.DeleteConditional(byTag.MenuID) }, 65301},
	} {
		err := c.call()
		var ce *util.CommonError
		if c.code == 0 {
			if err != nil {
				t.Fatalf("a valid menu: %v", err)
			}
			continue
		}
		if !errors.As(err, &ce) || ce.ErrCode != c.code {
			t.Fatalf("err = %v, want errcode %d", err, c.code)
		}
	}

	if err := m.DeleteMenu(); err != nil {
		t.Fatalf("DeleteMenu: %v", err)
	}
	if _, err := m.GetMenu(); err == nil || !strings.Contains(err.Error(), "errcode=46003") {
		t.Fatalf("GetMenu after DeleteMenu: %v", err)
	}
	if self, err := m.GetCurrentSelfMenuInfo(); err != nil || self.IsMenuOpen != 0 {
		t.Fatalf("self menu after DeleteMenu = %+v, %v", self, err)
	}
}
