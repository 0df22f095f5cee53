package wire_test

import (
	"testing"

	"superapp/internal/testserver"
	"superapp/internal/wxcrypto"
)

func TestJscode2sessionFlow(t *testing.T) {
	s := testserver.New(t)
	mp := s.CreateApp(t, "miniprogram", "Shop")
	other := s.CreateApp(t, "miniprogram", "Other")
	u := s.CreateUser(t, "alice", "13800138000")

	code := s.LoginCode(t, mp.AppID, u.ID)
	q := "/sns/jscode2session?grant_type=authorization_code&appid=" + mp.AppID + "&secret=" + mp.Secret + "&js_code="
	m := s.Get(t, q+code)
	openid, _ := m["openid"].(string)
	key, _ := m["session_key"].(string)
	if len(openid) != 28 || key == "" || testserver.Errcode(m) != 0 {
		t.Fatalf("jscode2session = %v", m)
	}
	if _, ok := m["unionid"]; ok {
		t.Fatalf("unionid returned by an unbound app: %v", m)
	}
	if got := testserver.Errcode(s.Get(t, q+code)); got != 40163 {
		t.Fatalf("second use of a code: errcode %d, want 40163", got)
	}
	if got := testserver.Errcode(s.Get(t, q+"nonsense")); got != 40029 {
		t.Fatalf("unknown code: errcode %d, want 40029", got)
	}
	// A code minted for another app is invalid here.
	otherCode := s.LoginCode(t, other.AppID, u.ID)
	if got := testserver.Errcode(s.Get(t, q+otherCode)); got != 40029 {
		t.Fatalf("code of another app: errcode %d, want 40029", got)
	}
	// The same user has an unrelated OpenID in the other app.
	m2 := s.Get(t, "/sns/jscode2session?grant_type=authorization_code&appid="+other.AppID+"&secret="+other.Secret+"&js_code="+otherCode)
	if m2["openid"] == openid || m2["openid"] == "" {
		t.Fatalf("OpenIDs across apps: %v and %v", openid, m2["openid"])
	}

	tok := s.AccessToken(t, mp)
	sig := wxcrypto.SessionSignature(key)
	m = s.Get(t, "/wxa/checksession?access_token="+tok+"&openid="+openid+"&sig_method=hmac_sha256&signature="+sig)
	if testserver.Errcode(m) != 0 {
		t.Fatalf("checksession = %v", m)
	}
	m = s.Get(t, "/wxa/checksession?access_token="+tok+"&openid="+openid+"&sig_method=hmac_sha256&signature=00"+sig[2:])
	if testserver.Errcode(m) != 87009 {
		t.Fatalf("checksession with a bad signature = %v", m)
	}
	// Tokens are scoped: the other app's token cannot check this app's user.
	otherTok := s.AccessToken(t, other)
	m = s.Get(t, "/wxa/checksession?access_token="+otherTok+"&openid="+openid+"&sig_method=hmac_sha256&signature="+sig)
	if testserver.Errcode(m) != 40003 {
		t.Fatalf("checksession through another app's token = %v, want 40003", m)
	}
}
