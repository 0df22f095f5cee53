package wire_test

import (
	"context"
	"strings"
	"testing"

	"superapp/internal/officialaccount"
)

const (
	famMenu    = "custom menus"
	menuCreate = "/cgi-bin/menu/create?access_token={oatok}"
	menuAddC   = "/cgi-bin/menu/addconditional?access_token={oatok}"
	menuDelC   = "/cgi-bin/menu/delconditional?access_token={oatok}"
	menuTry    = "/cgi-bin/menu/trymatch?access_token={oatok}"
	noteMenu   = "WeChat documents the code; the message is our wording"
)

// createBody wraps buttons (JSON) in a menu/create body.
func createBody(buttons ...string) string { return `{"button":[` + strings.Join(buttons, ",") + `]}` }

// conditional is an addconditional body.
func conditional(rule string, buttons ...string) string {
	return `{"button":[` + strings.Join(buttons, ",") + `],"matchrule":` + rule + `}`
}

func clickJSON(name, key string) string {
	return `{"type":"click","name":"` + name + `","key":"` + key + `"}`
}

func parentJSON(name string, subs ...string) string {
	return `{"name":"` + name + `","sub_button":[` + strings.Join(subs, ",") + `]}`
}

func viewJSON(name, url string) string {
	return `{"type":"view","name":"` + name + `","url":"` + url + `"}`
}

var (
	okClick    = clickJSON("ok", "K")
	longURL    = "https://example.com/" + strings.Repeat("u", 1005) // 1025 bytes
	sixClicks  = []string{clickJSON("1", "1"), clickJSON("2", "2"), clickJSON("3", "3"), clickJSON("4", "4"), clickJSON("5", "5"), clickJSON("6", "6")}
	tagRule    = `{"tag_id":"100"}`
	emptyRules = `{"tag_id":"","sex":"","country":"","province":"","city":"","client_platform_type":"","language":""}`
)

