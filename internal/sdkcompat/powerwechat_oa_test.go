package sdkcompat_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ArtisanCloud/PowerWeChat/v3/src/kernel/power"
	"github.com/ArtisanCloud/PowerWeChat/v3/src/officialAccount"

	"superapp/internal/testserver"
)

// Official account token, jsapi ticket and wx.config signed by PowerWeChat's
// JSSDK client, accepted by the simulated WeChat client.
func TestPowerWeChatJSSDK(t *testing.T) {
	s := testserver.New(t)
	app := s.CreateApp(t, "subscription", "Blog")
	rec := newRecorder(s)
	oa := powerOfficialAccount(t, rec, app)
	ctx := context.Background()

	tok, err := oa.AccessToken.GetToken(ctx, false)
	if err != nil || len(tok.AccessToken) < 64 || tok.ExpiresIn != 7200 {
		t.Fatalf("GetToken = %+v, %v", tok, err)
	}
	if q := rec.To("/cgi-bin/token")[0].Query; q.Get("grant_type") != "client_credential" || q.Get("appid") != app.AppID || !q.Has("neededText") {
		t.Fatalf("token request query %v", q)
	}

	page := "https://blog.example.com/post/7?share=1"
	out, err := oa.JSSDK.BuildConfig(ctx, []string{"updateAppMessageShareData"}, false, false, nil, page)
	if err != nil {
		t.Fatalf("BuildConfig: %v", err)
	}
	cfg := *out.(*power.HashMap)
	sig, _ := cfg["signature"].(string)
	nonce, _ := cfg["nonceStr"].(string)
	ts, _ := cfg["timestamp"].(int64)
	if cfg["appId"] != app.AppID || len(sig) != 40 || nonce == "" || ts == 0 {
		t.Fatalf("BuildConfig = %v", cfg)
	}
	// PowerWeChat asks for the ticket with POST and an empty body.
	if calls := rec.To("/cgi-bin/ticket/getticket"); len(calls) != 1 || calls[0].Method != "POST" || calls[0].Query.Get("type") != "jsapi" || calls[0].Query.Get("access_token") != tok.AccessToken {
		t.Fatalf("ticket requests: %+v", calls)
	}
	if !verifyJSSDKConfig(t, s, app.AppID, page, nonce, ts, sig) {
		t.Fatal("PowerWeChat's wx.config was refused")
	}
	if verifyJSSDKConfig(t, s, app.AppID, page+"&x=1", nonce, ts, sig) {
		t.Fatal("wx.config for another URL was accepted")
	}

	// The ticket request also refreshes a rejected token.
	shiftTokenClock(t, s, 3*time.Hour)
	ticket, err := oa.JSSDK.GetTicket(ctx, true, "jsapi")
	if err != nil || (*ticket)["ticket"] == "" {
		t.Fatalf("GetTicket after the token expired = %v, %v", ticket, err)
	}
	if n := len(rec.To("/cgi-bin/token")); n != 2 {
		t.Fatalf("%d token requests, want 2 (initial + refresh after 42001)", n)
	}
}

