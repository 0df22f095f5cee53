package sdkcompat_test

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/silenceper/wechat/v2"
	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/miniprogram"
	miniConfig "github.com/silenceper/wechat/v2/miniprogram/config"
	"github.com/silenceper/wechat/v2/miniprogram/encryptor"
	offConfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/util"

	"superapp/internal/testserver"
)

func silenceperMP(wc *wechat.Wechat, app testserver.App) *miniprogram.MiniProgram {
	return wc.GetMiniProgram(&miniConfig.Config{AppID: app.AppID, AppSecret: app.Secret, Cache: cache.NewMemory()})
}

func offConfigFor(app testserver.App) *offConfig.Config {
	return &offConfig.Config{AppID: app.AppID, AppSecret: app.Secret, Cache: cache.NewMemory()}
}

// Mini program login through silenceper: code2session (with unionid for a
// bound app), checksession, resetusersessionkey.
func TestSilenceperMiniProgramSession(t *testing.T) {
	s := testserver.New(t)
	app := s.CreateApp(t, "miniprogram", "Shop")
	s.CreateOpenPlatform(t, "Group", app.AppID)
	u := s.CreateUser(t, "mp-bob", "13800138001")
	wc := silenceper(t, s.Transport())
	auth := silenceperMP(wc, app).GetAuth()

	code := s.LoginCode(t, app.AppID, u.ID)
	sess, err := auth.Code2Session(code)
	if err != nil {
		t.Fatalf("Code2Session: %v", err)
	}
	if len(sess.OpenID) != 28 || len(sess.SessionKey) != 24 || sess.UnionID == "" {
		t.Fatalf("Code2Session = %+v", sess)
	}
	if _, err := auth.Code2Session(code); err == nil || !strings.Contains(err.Error(), "errcode=40163") {
		t.Fatalf("reused js_code: %v, want errcode=40163", err)
	}
	if _, err := auth.Code2Session("nonsense"); err == nil || !strings.Contains(err.Error(), "errcode=40029") {
		t.Fatalf("unknown js_code: %v, want errcode=40029", err)
	}

	// silenceper leaves the signature to the caller.
	sig := sessionSignature(sess.SessionKey)
	if err := auth.CheckSession(sig, sess.OpenID); err != nil {
		t.Fatalf("CheckSession: %v", err)
	}
	var ce *util.CommonError
	if err := auth.CheckSession(sessionSignature("AAAAAAAAAAAAAAAAAAAAAA=="), sess.OpenID); !errors.As(err, &ce) || ce.ErrCode != 87009 {
		t.Fatalf("CheckSession with another key's signature: %v, want errcode 87009", err)
	}

	reset, err := auth.ResetUserSessionKey(sig, sess.OpenID)
	if err != nil || reset.OpenID != sess.OpenID || len(reset.SessionKey) != 24 || reset.SessionKey == sess.SessionKey {
		t.Fatalf("ResetUserSessionKey = %+v, %v", reset, err)
	}
	if err := auth.CheckSession(sig, sess.OpenID); !errors.As(err, &ce) || ce.ErrCode != 87009 {
		t.Fatalf("CheckSession with the replaced key: %v, want errcode 87009", err)
	}
	if err := auth.CheckSession(sessionSignature(reset.SessionKey), sess.OpenID); err != nil {
		t.Fatalf("CheckSession with the new key: %v", err)
	}
}

// Open data: the SDK's encryptor decrypts user info and the phone number
// sealed under the session key; the watermark names the app.
func TestSilenceperOpenData(t *testing.T) {
	s := testserver.New(t)
	app := s.CreateApp(t, "miniprogram", "Shop")
	other := s.CreateApp(t, "miniprogram", "Other")
	u := s.CreateUser(t, "mp-carol", "13800138002")
	wc := silenceper(t, s.Transport())
	mp := silenceperMP(wc, app)

	sess, err := mp.GetAuth().Code2Session(s.LoginCode(t, app.AppID, u.ID))
	if err != nil {
		t.Fatal(err)
	}
	if sess.UnionID != "" {
		t.Fatalf("unionid %q from an unbound app", sess.UnionID)
	}

	od := userProfile(t, s, app.AppID, u.ID)
	// silenceper has no rawData check; this is the documented one.
	h := sha1.Sum([]byte(od.RawData + sess.SessionKey))
	if hex.EncodeToString(h[:]) != od.Signature {
		t.Fatalf("rawData signature %s does not match sha1(rawData+session_key)", od.Signature)
	}
	info, err := mp.GetEncryptor().Decrypt(sess.SessionKey, od.EncryptedData, od.IV)
	if err != nil {
		t.Fatalf("Decrypt user info: %v", err)
	}
	if info.OpenID != sess.OpenID || info.NickName != "mp-carol" || info.UnionID != "" || info.Watermark.AppID != app.AppID || info.Watermark.Timestamp == 0 {
		t.Fatalf("decrypted user info = %+v", info)
	}
	if !strings.Contains(od.RawData, `"nickName":"mp-carol"`) || strings.Contains(od.RawData, sess.OpenID) {
		t.Fatalf("rawData = %s", od.RawData)
	}
	// Another app's encryptor rejects the watermark.
	if _, err := silenceperMP(wc, other).GetEncryptor().Decrypt(sess.SessionKey, od.EncryptedData, od.IV); !errors.Is(err, encryptor.ErrAppIDNotMatch) {
		t.Fatalf("Decrypt by another app: %v, want ErrAppIDNotMatch", err)
	}

	pd := phoneData(t, s, app.AppID, u.ID)
	phone, err := mp.GetEncryptor().Decrypt(sess.SessionKey, pd.EncryptedData, pd.IV)
	if err != nil {
		t.Fatalf("Decrypt phone: %v", err)
	}
	if phone.PhoneNumber != "13800138002" || phone.PurePhoneNumber != "13800138002" || phone.CountryCode != "86" || phone.Watermark.AppID != app.AppID {
		t.Fatalf("decrypted phone = %+v", phone)
	}
}

