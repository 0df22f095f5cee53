package host_test

import (
	"context"

	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"

	"superapp/internal/account"
	"superapp/internal/identity"
	"superapp/internal/miniprogram/host"
	"superapp/internal/netguard"
	"superapp/internal/platform"
	"superapp/internal/store/storetest"
	"superapp/internal/wire"
)

func init() { identity.PasswordIterations = 1000 }

const cookieName = "superapp_session"

type world struct {
	p       *platform.Platform
	h       *host.Handler
	srv     *httptest.Server
	app     *account.App
	secret  string
	user    *identity.User
	session string
}

var runtimeFiles = fstest.MapFS{
	"frame.html": {Data: []byte("<!doctype html><script src=/mp/runtime/view.js></script>")},
	"logic.js":   {Data: []byte("/* logic runtime */")},
	"view.js":    {Data: []byte("/* view runtime */")},
}

type option func(*host.Config)

func dev(c *host.Config)       { c.Dev = true }
func noRuntime(c *host.Config) { c.Runtime = nil }

func newWorld(t *testing.T, opts ...option) *world {
	t.Helper()
	ctx := context.Background()
	o := platform.DefaultOptions("")
	o.Store = storetest.Config(t)
	p, err := platform.Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	cfg := host.Config{Registry: p.MiniPrograms, Accounts: p.Accounts, Identity: p.Identity, Login: p.Login,
		Runtime: runtimeFiles, SessionCookie: cookieName}
	for _, f := range opts {
		f(&cfg)
	}
	h := host.NewHandler(cfg)
	mux := http.NewServeMux()
	wire.New(p).Register(mux)
	h.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	app, secret, err := p.Accounts.CreateApp(ctx, account.MiniProgram, "Paper Shop", "")
	if err != nil {
		t.Fatal(err)
	}
	u, err := p.Identity.CreateUser(ctx, identity.NewUser{Name: "Ann", TestUser: true})
	if err != nil {
		t.Fatal(err)
	}
	session, err := p.Identity.StartSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return &world{p: p, h: h, srv: srv, app: app, secret: secret, user: u, session: session}
}

