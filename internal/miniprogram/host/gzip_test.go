package host_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"

	"superapp/internal/miniprogram/host"
)

func gunzip(t *testing.T, body string) string {
	t.Helper()
	zr, err := gzip.NewReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPackageTextFilesAreServedGzippedToThoseWhoAcceptIt(t *testing.T) {
	w := newWorld(t)
	service := "define(\"a.js\", function (require, module, exports) {\n" + strings.Repeat("module.exports.list.push({ title: 'item', price: 100 });\n", 200) + "});"
	png := "\x89PNG" + strings.Repeat("\x00\x01", 1000)
	w.publish(t, map[string]string{"service.js": service, "images/a.png": png, "small.js": "x"})
	h := host.HashOf([]byte(service))
	url := w.srv.URL + "/mp/pkg/" + h + "?n=service.js"

	for round := 0; round < 2; round++ { // the second from the compressed cache
		resp, body := get(t, url, "Accept-Encoding", "gzip, deflate, br")
		if resp.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("round %d: Content-Encoding %q, want gzip", round, resp.Header.Get("Content-Encoding"))
		}
		if len(body) >= len(service)/4 {
			t.Errorf("round %d: %d bytes gzipped for %d", round, len(body), len(service))
		}
		if got := gunzip(t, body); got != service {
			t.Fatalf("round %d: inflated body differs (%d bytes, want %d)", round, len(got), len(service))
		}
		if resp.Header.Get("Vary") != "Accept-Encoding" || resp.Header.Get("Content-Type") != "text/javascript; charset=utf-8" {
			t.Errorf("round %d: Vary %q, Content-Type %q", round, resp.Header.Get("Vary"), resp.Header.Get("Content-Type"))
		}
		if resp.Header.Get("ETag") == `"`+h+`"` {
			t.Error("the gzipped representation needs its own ETag")
		}
	}

	// Not accepted, or refused with q=0: the plain bytes.
	for _, ae := range []string{"", "identity", "gzip;q=0, br"} {
		resp, body := get(t, url, "Accept-Encoding", ae)
		if resp.Header.Get("Content-Encoding") != "" || body != service {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, %d bytes", ae, resp.Header.Get("Content-Encoding"), len(body))
		}
		if resp.Header.Get("ETag") != `"`+h+`"` || resp.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("Accept-Encoding %q: ETag %q, Vary %q", ae, resp.Header.Get("ETag"), resp.Header.Get("Vary"))
		}
	}

	// Images (compressed already) and tiny files go as they are.
	for name, data := range map[string]string{"images/a.png": png, "small.js": "x"} {
		resp, body := get(t, w.srv.URL+"/mp/pkg/"+host.HashOf([]byte(data))+"?n="+name, "Accept-Encoding", "gzip")
		if resp.Header.Get("Content-Encoding") != "" || !bytes.Equal([]byte(body), []byte(data)) {
			t.Errorf("%s: Content-Encoding %q, body %d bytes", name, resp.Header.Get("Content-Encoding"), len(body))
		}
	}
}
