package shell_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"superapp/internal/testserver"
)

// authorizeQuery builds an authorization query; empty values are left out.
func authorizeQuery(kv ...string) string {
	var parts []string
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" || kv[i] == "state" {
			parts = append(parts, kv[i]+"="+url.QueryEscape(kv[i+1]))
		}
	}
	return "?" + strings.Join(parts, "&")
}

func TestAuthorizeValidation(t *testing.T) {
	dev := testserver.New(t, testserver.Dev())
	prod := testserver.New(t)
	oa := dev.CreateApp(t, "service", "Dev News")
	mp := dev.CreateApp(t, "miniprogram", "Dev Shop")
	listed := dev.CreateApp(t, "subscription", "Listed")
	dev.Call(t, "PUT", "/admin/v1/apps/"+listed.AppID+"/oauth-domains", map[string]any{"domains": []string{"H5.Example.com", "127.0.0.1:9000"}}, nil)
	prodOA := prod.CreateApp(t, "service", "Prod News")

	cb := "https://h5.example.com/cb?x=1"
	for _, tc := range []struct {
		name   string
		server *testserver.Server
		query  string
		code   int // 0: valid
	}{
		{"valid", dev, authorizeQuery("appid", oa.AppID, "redirect_uri", cb, "response_type", "code", "scope", "snsapi_userinfo", "state", "abc"), 0},
		{"order and extras ignored", dev, authorizeQuery("state", "abc", "connect_redirect", "1", "scope", "snsapi_base", "response_type", "code", "redirect_uri", cb, "appid", oa.AppID) + "#wechat_redirect", 0},
		{"empty state", dev, authorizeQuery("appid", oa.AppID, "redirect_uri", cb, "response_type", "code", "scope", "snsapi_base", "state", ""), 0},
		{"lenient state", dev, authorizeQuery("appid", oa.AppID, "redirect_uri", cb, "response_type", "code", "scope", "snsapi_base", "state", "a.b~c/"+strings.Repeat("x", 122)), 0},
		{"appid missing", dev, authorizeQuery("redirect_uri", cb, "response_type", "code", "scope", "snsapi_base"), 10012},
		{"appid unknown", dev, authorizeQuery("appid", "wx0123456789abcdef", "redirect_uri", cb, "response_type", "code", "scope", "snsapi_base"), 10016},
		{"appid malformed", dev, authorizeQuery("appid", "not-an-appid", "redirect_uri", cb, "response_type", "code", "scope", "snsapi_base"), 10016},
		{"mini program", dev, authorizeQuery("appid", mp.AppID, "redirect_uri", cb, "response_type", "code", "scope", "snsapi_base"), 10016},
		{"redirect_uri missing", dev, authorizeQuery("appid", oa.AppID, "response_type", "code", "scope", "snsapi_base"), 10011},
		{"response_type token", dev, authorizeQuery("appid", oa.AppID, "redirect_uri", cb, "response_type", "token", "scope", "snsapi_base"), 10008},
		{"response_type missing", dev, authorizeQuery("appid", oa.AppID, "redirect_uri", cb, "scope", "snsapi_base"), 10008},
		{"scope missing", dev, authorizeQuery("appid", oa.AppID, "redirect_uri", cb, "response_type", "code"), 10010},
		{"scope snsapi_login", dev, authorizeQuery("appid", oa.AppID, "redirect_uri", cb, "response_type", "code", "scope", "snsapi_login"), 10005},
		{"state too long", dev, authorizeQuery("appid", oa.AppID, "redirect_uri", cb, "response_type", "code", "scope", "snsapi_base", "state", strings.Repeat("s", 129)), 10008},
		{"javascript redirect", dev, authorizeQuery("appid", oa.AppID, "redirect_uri", "javascript:alert(1)", "response_type", "code", "scope", "snsapi_base"), 10003},
		{"relative redirect", dev, authorizeQuery("appid", oa.AppID, "redirect_uri", "/cb", "response_type", "code", "scope", "snsapi_base"), 10003},
		{"listed domain, case-insensitive", dev, authorizeQuery("appid", listed.AppID, "redirect_uri", "https://h5.EXAMPLE.com:443/x", "response_type", "code", "scope", "snsapi_base"), 0},
		{"listed host and port", dev, authorizeQuery("appid", listed.AppID, "redirect_uri", "http://127.0.0.1:9000/x", "response_type", "code", "scope", "snsapi_base"), 0},
		{"other port of a listed host", dev, authorizeQuery("appid", listed.AppID, "redirect_uri", "http://127.0.0.1:9001/x", "response_type", "code", "scope", "snsapi_base"), 10003},
		{"subdomain of a listed domain", dev, authorizeQuery("appid", listed.AppID, "redirect_uri", "https://a.h5.example.com/x", "response_type", "code", "scope", "snsapi_base"), 10003},
		{"unlisted domain", dev, authorizeQuery("appid", listed.AppID, "redirect_uri", "https://evil.example/x", "response_type", "code", "scope", "snsapi_base"), 10003},
		{"no domains outside dev mode", prod, authorizeQuery("appid", prodOA.AppID, "redirect_uri", cb, "response_type", "code", "scope", "snsapi_base"), 10003},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBrowser(t, tc.server.URL, nil)
			// The API says what is wrong...
			status, m := b.call("GET", "/shell/api/oauth/authorize"+tc.query, nil)
			if tc.code == 0 {
				if status != 200 || m["scope"] == nil {
					t.Fatalf("API: %d %v", status, m)
				}
			} else {
				e, _ := m["error"].(map[string]any)
				if status != 400 || e["wechat_code"] != float64(tc.code) || str(e["message"]) == "" || str(e["message_zh"]) == "" {
					t.Fatalf("API: %d %v, want 400 with wechat_code %d and both messages", status, m, tc.code)
				}
			}
			// ...and the page is the app (which shows it), never a redirect.
			resp := b.do("GET", "/connect/oauth2/authorize"+tc.query, nil)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			want := 200
			if tc.code != 0 {
				want = 400
			}
			if resp.StatusCode != want || !strings.Contains(string(body), `<div id="app">`) || resp.Header.Get("Content-Security-Policy") == "" {
				t.Fatalf("page: %d, want %d and the app", resp.StatusCode, want)
			}
		})
	}
}

