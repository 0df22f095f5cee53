package shell_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"superapp/internal/shell"
	"superapp/internal/testserver"
)

// browser is an HTTP client with its own cookies, like one browser profile.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, base string, transport http.RoundTripper) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, c: &http.Client{
		Jar: jar, Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// do sends a request; a non-nil body goes as JSON.
func (b *browser) do(method, path string, body any) *http.Response {
	b.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, b.base+path, rd)
	if err != nil {
		b.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

// call sends a request to the shell API and decodes the JSON answer.
func (b *browser) call(method, path string, body any) (int, map[string]any) {
	b.t.Helper()
	resp := b.do(method, path, body)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		b.t.Fatalf("%s %s: %d, not JSON: %q", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode, m
}

// ok calls and fails the test unless the answer is 200.
func (b *browser) ok(method, path string, body any) map[string]any {
	b.t.Helper()
	status, m := b.call(method, path, body)
	if status != 200 {
		b.t.Fatalf("%s %s: %d %v", method, path, status, m)
	}
	return m
}

// fails calls and checks the error status, code and field.
func (b *browser) fails(method, path string, body any, status int, code, field string) map[string]any {
	b.t.Helper()
	got, m := b.call(method, path, body)
	e, _ := m["error"].(map[string]any)
	if got != status || e == nil || e["code"] != code || str(e["field"]) != field || str(e["message"]) == "" {
		b.t.Fatalf("%s %s: got %d %v; want %d with code %q field %q and a message", method, path, got, m, status, code, field)
	}
	return e
}

func str(v any) string { s, _ := v.(string); return s }

func userOf(m map[string]any) map[string]any { u, _ := m["user"].(map[string]any); return u }

func TestRegisterSignInProfileSignOut(t *testing.T) {
	ts := testserver.New(t)
	b := newBrowser(t, ts.URL, nil)

	b.fails("GET", "/shell/api/me", nil, 401, "not_signed_in", "")
	if m := b.ok("GET", "/shell/api/config", nil); m["dev"] != false {
		t.Fatalf("config outside dev mode: %v", m)
	}

	resp := b.do("POST", "/shell/api/register", map[string]string{"phone": "13800138000", "password": "correct horse", "name": "Alice"})
	var reg map[string]any
	json.NewDecoder(resp.Body).Decode(&reg)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("register: %d %v", resp.StatusCode, reg)
	}
	u := userOf(reg)
	if u["name"] != "Alice" || u["phone"] != "13800138000" || str(u["id"]) == "" || u["test_user"] != false {
		t.Fatalf("registered user: %v", reg)
	}
	checkSessionCookie(t, resp, false)
	if strings.Contains(resp.Header.Get("Set-Cookie"), "password") {
		t.Fatal("cookie mentions the password")
	}

	if me := userOf(b.ok("GET", "/shell/api/me", nil)); me["id"] != u["id"] || me["name"] != "Alice" {
		t.Fatalf("me after register: %v", me)
	}

	// Edit the profile.
	m := b.ok("PATCH", "/shell/api/me", map[string]any{"name": "  Alice Liddell ", "city": "Oxford", "gender": 2})
	if me := userOf(m); me["name"] != "Alice Liddell" || me["city"] != "Oxford" || me["gender"] != float64(2) {
		t.Fatalf("after PATCH: %v", m)
	}
	if me := userOf(b.ok("GET", "/shell/api/me", nil)); me["name"] != "Alice Liddell" || me["city"] != "Oxford" {
		t.Fatalf("me after PATCH: %v", me)
	}
	b.fails("PATCH", "/shell/api/me", map[string]any{"name": ""}, 400, "invalid_input", "name")
	b.fails("PATCH", "/shell/api/me", map[string]any{"gender": 7}, 400, "invalid_input", "gender")
	b.fails("PATCH", "/shell/api/me", map[string]any{"avatar_url": "javascript:alert(1)"}, 400, "invalid_input", "avatar_url")
	b.fails("PATCH", "/shell/api/me", map[string]any{"nickname": "x"}, 400, "bad_json", "")

	// Sign out ends the session on the server, not only the cookie.
	c := sessionCookie(t, b)
	resp = b.do("POST", "/shell/api/signout", map[string]any{})
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Set-Cookie"), shell.SessionCookie+"=;") {
		t.Fatalf("signout: %d, Set-Cookie %q", resp.StatusCode, resp.Header.Get("Set-Cookie"))
	}
	b.fails("GET", "/shell/api/me", nil, 401, "not_signed_in", "")
	replay := newBrowser(t, ts.URL, nil)
	replay.c.Jar.SetCookies(mustURL(ts.URL), []*http.Cookie{c})
	replay.fails("GET", "/shell/api/me", nil, 401, "not_signed_in", "")

	// Wrong password, unknown phone, then the right password.
	b.fails("POST", "/shell/api/signin", map[string]string{"phone": "13800138000", "password": "wrong horse"}, 401, "bad_credentials", "password")
	b.fails("POST", "/shell/api/signin", map[string]string{"phone": "13900000000", "password": "correct horse"}, 401, "bad_credentials", "password")
	b.fails("POST", "/shell/api/signin", map[string]string{"phone": "13800138000"}, 400, "invalid_input", "password")
	m = b.ok("POST", "/shell/api/signin", map[string]string{"phone": "13800138000", "password": "correct horse"})
	if userOf(m)["id"] != u["id"] || userOf(m)["name"] != "Alice Liddell" {
		t.Fatalf("signin: %v", m)
	}
	b.ok("GET", "/shell/api/me", nil)
}

