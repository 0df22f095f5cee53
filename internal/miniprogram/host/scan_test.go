package host_test

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	qrencode "github.com/skip2/go-qrcode"

	"superapp/internal/miniprogram/host"
	"superapp/internal/shell"
)

func withDecoder(c *host.Config) { c.DecodeCode = shell.DecodeCode }

func qrPNG(t *testing.T, text string) string {
	t.Helper()
	png, err := qrencode.Encode(text, qrencode.Medium, 256)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(png)
}

func TestScanDecodesWithoutSideEffects(t *testing.T) {
	w := newWorld(t, withDecoder)
	srvHost := strings.TrimPrefix(w.srv.URL, "http://")
	cases := []struct{ text, path string }{
		{"hello, 扫码", ""},
		{"https://example.com/x?y=1", ""},
		// An official account's code: just its text, nothing is followed.
		{w.srv.URL + "/q/abcdef", ""},
		// This mini program's own link: WeChat adds the page path.
		{w.srv.URL + "/miniprogram/" + w.app.AppID + "?path=" + url.QueryEscape("pages/item/item?id=7") + "&scene=1011", "pages/item/item?id=7"},
		{"http://" + srvHost + "/miniprogram/" + w.app.AppID + "?path=pages/a/a&query=" + url.QueryEscape("k=v"), "pages/a/a?k=v"},
		// Another mini program's link, or another server's: text only.
		{w.srv.URL + "/miniprogram/wx1111111111111111?path=pages/a/a", ""},
		{"https://elsewhere.example/miniprogram/" + w.app.AppID + "?path=pages/a/a", ""},
	}
	for _, c := range cases {
		var ans host.ScanAnswer
		status, raw := w.shell(t, "POST", w.app.AppID+"/scan", map[string]string{"image": qrPNG(t, c.text)}, &ans)
		if status != 200 {
			t.Fatalf("%q: %d %s", c.text, status, raw)
		}
		if ans.Result != c.text || ans.ScanType != "QR_CODE" || ans.CharSet != "UTF-8" || ans.Path != c.path {
			t.Errorf("%q: %+v, want path %q", c.text, ans, c.path)
		}
		if raw, _ := base64.StdEncoding.DecodeString(ans.RawData); string(raw) != c.text {
			t.Errorf("%q: rawData %q", c.text, ans.RawData)
		}
	}
}

