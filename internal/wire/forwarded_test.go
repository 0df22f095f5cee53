package wire_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"superapp/internal/testserver"
)

func TestWhitelistBehindAProxyUsesTheProxysEntry(t *testing.T) {
	s := testserver.New(t, testserver.BehindProxy())
	oa := s.CreateApp(t, "service", "Proxied")
	s.Call(t, "PUT", "/admin/v1/apps/"+oa.AppID+"/ip-whitelist", map[string]any{"ips": []string{"203.0.113.7"}}, nil)
	token := func(xff ...string) int {
		req, _ := http.NewRequest("GET", s.URL+"/cgi-bin/token?grant_type=client_credential&appid="+oa.AppID+"&secret="+oa.Secret, nil)
		for _, v := range xff {
			req.Header.Add("X-Forwarded-For", v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		return testserver.Errcode(m)
	}
	// The proxy appended the real client (203.0.113.7) after whatever the client sent.
	if got := token("198.51.100.1, 203.0.113.7"); got != 0 {
		t.Fatalf("whitelisted client behind the proxy: errcode %d", got)
	}
	// A client claiming the whitelisted address gets the proxy's entry checked instead.
	if got := token("203.0.113.7, 198.51.100.1"); got != 40164 {
		t.Fatalf("spoofed X-Forwarded-For: errcode %d, want 40164", got)
	}
	if got := token("203.0.113.7", "198.51.100.1"); got != 40164 {
		t.Fatalf("spoofed X-Forwarded-For in a separate header line: errcode %d, want 40164", got)
	}
}
