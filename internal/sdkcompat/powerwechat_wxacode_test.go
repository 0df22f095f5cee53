package sdkcompat_test

import (
	"context"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/ArtisanCloud/PowerWeChat/v3/src/kernel/power"
	"github.com/ArtisanCloud/PowerWeChat/v3/src/miniProgram/urlLink/request"
	schemeRequest "github.com/ArtisanCloud/PowerWeChat/v3/src/miniProgram/urlScheme/request"

	"superapp/internal/testserver"
)

// PowerWeChat's wxaCode client returns the raw response (it sends
// line_color null when none is given); urlScheme, urlLink and shortLink
// decode WeChat's JSON. A cross-app query is refused.
func TestPowerWeChatWXACode(t *testing.T) {
	s := testserver.New(t)
	app := s.CreateApp(t, "miniprogram", "Shop")
	other := s.CreateApp(t, "miniprogram", "Other")
	releasedPages(s, app.AppID, "pages/index", "pages/item")
	mp := powerMiniProgram(t, s.Transport(), app)
	ctx := context.Background()

	body := func(rs interface {
		Close() error
		Read([]byte) (int, error)
	}) []byte {
		b, _ := io.ReadAll(rs)
		rs.Close()
		return b
	}
	rs, err := mp.WXACode.Get(ctx, "pages/item?id=5", 0, false, nil, false, "trial")
	if err != nil || rs.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("WXACode.Get: %v %v", err, rs)
	}
	if got := decodeCode(t, body(rs.Body)); !strings.HasSuffix(got, "?env=trial&path=pages%2Fitem%3Fid%3D5") {
		t.Fatalf("A code holds %q", got)
	}
	rs, err = mp.WXACode.GetUnlimited(ctx, "u=9", "pages/index", true, "", 0, true, &power.HashMap{"r": 0, "g": 0, "b": 0}, false)
	if err != nil || rs.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("WXACode.GetUnlimited: %v %v", err, rs)
	}
	u, _ := url.Parse(decodeCode(t, body(rs.Body)))
	if u.Query().Get("scene") != "u=9" {
		t.Fatalf("B code holds %s", u)
	}
	rs, err = mp.WXACode.CreateQRCode(ctx, "pages/index", 0)
	if err != nil || rs.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("WXACode.CreateQRCode: %v %v", err, rs)
	}
	body(rs.Body)
	rs, err = mp.WXACode.CreateQRCode(ctx, strings.Repeat("p", 129), 0)
	if err != nil || !strings.HasPrefix(rs.Header.Get("Content-Type"), "application/json") || !strings.Contains(string(body(rs.Body)), `"errcode":40159`) {
		t.Fatalf("CreateQRCode with a long path: %v %v", err, rs)
	}

	sch, err := mp.URLScheme.Generate(ctx, &schemeRequest.URLSchemeGenerate{JumpWxa: &schemeRequest.JumpWxa{Path: "pages/item", Query: "id=5"}, IsExpire: true, ExpireType: 1, ExpireInterval: 1})
	if err != nil || sch.ErrCode != 0 || !strings.HasPrefix(sch.OpenLink, "weixin://dl/business/?t=") {
		t.Fatalf("URLScheme.Generate = %+v, %v", sch, err)
	}
	// PowerWeChat's URL link sends no is_expire: the link lives 30 days.
	ul, err := mp.URLLink.Generate(ctx, &request.URLLinkGenerate{Path: "pages/index", Query: "x=1"})
	if err != nil || ul.ErrCode != 0 || !strings.HasPrefix(ul.URLLink, s.URL+"/wxaurl/") {
		t.Fatalf("URLLink.Generate = %+v, %v", ul, err)
	}
	sl, err := mp.ShortLink.Generate(ctx, "pages/item?id=5", "", true)
	if err != nil || sl.ErrCode != 0 || !strings.HasPrefix(sl.Link, "#小程序://Shop/") {
		t.Fatalf("ShortLink.Generate = %+v, %v", sl, err)
	}

	// The other mini program cannot read this one's links.
	tok := s.AccessToken(t, other)
	if m := s.Post(t, "/wxa/query_urllink?access_token="+tok, `{"url_link":"`+ul.URLLink+`"}`); testserver.Errcode(m) != 40097 {
		t.Fatalf("cross-app query_urllink = %v", m)
	}
	if m := s.Post(t, "/wxa/queryscheme?access_token="+tok, `{"scheme":"`+sch.OpenLink+`"}`); testserver.Errcode(m) != 40097 {
		t.Fatalf("cross-app queryscheme = %v", m)
	}
}