func TestAuthorizeAPIReportsTheApp(t *testing.T) {
	ts := testserver.New(t, testserver.Dev())
	oa := ts.CreateApp(t, "service", "City Library")
	b := newBrowser(t, ts.URL, nil)
	m := b.ok("GET", "/shell/api/oauth/authorize"+authorizeQuery("appid", oa.AppID, "redirect_uri", "https://lib.example/cb", "response_type", "code", "scope", "snsapi_userinfo", "state", "s"), nil)
	app, _ := m["app"].(map[string]any)
	if app["appid"] != oa.AppID || app["name"] != "City Library" || m["scope"] != "snsapi_userinfo" || m["needs_consent"] != true || m["redirect_host"] != "lib.example" {
		t.Fatalf("check: %v", m)
	}
	m = b.ok("GET", "/shell/api/oauth/authorize"+authorizeQuery("appid", oa.AppID, "redirect_uri", "https://lib.example/cb", "response_type", "code", "scope", "snsapi_base"), nil)
	if m["needs_consent"] != false {
		t.Fatalf("snsapi_base needs no consent: %v", m)
	}
}

// signedIn returns a browser with a freshly registered user.
func signedIn(t *testing.T, ts *testserver.Server, phone, name string) (*browser, map[string]any) {
	b := newBrowser(t, ts.URL, nil)
	u := userOf(b.ok("POST", "/shell/api/register", map[string]string{"phone": phone, "password": "password1", "name": name}))
	return b, u
}

// exchange spends a code at the wire endpoint, as the app's server would.
func exchange(t *testing.T, ts *testserver.Server, app testserver.App, code string) map[string]any {
	t.Helper()
	m := ts.Get(t, "/sns/oauth2/access_token?appid="+app.AppID+"&secret="+app.Secret+"&code="+url.QueryEscape(code)+"&grant_type=authorization_code")
	if testserver.Errcode(m) != 0 || str(m["openid"]) == "" || str(m["access_token"]) == "" {
		t.Fatalf("exchange code: %v", m)
	}
	return m
}