// barcodePNG draws text as a 1D code of format, with a quiet zone, in a
// larger white picture (as a camera frame or a photo has it).
func barcodePNG(t *testing.T, format gozxing.BarcodeFormat, text string) string {
	t.Helper()
	writers := map[gozxing.BarcodeFormat]gozxing.Writer{
		gozxing.BarcodeFormat_EAN_13:   oned.NewEAN13Writer(),
		gozxing.BarcodeFormat_CODE_128: oned.NewCode128Writer(),
	}
	m, err := writers[format].Encode(text, format, 300, 120, nil)
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewGray(image.Rect(0, 0, 400, 300))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y := 0; y < m.GetHeight(); y++ {
		for x := 0; x < m.GetWidth(); x++ {
			if m.Get(x, y) {
				img.SetGray(50+x, 90+y, color.Gray{})
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

// TestScanBarcodes: wx.scanCode reads product barcodes (barCode is in
// WeChat's default scanType) and answers their kind; a scanType without
// barCode does not read them, one without qrCode no QR code.
func TestScanBarcodes(t *testing.T) {
	w := newWorld(t, withDecoder)
	ean := barcodePNG(t, gozxing.BarcodeFormat_EAN_13, "6901234567892")
	code128 := barcodePNG(t, gozxing.BarcodeFormat_CODE_128, "SF1234567890")
	for _, c := range []struct {
		name, image string
		scanType    []string
		text, kind  string
	}{
		{"EAN-13, default scanType", ean, nil, "6901234567892", "EAN_13"},
		{"EAN-13, barCode", ean, []string{"barCode"}, "6901234567892", "EAN_13"},
		{"Code 128", code128, []string{"qrCode", "barCode"}, "SF1234567890", "CODE_128"},
		{"QR code, default scanType", qrPNG(t, "qr text"), nil, "qr text", "QR_CODE"},
	} {
		var ans host.ScanAnswer
		status, raw := w.shell(t, "POST", w.app.AppID+"/scan", map[string]any{"image": c.image, "scanType": c.scanType}, &ans)
		if status != 200 || ans.Result != c.text || ans.ScanType != c.kind || ans.Path != "" {
			t.Errorf("%s: %d %s", c.name, status, raw)
		}
	}
	for _, c := range []struct {
		name, image string
		scanType    []string
	}{
		{"EAN-13, qrCode only", ean, []string{"qrCode"}},
		{"QR code, barCode only", qrPNG(t, "qr text"), []string{"barCode"}},
	} {
		if status, raw := w.shell(t, "POST", w.app.AppID+"/scan", map[string]any{"image": c.image, "scanType": c.scanType}, nil); status != http.StatusUnprocessableEntity || !strings.Contains(raw, `"code":"no_code"`) {
			t.Errorf("%s: %d %s", c.name, status, raw)
		}
	}
}

// mustPNGWithoutCode is a plain white picture.
func mustPNGWithoutCode(t *testing.T) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 64, 64))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestScanRefusals(t *testing.T) {
	w := newWorld(t, withDecoder)
	blank := base64.StdEncoding.EncodeToString(mustPNGWithoutCode(t))
	for _, c := range []struct {
		name   string
		path   string
		body   any
		status int
		code   string
	}{
		{"no code", w.app.AppID + "/scan", map[string]string{"image": blank}, http.StatusUnprocessableEntity, "no_code"},
		{"unknown scanType", w.app.AppID + "/scan", map[string]any{"image": blank, "scanType": []string{"qrCode", "wxCode"}}, 400, "invalid_input"},
		{"not a picture", w.app.AppID + "/scan", map[string]string{"image": base64.StdEncoding.EncodeToString([]byte("text"))}, 400, "invalid_input"},
		{"not base64", w.app.AppID + "/scan", map[string]string{"image": "%%%"}, 400, "invalid_input"},
		{"no such app", "wx0000000000000000/scan", map[string]string{"image": blank}, 404, "not_found"},
	} {
		status, raw := w.shell(t, "POST", c.path, c.body, nil)
		if status != c.status || !strings.Contains(raw, `"code":"`+c.code+`"`) {
			t.Errorf("%s: %d %s", c.name, status, raw)
		}
	}
	// Signed out: the session cookie is what names the user.
	req, _ := http.NewRequest("POST", w.srv.URL+"/shell/api/mp/"+w.app.AppID+"/scan", strings.NewReader(`{"image":"`+blank+`"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("signed out: %d", resp.StatusCode)
	}
	// A server without a decoder says so.
	bare := newWorld(t)
	if status, raw := bare.shell(t, "POST", bare.app.AppID+"/scan", map[string]string{"image": blank}, nil); status != http.StatusServiceUnavailable {
		t.Fatalf("no decoder: %d %s", status, raw)
	}
}

func TestScanPathOfOwnCodes(t *testing.T) {
	const app = "wx0123456789abcdef"
	for text, want := range map[string]string{
		"http://sa.test/miniprogram/" + app + "?path=pages/a/a&query=x%3D1":             "pages/a/a?x=1",
		"http://sa.test/mpcode/" + app + "?path=pages/item/item%3Fid%3D7":               "pages/item/item?id=7",
		"http://sa.test/mpcode/" + app + "?page=pages/index/index&scene=id%3D7%26u%3Dx": "pages/index/index?scene=id%3D7%26u%3Dx",
		"http://sa.test/mpcode/wx00000000000000ff?path=pages/a/a":                       "", // another app's code
		"http://elsewhere.test/mpcode/" + app + "?path=pages/a/a":                       "", // another server
		"http://sa.test/mpcode/" + app + "?scene=only":                                  "",
	} {
		if got := host.OwnPagePath(text, "sa.test", app); got != want {
			t.Errorf("%s: path %q, want %q", text, got, want)
		}
	}
}
