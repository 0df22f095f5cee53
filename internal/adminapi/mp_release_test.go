package adminapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"superapp/internal/release"
	"superapp/internal/testserver"
)

// releaseDevVersion records an upload of appid and returns its id.
func releaseDevVersion(t *testing.T, s *testserver.Server, appid, userVersion string) int64 {
	t.Helper()
	manifest := `{"appid":"` + appid + `","v":"` + userVersion + `"}`
	sum := sha256.Sum256([]byte(manifest))
	v, err := s.Server.P.Releases.AddDevVersion(context.Background(), appid, release.DevVersionInput{
		Uploader: "key:admin-test", UserVersion: userVersion, Manifest: []byte(manifest),
		ManifestHash: hex.EncodeToString(sum[:]), Pages: []string{"pages/index/index"},
	})
	if err != nil {
		t.Fatalf("AddDevVersion: %v", err)
	}
	return v.ID
}

// refusedWith fails unless the call answers status with a problem naming
// field (when given) and containing msg.
func refusedWith(t *testing.T, s *testserver.Server, method, path string, body any, status int, field, msg string) {
	t.Helper()
	code, raw := s.Do(t, method, path, body)
	var pb problemBody
	json.Unmarshal(raw, &pb)
	if code != status || (field != "" && pb.Error.Field != field) || !strings.Contains(pb.Error.Message, msg) {
		t.Fatalf("%s %s: %d %s; want %d naming %q with %q", method, path, code, raw, status, field, msg)
	}
}

type auditAnswer struct {
	ID        int64  `json:"auditid"`
	AppID     string `json:"appid"`
	AppName   string `json:"app_name"`
	VersionID int64  `json:"version_id"`
	Status    int    `json:"status"`
	Reason    string `json:"reason"`
	Reviewer  string `json:"reviewer"`
}

func TestReviewQueueAdminAPI(t *testing.T) {
	s := testserver.New(t)
	ctx := context.Background()
	mp := s.CreateApp(t, "miniprogram", "Shop")
	oa := s.CreateApp(t, "service", "News")
	v1 := releaseDevVersion(t, s, mp.AppID, "1.0.0")
	tok := s.AccessToken(t, mp)
	if m := s.Post(t, "/wxa/commit?access_token="+tok, fmt.Sprintf(`{"template_id":%d}`, v1)); testserver.Errcode(m) != 0 {
		t.Fatalf("commit: %v", m)
	}
	submit := func() int64 {
		t.Helper()
		m := s.Post(t, "/wxa/submit_audit?access_token="+tok, `{"version_desc":"please"}`)
		id, _ := m["auditid"].(float64)
		if id <= 0 {
			t.Fatalf("submit_audit: %v", m)
		}
		return int64(id)
	}

	var queue []auditAnswer
	s.Call(t, "GET", "/admin/v1/reviews", nil, &queue)
	if queue == nil || len(queue) != 0 {
		t.Fatalf("empty queue = %#v", queue)
	}
	a1 := submit()
	s.Call(t, "GET", "/admin/v1/reviews", nil, &queue)
	if len(queue) != 1 || queue[0].ID != a1 || queue[0].AppID != mp.AppID || queue[0].AppName != "Shop" || queue[0].Status != 2 {
		t.Fatalf("queue = %+v", queue)
	}
	var one auditAnswer
	s.Call(t, "GET", fmt.Sprintf("/admin/v1/reviews/%d", a1), nil, &one)
	if one.ID != a1 || one.VersionID != v1 {
		t.Fatalf("show = %+v", one)
	}
	refusedWith(t, s, "GET", "/admin/v1/reviews/abc", nil, 400, "auditid", "positive integer")
	refusedWith(t, s, "GET", "/admin/v1/reviews/999", nil, 404, "", "no such audit")

	// Reject needs a reason; an empty one changes nothing.
	refusedWith(t, s, "POST", fmt.Sprintf("/admin/v1/reviews/%d/reject", a1), map[string]any{}, 400, "reason", "required")
	refusedWith(t, s, "POST", fmt.Sprintf("/admin/v1/reviews/%d/reject", a1), map[string]any{"reason": "  "}, 400, "reason", "required")
	refusedWith(t, s, "POST", fmt.Sprintf("/admin/v1/reviews/%d/reject", a1), map[string]any{"reason": "x", "extra": 1}, 400, "body", "unknown field")
	refusedWith(t, s, "POST", fmt.Sprintf("/admin/v1/reviews/%d/reject", a1), map[string]any{"reason": strings.Repeat("r", 4097)}, 400, "reason", "4096")
	if au, _ := s.Server.P.Releases.AuditByID(ctx, a1); au.Status != release.AuditInReview {
		t.Fatalf("a refused reject changed the audit: %+v", au)
	}
	var rejected auditAnswer
	s.Call(t, "POST", fmt.Sprintf("/admin/v1/reviews/%d/reject", a1), map[string]any{"reason": "pages/index/index.wxml:3: fake red packet"}, &rejected)
	if rejected.Status != 1 || rejected.Reason != "pages/index/index.wxml:3: fake red packet" || rejected.Reviewer != "operator" {
		t.Fatalf("reject = %+v", rejected)
	}
	refusedWith(t, s, "POST", fmt.Sprintf("/admin/v1/reviews/%d/approve", a1), nil, 409, "", "not in review")
	if st := s.Post(t, "/wxa/get_auditstatus?access_token="+tok, fmt.Sprintf(`{"auditid":%d}`, a1)); st["status"] != float64(1) || !strings.Contains(st["reason"].(string), "red packet") {
		t.Fatalf("the developer sees %v", st)
	}

	// Two more rejections restrict the app; unrestrict lifts it.
	for i := 0; i < 2; i++ {
		s.Call(t, "POST", fmt.Sprintf("/admin/v1/reviews/%d/reject", submit()), map[string]any{"reason": "no"}, nil)
	}
	if m := s.Post(t, "/wxa/submit_audit?access_token="+tok, `{}`); testserver.Errcode(m) != 85085 {
		t.Fatalf("submit when restricted: %v", m)
	}
	refusedWith(t, s, "POST", "/admin/v1/apps/"+oa.AppID+"/miniprogram/unrestrict", nil, 400, "appid", "only mini programs")
	refusedWith(t, s, "POST", "/admin/v1/apps/wxnothing/miniprogram/unrestrict", nil, 404, "", "")
	var after struct {
		Restricted bool `json:"restricted"`
		Rejections int  `json:"rejections"`
	}
	s.Call(t, "POST", "/admin/v1/apps/"+mp.AppID+"/miniprogram/unrestrict", nil, &after)
	if after.Restricted || after.Rejections != 0 {
		t.Fatalf("after unrestrict: %+v", after)
	}

	a4 := submit()
	var approved auditAnswer
	s.Call(t, "POST", fmt.Sprintf("/admin/v1/reviews/%d/approve", a4), nil, &approved)
	if approved.Status != 0 {
		t.Fatalf("approve = %+v", approved)
	}
	if m := s.Post(t, "/wxa/release?access_token="+tok, ``); testserver.Errcode(m) != 0 {
		t.Fatalf("release after approval: %v", m)
	}
	s.Call(t, "GET", "/admin/v1/reviews", nil, &queue)
	if len(queue) != 0 {
		t.Fatalf("queue after decisions = %+v", queue)
	}
}

