package wire_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image/jpeg"
	"net/url"
	"strings"
	"testing"

	"superapp/internal/release"
	"superapp/internal/shell"
	"superapp/internal/testserver"
)

// relWorld is a mini program with a token, a second mini program (for
// cross-app calls), an official account and two users signed in to the
// first mini program.
type relWorld struct {
	s                *testserver.Server
	app, other, oa   testserver.App
	tok, otherTok    string
	oaTok            string
	alice, bob       testserver.User
	aliceOID, bobOID string
}

func newRelWorld(t *testing.T) *relWorld {
	s := testserver.New(t)
	w := &relWorld{s: s}
	w.app = s.CreateApp(t, "miniprogram", "Shop")
	w.other = s.CreateApp(t, "miniprogram", "Other Shop")
	w.oa = s.CreateApp(t, "service", "News")
	w.tok, w.otherTok, w.oaTok = s.AccessToken(t, w.app), s.AccessToken(t, w.other), s.AccessToken(t, w.oa)
	w.alice = s.CreateUser(t, "alice", "13800138000")
	w.bob = s.CreateUser(t, "bob", "13900139000")
	for _, u := range []struct {
		id  string
		oid *string
	}{{w.alice.ID, &w.aliceOID}, {w.bob.ID, &w.bobOID}} {
		var lc struct {
			OpenID string `json:"openid"`
		}
		s.Call(t, "POST", "/sim/v1/login-code", map[string]string{"appid": w.app.AppID, "user": u.id}, &lc)
		*u.oid = lc.OpenID
	}
	return w
}

// devVersion records an upload of appid as a dev version (what
// `superapp upload` ends with) and returns its id.
func devVersion(t *testing.T, s *testserver.Server, appid, userVersion string) int64 {
	t.Helper()
	manifest := `{"appid":"` + appid + `","pages":{"pages/index/index":{},"pages/about/about":{}},"v":"` + userVersion + `"}`
	sum := sha256.Sum256([]byte(manifest))
	v, err := s.Server.P.Releases.AddDevVersion(context.Background(), appid, release.DevVersionInput{
		Uploader: "key:test", UserVersion: userVersion, UserDesc: "build " + userVersion, Manifest: []byte(manifest),
		ManifestHash: hex.EncodeToString(sum[:]), Pages: []string{"pages/index/index", "pages/about/about"},
	})
	if err != nil {
		t.Fatalf("AddDevVersion: %v", err)
	}
	return v.ID
}

func (w *relWorld) get(t *testing.T, path string, tok string) map[string]any {
	t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return w.s.Get(t, path+sep+"access_token="+tok)
}

func (w *relWorld) post(t *testing.T, path, tok string, body any) map[string]any {
	t.Helper()
	raw, ok := body.(string)
	if !ok {
		b, _ := json.Marshal(body)
		raw = string(b)
	}
	return w.s.Post(t, path+"?access_token="+tok, raw)
}

// wantCode fails unless m is errcode want (0 also accepts no errcode).
func wantCode(t *testing.T, what string, m map[string]any, want int, msgPart string) {
	t.Helper()
	if got := testserver.Errcode(m); got != want {
		t.Fatalf("%s = %v, want errcode %d", what, m, want)
	}
	if msg, _ := m["errmsg"].(string); !strings.Contains(msg, msgPart) {
		t.Fatalf("%s errmsg %q, want it to contain %q", what, msg, msgPart)
	}
}

func (w *relWorld) approveLatest(t *testing.T, tok string) int64 {
	t.Helper()
	latest := w.get(t, "/wxa/get_latest_auditstatus", tok)
	id := int64(latest["auditid"].(float64))
	if _, err := w.s.Server.P.Releases.Approve(context.Background(), id, "test"); err != nil {
		t.Fatalf("Approve(%d): %v", id, err)
	}
	return id
}

