// Package testserver runs the whole platform in-process for tests, on the
// backend storetest selects, and gives tests the operator's and the
// simulated users' hands: admin calls, users, login codes, and an
// http.Transport that sends WeChat's hosts to this server so real SDKs can
// be pointed at it unchanged.
package testserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"superapp/internal/account"
	"superapp/internal/identity"
	"superapp/internal/officialaccount"
	"superapp/internal/server"
	"superapp/internal/store/storetest"
)

// OperatorKey is the operator credential of every test server.
const OperatorKey = "sak_test_operator_key"

func init() {
	// Password hashing at production strength would dominate test time.
	identity.PasswordIterations = 1000
}

// Server is a running platform.
type Server struct {
	URL    string
	Server *server.Server
	HTTP   *httptest.Server
}

// Option changes the server configuration.
type Option func(*server.Config)

// Dev runs the server in dev mode.
func Dev() Option { return func(c *server.Config) { c.Dev = true } }

// BehindProxy runs the server as if every request came through a reverse
// proxy that appends X-Forwarded-For.
func BehindProxy() Option { return func(c *server.Config) { c.TrustForwardedFor = true } }

// OAPolicy runs the server under p instead of WeChat's official-account
// limits (e.g. a short callback timeout).
func OAPolicy(p officialaccount.Policy) Option {
	return func(c *server.Config) { c.OAPolicy = &p }
}

// AccountPolicy runs the server under p instead of WeChat's account limits,
// so a test can reach a limit with a few apps.
func AccountPolicy(p account.Policy) Option {
	return func(c *server.Config) { c.AccountPolicy = &p }
}

// New starts a server on a fresh database; it stops when the test ends.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	sc := storetest.Config(t)
	cfg := server.Config{DataDir: sc.DataDir, DatabaseURL: sc.DatabaseURL, OperatorKey: OperatorKey}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := server.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("start server: %v", err)
	}
	hs := httptest.NewServer(srv.Handler())
	bg, stop := context.WithCancel(context.Background())
	bgDone := make(chan struct{})
	go func() { srv.P.RunBackground(bg); close(bgDone) }()
	t.Cleanup(func() {
		hs.Close()
		stop()
		<-bgDone
		srv.P.Close()
	})
	return &Server{URL: hs.URL, Server: srv, HTTP: hs}
}

// Call sends a request to the admin or simulation API with the operator key
// and decodes a 2xx answer into out. Other answers fail the test.
func (s *Server) Call(t testing.TB, method, path string, body, out any) {
	t.Helper()
	status, raw := s.Do(t, method, path, body)
	if status >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, status, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
}

// Do sends a request with the operator key and returns status and body.
func (s *Server) Do(t testing.TB, method, path string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.URL+path, rd)
	req.Header.Set("Authorization", "Bearer "+OperatorKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// App is an app with its secret.
type App struct {
	AppID  string `json:"appid"`
	Secret string `json:"secret"`
}

// CreateApp creates an app of kind under the default subject.
func (s *Server) CreateApp(t testing.TB, kind, name string) App {
	t.Helper()
	var a App
	s.Call(t, "POST", "/admin/v1/apps", map[string]string{"kind": kind, "name": name}, &a)
	return a
}

// CreateOpenPlatform creates an open-platform account and binds the apps to it.
func (s *Server) CreateOpenPlatform(t testing.TB, name string, appids ...string) string {
	t.Helper()
	var op struct {
		ID string `json:"id"`
	}
	s.Call(t, "POST", "/admin/v1/openplatforms", map[string]string{"name": name}, &op)
	for _, a := range appids {
		s.Call(t, "POST", "/admin/v1/openplatforms/"+op.ID+"/bind", map[string]string{"appid": a}, nil)
	}
	return op.ID
}

// User is a simulated end user.
type User struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// CreateUser creates an end user; phone may be empty.
func (s *Server) CreateUser(t testing.TB, name, phone string) User {
	t.Helper()
	var u User
	body := map[string]string{"name": name}
	if phone != "" {
		body["phone"], body["password"] = phone, "password123"
	}
	s.Call(t, "POST", "/sim/v1/users", body, &u)
	return u
}

// Code asks the simulation API for a code (kind: login-code, phone-code,
// oauth-code) and returns it.
func (s *Server) Code(t testing.TB, kind, appid, user, scope string) string {
	t.Helper()
	var c struct {
		Code string `json:"code"`
	}
	s.Call(t, "POST", "/sim/v1/"+kind, map[string]string{"appid": appid, "user": user, "scope": scope}, &c)
	return c.Code
}

// LoginCode is wx.login for user in mini program appid.
func (s *Server) LoginCode(t testing.TB, appid, user string) string {
	return s.Code(t, "login-code", appid, user, "")
}

// WeChatHosts are the hosts real SDKs call.
var WeChatHosts = []string{"api.weixin.qq.com", "mp.weixin.qq.com", "open.weixin.qq.com", "file.api.weixin.qq.com",
	"sh.api.weixin.qq.com", "sz.api.weixin.qq.com", "hk.api.weixin.qq.com"}

// Transport sends requests for WeChat's hosts to this server over plain
// HTTP and refuses every other host, so a test can never reach the network.
func (s *Server) Transport() http.RoundTripper {
	target, _ := url.Parse(s.URL)
	return &rewriter{target: target, base: s.HTTP.Client().Transport}
}

type rewriter struct {
	target *url.URL
	base   http.RoundTripper
}

func (rw *rewriter) RoundTrip(req *http.Request) (*http.Response, error) {
	host := req.URL.Hostname()
	ok := host == rw.target.Hostname()
	for _, h := range WeChatHosts {
		ok = ok || strings.EqualFold(host, h)
	}
	if !ok {
		return nil, fmt.Errorf("testserver: refusing request to %s (only WeChat hosts are routed to the test server)", req.URL.Host)
	}
	r := req.Clone(req.Context())
	r.URL.Scheme = rw.target.Scheme
	r.URL.Host = rw.target.Host
	r.Host = rw.target.Host
	return rw.base.RoundTrip(r)
}

// Get calls a wire endpoint (path with query) and decodes the JSON answer.
func (s *Server) Get(t testing.TB, pathAndQuery string) map[string]any {
	t.Helper()
	resp, err := http.Get(s.URL + pathAndQuery)
	if err != nil {
		t.Fatal(err)
	}
	return decodeWire(t, resp)
}

// Post sends a raw body to a wire endpoint and decodes the JSON answer.
func (s *Server) Post(t testing.TB, pathAndQuery, body string) map[string]any {
	t.Helper()
	resp, err := http.Post(s.URL+pathAndQuery, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return decodeWire(t, resp)
}

func decodeWire(t testing.TB, resp *http.Response) map[string]any {
	t.Helper()
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("wire answered HTTP %d (WeChat answers 200 even for errors): %s", resp.StatusCode, raw)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("wire answered non-JSON %q: %v", raw, err)
	}
	return m
}

// AccessToken fetches an access token for the app through /cgi-bin/token.
func (s *Server) AccessToken(t testing.TB, a App) string {
	t.Helper()
	m := s.Get(t, "/cgi-bin/token?grant_type=client_credential&appid="+a.AppID+"&secret="+a.Secret)
	tok, _ := m["access_token"].(string)
	if tok == "" {
		t.Fatalf("no access token: %v", m)
	}
	return tok
}

// Errcode returns a wire answer's errcode (0 when absent, as SDKs read it).
func Errcode(m map[string]any) int {
	f, _ := m["errcode"].(float64)
	return int(f)
}
