package server_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"superapp/internal/platform"
	"superapp/internal/server"
)

func TestLoadPolicyFile(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) string {
		p := filepath.Join(dir, "policy.json")
		os.WriteFile(p, []byte(s), 0o600)
		return p
	}
	opts := platform.DefaultOptions("")
	err := server.LoadPolicyFile(write(`{"accounts":{"org_same_subject_miniprograms":200},"quota":{"daily":{"/cgi-bin/token":10,"/cgi-bin/user/get":-1},"resets_per_month":0},
		"releases":{"rejections_before_restriction":5,"gray_auto_full_days":7},"codes":{"code_lifetime_cap":10},"subscribe_messages":{"templates_per_app":3},"nearby":{"radius_meters":3000}}`), &opts)
	if err != nil {
		t.Fatal(err)
	}
	if acc := opts.AccountPolicy; acc.OrgSameSubjectMiniPrograms != 200 || acc.OrgOtherSubjectMiniPrograms != 5 {
		t.Fatalf("accounts = %+v", acc)
	}
	q := opts.QuotaPolicy
	if q.Daily["/cgi-bin/token"] != 10 || q.Daily["/cgi-bin/menu/create"] != 1000 || q.ResetsPerMonth != 0 {
		t.Fatalf("quota = %+v", q)
	}
	if _, limited := q.Daily["/cgi-bin/user/get"]; limited {
		t.Fatal("-1 did not remove the limit")
	}
	if r := opts.ReleasePolicy; r.RejectionsBeforeRestriction != 5 || r.GrayAutoFullDays != 7 || r.HistoryKept != 5 {
		t.Fatalf("releases = %+v", r)
	}
	if opts.NearbyPolicy.Radius != 3000 || opts.NearbyPolicy.MaxPerApp != 10 {
		t.Fatalf("nearby = %+v", opts.NearbyPolicy)
	}
	if opts.CodePolicy.CodeLifetimeCap != 10 || opts.CodePolicy.LinkMaxDays != 30 || opts.SubMsgPolicy.TemplatesPerApp != 3 {
		t.Fatalf("codes = %+v, subscribe messages = %+v", opts.CodePolicy, opts.SubMsgPolicy)
	}
	for body, want := range map[string]string{
		`{"accounts":{"org_same_subject_mini_programs":1}}`: `unknown field "org_same_subject_mini_programs"`,
		`{"quota":{"daily":{"/cgi-bin/token":-5}}}`:         `quota.daily["/cgi-bin/token"] = -5`,
		`{"releases":{"gray_auto_full_after":1}}`:           `releases: json: unknown field "gray_auto_full_after"`,
		`{"quotas":{}}`: `unknown field "quotas"`,
		`not json`:      "invalid character",
	} {
		opts := platform.DefaultOptions("")
		if err := server.LoadPolicyFile(write(body), &opts); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", body, err, want)
		}
	}
}
