package sdkcompat_test

import (
	"bytes"
	"context"
	"image/jpeg"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/silenceper/wechat/v2/miniprogram/qrcode"
	"github.com/silenceper/wechat/v2/miniprogram/urllink"
	"github.com/silenceper/wechat/v2/miniprogram/urlscheme"

	"superapp/internal/shell"
	"superapp/internal/testserver"
	"superapp/internal/wxacode"
)

// releasedPages stands in for the release service: app's online version
// has pages.
func releasedPages(s *testserver.Server, appid string, pages ...string) {
	s.Server.P.Codes.SetReleases(func(_ context.Context, id string) ([]string, error) {
		if id == appid {
			return pages, nil
		}
		return nil, wxacode.ErrNotPublished
	})
}

// decodeCode reads the text of a mini program code (JPEG) with gozxing
// and, when installed, zbarimg.
func decodeCode(t *testing.T, img []byte) string {
	t.Helper()
	pic, err := jpeg.Decode(bytes.NewReader(img))
	if err != nil {
		t.Fatalf("the code is not a JPEG: %v", err)
	}
	text, err := shell.DecodeQR(pic)
	if err != nil {
		t.Fatalf("gozxing cannot read the code: %v", err)
	}
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("zbarimg is required under CI (Debian's zbar-tools)")
		}
		return text
	}
	file := filepath.Join(t.TempDir(), "code.jpg")
	if err := os.WriteFile(file, img, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(zbar, "--raw", "-q", file).Output()
	if err != nil {
		t.Fatalf("zbarimg cannot read the code: %v", err)
	}
	if got := strings.TrimRight(string(out), "\n"); got != text {
		t.Fatalf("zbarimg read %q, gozxing %q", got, text)
	}
	return text
}

// silenceper's qrcode client accepts a code only as image/jpeg and an
// error only as application/json…; its urlscheme, urllink and shortlink
// clients round-trip.
func TestSilenceperWXACode(t *testing.T) {
	s := testserver.New(t)
	app := s.CreateApp(t, "miniprogram", "Shop")
	releasedPages(s, app.AppID, "pages/index", "pages/item")
	mp := silenceperMP(silenceper(t, s.Transport()), app)
	qr := mp.GetQRCode()

	img, err := qr.GetWXACode(qrcode.QRCoder{Path: "pages/item?id=3", Width: 320, LineColor: &qrcode.Color{R: "10", G: "20", B: "30"}})
	if err != nil {
		t.Fatalf("GetWXACode: %v", err)
	}
	if got := decodeCode(t, img); !strings.HasSuffix(got, "/mpcode/"+app.AppID+"?path=pages%2Fitem%3Fid%3D3") {
		t.Fatalf("A code holds %q", got)
	}
	img, err = qr.GetWXACodeUnlimit(qrcode.QRCoder{Page: "pages/item", Scene: "id=3", EnvVersion: "release"})
	if err != nil {
		t.Fatalf("GetWXACodeUnlimit: %v", err)
	}
	u, _ := url.Parse(decodeCode(t, img))
	if u.Query().Get("scene") != "id=3" || u.Query().Get("page") != "pages/item" {
		t.Fatalf("B code holds %s", u)
	}
	if img, err = qr.CreateWXAQRCode(qrcode.QRCoder{Path: "pages/index"}); err != nil || !strings.Contains(decodeCode(t, img), "path=pages%2Findex") {
		t.Fatalf("CreateWXAQRCode: %v", err)
	}
	// Errors come back as errors carrying WeChat's errcode.
	f := false
	if _, err := qr.GetWXACodeUnlimit(qrcode.QRCoder{Page: "pages/nope", Scene: "x"}); err == nil || !strings.Contains(err.Error(), "errcode=41030") {
		t.Fatalf("B code of an unreleased page: %v", err)
	}
	if _, err := qr.GetWXACodeUnlimit(qrcode.QRCoder{Page: "pages/nope", Scene: "x", CheckPath: &f}); err != nil {
		t.Fatalf("B code with check_path false: %v", err)
	}
	if _, err := qr.GetWXACodeUnlimit(qrcode.QRCoder{Scene: strings.Repeat("x", 33)}); err == nil || !strings.Contains(err.Error(), "errcode=40169") {
		t.Fatalf("long scene: %v", err)
	}

	link, err := mp.GetSURLScheme().Generate(&urlscheme.USParams{JumpWxa: &urlscheme.JumpWxa{Path: "pages/item", Query: "id=3"},
		IsExpire: true, ExpireType: urlscheme.ExpireTypeInterval, ExpireInterval: 7})
	if err != nil || !strings.HasPrefix(link, "weixin://dl/business/?t=") {
		t.Fatalf("URLScheme.Generate = %q, %v", link, err)
	}
	info, _, err := mp.GetSURLScheme().QueryScheme(urlscheme.QueryScheme{Scheme: link})
	if err != nil || info.AppID != app.AppID || info.Path != "pages/item" || info.Query != "id=3" || info.ExpireTime-info.CreateTime != 7*86400 {
		t.Fatalf("QueryScheme = %+v, %v", info, err)
	}

	ul, err := mp.GetURLLink().Generate(&urllink.ULParams{Path: "pages/index", Query: "a=1"})
	if err != nil || !strings.HasPrefix(ul, s.URL+"/wxaurl/") {
		t.Fatalf("URLLink.Generate = %q, %v", ul, err)
	}
	res, err := mp.GetURLLink().Query(ul)
	if err != nil || res.URLLinkInfo.Appid != app.AppID || res.URLLinkInfo.Query != "a=1" || res.URLLinkInfo.EnvVersion != "release" {
		t.Fatalf("URLLink.Query = %+v, %v", res, err)
	}
	if _, err := mp.GetURLLink().Generate(&urllink.ULParams{Path: "pages/gone"}); err == nil || !strings.Contains(err.Error(), "40165") {
		t.Fatalf("URL link to an unreleased page: %v", err)
	}

	short, err := mp.GetShortLink().GenerateShortLinkTemp("pages/item?id=3", "Item")
	if err != nil || !strings.HasPrefix(short, "#小程序://Shop/Item/") {
		t.Fatalf("GenerateShortLinkTemp = %q, %v", short, err)
	}
	if _, err := mp.GetShortLink().GenerateShortLinkPermanent("pages/none", ""); err == nil || !strings.Contains(err.Error(), "40066") {
		t.Fatalf("short link to an unreleased page: %v", err)
	}
}
