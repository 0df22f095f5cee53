package wire_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"superapp/internal/release"
	"superapp/internal/testserver"
)

const famMPRelease = "mini programs: code management"

// mpReleaseCases are the bad-input cases of the code-management endpoints.
// {mp2} never commits anything, so it meets the "nothing yet" errors.
var mpReleaseCases = []badCase{
	{family: famMPRelease, endpoint: "POST /wxa/commit", input: "GET", target: "/wxa/commit?access_token={mptok}", want: 43002, prefix: "require POST method"},
	{family: famMPRelease, endpoint: "POST /wxa/commit", input: "access_token missing", method: "POST", target: "/wxa/commit", body: `{"template_id":1}`, want: 41001, prefix: "access_token missing"},
	{family: famMPRelease, endpoint: "POST /wxa/commit", input: "official account token", method: "POST", target: "/wxa/commit?access_token={oatok}", body: `{"template_id":1}`, want: 48001, prefix: "api unauthorized"},
	{family: famMPRelease, endpoint: "POST /wxa/commit", input: "empty body", method: "POST", target: "/wxa/commit?access_token={mptok}", want: 85014, prefix: "template not exist"},
	{family: famMPRelease, endpoint: "POST /wxa/commit", input: "template_id not digits", method: "POST", target: "/wxa/commit?access_token={mptok}", body: `{"template_id":"abc"}`, want: 85014, prefix: "template not exist"},
	{family: famMPRelease, endpoint: "POST /wxa/commit", input: "template_id -1", method: "POST", target: "/wxa/commit?access_token={mptok}", body: `{"template_id":-1}`, want: 85014, prefix: "template not exist"},
	{family: famMPRelease, endpoint: "POST /wxa/commit", input: "template_id 1.5", method: "POST", target: "/wxa/commit?access_token={mptok}", body: `{"template_id":1.5}`, want: 85014, prefix: "template not exist"},
	{family: famMPRelease, endpoint: "POST /wxa/commit", input: "template_id of no version", method: "POST", target: "/wxa/commit?access_token={mptok}", body: `{"template_id":999}`, want: 85014, prefix: "template not exist"},
	{family: famMPRelease, endpoint: "POST /wxa/commit", input: "ext_json an array", method: "POST", target: "/wxa/commit?access_token={mptok}", body: `{"template_id":1,"ext_json":"[1]"}`, want: 85013, prefix: "invalid ext config"},
	{family: famMPRelease, endpoint: "POST /wxa/commit", input: "ext_json not JSON", method: "POST", target: "/wxa/commit?access_token={mptok}", body: `{"template_id":1,"ext_json":"{oops"}`, want: 85013, prefix: "invalid ext config"},
	{family: famMPRelease, endpoint: "POST /wxa/commit", input: "ext_json a boolean", method: "POST", target: "/wxa/commit?access_token={mptok}", body: `{"template_id":1,"ext_json":true}`, want: 85013, prefix: "invalid ext config"},
	{family: famMPRelease, endpoint: "POST /wxa/commit", input: "user_version of 65 characters", method: "POST", target: "/wxa/commit?access_token={mptok}", body: `{"template_id":1,"user_version":"` + strings.Repeat("版", 65) + `"}`, want: 40097, prefix: "invalid args, user_version has 65 characters", note: "WeChat documents no code; ours"},
	{family: famMPRelease, endpoint: "POST /wxa/commit", input: "user_desc of 1,025 characters", method: "POST", target: "/wxa/commit?access_token={mptok}", body: `{"template_id":1,"user_desc":"` + strings.Repeat("d", 1025) + `"}`, want: 40097, prefix: "invalid args, user_desc"},
	{family: famMPRelease, endpoint: "POST /wxa/commit", input: "user_version with NUL", method: "POST", target: "/wxa/commit?access_token={mptok}", body: `{"template_id":1,"user_version":"1\u0000"}`, want: 40097, prefix: "invalid args"},
	{family: famMPRelease, endpoint: "POST /wxa/commit", input: "malformed JSON", method: "POST", target: "/wxa/commit?access_token={mptok}", body: `{"template_id":`, want: 47001, prefix: "data format error"},
	{family: famMPRelease, endpoint: "POST /wxa/commit", input: "body over 1 MiB", method: "POST", target: "/wxa/commit?access_token={mptok}", body: "{huge}", want: 45002, prefix: "content size out of limit"},

	{family: famMPRelease, endpoint: "GET /wxa/get_page", input: "access_token missing", target: "/wxa/get_page", want: 41001, prefix: "access_token missing"},
	{family: famMPRelease, endpoint: "GET /wxa/get_page", input: "official account token", target: "/wxa/get_page?access_token={oatok}", want: 48001, prefix: "api unauthorized"},
	{family: famMPRelease, endpoint: "GET /wxa/get_page", input: "nothing committed", target: "/wxa/get_page?access_token={mp2tok}", want: 85086, prefix: "must commit code before submit audit"},
	{family: famMPRelease, endpoint: "GET /wxa/get_qrcode", input: "official account token", target: "/wxa/get_qrcode?access_token={oatok}", want: 48001, prefix: "api unauthorized"},
	{family: famMPRelease, endpoint: "GET /wxa/get_qrcode", input: "nothing committed", target: "/wxa/get_qrcode?access_token={mp2tok}&path=pages%2Findex", want: 85086, prefix: "must commit code"},
	{family: famMPRelease, endpoint: "GET /wxa/get_qrcode", input: "a bad access_token", target: "/wxa/get_qrcode?access_token=nope", want: 40001, prefix: "invalid credential"},

	{family: famMPRelease, endpoint: "POST /wxa/submit_audit", input: "GET", target: "/wxa/submit_audit?access_token={mptok}", want: 43002, prefix: "require POST method"},
	{family: famMPRelease, endpoint: "POST /wxa/submit_audit", input: "official account token", method: "POST", target: "/wxa/submit_audit?access_token={oatok}", body: `{}`, want: 48001, prefix: "api unauthorized"},
	{family: famMPRelease, endpoint: "POST /wxa/submit_audit", input: "nothing committed", method: "POST", target: "/wxa/submit_audit?access_token={mp2tok}", body: `{}`, want: 85086, prefix: "must commit code before submit audit"},
	{family: famMPRelease, endpoint: "POST /wxa/submit_audit", input: "item_list an object", method: "POST", target: "/wxa/submit_audit?access_token={mptok}", body: `{"item_list":{"tag":"x"}}`, want: 47001, prefix: "data format error, item_list must be an array of objects"},
	{family: famMPRelease, endpoint: "POST /wxa/submit_audit", input: "item_list of 6 items", method: "POST", target: "/wxa/submit_audit?access_token={mptok}", body: `{"item_list":[{},{},{},{},{},{}]}`, want: 40097, prefix: "invalid args, item_list has 6 items, at most 5", note: "WeChat takes at most 5; code ours"},
	{family: famMPRelease, endpoint: "POST /wxa/submit_audit", input: "version_desc of 1,025 characters", method: "POST", target: "/wxa/submit_audit?access_token={mptok}", body: `{"version_desc":"` + strings.Repeat("d", 1025) + `"}`, want: 40097, prefix: "invalid args, version_desc"},
	{family: famMPRelease, endpoint: "POST /wxa/submit_audit", input: "malformed JSON", method: "POST", target: "/wxa/submit_audit?access_token={mptok}", body: `[`, want: 47001, prefix: "data format error"},

	{family: famMPRelease, endpoint: "POST /wxa/get_auditstatus", input: "GET", target: "/wxa/get_auditstatus?access_token={mptok}", want: 43002, prefix: "require POST method"},
	{family: famMPRelease, endpoint: "POST /wxa/get_auditstatus", input: "auditid missing", method: "POST", target: "/wxa/get_auditstatus?access_token={mptok}", body: `{}`, want: 85012, prefix: "invalid audit id, auditid is required"},
	{family: famMPRelease, endpoint: "POST /wxa/get_auditstatus", input: "auditid not digits", method: "POST", target: "/wxa/get_auditstatus?access_token={mptok}", body: `{"auditid":"x"}`, want: 47001, prefix: "data format error"},
	{family: famMPRelease, endpoint: "POST /wxa/get_auditstatus", input: "auditid -1", method: "POST", target: "/wxa/get_auditstatus?access_token={mptok}", body: `{"auditid":-1}`, want: 85012, prefix: "invalid audit id"},
	{family: famMPRelease, endpoint: "POST /wxa/get_auditstatus", input: "auditid of no audit", method: "POST", target: "/wxa/get_auditstatus?access_token={mptok}", body: `{"auditid":424242}`, want: 85012, prefix: "invalid audit id"},
	{family: famMPRelease, endpoint: "POST /wxa/get_auditstatus", input: "official account token", method: "POST", target: "/wxa/get_auditstatus?access_token={oatok}", body: `{"auditid":1}`, want: 48001, prefix: "api unauthorized"},
	{family: famMPRelease, endpoint: "GET /wxa/get_latest_auditstatus", input: "no submission yet", target: "/wxa/get_latest_auditstatus?access_token={mp2tok}", want: 85012, prefix: "invalid audit id"},
	{family: famMPRelease, endpoint: "GET /wxa/get_latest_auditstatus", input: "official account token", target: "/wxa/get_latest_auditstatus?access_token={oatok}", want: 48001, prefix: "api unauthorized"},
	{family: famMPRelease, endpoint: "GET /wxa/undocodeaudit", input: "nothing in review", target: "/wxa/undocodeaudit?access_token={mp2tok}", want: 85012, prefix: "invalid audit id", note: "WeChat documents no code; ours"},
	{family: famMPRelease, endpoint: "GET /wxa/undocodeaudit", input: "official account token", target: "/wxa/undocodeaudit?access_token={oatok}", want: 48001, prefix: "api unauthorized"},

	{family: famMPRelease, endpoint: "POST /wxa/release", input: "GET", target: "/wxa/release?access_token={mptok}", want: 43002, prefix: "require POST method"},
	{family: famMPRelease, endpoint: "POST /wxa/release", input: "nothing audited", method: "POST", target: "/wxa/release?access_token={mp2tok}", want: 85019, prefix: "no audited version to release"},
	{family: famMPRelease, endpoint: "POST /wxa/release", input: "malformed body", method: "POST", target: "/wxa/release?access_token={mp2tok}", body: `{`, want: 47001, prefix: "data format error"},
	{family: famMPRelease, endpoint: "POST /wxa/release", input: "official account token", method: "POST", target: "/wxa/release?access_token={oatok}", want: 48001, prefix: "api unauthorized"},

	{family: famMPRelease, endpoint: "GET /wxa/revertcoderelease", input: "unknown action", target: "/wxa/revertcoderelease?access_token={mptok}&action=drop", want: 40097, prefix: `invalid args, action "drop" is not get_history_version`},
	{family: famMPRelease, endpoint: "GET /wxa/revertcoderelease", input: "app_version not a number", target: "/wxa/revertcoderelease?access_token={mptok}&app_version=v1", want: 40097, prefix: "invalid args, app_version must be a positive integer"},
	{family: famMPRelease, endpoint: "GET /wxa/revertcoderelease", input: "app_version -3", target: "/wxa/revertcoderelease?access_token={mptok}&app_version=-3", want: 40097, prefix: "invalid args"},
	{family: famMPRelease, endpoint: "GET /wxa/revertcoderelease", input: "nothing released", target: "/wxa/revertcoderelease?access_token={mp2tok}", want: 87012, prefix: "cannot rollback"},
	{family: famMPRelease, endpoint: "GET /wxa/revertcoderelease", input: "official account token", target: "/wxa/revertcoderelease?access_token={oatok}&action=get_history_version", want: 48001, prefix: "api unauthorized"},

	{family: famMPRelease, endpoint: "POST /wxa/grayrelease", input: "GET", target: "/wxa/grayrelease?access_token={mptok}", want: 43002, prefix: "require POST method"},
	{family: famMPRelease, endpoint: "POST /wxa/grayrelease", input: "gray_percentage 101", method: "POST", target: "/wxa/grayrelease?access_token={mptok}", body: `{"gray_percentage":101}`, want: 85081, prefix: "invalid gray percentage"},
	{family: famMPRelease, endpoint: "POST /wxa/grayrelease", input: "gray_percentage -1", method: "POST", target: "/wxa/grayrelease?access_token={mptok}", body: `{"gray_percentage":-1}`, want: 85081, prefix: "invalid gray percentage"},
	{family: famMPRelease, endpoint: "POST /wxa/grayrelease", input: "gray_percentage 0 without a members-first flag", method: "POST", target: "/wxa/grayrelease?access_token={mptok}", body: `{"gray_percentage":0}`, want: 85081, prefix: "invalid gray percentage"},
	{family: famMPRelease, endpoint: "POST /wxa/grayrelease", input: "gray_percentage not digits", method: "POST", target: "/wxa/grayrelease?access_token={mptok}", body: `{"gray_percentage":"ten"}`, want: 47001, prefix: "data format error"},
	{family: famMPRelease, endpoint: "POST /wxa/grayrelease", input: "named_openids of no user of this app", method: "POST", target: "/wxa/grayrelease?access_token={mptok}", body: `{"gray_percentage":10,"named_openids":["o_stranger"]}`, want: 40003, prefix: `invalid openid, "o_stranger" in named_openids is not a user of this mini program`},
	{family: famMPRelease, endpoint: "POST /wxa/grayrelease", input: "named_openids of another app's user", method: "POST", target: "/wxa/grayrelease?access_token={mp2tok}", body: `{"gray_percentage":10,"named_openids":["{openid}"]}`, want: 40003, prefix: "invalid openid"},
	{family: famMPRelease, endpoint: "POST /wxa/grayrelease", input: "named_openids with NUL", method: "POST", target: "/wxa/grayrelease?access_token={mptok}", body: `{"gray_percentage":10,"named_openids":["o\u0000"]}`, want: 40003, prefix: "invalid openid"},
	{family: famMPRelease, endpoint: "POST /wxa/grayrelease", input: "named_openids over the limit", method: "POST", target: "/wxa/grayrelease?access_token={mptok}", body: `{"gray_percentage":10,"named_openids":[` + strings.TrimSuffix(strings.Repeat(`"o",`, release.MaxNamedOpenIDs+1), ",") + `]}`, want: 40097, prefix: "invalid args, named_openids has"},
	{family: famMPRelease, endpoint: "POST /wxa/grayrelease", input: "named_openids a string", method: "POST", target: "/wxa/grayrelease?access_token={mptok}", body: `{"gray_percentage":10,"named_openids":"{openid}"}`, want: 47001, prefix: "data format error"},
	{family: famMPRelease, endpoint: "POST /wxa/grayrelease", input: "nothing audited", method: "POST", target: "/wxa/grayrelease?access_token={mp2tok}", body: `{"gray_percentage":10}`, want: 85080, prefix: "miniprogram commit not approved"},
	{family: famMPRelease, endpoint: "POST /wxa/grayrelease", input: "official account token", method: "POST", target: "/wxa/grayrelease?access_token={oatok}", body: `{"gray_percentage":10}`, want: 48001, prefix: "api unauthorized"},
	{family: famMPRelease, endpoint: "GET /wxa/revertgrayrelease", input: "no gray plan", target: "/wxa/revertgrayrelease?access_token={mp2tok}", want: 40097, prefix: "invalid args, no gray release plan", note: "WeChat documents no code; ours"},
	{family: famMPRelease, endpoint: "GET /wxa/getgrayreleaseplan", input: "official account token", target: "/wxa/getgrayreleaseplan?access_token={oatok}", want: 48001, prefix: "api unauthorized"},
	{family: famMPRelease, endpoint: "GET /wxa/getgrayreleaseplan", input: "no plan", target: "/wxa/getgrayreleaseplan?access_token={mp2tok}", want: 0, note: "an empty plan, status 0, as WeChat"},

	{family: famMPRelease, endpoint: "POST /wxa/bind_tester", input: "GET", target: "/wxa/bind_tester?access_token={mptok}", want: 43002, prefix: "require POST method"},
	{family: famMPRelease, endpoint: "POST /wxa/bind_tester", input: "wechatid missing", method: "POST", target: "/wxa/bind_tester?access_token={mptok}", body: `{}`, want: 85001, prefix: "wechatid not exist"},
	{family: famMPRelease, endpoint: "POST /wxa/bind_tester", input: "wechatid of nobody", method: "POST", target: "/wxa/bind_tester?access_token={mptok}", body: `{"wechatid":"no-such-person"}`, want: 85001, prefix: "wechatid not exist"},
	{family: famMPRelease, endpoint: "POST /wxa/bind_tester", input: "wechatid with NUL", method: "POST", target: "/wxa/bind_tester?access_token={mptok}", body: `{"wechatid":"a\u0000"}`, want: 85001, prefix: "wechatid not exist"},
	{family: famMPRelease, endpoint: "POST /wxa/bind_tester", input: "official account token", method: "POST", target: "/wxa/bind_tester?access_token={oatok}", body: `{"wechatid":"alice"}`, want: 48001, prefix: "api unauthorized"},
	{family: famMPRelease, endpoint: "POST /wxa/unbind_tester", input: "userstr of no tester", method: "POST", target: "/wxa/unbind_tester?access_token={mptok}", body: `{"userstr":"{openid}"}`, want: 85002, prefix: "wechatid not bound as tester", note: "our choice"},
	{family: famMPRelease, endpoint: "POST /wxa/unbind_tester", input: "userstr with NUL", method: "POST", target: "/wxa/unbind_tester?access_token={mptok}", body: `{"userstr":"o\u0000"}`, want: 85002, prefix: "wechatid not bound as tester"},
	{family: famMPRelease, endpoint: "POST /wxa/unbind_tester", input: "userstr of another app", method: "POST", target: "/wxa/unbind_tester?access_token={mp2tok}", body: `{"userstr":"{openid}"}`, want: 85002, prefix: "wechatid not bound as tester"},
	{family: famMPRelease, endpoint: "POST /wxa/memberauth", input: "action missing", method: "POST", target: "/wxa/memberauth?access_token={mptok}", body: `{}`, want: 40097, prefix: "invalid args, action must be get_experiencer"},
}