func (w *world) publish(t *testing.T, files map[string]string) *host.Build {
	t.Helper()
	b, err := w.p.MiniPrograms.Publish(context.Background(), w.app.AppID, build(w.app.AppID, files), "")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func get(t *testing.T, rawURL string, header ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", rawURL, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// shell calls the shell API as the signed-in user's browser does.
func (w *world) shell(t *testing.T, method, path string, body any, out any) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, w.srv.URL+"/shell/api/mp/"+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.AddCookie(&http.Cookie{Name: cookieName, Value: w.session})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode == 200 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %s: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode, string(raw)
}

func TestFrameIsSandboxedAndRuntimeFilesAreCachedByContent(t *testing.T) {
	w := newWorld(t)
	resp, body := get(t, w.srv.URL+"/mp/frame")
	if resp.StatusCode != 200 || !strings.Contains(body, "/mp/runtime/view.js") {
		t.Fatalf("frame: %d %s", resp.StatusCode, body)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"sandbox allow-scripts;", "connect-src 'none'", "worker-src blob:", "frame-ancestors 'self'", "default-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("frame CSP %q lacks %q", csp, want)
		}
	}
	if xfo := resp.Header.Get("X-Frame-Options"); xfo != "" {
		t.Errorf("the frame must be frameable by the shell, got X-Frame-Options %q", xfo)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("frame content type %q", ct)
	}

	w.publish(t, map[string]string{"service.js": "x"})
	var launch host.LaunchAnswer
	if status, raw := w.shell(t, "GET", w.app.AppID+"/launch", nil, &launch); status != 200 {
		t.Fatalf("launch: %d %s", status, raw)
	}
	logic := launch.Runtime["logic"]
	if !strings.HasPrefix(logic, "/mp/runtime/logic.js?h=") {
		t.Fatalf("logic runtime URL %q is not content-named", logic)
	}
	resp, body = get(t, w.srv.URL+logic)
	if resp.StatusCode != 200 || body != "/* logic runtime */" || resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") {
		t.Fatalf("hashed runtime: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	// The plain name (and a stale hash) revalidate with the ETag.
	for _, u := range []string{"/mp/runtime/view.js", "/mp/runtime/logic.js?h=0000000000000000"} {
		resp, _ = get(t, w.srv.URL+u)
		if resp.Header.Get("Cache-Control") != "no-cache" || resp.Header.Get("ETag") == "" {
			t.Fatalf("%s: %v", u, resp.Header)
		}
		again, _ := get(t, w.srv.URL+u, "If-None-Match", resp.Header.Get("ETag"))
		if again.StatusCode != http.StatusNotModified {
			t.Fatalf("%s with its ETag: %d", u, again.StatusCode)
		}
	}
	// frame.html's relative "view.js?v=<hash>" from /mp/frame.
	viewHash := host.HashOf(runtimeFiles["view.js"].Data)[:16]
	resp, body = get(t, w.srv.URL+"/mp/view.js?v="+viewHash)
	if resp.StatusCode != 200 || body != "/* view runtime */" || resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Fatalf("/mp/view.js: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	if resp, _ := get(t, w.srv.URL+"/mp/runtime/secret.txt"); resp.StatusCode != 404 {
		t.Fatalf("unknown runtime file: %d", resp.StatusCode)
	}
	// The frame's page is only at /mp/frame, under its CSP: opened as a
	// runtime file it would run with the server's origin.
	for _, u := range []string{"/mp/runtime/frame.html", "/mp/runtime/frame.html?h=" + host.HashOf(runtimeFiles["frame.html"].Data)[:16]} {
		if resp, body := get(t, w.srv.URL+u); resp.StatusCode != 404 || strings.Contains(body, "<script") {
			t.Fatalf("%s: %d %q", u, resp.StatusCode, body)
		}
	}

	bare := newWorld(t, noRuntime)
	if resp, _ := get(t, bare.srv.URL+"/mp/frame"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("frame without a runtime: %d", resp.StatusCode)
	}
}

// GET /mp/runtime tells the shell what a spare container is prepared
// with before any launch: the same logic runtime URL a launch answers, the
// frame's address, never cached; without a runtime it is unavailable.
func TestRuntimeInfoNamesTheLaunchRuntimeAndTheFrame(t *testing.T) {
	w := newWorld(t)
	resp, body := get(t, w.srv.URL+"/mp/runtime")
	if resp.StatusCode != 200 {
		t.Fatalf("/mp/runtime: %d %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("content type %q", ct)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("Cache-Control %q: a new runtime must be seen at once", cc)
	}
	var info map[string]string
	if err := json.Unmarshal([]byte(body), &info); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if len(info) != 2 || info["frame"] != "/mp/frame" {
		t.Fatalf("answer %v", info)
	}
	w.publish(t, map[string]string{"service.js": "x"})
	var launch host.LaunchAnswer
	if status, raw := w.shell(t, "GET", w.app.AppID+"/launch", nil, &launch); status != 200 {
		t.Fatalf("launch: %d %s", status, raw)
	}
	if info["logic"] != launch.Runtime["logic"] || launch.Frame != info["frame"] {
		t.Fatalf("/mp/runtime %v, launch runtime %v frame %q: a spare would be dropped at every launch", info, launch.Runtime, launch.Frame)
	}
	if resp, body := get(t, w.srv.URL+info["logic"]); resp.StatusCode != 200 || body != "/* logic runtime */" {
		t.Fatalf("%s: %d %q", info["logic"], resp.StatusCode, body)
	}

	bare := newWorld(t, noRuntime)
	if resp, _ := get(t, bare.srv.URL+"/mp/runtime"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/mp/runtime without a runtime: %d", resp.StatusCode)
	}
}

func TestPackageFilesAreImmutableAndTypedByName(t *testing.T) {
	w := newWorld(t)
	w.publish(t, map[string]string{"service.js": "x", "images/a.png": "\x89PNG fake"})
	h := host.HashOf([]byte("\x89PNG fake"))
	resp, body := get(t, w.srv.URL+"/mp/pkg/"+h+"?n=images/a.png")
	if resp.StatusCode != 200 || body != "\x89PNG fake" {
		t.Fatalf("file: %d %q", resp.StatusCode, body)
	}
	for k, want := range map[string]string{
		"Cache-Control": "public, max-age=31536000, immutable", "Content-Type": "image/png", "X-Content-Type-Options": "nosniff",
	} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Error("package files are fetched same-origin; no CORS header is needed")
	}
	resp, _ = get(t, w.srv.URL+"/mp/pkg/"+h)
	if resp.Header.Get("Content-Type") != "application/octet-stream" {
		t.Errorf("without a name: %q", resp.Header.Get("Content-Type"))
	}
	for _, u := range []string{"/mp/pkg/" + host.HashOf([]byte("none")), "/mp/pkg/abc", "/mp/pkg/" + strings.ToUpper(h)} {
		if resp, _ := get(t, w.srv.URL+u); resp.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", u, resp.StatusCode)
		}
	}
}

