package sdkcompat_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	offConfig "github.com/silenceper/wechat/v2/officialaccount/config"

	"superapp/internal/testserver"
)

// The browser leg of web OAuth: the authorize URL each SDK builds, opened by
// a signed-in shell user, then the code exchanged by the same SDK.

// wechatBrowser is a shell user's browser: it keeps the session cookie and,
// like a test of a 302 should, does not follow redirects.
type wechatBrowser struct {
	t      *testing.T
	s      *testserver.Server
	c      *http.Client
	userID string
}

// signInBrowser registers a shell user through POST /shell/api/register and
// returns that user's browser.
func signInBrowser(t *testing.T, s *testserver.Server, phone, name string) *wechatBrowser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &wechatBrowser{t: t, s: s, c: &http.Client{
		Jar: jar, Transport: s.Transport(), Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	status, raw := b.send("POST", "/shell/api/register", map[string]string{"phone": phone, "password": "password1", "name": name})
	var reg struct {
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	if err := json.Unmarshal(raw, &reg); status != 200 || err != nil || reg.User.ID == "" {
		t.Fatalf("register: %d %s", status, raw)
	}
	b.userID = reg.User.ID
	base, _ := url.Parse(s.URL)
	signedIn := false
	for _, c := range jar.Cookies(base) {
		signedIn = signedIn || (c.Name == "superapp_session" && c.Value != "")
	}
	if !signedIn {
		t.Fatal("register set no superapp_session cookie")
	}
	return b
}

// send calls the shell API on the test server (body as JSON) and returns the
// status and the raw answer.
func (b *wechatBrowser) send(method, path string, body any) (int, []byte) {
	b.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, b.s.URL+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// open navigates to an authorize URL an SDK built. Only scheme and host are
// rewritten to the test server: path and query go out exactly as the SDK
// wrote them, and the #wechat_redirect fragment stays in the browser. It
// returns the answer (body already read) and the query the server got.
func (b *wechatBrowser) open(sdkURL string) (*http.Response, string, string) {
	b.t.Helper()
	const origin = "https://open.weixin.qq.com"
	rest, ok := strings.CutPrefix(sdkURL, origin+"/")
	if !ok {
		b.t.Fatalf("the SDK's authorize URL %q is not on %s", sdkURL, origin)
	}
	rest, _, _ = strings.Cut(rest, "#")
	req, err := http.NewRequest("GET", b.s.URL+"/"+rest, nil)
	if err != nil {
		b.t.Fatalf("browser cannot open %q: %v", sdkURL, err)
	}
	_, sdkQuery, _ := strings.Cut(rest, "?")
	if req.URL.Path != "/connect/oauth2/authorize" || req.URL.RawQuery != sdkQuery {
		b.t.Fatalf("request %s?%s is not the SDK's %s", req.URL.Path, req.URL.RawQuery, sdkURL)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("GET %s: %v", req.URL, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, string(raw), sdkQuery
}

// redirected checks that the server answered 302 straight back to
// redirectURI (its own query kept, no fragment) with a code and state, and
// returns the code.
func redirected(t *testing.T, resp *http.Response, redirectURI, state string) string {
	t.Helper()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || loc == "" {
		t.Fatalf("authorize answered %d (Location %q), want 302 back to %s", resp.StatusCode, loc, redirectURI)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatalf("Location %q: %v", loc, err)
	}
	code := u.Query().Get("code")
	sep := "?"
	if strings.Contains(redirectURI, "?") {
		sep = "&"
	}
	if want := redirectURI + sep + "code=" + url.QueryEscape(code) + "&state=" + url.QueryEscape(state); code == "" || loc != want {
		t.Fatalf("Location %q, want %q with a code", loc, want)
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("redirect carrying a code is cacheable: Cache-Control %q", resp.Header.Get("Cache-Control"))
	}
	return code
}

// consentPage checks that the server showed the app (sign-in / consent page)
// instead of redirecting.
func consentPage(t *testing.T, resp *http.Response, body string) {
	t.Helper()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Location") != "" ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, `<div id="app">`) {
		t.Fatalf("authorize answered %d %q (Location %q), want the consent page (200 HTML, no redirect)",
			resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Location"))
	}
}

// consent does what the consent page does with the query it was opened with:
// asks the shell API what to show, then allows, and returns where the page
// sends the browser next.
func (b *wechatBrowser) consent(pageQuery string) string {
	b.t.Helper()
	status, raw := b.send("GET", "/shell/api/oauth/authorize?"+pageQuery, nil)
	var check struct {
		NeedsConsent bool `json:"needs_consent"`
	}
	if err := json.Unmarshal(raw, &check); status != 200 || err != nil || !check.NeedsConsent {
		b.t.Fatalf("consent page check: %d %s", status, raw)
	}
	q, _ := url.ParseQuery(pageQuery)
	decision := map[string]any{"allow": true}
	for _, p := range []string{"appid", "redirect_uri", "response_type", "scope", "state"} {
		decision[p] = q.Get(p)
	}
	status, raw = b.send("POST", "/shell/api/oauth/authorize", decision)
	var out struct {
		Redirect string `json:"redirect"`
	}
	if err := json.Unmarshal(raw, &out); status != 200 || err != nil || out.Redirect == "" {
		b.t.Fatalf("consent decision: %d %s", status, raw)
	}
	return out.Redirect
}

// simOpenID is the user's OpenID in appid, as the simulation API reports it.
func simOpenID(t *testing.T, s *testserver.Server, appid, user string) string {
	t.Helper()
	var c struct {
		OpenID string `json:"openid"`
	}
	s.Call(t, "POST", "/sim/v1/oauth-code", map[string]string{"appid": appid, "user": user, "scope": "snsapi_base"}, &c)
	if c.OpenID == "" {
		t.Fatal("sim oauth-code returned no openid")
	}
	return c.OpenID
}

// silenceper's GetRedirectURL, opened by a signed-in user: snsapi_base comes
// straight back with a code that silenceper's GetUserAccessToken exchanges
// for the user's openid; snsapi_userinfo shows the consent page.
func TestSilenceperAuthorizeInBrowser(t *testing.T) {
	s := testserver.New(t) // not dev mode: the app needs its OAuth domain
	app := s.CreateApp(t, "service", "Shop")
	s.CreateOpenPlatform(t, "Group", app.AppID)
	s.Call(t, "PUT", "/admin/v1/apps/"+app.AppID+"/oauth-domains", map[string]any{"domains": []string{"h5.example.com"}}, nil)
	b := signInBrowser(t, s, "13800138010", "Browser Alice")
	wantOpenID := simOpenID(t, s, app.AppID, b.userID)
	oauth := silenceper(t, s.Transport()).GetOfficialAccount(&offConfig.Config{AppID: app.AppID, AppSecret: app.Secret, Cache: cache.NewMemory()}).GetOauth()

	callback := "https://h5.example.com/oauth/cb?from=menu&lang=zh_CN"
	sdkURL, err := oauth.GetRedirectURL(callback, "snsapi_base", "st4te")
	if err != nil {
		t.Fatal(err)
	}
	// silenceper's fixed order, redirect_uri query-escaped, state verbatim.
	if want := "https://open.weixin.qq.com/connect/oauth2/authorize?appid=" + app.AppID + "&redirect_uri=" + url.QueryEscape(callback) +
		"&response_type=code&scope=snsapi_base&state=st4te#wechat_redirect"; sdkURL != want {
		t.Fatalf("GetRedirectURL = %s, want %s", sdkURL, want)
	}
	resp, _, _ := b.open(sdkURL)
	code := redirected(t, resp, callback, "st4te")

	tok, err := oauth.GetUserAccessToken(code)
	if err != nil {
		t.Fatalf("GetUserAccessToken(browser code): %v", err)
	}
	if tok.OpenID != wantOpenID || tok.Scope != "snsapi_base" || tok.AccessToken == "" || tok.UnionID != "" {
		t.Fatalf("GetUserAccessToken = %+v, want openid %s with scope snsapi_base", tok, wantOpenID)
	}
	if _, err := oauth.GetUserAccessToken(code); err == nil || !strings.Contains(err.Error(), "errcode=40163") {
		t.Fatalf("reused browser code: %v, want errcode=40163", err)
	}

	// silenceper puts state into the URL unescaped: a state with '&' is cut
	// there (WeChat allows only [a-zA-Z0-9] in state anyway).
	sdkURL, _ = oauth.GetRedirectURL(callback, "snsapi_base", "a&b=c")
	resp, _, _ = b.open(sdkURL)
	redirected(t, resp, callback, "a")

	// snsapi_userinfo is never silent: the consent page, then (on allow) a
	// code whose token reads the profile through the SDK.
	sdkURL, _ = oauth.GetRedirectURL(callback, "snsapi_userinfo", "info1")
	resp, body, pageQuery := b.open(sdkURL)
	consentPage(t, resp, body)
	next, err := url.Parse(b.consent(pageQuery))
	if err != nil || next.Query().Get("state") != "info1" || !strings.HasPrefix(next.String(), callback+"&code=") {
		t.Fatalf("after consent the page goes to %v (%v)", next, err)
	}
	info, err := oauth.GetUserAccessToken(next.Query().Get("code"))
	if err != nil || info.OpenID != wantOpenID || info.Scope != "snsapi_userinfo" || info.UnionID == "" {
		t.Fatalf("GetUserAccessToken(consented code) = %+v, %v", info, err)
	}
	if ui, err := oauth.GetUserInfo(info.AccessToken, info.OpenID, "zh_CN"); err != nil || ui.Nickname != "Browser Alice" {
		t.Fatalf("GetUserInfo = %+v, %v", ui, err)
	}

	// A redirect_uri outside the app's OAuth domains is refused on the page
	// (400, no redirect and no code).
	sdkURL, _ = oauth.GetRedirectURL("https://evil.example/cb", "snsapi_base", "x")
	if resp, _, _ := b.open(sdkURL); resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
		t.Fatalf("unlisted redirect host: %d %q, want 400 and no redirect", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// PowerWeChat's officialAccount.OAuth (PowerSocialite) Redirect URL, opened
// by a signed-in user: parameters sorted, connect_redirect=1, nothing
// escaped; the code is exchanged by the same provider's UserFromCode.
func TestPowerWeChatAuthorizeInBrowser(t *testing.T) {
	s := testserver.New(t, testserver.Dev()) // dev mode: no OAuth domains needed
	app := s.CreateApp(t, "subscription", "Blog")
	b := signInBrowser(t, s, "13800138011", "Browser Bob")
	wantOpenID := simOpenID(t, s, app.AppID, b.userID)
	rec := newRecorder(s)
	routeDefaultTransport(t, rec)
	oa := powerOfficialAccount(t, rec, app)
	oa.OAuth.SetScopes([]string{"snsapi_base"})

	callback := "https://h5.example.com/oauth/cb"
	sdkURL, err := oa.OAuth.Redirect(callback)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`^https://open\.weixin\.qq\.com/connect/oauth2/authorize\?appid=` + app.AppID +
		`&connect_redirect=1&redirect_uri=` + regexp.QuoteMeta(callback) + `&response_type=code&scope=snsapi_base&state=([0-9a-f]{32})#wechat_redirect$`).FindStringSubmatch(sdkURL)
	if m == nil {
		t.Fatalf("Redirect = %s, want the sorted parameters, a raw redirect_uri and an md5 state", sdkURL)
	}
	state := m[1]
	resp, _, _ := b.open(sdkURL)
	code := redirected(t, resp, callback, state)

	user, err := oa.OAuth.UserFromCode(code)
	if err != nil {
		t.Fatalf("UserFromCode(browser code): %v", err)
	}
	// With snsapi_base, UserFromCode keeps only the openid: the token
	// answer is dropped (GetTokenResponse is nil, GetAccessToken empty).
	if user.GetOpenID() != wantOpenID || user.GetTokenResponse() != nil || user.GetAccessToken() != "" {
		t.Fatalf("UserFromCode = openid %q, token %v; want openid %s and no token", user.GetOpenID(), user.GetTokenResponse(), wantOpenID)
	}
	if _, err := oa.OAuth.UserFromCode(code); err == nil || !strings.HasPrefix(err.Error(), "code been used") {
		t.Fatalf("reused browser code: %v, want an error starting with \"code been used\"", err)
	}
	if calls := rec.To("/sns/oauth2/access_token"); len(calls) != 2 || calls[0].Query.Get("code") != code || calls[0].Query.Get("appid") != app.AppID {
		t.Fatalf("code exchange requests: %+v", calls)
	}
	if n := len(rec.To("/sns/userinfo")); n != 0 {
		t.Fatalf("snsapi_base provider called /sns/userinfo %d times", n)
	}

	// The generated state is made once per provider and then reused by
	// every URL it builds; WithState replaces it.
	if again, _ := oa.OAuth.Redirect(callback); !strings.Contains(again, "&state="+state+"#") {
		t.Fatalf("second Redirect = %s, want the same state %s", again, state)
	}
	oa.OAuth.WithState("pw-state-2")
	sdkURL, _ = oa.OAuth.Redirect(callback)
	resp, _, _ = b.open(sdkURL)
	if u, err := oa.OAuth.UserFromCode(redirected(t, resp, callback, "pw-state-2")); err != nil || u.GetOpenID() != wantOpenID {
		t.Fatalf("UserFromCode(second browser code) = %v, %v", u, err)
	}

	// redirect_uri is not escaped: the callback's own query is split into
	// the authorize query, and only its first parameter comes back. A
	// callback escaped by the caller arrives whole.
	withQuery := "https://h5.example.com/oauth/cb?from=menu&x=1"
	sdkURL, _ = oa.OAuth.Redirect(withQuery)
	resp, _, _ = b.open(sdkURL)
	redirected(t, resp, "https://h5.example.com/oauth/cb?from=menu", "pw-state-2")
	sdkURL, _ = oa.OAuth.Redirect(url.QueryEscape(withQuery))
	resp, _, _ = b.open(sdkURL)
	if u, err := oa.OAuth.UserFromCode(redirected(t, resp, withQuery, "pw-state-2")); err != nil || u.GetOpenID() != wantOpenID {
		t.Fatalf("UserFromCode(escaped-callback code) = %v, %v", u, err)
	}

	// snsapi_userinfo is never silent: the consent page, then (on allow) a
	// code that the userinfo provider turns into the user's profile.
	oa.OAuth.SetScopes([]string{"snsapi_userinfo"})
	sdkURL, _ = oa.OAuth.Redirect(callback)
	if !strings.Contains(sdkURL, "&scope=snsapi_userinfo&") {
		t.Fatalf("Redirect = %s", sdkURL)
	}
	resp, body, pageQuery := b.open(sdkURL)
	consentPage(t, resp, body)
	next, err := url.Parse(b.consent(pageQuery))
	if err != nil || next.Query().Get("state") != "pw-state-2" || !strings.HasPrefix(next.String(), callback+"?code=") {
		t.Fatalf("after consent the page goes to %v (%v)", next, err)
	}
	info, err := oa.OAuth.UserFromCode(next.Query().Get("code"))
	if err != nil || info.GetOpenID() != wantOpenID || info.GetNickname() != "Browser Bob" {
		t.Fatalf("UserFromCode(consented code) = %v, %v", info, err)
	}
}
