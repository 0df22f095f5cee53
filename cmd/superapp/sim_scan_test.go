package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"superapp/internal/testserver"
	"superapp/internal/wxacode"
)

// sim scan of a mini program code's picture (album, 1049), of its URL
// (camera, 1047), of a URL link (1194) and of an expired or foreign text.
func TestSimScanMiniProgramCodes(t *testing.T) {
	s := testserver.New(t)
	t.Setenv("SUPERAPP_OPERATOR_KEY", testserver.OperatorKey)
	mp := s.CreateApp(t, "miniprogram", "Shop")
	s.Server.P.Codes.SetReleases(func(_ context.Context, appid string) ([]string, error) {
		if appid == mp.AppID {
			return []string{"pages/index", "pages/item"}, nil
		}
		return nil, wxacode.ErrNotPublished
	})
	token := s.AccessToken(t, mp)
	resp, err := http.Post(s.URL+"/wxa/getwxacodeunlimit?access_token="+token, "application/json",
		strings.NewReader(`{"scene":"id=7&from=poster","page":"pages/item","env_version":"trial"}`))
	if err != nil {
		t.Fatal(err)
	}
	img, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("getwxacodeunlimit: %s", img)
	}
	file := filepath.Join(t.TempDir(), "code.jpg")
	if err := os.WriteFile(file, img, 0o600); err != nil {
		t.Fatal(err)
	}

	code, out, errs := cli(t, s, "sim", "scan", file, "--as", "nobody-needed")
	want := "appid: " + mp.AppID + "\npath: pages/item\nquery: {\"scene\":\"id%3D7%26from%3Dposter\"}\nscene: 1049\nenv: trial\nopen: " + s.URL + "/miniprogram/" + mp.AppID
	if code != 0 || !strings.HasPrefix(out, want) {
		t.Fatalf("sim scan FILE: exit %d\n%s%s\nwant prefix\n%s", code, out, errs, want)
	}
	codeURL := s.URL + "/mpcode/" + mp.AppID + "?path=pages%2Findex%3Fa%3D1"
	code, out, errs = cli(t, s, "sim", "scan", codeURL)
	if code != 0 || !strings.Contains(out, "path: pages/index\nquery: {\"a\":\"1\"}\nscene: 1047\nenv: release\n") {
		t.Fatalf("sim scan URL: exit %d\n%s%s", code, out, errs)
	}
	link := s.Post(t, "/wxa/generate_urllink?access_token="+token, `{"path":"pages/item","query":"sku=3"}`)
	code, out, errs = cli(t, s, "sim", "scan", "--url", link["url_link"].(string))
	if code != 0 || !strings.Contains(out, "query: {\"sku\":\"3\"}\nscene: 1194\n") {
		t.Fatalf("sim scan URL link: exit %d\n%s%s", code, out, errs)
	}
	code, _, errs = cli(t, s, "sim", "scan", s.URL+"/wxaurl/nosuchticket")
	if code != 1 || !strings.Contains(errs, "does not open any mini program") {
		t.Fatalf("sim scan of an unknown link: exit %d %s", code, errs)
	}
	code, _, errs = cli(t, s, "sim", "scan", "https://example.com/")
	if code != 2 || !strings.Contains(errs, "--as is required") {
		t.Fatalf("sim scan of another URL without --as: exit %d %s", code, errs)
	}
	code, _, errs = cli(t, s, "sim", "scan")
	if code != 2 || !strings.Contains(errs, "the code is required") {
		t.Fatalf("sim scan without a code: exit %d %s", code, errs)
	}
}
