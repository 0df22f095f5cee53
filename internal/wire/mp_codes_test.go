package wire_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/jpeg"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"superapp/internal/shell"
	"superapp/internal/testserver"
	"superapp/internal/wxacode"
)

// codesWorld is a server with a mini program whose online version has
// pages/index and pages/shop (stood in for the release service), another
// mini program, and an official account.
type codesWorld struct {
	s                          *testserver.Server
	mp, other                  testserver.App
	oa                         testserver.App
	token, otherToken, oaToken string
}

func newCodesWorld(t *testing.T) *codesWorld {
	t.Helper()
	s := testserver.New(t)
	w := &codesWorld{s: s, mp: s.CreateApp(t, "miniprogram", "Shop Demo"), other: s.CreateApp(t, "miniprogram", "Other"),
		oa: s.CreateApp(t, "service", "News")}
	w.token, w.otherToken, w.oaToken = s.AccessToken(t, w.mp), s.AccessToken(t, w.other), s.AccessToken(t, w.oa)
	s.Server.P.Codes.SetReleases(func(_ context.Context, appid string) ([]string, error) {
		if appid == w.mp.AppID {
			return []string{"pages/index", "pages/shop"}, nil
		}
		return nil, wxacode.ErrNotPublished
	})
	return w
}

// postRaw POSTs a JSON body with token and returns status, content type
// and body.
func postRaw(t *testing.T, s *testserver.Server, path, token string, body any) (int, string, []byte) {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(s.URL+path+"?access_token="+url.QueryEscape(token), "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), raw
}

func (w *codesWorld) json(t *testing.T, path, token string, body any) map[string]any {
	t.Helper()
	status, ctype, raw := postRaw(t, w.s, path, token, body)
	if status != 200 || ctype != "application/json; encoding=utf-8" {
		t.Fatalf("%s: HTTP %d %s %s", path, status, ctype, raw)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s: %v: %s", path, err, raw)
	}
	return m
}

// code asks for a code and returns the text its image decodes to.
func (w *codesWorld) code(t *testing.T, path string, body any) string {
	t.Helper()
	status, ctype, raw := postRaw(t, w.s, path, w.token, body)
	if status != 200 || ctype != "image/jpeg" {
		t.Fatalf("%s %v: HTTP %d %s %.300s", path, body, status, ctype, raw)
	}
	img, err := jpeg.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%s: not a JPEG: %v", path, err)
	}
	text, err := shell.DecodeQR(img)
	if err != nil {
		t.Fatalf("%s: the image holds no readable QR code: %v", path, err)
	}
	return text
}

