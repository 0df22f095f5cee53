package httpjson

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCheckWriteRefusesOtherSitesAndNonJSON(t *testing.T) {
	for _, c := range []struct {
		contentType, origin, fetchSite string
		code                           string
	}{
		{"application/json", "", "", ""},
		{"application/json; charset=utf-8", "http://example.test", "same-origin", ""},
		{"text/plain", "", "", "unsupported_media_type"},
		{"application/json", "https://evil.example", "", "cross_origin"},
		{"application/json", "", "cross-site", "cross_origin"},
	} {
		r := httptest.NewRequest("POST", "http://example.test/api", nil)
		r.Header.Set("Content-Type", c.contentType)
		if c.origin != "" {
			r.Header.Set("Origin", c.origin)
		}
		if c.fetchSite != "" {
			r.Header.Set("Sec-Fetch-Site", c.fetchSite)
		}
		err := CheckWrite(r)
		var e *Error
		if c.code == "" && err != nil || c.code != "" && (!errors.As(err, &e) || e.Code != c.code) {
			t.Errorf("%+v: %v", c, err)
		}
	}
}

func TestDecodeLimitsAndStrictness(t *testing.T) {
	var v struct{ A int }
	decode := func(body string, limit int64, strict bool) error {
		return Decode(httptest.NewRequest("POST", "/", strings.NewReader(body)), &v, limit, strict)
	}
	if err := decode(`{"A":1,"B":2}`, 100, false); err != nil || v.A != 1 {
		t.Fatalf("lenient: %v %+v", err, v)
	}
	var e *Error
	for _, c := range []struct {
		body   string
		limit  int64
		strict bool
		want   string
	}{
		{`{"A":1,"B":2}`, 100, true, "unknown field"},
		{`{"A":1}`, 3, false, "at most 3 bytes"},
		{``, 100, false, "empty"},
	} {
		if err := decode(c.body, c.limit, c.strict); !errors.As(err, &e) || e.Status != http.StatusBadRequest || !strings.Contains(e.Message, c.want) {
			t.Errorf("%+v: %v", c, err)
		}
	}
}

func TestWriteKeepsHTMLCharacters(t *testing.T) {
	rec := httptest.NewRecorder()
	Write(rec, http.StatusCreated, map[string]string{"a": "<b>&"})
	if rec.Code != 201 || rec.Body.String() != "{\"a\":\"<b>&\"}\n" || rec.Header().Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("%d %q %v", rec.Code, rec.Body.String(), rec.Header())
	}
}

func TestReadAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			Write(w, 200, map[string]int{"n": 7})
		case "/refused":
			Write(w, 400, map[string]any{"error": map[string]string{"code": "invalid_input", "field": "appid", "message": "appid: must not be empty"}})
		default:
			http.Error(w, "gateway trouble", http.StatusBadGateway)
		}
	}))
	defer srv.Close()
	get := func(path string, out any) error {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return ReadAnswer(resp, out)
	}
	var got struct{ N int }
	if err := get("/ok", &got); err != nil || got.N != 7 {
		t.Fatalf("ok: %+v %v", got, err)
	}
	var e *Error
	if err := get("/refused", nil); !errors.As(err, &e) || e.Status != 400 || e.Code != "invalid_input" || e.Field != "appid" || e.Message != "appid: must not be empty" {
		t.Fatalf("refused: %#v", err)
	}
	if err := get("/proxy", nil); !errors.As(err, &e) || e.Status != 502 || e.Code != "http" || e.Message != "GET /proxy: the server answered 502 Bad Gateway" {
		t.Fatalf("not our JSON: %#v", err)
	}
}