// withDefaultMenu gives the service account a default menu and tag 100.
func withDefaultMenu(t *testing.T, f *fixture, vars map[string]string) {
	ctx := context.Background()
	if _, err := f.s.Server.P.OA.CreateMenu(ctx, f.oa.AppID, []officialaccount.Button{{Type: "click", Name: "Default", Key: "D"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Server.P.DB.Exec(ctx, "INSERT INTO oa_tags(appid, id, name, created_at) VALUES (?, 100, 'vip', 0) ON CONFLICT DO NOTHING", f.oa.AppID); err != nil {
		t.Fatal(err)
	}
}

// withoutMenus removes the service account's menus.
func withoutMenus(t *testing.T, f *fixture, vars map[string]string) {
	if err := f.s.Server.P.OA.DeleteMenus(context.Background(), f.oa.AppID); err != nil {
		t.Fatal(err)
	}
}

// oaOpenID makes alice's OpenID of the service account {oaopenid}.
func oaOpenID(t *testing.T, f *fixture, vars map[string]string) {
	vars["oaopenid"] = f.vars["snsopenid"] // alice authorized the service account in the fixture
}

// oaMenuCases are the bad-input cases of these endpoints (docs/bad-input.md).
var oaMenuCases = []badCase{
	// POST /cgi-bin/menu/create
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "GET instead of POST", target: menuCreate, want: 43002, prefix: "require POST method"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "empty body", method: "POST", target: menuCreate, body: " ", want: 44002, prefix: "empty post data"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "malformed JSON", method: "POST", target: menuCreate, body: `{"button":[`, want: 47001, prefix: "data format error"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "key as a number", method: "POST", target: menuCreate, body: `{"button":[{"type":"click","name":"a","key":1}]}`, want: 47001, prefix: "data format error"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "body over 1 MiB", method: "POST", target: menuCreate, body: "{huge}", want: 45002, prefix: "content size out of limit"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "mini program's token", method: "POST", target: "/cgi-bin/menu/create?access_token={mptok}", body: createBody(okClick), want: 48001, prefix: "api unauthorized"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "no buttons", method: "POST", target: menuCreate, body: createBody(), want: 40016, prefix: "invalid button size"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "4 top-level buttons", method: "POST", target: menuCreate, body: createBody(sixClicks[:4]...), want: 40016, prefix: "invalid button size"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "6 sub-buttons", method: "POST", target: menuCreate, body: createBody(parentJSON("p", sixClicks...)), want: 40023, prefix: "invalid sub button size"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "top-level name of 17 bytes", method: "POST", target: menuCreate, body: createBody(clickJSON(strings.Repeat("n", 17), "K")), want: 40018, prefix: "invalid button name size"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "top-level name of 6 Chinese characters (18 bytes)", method: "POST", target: menuCreate, body: createBody(clickJSON("六个汉字六个", "K")), want: 40018, prefix: "invalid button name size"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "empty name", method: "POST", target: menuCreate, body: createBody(clickJSON("", "K")), want: 40018, prefix: "invalid button name size"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "sub-button name of 61 bytes", method: "POST", target: menuCreate, body: createBody(parentJSON("p", clickJSON(strings.Repeat("n", 61), "K"))), want: 40025, prefix: "invalid sub button name size"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "button without type or sub-buttons", method: "POST", target: menuCreate, body: createBody(`{"name":"x","key":"K"}`), want: 40017, prefix: "invalid button type"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "unknown type", method: "POST", target: menuCreate, body: createBody(`{"type":"text","name":"x","key":"K"}`), want: 40017, prefix: "invalid button type"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "unknown sub-button type", method: "POST", target: menuCreate, body: createBody(parentJSON("p", `{"type":"news","name":"x"}`)), want: 40024, prefix: "invalid sub button type"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "click without key", method: "POST", target: menuCreate, body: createBody(`{"type":"click","name":"x"}`), want: 40019, prefix: "invalid button key size"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "key of 129 bytes", method: "POST", target: menuCreate, body: createBody(clickJSON("x", strings.Repeat("k", 129))), want: 40019, prefix: "invalid button key size"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "sub-button key of 129 bytes", method: "POST", target: menuCreate, body: createBody(parentJSON("p", `{"type":"scancode_push","name":"x","key":"`+strings.Repeat("k", 129)+`"}`)), want: 40026, prefix: "invalid sub button key size"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "view without url", method: "POST", target: menuCreate, body: createBody(`{"type":"view","name":"x"}`), want: 40020, prefix: "invalid button url size"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "url of 1025 bytes", method: "POST", target: menuCreate, body: createBody(viewJSON("x", longURL)), want: 40020, prefix: "invalid button url size"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "sub-button url of 1025 bytes", method: "POST", target: menuCreate, body: createBody(parentJSON("p", viewJSON("x", longURL))), want: 40027, prefix: "invalid sub button url size"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "url without http(s) scheme", method: "POST", target: menuCreate, body: createBody(viewJSON("x", "example.com/a")), want: 40055, prefix: "invalid button url domain"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "sub-button javascript: url", method: "POST", target: menuCreate, body: createBody(parentJSON("p", viewJSON("x", "javascript:alert(1)"))), want: 40054, prefix: "invalid sub button url domain"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "sub-button with sub-buttons", method: "POST", target: menuCreate, body: createBody(parentJSON("p", parentJSON("q", okClick))), want: 40022, prefix: "invalid sub button level", note: noteMenu},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "miniprogram with an unknown appid", method: "POST", target: menuCreate, body: createBody(`{"type":"miniprogram","name":"x","url":"https://e.com","appid":"wx0000000000000000","pagepath":"p"}`), want: 45064, prefix: "no permission to use weapp in menu"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "miniprogram naming an official account", method: "POST", target: menuCreate, body: createBody(`{"type":"miniprogram","name":"x","url":"https://e.com","appid":"{oa}","pagepath":"p"}`), want: 45064, prefix: "no permission to use weapp in menu"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "miniprogram without pagepath", method: "POST", target: menuCreate, body: createBody(`{"type":"miniprogram","name":"x","url":"https://e.com","appid":"{mp}"}`), want: 40165, prefix: "invalid weapp pagepath", note: "WeChat's code for a bad mini program page elsewhere (template jumps)"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "miniprogram without fallback url", method: "POST", target: menuCreate, body: createBody(`{"type":"miniprogram","name":"x","appid":"{mp}","pagepath":"p"}`), want: 40020, prefix: "invalid button url size"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "media_id button without media_id", method: "POST", target: menuCreate, body: createBody(`{"type":"media_id","name":"x"}`), want: 40007, prefix: "invalid media_id"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "view_limited sub-button without media_id", method: "POST", target: menuCreate, body: createBody(parentJSON("p", `{"type":"view_limited","name":"x"}`)), want: 40007, prefix: "invalid media_id"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "article_id button without article_id", method: "POST", target: menuCreate, body: createBody(`{"type":"article_id","name":"x"}`), want: 53600, prefix: "invalid article_id", note: noteMenu},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/create", input: "every limit at its maximum", method: "POST", target: menuCreate,
		body: createBody(clickJSON(strings.Repeat("n", 16), strings.Repeat("k", 128)), parentJSON("五个汉字呀", clickJSON(strings.Repeat("n", 60), "1"), clickJSON("2", "2"), clickJSON("3", "3"), clickJSON("4", "4"), viewJSON("5", longURL[:1024])), okClick), want: 0},

	// POST /cgi-bin/menu/addconditional
	{family: famMenu, endpoint: "POST /cgi-bin/menu/addconditional", input: "no default menu", method: "POST", target: menuAddC, body: conditional(tagRule, okClick), setup: withoutMenus, want: 65303, prefix: "default menu not exist", note: noteMenu},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/addconditional", input: "no matchrule", method: "POST", target: menuAddC, body: createBody(okClick), setup: withDefaultMenu, want: 65304, prefix: "match rule empty"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/addconditional", input: "matchrule of empty strings (as PowerWeChat sends unset fields)", method: "POST", target: menuAddC, body: conditional(emptyRules, okClick), setup: withDefaultMenu, want: 65304, prefix: "match rule empty"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/addconditional", input: "tag the account does not have", method: "POST", target: menuAddC, body: conditional(`{"tag_id":"999"}`, okClick), setup: withDefaultMenu, want: 45159, prefix: "invalid tag id", note: "code of tag APIs for a bad tag id"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/addconditional", input: "tag_id not a number", method: "POST", target: menuAddC, body: conditional(`{"tag_id":"vip"}`, okClick), setup: withDefaultMenu, want: 45159, prefix: "invalid tag id", note: "code of tag APIs for a bad tag id"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/addconditional", input: "sex 3", method: "POST", target: menuAddC, body: conditional(`{"sex":3}`, okClick), setup: withDefaultMenu, want: 40097, prefix: "invalid args", note: noteClose},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/addconditional", input: "client_platform_type 9", method: "POST", target: menuAddC, body: conditional(`{"client_platform_type":"9"}`, okClick), setup: withDefaultMenu, want: 40097, prefix: "invalid args", note: noteClose},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/addconditional", input: "unknown language", method: "POST", target: menuAddC, body: conditional(`{"language":"xx"}`, okClick), setup: withDefaultMenu, want: 40097, prefix: "invalid args", note: noteClose},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/addconditional", input: "province without country", method: "POST", target: menuAddC, body: conditional(`{"province":"Guangdong"}`, okClick), setup: withDefaultMenu, want: 65310, prefix: "country is empty", note: noteMenu},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/addconditional", input: "city without province", method: "POST", target: menuAddC, body: conditional(`{"country":"China","city":"Guangzhou"}`, okClick), setup: withDefaultMenu, want: 65311, prefix: "province is empty", note: noteMenu},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/addconditional", input: "country of 65 bytes", method: "POST", target: menuAddC, body: conditional(`{"country":"`+strings.Repeat("c", 65)+`"}`, okClick), setup: withDefaultMenu, want: 65312, prefix: "invalid country", note: noteMenu},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/addconditional", input: "no buttons", method: "POST", target: menuAddC, body: conditional(tagRule), setup: withDefaultMenu, want: 65307, prefix: "conditional menu empty", note: noteMenu},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/addconditional", input: "button without a type", method: "POST", target: menuAddC, body: conditional(tagRule, `{"name":"x"}`), setup: withDefaultMenu, want: 65308, prefix: "button without response type", note: noteMenu},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/addconditional", input: "links to 4 domains", method: "POST", target: menuAddC,
		body: conditional(tagRule, viewJSON("a", "https://a.example/"), viewJSON("b", "https://b.example/"), parentJSON("p", viewJSON("c", "https://c.example/"), viewJSON("d", "https://d.example/"))), setup: withDefaultMenu, want: 65316, prefix: "menu domain count out of limit", note: noteMenu},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/addconditional", input: "name of 17 bytes", method: "POST", target: menuAddC, body: conditional(tagRule, clickJSON(strings.Repeat("n", 17), "K")), setup: withDefaultMenu, want: 40018, prefix: "invalid button name size"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/addconditional", input: "empty body", method: "POST", target: menuAddC, body: " ", want: 44002, prefix: "empty post data"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/addconditional", input: "tag rule with group_id (silenceper's name)", method: "POST", target: menuAddC, body: conditional(`{"group_id":"100"}`, okClick), setup: withDefaultMenu, want: 0},

	// POST /cgi-bin/menu/delconditional
	{family: famMenu, endpoint: "POST /cgi-bin/menu/delconditional", input: "unknown menuid", method: "POST", target: menuDelC, body: `{"menuid":"123"}`, want: 65301, prefix: "menuid not exist", note: noteMenu},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/delconditional", input: "menuid not a number", method: "POST", target: menuDelC, body: `{"menuid":"abc"}`, want: 65301, prefix: "menuid not exist", note: noteMenu},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/delconditional", input: "menuid missing", method: "POST", target: menuDelC, body: `{}`, want: 65301, prefix: "menuid not exist", note: noteMenu},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/delconditional", input: "GET instead of POST", target: menuDelC, want: 43002, prefix: "require POST method"},

	// POST /cgi-bin/menu/trymatch
	{family: famMenu, endpoint: "POST /cgi-bin/menu/trymatch", input: "user_id missing", method: "POST", target: menuTry, body: `{}`, setup: withDefaultMenu, want: 41009, prefix: "missing openid"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/trymatch", input: "unknown OpenID", method: "POST", target: menuTry, body: `{"user_id":"oNoSuchUser"}`, setup: withDefaultMenu, want: 40003, prefix: "invalid openid"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/trymatch", input: "OpenID of the user in another app", method: "POST", target: menuTry, body: `{"user_id":"{openid}"}`, setup: withDefaultMenu, want: 40003, prefix: "invalid openid"},
	{family: famMenu, endpoint: "POST /cgi-bin/menu/trymatch", input: "account without a menu", method: "POST", target: menuTry, body: `{"user_id":"{oaopenid}"}`, setup: both(withoutMenus, oaOpenID), want: 46003, prefix: "menu no exist"},

	// GET /cgi-bin/menu/get, /cgi-bin/menu/delete, /cgi-bin/get_current_selfmenu_info, /cgi-bin/get_current_autoreply_info
	{family: famMenu, endpoint: "GET /cgi-bin/menu/get", input: "account without a menu", target: "/cgi-bin/menu/get?access_token={oatok}", setup: withoutMenus, want: 46003, prefix: "menu no exist"},
	{family: famMenu, endpoint: "GET /cgi-bin/menu/get", input: "mini program's token", target: "/cgi-bin/menu/get?access_token={mptok}", want: 48001, prefix: "api unauthorized"},
	{family: famMenu, endpoint: "GET /cgi-bin/menu/get", input: "access_token missing", target: "/cgi-bin/menu/get", want: 41001, prefix: "access_token missing"},
	{family: famMenu, endpoint: "GET /cgi-bin/menu/delete", input: "mini program's token", target: "/cgi-bin/menu/delete?access_token={mptok}", want: 48001, prefix: "api unauthorized"},
	{family: famMenu, endpoint: "GET /cgi-bin/menu/delete", input: "account without a menu", target: "/cgi-bin/menu/delete?access_token={oatok}", setup: withoutMenus, want: 0},
	{family: famMenu, endpoint: "GET /cgi-bin/get_current_selfmenu_info", input: "mini program's token", target: "/cgi-bin/get_current_selfmenu_info?access_token={mptok}", want: 48001, prefix: "api unauthorized"},
	{family: famMenu, endpoint: "GET /cgi-bin/get_current_selfmenu_info", input: "account without a menu", target: "/cgi-bin/get_current_selfmenu_info?access_token={oatok}", setup: withoutMenus, want: 0, note: "is_menu_open 0"},
	{family: famMenu, endpoint: "GET /cgi-bin/get_current_autoreply_info", input: "mini program's token", target: "/cgi-bin/get_current_autoreply_info?access_token={mptok}", want: 48001, prefix: "api unauthorized"},
	{family: famMenu, endpoint: "GET /cgi-bin/get_current_autoreply_info", input: "access_token missing", target: "/cgi-bin/get_current_autoreply_info", want: 41001, prefix: "access_token missing"},
}
