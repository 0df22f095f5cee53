package server_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"superapp/internal/account"
	"superapp/internal/officialaccount"
	"superapp/internal/quota"
	"superapp/internal/server"
)

func TestLoadPolicyFile(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) string {
		p := filepath.Join(dir, "policy.json")
		os.WriteFile(p, []byte(s), 0o600)
		return p
	}
	acc, q, oa := account.DefaultPolicy(), quota.DefaultPolicy(), officialaccount.DefaultPolicy()
	err := server.LoadPolicyFile(write(`{"accounts":{"org_same_subject_miniprograms":200},"quota":{"daily":{"/cgi-bin/token":10,"/cgi-bin/user/get":-1},"resets_per_month":0}}`), &acc, &q, &oa)
	if err != nil {
		t.Fatal(err)
	}
	if acc.OrgSameSubjectMiniPrograms != 200 || acc.OrgOtherSubjectMiniPrograms != 5 {
		t.Fatalf("accounts = %+v", acc)
	}
	if q.Daily["/cgi-bin/token"] != 10 || q.Daily["/cgi-bin/menu/create"] != 1000 || q.ResetsPerMonth != 0 {
		t.Fatalf("quota = %+v", q)
	}
	if _, limited := q.Daily["/cgi-bin/user/get"]; limited {
		t.Fatal("-1 did not remove the limit")
	}
	for body, want := range map[string]string{
		`{"accounts":{"org_same_subject_mini_programs":1}}`: `unknown field "org_same_subject_mini_programs"`,
		`{"quota":{"daily":{"/cgi-bin/token":-5}}}`:         `quota.daily["/cgi-bin/token"] = -5`,
		`{"quotas":{}}`: `unknown field "quotas"`,
		`not json`:      "invalid character",
	} {
		acc, q, oa := account.DefaultPolicy(), quota.DefaultPolicy(), officialaccount.DefaultPolicy()
		if err := server.LoadPolicyFile(write(body), &acc, &q, &oa); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", body, err, want)
		}
	}
}