func TestMPCodesImagesAndURLs(t *testing.T) {
	w := newCodesWorld(t)
	base := w.s.URL

	a := w.code(t, "/wxa/getwxacode", map[string]any{"path": "pages/shop?id=7", "width": 300, "line_color": map[string]any{"r": "0", "g": "0", "b": "128"}})
	if want := base + "/mpcode/" + w.mp.AppID + "?path=pages%2Fshop%3Fid%3D7"; a != want {
		t.Fatalf("A code holds %q, want %q", a, want)
	}
	b := w.code(t, "/wxa/getwxacodeunlimit", map[string]any{"scene": "id=7&u=x", "page": "pages/shop", "env_version": "trial", "check_path": false})
	if want := base + "/mpcode/" + w.mp.AppID + "?env=trial&page=pages%2Fshop&scene=id%3D7%26u%3Dx"; b != want {
		t.Fatalf("B code holds %q, want %q", b, want)
	}
	c := w.code(t, "/cgi-bin/wxaapp/createwxaqrcode", map[string]any{"path": "pages/index"})
	if !strings.HasSuffix(c, "/mpcode/"+w.mp.AppID+"?path=pages%2Findex") {
		t.Fatalf("C code holds %q", c)
	}
	// The default width is 430 pixels, as WeChat's.
	_, _, raw := postRaw(t, w.s, "/cgi-bin/wxaapp/createwxaqrcode", w.token, map[string]any{"path": "pages/index"})
	cfg, _, err := image.DecodeConfig(bytes.NewReader(raw))
	if err != nil || cfg.Width < 430 || cfg.Width > 460 {
		t.Fatalf("default code is %dpx wide (%v), want about 430", cfg.Width, err)
	}
	// A B code of a released page passes check_path; empty page = home.
	w.code(t, "/wxa/getwxacodeunlimit", map[string]any{"scene": "a", "page": "pages/index"})
	w.code(t, "/wxa/getwxacodeunlimit", map[string]any{"scene": "a"})

	// Opening the code's address is scanning it with the camera: the shell
	// opens the page with scene 1047 and query.scene URI-encoded.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(b)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || loc.Path != "/miniprogram/"+w.mp.AppID {
		t.Fatalf("GET B code URL: %d %s", resp.StatusCode, loc)
	}
	q := loc.Query()
	inner, _ := url.ParseQuery(q.Get("query"))
	if q.Get("scene") != "1047" || q.Get("path") != "pages/shop" || q.Get("env_version") != "trial" || inner.Get("scene") != "id%3D7%26u%3Dx" {
		t.Fatalf("B code opens %s (app query.scene %q)", loc, inner.Get("scene"))
	}
	// Resolving what the scan page read from the album gives 1049.
	var l wxacode.Launch
	getJSON(t, base+"/shell/api/mplink?via=album&text="+url.QueryEscape(a), 200, &l)
	if l.AppID != w.mp.AppID || l.Path != "pages/shop?id=7" || l.Scene != 1049 || l.EnvVersion != "release" {
		t.Fatalf("resolve A code from the album = %+v", l)
	}
}

func getJSON(t *testing.T, u string, wantStatus int, out any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("GET %s: %v %s", u, err, raw)
		}
	}
}

