package sdkcompat_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ArtisanCloud/PowerWeChat/v3/src/miniProgram"

	"superapp/internal/testserver"
)

// Mini program login through PowerWeChat: token, Auth.Session, CheckSession,
// ResetUserSessionKey.
func TestPowerWeChatMiniProgramSession(t *testing.T) {
	s := testserver.New(t)
	app := s.CreateApp(t, "miniprogram", "Shop")
	s.CreateOpenPlatform(t, "Group", app.AppID)
	u := s.CreateUser(t, "pw-alice", "")
	rec := newRecorder(s)
	mp := powerMiniProgram(t, rec, app)
	ctx := context.Background()

	tok, err := mp.AccessToken.GetToken(ctx, false)
	if err != nil || len(tok.AccessToken) < 64 || tok.ExpiresIn != 7200 {
		t.Fatalf("GetToken = %+v, %v", tok, err)
	}
	if m := s.Get(t, "/cgi-bin/getcallbackip?access_token="+tok.AccessToken); testserver.Errcode(m) != 0 {
		t.Fatalf("the SDK's token is refused: %v", m)
	}

	code := s.LoginCode(t, app.AppID, u.ID)
	sess, err := mp.Auth.Session(ctx, code)
	if err != nil || sess.ErrCode != 0 || len(sess.OpenID) != 28 || len(sess.SessionKey) != 24 || sess.UnionID == "" {
		t.Fatalf("Auth.Session = %+v, %v", sess, err)
	}
	// The token middleware runs on every request, code2session included.
	if q := rec.To("/sns/jscode2session")[0].Query; q.Get("access_token") != tok.AccessToken || q.Get("js_code") != code || q.Get("grant_type") != "authorization_code" {
		t.Fatalf("jscode2session query %v", q)
	}
	// PowerWeChat reports business errors in the result, not as err.
	if again, err := mp.Auth.Session(ctx, code); err != nil || again.ErrCode != 40163 {
		t.Fatalf("reused js_code = %+v, %v; want errcode 40163", again, err)
	}

	chk, err := mp.Auth.CheckSession(ctx, sess.OpenID, sess.SessionKey)
	if err != nil || chk.ErrCode != 0 {
		t.Fatalf("CheckSession = %+v, %v", chk, err)
	}
	// v3.4.10 signs with the session_key text as HMAC key and sends lower-case
	// hex: exactly the documented signature.
	calls := rec.To("/wxa/checksession")
	if q := calls[len(calls)-1].Query; q.Get("signature") != sessionSignature(sess.SessionKey) || q.Get("sig_method") != "hmac_sha256" || q.Get("access_token") != tok.AccessToken {
		t.Fatalf("CheckSession sent %v", q)
	}
	if chk, err := mp.Auth.CheckSession(ctx, sess.OpenID, "AAAAAAAAAAAAAAAAAAAAAA=="); err != nil || chk.ErrCode != 87009 {
		t.Fatalf("CheckSession with another key = %+v, %v; want errcode 87009", chk, err)
	}

	reset, err := mp.Auth.ResetUserSessionKey(ctx, sess.OpenID, sess.SessionKey)
	if err != nil || reset.ErrCode != 0 {
		t.Fatalf("ResetUserSessionKey = %+v, %v", reset, err)
	}
	// The SDK's result type drops the new session_key; the old one is dead.
	if chk, err := mp.Auth.CheckSession(ctx, sess.OpenID, sess.SessionKey); err != nil || chk.ErrCode != 87009 {
		t.Fatalf("CheckSession with the replaced key = %+v, %v; want errcode 87009", chk, err)
	}
}

