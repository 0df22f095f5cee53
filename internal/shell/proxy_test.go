package shell_test

import (
	"net/http"
	"strings"
	"testing"

	"superapp/internal/testserver"
)

func TestSessionCookieIsSecureBehindAnHTTPSProxy(t *testing.T) {
	for _, tc := range []struct {
		name       string
		opts       []testserver.Option
		wantSecure bool
	}{
		{"proxy trusted", []testserver.Option{testserver.BehindProxy()}, true},
		{"proxy not trusted", nil, false},
	} {
		s := testserver.New(t, tc.opts...)
		req, _ := http.NewRequest("POST", s.URL+"/shell/api/register", strings.NewReader(`{"phone":"13100131000","password":"password123","name":"Pat"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-Proto", "https")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		var cookie *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == "superapp_session" {
				cookie = c
			}
		}
		if resp.StatusCode != 200 || cookie == nil || cookie.Secure != tc.wantSecure {
			t.Errorf("%s: status %d, cookie %+v; want Secure=%v", tc.name, resp.StatusCode, cookie, tc.wantSecure)
		}
	}
}
