package wire_test

import (
	"encoding/json"
	"testing"
	"time"

	"superapp/internal/testserver"
	"superapp/internal/wxcrypto"
)

func TestWebOAuthFlow(t *testing.T) {
	s := testserver.New(t)
	oa := s.CreateApp(t, "service", "H5")
	mp := s.CreateApp(t, "miniprogram", "MP")
	s.CreateOpenPlatform(t, "Group", oa.AppID, mp.AppID)
	u := s.CreateUser(t, "heidi", "")

	exchange := func(code string) map[string]any {
		return s.Get(t, "/sns/oauth2/access_token?appid="+oa.AppID+"&secret="+oa.Secret+"&code="+code+"&grant_type=authorization_code")
	}
	code := s.Code(t, "oauth-code", oa.AppID, u.ID, "snsapi_userinfo")
	g := exchange(code)
	tok, _ := g["access_token"].(string)
	openid, _ := g["openid"].(string)
	if tok == "" || g["refresh_token"] == nil || g["scope"] != "snsapi_userinfo" || g["expires_in"] != float64(7200) || g["unionid"] == nil {
		t.Fatalf("access_token = %v", g)
	}
	if m := exchange(code); testserver.Errcode(m) != 40163 {
		t.Fatalf("code reuse = %v", m)
	}
	info := s.Get(t, "/sns/userinfo?access_token="+tok+"&openid="+openid+"&lang=zh_CN")
	if info["nickname"] != "heidi" || info["openid"] != openid || info["unionid"] != g["unionid"] {
		t.Fatalf("userinfo = %v", info)
	}
	if _, isNumber := info["sex"].(float64); !isNumber {
		t.Fatalf("sex must be a JSON number: %v", info["sex"])
	}
	if m := s.Get(t, "/sns/auth?access_token="+tok+"&openid="+openid); testserver.Errcode(m) != 0 {
		t.Fatalf("sns/auth = %v", m)
	}
	if m := s.Get(t, "/sns/auth?access_token="+tok+"&openid=oSomeoneElse"); testserver.Errcode(m) != 40003 {
		t.Fatalf("sns/auth with another openid = %v", m)
	}
	r := s.Get(t, "/sns/oauth2/refresh_token?appid="+oa.AppID+"&grant_type=refresh_token&refresh_token="+g["refresh_token"].(string))
	if r["access_token"] == nil || r["access_token"] == tok || r["openid"] != openid {
		t.Fatalf("refresh_token = %v", r)
	}
	// The refresh token lasts 30 days; after that it is expired.
	s.Server.P.OAuth.SetClock(func() time.Time { return time.Now().Add(31 * 24 * time.Hour) })
	r = s.Get(t, "/sns/oauth2/refresh_token?appid="+oa.AppID+"&grant_type=refresh_token&refresh_token="+g["refresh_token"].(string))
	if testserver.Errcode(r) != 42002 {
		t.Fatalf("refresh after 31 days = %v", r)
	}
	s.Server.P.OAuth.SetClock(time.Now)

	// snsapi_base: OpenID only, no user info and no UnionID.
	base := exchange(s.Code(t, "oauth-code", oa.AppID, u.ID, "snsapi_base"))
	if base["openid"] != openid || base["unionid"] != nil || base["scope"] != "snsapi_base" {
		t.Fatalf("snsapi_base grant = %v", base)
	}
	if m := s.Get(t, "/sns/userinfo?access_token="+base["access_token"].(string)+"&openid="+openid); testserver.Errcode(m) != 48001 {
		t.Fatalf("userinfo with snsapi_base = %v", m)
	}

	// The mini program of the same open platform sees the same UnionID.
	m := s.Get(t, "/sns/jscode2session?grant_type=authorization_code&appid="+mp.AppID+"&secret="+mp.Secret+"&js_code="+s.LoginCode(t, mp.AppID, u.ID))
	if m["unionid"] != g["unionid"] || m["openid"] == openid {
		t.Fatalf("mini program: unionid %v (want %v), openid %v (must differ from %v)", m["unionid"], g["unionid"], m["openid"], openid)
	}
}

