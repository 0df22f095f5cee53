package wire_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	_ "image/png"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"superapp/internal/testserver"
)

// fetchQR GETs a URL of the test server with an optional Host header and
// X-Forwarded-Proto, returning status, content type and body.
func fetchQR(t *testing.T, rawURL, host, proto string) (int, string, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	if proto != "" {
		req.Header.Set("X-Forwarded-Proto", proto)
		req.Header.Set("X-Forwarded-For", "203.0.113.7")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), raw
}

func TestQRCodeCreateAndShow(t *testing.T) {
	w := newFollowerWorld(t, 0)
	host := strings.TrimPrefix(w.s.URL, "http://")

	tmp := w.post(t, "/cgi-bin/qrcode/create", map[string]any{"expire_seconds": 604800, "action_name": "QR_SCENE", "action_info": map[string]any{"scene": map[string]any{"scene_id": 123}}})
	ticket, _ := tmp["ticket"].(string)
	link, _ := tmp["url"].(string)
	if sortedKeys(tmp) != "expire_seconds,ticket,url" || tmp["expire_seconds"] != float64(604800) || !strings.HasPrefix(link, "http://"+host+"/q/") {
		t.Fatalf("qrcode/create QR_SCENE = %v", tmp)
	}
	def := w.post(t, "/cgi-bin/qrcode/create", map[string]any{"action_name": "QR_STR_SCENE", "action_info": map[string]any{"scene": map[string]any{"scene_str": "poster"}}})
	if def["expire_seconds"] != float64(60) {
		t.Fatalf("temporary code without expire_seconds = %v, want WeChat's default 60", def)
	}
	perm := w.post(t, "/cgi-bin/qrcode/create", map[string]any{"action_name": "QR_LIMIT_STR_SCENE", "action_info": map[string]any{"scene": map[string]any{"scene_str": "shop"}}})
	if sortedKeys(perm) != "ticket,url" {
		t.Fatalf("permanent code = %v, want no expire_seconds", perm)
	}
	if again := w.post(t, "/cgi-bin/qrcode/create", map[string]any{"action_name": "QR_LIMIT_STR_SCENE", "action_info": map[string]any{"scene": map[string]any{"scene_str": "shop"}}}); again["ticket"] != perm["ticket"] || again["url"] != perm["url"] {
		t.Fatalf("the same permanent scene again = %v, want %v", again, perm)
	}

	// The image: a PNG at WeChat's size, for the ticket escaped or not.
	for _, q := range []string{url.QueryEscape(ticket), ticket} {
		status, ctype, png := fetchQR(t, w.s.URL+"/cgi-bin/showqrcode?ticket="+q, "", "")
		if status != 200 || ctype != "image/png" {
			t.Fatalf("showqrcode = %d %s %q", status, ctype, png)
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(png))
		if err != nil || format != "png" || cfg.Width != 430 || cfg.Height != 430 {
			t.Fatalf("showqrcode image: %v %s %dx%d", err, format, cfg.Width, cfg.Height)
		}
	}
	// Unknown and expired tickets are HTTP 404, as on WeChat.
	if status, _, _ := fetchQR(t, w.s.URL+"/cgi-bin/showqrcode?ticket=gQnothing", "", ""); status != 404 {
		t.Fatalf("unknown ticket: HTTP %d", status)
	}
	if status, _, _ := fetchQR(t, w.s.URL+"/cgi-bin/showqrcode", "", ""); status != 404 {
		t.Fatalf("no ticket: HTTP %d", status)
	}
	if _, err := w.s.Server.P.DB.Exec(context.Background(), "UPDATE oa_qrcodes SET expires_at = 1 WHERE ticket = ?", ticket); err != nil {
		t.Fatal(err)
	}
	if status, _, body := fetchQR(t, w.s.URL+"/cgi-bin/showqrcode?ticket="+ticket, "", ""); status != 404 || !strings.Contains(string(body), "expired") {
		t.Fatalf("expired ticket: HTTP %d %s", status, body)
	}
	if status, _, _ := fetchQR(t, w.s.URL+"/cgi-bin/showqrcode?ticket="+url.QueryEscape(perm["ticket"].(string)), "", ""); status != 200 {
		t.Fatalf("permanent code's image: HTTP %d", status)
	}
}

// The code's URL is this server as the creator reached it: its Host, and
// HTTPS only when a trusted proxy says so.
func TestQRCodeURLFollowsTheRequest(t *testing.T) {
	body := `{"action_name":"QR_LIMIT_SCENE","action_info":{"scene":{"scene_id":1}}}`
	create := func(s *testserver.Server, tok, host, proto string) string {
		req, _ := http.NewRequest("POST", s.URL+"/cgi-bin/qrcode/create?access_token="+tok, strings.NewReader(body))
		req.Host = host
		if proto != "" {
			req.Header.Set("X-Forwarded-Proto", proto)
			req.Header.Set("X-Forwarded-For", "203.0.113.7")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var m struct{ URL string }
		if err := json.Unmarshal(raw, &m); err != nil || m.URL == "" {
			t.Fatalf("qrcode/create = %s", raw)
		}
		return m.URL
	}
	direct := testserver.New(t)
	app := direct.CreateApp(t, "subscription", "Blog")
	if u := create(direct, direct.AccessToken(t, app), "qr.example.com", "https"); !strings.HasPrefix(u, "http://qr.example.com/q/") {
		t.Fatalf("without a trusted proxy: %s, want http and the Host header", u)
	}
	proxied := testserver.New(t, testserver.BehindProxy())
	app = proxied.CreateApp(t, "subscription", "Blog")
	if u := create(proxied, proxied.AccessToken(t, app), "wx.example.com", "https"); !strings.HasPrefix(u, "https://wx.example.com/q/") {
		t.Fatalf("behind a trusted proxy: %s, want https", u)
	}
}