func TestMPReleaseCommitAndTrial(t *testing.T) {
	w := newRelWorld(t)
	wantCode(t, "get_page before any commit", w.get(t, "/wxa/get_page", w.tok), 85086, "must commit code")
	wantCode(t, "submit_audit before any commit", w.post(t, "/wxa/submit_audit", w.tok, `{}`), 85086, "")
	wantCode(t, "get_qrcode before any commit", w.get(t, "/wxa/get_qrcode", w.tok), 85086, "")

	v1 := devVersion(t, w.s, w.app.AppID, "1.0.0")
	wantCode(t, "commit of an unknown id", w.post(t, "/wxa/commit", w.tok, map[string]any{"template_id": 99}), 85014, "template not exist")
	wantCode(t, "commit of a non-numeric id", w.post(t, "/wxa/commit", w.tok, map[string]any{"template_id": "abc"}), 85014, "template not exist")
	wantCode(t, "commit without template_id", w.post(t, "/wxa/commit", w.tok, `{"ext_json":"{}"}`), 85014, "")
	wantCode(t, "commit with ext_json an array", w.post(t, "/wxa/commit", w.tok, map[string]any{"template_id": v1, "ext_json": "[1]"}), 85013, "invalid ext config")
	wantCode(t, "commit with ext_json a number", w.post(t, "/wxa/commit", w.tok, `{"template_id":1,"ext_json":5}`), 85013, "")
	wantCode(t, "commit with a long user_version", w.post(t, "/wxa/commit", w.tok, map[string]any{"template_id": v1, "user_version": strings.Repeat("v", 65)}), 40097, "user_version")
	// Another app's dev version is not a template of this one.
	wantCode(t, "commit from another app", w.post(t, "/wxa/commit", w.otherTok, map[string]any{"template_id": v1}), 85014, "")
	wantCode(t, "commit with an official account's token", w.post(t, "/wxa/commit", w.oaTok, map[string]any{"template_id": v1}), 48001, "api unauthorized")

	// PowerWeChat sends template_id as a string.
	wantCode(t, "commit", w.post(t, "/wxa/commit", w.tok, map[string]any{"template_id": "1", "ext_json": `{"extAppid":"wxext","ext":{"shop":7}}`, "user_version": "1.0.1", "user_desc": "first"}), 0, "ok")
	trial, ext, err := w.s.Server.P.Releases.Trial(context.Background(), w.app.AppID)
	if err != nil || trial.ID != v1 || trial.UserVersion != "1.0.1" || !strings.Contains(ext, `"shop":7`) {
		t.Fatalf("trial after commit = %+v %q %v", trial, ext, err)
	}
	if m := w.get(t, "/wxa/get_page", w.tok); testserver.Errcode(m) != 0 || strings.Join(toStrings(m["page_list"]), ",") != "pages/index/index,pages/about/about" {
		t.Fatalf("get_page = %v", m)
	}
	wantCode(t, "get_page of the other app", w.get(t, "/wxa/get_page", w.otherTok), 85086, "")
	wantCode(t, "get_page with an official account's token", w.get(t, "/wxa/get_page", w.oaTok), 48001, "")

	// The trial QR code: a JPEG of the trial launch URL, path and query split.
	status, ctype, img := fetchQR(t, w.s.URL+"/wxa/get_qrcode?access_token="+w.tok+"&path="+url.QueryEscape("pages/about/about?from=qr&x=1"), "", "")
	if status != 200 || ctype != "image/jpeg" {
		t.Fatalf("get_qrcode = %d %s %.200q", status, ctype, img)
	}
	pic, err := jpeg.Decode(bytes.NewReader(img))
	if err != nil || pic.Bounds().Dx() != 430 {
		t.Fatalf("get_qrcode image: %v %v", err, pic)
	}
	text, err := shell.DecodeQR(pic)
	host := strings.TrimPrefix(w.s.URL, "http://")
	u, perr := url.Parse(text)
	if err != nil || perr != nil || u.Host != host || u.Path != "/miniprogram/"+w.app.AppID || u.Query().Get("env_version") != "trial" ||
		u.Query().Get("path") != "pages/about/about" || u.Query().Get("query") != "from=qr&x=1" {
		t.Fatalf("get_qrcode encodes %q (%v)", text, err)
	}
	_, _, img = fetchQR(t, w.s.URL+"/wxa/get_qrcode?access_token="+w.tok, "", "")
	if pic, err := jpeg.Decode(bytes.NewReader(img)); err != nil {
		t.Fatalf("get_qrcode without path: %v", err)
	} else if text, _ := shell.DecodeQR(pic); text != w.s.URL+"/miniprogram/"+w.app.AppID+"?env_version=trial" {
		t.Fatalf("get_qrcode without path encodes %q", text)
	}
}