func TestMPCodesErrors(t *testing.T) {
	w := newCodesWorld(t)
	long := strings.Repeat("p", 1025)
	for _, c := range []struct {
		path  string
		token string
		body  any
		want  int
	}{
		{"/wxa/getwxacode", "", map[string]any{}, 40159},
		{"/wxa/getwxacode", "", map[string]any{"path": long}, 40159},
		{"/cgi-bin/wxaapp/createwxaqrcode", "", map[string]any{"path": strings.Repeat("p", 129)}, 40159},
		{"/wxa/getwxacode", "", map[string]any{"path": "pages/index", "width": 279}, 40189},
		{"/wxa/getwxacode", "", map[string]any{"path": "pages/index", "width": 1281}, 40189},
		{"/wxa/getwxacode", "", map[string]any{"path": "pages/index", "env_version": "beta"}, 40097},
		{"/wxa/getwxacodeunlimit", "", map[string]any{"scene": ""}, 40169},
		{"/wxa/getwxacodeunlimit", "", map[string]any{"scene": strings.Repeat("s", 33)}, 40169},
		{"/wxa/getwxacodeunlimit", "", map[string]any{"scene": "中文"}, 40169},
		{"/wxa/getwxacodeunlimit", "", map[string]any{"scene": "a%20b"}, 40169},
		{"/wxa/getwxacodeunlimit", "", map[string]any{"scene": "a", "page": "/pages/index"}, 41030},
		{"/wxa/getwxacodeunlimit", "", map[string]any{"scene": "a", "page": "pages/index?x=1"}, 41030},
		{"/wxa/getwxacodeunlimit", "", map[string]any{"scene": "a", "page": "pages/missing"}, 41030},
		{"/wxa/getwxacodeunlimit", "", map[string]any{"scene": "a", "env_version": "x"}, 40097},
		// The other mini program has no online version.
		{"/wxa/getwxacodeunlimit", "other", map[string]any{"scene": "a"}, 41030},
		// An official account's token has no permission.
		{"/wxa/getwxacode", "oa", map[string]any{"path": "pages/index"}, 48001},
		{"/wxa/generatescheme", "oa", map[string]any{}, 48001},
		{"/wxa/generatescheme", "", map[string]any{"jump_wxa": map[string]any{"path": "pages/missing"}}, 40165},
		{"/wxa/generatescheme", "", map[string]any{"jump_wxa": map[string]any{"path": "pages/index", "query": "a=中"}}, 40212},
		{"/wxa/generatescheme", "", map[string]any{"is_expire": true, "expire_type": 0, "expire_time": 1}, 85401},
		{"/wxa/generatescheme", "", map[string]any{"is_expire": true, "expire_type": 1, "expire_interval": 31}, 85401},
		{"/wxa/generatescheme", "other", map[string]any{}, 85079},
		{"/wxa/generate_urllink", "", map[string]any{"path": "pages/index", "env_version": "gray"}, 40097},
		{"/wxa/generate_urllink", "", map[string]any{"path": "pages/index", "expire_type": 1, "expire_interval": 0}, 85401},
		{"/wxa/genwxashortlink", "", map[string]any{"page_url": "pages/nope?x=1"}, 40066},
		{"/wxa/genwxashortlink", "", map[string]any{"page_url": ""}, 40066},
		{"/wxa/genwxashortlink", "", map[string]any{"page_url": "pages/index", "page_title": "a/b"}, 40225},
		{"/wxa/queryscheme", "", map[string]any{"scheme": "weixin://dl/business/?t=nothing"}, 40097},
		{"/wxa/query_urllink", "", map[string]any{"url_link": "nothing"}, 40097},
	} {
		token := map[string]string{"": w.token, "other": w.otherToken, "oa": w.oaToken}[c.token]
		if got := testserver.Errcode(w.json(t, c.path, token, c.body)); got != c.want {
			t.Errorf("%s %v (token %q): errcode %d, want %d", c.path, c.body, c.token, got, c.want)
		}
	}
	// Codes take POST only; a GET is 43002 as JSON.
	resp, err := http.Get(w.s.URL + "/wxa/getwxacode?access_token=" + w.token)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(raw), `"errcode":43002`) {
		t.Fatalf("GET getwxacode: %s", raw)
	}
}

func TestMPCodesLifetimeCap(t *testing.T) {
	w := newCodesWorld(t)
	p := w.s.Server.P.Codes.Policy()
	p.CodeLifetimeCap = 3
	w.s.Server.P.Codes.SetPolicy(p)
	w.code(t, "/wxa/getwxacode", map[string]any{"path": "pages/a"})
	w.code(t, "/cgi-bin/wxaapp/createwxaqrcode", map[string]any{"path": "pages/a"})
	w.code(t, "/wxa/getwxacode", map[string]any{"path": "pages/a", "width": 500})
	// The same parameters again count once: still allowed at the cap.
	w.code(t, "/wxa/getwxacode", map[string]any{"path": "pages/a"})
	w.code(t, "/wxa/getwxacode", map[string]any{"path": "pages/a", "width": 430})
	if got := testserver.Errcode(w.json(t, "/wxa/getwxacode", w.token, map[string]any{"path": "pages/b"})); got != 45029 {
		t.Fatalf("fourth distinct A/C code: errcode %d, want 45029", got)
	}
	if got := testserver.Errcode(w.json(t, "/cgi-bin/wxaapp/createwxaqrcode", w.token, map[string]any{"path": "pages/b"})); got != 45029 {
		t.Fatalf("fourth distinct C code: errcode %d, want 45029", got)
	}
	// B codes are unlimited; another app has its own count.
	w.code(t, "/wxa/getwxacodeunlimit", map[string]any{"scene": "x", "check_path": false, "page": "pages/b"})
	if n, err := w.s.Server.P.Codes.CodesMade(context.Background(), w.other.AppID); err != nil || n != 0 {
		t.Fatalf("other app's count = %d, %v", n, err)
	}
}