func TestLaunchNeedsASignedInUserAndAPublishedMiniProgram(t *testing.T) {
	w := newWorld(t)
	resp, body := get(t, w.srv.URL+"/shell/api/mp/"+w.app.AppID+"/launch")
	if resp.StatusCode != 401 || !strings.Contains(body, "not_signed_in") {
		t.Fatalf("signed out: %d %s", resp.StatusCode, body)
	}
	if status, raw := w.shell(t, "GET", w.app.AppID+"/launch", nil, nil); status != 404 || !strings.Contains(raw, "no_build") {
		t.Fatalf("unpublished: %d %s", status, raw)
	}
	oa, _, err := w.p.Accounts.CreateApp(context.Background(), account.ServiceAccount, "News", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, appid := range []string{oa.AppID, "wx0000000000000000", "nope"} {
		if status, raw := w.shell(t, "GET", appid+"/launch", nil, nil); status != 404 || !strings.Contains(raw, `"not_found"`) {
			t.Fatalf("launch %s: %d %s", appid, status, raw)
		}
	}
	b, err := w.p.MiniPrograms.Publish(context.Background(), w.app.AppID, build(w.app.AppID, map[string]string{"service.js": "x"}), "/home/dev/secret-project")
	if err != nil {
		t.Fatal(err)
	}
	var launch struct {
		App      host.Summary    `json:"app"`
		Build    host.Build      `json:"build"`
		Manifest json.RawMessage `json:"manifest"`
	}
	if status, raw := w.shell(t, "GET", w.app.AppID+"/launch", nil, &launch); status != 200 || strings.Contains(raw, "secret-project") {
		t.Fatalf("launch (the source directory is the operator's only): %d %s", status, raw)
	}
	if launch.App.Name != "Paper Shop" || launch.Build.ManifestHash != b.ManifestHash || host.HashOf(launch.Manifest) != b.ManifestHash {
		t.Fatalf("launch: %+v", launch)
	}
	if status, raw := w.shell(t, "GET", "nope/unknown", nil, nil); status != 404 {
		t.Fatalf("unknown API: %d %s", status, raw)
	}
}

func TestLoginCodeIsAcceptedByJscode2session(t *testing.T) {
	w := newWorld(t)
	var valid struct{ Valid bool }
	if status, raw := w.shell(t, "POST", w.app.AppID+"/check-session", map[string]any{}, &valid); status != 200 || valid.Valid {
		t.Fatalf("check-session before login: %d %s", status, raw)
	}
	var got struct{ Code string }
	if status, raw := w.shell(t, "POST", w.app.AppID+"/login", map[string]any{}, &got); status != 200 || got.Code == "" {
		t.Fatalf("login: %d %s", status, raw)
	}
	q := url.Values{"appid": {w.app.AppID}, "secret": {w.secret}, "js_code": {got.Code}, "grant_type": {"authorization_code"}}
	_, body := get(t, w.srv.URL+"/sns/jscode2session?"+q.Encode())
	var sess struct {
		OpenID     string `json:"openid"`
		SessionKey string `json:"session_key"`
		ErrCode    int    `json:"errcode"`
	}
	json.Unmarshal([]byte(body), &sess)
	if sess.ErrCode != 0 || sess.OpenID != w.p.Identity.OpenID(w.app.AppID, w.user.ID) || sess.SessionKey == "" {
		t.Fatalf("jscode2session: %s", body)
	}
	if status, raw := w.shell(t, "POST", w.app.AppID+"/check-session", map[string]any{}, &valid); status != 200 || !valid.Valid {
		t.Fatalf("check-session after login: %d %s", status, raw)
	}
	// getUserProfile after the user agreed: the profile, sealed under the session key.
	var profile map[string]any
	if status, raw := w.shell(t, "POST", w.app.AppID+"/user-profile", map[string]any{}, &profile); status != 200 ||
		profile["encryptedData"] == "" || profile["iv"] == nil || profile["userInfo"].(map[string]any)["nickName"] != "Ann" {
		t.Fatalf("user-profile: %d %s", status, raw)
	}

	// Writes follow the shell's rules: JSON only, same site only.
	req, _ := http.NewRequest("POST", w.srv.URL+"/shell/api/mp/"+w.app.AppID+"/login", strings.NewReader("{}"))
	req.AddCookie(&http.Cookie{Name: cookieName, Value: w.session})
	req.Header.Set("Content-Type", "text/plain")
	if resp, _ := http.DefaultClient.Do(req); resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("text/plain login: %d", resp.StatusCode)
	}
	req, _ = http.NewRequest("POST", w.srv.URL+"/shell/api/mp/"+w.app.AppID+"/login", strings.NewReader("{}"))
	req.AddCookie(&http.Cookie{Name: cookieName, Value: w.session})
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://evil.example")
	if resp, _ := http.DefaultClient.Do(req); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site login: %d", resp.StatusCode)
	}
	if status, _ := w.shell(t, "GET", w.app.AppID+"/login", nil, nil); status != http.StatusMethodNotAllowed {
		t.Fatalf("GET login: %d", status)
	}
}