func toStrings(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, e := range list {
		s, _ := e.(string)
		out = append(out, s)
	}
	return out
}

func TestMPReleaseAuditFlow(t *testing.T) {
	w := newRelWorld(t)
	v1 := devVersion(t, w.s, w.app.AppID, "1.0.0")
	wantCode(t, "commit", w.post(t, "/wxa/commit", w.tok, map[string]any{"template_id": v1}), 0, "")

	wantCode(t, "latest audit before any submission", w.get(t, "/wxa/get_latest_auditstatus", w.tok), 85012, "")
	wantCode(t, "release before any submission", w.post(t, "/wxa/release", w.tok, `{}`), 85019, "")
	wantCode(t, "submit_audit with item_list an object", w.post(t, "/wxa/submit_audit", w.tok, `{"item_list":{"a":1}}`), 47001, "data format error")
	wantCode(t, "submit_audit with malformed JSON", w.post(t, "/wxa/submit_audit", w.tok, `{"item_list":[`), 47001, "")

	sub := w.post(t, "/wxa/submit_audit", w.tok, map[string]any{"item_list": []map[string]any{{"address": "pages/index/index", "tag": "shop", "first_class": "商家自营", "first_id": 304, "title": "Home"}}, "version_desc": "please"})
	auditID, _ := sub["auditid"].(float64)
	if testserver.Errcode(sub) != 0 || auditID <= 0 {
		t.Fatalf("submit_audit = %v", sub)
	}
	st := w.post(t, "/wxa/get_auditstatus", w.tok, map[string]any{"auditid": auditID})
	if testserver.Errcode(st) != 0 || st["status"] != float64(2) || st["screenshot"] != "" {
		t.Fatalf("get_auditstatus = %v", st)
	}
	if _, ok := st["ScreenShot"]; ok {
		t.Fatalf("get_auditstatus spells screenshot in lower case only: %v", st)
	}
	// The audit id as a string works too.
	if st := w.post(t, "/wxa/get_auditstatus", w.tok, `{"auditid":"`+jsonNum(auditID)+`"}`); st["status"] != float64(2) {
		t.Fatalf("get_auditstatus with a string id = %v", st)
	}
	latest := w.get(t, "/wxa/get_latest_auditstatus", w.tok)
	for _, k := range []string{"ScreenShot", "screenshot", "user_version", "user_desc", "submit_audit_time"} {
		if _, ok := latest[k]; !ok {
			t.Fatalf("get_latest_auditstatus lacks %s: %v", k, latest)
		}
	}
	if latest["auditid"] != auditID || latest["status"] != float64(2) || latest["user_version"] != "1.0.0" || latest["submit_audit_time"].(float64) <= 0 {
		t.Fatalf("get_latest_auditstatus = %v", latest)
	}

	// App B's token cannot see app A's audits.
	wantCode(t, "get_auditstatus of another app's audit", w.post(t, "/wxa/get_auditstatus", w.otherTok, map[string]any{"auditid": auditID}), 85012, "invalid audit id")
	wantCode(t, "latest audit of the other app", w.get(t, "/wxa/get_latest_auditstatus", w.otherTok), 85012, "")
	wantCode(t, "undocodeaudit of the other app", w.get(t, "/wxa/undocodeaudit", w.otherTok), 85012, "")
	wantCode(t, "release of the other app", w.post(t, "/wxa/release", w.otherTok, ``), 85019, "")
	wantCode(t, "get_auditstatus with an official account's token", w.post(t, "/wxa/get_auditstatus", w.oaTok, map[string]any{"auditid": auditID}), 48001, "")
	wantCode(t, "get_auditstatus of an unknown id", w.post(t, "/wxa/get_auditstatus", w.tok, map[string]any{"auditid": 987654}), 85012, "")
	wantCode(t, "get_auditstatus without auditid", w.post(t, "/wxa/get_auditstatus", w.tok, `{}`), 85012, "")

	wantCode(t, "release while in review", w.post(t, "/wxa/release", w.tok, ``), 85020, "audit status is not approved")

	// Withdraw, then nothing is in review.
	wantCode(t, "undocodeaudit", w.get(t, "/wxa/undocodeaudit", w.tok), 0, "")
	if st := w.post(t, "/wxa/get_auditstatus", w.tok, map[string]any{"auditid": auditID}); st["status"] != float64(3) {
		t.Fatalf("status after undocodeaudit = %v", st)
	}
	wantCode(t, "undocodeaudit with nothing in review", w.get(t, "/wxa/undocodeaudit", w.tok), 85012, "")

	// A rejection: the reason reaches get_auditstatus.
	sub = w.post(t, "/wxa/submit_audit", w.tok, `{}`)
	id2 := int64(sub["auditid"].(float64))
	if _, err := w.s.Server.P.Releases.Reject(context.Background(), id2, "test", "pages/index/index.wxml:3: fake red packet"); err != nil {
		t.Fatal(err)
	}
	if st := w.post(t, "/wxa/get_auditstatus", w.tok, map[string]any{"auditid": id2}); st["status"] != float64(1) || !strings.Contains(st["reason"].(string), "red packet") {
		t.Fatalf("rejected audit = %v", st)
	}
	wantCode(t, "release of a rejected version", w.post(t, "/wxa/release", w.tok, ``), 85020, "")

	// Approved: release once, then 85052.
	w.post(t, "/wxa/submit_audit", w.tok, `{}`)
	w.approveLatest(t, w.tok)
	wantCode(t, "release with a malformed body", w.post(t, "/wxa/release", w.tok, `{`), 47001, "")
	wantCode(t, "release", w.post(t, "/wxa/release", w.tok, ``), 0, "ok")
	st2, err := w.s.Server.P.Releases.State(context.Background(), w.app.AppID)
	if err != nil || st2.Online == nil || st2.Online.ID != v1 {
		t.Fatalf("state after release = %+v %v", st2, err)
	}
	wantCode(t, "release again", w.post(t, "/wxa/release", w.tok, `{}`), 85052, "")
}

