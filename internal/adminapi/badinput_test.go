package adminapi_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"superapp/internal/account"
	"superapp/internal/testserver"
)

var update = flag.Bool("update", false, "rewrite docs/bad-input.md from the bad-input cases")

// Authorization modes of a case.
const (
	authOperator = iota // the operator key
	authNone            // no Authorization header
	authWrong           // a wrong key
	authBasic           // the right key under the Basic scheme
)

// badCase is one bad input tried against the admin or simulation API. The
// table of these cases is docs/bad-input.md (section "admin").
type badCase struct {
	endpoint string // as the doc shows it
	input    string
	note     string

	method, path, body string // {placeholders} are fixture values; {huge} is 1 MiB + 1 byte
	auth               int

	status int    // HTTP status
	code   string // error.code
	field  string // error.field ("" when none)
	prefix string // error.message prefix
}

type fixture struct {
	s    *testserver.Server
	vars map[string]string
}

func newFixture(t *testing.T) *fixture {
	// WeChat's policy, except that an organisation's open-platform account
	// may bind a single same-subject mini program.
	policy := account.DefaultPolicy()
	policy.OrgSameSubjectMiniPrograms = 1
	s := testserver.New(t, testserver.AccountPolicy(policy))
	f := &fixture{s: s, vars: map[string]string{}}
	mp := s.CreateApp(t, "miniprogram", "Shop")
	mp2 := s.CreateApp(t, "miniprogram", "Shop Two")
	oa := s.CreateApp(t, "service", "News")
	var person struct {
		ID string `json:"id"`
	}
	s.Call(t, "POST", "/admin/v1/subjects", map[string]string{"kind": "individual", "name": "Zhang San"}, &person)
	var sub struct {
		AppID string `json:"appid"`
	}
	s.Call(t, "POST", "/admin/v1/apps", map[string]string{"kind": "subscription", "name": "Diary", "subject_id": person.ID}, &sub)
	var personOP struct {
		ID string `json:"id"`
	}
	s.Call(t, "POST", "/admin/v1/openplatforms", map[string]string{"name": "Zhang's", "subject_id": person.ID}, &personOP)
	op := s.CreateOpenPlatform(t, "Group", mp.AppID)
	op2 := s.CreateOpenPlatform(t, "Group Two")
	alice := s.CreateUser(t, "alice", "13800138000")
	s.CreateUser(t, "twin", "")
	s.CreateUser(t, "twin", "")
	bob := s.CreateUser(t, "bob", "")
	// alice follows the service account (the follow happens before any
	// case's snapshot).
	if _, err := s.Server.P.OA.Follow(context.Background(), oa.AppID, alice.ID, "", nil); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"mp": mp.AppID, "mp2": mp2.AppID, "oa": oa.AppID, "person": person.ID, "personsub": sub.AppID,
		"personop": personOP.ID, "op": op, "op2": op2, "alice": alice.ID, "bob": bob.ID,
	} {
		f.vars[k] = v
	}
	return f
}