// seen is what a developer's server received.
type seen struct {
	header http.Header
	body   string
	method string
}

func developerServer(t *testing.T, tls bool, handle func(w http.ResponseWriter, r *http.Request)) (*httptest.Server, chan seen) {
	t.Helper()
	got := make(chan seen, 8)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- seen{header: r.Header.Clone(), body: string(b), method: r.Method}
		handle(w, r)
	})
	var srv *httptest.Server
	if tls {
		srv = httptest.NewTLSServer(h)
	} else {
		srv = httptest.NewServer(h)
	}
	t.Cleanup(srv.Close)
	return srv, got
}

// publicNames resolves every name to a public documentation-free address,
// as the real internet would.
func publicNames(ctx context.Context, host string) (netip.Addr, string, error) {
	return netip.Addr{}, "", nil
}

func failMessage(t *testing.T, raw string) string {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string }
	}
	json.Unmarshal([]byte(raw), &e)
	return e.Error.Message
}

func TestRequestProxyReachesOnlyListedDomainsOverHTTPS(t *testing.T) {
	w := newWorld(t)
	dev, got := developerServer(t, true, func(rw http.ResponseWriter, r *http.Request) {
		http.SetCookie(rw, &http.Cookie{Name: "sid", Value: "s1"})
		rw.Header().Set("Content-Type", "application/json")
		io.WriteString(rw, `{"ok":true}`)
	})
	// example.com is a name the test server's certificate holds; every
	// dial goes to the test server.
	w.h.SetNetwork(publicNames, func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, dev.Listener.Addr().String())
	}, dev.Client().Transport.(*http.Transport).TLSClientConfig)
	call := func(body map[string]any) (int, string) {
		return w.shell(t, "POST", w.app.AppID+"/request", body, nil)
	}

	for _, c := range []struct {
		url, want string
	}{
		{"https://example.com/api", "request:fail url not in domain list"},
		{"http://example.com/api", "request:fail url not in domain list"},
		{"example.com/api", "request:fail invalid url"},
		{"ftp://example.com/x", "request:fail invalid url"},
		{"https://user:pw@example.com/x", "request:fail invalid url"},
	} {
		status, raw := call(map[string]any{"url": c.url})
		if status < 400 || failMessage(t, raw) != c.want {
			t.Errorf("%s: %d %s, want %q", c.url, status, raw, c.want)
		}
	}
	if _, err := w.p.MiniPrograms.SetDomains(context.Background(), w.app.AppID, host.Domains{host.DomainRequest: {"https://example.com"}}); err != nil {
		t.Fatal(err)
	}
	// A listed domain with a port it was not listed with is still refused.
	if _, raw := call(map[string]any{"url": "https://example.com:8443/x"}); failMessage(t, raw) != "request:fail url not in domain list" {
		t.Errorf("unlisted port: %s", raw)
	}
	var ans host.ProxyAnswer
	status, raw := w.shell(t, "POST", w.app.AppID+"/request", map[string]any{
		"url": "https://example.com/api?q=1", "method": "POST", "data": `{"a":1}`,
		"header": map[string]any{"Authorization": "Bearer mini-program-token", "X-Count": 3, "Cookie": "sid=from-the-mini-program", "Referer": "https://fake"},
	}, &ans)
	if status != 200 {
		t.Fatalf("listed domain: %d %s", status, raw)
	}
	if ans.StatusCode != 200 || ans.Data != `{"ok":true}` || ans.Encoding != "text" || len(ans.Cookies) != 1 || !strings.HasPrefix(ans.Cookies[0], "sid=s1") ||
		ans.Header["Content-Type"] != "application/json" {
		t.Fatalf("answer: %+v", ans)
	}
	s := <-got
	if s.method != "POST" || s.body != `{"a":1}` || s.header.Get("Content-Type") != "application/json" {
		t.Errorf("developer server got %s %q %v", s.method, s.body, s.header)
	}
	// The mini program's own headers go through; the shell's session never does.
	if s.header.Get("Authorization") != "Bearer mini-program-token" || s.header.Get("X-Count") != "3" ||
		s.header.Get("Cookie") != "sid=from-the-mini-program" || strings.Contains(strings.Join(s.header.Values("Cookie"), ";"), w.session) {
		t.Errorf("forwarded headers: %v", s.header)
	}
	if s.header.Get("Referer") != "https://servicewechat.com/"+w.app.AppID+"/devtools/page-frame.html" {
		t.Errorf("Referer %q", s.header.Get("Referer"))
	}
}