func jsonNum(f float64) string { b, _ := json.Marshal(f); return string(b) }

func TestMPReleaseRestriction(t *testing.T) {
	w := newRelWorld(t)
	v1 := devVersion(t, w.s, w.app.AppID, "1.0.0")
	w.post(t, "/wxa/commit", w.tok, map[string]any{"template_id": v1})
	for i := 0; i < release.DefaultPolicy().RejectionsBeforeRestriction; i++ {
		sub := w.post(t, "/wxa/submit_audit", w.tok, `{}`)
		if _, err := w.s.Server.P.Releases.Reject(context.Background(), int64(sub["auditid"].(float64)), "test", "no"); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, "submit_audit after 3 rejections", w.post(t, "/wxa/submit_audit", w.tok, `{}`), 85085, "superapp review unrestrict --appid "+w.app.AppID)
	if err := w.s.Server.P.Releases.Unrestrict(context.Background(), w.app.AppID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "submit_audit after unrestrict", w.post(t, "/wxa/submit_audit", w.tok, `{}`), 0, "")
}

func TestMPReleaseGrayAndRollback(t *testing.T) {
	w := newRelWorld(t)
	ctx := context.Background()
	ship := func(userVersion string) int64 {
		t.Helper()
		id := devVersion(t, w.s, w.app.AppID, userVersion)
		wantCode(t, "commit "+userVersion, w.post(t, "/wxa/commit", w.tok, map[string]any{"template_id": id}), 0, "")
		wantCode(t, "submit "+userVersion, w.post(t, "/wxa/submit_audit", w.tok, `{}`), 0, "")
		w.approveLatest(t, w.tok)
		return id
	}
	v1 := ship("1.0.0")
	wantCode(t, "gray without an online version", w.post(t, "/wxa/grayrelease", w.tok, map[string]any{"gray_percentage": 10}), 85079, "")
	wantCode(t, "release 1.0.0", w.post(t, "/wxa/release", w.tok, ``), 0, "")
	wantCode(t, "gray of the released version", w.post(t, "/wxa/grayrelease", w.tok, map[string]any{"gray_percentage": 10}), 85052, "")
	wantCode(t, "gray with nothing audited", w.post(t, "/wxa/grayrelease", w.otherTok, map[string]any{"gray_percentage": 10}), 85080, "")
	if m := w.get(t, "/wxa/getgrayreleaseplan", w.tok); testserver.Errcode(m) != 0 || m["gray_release_plan"].(map[string]any)["status"] != float64(0) {
		t.Fatalf("getgrayreleaseplan without a plan = %v", m)
	}
	wantCode(t, "revertgrayrelease without a plan", w.get(t, "/wxa/revertgrayrelease", w.tok), 40097, "no gray release plan")

	v2 := ship("1.1.0")
	wantCode(t, "gray 0 without a members-first flag", w.post(t, "/wxa/grayrelease", w.tok, map[string]any{"gray_percentage": 0}), 85081, "")
	wantCode(t, "gray 101", w.post(t, "/wxa/grayrelease", w.tok, map[string]any{"gray_percentage": 101}), 85081, "")
	wantCode(t, "gray naming an unknown OpenID", w.post(t, "/wxa/grayrelease", w.tok, map[string]any{"gray_percentage": 10, "named_openids": []string{"o_nobody"}}), 40003, "invalid openid")
	// Another app's user: its OpenID is not one of this app's.
	var lc struct {
		OpenID string `json:"openid"`
	}
	w.s.Call(t, "POST", "/sim/v1/login-code", map[string]string{"appid": w.other.AppID, "user": w.alice.ID}, &lc)
	wantCode(t, "gray naming another app's OpenID", w.post(t, "/wxa/grayrelease", w.tok, map[string]any{"gray_percentage": 10, "named_openids": []string{lc.OpenID}}), 40003, "")
	wantCode(t, "gray with an official account's token", w.post(t, "/wxa/grayrelease", w.oaTok, map[string]any{"gray_percentage": 10}), 48001, "")

	wantCode(t, "gray 10% naming bob", w.post(t, "/wxa/grayrelease", w.tok, map[string]any{"gray_percentage": 10, "support_experiencer_first": true, "named_openids": []string{w.bobOID}}), 0, "")
	plan := w.get(t, "/wxa/getgrayreleaseplan", w.tok)["gray_release_plan"].(map[string]any)
	if plan["status"] != float64(1) || plan["gray_percentage"] != float64(10) || plan["support_experiencer_first"] != true || plan["support_debuger_first"] != false ||
		plan["create_timestamp"].(float64) <= 0 || strings.Join(toStrings(plan["named_openids"]), ",") != w.bobOID {
		t.Fatalf("getgrayreleaseplan = %v", plan)
	}
	if r, err := w.s.Server.P.Releases.Resolve(w.app.AppID, w.bob.ID, w.bobOID, ""); err != nil || r.VersionID != v2 || r.Channel != release.ChannelGray {
		t.Fatalf("bob (named) resolves to %+v %v", r, err)
	}
	wantCode(t, "gray 5 after 10", w.post(t, "/wxa/grayrelease", w.tok, map[string]any{"gray_percentage": 5}), 85082, "")
	wantCode(t, "release during gray", w.post(t, "/wxa/release", w.tok, ``), 85021, "gray release in progress")
	wantCode(t, "rollback during gray", w.get(t, "/wxa/revertcoderelease", w.tok), 87011, "")
	wantCode(t, "the other app's plan", w.get(t, "/wxa/revertgrayrelease", w.otherTok), 40097, "")

	wantCode(t, "revertgrayrelease", w.get(t, "/wxa/revertgrayrelease", w.tok), 0, "")
	if plan := w.get(t, "/wxa/getgrayreleaseplan", w.tok)["gray_release_plan"].(map[string]any); plan["status"] == float64(1) {
		t.Fatalf("plan after revert = %v", plan)
	}
	if r, _ := w.s.Server.P.Releases.Resolve(w.app.AppID, w.bob.ID, w.bobOID, ""); r.VersionID != v1 {
		t.Fatalf("bob after revert resolves to %+v", r)
	}

	// A full release of 1.1.0, then the history and a rollback.
	wantCode(t, "release 1.1.0", w.post(t, "/wxa/release", w.tok, ``), 0, "")
	hist := w.get(t, "/wxa/revertcoderelease?action=get_history_version", w.tok)
	list, _ := hist["version_list"].([]any)
	if testserver.Errcode(hist) != 0 || len(list) < 1 {
		t.Fatalf("get_history_version = %v", hist)
	}
	seen := map[float64]bool{}
	for _, e := range list {
		m := e.(map[string]any)
		if m["commit_time"].(float64) <= 0 || m["user_version"] == "" {
			t.Fatalf("history entry %v", m)
		}
		seen[m["app_version"].(float64)] = true
	}
	if !seen[float64(v1)] {
		t.Fatalf("get_history_version lacks 1.0.0: %v", hist)
	}
	wantCode(t, "get_history_version of the other app", w.get(t, "/wxa/revertcoderelease?action=get_history_version", w.otherTok), 0, "")
	if l, _ := w.get(t, "/wxa/revertcoderelease?action=get_history_version", w.otherTok)["version_list"].([]any); len(l) != 0 {
		t.Fatalf("the other app sees history %v", l)
	}
	wantCode(t, "an unknown action", w.get(t, "/wxa/revertcoderelease?action=delete", w.tok), 40097, "")
	wantCode(t, "app_version not a number", w.get(t, "/wxa/revertcoderelease?app_version=x", w.tok), 40097, "")
	wantCode(t, "rollback to a version never released", w.get(t, "/wxa/revertcoderelease?app_version=999", w.tok), 87012, "")
	wantCode(t, "rollback of the other app", w.get(t, "/wxa/revertcoderelease", w.otherTok), 87012, "")
	wantCode(t, "rollback", w.get(t, "/wxa/revertcoderelease?app_version="+jsonNum(float64(v1)), w.tok), 0, "")
	if st, _ := w.s.Server.P.Releases.State(ctx, w.app.AppID); st.Online == nil || st.Online.ID != v1 {
		t.Fatalf("online after rollback = %+v", st.Online)
	}
	wantCode(t, "rollback twice in a row", w.get(t, "/wxa/revertcoderelease", w.tok), 87012, "")
}