// mpReleaseState is what a refused call must leave as it was.
var mpReleaseState = []string{
	"SELECT COUNT(*) FROM mp_versions", "SELECT COUNT(*) FROM mp_audits", "SELECT COUNT(*) FROM mp_members",
	"SELECT COUNT(*) FROM mp_gray_plans", "SELECT COUNT(*) FROM mp_release_history", "SELECT COUNT(*) FROM app_users",
	"SELECT appid || ':' || trial_version || ':' || trial_ext_json || ':' || online_version || ':' || rejections FROM mp_release_state ORDER BY appid",
}

func mpReleaseSnapshot(t *testing.T, s *testserver.Server) string {
	t.Helper()
	var b strings.Builder
	for _, q := range mpReleaseState {
		rows, err := s.Server.P.DB.Query(context.Background(), q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			fmt.Fprintf(&b, "%s=%s\n", q, v)
		}
		rows.Close()
	}
	return b.String()
}

// TestMPReleaseBadInput runs the cases as TestBadInput does, against a
// mini program with one dev version (id 1) that is its trial version.
func TestMPReleaseBadInput(t *testing.T) {
	f := newFixture(t)
	v := devVersion(t, f.s, f.vars["mp"], "1.0.0")
	if m := f.s.Post(t, "/wxa/commit?access_token="+f.vars["mptok"], fmt.Sprintf(`{"template_id":%d}`, v)); testserver.Errcode(m) != 0 {
		t.Fatalf("commit: %v", m)
	}
	seen := map[string]bool{}
	for _, c := range mpReleaseCases {
		name := c.endpoint + ": " + c.input
		if seen[name] {
			t.Fatalf("duplicate case %q", name)
		}
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			method := c.method
			if method == "" {
				method = "GET"
			}
			before := mpReleaseSnapshot(t, f.s)
			resp, raw := send(t, f.s, method, f.expand(c.target, nil), f.expand(c.body, nil), c.ctype, c.chunked)
			m := checkWireAnswer(t, resp, raw)
			code := testserver.Errcode(m)
			msg, _ := m["errmsg"].(string)
			if code != c.want {
				t.Fatalf("errcode %d (%q), want %d", code, msg, c.want)
			}
			if c.want == 0 {
				return
			}
			if !strings.HasPrefix(msg, c.prefix) || !ridPattern.MatchString(msg) {
				t.Fatalf("errmsg %q, want prefix %q and a rid", msg, c.prefix)
			}
			if after := mpReleaseSnapshot(t, f.s); after != before {
				t.Fatalf("half-written:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}