// TestMPCodesUnlimitedPerMinute: getwxacodeunlimit codes are not capped
// for life but per minute (WeChat's 5,000; 45009 beyond); an A code does
// not use the minute's allowance.
func TestMPCodesUnlimitedPerMinute(t *testing.T) {
	w := newCodesWorld(t)
	p := w.s.Server.P.Codes.Policy()
	if p.UnlimitedPerMinute != 5000 {
		t.Fatalf("default minute limit %d, want WeChat's 5000", p.UnlimitedPerMinute)
	}
	p.UnlimitedPerMinute = 2
	w.s.Server.P.Codes.SetPolicy(p)
	// At the start of a minute, so the three calls share it.
	for time.Now().Unix()%60 > 50 {
		time.Sleep(time.Second)
	}
	b := map[string]any{"scene": "x", "check_path": false, "page": "pages/b"}
	w.code(t, "/wxa/getwxacodeunlimit", b)
	w.code(t, "/wxa/getwxacode", map[string]any{"path": "pages/a"})
	w.code(t, "/wxa/getwxacodeunlimit", b)
	if got := testserver.Errcode(w.json(t, "/wxa/getwxacodeunlimit", w.token, b)); got != 45009 {
		t.Fatalf("third B code in a minute: errcode %d, want 45009", got)
	}
}

