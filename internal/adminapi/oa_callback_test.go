package adminapi_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"superapp/internal/testserver"
)

type callbackProblem struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

// echoServer answers WeChat's URL verification as a developer server does
// (or, with wrong set, not) and counts the verifications.
func echoServer(t *testing.T, wrong *atomic.Bool) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if wrong != nil && wrong.Load() {
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, "token mismatch")
			return
		}
		io.WriteString(w, r.URL.Query().Get("echostr"))
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

const aesKey = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"

func TestCallbackAdminAPI(t *testing.T) {
	s := testserver.New(t, testserver.Dev())
	oa := s.CreateApp(t, "service", "News")
	mp := s.CreateApp(t, "miniprogram", "Shop")
	var wrong atomic.Bool
	dev, hits := echoServer(t, &wrong)
	path := "/admin/v1/apps/" + oa.AppID + "/callback"

	if code, _ := s.Do(t, "GET", path, nil); code != http.StatusNotFound {
		t.Fatalf("GET before any setting: %d", code)
	}
	var view map[string]any
	s.Call(t, "PUT", path, map[string]string{"url": dev.URL + "/wx", "token": "tok123", "encoding_aes_key": aesKey, "mode": "safe"}, &view)
	if hits.Load() != 1 || view["url"] != dev.URL+"/wx" || view["mode"] != "safe" || view["token_set"] != true || view["encoding_aes_key_set"] != true || view["previous_aes_key_kept"] != false {
		t.Fatalf("PUT answered %v after %d verifications", view, hits.Load())
	}
	s.Call(t, "GET", path, nil, &view)
	raw, _ := json.Marshal(view)
	if view["mode"] != "safe" || strings.Contains(string(raw), "tok123") || strings.Contains(string(raw), aesKey) {
		t.Fatalf("GET shows %s", raw)
	}
	// A new key keeps the old one for decrypting replies; the default mode
	// with a key is safe.
	newKey := strings.Repeat("B", 43)
	s.Call(t, "PUT", path, map[string]string{"url": dev.URL + "/wx", "token": "tok123", "encoding_aes_key": newKey}, &view)
	if view["mode"] != "safe" || view["previous_aes_key_kept"] != true {
		t.Fatalf("after a key change: %v", view)
	}

	refused := func(p string, body any, status int, code, field, msg string) {
		t.Helper()
		st, raw := s.Do(t, "PUT", p, body)
		var pb callbackProblem
		json.Unmarshal(raw, &pb)
		if st != status || pb.Error.Code != code || pb.Error.Field != field || !strings.Contains(pb.Error.Message, msg) {
			t.Fatalf("PUT %v: %d %s; want %d %s on %s with %q", body, st, raw, status, code, field, msg)
		}
	}
	refused(path, map[string]string{"url": dev.URL, "token": "t"}, 400, "invalid_input", "token", "3–32 letters or digits")
	refused(path, map[string]string{"url": dev.URL, "token": "tok123", "mode": "safe"}, 400, "invalid_input", "encoding_aes_key", "required in safe mode")
	refused(path, map[string]string{"url": dev.URL, "token": "tok123", "encoding_aes_key": "short"}, 400, "invalid_input", "encoding_aes_key", "exactly 43")
	refused(path, map[string]string{"url": "mailto:x@example.com", "token": "tok123"}, 400, "invalid_input", "url", "absolute http")
	refused(path, map[string]string{"url": dev.URL, "token": "tok123", "mode": "fancy"}, 400, "invalid_input", "mode", "plain, compatible or safe")
	refused(path, map[string]any{"url": dev.URL, "token": "tok123", "extra": 1}, 400, "invalid_input", "body", "unknown field")
	// A mini program has a developer server too (audit results, message pushes).
	if code, body := s.Do(t, "PUT", "/admin/v1/apps/"+mp.AppID+"/callback", map[string]string{"url": dev.URL, "token": "tok123"}); code != 200 {
		t.Fatalf("a mini program's developer server: %d %s", code, body)
	}
	refused("/admin/v1/apps/wx0000000000000000/callback", map[string]string{"url": dev.URL, "token": "tok123"}, 404, "not_found", "", "")
	wrong.Store(true)
	refused(path, map[string]string{"url": dev.URL + "/other", "token": "tok456"}, 422, "url_verification_failed", "url", `HTTP 403 ("token mismatch")`)
	wrong.Store(false)
	// Nothing changed by the refusals.
	s.Call(t, "GET", path, nil, &view)
	if view["url"] != dev.URL+"/wx" || view["mode"] != "safe" {
		t.Fatalf("a refused PUT changed the setting: %v", view)
	}

	var cleared map[string]any
	s.Call(t, "DELETE", path, nil, &cleared)
	if cleared["cleared"] != true {
		t.Fatalf("DELETE: %v", cleared)
	}
	if code, _ := s.Do(t, "GET", path, nil); code != http.StatusNotFound {
		t.Fatalf("GET after DELETE: %d", code)
	}
	s.Call(t, "DELETE", path, nil, &cleared)
	if cleared["cleared"] != false {
		t.Fatalf("second DELETE: %v", cleared)
	}
}

// Outside dev mode, loopback targets are refused (by address and by name)
// before any request is made; dev mode allows them.
func TestCallbackSSRFDefaults(t *testing.T) {
	prod := testserver.New(t)
	app := prod.CreateApp(t, "subscription", "Blog")
	dev, hits := echoServer(t, nil)
	port := dev.Listener.Addr().(*net.TCPAddr).Port
	for _, u := range []string{dev.URL, fmt.Sprintf("http://localhost:%d/", port)} {
		st, raw := prod.Do(t, "PUT", "/admin/v1/apps/"+app.AppID+"/callback", map[string]string{"url": u, "token": "tok123"})
		var pb callbackProblem
		json.Unmarshal(raw, &pb)
		if st != 400 || pb.Error.Field != "url" || !strings.Contains(pb.Error.Message, "loopback") || !strings.Contains(pb.Error.Message, "allow_private") {
			t.Fatalf("non-dev PUT %s: %d %s", u, st, raw)
		}
	}
	if hits.Load() != 0 {
		t.Fatal("a refused target was contacted")
	}

	devServer := testserver.New(t, testserver.Dev())
	app2 := devServer.CreateApp(t, "subscription", "Blog")
	var view map[string]any
	devServer.Call(t, "PUT", "/admin/v1/apps/"+app2.AppID+"/callback", map[string]string{"url": fmt.Sprintf("http://localhost:%d/", port), "token": "tok123"}, &view)
	if view["mode"] != "plain" || view["allow_private_addresses"] != true || hits.Load() != 1 {
		t.Fatalf("dev PUT: %v, %d verifications", view, hits.Load())
	}
}