// Open data and phone numbers through PowerWeChat's Encryptor and PhoneNumber.
func TestPowerWeChatOpenDataAndPhone(t *testing.T) {
	s := testserver.New(t)
	app := s.CreateApp(t, "miniprogram", "Shop")
	u := s.CreateUser(t, "pw-bob", "13900139000")
	mp := powerMiniProgram(t, s.Transport(), app)
	ctx := context.Background()

	sess, err := mp.Auth.Session(ctx, s.LoginCode(t, app.AppID, u.ID))
	if err != nil || sess.ErrCode != 0 {
		t.Fatalf("Auth.Session = %+v, %v", sess, err)
	}

	od := userProfile(t, s, app.AppID, u.ID)
	plain, cerr := mp.Encryptor.DecryptData(od.EncryptedData, sess.SessionKey, od.IV)
	if cerr != nil {
		t.Fatalf("DecryptData(user info): %v", cerr.ErrMsg)
	}
	var info struct {
		OpenID    string `json:"openId"`
		NickName  string `json:"nickName"`
		UnionID   string `json:"unionId"`
		Watermark struct {
			AppID     string `json:"appid"`
			Timestamp int64  `json:"timestamp"`
		} `json:"watermark"`
	}
	if err := json.Unmarshal(plain, &info); err != nil {
		t.Fatalf("decrypted user info %q: %v", plain, err)
	}
	if info.OpenID != sess.OpenID || info.NickName != "pw-bob" || info.UnionID != "" || info.Watermark.AppID != app.AppID || info.Watermark.Timestamp == 0 {
		t.Fatalf("decrypted user info = %s", plain)
	}
	pd := phoneData(t, s, app.AppID, u.ID)
	plain, cerr = mp.Encryptor.DecryptData(pd.EncryptedData, sess.SessionKey, pd.IV)
	if cerr != nil {
		t.Fatalf("DecryptData(phone): %v", cerr.ErrMsg)
	}
	var phone struct {
		PhoneNumber, PurePhoneNumber, CountryCode string
		Watermark                                 struct{ AppID string }
	}
	if err := json.Unmarshal(plain, &phone); err != nil || phone.PhoneNumber != "13900139000" || phone.CountryCode != "86" || phone.Watermark.AppID != app.AppID {
		t.Fatalf("decrypted phone = %s, %v", plain, err)
	}

	code := s.Code(t, "phone-code", app.AppID, u.ID, "")
	res, err := mp.PhoneNumber.GetUserPhoneNumber(ctx, code)
	if err != nil || res.ErrCode != 0 || res.PhoneInfo == nil {
		t.Fatalf("GetUserPhoneNumber = %+v, %v", res, err)
	}
	p := res.PhoneInfo
	if p.PhoneNumber != "13900139000" || p.PurePhoneNumber != "13900139000" || p.CountryCode != "86" || p.Watermark == nil || p.Watermark.AppID != app.AppID {
		t.Fatalf("GetUserPhoneNumber phone_info = %+v (watermark %+v)", p, p.Watermark)
	}
	if again, err := mp.PhoneNumber.GetUserPhoneNumber(ctx, code); err != nil || again.ErrCode != 40163 {
		t.Fatalf("reused phone code = %+v, %v; want errcode 40163", again, err)
	}
}

// PowerWeChat refetches the token and retries once when the server answers
// 42001 (expired) or 40001 (replaced more than 5 minutes ago).
func TestPowerWeChatTokenRefresh(t *testing.T) {
	for _, tc := range []struct {
		name    string
		errcode int
		reject  func(t *testing.T, s *testserver.Server, app testserver.App)
	}{
		{"expired 42001", 42001, func(t *testing.T, s *testserver.Server, app testserver.App) {
			shiftTokenClock(t, s, 3*time.Hour)
		}},
		{"replaced 40001", 40001, func(t *testing.T, s *testserver.Server, app testserver.App) {
			s.AccessToken(t, app) // another process fetched a token
			shiftTokenClock(t, s, 6*time.Minute)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := testserver.New(t)
			app := s.CreateApp(t, "miniprogram", "Shop")
			u := s.CreateUser(t, "pw-carol", "13900139001")
			rec := newRecorder(s)
			mp := powerMiniProgram(t, rec, app)
			ctx := context.Background()

			sess, err := mp.Auth.Session(ctx, s.LoginCode(t, app.AppID, u.ID))
			if err != nil || sess.ErrCode != 0 {
				t.Fatalf("Auth.Session = %+v, %v", sess, err)
			}
			old, _ := mp.AccessToken.GetToken(ctx, false)
			tc.reject(t, s, app)
			if m := s.Get(t, "/wxa/checksession?access_token="+old.AccessToken+"&openid=x&signature=x&sig_method=hmac_sha256"); testserver.Errcode(m) != tc.errcode {
				t.Fatalf("the cached token is not rejected as expected: %v", m)
			}

			chk, err := mp.Auth.CheckSession(ctx, sess.OpenID, sess.SessionKey)
			if err != nil || chk.ErrCode != 0 {
				t.Fatalf("CheckSession after the token was rejected = %+v, %v; want a refetch and a successful retry", chk, err)
			}
			if n := len(rec.To("/cgi-bin/token")); n != 2 {
				t.Fatalf("%d token requests, want 2 (initial + refresh)", n)
			}
			calls := rec.To("/wxa/checksession")
			if len(calls) != 2 || calls[0].Query.Get("access_token") != old.AccessToken || calls[1].Query.Get("access_token") == old.AccessToken {
				t.Fatalf("checksession requests: %+v", calls)
			}
			fresh, _ := mp.AccessToken.GetToken(ctx, false)
			if fresh.AccessToken != calls[1].Query.Get("access_token") {
				t.Fatal("the SDK did not cache the refreshed token")
			}
		})
	}
}

// closeEach makes every request use a fresh connection.
type closeEach struct{ next http.RoundTripper }

func (c closeEach) RoundTrip(req *http.Request) (*http.Response, error) {
	r := *req
	r.Close = true
	return c.next.RoundTrip(&r)
}