func TestRequestProxyRefusesNonPublicAddresses(t *testing.T) {
	w := newWorld(t)
	dev, got := developerServer(t, true, func(rw http.ResponseWriter, r *http.Request) { io.WriteString(rw, "secret") })
	if _, err := w.p.MiniPrograms.SetDomains(context.Background(), w.app.AppID, host.Domains{host.DomainRequest: {"example.com"}}); err != nil {
		t.Fatal(err)
	}
	tlsConf := dev.Client().Transport.(*http.Transport).TLSClientConfig
	// The name resolves to loopback: refused before any connection.
	w.h.SetNetwork(func(ctx context.Context, h string) (netip.Addr, string, error) {
		ip := netip.MustParseAddr("127.0.0.1")
		return ip, netguard.RefusedBecause(ip), nil
	}, nil, tlsConf)
	status, raw := w.shell(t, "POST", w.app.AppID+"/request", map[string]any{"url": "https://example.com/"}, nil)
	if status != http.StatusForbidden || !strings.HasPrefix(failMessage(t, raw), "request:fail example.com resolves to 127.0.0.1 (a loopback address)") {
		t.Fatalf("loopback name: %d %s", status, raw)
	}
	// The name looked public when checked but the connection goes to
	// loopback (DNS rebinding): the guarded dialer refuses it.
	guarded := &net.Dialer{Control: netguard.DialControl(false)}
	w.h.SetNetwork(publicNames, func(ctx context.Context, network, _ string) (net.Conn, error) {
		return guarded.DialContext(ctx, network, dev.Listener.Addr().String())
	}, tlsConf)
	status, raw = w.shell(t, "POST", w.app.AppID+"/request", map[string]any{"url": "https://example.com/"}, nil)
	if status != http.StatusForbidden || !strings.Contains(failMessage(t, raw), "refused address: 127.0.0.1 is a loopback address") {
		t.Fatalf("rebinding: %d %s", status, raw)
	}
	select {
	case s := <-got:
		t.Fatalf("the developer server was reached: %v", s)
	default:
	}
}

func TestRequestProxyInDevModeUploadsDownloadsAndTimesOut(t *testing.T) {
	w := newWorld(t, dev)
	dev, got := developerServer(t, false, func(rw http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow":
			<-r.Context().Done() // answers only when the proxy gives up
		case "/file":
			rw.Header().Set("Content-Type", "image/png")
			rw.Write([]byte{0x89, 'P', 'N', 'G', 0xff})
		default:
			rw.Write([]byte("ok"))
		}
	})
	// Dev mode: no domain list, plain http, loopback allowed.
	var ans host.ProxyAnswer
	if status, raw := w.shell(t, "POST", w.app.AppID+"/request", map[string]any{"url": dev.URL + "/hello", "header": map[string]any{"content-type": "text/plain"}, "method": "put", "data": "hi"}, &ans); status != 200 || ans.Data != "ok" {
		t.Fatalf("dev request: %d %s", status, raw)
	}
	if s := <-got; s.method != "PUT" || s.header.Get("Content-Type") != "text/plain" || s.header.Get("Cookie") != "" {
		t.Fatalf("dev request reached as %s %v", s.method, s.header)
	}

	if status, raw := w.shell(t, "POST", w.app.AppID+"/request", map[string]any{"api": "uploadFile", "url": dev.URL + "/up", "name": "photo",
		"fileName": "a.png", "data": base64.StdEncoding.EncodeToString([]byte("PNGDATA")), "dataEncoding": "base64",
		"formData": map[string]any{"user": "ann", "n": 2}}, &ans); status != 200 {
		t.Fatalf("upload: %d %s", status, raw)
	}
	s := <-got
	if s.method != "POST" || !strings.HasPrefix(s.header.Get("Content-Type"), "multipart/form-data; boundary=") ||
		!strings.Contains(s.body, `name="photo"; filename="a.png"`) || !strings.Contains(s.body, "PNGDATA") || !strings.Contains(s.body, "ann") {
		t.Fatalf("upload reached as %s %v %q", s.method, s.header, s.body)
	}

	if status, raw := w.shell(t, "POST", w.app.AppID+"/request", map[string]any{"api": "downloadFile", "url": dev.URL + "/file"}, &ans); status != 200 ||
		ans.Encoding != "base64" || ans.Data != base64.StdEncoding.EncodeToString([]byte{0x89, 'P', 'N', 'G', 0xff}) || ans.Header["Content-Type"] != "image/png" {
		t.Fatalf("download: %d %s", status, raw)
	}
	<-got

	status, raw := w.shell(t, "POST", w.app.AppID+"/request", map[string]any{"url": dev.URL + "/slow", "timeout": 100}, nil)
	if status != http.StatusGatewayTimeout || failMessage(t, raw) != "request:fail timeout" {
		t.Fatalf("slow: %d %s", status, raw)
	}
	if status, raw := w.shell(t, "POST", w.app.AppID+"/request", map[string]any{"api": "connectSocket", "url": dev.URL}, nil); status != 400 {
		t.Fatalf("unknown api: %d %s", status, raw)
	}
}