func TestAuthorizeSnsapiBaseIsSilent(t *testing.T) {
	ts := testserver.New(t, testserver.Dev())
	oa := ts.CreateApp(t, "service", "Silent")
	redirect := ts.URL + "/healthz?x=1#/after"
	q := authorizeQuery("connect_redirect", "1", "scope", "snsapi_base", "state", "abc", "appid", oa.AppID, "response_type", "code", "redirect_uri", redirect) + "#wechat_redirect"

	// Signed out: the page (to sign in), not a redirect.
	anon := newBrowser(t, ts.URL, nil)
	resp := anon.do("GET", "/connect/oauth2/authorize"+q, nil)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Location") != "" {
		t.Fatalf("signed out: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	b, _ := signedIn(t, ts, "13800138000", "Base User")
	resp = b.do("GET", "/connect/oauth2/authorize"+q, nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("signed in: %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	lq := loc.Query()
	if !strings.HasPrefix(loc.String(), ts.URL+"/healthz?x=1&code=") || lq.Get("x") != "1" || lq.Get("state") != "abc" || lq.Get("code") == "" || loc.Fragment != "" {
		t.Fatalf("Location %q", loc)
	}
	g := exchange(t, ts, oa, lq.Get("code"))
	if g["scope"] != "snsapi_base" {
		t.Fatalf("grant: %v", g)
	}
	// The code is single-use.
	if m := ts.Get(t, "/sns/oauth2/access_token?appid="+oa.AppID+"&secret="+oa.Secret+"&code="+lq.Get("code")+"&grant_type=authorization_code"); testserver.Errcode(m) != 40163 {
		t.Fatalf("reused code: %v", m)
	}
	// The same user gets the same openid next time; snsapi_userinfo is not silent.
	resp = b.do("GET", "/connect/oauth2/authorize"+q, nil)
	resp.Body.Close()
	loc, _ = url.Parse(resp.Header.Get("Location"))
	if g2 := exchange(t, ts, oa, loc.Query().Get("code")); g2["openid"] != g["openid"] {
		t.Fatalf("openid changed: %v vs %v", g2["openid"], g["openid"])
	}
	resp = b.do("GET", "/connect/oauth2/authorize"+strings.Replace(q, "snsapi_base", "snsapi_userinfo", 1), nil)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("snsapi_userinfo signed in: %d, want the consent page", resp.StatusCode)
	}
}

func TestAuthorizeConsent(t *testing.T) {
	ts := testserver.New(t, testserver.Dev())
	oa := ts.CreateApp(t, "subscription", "Daily Paper")
	b, u := signedIn(t, ts, "13800138001", "Carol")
	decision := func(allow bool, state string) map[string]any {
		return map[string]any{"appid": oa.AppID, "redirect_uri": "https://paper.example/login?from=menu#top", "response_type": "code", "scope": "snsapi_userinfo", "state": state, "allow": allow}
	}

	// Deny: back with state only.
	m := b.ok("POST", "/shell/api/oauth/authorize", decision(false, "no"))
	if m["redirect"] != "https://paper.example/login?from=menu&state=no" {
		t.Fatalf("deny: %v", m)
	}

	// Allow: back with code and state, and the code is the user's.
	m = b.ok("POST", "/shell/api/oauth/authorize", decision(true, "yes"))
	loc, err := url.Parse(str(m["redirect"]))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(loc.String(), "https://paper.example/login?from=menu&code=") || loc.Query().Get("state") != "yes" || loc.Fragment != "" {
		t.Fatalf("allow: %v", m)
	}
	g := exchange(t, ts, oa, loc.Query().Get("code"))
	if g["scope"] != "snsapi_userinfo" {
		t.Fatalf("grant: %v", g)
	}
	info := ts.Get(t, "/sns/userinfo?access_token="+str(g["access_token"])+"&openid="+str(g["openid"])+"&lang=zh_CN")
	if info["nickname"] != u["name"] || info["openid"] != g["openid"] {
		t.Fatalf("userinfo: %v", info)
	}

	// The decision is validated again on the server.
	bad := decision(true, "x")
	bad["redirect_uri"] = "javascript:alert(1)"
	if e := b.fails("POST", "/shell/api/oauth/authorize", bad, 400, "oauth_rejected", "redirect_uri"); e["wechat_code"] != float64(10003) {
		t.Fatalf("bad redirect: %v", e)
	}
	bad = decision(true, "x")
	bad["scope"] = "snsapi_login"
	b.fails("POST", "/shell/api/oauth/authorize", bad, 400, "oauth_rejected", "scope")

	// Only a signed-in user decides, and only through JSON.
	newBrowser(t, ts.URL, nil).fails("POST", "/shell/api/oauth/authorize", decision(true, "x"), 401, "not_signed_in", "")
	req, _ := http.NewRequest("POST", ts.URL+"/shell/api/oauth/authorize", strings.NewReader("appid="+oa.AppID+"&allow=true"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("form post: %d", resp.StatusCode)
	}
}