func TestRegisterRejects(t *testing.T) {
	ts := testserver.New(t)
	b := newBrowser(t, ts.URL, nil)
	b.ok("POST", "/shell/api/register", map[string]string{"phone": "+8613800138000", "password": "password1", "name": "Bob"})

	other := newBrowser(t, ts.URL, nil)
	e := other.fails("POST", "/shell/api/register", map[string]string{"phone": "+8613800138000", "password": "password2", "name": "Bobby"}, 409, "phone_taken", "phone")
	if !strings.Contains(str(e["message"]), "already registered") {
		t.Errorf("duplicate phone message: %v", e)
	}
	other.fails("GET", "/shell/api/me", nil, 401, "not_signed_in", "")
	other.fails("POST", "/shell/api/register", map[string]string{"phone": "12ab", "password": "password2", "name": "C"}, 400, "invalid_input", "phone")
	other.fails("POST", "/shell/api/register", map[string]string{"phone": "", "password": "password2", "name": "C"}, 400, "invalid_input", "phone")
	e = other.fails("POST", "/shell/api/register", map[string]string{"phone": "13700000000", "password": "short", "name": "C"}, 400, "invalid_input", "password")
	if !strings.Contains(str(e["message"]), "at least 8") {
		t.Errorf("short password message: %v", e)
	}
	other.fails("POST", "/shell/api/register", map[string]string{"phone": "13700000000", "password": "password2", "name": " "}, 400, "invalid_input", "name")
	other.fails("POST", "/shell/api/register", map[string]string{"phone": "13700000000", "password": "password2", "name": strings.Repeat("x", 33)}, 400, "invalid_input", "name")
}

func TestWritesNeedJSONFromThisSite(t *testing.T) {
	ts := testserver.New(t)
	creds := `{"phone":"13800138000","password":"password1","name":"Eve"}`
	for _, tc := range []struct {
		name, contentType, origin string
		status                    int
		code                      string
	}{
		{"form post", "application/x-www-form-urlencoded", "", 415, "unsupported_media_type"},
		{"text/plain", "text/plain", "", 415, "unsupported_media_type"},
		{"no content type", "", "", 415, "unsupported_media_type"},
		{"other origin", "application/json", "https://evil.example", 403, "cross_origin"},
		{"same origin", "application/json; charset=utf-8", ts.URL, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", ts.URL+"/shell/api/register", strings.NewReader(creds))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var m struct {
				Error struct{ Code string } `json:"error"`
			}
			json.NewDecoder(resp.Body).Decode(&m)
			if resp.StatusCode != tc.status || m.Error.Code != tc.code {
				t.Fatalf("got %d %q, want %d %q", resp.StatusCode, m.Error.Code, tc.status, tc.code)
			}
		})
	}
	b := newBrowser(t, ts.URL, nil)
	b.fails("GET", "/shell/api/register", nil, 405, "method_not_allowed", "")
	b.fails("GET", "/shell/api/nothing-here", nil, 404, "not_found", "")
}