// A POST retried after a token refresh: PowerWeChat re-reads the request body
// it already sent (empty by then) and re-sends the request with its original
// Content-Length. net/http rescues it on a reused keep-alive connection (the
// write fails before anything is flushed and the transport rewinds the body
// with Request.GetBody); on a fresh connection the retry fails with
// "ContentLength=N with Body length 0". Either way the phone code is not
// spent by the rejected first attempt. See docs/sdk-quirks.md.
func TestPowerWeChatRetryOfPostBody(t *testing.T) {
	for _, tc := range []struct {
		name      string
		fresh     bool
		wantRetry bool
	}{
		{"keep-alive connection", false, true},
		{"fresh connection", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := testserver.New(t)
			app := s.CreateApp(t, "miniprogram", "Shop")
			u := s.CreateUser(t, "pw-dan", "13900139002")
			rec := newRecorder(s)
			var rt http.RoundTripper = rec
			if tc.fresh {
				rt = closeEach{rec}
			}
			mp := powerMiniProgram(t, rt, app)
			ctx := context.Background()
			if _, err := mp.AccessToken.GetToken(ctx, false); err != nil {
				t.Fatal(err)
			}
			shiftTokenClock(t, s, 3*time.Hour)

			code := s.Code(t, "phone-code", app.AppID, u.ID, "")
			res, err := mp.PhoneNumber.GetUserPhoneNumber(ctx, code)
			if n := len(rec.To("/cgi-bin/token")); n != 2 {
				t.Fatalf("%d token requests, want 2 (initial + refresh)", n)
			}
			if tc.wantRetry {
				if err != nil || res.ErrCode != 0 || res.PhoneInfo == nil || res.PhoneInfo.PhoneNumber != "13900139002" {
					t.Fatalf("GetUserPhoneNumber after a refresh = %+v, %v", res, err)
				}
				if n := len(rec.To("/wxa/business/getuserphonenumber")); n != 2 {
					t.Fatalf("%d getuserphonenumber requests, want 2 (rejected + retried)", n)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "with Body length 0") {
				t.Fatalf("GetUserPhoneNumber retried on a fresh connection = %+v, %v; want the empty-body error", res, err)
			}
			// The code was not spent: the next call (with the refreshed token) works.
			res, err = mp.PhoneNumber.GetUserPhoneNumber(ctx, code)
			if err != nil || res.ErrCode != 0 || res.PhoneInfo == nil || res.PhoneInfo.PhoneNumber != "13900139002" {
				t.Fatalf("GetUserPhoneNumber after the failed retry = %+v, %v", res, err)
			}
		})
	}
}

// Cross-app isolation through PowerWeChat.
func TestPowerWeChatCrossAppIsolation(t *testing.T) {
	s := testserver.New(t)
	a := s.CreateApp(t, "miniprogram", "A")
	b := s.CreateApp(t, "miniprogram", "B")
	u := s.CreateUser(t, "pw-erin", "")
	mpA, mpB := powerMiniProgram(t, s.Transport(), a), powerMiniProgram(t, s.Transport(), b)
	ctx := context.Background()

	sess, err := mpB.Auth.Session(ctx, s.LoginCode(t, b.AppID, u.ID))
	if err != nil || sess.ErrCode != 0 {
		t.Fatalf("Auth.Session = %+v, %v", sess, err)
	}
	if chk, err := mpB.Auth.CheckSession(ctx, sess.OpenID, sess.SessionKey); err != nil || chk.ErrCode != 0 {
		t.Fatalf("CheckSession by the user's app = %+v, %v", chk, err)
	}
	if chk, err := mpA.Auth.CheckSession(ctx, sess.OpenID, sess.SessionKey); err != nil || chk.ErrCode != 40003 {
		t.Fatalf("CheckSession by another app = %+v, %v; want errcode 40003", chk, err)
	}
}

// Stable token through PowerWeChat's mini program StableTokenMode: POSTed
// JSON, and the same token on every (even refresh=true) fetch. The mini
// program's UserConfig.ForceRefresh is never copied into its config (see
// docs/sdk-quirks.md), so force_refresh is not sent even when set.
func TestPowerWeChatMiniProgramStableToken(t *testing.T) {
	s := testserver.New(t)
	app := s.CreateApp(t, "miniprogram", "Shop")
	rec := newRecorder(s)
	mp := powerMiniProgram(t, rec, app, func(c *miniProgram.UserConfig) { c.StableTokenMode = true; c.ForceRefresh = true })
	ctx := context.Background()

	first, err := mp.AccessToken.GetToken(ctx, true)
	if err != nil || first.AccessToken == "" {
		t.Fatalf("stable GetToken = %+v, %v", first, err)
	}
	again, err := mp.AccessToken.GetToken(ctx, true)
	if err != nil || again.AccessToken != first.AccessToken {
		t.Fatalf("stable GetToken(refresh) = %+v, %v; want the same token", again, err)
	}
	calls := rec.To("/cgi-bin/stable_token")
	if len(calls) != 2 || calls[0].Method != "POST" || len(rec.To("/cgi-bin/token")) != 0 {
		t.Fatalf("stable token requests: %+v", calls)
	}
}
