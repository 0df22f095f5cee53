package sdkcompat_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/credential"
	offConfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/util"

	"superapp/internal/testserver"
)

// Token fetch through /cgi-bin/token: fetched once, cached, accepted by the
// server; a wrong secret is the SDK's error with WeChat's errcode.
func TestSilenceperAccessToken(t *testing.T) {
	s := testserver.New(t)
	app := s.CreateApp(t, "service", "Shop")
	rec := newRecorder(s)
	wc := silenceper(t, rec)

	oa := wc.GetOfficialAccount(&offConfig.Config{AppID: app.AppID, AppSecret: app.Secret, Cache: cache.NewMemory()})
	tok, err := oa.GetAccessToken()
	if err != nil || len(tok) < 64 {
		t.Fatalf("GetAccessToken = %q, %v", tok, err)
	}
	again, err := oa.GetAccessToken()
	if err != nil || again != tok {
		t.Fatalf("second GetAccessToken = %q, %v; want the cached %q", again, err, tok)
	}
	if n := len(rec.To("/cgi-bin/token")); n != 1 {
		t.Fatalf("%d token requests, want 1 (silenceper caches expires_in-1500 s; expires_in must stay 7200)", n)
	}
	ips, err := oa.GetBasic().GetCallbackIP()
	if err != nil || len(ips) == 0 {
		t.Fatalf("GetCallbackIP with the SDK's token = %v, %v", ips, err)
	}

	bad := wc.GetOfficialAccount(&offConfig.Config{AppID: app.AppID, AppSecret: "wrong-secret", Cache: cache.NewMemory()})
	if _, err := bad.GetAccessToken(); err == nil || !strings.Contains(err.Error(), "errcode=40125") {
		t.Fatalf("GetAccessToken with a wrong secret: %v, want errcode=40125", err)
	}
}

// silenceper never retries: once the server rejects its cached token the SDK
// reports the errcode and keeps using the cached token until it expires from
// its cache (see docs/sdk-quirks.md).
func TestSilenceperDoesNotRefreshRejectedToken(t *testing.T) {
	s := testserver.New(t)
	app := s.CreateApp(t, "service", "Shop")
	rec := newRecorder(s)
	wc := silenceper(t, rec)
	oa := wc.GetOfficialAccount(&offConfig.Config{AppID: app.AppID, AppSecret: app.Secret, Cache: cache.NewMemory()})
	if _, err := oa.GetBasic().GetCallbackIP(); err != nil {
		t.Fatal(err)
	}
	shiftTokenClock(t, s, 3*time.Hour)
	_, err := oa.GetBasic().GetCallbackIP()
	var ce *util.CommonError
	if !errors.As(err, &ce) || ce.ErrCode != 42001 {
		t.Fatalf("call with an expired token: %v, want errcode 42001", err)
	}
	if n := len(rec.To("/cgi-bin/token")); n != 1 {
		t.Fatalf("%d token requests; silenceper was expected not to refetch", n)
	}
}