func TestMPReleaseTesters(t *testing.T) {
	w := newRelWorld(t)
	carol := w.s.CreateUser(t, "carol", "13700137000")
	bind := w.post(t, "/wxa/bind_tester", w.tok, map[string]any{"wechatid": "13700137000"})
	userstr, _ := bind["userstr"].(string)
	if testserver.Errcode(bind) != 0 || userstr == "" || userstr != w.s.Server.P.Identity.OpenID(w.app.AppID, carol.ID) {
		t.Fatalf("bind_tester = %v", bind)
	}
	wantCode(t, "bind_tester again", w.post(t, "/wxa/bind_tester", w.tok, map[string]any{"wechatid": "carol"}), 85004, "")
	wantCode(t, "bind_tester of nobody", w.post(t, "/wxa/bind_tester", w.tok, map[string]any{"wechatid": "nobody"}), 85001, "")
	wantCode(t, "bind_tester without wechatid", w.post(t, "/wxa/bind_tester", w.tok, `{}`), 85001, "")
	wantCode(t, "bind_tester with an official account's token", w.post(t, "/wxa/bind_tester", w.oaTok, map[string]any{"wechatid": "carol"}), 48001, "")
	members, _ := w.s.Server.P.Releases.Members(context.Background(), w.app.AppID)
	if len(members) != 1 || members[0].UserID != carol.ID || members[0].Role != release.RoleTrial {
		t.Fatalf("members after bind_tester = %+v", members)
	}
	auth := w.post(t, "/wxa/memberauth", w.tok, map[string]any{"action": "get_experiencer"})
	if l, _ := auth["members"].([]any); testserver.Errcode(auth) != 0 || len(l) != 1 || l[0].(map[string]any)["userstr"] != userstr {
		t.Fatalf("memberauth = %v", auth)
	}
	if l, _ := w.post(t, "/wxa/memberauth", w.otherTok, map[string]any{"action": "get_experiencer"})["members"].([]any); len(l) != 0 {
		t.Fatalf("the other app sees testers %v", l)
	}
	wantCode(t, "memberauth with another action", w.post(t, "/wxa/memberauth", w.tok, map[string]any{"action": "get_all"}), 40097, "")
	wantCode(t, "unbind_tester in the other app", w.post(t, "/wxa/unbind_tester", w.otherTok, map[string]any{"userstr": userstr}), 85002, "")
	wantCode(t, "unbind_tester", w.post(t, "/wxa/unbind_tester", w.tok, map[string]any{"userstr": userstr}), 0, "")
	wantCode(t, "unbind_tester again", w.post(t, "/wxa/unbind_tester", w.tok, map[string]any{"wechatid": "carol"}), 85002, "")
}