func TestMiniProgramVersionsAdminAPI(t *testing.T) {
	s := testserver.New(t)
	mp := s.CreateApp(t, "miniprogram", "Shop")
	oa := s.CreateApp(t, "service", "News")
	alice := s.CreateUser(t, "alice", "13800138000")
	base := "/admin/v1/apps/" + mp.AppID + "/miniprogram/"

	// Members.
	var added struct {
		UserID string `json:"user_id"`
		Role   string `json:"role"`
		Name   string `json:"name"`
	}
	s.Call(t, "POST", base+"members", map[string]any{"user": "13800138000", "role": "trial"}, &added)
	if added.UserID != alice.ID || added.Role != "trial" || added.Name != "alice" {
		t.Fatalf("add member = %+v", added)
	}
	s.Call(t, "POST", base+"members", map[string]any{"user": "alice", "role": "project"}, nil)
	refusedWith(t, s, "POST", base+"members", map[string]any{"user": "alice", "role": "admin"}, 400, "role", "trial")
	refusedWith(t, s, "POST", base+"members", map[string]any{"user": "nobody", "role": "trial"}, 400, "user", "no user")
	refusedWith(t, s, "POST", base+"members", map[string]any{"role": "trial"}, 400, "user", "required")
	refusedWith(t, s, "POST", "/admin/v1/apps/"+oa.AppID+"/miniprogram/members", map[string]any{"user": "alice", "role": "trial"}, 400, "appid", "only mini programs")
	var members []struct {
		UserID string `json:"user_id"`
		Role   string `json:"role"`
		Name   string `json:"name"`
	}
	s.Call(t, "GET", base+"members", nil, &members)
	if len(members) != 2 || members[0].Name != "alice" {
		t.Fatalf("members = %+v", members)
	}
	s.Call(t, "DELETE", base+"members/project/"+alice.ID, nil, nil)
	refusedWith(t, s, "DELETE", base+"members/project/"+alice.ID, nil, 404, "", "not a project member")
	refusedWith(t, s, "DELETE", base+"members/owner/"+alice.ID, nil, 400, "role", "trial")
	s.Call(t, "GET", base+"members", nil, &members)
	if len(members) != 1 || members[0].Role != "trial" {
		t.Fatalf("members after remove = %+v", members)
	}

	// Versions, trial set, gray with named users.
	type versions struct {
		AppID       string            `json:"appid"`
		DevVersions []release.Version `json:"dev_versions"`
		Trial       *release.Version  `json:"trial"`
		TrialExt    string            `json:"trial_ext_json"`
		Online      *release.Version  `json:"online"`
		Gray        *release.GrayPlan `json:"gray"`
		History     []json.RawMessage `json:"history"`
	}
	var vs versions
	s.Call(t, "GET", base+"versions", nil, &vs)
	if vs.AppID != mp.AppID || len(vs.DevVersions) != 0 || vs.Trial != nil || vs.Online != nil || vs.History == nil {
		t.Fatalf("fresh versions = %+v", vs)
	}
	v1 := releaseDevVersion(t, s, mp.AppID, "1.0.0")
	v2 := releaseDevVersion(t, s, mp.AppID, "1.1.0")
	refusedWith(t, s, "PUT", base+"trial", map[string]any{}, 400, "version_id", "required")
	refusedWith(t, s, "PUT", base+"trial", map[string]any{"version_id": 99}, 400, "version_id", "no dev version 99")
	refusedWith(t, s, "PUT", base+"trial", map[string]any{"version_id": v1, "ext_json": "[]"}, 400, "ext_json", "JSON object")
	refusedWith(t, s, "PUT", base+"trial", map[string]any{"version_id": v1, "user_version": strings.Repeat("v", 65)}, 400, "user_version", "64")
	s.Call(t, "PUT", base+"trial", map[string]any{"version_id": v1, "ext_json": `{"a":1}`}, &vs)
	if vs.Trial == nil || vs.Trial.ID != v1 || vs.TrialExt != `{"a":1}` || len(vs.DevVersions) != 2 || vs.DevVersions[0].ID != v2 {
		t.Fatalf("after trial set = %+v", vs)
	}

	refusedWith(t, s, "POST", base+"gray", map[string]any{"gray_percentage": 10}, 409, "", "")
	// Ship v1, then gray v2 to bob by name.
	tok := s.AccessToken(t, mp)
	s.Post(t, "/wxa/submit_audit?access_token="+tok, `{}`)
	latest := s.Get(t, "/wxa/get_latest_auditstatus?access_token="+tok)
	s.Call(t, "POST", fmt.Sprintf("/admin/v1/reviews/%.0f/approve", latest["auditid"]), nil, nil)
	s.Post(t, "/wxa/release?access_token="+tok, ``)
	s.Call(t, "PUT", base+"trial", map[string]any{"version_id": v2}, nil)
	s.Post(t, "/wxa/submit_audit?access_token="+tok, `{}`)
	latest = s.Get(t, "/wxa/get_latest_auditstatus?access_token="+tok)
	s.Call(t, "POST", fmt.Sprintf("/admin/v1/reviews/%.0f/approve", latest["auditid"]), nil, nil)

	bob := s.CreateUser(t, "bob", "13900139000")
	refusedWith(t, s, "POST", base+"gray", map[string]any{"gray_percentage": 101}, 400, "gray_percentage", "0 to 100")
	refusedWith(t, s, "POST", base+"gray", map[string]any{"gray_percentage": 5, "users": []string{"nobody"}}, 400, "user", "no user")
	refusedWith(t, s, "POST", base+"gray", map[string]any{"gray_percentage": 0}, 400, "gray_percentage", "")
	s.Call(t, "POST", base+"gray", map[string]any{"gray_percentage": 5, "users": []string{"bob"}}, &vs)
	bobOID := s.Server.P.Identity.OpenID(mp.AppID, bob.ID)
	if vs.Gray == nil || vs.Gray.Status != 1 || vs.Gray.Percentage != 5 || strings.Join(vs.Gray.NamedOpenIDs, ",") != bobOID {
		t.Fatalf("gray = %+v", vs.Gray)
	}
	if r, err := s.Server.P.Releases.Resolve(mp.AppID, bob.ID, bobOID, ""); err != nil || r.VersionID != v2 || r.Channel != release.ChannelGray {
		t.Fatalf("bob resolves to %+v %v", r, err)
	}
	// The developer sees the named user in the plan too.
	plan := s.Get(t, "/wxa/getgrayreleaseplan?access_token="+tok)["gray_release_plan"].(map[string]any)
	if l, _ := plan["named_openids"].([]any); len(l) != 1 || l[0] != bobOID {
		t.Fatalf("getgrayreleaseplan = %v", plan)
	}
	refusedWith(t, s, "GET", "/admin/v1/apps/"+oa.AppID+"/miniprogram/versions", nil, 400, "appid", "only mini programs")
}

func TestPolicyShowsEveryPart(t *testing.T) {
	s := testserver.New(t)
	var got map[string]map[string]any
	s.Call(t, "GET", "/admin/v1/policy", nil, &got)
	for part, key := range map[string]string{"accounts": "org_same_subject_miniprograms", "quota": "daily", "official_accounts": "mass_subscription_per_day",
		"releases": "rejections_before_restriction", "codes": "code_lifetime_cap", "subscribe_messages": "templates_per_app", "nearby": "radius_meters"} {
		if _, ok := got[part][key]; !ok {
			t.Errorf("policy.%s has no %s: %v", part, key, got[part])
		}
	}
	if got["releases"]["gray_auto_full_days"] != float64(15) {
		t.Errorf("releases = %v", got["releases"])
	}
}