// Stable token through silenceper (Config.UseStableAK and the
// StableAccessToken handle): normal mode returns the same token, force_refresh
// a new one, at most once every 30 s; /cgi-bin/token does not disturb it.
func TestSilenceperStableToken(t *testing.T) {
	s := testserver.New(t)
	app := s.CreateApp(t, "service", "Shop")
	rec := newRecorder(s)
	wc := silenceper(t, rec)
	newOA := func() *credential.StableAccessToken {
		oa := wc.GetOfficialAccount(&offConfig.Config{AppID: app.AppID, AppSecret: app.Secret, Cache: cache.NewMemory(), UseStableAK: true})
		h, ok := oa.GetContext().AccessTokenHandle.(*credential.StableAccessToken)
		if !ok {
			t.Fatalf("UseStableAK gave a %T handle", oa.GetContext().AccessTokenHandle)
		}
		return h
	}

	first, err := newOA().GetAccessToken()
	if err != nil || first == "" {
		t.Fatalf("stable GetAccessToken = %q, %v", first, err)
	}
	// A second process with its own cache gets the same token.
	second, err := newOA().GetAccessToken()
	if err != nil || second != first {
		t.Fatalf("stable token from a second cache = %q, %v; want %q", second, err, first)
	}
	if calls := rec.To("/cgi-bin/stable_token"); len(calls) != 2 || calls[0].Method != "POST" {
		t.Fatalf("stable token requests: %+v", calls)
	}
	// /cgi-bin/token tokens are isolated from stable tokens.
	basic := s.AccessToken(t, app)
	if basic == first {
		t.Fatal("/cgi-bin/token returned the stable token")
	}
	res, err := newOA().GetAccessTokenDirectly(context.Background(), false)
	if err != nil || res.AccessToken != first || res.ExpiresIn < 300 || res.ExpiresIn > 7200 {
		t.Fatalf("stable token after a /cgi-bin/token call = %+v, %v; want %q", res, err, first)
	}

	forced, err := newOA().GetAccessTokenDirectly(context.Background(), true)
	if err != nil || forced.AccessToken == "" || forced.AccessToken == first || forced.ExpiresIn != 7200 {
		t.Fatalf("force_refresh = %+v, %v; want a new token", forced, err)
	}
	if _, err := newOA().GetAccessTokenDirectly(context.Background(), true); err == nil || !strings.Contains(err.Error(), "errcode=45011") {
		t.Fatalf("force_refresh within 30 s: %v, want errcode=45011", err)
	}
	// Both the replaced token (5-minute overlap) and the new one work.
	for _, tok := range []string{first, forced.AccessToken} {
		if m := s.Get(t, "/cgi-bin/getcallbackip?access_token="+tok); testserver.Errcode(m) != 0 {
			t.Fatalf("getcallbackip = %v", m)
		}
	}
}

// Web OAuth: code exchange, /sns/auth, userinfo, refresh, and the errors of
// reused codes and base-scope tokens, all through silenceper's oauth package.
func TestSilenceperOAuth(t *testing.T) {
	s := testserver.New(t)
	app := s.CreateApp(t, "service", "Shop")
	s.CreateOpenPlatform(t, "Group", app.AppID)
	u := s.CreateUser(t, "oauth-alice", "")
	wc := silenceper(t, s.Transport())
	oauth := wc.GetOfficialAccount(&offConfig.Config{AppID: app.AppID, AppSecret: app.Secret, Cache: cache.NewMemory()}).GetOauth()

	code := s.Code(t, "oauth-code", app.AppID, u.ID, "snsapi_userinfo")
	tok, err := oauth.GetUserAccessToken(code)
	if err != nil {
		t.Fatalf("GetUserAccessToken: %v", err)
	}
	if len(tok.OpenID) != 28 || tok.AccessToken == "" || tok.RefreshToken == "" || tok.Scope != "snsapi_userinfo" || tok.ExpiresIn != 7200 || tok.UnionID == "" {
		t.Fatalf("GetUserAccessToken = %+v", tok)
	}
	if _, err := oauth.GetUserAccessToken(code); err == nil || !strings.Contains(err.Error(), "errcode=40163") {
		t.Fatalf("reused code: %v, want errcode=40163", err)
	}

	ok, err := oauth.CheckAccessToken(tok.AccessToken, tok.OpenID)
	if err != nil || !ok {
		t.Fatalf("CheckAccessToken = %v, %v", ok, err)
	}
	// Another user's openid in the same app does not match the token.
	var other struct {
		OpenID string `json:"openid"`
	}
	s.Call(t, "POST", "/sim/v1/oauth-code", map[string]string{"appid": app.AppID, "user": s.CreateUser(t, "oauth-bob", "").ID}, &other)
	if ok, err := oauth.CheckAccessToken(tok.AccessToken, other.OpenID); ok || err != nil || other.OpenID == "" || other.OpenID == tok.OpenID {
		t.Fatalf("CheckAccessToken with another user's openid %q = %v, %v", other.OpenID, ok, err)
	}

	info, err := oauth.GetUserInfo(tok.AccessToken, tok.OpenID, "")
	if err != nil {
		t.Fatalf("GetUserInfo: %v", err)
	}
	if info.OpenID != tok.OpenID || info.Nickname != "oauth-alice" || info.Unionid != tok.UnionID || info.Privilege == nil {
		t.Fatalf("GetUserInfo = %+v", info)
	}

	ref, err := oauth.RefreshAccessToken(tok.RefreshToken)
	if err != nil || ref.AccessToken == "" || ref.AccessToken == tok.AccessToken || ref.OpenID != tok.OpenID || ref.Scope != "snsapi_userinfo" {
		t.Fatalf("RefreshAccessToken = %+v, %v", ref, err)
	}
	if ok, err := oauth.CheckAccessToken(ref.AccessToken, tok.OpenID); err != nil || !ok {
		t.Fatalf("CheckAccessToken(refreshed) = %v, %v", ok, err)
	}
	if _, err := oauth.RefreshAccessToken("not-a-refresh-token"); err == nil || !strings.Contains(err.Error(), "errcode=40030") {
		t.Fatalf("RefreshAccessToken(bogus): %v, want errcode=40030", err)
	}

	// snsapi_base grants an openid but no user info.
	base, err := oauth.GetUserAccessToken(s.Code(t, "oauth-code", app.AppID, u.ID, "snsapi_base"))
	if err != nil || base.OpenID != tok.OpenID || base.Scope != "snsapi_base" || base.UnionID != "" {
		t.Fatalf("snsapi_base GetUserAccessToken = %+v, %v", base, err)
	}
	if _, err := oauth.GetUserInfo(base.AccessToken, base.OpenID, "zh_CN"); err == nil || !strings.Contains(err.Error(), "errcode=48001") {
		t.Fatalf("GetUserInfo with a snsapi_base token: %v, want errcode=48001", err)
	}
}

