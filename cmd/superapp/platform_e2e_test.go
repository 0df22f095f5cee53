package main

// The mini program platform end to end, driven as a developer's CI and an
// operator drive it: the CLI (in-process, against a real test server), the
// WeChat wire API over plain HTTP, the shell API as a signed-in user, and a
// developer server that verifies and decrypts WeChat's pushes.

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"image/jpeg"
	"io"
	"io/fs"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"superapp/internal/release"
	"superapp/internal/testserver"
)

// auditEvent is a decrypted weapp_audit_* push.
type auditEvent struct {
	ToUserName   string `xml:"ToUserName"`
	FromUserName string `xml:"FromUserName"`
	Event        string `xml:"Event"`
	Reason       string `xml:"Reason"`
	FailTime     int64  `xml:"FailTime"`
	SuccTime     int64  `xml:"SuccTime"`
}

// e2eDevServer is a mini program's developer server in safe mode: it
// answers URL verification, checks both signatures of every push, decrypts
// it with its EncodingAESKey (computed here, not with internal/wxcrypto)
// and records the events.
type e2eDevServer struct {
	*httptest.Server
	t           *testing.T
	token, key  string
	appid       string // set once the app exists; pushes must be sealed for it
	mu          sync.Mutex
	events      []auditEvent
	verifyCalls int
}

func e2eSignature(parts ...string) string {
	p := append([]string(nil), parts...)
	sort.Strings(p)
	h := sha1.Sum([]byte(strings.Join(p, "")))
	return hex.EncodeToString(h[:])
}

func newE2EDevServer(t *testing.T, token, key string) *e2eDevServer {
	d := &e2eDevServer{t: t, token: token, key: key}
	d.Server = httptest.NewServer(http.HandlerFunc(d.serve))
	t.Cleanup(d.Close)
	return d
}

func (d *e2eDevServer) serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("signature") != e2eSignature(d.token, q.Get("timestamp"), q.Get("nonce")) {
		d.t.Errorf("developer server: %s with a wrong signature: %s", r.Method, r.URL.RawQuery)
		http.Error(w, "bad signature", http.StatusForbidden)
		return
	}
	if r.Method == http.MethodGet {
		d.mu.Lock()
		d.verifyCalls++
		d.mu.Unlock()
		io.WriteString(w, q.Get("echostr"))
		return
	}
	raw, _ := io.ReadAll(r.Body)
	var env struct {
		Encrypt string `xml:"Encrypt"`
	}
	if err := xml.Unmarshal(raw, &env); err != nil || env.Encrypt == "" || q.Get("encrypt_type") != "aes" {
		d.t.Errorf("developer server: not a safe-mode push: %s %s", r.URL.RawQuery, raw)
		http.Error(w, "not encrypted", http.StatusBadRequest)
		return
	}
	if q.Get("msg_signature") != e2eSignature(d.token, q.Get("timestamp"), q.Get("nonce"), env.Encrypt) {
		d.t.Errorf("developer server: wrong msg_signature on %s", raw)
		http.Error(w, "bad msg_signature", http.StatusForbidden)
		return
	}
	msg, appid, err := e2eOpen(d.key, env.Encrypt)
	var ev auditEvent
	if err == nil {
		err = xml.Unmarshal(msg, &ev)
	}
	if err != nil || appid != d.appid {
		d.t.Errorf("developer server: cannot open the push (sealed for %q, want %q): %v", appid, d.appid, err)
		http.Error(w, "cannot decrypt", http.StatusBadRequest)
		return
	}
	d.mu.Lock()
	d.events = append(d.events, ev)
	d.mu.Unlock()
	io.WriteString(w, "success")
}

func (d *e2eDevServer) verifications() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.verifyCalls
}

// e2eOpen decrypts an Encrypt value as a developer's SDK does: AES-256-CBC,
// key = base64(EncodingAESKey + "="), IV = key[:16], PKCS#7 padding to 32,
// random(16) ‖ len(4) ‖ msg ‖ appid.
func e2eOpen(encodingAESKey, encrypted string) ([]byte, string, error) {
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return nil, "", fmt.Errorf("bad key")
	}
	ct, err := base64.StdEncoding.DecodeString(encrypted)
	if err != nil || len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return nil, "", fmt.Errorf("Encrypt is not whole AES blocks: %v", err)
	}
	block, _ := aes.NewCipher(key)
	pt := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, key[:16]).CryptBlocks(pt, ct)
	pad := int(pt[len(pt)-1])
	if pad < 1 || pad > 32 || pad > len(pt)-20 {
		return nil, "", fmt.Errorf("padding %d", pad)
	}
	pt = pt[:len(pt)-pad]
	n := int(binary.BigEndian.Uint32(pt[16:20]))
	if 20+n > len(pt) {
		return nil, "", fmt.Errorf("length %d", n)
	}
	return pt[20 : 20+n], string(pt[20+n:]), nil
}

