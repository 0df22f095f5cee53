package wire_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"superapp/internal/wire"
)

// FuzzDecodeJSON: UnmarshalJSON of any bytes into the shapes of the wire
// request structs never panics and fails only with ErrDataFormat itself;
// bodies that are JSON values decode into `any`, others are 47001.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{"", "null", "{}", " \n\t", `{"grant_type":"client_credential","appid":"wx1","secret":"s","force_refresh":false}`,
		`{"force_refresh":"yes"}`, `{"appid":123}`, `{"appid":`, `[]`, `"x"`, `{"a":1}x`, `{"code":"c","openid":"o","extra":[1,{"b":null}]}`,
		`{"cgi_path":"/cgi-bin/token"}`, "\xef\xbb\xbf{}", `{"appid":"\u0000\ud800"}`, `nul`, `{"force_refresh":1e999}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var stable struct {
			GrantType    string `json:"grant_type"`
			AppID        string `json:"appid"`
			Secret       string `json:"secret"`
			ForceRefresh bool   `json:"force_refresh"`
		}
		var phone struct {
			Code   string `json:"code"`
			OpenID string `json:"openid"`
		}
		var nested struct {
			Count int64             `json:"count"`
			List  []string          `json:"list"`
			Map   map[string]string `json:"map"`
			Any   any               `json:"any"`
		}
		var anything any
		for _, v := range []any{&stable, &phone, &nested, &anything} {
			if err := wire.UnmarshalJSON(body, v); err != nil && err != wire.ErrDataFormat {
				t.Fatalf("UnmarshalJSON(%q) = %v, want nil or ErrDataFormat", body, err)
			}
		}
		// Against encoding/json itself: an empty body is accepted, anything
		// else exactly when encoding/json accepts it.
		err := wire.UnmarshalJSON(body, new(any))
		trimmed := bytes.TrimSpace(body)
		ok := len(trimmed) == 0 || json.Unmarshal(trimmed, new(any)) == nil
		switch {
		case ok && err != nil:
			t.Fatalf("JSON %q refused: %v", body, err)
		case !ok && err != wire.ErrDataFormat:
			t.Fatalf("invalid JSON %q: %v, want ErrDataFormat", body, err)
		}
		// Through an HTTP request: the same answers, and the body limit.
		r := httptest.NewRequest("POST", "/", bytes.NewReader(body))
		if err2 := wire.DecodeJSON(r, new(any)); !errors.Is(err2, err) && err2 != err {
			t.Fatalf("DecodeJSON(%q) = %v, UnmarshalJSON = %v", body, err2, err)
		}
	})
}

// fuzzPaths are the wire paths FuzzWireRequest picks from.
var fuzzPaths = []string{
	"/cgi-bin/token", "/cgi-bin/stable_token", "/cgi-bin/openapi/quota/get", "/cgi-bin/clear_quota", "/cgi-bin/clear_quota/v2",
	"/cgi-bin/getcallbackip", "/cgi-bin/get_api_domain_ip", "/cgi-bin/account/getaccountbasicinfo",
	"/sns/jscode2session", "/wxa/checksession", "/wxa/resetusersessionkey", "/wxa/business/getuserphonenumber",
	"/sns/oauth2/access_token", "/sns/oauth2/refresh_token", "/sns/userinfo", "/sns/auth", "/cgi-bin/ticket/getticket",
	"/cgi-bin/nonexistent", "/sns/", "/wxa/x", "/datacube/x", "/customservice/x", "/wxaapi/x",
	// Official accounts (showqrcode and media/video answer images and
	// redirects by design, so they are not here).
	"/cgi-bin/user/get", "/cgi-bin/user/info", "/cgi-bin/user/info/batchget", "/cgi-bin/user/info/updateremark",
	"/cgi-bin/tags/create", "/cgi-bin/tags/get", "/cgi-bin/tags/update", "/cgi-bin/tags/delete", "/cgi-bin/user/tag/get",
	"/cgi-bin/tags/members/batchtagging", "/cgi-bin/tags/members/batchuntagging", "/cgi-bin/tags/getidlist",
	"/cgi-bin/tags/members/getblacklist", "/cgi-bin/tags/members/batchblacklist", "/cgi-bin/tags/members/batchunblacklist",
	"/cgi-bin/qrcode/create", "/cgi-bin/menu/create", "/cgi-bin/menu/get", "/cgi-bin/menu/delete", "/cgi-bin/menu/addconditional",
	"/cgi-bin/menu/delconditional", "/cgi-bin/menu/trymatch", "/cgi-bin/get_current_selfmenu_info", "/cgi-bin/get_current_autoreply_info",
	"/cgi-bin/message/custom/send", "/cgi-bin/message/custom/typing", "/cgi-bin/template/api_set_industry", "/cgi-bin/template/get_industry",
	"/cgi-bin/template/api_add_template", "/cgi-bin/template/get_all_private_template", "/cgi-bin/template/del_private_template",
	"/cgi-bin/message/template/send", "/cgi-bin/message/mass/sendall", "/cgi-bin/message/mass/send", "/cgi-bin/message/mass/preview",
	"/cgi-bin/message/mass/get", "/cgi-bin/message/mass/delete", "/cgi-bin/media/upload", "/cgi-bin/media/get",
}

var (
	fuzzMethods      = []string{"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "get"}
	fuzzContentTypes = []string{"", "application/json", "application/json;charset=utf-8", "application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"}
)

// FuzzWireRequest sends arbitrary query strings and bodies to every wire
// path of a running platform. Every answer must be HTTP 200 with WeChat's
// JSON content type and a JSON object; an error must carry a numeric errcode
// (never -1, which would be an unexpected internal failure) and an errmsg
// ending in a rid. {placeholders} in seeds become real appids, secrets,
// tokens and openids, so the fuzzer also reaches past authentication.
func FuzzWireRequest(f *testing.F) {
	fx := newFixture(f)
	pathIndex := map[string]uint8{}
	for i, p := range fuzzPaths {
		pathIndex[p] = uint8(i)
	}
	for _, c := range allWireCases() {
		if strings.Contains(c.body, "{huge}") {
			continue
		}
		u, err := url.Parse(strings.NewReplacer("{", "", "}", "").Replace(c.target))
		if err != nil {
			continue
		}
		i, ok := pathIndex[u.Path]
		if !ok {
			continue
		}
		m := uint8(0)
		if c.method == "POST" {
			m = 1
		}
		ct := uint8(1)
		if c.ctype == "application/x-www-form-urlencoded" {
			ct = 3
		}
		_, q, _ := strings.Cut(c.target, "?")
		f.Add(i, m, ct, q, c.body)
	}
	handler := fx.s.Server.Handler()
	f.Fuzz(func(t *testing.T, path, method, ctype uint8, query, body string) {
		p := fuzzPaths[int(path)%len(fuzzPaths)]
		req := &http.Request{
			Method:     fuzzMethods[int(method)%len(fuzzMethods)],
			URL:        &url.URL{Path: p, RawQuery: fx.expand(query, nil)},
			Proto:      "HTTP/1.1",
			ProtoMajor: 1, ProtoMinor: 1,
			Header:     http.Header{},
			Host:       "api.weixin.qq.com",
			RemoteAddr: "127.0.0.1:40000",
			RequestURI: p,
		}
		if body != "" {
			b := fx.expand(body, nil)
			req.Body = io.NopCloser(strings.NewReader(b))
			req.ContentLength = int64(len(b))
		} else {
			req.Body = http.NoBody
		}
		if ct := fuzzContentTypes[int(ctype)%len(fuzzContentTypes)]; ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		res := rec.Result()
		raw := rec.Body.Bytes()
		if res.StatusCode != 200 {
			t.Fatalf("%s %s?%s: HTTP %d: %s", req.Method, p, query, res.StatusCode, raw)
		}
		if ct := res.Header.Get("Content-Type"); ct != "application/json; encoding=utf-8" {
			t.Fatalf("%s %s?%s: Content-Type %q", req.Method, p, query, ct)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s %s?%s: not a JSON object: %q", req.Method, p, query, raw)
		}
		ec, has := m["errcode"]
		if !has {
			if len(m) == 0 || m["errmsg"] != nil {
				t.Fatalf("%s %s?%s: answer without errcode is not a success body: %s", req.Method, p, query, raw)
			}
			return
		}
		code, ok := ec.(float64)
		if !ok {
			t.Fatalf("errcode is not a number: %s", raw)
		}
		msg, _ := m["errmsg"].(string)
		if code == -1 {
			t.Fatalf("%s %s?%s body %q: system error (an unexpected internal failure): %s", req.Method, p, query, body, raw)
		}
		if code != 0 && !ridPattern.MatchString(msg) {
			t.Fatalf("errmsg %q does not end in a rid", msg)
		}
	})
}