func (f *fixture) expand(s string) string {
	for k, v := range f.vars {
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	return strings.ReplaceAll(s, "{huge}", strings.Repeat("x", 1<<20+1))
}

var nameOf31 = strings.Repeat("名", 31)

var adminCases = []badCase{
	// Operator credential.
	{endpoint: "any /admin/v1 route", input: "no Authorization header", method: "GET", path: "/admin/v1/apps", auth: authNone, status: 401, code: "unauthorized", prefix: "missing or wrong operator key"},
	{endpoint: "any /admin/v1 route", input: "wrong operator key", method: "POST", path: "/admin/v1/apps", body: `{"kind":"miniprogram","name":"X"}`, auth: authWrong, status: 401, code: "unauthorized", prefix: "missing or wrong operator key"},
	{endpoint: "any /admin/v1 route", input: "operator key under the Basic scheme", method: "GET", path: "/admin/v1/apps", auth: authBasic, status: 401, code: "unauthorized", prefix: "missing or wrong operator key"},
	{endpoint: "any /sim/v1 route", input: "no Authorization header", method: "POST", path: "/sim/v1/users", body: `{"name":"x"}`, auth: authNone, status: 401, code: "unauthorized", prefix: "missing or wrong operator key"},
	{endpoint: "any /admin/v1 route", input: "unknown route", method: "GET", path: "/admin/v1/nonexistent", status: 404, code: "not_found", prefix: "no admin API at GET /admin/v1/nonexistent"},
	{endpoint: "any /admin/v1 route", input: "wrong method (DELETE on the app list)", method: "DELETE", path: "/admin/v1/apps", status: 404, code: "not_found", prefix: "no admin API at DELETE /admin/v1/apps"},
	{endpoint: "any /sim/v1 route", input: "unknown route", method: "POST", path: "/sim/v1/nonexistent", body: `{}`, status: 404, code: "not_found", prefix: "no simulation API at POST /sim/v1/nonexistent"},

	// Request bodies (the admin API decodes strictly).
	{endpoint: "POST /admin/v1/apps", input: "unknown field", method: "POST", path: "/admin/v1/apps", body: `{"kind":"miniprogram","name":"X","colour":"red"}`, status: 400, code: "invalid_input", field: "body", prefix: `body: is not valid JSON for this request: json: unknown field "colour"`},
	{endpoint: "POST /admin/v1/apps", input: "malformed JSON", method: "POST", path: "/admin/v1/apps", body: `{"kind":"miniprogram",`, status: 400, code: "invalid_input", field: "body", prefix: "body: is not valid JSON for this request"},
	{endpoint: "POST /admin/v1/apps", input: "wrong type: `\"name\":123`", method: "POST", path: "/admin/v1/apps", body: `{"kind":"miniprogram","name":123}`, status: 400, code: "invalid_input", field: "body", prefix: "body: is not valid JSON for this request"},
	{endpoint: "POST /admin/v1/apps", input: "JSON array instead of object", method: "POST", path: "/admin/v1/apps", body: `[]`, status: 400, code: "invalid_input", field: "body", prefix: "body: is not valid JSON for this request"},
	{endpoint: "POST /admin/v1/apps", input: "a second JSON value after the object", method: "POST", path: "/admin/v1/apps", body: `{"kind":"miniprogram","name":"X"} {"kind":"service"}`, status: 400, code: "invalid_input", field: "body", prefix: "body: is not valid JSON for this request: more than one JSON value"},
	{endpoint: "POST /admin/v1/apps", input: "body over 1 MiB", method: "POST", path: "/admin/v1/apps", body: `{"kind":"miniprogram","name":"{huge}"}`, status: 400, code: "invalid_input", field: "body", prefix: "body: must be a JSON object of at most 1 MiB"},
	{endpoint: "POST /admin/v1/apps", input: "empty body", method: "POST", path: "/admin/v1/apps", status: 400, code: "invalid_input", field: "kind", prefix: `kind: "" is not an app kind`},
	{endpoint: "POST /admin/v1/apps", input: "body `null`", method: "POST", path: "/admin/v1/apps", body: `null`, status: 400, code: "invalid_input", field: "kind", prefix: `kind: "" is not an app kind`},

	// Apps.
	{endpoint: "POST /admin/v1/apps", input: "unknown kind", method: "POST", path: "/admin/v1/apps", body: `{"kind":"game","name":"X"}`, status: 400, code: "invalid_input", field: "kind", prefix: `kind: "game" is not an app kind; use one of miniprogram, subscription, service`},
	{endpoint: "POST /admin/v1/apps", input: "kind in capitals", method: "POST", path: "/admin/v1/apps", body: `{"kind":"MiniProgram","name":"X"}`, status: 400, code: "invalid_input", field: "kind", prefix: `kind: "MiniProgram" is not an app kind`},
	{endpoint: "POST /admin/v1/apps", input: "name missing", method: "POST", path: "/admin/v1/apps", body: `{"kind":"miniprogram"}`, status: 400, code: "invalid_input", field: "name", prefix: "name: must not be empty"},
	{endpoint: "POST /admin/v1/apps", input: "name only spaces", method: "POST", path: "/admin/v1/apps", body: `{"kind":"miniprogram","name":"   "}`, status: 400, code: "invalid_input", field: "name", prefix: "name: must not be empty"},
	{endpoint: "POST /admin/v1/apps", input: "name of 31 characters", method: "POST", path: "/admin/v1/apps", body: `{"kind":"miniprogram","name":"` + nameOf31 + `"}`, status: 400, code: "invalid_input", field: "name", prefix: "name: is 31 characters; at most 30 are allowed"},
	{endpoint: "POST /admin/v1/apps", input: "name with a NUL character", method: "POST", path: "/admin/v1/apps", body: `{"kind":"miniprogram","name":"a\u0000b"}`, status: 400, code: "invalid_input", field: "body", prefix: "body: must not contain NUL characters"},
	{endpoint: "POST /admin/v1/apps", input: "subject_id with a NUL character", method: "POST", path: "/admin/v1/apps", body: `{"kind":"miniprogram","name":"X","subject_id":"sub_\u0000"}`, status: 400, code: "invalid_input", field: "body", prefix: "body: must not contain NUL characters"},
	{endpoint: "POST /admin/v1/apps", input: "unknown subject_id", method: "POST", path: "/admin/v1/apps", body: `{"kind":"miniprogram","name":"X","subject_id":"sub_0000000000000000"}`, status: 404, code: "not_found", prefix: "subject not found"},
	{endpoint: "POST /admin/v1/apps", input: "a person's second subscription account", method: "POST", path: "/admin/v1/apps", body: `{"kind":"subscription","name":"X","subject_id":"{person}"}`, status: 409, code: "limit_exceeded", prefix: "a subject of kind individual may own at most 1 subscription app(s) (policy individual_max_subscription)"},
	{endpoint: "POST /admin/v1/apps", input: "a service account for a person", method: "POST", path: "/admin/v1/apps", body: `{"kind":"service","name":"X","subject_id":"{person}"}`, status: 409, code: "limit_exceeded", prefix: "a subject of kind individual may own at most 0 service app(s) (policy individual_max_service)"},
	{endpoint: "GET /admin/v1/apps", input: "unknown kind filter", method: "GET", path: "/admin/v1/apps?kind=game", status: 400, code: "invalid_input", field: "kind", prefix: `kind: "game" is not an app kind`},
	{endpoint: "GET /admin/v1/apps/{appid}", input: "unknown appid", method: "GET", path: "/admin/v1/apps/wx0000000000000000", status: 404, code: "not_found", prefix: "app not found"},
	{endpoint: "GET /admin/v1/apps/{appid}", input: "malformed appid (invalid UTF-8)", method: "GET", path: "/admin/v1/apps/%FF%00", status: 404, code: "not_found", prefix: "not found: the path is not valid UTF-8 text"},
	{endpoint: "POST /admin/v1/apps/{appid}/reset-secret", input: "unknown appid", method: "POST", path: "/admin/v1/apps/wx0000000000000000/reset-secret", status: 404, code: "not_found", prefix: "app not found"},
	{endpoint: "POST /admin/v1/apps/{appid}/reset-secret", input: "malformed appid (invalid UTF-8)", method: "POST", path: "/admin/v1/apps/%FF/reset-secret", status: 404, code: "not_found", prefix: "not found: the path is not valid UTF-8 text"},
	{endpoint: "PUT /admin/v1/apps/{appid}/ip-whitelist", input: "unknown appid", method: "PUT", path: "/admin/v1/apps/wx0000000000000000/ip-whitelist", body: `{"ips":["10.0.0.1"]}`, status: 404, code: "not_found", prefix: "app not found"},
	{endpoint: "PUT /admin/v1/apps/{appid}/ip-whitelist", input: "malformed appid (invalid UTF-8)", method: "PUT", path: "/admin/v1/apps/%FF/ip-whitelist", body: `{"ips":["10.0.0.1"]}`, status: 404, code: "not_found", prefix: "not found: the path is not valid UTF-8 text"},
	{endpoint: "PUT /admin/v1/apps/{appid}/ip-whitelist", input: "entry that is not an IP or CIDR", method: "PUT", path: "/admin/v1/apps/{mp}/ip-whitelist", body: `{"ips":["10.0.0.1","example.com"]}`, status: 400, code: "invalid_input", field: "ip_whitelist", prefix: `ip_whitelist: "example.com" is neither an IP address nor a CIDR range`},
	{endpoint: "PUT /admin/v1/apps/{appid}/ip-whitelist", input: "201 entries", method: "PUT", path: "/admin/v1/apps/{mp}/ip-whitelist", body: `{"ips":[` + strings.TrimSuffix(strings.Repeat(`"10.0.0.1",`, 201), ",") + `]}`, status: 400, code: "invalid_input", field: "ip_whitelist", prefix: "ip_whitelist: has 201 entries; at most 200 are allowed"},
	{endpoint: "PUT /admin/v1/apps/{appid}/ip-whitelist", input: "wrong type: `\"ips\":\"10.0.0.1\"`", method: "PUT", path: "/admin/v1/apps/{mp}/ip-whitelist", body: `{"ips":"10.0.0.1"}`, status: 400, code: "invalid_input", field: "body", prefix: "body: is not valid JSON for this request"},
	{endpoint: "PUT /admin/v1/apps/{appid}/oauth-domains", input: "a URL instead of a host", method: "PUT", path: "/admin/v1/apps/{oa}/oauth-domains", body: `{"domains":["https://example.com/cb"]}`, status: 400, code: "invalid_input", field: "oauth_domains", prefix: `oauth_domains: "https://example.com/cb" must be a host name`},
	{endpoint: "PUT /admin/v1/apps/{appid}/oauth-domains", input: "unknown appid", method: "PUT", path: "/admin/v1/apps/wx0000000000000000/oauth-domains", body: `{"domains":["example.com"]}`, status: 404, code: "not_found", prefix: "app not found"},

	// Subjects.
	{endpoint: "POST /admin/v1/subjects", input: "unknown kind", method: "POST", path: "/admin/v1/subjects", body: `{"kind":"company","name":"X"}`, status: 400, code: "invalid_input", field: "kind", prefix: `kind: "company" is not a subject kind; use one of enterprise, individual_business, government, media, other_organization, individual`},
	{endpoint: "POST /admin/v1/subjects", input: "name of 31 characters", method: "POST", path: "/admin/v1/subjects", body: `{"kind":"enterprise","name":"` + nameOf31 + `"}`, status: 400, code: "invalid_input", field: "name", prefix: "name: is 31 characters; at most 30 are allowed"},
	{endpoint: "POST /admin/v1/subjects", input: "unknown field", method: "POST", path: "/admin/v1/subjects", body: `{"kind":"enterprise","name":"X","certified":true}`, status: 400, code: "invalid_input", field: "body", prefix: `body: is not valid JSON for this request: json: unknown field "certified"`},

	// Open-platform accounts and binding.
	{endpoint: "POST /admin/v1/openplatforms", input: "name missing", method: "POST", path: "/admin/v1/openplatforms", body: `{}`, status: 400, code: "invalid_input", field: "name", prefix: "name: must not be empty"},
	{endpoint: "POST /admin/v1/openplatforms", input: "name of 31 characters", method: "POST", path: "/admin/v1/openplatforms", body: `{"name":"` + nameOf31 + `"}`, status: 400, code: "invalid_input", field: "name", prefix: "name: is 31 characters; at most 30 are allowed"},
	{endpoint: "POST /admin/v1/openplatforms", input: "unknown subject_id", method: "POST", path: "/admin/v1/openplatforms", body: `{"name":"X","subject_id":"sub_0000000000000000"}`, status: 404, code: "not_found", prefix: "subject not found"},
	{endpoint: "POST /admin/v1/openplatforms/{id}/bind", input: "body `{}` (appid missing)", method: "POST", path: "/admin/v1/openplatforms/{op2}/bind", body: `{}`, status: 400, code: "invalid_input", field: "appid", prefix: "appid: must not be empty"},
	{endpoint: "POST /admin/v1/openplatforms/{id}/bind", input: "unknown appid", method: "POST", path: "/admin/v1/openplatforms/{op2}/bind", body: `{"appid":"wx0000000000000000"}`, status: 404, code: "not_found", prefix: "app not found"},
	{endpoint: "POST /admin/v1/openplatforms/{id}/bind", input: "unknown open-platform account", method: "POST", path: "/admin/v1/openplatforms/op_0000000000000000/bind", body: `{"appid":"{mp2}"}`, status: 404, code: "not_found", prefix: "open platform account not found"},
	{endpoint: "POST /admin/v1/openplatforms/{id}/bind", input: "app already bound to another account", method: "POST", path: "/admin/v1/openplatforms/{op2}/bind", body: `{"appid":"{mp}"}`, status: 409, code: "conflict", prefix: "app is already bound to an open platform account"},
	{endpoint: "POST /admin/v1/openplatforms/{id}/bind", input: "official account to a person's account", method: "POST", path: "/admin/v1/openplatforms/{personop}/bind", body: `{"appid":"{personsub}"}`, status: 409, code: "limit_exceeded", prefix: "open platform account {personop} already binds 0 same-subject official accounts; the limit is 0 (policy individual_official_accounts)"},
	{endpoint: "POST /admin/v1/openplatforms/{id}/bind", input: "another subject's mini program to a person's account", method: "POST", path: "/admin/v1/openplatforms/{personop}/bind", body: `{"appid":"{mp2}"}`, status: 409, code: "limit_exceeded", prefix: "an open platform account of an individual may bind only that individual's own mini programs"},
	{endpoint: "POST /admin/v1/openplatforms/{id}/bind", input: "second same-subject mini program with policy org_same_subject_miniprograms = 1", method: "POST", path: "/admin/v1/openplatforms/{op}/bind", body: `{"appid":"{mp2}"}`, status: 409, code: "limit_exceeded", prefix: "open platform account {op} already binds 1 same-subject mini programs; the limit is 1 (policy org_same_subject_miniprograms)"},
	{endpoint: "POST /admin/v1/openplatforms/{id}/unbind", input: "app not bound to this account", method: "POST", path: "/admin/v1/openplatforms/{op2}/unbind", body: `{"appid":"{mp}"}`, status: 409, code: "conflict", prefix: "app is not bound to this open platform account"},
	{endpoint: "POST /admin/v1/openplatforms/{id}/unbind", input: "unknown appid", method: "POST", path: "/admin/v1/openplatforms/{op}/unbind", body: `{"appid":"wx0000000000000000"}`, status: 404, code: "not_found", prefix: "app not found"},

	// Simulation API.
	{endpoint: "POST /sim/v1/users", input: "name missing", method: "POST", path: "/sim/v1/users", body: `{}`, status: 400, code: "invalid_input", field: "name", prefix: "name: must not be empty"},
	{endpoint: "POST /sim/v1/users", input: "name of 33 characters", method: "POST", path: "/sim/v1/users", body: `{"name":"` + strings.Repeat("x", 33) + `"}`, status: 400, code: "invalid_input", field: "name", prefix: "name: is 33 characters; at most 32 are allowed"},
	{endpoint: "POST /sim/v1/users", input: "name with a NUL character", method: "POST", path: "/sim/v1/users", body: `{"name":"a\u0000"}`, status: 400, code: "invalid_input", field: "body", prefix: "body: must not contain NUL characters"},
	{endpoint: "POST /sim/v1/users", input: "malformed phone number", method: "POST", path: "/sim/v1/users", body: `{"name":"x","phone":"12ab","password":"password123"}`, status: 400, code: "invalid_input", field: "phone", prefix: "phone: must be 5 to 15 digits"},
	{endpoint: "POST /sim/v1/users", input: "phone without a password", method: "POST", path: "/sim/v1/users", body: `{"name":"x","phone":"13700137000"}`, status: 400, code: "invalid_input", field: "password", prefix: "password: must be at least 8 characters"},
	{endpoint: "POST /sim/v1/users", input: "password of 129 characters", method: "POST", path: "/sim/v1/users", body: `{"name":"x","phone":"13700137000","password":"` + strings.Repeat("p", 129) + `"}`, status: 400, code: "invalid_input", field: "password", prefix: "password: must be at most 128 characters"},
	{endpoint: "POST /sim/v1/users", input: "phone number already registered", method: "POST", path: "/sim/v1/users", body: `{"name":"x","phone":"13800138000","password":"password123"}`, status: 409, code: "conflict", prefix: "this phone number is already registered"},
	{endpoint: "POST /sim/v1/users", input: "unknown field", method: "POST", path: "/sim/v1/users", body: `{"name":"x","age":3}`, status: 400, code: "invalid_input", field: "body", prefix: `body: is not valid JSON for this request: json: unknown field "age"`},
	{endpoint: "GET /sim/v1/users/{user}", input: "unknown user", method: "GET", path: "/sim/v1/users/nobody", status: 404, code: "not_found", prefix: "user not found"},
	{endpoint: "GET /sim/v1/users/{user}", input: "user reference with invalid UTF-8", method: "GET", path: "/sim/v1/users/%FF%FE", status: 404, code: "not_found", prefix: "not found: the path is not valid UTF-8 text"},
	{endpoint: "GET /sim/v1/users/{user}", input: "name two users share", method: "GET", path: "/sim/v1/users/twin", status: 409, code: "conflict", prefix: "more than one user has this name; use the user id"},
	{endpoint: "POST /sim/v1/login-code", input: "body `{}` (appid missing)", method: "POST", path: "/sim/v1/login-code", body: `{}`, status: 400, code: "invalid_input", field: "appid", prefix: "appid: must not be empty"},
	{endpoint: "POST /sim/v1/login-code", input: "user missing", method: "POST", path: "/sim/v1/login-code", body: `{"appid":"{mp}"}`, status: 400, code: "invalid_input", field: "user", prefix: "user: must not be empty"},
	{endpoint: "POST /sim/v1/login-code", input: "unknown appid", method: "POST", path: "/sim/v1/login-code", body: `{"appid":"wx0000000000000000","user":"{alice}"}`, status: 404, code: "not_found", prefix: "app not found"},
	{endpoint: "POST /sim/v1/login-code", input: "unknown user", method: "POST", path: "/sim/v1/login-code", body: `{"appid":"{mp}","user":"nobody"}`, status: 404, code: "not_found", prefix: "user not found"},
	{endpoint: "POST /sim/v1/login-code", input: "official-account appid", method: "POST", path: "/sim/v1/login-code", body: `{"appid":"{oa}","user":"{alice}"}`, status: 400, code: "invalid_input", field: "appid", prefix: "appid: {oa} is a service account; this action needs a miniprogram"},
	{endpoint: "POST /sim/v1/phone-code", input: "user without a phone number", method: "POST", path: "/sim/v1/phone-code", body: `{"appid":"{mp}","user":"{bob}"}`, status: 400, code: "invalid_input", field: "user", prefix: "user: {bob} has no phone number"},
	{endpoint: "POST /sim/v1/user-profile", input: "user never signed in to the mini program", method: "POST", path: "/sim/v1/user-profile", body: `{"appid":"{mp2}","user":"{bob}"}`, status: 409, code: "no_session", prefix: "no session"},
	{endpoint: "POST /sim/v1/oauth-code", input: "mini program appid", method: "POST", path: "/sim/v1/oauth-code", body: `{"appid":"{mp}","user":"{alice}"}`, status: 400, code: "invalid_input", field: "appid", prefix: "appid: {mp} is a miniprogram account; this action needs a subscription"},
	{endpoint: "POST /sim/v1/oauth-code", input: "unknown scope", method: "POST", path: "/sim/v1/oauth-code", body: `{"appid":"{oa}","user":"{alice}","scope":"snsapi_login"}`, status: 400, code: "invalid_input", field: "scope", prefix: "scope: must be snsapi_base or snsapi_userinfo"},
	{endpoint: "POST /sim/v1/jssdk-config", input: "url missing", method: "POST", path: "/sim/v1/jssdk-config", body: `{"appid":"{oa}","nonceStr":"n","timestamp":"1","signature":"s"}`, status: 400, code: "invalid_input", field: "url", prefix: "url: must not be empty"},
	{endpoint: "POST /sim/v1/jssdk-config", input: "wrong signature", method: "POST", path: "/sim/v1/jssdk-config", body: `{"appid":"{oa}","url":"https://example.com/","nonceStr":"n","timestamp":"1","signature":"0000"}`, status: 403, code: "invalid_signature", prefix: "config:invalid signature"},
	{endpoint: "POST /sim/v1/jssdk-config", input: "unknown appid", method: "POST", path: "/sim/v1/jssdk-config", body: `{"appid":"wx0000000000000000","url":"https://example.com/","nonceStr":"n","timestamp":"1","signature":"0000"}`, status: 404, code: "not_found", prefix: "app not found"},

	// Official accounts: developer servers (the fixture is not in dev mode, so loopback is refused).
	{endpoint: "PUT /admin/v1/apps/{appid}/callback", input: "url missing", method: "PUT", path: "/admin/v1/apps/{oa}/callback", body: `{"token":"tok123","mode":"plain"}`, status: 400, code: "invalid_input", field: "url", prefix: "url: is required"},
	{endpoint: "PUT /admin/v1/apps/{appid}/callback", input: "ftp URL", method: "PUT", path: "/admin/v1/apps/{oa}/callback", body: `{"url":"ftp://example.com/cb","token":"tok123","mode":"plain"}`, status: 400, code: "invalid_input", field: "url", prefix: "url: must be an absolute http:// or https:// URL"},
	{endpoint: "PUT /admin/v1/apps/{appid}/callback", input: "token of 2 characters", method: "PUT", path: "/admin/v1/apps/{oa}/callback", body: `{"url":"https://example.com/cb","token":"ab","mode":"plain"}`, status: 400, code: "invalid_input", field: "token", prefix: "token: must be 3–32 letters or digits"},
	{endpoint: "PUT /admin/v1/apps/{appid}/callback", input: "token with punctuation", method: "PUT", path: "/admin/v1/apps/{oa}/callback", body: `{"url":"https://example.com/cb","token":"tok-123","mode":"plain"}`, status: 400, code: "invalid_input", field: "token", prefix: "token: must be 3–32 letters or digits"},
	{endpoint: "PUT /admin/v1/apps/{appid}/callback", input: "EncodingAESKey of 42 characters in safe mode", method: "PUT", path: "/admin/v1/apps/{oa}/callback", body: `{"url":"https://example.com/cb","token":"tok123","encoding_aes_key":"` + strings.Repeat("a", 42) + `","mode":"safe"}`, status: 400, code: "invalid_input", field: "encoding_aes_key", prefix: "encoding_aes_key: must be exactly 43 letters or digits"},
	{endpoint: "PUT /admin/v1/apps/{appid}/callback", input: "safe mode without a key", method: "PUT", path: "/admin/v1/apps/{oa}/callback", body: `{"url":"https://example.com/cb","token":"tok123","mode":"safe"}`, status: 400, code: "invalid_input", field: "encoding_aes_key", prefix: "encoding_aes_key: is required in safe mode"},
	{endpoint: "PUT /admin/v1/apps/{appid}/callback", input: "unknown mode", method: "PUT", path: "/admin/v1/apps/{oa}/callback", body: `{"url":"https://example.com/cb","token":"tok123","mode":"secret"}`, status: 400, code: "invalid_input", field: "mode", prefix: "mode: must be plain, compatible or safe"},
	{endpoint: "PUT /admin/v1/apps/{appid}/callback", input: "loopback target outside dev mode (SSRF)", method: "PUT", path: "/admin/v1/apps/{oa}/callback", body: `{"url":"http://127.0.0.1:9/cb","token":"tok123","mode":"plain"}`, status: 400, code: "invalid_input", field: "url", prefix: "url: the host \"127.0.0.1\" resolves to 127.0.0.1, a loopback address; callbacks to loopback, private and other non-public addresses are refused unless the operator allows them"},
	{endpoint: "PUT /admin/v1/apps/{appid}/callback", input: "private-range target outside dev mode (SSRF)", method: "PUT", path: "/admin/v1/apps/{oa}/callback", body: `{"url":"http://10.1.2.3/cb","token":"tok123","mode":"plain"}`, status: 400, code: "invalid_input", field: "url", prefix: "url: the host \"10.1.2.3\" resolves to 10.1.2.3, a private address"},
	{endpoint: "PUT /admin/v1/apps/{appid}/callback", input: "unknown appid", method: "PUT", path: "/admin/v1/apps/wx0000000000000000/callback", body: `{"url":"https://example.com/cb","token":"tok123","mode":"plain"}`, status: 404, code: "not_found", prefix: "app not found"},

	// Official accounts: auto-replies.
	{endpoint: "PUT /admin/v1/apps/{appid}/autoreply", input: "unknown field", method: "PUT", path: "/admin/v1/apps/{oa}/autoreply", body: `{"keyword_rules":[],"colour":"red"}`, status: 400, code: "invalid_input", field: "body", prefix: "body: is not valid JSON for this request: json: unknown field \"colour\""},
	{endpoint: "PUT /admin/v1/apps/{appid}/autoreply", input: "a rule without keywords", method: "PUT", path: "/admin/v1/apps/{oa}/autoreply", body: `{"keyword_rules":[{"rule_name":"r","keywords":[],"reply_mode":"reply_all","replies":[{"type":"text","content":"x"}]}]}`, status: 400, code: "invalid_input", field: "keyword_rules[0].keywords", prefix: "keyword_rules[0].keywords: has 0 keywords; a rule has 1 to 10"},
	{endpoint: "PUT /admin/v1/apps/{appid}/autoreply", input: "unknown match_mode", method: "PUT", path: "/admin/v1/apps/{oa}/autoreply", body: `{"keyword_rules":[{"rule_name":"r","keywords":[{"match_mode":"regex","content":"hi"}],"reply_mode":"reply_all","replies":[{"type":"text","content":"x"}]}]}`, status: 400, code: "invalid_input", field: "keyword_rules[0].keywords[0].match_mode", prefix: "keyword_rules[0].keywords[0].match_mode: must be \"equal\" (the whole message) or \"contain\""},
	{endpoint: "PUT /admin/v1/apps/{appid}/autoreply", input: "a reply of 601 characters", method: "PUT", path: "/admin/v1/apps/{oa}/autoreply", body: `{"keyword_rules":[{"rule_name":"r","keywords":[{"match_mode":"equal","content":"hi"}],"reply_mode":"reply_all","replies":[{"type":"text","content":"` + strings.Repeat("x", 601) + `"}]}]}`, status: 400, code: "invalid_input", field: "keyword_rules[0].replies[0].content", prefix: "keyword_rules[0].replies[0].content: is 601 characters; at most 600 are allowed"},
	{endpoint: "PUT /admin/v1/apps/{appid}/autoreply", input: "a mini program", method: "PUT", path: "/admin/v1/apps/{mp}/autoreply", body: `{"keyword_rules":[]}`, status: 400, code: "invalid_input", field: "appid", prefix: "appid: is not an official account"},

	// Official accounts: what a follower does.
	{endpoint: "POST /sim/v1/oa/follow", input: "a mini program", method: "POST", path: "/sim/v1/oa/follow", body: `{"appid":"{mp}","user":"{alice}"}`, status: 400, code: "invalid_input", field: "appid", prefix: "appid: {mp} is a miniprogram account; this action needs a subscription or service account"},
	{endpoint: "POST /sim/v1/oa/follow", input: "unknown user", method: "POST", path: "/sim/v1/oa/follow", body: `{"appid":"{oa}","user":"u_0000000000000000"}`, status: 404, code: "not_found", prefix: "user not found"},
	{endpoint: "POST /sim/v1/oa/follow", input: "unknown scene", method: "POST", path: "/sim/v1/oa/follow", body: `{"appid":"{oa}","user":"{bob}","scene":"billboard"}`, status: 400, code: "invalid_input", field: "scene", prefix: "scene: unknown follow scene \"billboard\""},
	{endpoint: "POST /sim/v1/oa/send", input: "a user who does not follow", method: "POST", path: "/sim/v1/oa/send", body: `{"appid":"{oa}","user":"{bob}","text":"hi"}`, status: 409, code: "not_following", prefix: "user {bob} does not follow {oa}; follow first"},
	{endpoint: "POST /sim/v1/oa/send", input: "empty text", method: "POST", path: "/sim/v1/oa/send", body: `{"appid":"{oa}","user":"{alice}","text":""}`, status: 400, code: "invalid_input", field: "text", prefix: "text: must not be empty"},
	{endpoint: "POST /sim/v1/oa/send", input: "unknown kind", method: "POST", path: "/sim/v1/oa/send", body: `{"appid":"{oa}","user":"{alice}","kind":"sticker"}`, status: 400, code: "invalid_input", field: "kind", prefix: "kind: must be text, image, voice, video, location or link"},
	{endpoint: "POST /sim/v1/oa/send", input: "image with a javascript: URL", method: "POST", path: "/sim/v1/oa/send", body: `{"appid":"{oa}","user":"{alice}","kind":"image","url":"javascript:alert(1)"}`, status: 400, code: "invalid_input", field: "url", prefix: "url: must be an http or https address"},
	{endpoint: "POST /sim/v1/oa/click", input: "a key no button has", method: "POST", path: "/sim/v1/oa/click", body: `{"appid":"{oa}","user":"{alice}","key":"NOPE"}`, status: 404, code: "no_such_button", prefix: "the menu has no such button"},
	{endpoint: "POST /sim/v1/oa/scan", input: "a URL that is not a QR code's", method: "POST", path: "/sim/v1/oa/scan", body: `{"user":"{alice}","url":"https://example.com/page"}`, status: 400, code: "invalid_input", field: "url", prefix: "url: must be a QR code URL of the form http(s)://<host>/q/<code>"},
	{endpoint: "POST /sim/v1/oa/scan", input: "unknown code", method: "POST", path: "/sim/v1/oa/scan", body: `{"user":"{alice}","url":"http://127.0.0.1/q/nonexistent"}`, status: 404, code: "not_found", field: "url", prefix: "url: no QR code has this URL's code"},
	{endpoint: "GET /sim/v1/oa/inbox", input: "appid missing", method: "GET", path: "/sim/v1/oa/inbox?user={alice}", status: 400, code: "invalid_input", field: "appid", prefix: "appid: must not be empty"},
}

// stateQueries read what any admin or simulation write changes.
var stateQueries = []string{
	"SELECT COUNT(*) FROM subjects", "SELECT COUNT(*) FROM open_platforms", "SELECT COUNT(*) FROM apps",
	"SELECT COUNT(*) FROM users", "SELECT COUNT(*) FROM app_users", "SELECT COUNT(*) FROM login_codes",
	"SELECT COUNT(*) FROM phone_codes", "SELECT COUNT(*) FROM oauth_codes", "SELECT COUNT(*) FROM jsapi_tickets",
	"SELECT appid || ':' || COALESCE(open_platform_id, '') || ':' || secret_hash || ':' || ip_whitelist || ':' || oauth_domains FROM apps ORDER BY appid",
	"SELECT COUNT(*) FROM oa_followers", "SELECT COUNT(*) FROM oa_messages", "SELECT COUNT(*) FROM oa_inbox",
	"SELECT COUNT(*) FROM oa_callbacks", "SELECT COUNT(*) FROM oa_callback_configs", "SELECT COUNT(*) FROM oa_autoreplies",
}

func snapshot(t *testing.T, s *testserver.Server) string {
	t.Helper()
	var b strings.Builder
	for _, q := range stateQueries {
		rows, err := s.Server.P.DB.Query(context.Background(), q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			b.WriteString(v + "\n")
		}
		rows.Close()
		b.WriteString("--\n")
	}
	return b.String()
}

func TestAdminBadInput(t *testing.T) {
	f := newFixture(t)
	seen := map[string]bool{}
	for _, c := range adminCases {
		name := c.endpoint + ": " + c.input
		if seen[name] {
			t.Fatalf("duplicate case %q", name)
		}
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			before := snapshot(t, f.s)
			var rd io.Reader
			if c.body != "" {
				rd = strings.NewReader(f.expand(c.body))
			}
			req, err := http.NewRequest(c.method, f.s.URL+f.expand(c.path), rd)
			if err != nil {
				t.Fatal(err)
			}
			switch c.auth {
			case authOperator:
				req.Header.Set("Authorization", "Bearer "+testserver.OperatorKey)
			case authWrong:
				req.Header.Set("Authorization", "Bearer sak_wrong")
			case authBasic:
				req.Header.Set("Authorization", "Basic "+testserver.OperatorKey)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.status {
				t.Fatalf("HTTP %d, want %d: %s", resp.StatusCode, c.status, raw)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("Content-Type %q", ct)
			}
			var out struct {
				Error *struct {
					Code    string `json:"code"`
					Message string `json:"message"`
					Field   string `json:"field"`
				} `json:"error"`
			}
			if err := json.Unmarshal(raw, &out); err != nil || out.Error == nil {
				t.Fatalf("answer is not {\"error\":{…}}: %s", raw)
			}
			e := out.Error
			if e.Code != c.code || e.Field != c.field || !strings.HasPrefix(e.Message, f.expand(c.prefix)) {
				t.Fatalf("error %+v, want code %q field %q message prefix %q", *e, c.code, c.field, f.expand(c.prefix))
			}
			if after := snapshot(t, f.s); after != before {
				t.Fatalf("half-written: state before\n%s\nafter\n%s", before, after)
			}
		})
	}
	checkDoc(t, "admin", adminTable())
}