// UnionID in decrypted user info once the app is bound to an open platform.
func TestSilenceperOpenDataUnionID(t *testing.T) {
	s := testserver.New(t)
	app := s.CreateApp(t, "miniprogram", "Shop")
	oaApp := s.CreateApp(t, "service", "Shop OA")
	s.CreateOpenPlatform(t, "Group", app.AppID, oaApp.AppID)
	u := s.CreateUser(t, "mp-dave", "")
	wc := silenceper(t, s.Transport())
	mp := silenceperMP(wc, app)

	sess, err := mp.GetAuth().Code2Session(s.LoginCode(t, app.AppID, u.ID))
	if err != nil || sess.UnionID == "" {
		t.Fatalf("Code2Session = %+v, %v", sess, err)
	}
	od := userProfile(t, s, app.AppID, u.ID)
	info, err := mp.GetEncryptor().Decrypt(sess.SessionKey, od.EncryptedData, od.IV)
	if err != nil || info.UnionID != sess.UnionID || info.OpenID != sess.OpenID {
		t.Fatalf("decrypted user info = %+v, %v; want unionId %s", info, err, sess.UnionID)
	}
	// The same person seen through the bound official account has the same UnionID.
	tok, err := wc.GetOfficialAccount(offConfigFor(oaApp)).GetOauth().GetUserAccessToken(s.Code(t, "oauth-code", oaApp.AppID, u.ID, "snsapi_userinfo"))
	if err != nil || tok.UnionID != sess.UnionID || tok.OpenID == sess.OpenID {
		t.Fatalf("OA OAuth = %+v, %v; want unionid %s and another openid", tok, err, sess.UnionID)
	}
}

// Phone number through getuserphonenumber (code from the phone button).
func TestSilenceperGetPhoneNumber(t *testing.T) {
	s := testserver.New(t)
	app := s.CreateApp(t, "miniprogram", "Shop")
	u := s.CreateUser(t, "mp-erin", "+85291234567")
	wc := silenceper(t, s.Transport())
	auth := silenceperMP(wc, app).GetAuth()

	code := s.Code(t, "phone-code", app.AppID, u.ID, "")
	res, err := auth.GetPhoneNumber(code)
	if err != nil {
		t.Fatalf("GetPhoneNumber: %v", err)
	}
	p := res.PhoneInfo
	if p.PhoneNumber != "+85291234567" || p.PurePhoneNumber != "91234567" || p.CountryCode != "852" || p.WaterMark.AppID != app.AppID || p.WaterMark.Timestamp == 0 {
		t.Fatalf("GetPhoneNumber = %+v", p)
	}
	var ce *util.CommonError
	if _, err := auth.GetPhoneNumber(code); !errors.As(err, &ce) || ce.ErrCode != 40163 {
		t.Fatalf("reused phone code: %v, want errcode 40163", err)
	}
}

// Cross-app isolation: app A's token cannot check a session of app B's user.
func TestSilenceperCrossAppIsolation(t *testing.T) {
	s := testserver.New(t)
	a := s.CreateApp(t, "miniprogram", "A")
	b := s.CreateApp(t, "miniprogram", "B")
	u := s.CreateUser(t, "mp-frank", "")
	wc := silenceper(t, s.Transport())
	authA, authB := silenceperMP(wc, a).GetAuth(), silenceperMP(wc, b).GetAuth()

	sess, err := authB.Code2Session(s.LoginCode(t, b.AppID, u.ID))
	if err != nil {
		t.Fatal(err)
	}
	sig := sessionSignature(sess.SessionKey)
	if err := authB.CheckSession(sig, sess.OpenID); err != nil {
		t.Fatalf("CheckSession by the user's own app: %v", err)
	}
	var ce *util.CommonError
	if err := authA.CheckSession(sig, sess.OpenID); !errors.As(err, &ce) || ce.ErrCode != 40003 {
		t.Fatalf("CheckSession by another app: %v, want errcode 40003", err)
	}
	if _, err := authA.ResetUserSessionKey(sig, sess.OpenID); !errors.As(err, &ce) || ce.ErrCode != 40003 {
		t.Fatalf("ResetUserSessionKey by another app: %v, want errcode 40003", err)
	}
	// A's login code is no good for B either.
	if _, err := authB.Code2Session(s.LoginCode(t, a.AppID, u.ID)); err == nil || !strings.Contains(err.Error(), "errcode=40029") {
		t.Fatalf("Code2Session with another app's code: %v, want errcode=40029", err)
	}
}