func TestMPLinks(t *testing.T) {
	w := newCodesWorld(t)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	open := func(u string) (int, *url.URL) {
		t.Helper()
		resp, err := noFollow.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		return resp.StatusCode, loc
	}

	// Scheme: weixin://dl/business/?t=…, queryable by its app only.
	s := w.json(t, "/wxa/generatescheme", w.token, map[string]any{"jump_wxa": map[string]any{"path": "pages/shop", "query": "id=7"}, "is_expire": true, "expire_type": 1, "expire_interval": 2})
	openlink, _ := s["openlink"].(string)
	if testserver.Errcode(s) != 0 || !strings.HasPrefix(openlink, "weixin://dl/business/?t=") {
		t.Fatalf("generatescheme = %v", s)
	}
	q := w.json(t, "/wxa/queryscheme", w.token, map[string]any{"scheme": openlink})
	info, _ := q["scheme_info"].(map[string]any)
	ct, _ := info["create_time"].(float64)
	et, _ := info["expire_time"].(float64)
	if info["appid"] != w.mp.AppID || info["path"] != "pages/shop" || info["query"] != "id=7" || info["env_version"] != "release" || et-ct != 2*86400 {
		t.Fatalf("queryscheme = %v", q)
	}
	if got := testserver.Errcode(w.json(t, "/wxa/queryscheme", w.otherToken, map[string]any{"scheme": openlink})); got != 40097 {
		t.Fatalf("another app's queryscheme: errcode %d, want 40097", got)
	}
	var l wxacode.Launch
	getJSON(t, w.s.URL+"/shell/api/mplink?text="+url.QueryEscape(openlink), 200, &l)
	if l.AppID != w.mp.AppID || l.Scene != 1065 || l.Path != "pages/shop" || l.Query != "id=7" {
		t.Fatalf("resolve scheme = %+v", l)
	}

	// URL link: <base>/wxaurl/<ticket>, opened with scene 1194; without an
	// expiry it lives 30 days (PowerWeChat sends no is_expire).
	u := w.json(t, "/wxa/generate_urllink", w.token, map[string]any{"path": "pages/index", "query": "from=sms", "env_version": "develop", "expire_type": 0, "expire_time": 0, "cloud_base": nil})
	link, _ := u["url_link"].(string)
	if !strings.HasPrefix(link, w.s.URL+"/wxaurl/") {
		t.Fatalf("generate_urllink = %v", u)
	}
	qu := w.json(t, "/wxa/query_urllink", w.token, map[string]any{"url_link": link})
	uinfo, _ := qu["url_link_info"].(map[string]any)
	ct, _ = uinfo["create_time"].(float64)
	et, _ = uinfo["expire_time"].(float64)
	if uinfo["env_version"] != "develop" || et-ct != 30*86400 {
		t.Fatalf("query_urllink = %v", qu)
	}
	status, loc := open(link)
	lq := loc.Query()
	if status != http.StatusSeeOther || loc.Path != "/miniprogram/"+w.mp.AppID || lq.Get("scene") != "1194" || lq.Get("path") != "pages/index" ||
		lq.Get("query") != "from=sms" || lq.Get("env_version") != "develop" {
		t.Fatalf("open URL link: %d %s", status, loc)
	}

	// Short link: #小程序://<name>/<title>/<ticket>, scene 1179; both paths.
	for _, path := range []string{"/wxa/genwxashortlink", "/wxa/generate_shortlink"} {
		sl := w.json(t, path, w.token, map[string]any{"page_url": "pages/shop?id=9", "page_title": "Big sale", "is_permanent": false})
		text, _ := sl["link"].(string)
		if !strings.HasPrefix(text, "#小程序://Shop Demo/Big sale/") {
			t.Fatalf("%s = %v", path, sl)
		}
		getJSON(t, w.s.URL+"/shell/api/mplink?text="+url.QueryEscape(text), 200, &l)
		if l.Scene != 1179 || l.Path != "pages/shop" || l.Query != "id=9" {
			t.Fatalf("resolve short link = %+v", l)
		}
	}

	// Expired and unknown links: a clear page, and a clear API answer.
	exp := w.json(t, "/wxa/generate_urllink", w.token, map[string]any{"path": "pages/index", "is_expire": true, "expire_time": time.Now().Unix() + 2})
	expLink, _ := exp["url_link"].(string)
	if _, err := w.s.Server.P.DB.Exec(context.Background(), "UPDATE mp_links SET expires_at = ? WHERE ticket = ?", time.Now().Unix()-1, strings.TrimPrefix(expLink, w.s.URL+"/wxaurl/")); err != nil {
		t.Fatal(err)
	}
	if status, _ := open(expLink); status != http.StatusGone {
		t.Fatalf("expired URL link: %d, want 410", status)
	}
	getJSON(t, w.s.URL+"/shell/api/mplink?text="+url.QueryEscape(expLink), 410, nil)
	if status, _ := open(w.s.URL + "/wxaurl/unknownticket"); status != http.StatusNotFound {
		t.Fatalf("unknown URL link: %d, want 404", status)
	}
	if status, _ := open(w.s.URL + "/mpcode/" + w.oa.AppID + "?path=pages/index"); status != http.StatusNotFound {
		t.Fatalf("code of an official account: %d, want 404", status)
	}
	getJSON(t, w.s.URL+"/shell/api/mplink?text=hello", 400, nil)
}

// A code whose address is too long for a QR code is refused (40159) and
// spends nothing of the lifetime cap.
func TestMPCodesTooLongSpendsNoCap(t *testing.T) {
	w := newCodesWorld(t)
	p := w.s.Server.P.Codes.Policy()
	p.CodeLifetimeCap = 1
	w.s.Server.P.Codes.SetPolicy(p)
	// 1,024 bytes of path that escape to three bytes each: within the
	// path limit, beyond what a QR code holds.
	long := "pages/a?q=" + strings.Repeat("%", 1014)
	if got := testserver.Errcode(w.json(t, "/wxa/getwxacode", w.token, map[string]any{"path": long})); got != 40159 {
		t.Fatalf("too long for a code: errcode %d, want 40159", got)
	}
	if n, err := w.s.Server.P.Codes.CodesMade(context.Background(), w.mp.AppID); err != nil || n != 0 {
		t.Fatalf("codes counted after a refused code = %d, %v; want 0", n, err)
	}
	w.code(t, "/wxa/getwxacode", map[string]any{"path": "pages/a"})
}