// JS-SDK: silenceper fetches the jsapi ticket and signs wx.config itself; the
// simulated WeChat client accepts that config and refuses a tampered one.
func TestSilenceperJSSDKConfig(t *testing.T) {
	s := testserver.New(t)
	app := s.CreateApp(t, "service", "Shop")
	rec := newRecorder(s)
	wc := silenceper(t, rec)
	js := wc.GetOfficialAccount(&offConfig.Config{AppID: app.AppID, AppSecret: app.Secret, Cache: cache.NewMemory()}).GetJs()

	page := "https://shop.example.com/pay?item=42&from=menu"
	cfg, err := js.GetConfig(page)
	if err != nil {
		t.Fatalf("GetConfig: %v", err)
	}
	if cfg.AppID != app.AppID || len(cfg.Signature) != 40 || cfg.NonceStr == "" || cfg.Timestamp == 0 {
		t.Fatalf("GetConfig = %+v", cfg)
	}
	if calls := rec.To("/cgi-bin/ticket/getticket"); len(calls) != 1 || calls[0].Query.Get("type") != "jsapi" {
		t.Fatalf("ticket requests: %+v", calls)
	}
	if !verifyJSSDKConfig(t, s, app.AppID, page, cfg.NonceStr, cfg.Timestamp, cfg.Signature) {
		t.Fatal("the SDK's wx.config was refused")
	}
	// The client signs the page URL without its fragment.
	if !verifyJSSDKConfig(t, s, app.AppID, page+"#top", cfg.NonceStr, cfg.Timestamp, cfg.Signature) {
		t.Fatal("wx.config for the same page with a #fragment was refused")
	}
	altered := cfg.Signature[:39] + "0"
	if cfg.Signature[39] == '0' {
		altered = cfg.Signature[:39] + "1"
	}
	for _, c := range []struct {
		name, url, nonce string
		ts               int64
		sig              string
	}{
		{"other url", page + "&x=1", cfg.NonceStr, cfg.Timestamp, cfg.Signature},
		{"other nonce", page, cfg.NonceStr + "x", cfg.Timestamp, cfg.Signature},
		{"other timestamp", page, cfg.NonceStr, cfg.Timestamp + 1, cfg.Signature},
		{"altered signature", page, cfg.NonceStr, cfg.Timestamp, altered},
	} {
		if verifyJSSDKConfig(t, s, app.AppID, c.url, c.nonce, c.ts, c.sig) {
			t.Fatalf("tampered wx.config (%s) was accepted", c.name)
		}
	}
}