func TestJSAPITicketAndSignature(t *testing.T) {
	s := testserver.New(t)
	oa := s.CreateApp(t, "subscription", "JS")
	tok := s.AccessToken(t, oa)
	m := s.Get(t, "/cgi-bin/ticket/getticket?access_token="+tok+"&type=jsapi")
	ticket, _ := m["ticket"].(string)
	if testserver.Errcode(m) != 0 || ticket == "" || m["expires_in"] != float64(7200) {
		t.Fatalf("getticket = %v", m)
	}
	if again := s.Get(t, "/cgi-bin/ticket/getticket?access_token="+tok+"&type=jsapi"); again["ticket"] != ticket {
		t.Fatalf("ticket changed within its lifetime: %v", again)
	}
	url := "https://h5.example.com/page?id=1"
	sig := wxcrypto.JSAPISignature(ticket, "Wm3WZYTPz0wzccnW", "1414587457", url)
	s.Call(t, "POST", "/sim/v1/jssdk-config", map[string]string{"appid": oa.AppID, "url": url + "#section", "nonceStr": "Wm3WZYTPz0wzccnW", "timestamp": "1414587457", "signature": sig}, nil)
	status, _ := s.Do(t, "POST", "/sim/v1/jssdk-config", map[string]string{"appid": oa.AppID, "url": url + "&x=2", "nonceStr": "Wm3WZYTPz0wzccnW", "timestamp": "1414587457", "signature": sig})
	if status != 403 {
		t.Fatalf("wx.config for another URL: status %d, want 403", status)
	}
	mp := s.CreateApp(t, "miniprogram", "NoJS")
	if m := s.Get(t, "/cgi-bin/ticket/getticket?access_token="+s.AccessToken(t, mp)+"&type=jsapi"); testserver.Errcode(m) != 48001 {
		t.Fatalf("mini program getticket = %v", m)
	}
}

func TestPhoneNumberAndOpenData(t *testing.T) {
	s := testserver.New(t)
	mp := s.CreateApp(t, "miniprogram", "Phone")
	u := s.CreateUser(t, "ivan", "+8613500135000")
	tok := s.AccessToken(t, mp)
	code := s.Code(t, "phone-code", mp.AppID, u.ID, "")
	m := s.Post(t, "/wxa/business/getuserphonenumber?access_token="+tok, `{"code":"`+code+`"}`)
	p, _ := m["phone_info"].(map[string]any)
	wm, _ := p["watermark"].(map[string]any)
	if testserver.Errcode(m) != 0 || p["phoneNumber"] != "13500135000" || p["purePhoneNumber"] != "13500135000" || p["countryCode"] != "86" || wm["appid"] != mp.AppID {
		t.Fatalf("getuserphonenumber = %v", m)
	}
	if m = s.Post(t, "/wxa/business/getuserphonenumber?access_token="+tok, `{"code":"`+code+`"}`); testserver.Errcode(m) != 40163 {
		t.Fatalf("phone code reuse = %v", m)
	}

	// Open data needs a session; then it decrypts under the session key.
	status, _ := s.Do(t, "POST", "/sim/v1/user-profile", map[string]string{"appid": mp.AppID, "user": u.ID})
	if status != 409 {
		t.Fatalf("user-profile before wx.login: status %d, want 409", status)
	}
	sess := s.Get(t, "/sns/jscode2session?grant_type=authorization_code&appid="+mp.AppID+"&secret="+mp.Secret+"&js_code="+s.LoginCode(t, mp.AppID, u.ID))
	key := sess["session_key"].(string)
	var od struct{ RawData, Signature, EncryptedData, IV string }
	s.Call(t, "POST", "/sim/v1/user-profile", map[string]string{"appid": mp.AppID, "user": u.ID}, &od)
	if wxcrypto.RawDataSignature(od.RawData, key) != od.Signature {
		t.Fatal("rawData signature does not verify with the session key")
	}
	plain, err := wxcrypto.DecryptOpenData(key, od.EncryptedData, od.IV)
	if err != nil {
		t.Fatal(err)
	}
	var info struct {
		OpenID    string `json:"openId"`
		NickName  string `json:"nickName"`
		Watermark struct {
			AppID     string `json:"appid"`
			Timestamp int64  `json:"timestamp"`
		} `json:"watermark"`
	}
	json.Unmarshal(plain, &info)
	if info.OpenID != sess["openid"] || info.NickName != "ivan" || info.Watermark.AppID != mp.AppID || info.Watermark.Timestamp == 0 {
		t.Fatalf("decrypted user info = %s", plain)
	}
	// After resetusersessionkey the old key no longer opens new data.
	r := s.Get(t, "/wxa/resetusersessionkey?access_token="+tok+"&openid="+info.OpenID+"&sig_method=hmac_sha256&signature="+wxcrypto.SessionSignature(key))
	newKey, _ := r["session_key"].(string)
	if testserver.Errcode(r) != 0 || newKey == "" || newKey == key {
		t.Fatalf("resetusersessionkey = %v", r)
	}
	s.Call(t, "POST", "/sim/v1/phone-data", map[string]string{"appid": mp.AppID, "user": u.ID}, &od)
	if _, err := wxcrypto.DecryptOpenData(key, od.EncryptedData, od.IV); err == nil {
		if plain, _ := wxcrypto.DecryptOpenData(key, od.EncryptedData, od.IV); json.Valid(plain) {
			t.Fatal("the old session key still opens open data")
		}
	}
	plain, err = wxcrypto.DecryptOpenData(newKey, od.EncryptedData, od.IV)
	if err != nil || !json.Valid(plain) {
		t.Fatalf("phone data under the new key: %v", err)
	}
}