// Stable token through PowerWeChat's official account: StableTokenMode gives
// the same token on every fetch; with ForceRefresh a refresh replaces it, and
// a second force within 30 s is refused (the SDK reports a missing token).
func TestPowerWeChatStableToken(t *testing.T) {
	s := testserver.New(t)
	app := s.CreateApp(t, "service", "Shop")
	rec := newRecorder(s)
	ctx := context.Background()
	stable := powerOfficialAccount(t, rec, app, func(c *officialAccount.UserConfig) { c.StableTokenMode = true })

	// Both modes share one cache key (md5 of appid+secret): a cached
	// /cgi-bin/token token is handed out in stable mode too.
	basic, err := powerOfficialAccount(t, rec, app).AccessToken.GetToken(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if cached, err := stable.AccessToken.GetToken(ctx, false); err != nil || cached.AccessToken != basic.AccessToken || len(rec.To("/cgi-bin/stable_token")) != 0 {
		t.Fatalf("stable GetToken with a warm cache = %+v, %v; want the cached basic token", cached, err)
	}

	first, err := stable.AccessToken.GetToken(ctx, true)
	if err != nil || first.AccessToken == "" || first.AccessToken == basic.AccessToken || first.ExpiresIn < 300 {
		t.Fatalf("stable GetToken = %+v, %v", first, err)
	}
	again, err := stable.AccessToken.GetToken(ctx, true)
	if err != nil || again.AccessToken != first.AccessToken {
		t.Fatalf("stable GetToken(refresh) = %+v, %v; want %q", again, err, first.AccessToken)
	}

	forcing := powerOfficialAccount(t, rec, app, func(c *officialAccount.UserConfig) { c.StableTokenMode = true; c.ForceRefresh = true })
	forced, err := forcing.AccessToken.GetToken(ctx, true)
	if err != nil || forced.AccessToken == "" || forced.AccessToken == first.AccessToken || forced.ExpiresIn != 7200 {
		t.Fatalf("force_refresh GetToken = %+v, %v; want a new token", forced, err)
	}
	if _, err := forcing.AccessToken.GetToken(ctx, true); err == nil {
		t.Fatal("a second force_refresh within 30 s succeeded")
	}
	calls := rec.To("/cgi-bin/stable_token")
	if len(calls) != 4 || calls[0].Method != "POST" {
		t.Fatalf("stable token requests: %+v", calls)
	}
	// The old stable token keeps working for the 5-minute overlap.
	for _, tk := range []string{first.AccessToken, forced.AccessToken} {
		if m := s.Get(t, "/cgi-bin/getcallbackip?access_token="+tk); testserver.Errcode(m) != 0 {
			t.Fatalf("getcallbackip = %v", m)
		}
	}
}

// Web OAuth through PowerWeChat's officialAccount.OAuth (PowerSocialite),
// whose HTTP client ignores UserConfig.Http and is routed through
// http.DefaultTransport.
func TestPowerWeChatOAuth(t *testing.T) {
	s := testserver.New(t)
	app := s.CreateApp(t, "service", "Shop")
	s.CreateOpenPlatform(t, "Group", app.AppID)
	u := s.CreateUser(t, "pw-oauth", "")
	rec := newRecorder(s)
	routeDefaultTransport(t, rec)

	callback := "https://shop.example.com/oauth/callback"
	oa := powerOfficialAccount(t, rec, app, func(c *officialAccount.UserConfig) {
		c.OAuth = officialAccount.OAuth{Callback: callback, Scopes: []string{"snsapi_userinfo"}}
	})
	// UserConfig.OAuth is not applied (see docs/sdk-quirks.md): the provider
	// keeps its snsapi_login default and no redirect_uri.
	if redirect, _ := oa.OAuth.Redirect(""); !strings.Contains(redirect, "/connect/qrconnect?") || !strings.Contains(redirect, "scope=snsapi_login") || !strings.Contains(redirect, "redirect_uri=&") {
		t.Fatalf("authorize URL from UserConfig.OAuth alone: %s", redirect)
	}
	oa.OAuth.SetScopes([]string{"snsapi_userinfo"})
	redirect, err := oa.OAuth.Redirect(callback)
	if err != nil {
		t.Fatal(err)
	}
	ru, _ := url.Parse(redirect)
	if ru.Host != "open.weixin.qq.com" || ru.Path != "/connect/oauth2/authorize" || ru.Query().Get("appid") != app.AppID ||
		ru.Query().Get("scope") != "snsapi_userinfo" || ru.Query().Get("redirect_uri") != callback || ru.Query().Get("connect_redirect") != "1" || ru.Fragment != "wechat_redirect" {
		t.Fatalf("authorize URL %s", redirect)
	}

	code := s.Code(t, "oauth-code", app.AppID, u.ID, "snsapi_userinfo")
	user, err := oa.OAuth.UserFromCode(code)
	if err != nil {
		t.Fatalf("UserFromCode: %v", err)
	}
	raw, _ := user.GetRaw()
	tr := *user.GetTokenResponse()
	// (User.GetExpiresIn panics: SetExpiresIn stores a float64, GetExpiresIn
	// asserts an int — an SDK bug, see docs/sdk-quirks.md.)
	if len(user.GetOpenID()) != 28 || user.GetNickname() != "pw-oauth" || user.GetAccessToken() == "" || user.GetRefreshToken() == "" ||
		tr["expires_in"] != float64(7200) || tr["scope"] != "snsapi_userinfo" || tr["unionid"] == nil || (*raw)["unionid"] != tr["unionid"] {
		t.Fatalf("UserFromCode = %v (raw %v, token %v)", user, raw, tr)
	}
	if calls := rec.To("/sns/userinfo"); len(calls) != 1 || calls[0].Query.Get("openid") != user.GetOpenID() {
		t.Fatalf("userinfo requests: %+v", calls)
	}
	// PowerSocialite turns an errcode into an error carrying only errmsg.
	if _, err := oa.OAuth.UserFromCode(code); err == nil || !strings.HasPrefix(err.Error(), "code been used") {
		t.Fatalf("reused code: %v, want an error starting with WeChat's errmsg \"code been used\"", err)
	}
	if m := s.Get(t, "/sns/auth?access_token="+user.GetAccessToken()+"&openid="+user.GetOpenID()); testserver.Errcode(m) != 0 {
		t.Fatalf("/sns/auth with the SDK's user token = %v", m)
	}

	// A snsapi_base code under the snsapi_userinfo provider: /sns/userinfo
	// answers 48001, which GetUserByToken does not check — the SDK returns a
	// user with no openid and no error.
	empty, err := oa.OAuth.UserFromCode(s.Code(t, "oauth-code", app.AppID, u.ID, "snsapi_base"))
	if err != nil || empty.GetOpenID() != "" || empty.GetNickname() != "" {
		t.Fatalf("UserFromCode(snsapi_base code) = %v, %v", empty, err)
	}
	if raw, _ := empty.GetRaw(); (*raw)["errcode"] != float64(48001) {
		t.Fatalf("raw userinfo answer %v, want errcode 48001", raw)
	}

	base := powerOfficialAccount(t, rec, app)
	base.OAuth.SetScopes([]string{"snsapi_base"})
	bu, err := base.OAuth.UserFromCode(s.Code(t, "oauth-code", app.AppID, u.ID, "snsapi_base"))
	if err != nil || bu.GetOpenID() != user.GetOpenID() {
		t.Fatalf("snsapi_base UserFromCode = %v, %v", bu, err)
	}
	if n := len(rec.To("/sns/userinfo")); n != 2 {
		t.Fatalf("snsapi_base provider called /sns/userinfo (%d calls, want the 2 above)", n)
	}
}