func TestWebManifestStartsTheMiniProgramFromTheHomeScreen(t *testing.T) {
	w := newWorld(t)
	resp, body := get(t, w.srv.URL+"/mp/webmanifest/"+w.app.AppID)
	var m map[string]any
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &m) != nil || resp.Header.Get("Content-Type") != "application/manifest+json" {
		t.Fatalf("manifest: %d %s", resp.StatusCode, body)
	}
	if m["start_url"] != "/miniprogram/"+w.app.AppID+"?scene=1023" || m["name"] != "Paper Shop" || m["display"] != "standalone" {
		t.Fatalf("manifest: %v", m)
	}
	if resp, _ := get(t, w.srv.URL+"/mp/webmanifest/wx0000000000000000"); resp.StatusCode != 404 {
		t.Fatalf("unknown app: %d", resp.StatusCode)
	}
}

// A user has at most MaxCallsPerUser calls in flight, as WeChat allows;
// one more fails with WeChat's errMsg until one of them ends.
func TestRequestProxyCapsEachUsersCallsInFlight(t *testing.T) {
	w := newWorld(t, dev)
	release := make(chan struct{})
	arrived := make(chan struct{}, host.MaxCallsPerUser)
	slow := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
		rw.Write([]byte("done"))
	}))
	t.Cleanup(slow.Close)
	done := make(chan int, host.MaxCallsPerUser)
	for range host.MaxCallsPerUser {
		go func() {
			status, _ := w.shell(t, "POST", w.app.AppID+"/request", map[string]any{"url": slow.URL}, nil)
			done <- status
		}()
	}
	for range host.MaxCallsPerUser {
		<-arrived
	}
	status, raw := w.shell(t, "POST", w.app.AppID+"/request", map[string]any{"api": "downloadFile", "url": slow.URL}, nil)
	if status != http.StatusTooManyRequests || !strings.HasPrefix(failMessage(t, raw), "downloadFile:fail exceed max task count") {
		t.Fatalf("one call too many: %d %s", status, raw)
	}
	close(release)
	for range host.MaxCallsPerUser {
		if s := <-done; s != 200 {
			t.Fatalf("a call within the limit: %d", s)
		}
	}
	if status, raw := w.shell(t, "POST", w.app.AppID+"/request", map[string]any{"url": slow.URL}, nil); status != 200 {
		t.Fatalf("after the calls ended: %d %s", status, raw)
	}
}

// Dev mode reaches loopback and the LAN, never link-local addresses or
// cloud metadata endpoints (they hand out the machine's credentials).
func TestRequestProxyInDevModeRefusesMetadataAddresses(t *testing.T) {
	w := newWorld(t, dev)
	for _, u := range []string{"http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/", "http://[::ffff:169.254.169.254]/"} {
		status, raw := w.shell(t, "POST", w.app.AppID+"/request", map[string]any{"url": u}, nil)
		if status != http.StatusForbidden || !strings.Contains(failMessage(t, raw), "which mini programs may not reach") {
			t.Errorf("%s: %d %s", u, status, raw)
		}
	}
}