// waitEvents waits until the developer server has received n pushes.
func (d *e2eDevServer) waitEvents(t *testing.T, n int) []auditEvent {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		d.mu.Lock()
		got := append([]auditEvent(nil), d.events...)
		d.mu.Unlock()
		if len(got) >= n {
			if len(got) > n {
				t.Fatalf("developer server received %d pushes, want %d: %+v", len(got), n, got)
			}
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("developer server received %d pushes in 10 s, want %d: %+v", len(got), n, got)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// copyProject copies a project directory.
func copyProject(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if e.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// editFile replaces old (which must occur once) by new in a project file.
func editFile(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(b), old) != 1 {
		t.Fatalf("%s: %q occurs %d times", path, old, strings.Count(string(b), old))
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// launchLine is `superapp sim launch`'s answer.
var launchLine = regexp.MustCompile(`^(\S+) gets version (\d+) \((\w[\w-]*)\) of (\S+): page (\S+), scene (\d+), openid (\S+)\n$`)

type launched struct {
	version int
	channel string
	page    string
	openid  string
}

func TestPlatformEndToEnd(t *testing.T) {
	started := time.Now()
	// Dev mode: the developer server listens on loopback, which production
	// mode refuses as a push target.
	s := testserver.New(t, testserver.Dev())
	t.Setenv("SUPERAPP_OPERATOR_KEY", testserver.OperatorKey)

	ok := func(args ...string) string {
		t.Helper()
		code, out, errs := cli(t, s, args...)
		if code != 0 {
			t.Fatalf("superapp %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
		}
		return out
	}
	fails := func(want int, args ...string) (string, string) {
		t.Helper()
		code, out, errs := cli(t, s, args...)
		if code != want {
			t.Fatalf("superapp %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, out, errs)
		}
		return out, errs
	}
	// ── 1. Operator: the app, its category, its developer server, an upload
	// key, members and users.
	var app testserver.App
	if err := json.Unmarshal([]byte(ok("app", "create", "--kind", "miniprogram", "--name", "Todo List")), &app); err != nil || app.AppID == "" {
		t.Fatalf("app create: %v %+v", err, app)
	}
	appid := app.AppID
	// launch is `superapp sim launch`, parsed.
	launch := func(user string, extra ...string) launched {
		t.Helper()
		out := ok(append([]string{"sim", "launch", "--appid", appid, "--user", user}, extra...)...)
		m := launchLine.FindStringSubmatch(out)
		if m == nil || m[4] != appid {
			t.Fatalf("sim launch --user %s %v printed %q", user, extra, out)
		}
		var v int
		fmt.Sscan(m[2], &v)
		return launched{version: v, channel: m[3], page: m[5], openid: m[7]}
	}
	if out := ok("mp", "categories", "set", "--appid", appid, "--categories", "工具/效率"); !strings.Contains(out, "效率") {
		t.Fatalf("categories set printed %s", out)
	}
	const devToken, devAESKey = "todotoken42", "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
	dev := newE2EDevServer(t, devToken, devAESKey)
	dev.appid = appid
	if out := ok("app", "callback", "set", "--appid", appid, "--url", dev.URL+"/wx", "--token", devToken, "--aes-key", devAESKey); !strings.Contains(out, "safe") || dev.verifications() != 1 {
		t.Fatalf("callback set printed %s after %d verifications", out, dev.verifications())
	}
	keyFile := filepath.Join(t.TempDir(), "todo.key")
	if out := ok("mp", "key", "create", "--appid", appid, "-o", keyFile); !strings.Contains(out, "key id uk_") {
		t.Fatalf("key create printed %s", out)
	}
	for _, u := range [][]string{{"tess", "13800000001"}, {"pam", "13800000002"}, {"nora", "13800000003"}} {
		ok("sim", "user", "create", "--name", u[0], "--phone", u[1], "--password", "password123")
	}
	ok("mp", "members", "add", "--appid", appid, "--user", "tess", "--role", "trial")
	ok("mp", "members", "add", "--appid", appid, "--user", "pam", "--role", "project")
	if out := ok("mp", "members", "list", "--appid", appid); !strings.Contains(out, "tess") || !strings.Contains(out, "pam") || strings.Contains(out, "nora") {
		t.Fatalf("members list: %s", out)
	}

	token := s.AccessToken(t, app)
	wire := func(path, body string) map[string]any {
		t.Helper()
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		return s.Post(t, path+sep+"access_token="+token, body)
	}
	wireOK := func(path, body string) map[string]any {
		t.Helper()
		m := wire(path, body)
		if testserver.Errcode(m) != 0 {
			t.Fatalf("%s %s: %v", path, body, m)
		}
		return m
	}
	submit := func() int64 {
		t.Helper()
		m := wireOK("/wxa/submit_audit", `{"item_list":[{"address":"pages/index/index","tag":"待办","first_class":"工具","second_class":"效率","title":"待办清单"}],"version_desc":"a to-do list"}`)
		id, _ := m["auditid"].(float64)
		if id <= 0 {
			t.Fatalf("submit_audit: %v", m)
		}
		return int64(id)
	}
	auditStatus := func(id int64) (int, string) {
		t.Helper()
		m := wireOK("/wxa/get_auditstatus", fmt.Sprintf(`{"auditid":%d}`, id))
		st, _ := m["status"].(float64)
		reason, _ := m["reason"].(string)
		return int(st), reason
	}

	// ── 2. Developer: a project that breaks a rule (induced sharing text).
	proj := filepath.Join(t.TempDir(), "todo")
	copyProject(t, filepath.Join("..", "..", "testdata", "miniprograms", "todo"), proj)
	indexWXML := filepath.Join(proj, "pages", "index", "index.wxml")
	const shareLine = "\n  <text class=\"promo\">分享到3个群才能解锁全部功能</text>"
	editFile(t, indexWXML, `<view class="container">`, `<view class="container">`+shareLine) // becomes line 4
	// check runs on the developer's machine: no server.
	check := func(want int) string {
		t.Helper()
		code, out, errs := cli(t, nil, "check", proj, "--name", "Todo List", "--category", "工具/效率")
		if code != want {
			t.Fatalf("superapp check: exit %d, want %d\n%s%s", code, want, out, errs)
		}
		return out
	}
	if out := check(1); !strings.Contains(out, "pages/index/index.wxml:4:") || !strings.Contains(out, "ui.induced_share") {
		t.Fatalf("check of the rule-breaking project: %s", out)
	}
	// Upload does not run the rules: the build becomes dev version 1.
	upload := func(version, desc string, want int) {
		t.Helper()
		if out := ok("upload", "--key-file", keyFile, "--project", proj, "--version", version, "--desc", desc); !strings.Contains(out, fmt.Sprintf("dev version %d (user_version %s)", want, version)) {
			t.Fatalf("upload %s: %s", version, out)
		}
	}
	upload("1.0.0", "first", 1)
	wireOK("/wxa/commit", `{"template_id":1,"user_version":"1.0.0","user_desc":"first"}`)
	// The automated review rejects it at once and says where.
	a1 := submit()
	if st, reason := auditStatus(a1); st != 1 || !strings.Contains(reason, "pages/index/index.wxml:4: ") {
		t.Fatalf("audit %d of the rule-breaking version: status %d, reason %q", a1, st, reason)
	}
	if ev := dev.waitEvents(t, 1)[0]; ev.Event != "weapp_audit_fail" || !strings.Contains(ev.Reason, "pages/index/index.wxml:4: ") || ev.FailTime == 0 || ev.ToUserName == "" || ev.FromUserName != ev.ToUserName {
		t.Fatalf("push after the automated rejection: %+v", ev)
	}

	if out := ok("review", "show", fmt.Sprint(a1)); !strings.Contains(out, "rejected") || !strings.Contains(out, "pages/index/index.wxml:4: ui.induced_share") {
		t.Fatalf("review show of the automated rejection:\n%s", out)
	}

	// ── 3. Fixed: check passes; v2 goes through a rejection by a person,
	// then an approval, and is released.
	editFile(t, indexWXML, shareLine, "")
	if out := check(0); !strings.Contains(out, "0 reject") {
		t.Fatalf("check of the fixed project: %s", out)
	}
	upload("1.0.1", "no more share prompt", 2)
	wireOK("/wxa/commit", `{"template_id":"2"}`)
	a2 := submit()
	if st, _ := auditStatus(a2); st != 2 {
		t.Fatalf("audit %d of the fixed version: status %d, want 2 (in review)", a2, st)
	}
	if out := ok("review", "list"); !strings.Contains(out, fmt.Sprint(a2)) || !strings.Contains(out, appid) || !strings.Contains(out, "Todo List") {
		t.Fatalf("review list: %s", out)
	}
	const reason2 = "the stats page shows nothing without to-dos; add an empty state"
	ok("review", "reject", fmt.Sprint(a2), "--reason", reason2)
	if st, reason := auditStatus(a2); st != 1 || reason != reason2 {
		t.Fatalf("audit %d after reject: %d %q", a2, st, reason)
	}
	if ev := dev.waitEvents(t, 2)[1]; ev.Event != "weapp_audit_fail" || ev.Reason != reason2 {
		t.Fatalf("push after the operator's rejection: %+v", ev)
	}
	a3 := submit()
	if out := ok("review", "approve", fmt.Sprint(a3)); !strings.Contains(out, "approved audit") {
		t.Fatalf("review approve: %s", out)
	}
	if out := ok("review", "list"); !strings.Contains(out, "no versions are waiting") {
		t.Fatalf("review list after the approval: %s", out)
	}
	if st, _ := auditStatus(a3); st != 0 {
		t.Fatalf("audit %d after approve: status %d", a3, st)
	}
	if ev := dev.waitEvents(t, 3)[2]; ev.Event != "weapp_audit_success" || ev.SuccTime == 0 {
		t.Fatalf("push after approval: %+v", ev)
	}
	// Users find the app once it is released, not before.
	shell := newShellUser(t, s, "13800000003")
	if found := shell.search(t, "todo"); found[appid] {
		t.Fatalf("search finds %s before any release", appid)
	}
	wireOK("/wxa/release", `{}`)
	if l := launch("nora"); l.version != 2 || l.channel != "online" || l.page != "pages/index/index" {
		t.Fatalf("nora after the first release: %+v", l)
	}
	if found := shell.search(t, "todo"); !found[appid] {
		t.Fatalf("search does not find the released %s", appid)
	}

	// ── 7 (here, where it falls): v3 is rejected, the third rejection
	// restricts submissions until the operator lifts it.
	editFile(t, filepath.Join(proj, "app.json"), `"navigationBarTitleText": "待办清单"`, `"navigationBarTitleText": "待办清单 Pro"`)
	upload("1.1.0", "new title", 3)
	wireOK("/wxa/commit", `{"template_id":3,"ext_json":"{\"extAppid\":\"`+appid+`\",\"ext\":{\"theme\":\"pro\"}}"}`)
	ok("review", "reject", fmt.Sprint(submit()), "--reason", "the title does not say what is new")
	dev.waitEvents(t, 4)
	m := wire("/wxa/submit_audit", `{}`)
	if msg, _ := m["errmsg"].(string); testserver.Errcode(m) != 85085 || !strings.Contains(msg, "superapp review unrestrict --appid "+appid) {
		t.Fatalf("submit after 3 rejections: %v", m)
	}
	if out := ok("review", "unrestrict", "--appid", appid); !strings.Contains(out, "may submit for review again") {
		t.Fatalf("unrestrict: %s", out)
	}

	// ── 4. v3 approved and gray-released to 10 %.
	a5 := submit()
	ok("review", "approve", fmt.Sprint(a5))
	dev.waitEvents(t, 5)
	wireOK("/wxa/grayrelease", `{"gray_percentage":10}`)
	// 200 users launch twice: the bucket decides, and decides the same.
	const crowd = 200
	users := make([]string, crowd)
	for i := range users {
		users[i] = s.CreateUser(t, fmt.Sprintf("crowd%03d", i), "").ID
	}
	gray, outside := 0, ""
	for _, u := range users {
		first, second := launch(u), launch(u)
		if first != second {
			t.Fatalf("user %s got %+v, then %+v", u, first, second)
		}
		inBucket := release.GrayBucket(appid, first.openid) < 10
		switch {
		case inBucket && first.version == 3 && first.channel == "gray":
			gray++
		case !inBucket && first.version == 2 && first.channel == "online":
			if outside == "" {
				outside = u
			}
		default:
			t.Fatalf("user %s (bucket %d) got %+v", u, release.GrayBucket(appid, first.openid), first)
		}
	}
	// 10 % of 200 is 20, σ ≈ 4.2: the bound is about 3.3σ either side.
	if gray < 6 || gray > 34 {
		t.Fatalf("%d of %d users got the 10%% gray version", gray, crowd)
	}
	t.Logf("gray 10%%: %d of %d users got v3", gray, crowd)
	// A named user joins the gray release whatever the bucket.
	if out := ok("mp", "gray", "--appid", appid, "--percentage", "10", "--user", outside); !strings.Contains(out, "1 named users") {
		t.Fatalf("mp gray --user: %s", out)
	}
	if l := launch(outside); l.version != 3 || l.channel != "gray" {
		t.Fatalf("named user %s: %+v", outside, l)
	}
	// Trial and develop: v4 is committed for trial while v3 is in gray.
	editFile(t, indexWXML, `<text>还没有待办事项</text>`, `<text>还没有待办事项，点上面的添加</text>`)
	upload("1.2.0-beta", "friendlier empty state", 4)
	wireOK("/wxa/commit", `{"template_id":4}`)
	if l := launch("tess", "--env", "trial"); l.version != 4 || l.channel != "trial" {
		t.Fatalf("trial member with --env trial: %+v", l)
	}
	// Without the trial QR code a trial member opens the formal version
	// (gray by bucket), not the trial.
	if l := launch("tess"); l.version == 4 || (l.version == 3) != (release.GrayBucket(appid, l.openid) < 10) {
		t.Fatalf("trial member without --env: %+v", l)
	}
	if l := launch("pam", "--env", "develop"); l.version != 4 || l.channel != "develop" {
		t.Fatalf("project member with --env develop: %+v", l)
	}
	if _, errs := fails(1, "sim", "launch", "--appid", appid, "--user", "nora", "--env", "trial"); !strings.Contains(errs, "trial version is for trial and project members") {
		t.Fatalf("non-member with --env trial: %s", errs)
	}

	// ── 5. Gray to 100 % is the full release; a rollback brings v2 back,
	// a second one in a row is refused.
	wireOK("/wxa/grayrelease", `{"gray_percentage":100}`)
	everyone := func(want int) {
		t.Helper()
		for _, u := range append([]string{"nora", "tess", outside}, users...) {
			if l := launch(u); l.version != want || l.channel != "online" {
				t.Fatalf("user %s: %+v, want version %d online", u, l, want)
			}
		}
	}
	everyone(3)
	// In the shell, the same: v3's new title, and the ext_json it was
	// committed with.
	if st, v, ch, title, ext := shell.launch(t, appid, ""); st != 200 || v != 3 || ch != "online" || title != "待办清单 Pro" || !strings.Contains(ext, `"pro"`) {
		t.Fatalf("shell launch after the full release: %d v%d %s %q ext %s", st, v, ch, title, ext)
	}
	if st, _, code, _, _ := shell.launch(t, appid, "trial"); st != http.StatusForbidden || code != "not_member" {
		t.Fatalf("shell launch of the trial by a non-member: %d %s", st, code)
	}
	wireOK("/wxa/revertcoderelease", "")
	everyone(2)
	if st, v, ch, title, ext := shell.launch(t, appid, ""); st != 200 || v != 2 || ch != "online" || title != "待办清单" || ext != "" {
		t.Fatalf("shell launch after the rollback: %d v%d %s %q ext %s", st, v, ch, title, ext)
	}
	if m := wire("/wxa/revertcoderelease", ""); testserver.Errcode(m) != 87012 {
		t.Fatalf("second rollback: %v", m)
	}
	hist := s.Get(t, "/wxa/revertcoderelease?action=get_history_version&access_token="+token)
	list, _ := hist["version_list"].([]any)
	seen := map[float64]bool{}
	for _, v := range list {
		if e, _ := v.(map[string]any); e != nil {
			seen[e["app_version"].(float64)] = true
		}
	}
	if testserver.Errcode(hist) != 0 || !seen[2] || !seen[3] {
		t.Fatalf("get_history_version: %v", hist)
	}
	if out := ok("mp", "versions", "--appid", appid); !regexp.MustCompile(`online:\s+#2 "1\.0\.1"\n\s+gray:\s+none`).MatchString(out) {
		t.Fatalf("mp versions after the rollback:\n%s", out)
	}

	// ── 6. A mini program code of the online version's page, scanned.
	resp, err := http.Post(s.URL+"/wxa/getwxacodeunlimit?access_token="+token, "application/json",
		strings.NewReader(`{"scene":"list=42&from=poster","page":"pages/stats/stats","check_path":true}`))
	if err != nil {
		t.Fatal(err)
	}
	img, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("getwxacodeunlimit: %s %.200s", resp.Header.Get("Content-Type"), img)
	}
	if _, err := jpeg.Decode(bytes.NewReader(img)); err != nil {
		t.Fatalf("getwxacodeunlimit is not a JPEG: %v", err)
	}
	codeFile := filepath.Join(t.TempDir(), "code.jpg")
	os.WriteFile(codeFile, img, 0o600)
	out := ok("sim", "scan", codeFile, "--via", "camera")
	want := "appid: " + appid + "\npath: pages/stats/stats\nquery: {\"scene\":\"list%3D42%26from%3Dposter\"}\nscene: 1047\nenv: release\n"
	if !strings.HasPrefix(out, want) {
		t.Fatalf("sim scan of the code:\n%s\nwant prefix\n%s", out, want)
	}
	if l := launch("nora", "--path", "pages/stats/stats?scene=list%3D42%26from%3Dposter", "--scene", "1047"); l.version != 2 || l.page != "pages/stats/stats?scene=list%3D42%26from%3Dposter" {
		t.Fatalf("launch from the code: %+v", l)
	}

	// Every push was an audit result for this app, in order.
	var kinds []string
	for _, ev := range dev.waitEvents(t, 5) {
		kinds = append(kinds, ev.Event)
	}
	if strings.Join(kinds, ",") != "weapp_audit_fail,weapp_audit_fail,weapp_audit_success,weapp_audit_fail,weapp_audit_success" {
		t.Fatalf("pushes: %v", kinds)
	}
	t.Logf("end to end in %v", time.Since(started).Round(time.Millisecond))
}

// shellUser is a signed-in shell session.
type shellUser struct {
	base string
	c    *http.Client
}

func newShellUser(t *testing.T, s *testserver.Server, phone string) *shellUser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	u := &shellUser{base: s.URL, c: &http.Client{Jar: jar}}
	resp, err := u.c.Post(s.URL+"/shell/api/signin", "application/json", strings.NewReader(`{"phone":"`+phone+`","password":"password123"}`))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("shell sign-in: %d %s", resp.StatusCode, raw)
	}
	return u
}

// launch is the shell's launch API: status, version id and channel, the
// manifest's window title and the ext_config handed to the runtime.
func (u *shellUser) launch(t *testing.T, appid, env string) (status int, version int, channel, title, ext string) {
	t.Helper()
	resp, err := u.c.Get(u.base + "/shell/api/mp/" + appid + "/launch?env_version=" + env)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var answer struct {
		Version struct {
			ID      int    `json:"id"`
			Channel string `json:"channel"`
		} `json:"version"`
		Manifest struct {
			App struct {
				Window struct {
					Title string `json:"navigationBarTitleText"`
				} `json:"window"`
			} `json:"app"`
		} `json:"manifest"`
		ExtConfig json.RawMessage `json:"ext_config"`
		Error     struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if err := json.Unmarshal(raw, &answer); err != nil {
		t.Fatalf("shell launch: %d %s", resp.StatusCode, raw)
	}
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, 0, answer.Error.Code, "", ""
	}
	return resp.StatusCode, answer.Version.ID, answer.Version.Channel, answer.Manifest.App.Window.Title, string(answer.ExtConfig)
}

// search is the shell's mini program search; it returns the appids found.
func (u *shellUser) search(t *testing.T, q string) map[string]bool {
	t.Helper()
	resp, err := u.c.Get(u.base + "/shell/api/mp/search?q=" + url.QueryEscape(q))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct {
		MiniPrograms []struct {
			AppID string `json:"appid"`
		} `json:"miniprograms"`
	}
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &answer) != nil {
		t.Fatalf("shell search %q: %d %s", q, resp.StatusCode, raw)
	}
	found := map[string]bool{}
	for _, m := range answer.MiniPrograms {
		found[m.AppID] = true
	}
	return found
}