func TestTestUserOnlyInDevMode(t *testing.T) {
	prod := testserver.New(t)
	b := newBrowser(t, prod.URL, nil)
	b.fails("POST", "/shell/api/test-user", map[string]any{}, 404, "not_found", "")
	b.fails("GET", "/shell/api/me", nil, 401, "not_signed_in", "")

	dev := testserver.New(t, testserver.Dev())
	d := newBrowser(t, dev.URL, nil)
	if m := d.ok("GET", "/shell/api/config", nil); m["dev"] != true {
		t.Fatalf("config in dev mode: %v", m)
	}
	u := userOf(d.ok("POST", "/shell/api/test-user", map[string]any{}))
	if u["test_user"] != true || !strings.HasPrefix(str(u["name"]), "Test user ") || str(u["phone"]) != "" {
		t.Fatalf("test user: %v", u)
	}
	if me := userOf(d.ok("GET", "/shell/api/me", nil)); me["id"] != u["id"] {
		t.Fatalf("me after test-user: %v", me)
	}
	u2 := userOf(newBrowser(t, dev.URL, nil).ok("POST", "/shell/api/test-user", map[string]any{}))
	if u2["id"] == u["id"] {
		t.Fatal("two one-click test users are the same user")
	}
}

func TestSessionCookieIsSecureOverTLS(t *testing.T) {
	ts := testserver.New(t)
	tls := httptest.NewTLSServer(ts.Server.Handler())
	defer tls.Close()
	b := newBrowser(t, tls.URL, tls.Client().Transport)
	resp := b.do("POST", "/shell/api/register", map[string]string{"phone": "13800138000", "password": "password1", "name": "Tess"})
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("register over TLS: %d", resp.StatusCode)
	}
	checkSessionCookie(t, resp, true)
}

func checkSessionCookie(t *testing.T, resp *http.Response, secure bool) {
	t.Helper()
	for _, c := range resp.Cookies() {
		if c.Name != shell.SessionCookie {
			continue
		}
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure != secure || len(c.Value) < 32 || c.MaxAge <= 0 {
			t.Fatalf("session cookie %q: want HttpOnly, SameSite=Lax, Path=/, Secure=%v, a long value and Max-Age", resp.Header.Get("Set-Cookie"), secure)
		}
		return
	}
	t.Fatalf("no %s cookie in %q", shell.SessionCookie, resp.Header.Values("Set-Cookie"))
}

func sessionCookie(t *testing.T, b *browser) *http.Cookie {
	for _, c := range b.c.Jar.Cookies(mustURL(b.base)) {
		if c.Name == shell.SessionCookie {
			return c
		}
	}
	t.Fatal("no session cookie")
	return nil
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

var assetRef = regexp.MustCompile(`/shell/assets/[A-Za-z0-9._-]+\.(js|css)`)

func TestPagesAndAssets(t *testing.T) {
	ts := testserver.New(t)
	b := newBrowser(t, ts.URL, nil)
	var index string
	for _, p := range []string{"/", "/me", "/signin", "/me/name", "/some/unknown/route"} {
		resp := b.do("GET", p, nil)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		csp := resp.Header.Get("Content-Security-Policy")
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), `<div id="app">`) {
			t.Fatalf("GET %s: %d %s", p, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Fatalf("GET %s: CSP %q", p, csp)
		}
		index = string(body)
	}
	if strings.Contains(index, "<script>") || strings.Contains(index, "style=") {
		t.Fatal("index.html has inline script or style, which the CSP blocks")
	}
	refs := assetRef.FindAllString(index, -1)
	if len(refs) != 2 {
		t.Fatalf("index.html should reference one JS and one CSS bundle: %v", refs)
	}
	for _, ref := range refs {
		resp := b.do("GET", ref, nil)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := "text/css"
		if strings.HasSuffix(ref, ".js") {
			want = "text/javascript"
		}
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), want) || len(body) < 1000 ||
			!strings.Contains(resp.Header.Get("Cache-Control"), "max-age=31536000") {
			t.Fatalf("GET %s: %d %q %q, %d bytes", ref, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"), len(body))
		}
		if want == "text/css" && !strings.Contains(string(body), ".weui-btn") {
			t.Fatal("the CSS bundle lacks WeUI")
		}
	}
	for _, p := range []string{"/favicon.ico", "/shell/assets/nope.js", "/shell/assets/", "/shell/assets/../index.html"} {
		resp := b.do("GET", p, nil)
		resp.Body.Close()
		if resp.StatusCode != 404 && resp.StatusCode/100 != 3 { // the mux redirects paths with ".." to their clean form
			t.Errorf("GET %s: %d, want 404", p, resp.StatusCode)
		}
	}
	resp := b.do("POST", "/me", map[string]any{})
	resp.Body.Close()
	if resp.StatusCode != 405 {
		t.Errorf("POST /me: %d, want 405", resp.StatusCode)
	}
	// Routes of other packages still win over the shell's catch-all.
	if m := ts.Get(t, "/cgi-bin/token?grant_type=client_credential&appid=wx0000000000000000&secret=x"); testserver.Errcode(m) == 0 {
		t.Fatalf("wire route answered %v", m)
	}
}
