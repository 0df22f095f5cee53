package wire_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"superapp/internal/officialaccount"
)

func TestMediaUploadAndGet(t *testing.T) {
	w := newPMWorld(t)
	ctx := context.Background()
	before := time.Now().Unix()

	for _, c := range []struct{ typ, name, ctype string }{
		{"image", "photo.png", "image/png"}, {"voice", "hello.amr", "audio/amr"}, {"video", "clip.mp4", "video/mp4"}, {"thumb", "cover.jpg", "image/jpeg"},
	} {
		data := pmFile(t, c.typ)
		m := w.upload(t, w.tok, c.typ, c.name, data)
		idKey := "media_id"
		if c.typ == "thumb" {
			idKey = "thumb_media_id"
			if _, ok := m["media_id"]; ok {
				t.Fatalf("a thumb upload answered media_id too: %v", m)
			}
		}
		id, _ := m[idKey].(string)
		created, _ := m["created_at"].(float64)
		if m["type"] != c.typ || len(id) < 32 || int64(created) < before {
			t.Fatalf("upload %s answered %v", c.typ, m)
		}
		// media/get: GET as documented, POST with the id in the query as
		// PowerWeChat sends it.
		for _, method := range []string{"GET", "POST"} {
			req, _ := http.NewRequest(method, w.s.URL+"/cgi-bin/media/get?access_token="+w.tok+"&media_id="+id, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if c.typ == "video" {
				var v struct {
					VideoURL string `json:"video_url"`
				}
				if err := json.Unmarshal(raw, &v); err != nil || !strings.HasSuffix(v.VideoURL, "/cgi-bin/media/video/"+id) {
					t.Fatalf("%s video: %s", method, raw)
				}
				// The link works without a token.
				vr, err := http.Get(v.VideoURL)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(vr.Body)
				vr.Body.Close()
				if vr.StatusCode != 200 || !bytes.Equal(body, data) || vr.Header.Get("Content-Type") != "video/mp4" {
					t.Fatalf("video_url answered %d %q", vr.StatusCode, vr.Header.Get("Content-Type"))
				}
				continue
			}
			if resp.StatusCode != 200 || !bytes.Equal(raw, data) || resp.Header.Get("Content-Type") != c.ctype ||
				resp.Header.Get("Content-Disposition") != `attachment; filename=`+c.name {
				t.Fatalf("%s %s: %d %q %q (%d bytes)", method, c.typ, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), len(raw))
			}
		}
		// The shell reads the same file.
		ctype, name, got, err := w.s.Server.P.OA.MediaContent(ctx, id)
		if err != nil || ctype != c.ctype || name != c.name || !bytes.Equal(got, data) {
			t.Fatalf("MediaContent(%s) = %q %q %d bytes, %v", c.typ, ctype, name, len(got), err)
		}
	}

	image := w.mediaID(t, w.tok, "image")
	pmCode(t, "another account's media", w.s.Get(t, "/cgi-bin/media/get?access_token="+w.tok2+"&media_id="+image), 40007)
	pmCode(t, "unknown media", w.s.Get(t, "/cgi-bin/media/get?access_token="+w.tok+"&media_id=nope"), 40007)
	pmCode(t, "no media_id", w.s.Get(t, "/cgi-bin/media/get?access_token="+w.tok), 41006)
	if r, err := http.Get(w.s.URL + "/cgi-bin/media/video/" + image); err != nil || r.StatusCode != 404 {
		t.Fatalf("an image through the video link: %v %v", r, err)
	}

	// Media lives Policy.MediaTTLHours; then it is gone, and Sweep removes it.
	w.exec(t, "UPDATE oa_media SET expires_at = ? WHERE media_id = ?", time.Now().Unix(), image)
	pmCode(t, "expired media", w.s.Get(t, "/cgi-bin/media/get?access_token="+w.tok+"&media_id="+image), 40007)
	if _, _, _, err := w.s.Server.P.OA.MediaContent(ctx, image); err != officialaccount.ErrMediaNotFound {
		t.Fatalf("expired MediaContent: %v", err)
	}
	var live, expires int64
	if err := w.s.Server.P.DB.QueryRow(ctx, "SELECT COUNT(*) FROM oa_media").Scan(&live); err != nil {
		t.Fatal(err)
	}
	if err := w.s.Server.P.DB.QueryRow(ctx, "SELECT expires_at - created_at FROM oa_media WHERE media_id <> ? LIMIT 1", image).Scan(&expires); err != nil || expires != 72*3600 {
		t.Fatalf("media lifetime %d s, %v", expires, err)
	}
	if err := w.s.Server.P.OA.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	var after int64
	w.s.Server.P.DB.QueryRow(ctx, "SELECT COUNT(*) FROM oa_media").Scan(&after)
	if after != live-1 {
		t.Fatalf("Sweep left %d of %d files, want %d", after, live, live-1)
	}
}

func TestMediaUploadRefusals(t *testing.T) {
	w := newPMWorld(t)
	ctx := context.Background()
	png := pmFile(t, "image")
	pmCode(t, "type missing", w.upload(t, w.tok, "", "a.png", png), 40004)
	pmCode(t, "type file", w.upload(t, w.tok, "file", "a.png", png), 40004)
	pmCode(t, "a .txt image", w.upload(t, w.tok, "image", "a.txt", png), 40005)
	pmCode(t, "a png thumb", w.upload(t, w.tok, "thumb", "a.png", png), 40005)
	pmCode(t, "text named .jpg", w.upload(t, w.tok, "image", "a.jpg", []byte("<html><script>alert(1)</script></html>")), 40005)
	pmCode(t, "an empty file", w.upload(t, w.tok, "image", "a.png", nil), 41005)
	big := append(pmFile(t, "thumb"), make([]byte, 64<<10)...)
	pmCode(t, "a thumb over 64 KB", w.upload(t, w.tok, "thumb", "a.jpg", big), 40006)
	pmCode(t, "voice over 2 MB", w.upload(t, w.tok, "voice", "a.mp3", make([]byte, 2<<20+1)), 40006)
	resp, err := http.Post(w.s.URL+"/cgi-bin/media/upload?access_token="+w.tok+"&type=image", "application/json", strings.NewReader(`{"media":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	resp.Body.Close()
	pmCode(t, "not multipart", m, 41005)
	var n int
	if err := w.s.Server.P.DB.QueryRow(ctx, "SELECT COUNT(*) FROM oa_media").Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d media stored by refused uploads, %v", n, err)
	}
}
