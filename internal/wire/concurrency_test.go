package wire_test

import (
	"fmt"
	"sync"
	"testing"

	"superapp/internal/testserver"
)

// parallel runs n copies of call at once and returns their answers.
func parallel(n int, call func() map[string]any) []map[string]any {
	out := make([]map[string]any, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range out {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = call()
		}()
	}
	close(start)
	wg.Wait()
	return out
}

func successes(answers []map[string]any, key string) map[any]int {
	seen := map[any]int{}
	for _, a := range answers {
		if testserver.Errcode(a) == 0 && a[key] != nil {
			seen[fmt.Sprint(a[key])]++
		}
	}
	return seen
}

// Read-check-write sequences must hold when many requests race, on both
// backends (PostgreSQL runs concurrent transactions in parallel).
func TestConcurrentRequestsKeepTheRules(t *testing.T) {
	s := testserver.New(t)
	oa := s.CreateApp(t, "service", "Race")
	mp := s.CreateApp(t, "miniprogram", "Race MP")
	u := s.CreateUser(t, "rita", "13600136000")
	const n = 8

	for round := 0; round < 3; round++ {
		code := s.Code(t, "oauth-code", oa.AppID, u.ID, "snsapi_base")
		got := successes(parallel(n, func() map[string]any {
			return s.Get(t, "/sns/oauth2/access_token?grant_type=authorization_code&appid="+oa.AppID+"&secret="+oa.Secret+"&code="+code)
		}), "access_token")
		if len(got) != 1 {
			t.Fatalf("round %d: one OAuth code gave %d access tokens", round, len(got))
		}

		tok := s.AccessToken(t, mp)
		phone := s.Code(t, "phone-code", mp.AppID, u.ID, "")
		got = successes(parallel(n, func() map[string]any {
			return s.Post(t, "/wxa/business/getuserphonenumber?access_token="+tok, `{"code":"`+phone+`"}`)
		}), "phone_info")
		if n := len(got); n != 1 {
			t.Fatalf("round %d: one phone code answered %d times", round, n)
		}
		for _, c := range got {
			if c != 1 {
				t.Fatalf("round %d: one phone code answered %d times", round, c)
			}
		}
	}

	body := fmt.Sprintf(`{"grant_type":"client_credential","appid":%q,"secret":%q}`, oa.AppID, oa.Secret)
	if got := successes(parallel(n, func() map[string]any { return s.Post(t, "/cgi-bin/stable_token", body) }), "access_token"); len(got) != 1 {
		t.Fatalf("normal-mode stable_token handed out %d different tokens at once", len(got))
	}
	force := fmt.Sprintf(`{"grant_type":"client_credential","appid":%q,"secret":%q,"force_refresh":true}`, oa.AppID, oa.Secret)
	if got := successes(parallel(n, func() map[string]any { return s.Post(t, "/cgi-bin/stable_token", force) }), "access_token"); len(got) != 1 {
		t.Fatalf("%d force refreshes succeeded within 30 s", len(got))
	}
	tok := s.AccessToken(t, oa)
	if got := successes(parallel(n, func() map[string]any { return s.Get(t, "/cgi-bin/ticket/getticket?type=jsapi&access_token="+tok) }), "ticket"); len(got) != 1 {
		t.Fatalf("getticket handed out %d different tickets at once", len(got))
	}
	// Concurrent /cgi-bin/token calls leave exactly one latest token.
	parallel(n, func() map[string]any {
		return s.Get(t, "/cgi-bin/token?grant_type=client_credential&appid="+mp.AppID+"&secret="+mp.Secret)
	})
	var live int
	s.Server.P.DB.QueryRow(t.Context(), "SELECT COUNT(*) FROM access_tokens WHERE appid = ? AND kind = 'basic' AND superseded_at IS NULL", mp.AppID).Scan(&live)
	if live != 1 {
		t.Fatalf("%d basic tokens are the latest at once", live)
	}
}