func adminTable() string {
	var b strings.Builder
	b.WriteString("| API | endpoint | bad input | expected answer | note |\n|---|---|---|---|---|\n")
	for _, c := range adminCases {
		api := "admin"
		if strings.HasPrefix(c.path, "/sim/") {
			api = "simulation"
		}
		answer := fmt.Sprintf("%d `%s`", c.status, c.code)
		if c.field != "" {
			answer += fmt.Sprintf(" field `%s`", c.field)
		}
		answer += fmt.Sprintf(": `%s …`", c.prefix)
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s | %s |\n", api, c.endpoint, cell(c.input), cell(answer), cell(c.note))
	}
	return b.String()
}

func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

var docPath = filepath.Join("..", "..", "docs", "bad-input.md")

// checkDoc compares section of docs/bad-input.md with body, or with -update
// rewrites it (same scheme as internal/wire's bad-input test).
func checkDoc(t *testing.T, section, body string) {
	t.Helper()
	begin, end := "<!-- begin "+section+" (generated) -->\n", "<!-- end "+section+" -->"
	raw, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatalf("read %s: %v", docPath, err)
	}
	doc := string(raw)
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		t.Fatalf("%s lacks the markers %q and %q", docPath, strings.TrimSpace(begin), end)
	}
	if *update {
		doc = doc[:i+len(begin)] + body + doc[j:]
		if err := os.WriteFile(docPath, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if doc[i+len(begin):j] != body {
		t.Fatalf("%s is out of date with the %s bad-input cases; regenerate with: go test ./internal/wire ./internal/adminapi -run BadInput -update", docPath, section)
	}
}
