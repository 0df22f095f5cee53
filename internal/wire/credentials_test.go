package wire_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"superapp/internal/testserver"
)

func TestTokenLifecycleOnTheWire(t *testing.T) {
	s := testserver.New(t)
	mp := s.CreateApp(t, "miniprogram", "Tokens")
	m := s.Get(t, "/cgi-bin/token?grant_type=client_credential&appid="+mp.AppID+"&secret="+mp.Secret)
	first, _ := m["access_token"].(string)
	if first == "" || m["expires_in"] != float64(7200) || m["errcode"] != nil {
		t.Fatalf("token = %v", m)
	}
	second := s.AccessToken(t, mp)
	info := "/cgi-bin/account/getaccountbasicinfo?access_token="
	for _, tok := range []string{first, second} {
		m = s.Get(t, info+tok)
		if testserver.Errcode(m) != 0 || m["appid"] != mp.AppID || m["nickname"] != "Tokens" || m["account_type"] != float64(3) {
			t.Fatalf("getaccountbasicinfo with a live token = %v", m)
		}
	}
	// Five minutes after the refresh the previous token is no longer the latest.
	s.Server.P.Tokens.SetClock(func() time.Time { return time.Now().Add(5*time.Minute + time.Second) })
	if m = s.Get(t, info+first); testserver.Errcode(m) != 40001 || !strings.HasPrefix(m["errmsg"].(string), "invalid credential, access_token is invalid or not latest rid: ") {
		t.Fatalf("retired token = %v", m)
	}
	if m = s.Get(t, info+second); testserver.Errcode(m) != 0 {
		t.Fatalf("latest token = %v", m)
	}
	s.Server.P.Tokens.SetClock(func() time.Time { return time.Now().Add(2*time.Hour + time.Second) })
	if m = s.Get(t, info+second); testserver.Errcode(m) != 42001 {
		t.Fatalf("expired token = %v", m)
	}
	if m = s.Get(t, "/cgi-bin/account/getaccountbasicinfo"); testserver.Errcode(m) != 41001 {
		t.Fatalf("no token = %v", m)
	}
}

func TestStableTokenOnTheWire(t *testing.T) {
	s := testserver.New(t)
	oa := s.CreateApp(t, "service", "Stable")
	body := fmt.Sprintf(`{"grant_type":"client_credential","appid":%q,"secret":%q}`, oa.AppID, oa.Secret)
	a := s.Post(t, "/cgi-bin/stable_token", body)
	b := s.Post(t, "/cgi-bin/stable_token", body)
	if a["access_token"] == nil || a["access_token"] != b["access_token"] {
		t.Fatalf("normal mode should return the live token twice: %v %v", a, b)
	}
	// stable and basic tokens do not affect each other
	basic := s.AccessToken(t, oa)
	c := s.Post(t, "/cgi-bin/stable_token", body)
	if c["access_token"] != a["access_token"] {
		t.Fatalf("a /cgi-bin/token call replaced the stable token: %v", c)
	}
	forced := s.Post(t, "/cgi-bin/stable_token", strings.TrimSuffix(body, "}")+`,"force_refresh":true}`)
	if forced["access_token"] == nil || forced["access_token"] == a["access_token"] || forced["expires_in"] != float64(7200) {
		t.Fatalf("force_refresh = %v", forced)
	}
	again := s.Post(t, "/cgi-bin/stable_token", strings.TrimSuffix(body, "}")+`,"force_refresh":true}`)
	if testserver.Errcode(again) != 45011 {
		t.Fatalf("force_refresh twice within 30 s = %v", again)
	}
	for _, tok := range []string{a["access_token"].(string), forced["access_token"].(string), basic} {
		if m := s.Get(t, "/cgi-bin/getcallbackip?access_token="+tok); testserver.Errcode(m) != 0 {
			t.Fatalf("token %s… refused: %v", tok[:8], m)
		}
	}
	if m := s.Get(t, "/cgi-bin/stable_token"); testserver.Errcode(m) != 43002 {
		t.Fatalf("GET stable_token = %v", m)
	}
}

func TestQuotaGetAndClear(t *testing.T) {
	s := testserver.New(t)
	oa := s.CreateApp(t, "subscription", "Quota")
	other := s.CreateApp(t, "subscription", "Other")
	tok := s.AccessToken(t, oa) // one call of /cgi-bin/token
	s.AccessToken(t, oa)        // two
	m := s.Post(t, "/cgi-bin/openapi/quota/get?access_token="+tok, `{"cgi_path":"/cgi-bin/token"}`)
	q, _ := m["quota"].(map[string]any)
	if testserver.Errcode(m) != 0 || q["daily_limit"] != float64(2000) || q["used"] != float64(2) || q["remain"] != float64(1998) {
		t.Fatalf("quota/get = %v", m)
	}
	if m = s.Post(t, "/cgi-bin/openapi/quota/get?access_token="+tok, `{"cgi_path":"/cgi-bin/nope"}`); testserver.Errcode(m) != 76021 {
		t.Fatalf("quota/get of an unknown path = %v", m)
	}
	// A token clears only its own app's quota.
	if m = s.Post(t, "/cgi-bin/clear_quota?access_token="+tok, fmt.Sprintf(`{"appid":%q}`, other.AppID)); testserver.Errcode(m) != 40013 {
		t.Fatalf("clear_quota of another app = %v", m)
	}
	if m = s.Post(t, "/cgi-bin/clear_quota?access_token="+tok, fmt.Sprintf(`{"appid":%q}`, oa.AppID)); testserver.Errcode(m) != 0 {
		t.Fatalf("clear_quota = %v", m)
	}
	m = s.Post(t, "/cgi-bin/openapi/quota/get?access_token="+tok, `{"cgi_path":"/cgi-bin/token"}`)
	if q, _ = m["quota"].(map[string]any); q["used"] != float64(0) {
		t.Fatalf("after clear_quota: %v", m)
	}
	m = s.Post(t, "/cgi-bin/clear_quota/v2?appid="+oa.AppID+"&appsecret="+oa.Secret, "")
	if testserver.Errcode(m) != 0 {
		t.Fatalf("clear_quota/v2 = %v", m)
	}
	for i := 0; i < 8; i++ {
		s.Post(t, "/cgi-bin/clear_quota/v2?appid="+oa.AppID+"&appsecret="+oa.Secret, "")
	}
	if m = s.Post(t, "/cgi-bin/clear_quota/v2?appid="+oa.AppID+"&appsecret="+oa.Secret, ""); testserver.Errcode(m) != 48006 {
		t.Fatalf("11th clear this month = %v", m)
	}
}

func TestDailyQuotaExhaustion(t *testing.T) {
	s := testserver.New(t)
	oa := s.CreateApp(t, "service", "Busy")
	q := "/cgi-bin/token?grant_type=client_credential&appid=" + oa.AppID + "&secret=" + oa.Secret
	for i := 0; i < 2000; i++ {
		if err := s.Server.P.Quota.Take(t.Context(), oa.AppID, "/cgi-bin/token"); err != nil {
			t.Fatalf("take %d: %v", i, err)
		}
	}
	if m := s.Get(t, q); testserver.Errcode(m) != 45009 {
		t.Fatalf("2001st token call = %v", m)
	}
	var n int
	s.Server.P.DB.QueryRow(t.Context(), "SELECT COUNT(*) FROM access_tokens WHERE appid = ?", oa.AppID).Scan(&n)
	if n != 0 {
		t.Fatalf("a refused token call wrote %d token rows", n)
	}
}
