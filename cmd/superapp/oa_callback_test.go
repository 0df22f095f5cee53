package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"superapp/internal/testserver"
)

func TestCallbackCommands(t *testing.T) {
	s := testserver.New(t, testserver.Dev())
	t.Setenv("SUPERAPP_OPERATOR_KEY", testserver.OperatorKey)
	app := s.CreateApp(t, "service", "News")
	dev := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.URL.Query().Get("echostr"))
	}))
	defer dev.Close()
	key := strings.Repeat("k", 43)

	code, out, errs := cli(t, s, "app", "callback", "set", "--appid", app.AppID, "--url", dev.URL+"/wx", "--token", "tok123", "--aes-key", key)
	var view map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &view) != nil || view["mode"] != "safe" || view["encoding_aes_key_set"] != true {
		t.Fatalf("set: %d %s %s", code, out, errs)
	}
	code, out, _ = cli(t, s, "app", "callback", "show", "--appid", app.AppID)
	if code != 0 || !strings.Contains(out, dev.URL+"/wx") || strings.Contains(out, "tok123") || strings.Contains(out, key) {
		t.Fatalf("show: %d %s", code, out)
	}
	code, _, errs = cli(t, s, "app", "callback", "set", "--appid", app.AppID, "--url", dev.URL, "--token", "tok123", "--mode", "compatible")
	if code != 2 || !strings.Contains(errs, "encoding_aes_key") {
		t.Fatalf("set without a key in compatible mode: %d %s", code, errs)
	}
	code, _, errs = cli(t, s, "app", "callback", "set", "--appid", app.AppID, "--url", dev.URL)
	if code != 2 || !strings.Contains(errs, "--token is required") {
		t.Fatalf("set without a token: %d %s", code, errs)
	}
	code, out, _ = cli(t, s, "app", "callback", "clear", "--appid", app.AppID)
	if code != 0 || !strings.Contains(out, `"cleared":true`) {
		t.Fatalf("clear: %d %s", code, out)
	}
	code, _, errs = cli(t, s, "app", "callback", "show", "--appid", app.AppID)
	if code != 1 || !strings.Contains(errs, "no developer server") {
		t.Fatalf("show after clear: %d %s", code, errs)
	}
}
