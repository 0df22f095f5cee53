package sdkcompat_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	powercache "github.com/ArtisanCloud/PowerLibs/v3/cache"
	"github.com/ArtisanCloud/PowerLibs/v3/logger/drivers"
	"github.com/ArtisanCloud/PowerWeChat/v3/src/kernel"
	"github.com/ArtisanCloud/PowerWeChat/v3/src/miniProgram"
	"github.com/ArtisanCloud/PowerWeChat/v3/src/officialAccount"
	"github.com/silenceper/wechat/v2"
	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/util"

	"superapp/internal/testserver"
)

// powerCache is PowerWeChat's in-memory cache. PowerLibs keeps one
// process-wide MemCache and writes it to <dir>/.ArtisanCloud/cache on every
// Set (the home directory when dir is empty); creating it first here, on a
// temporary directory, keeps the tests out of $HOME.
var powerCache kernel.CacheInterface

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sdkcompat-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	powerCache = powercache.NewMemCache("sdkcompat", time.Hour, dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// call is one request an SDK sent, as the transport saw it.
type call struct {
	Method string
	Path   string
	Query  url.Values
}

// recorder wraps the testserver transport and remembers every request.
type recorder struct {
	next http.RoundTripper

	mu    sync.Mutex
	calls []call
}

func newRecorder(s *testserver.Server) *recorder { return &recorder{next: s.Transport()} }

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.calls = append(r.calls, call{req.Method, req.URL.Path, req.URL.Query()})
	r.mu.Unlock()
	return r.next.RoundTrip(req)
}

// To returns the requests sent to path.
func (r *recorder) To(path string) []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []call
	for _, c := range r.calls {
		if c.Path == path {
			out = append(out, c)
		}
	}
	return out
}

// silenceper returns a silenceper Wechat whose every request goes through rt
// (util.DefaultHTTPClient is package state: restored when the test ends).
func silenceper(t *testing.T, rt http.RoundTripper) *wechat.Wechat {
	t.Helper()
	prev := util.DefaultHTTPClient
	t.Cleanup(func() { util.DefaultHTTPClient = prev })
	wc := wechat.NewWechat()
	wc.SetCache(cache.NewMemory())
	wc.SetHTTPClient(&http.Client{Transport: rt, Timeout: 10 * time.Second})
	return wc
}

// powerMiniProgram builds a PowerWeChat mini program client for app whose
// traffic goes through rt.
func powerMiniProgram(t *testing.T, rt http.RoundTripper, app testserver.App, edit ...func(*miniProgram.UserConfig)) *miniProgram.MiniProgram {
	t.Helper()
	cfg := &miniProgram.UserConfig{
		AppID: app.AppID, Secret: app.Secret, Cache: powerCache,
		Http: miniProgram.Http{Transport: rt, Timeout: 10},
		Log:  miniProgram.Log{Driver: &drivers.DummyLogger{}},
	}
	for _, e := range edit {
		e(cfg)
	}
	mp, err := miniProgram.NewMiniProgram(cfg)
	if err != nil {
		t.Fatalf("PowerWeChat NewMiniProgram: %v", err)
	}
	return mp
}

// powerOfficialAccount builds a PowerWeChat official account client for app
// whose traffic goes through rt.
func powerOfficialAccount(t *testing.T, rt http.RoundTripper, app testserver.App, edit ...func(*officialAccount.UserConfig)) *officialAccount.OfficialAccount {
	t.Helper()
	cfg := &officialAccount.UserConfig{
		AppID: app.AppID, Secret: app.Secret, Cache: powerCache,
		Http: officialAccount.Http{Transport: rt, Timeout: 10},
		Log:  officialAccount.Log{Driver: &drivers.DummyLogger{}},
	}
	for _, e := range edit {
		e(cfg)
	}
	oa, err := officialAccount.NewOfficialAccount(cfg)
	if err != nil {
		t.Fatalf("PowerWeChat NewOfficialAccount: %v", err)
	}
	return oa
}

// routeDefaultTransport sends http.DefaultTransport's traffic to s for the
// test's duration, for SDK code that builds clients without a Transport
// (PowerSocialite). Tests using it must not run in parallel.
func routeDefaultTransport(t *testing.T, rt http.RoundTripper) {
	t.Helper()
	prev := http.DefaultTransport
	http.DefaultTransport = rt
	t.Cleanup(func() { http.DefaultTransport = prev })
}

// shiftTokenClock moves the access-token service's clock by d for the rest of
// the test.
func shiftTokenClock(t *testing.T, s *testserver.Server, d time.Duration) {
	t.Helper()
	s.Server.P.Tokens.SetClock(func() time.Time { return time.Now().Add(d) })
	t.Cleanup(func() { s.Server.P.Tokens.SetClock(time.Now) })
}

// sessionSignature is the checksession signature as a developer computes it
// from WeChat's documentation: hex(hmac_sha256(key=session_key, "")).
func sessionSignature(sessionKey string) string {
	m := hmac.New(sha256.New, []byte(sessionKey))
	return hex.EncodeToString(m.Sum(nil))
}

// openData is what /sim/v1/user-profile and /sim/v1/phone-data return.
type openData struct {
	RawData       string `json:"rawData"`
	Signature     string `json:"signature"`
	EncryptedData string `json:"encryptedData"`
	IV            string `json:"iv"`
}

func userProfile(t *testing.T, s *testserver.Server, appid, user string) openData {
	t.Helper()
	var od openData
	s.Call(t, "POST", "/sim/v1/user-profile", map[string]string{"appid": appid, "user": user}, &od)
	return od
}

func phoneData(t *testing.T, s *testserver.Server, appid, user string) openData {
	t.Helper()
	var od openData
	s.Call(t, "POST", "/sim/v1/phone-data", map[string]string{"appid": appid, "user": user}, &od)
	return od
}

// verifyJSSDKConfig asks the simulated WeChat client whether it accepts a
// wx.config: true when accepted, false when refused as a bad signature.
func verifyJSSDKConfig(t *testing.T, s *testserver.Server, appid, pageURL, nonce string, timestamp int64, signature string) bool {
	t.Helper()
	status, body := s.Do(t, "POST", "/sim/v1/jssdk-config", map[string]string{
		"appid": appid, "url": pageURL, "nonceStr": nonce, "timestamp": strconv.FormatInt(timestamp, 10), "signature": signature,
	})
	switch {
	case status/100 == 2 && strings.Contains(string(body), "config:ok"):
		return true
	case status == 403 && strings.Contains(string(body), "invalid_signature"):
		return false
	}
	t.Fatalf("jssdk-config: %d %s", status, body)
	return false
}
