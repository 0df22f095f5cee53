package sdkcompat_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/officialaccount/basic"
	offConfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/user"

	"superapp/internal/callback"
	"superapp/internal/officialaccount"
	"superapp/internal/shell"
	"superapp/internal/store"
	"superapp/internal/testserver"
)

// bulkFollowers makes n new users follow appid, written straight into the
// tables in one transaction (through the domain it would take minutes), and
// returns their OpenIDs in OpenID order.
func bulkFollowers(t *testing.T, s *testserver.Server, appid string, n int) []string {
	t.Helper()
	p := s.Server.P
	now := time.Now().Unix()
	openids := make([]string, n)
	const batch = 500
	err := p.DB.InTx(context.Background(), func(tx *store.Tx) error {
		for start := 0; start < n; start += batch {
			end := min(start+batch, n)
			var users, links, follows []string
			var uargs, largs, fargs []any
			for i := start; i < end; i++ {
				id := fmt.Sprintf("u_bulk%08d", i)
				openids[i] = p.Identity.OpenID(appid, id)
				users, uargs = append(users, "(?, ?, ?)"), append(uargs, id, fmt.Sprintf("fan %d", i), now)
				links, largs = append(links, "(?, ?, ?, ?)"), append(largs, appid, id, openids[i], now)
				follows, fargs = append(follows, "(?, ?, ?, 1, ?, 'ADD_SCENE_SEARCH')"), append(fargs, appid, id, openids[i], now)
			}
			for _, q := range []struct {
				sql  string
				rows []string
				args []any
			}{
				{"INSERT INTO users(id, name, created_at) VALUES ", users, uargs},
				{"INSERT INTO app_users(appid, user_id, openid, created_at) VALUES ", links, largs},
				{"INSERT INTO oa_followers(appid, user_id, openid, subscribed, subscribe_time, subscribe_scene) VALUES ", follows, fargs},
			} {
				if _, err := tx.Exec(context.Background(), q.sql+strings.Join(q.rows, ", "), q.args...); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(openids)
	return openids
}

// decodeQR reads the URL out of a QR code image with gozxing and, when it
// is installed (always under CI), Debian's zbarimg.
func decodeQR(t *testing.T, img []byte) string {
	t.Helper()
	pic, err := png.Decode(bytes.NewReader(img))
	if err != nil {
		t.Fatalf("showqrcode did not return a PNG: %v", err)
	}
	text, err := shell.DecodeQR(pic)
	if err != nil {
		t.Fatalf("gozxing cannot read the QR code: %v", err)
	}
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("zbarimg is required under CI (Debian's zbar-tools)")
		}
		t.Log("zbarimg not installed; decoded with gozxing only")
		return text
	}
	file := filepath.Join(t.TempDir(), "qr.png")
	if err := os.WriteFile(file, img, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(zbar, "--raw", "-q", file).Output()
	if err != nil {
		t.Fatalf("zbarimg cannot read the QR code: %v", err)
	}
	if got := strings.TrimRight(string(out), "\n"); got != text {
		t.Fatalf("zbarimg read %q, gozxing %q", got, text)
	}
	return text
}

// showQRCode fetches an image URL as a browser would, through the transport
// that sends WeChat's hosts to the test server.
func showQRCode(t *testing.T, s *testserver.Server, imageURL string) []byte {
	t.Helper()
	resp, err := (&http.Client{Transport: s.Transport()}).Get(imageURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	img, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: HTTP %d %s", imageURL, resp.StatusCode, img)
	}
	return img
}

// devServer is a developer server that passes URL verification, answers
// every push with "success" and keeps what it was sent.
type devServer struct {
	URL string
	mu  sync.Mutex
	got []pushDoc
}

type pushDoc struct {
	FromUserName string
	Event        string
	EventKey     string
	Ticket       string
}

func newDevServer(t *testing.T, s *testserver.Server, appid string) *devServer {
	t.Helper()
	d := &devServer{}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			io.WriteString(w, r.URL.Query().Get("echostr"))
			return
		}
		var doc pushDoc
		raw, _ := io.ReadAll(r.Body)
		if err := xml.Unmarshal(raw, &doc); err != nil {
			t.Errorf("push is not XML: %s", raw)
		}
		d.mu.Lock()
		d.got = append(d.got, doc)
		d.mu.Unlock()
		io.WriteString(w, "success")
	}))
	t.Cleanup(hs.Close)
	d.URL = hs.URL
	if _, err := s.Server.P.OA.Dispatcher().Configure(context.Background(), appid, callback.Settings{URL: hs.URL, Token: "devtoken"}); err != nil {
		t.Fatal(err)
	}
	return d
}

func (d *devServer) pushes() []pushDoc {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.got)
}

// scan opens a QR code's URL as the shell does (the code is its last path
// element) and waits until the developer server has the push.
func scan(t *testing.T, s *testserver.Server, userID, codeURL string) *officialaccount.ScanResult {
	t.Helper()
	u, err := url.Parse(codeURL)
	if err != nil || !strings.HasPrefix(u.Path, "/q/") {
		t.Fatalf("QR code URL %q is not …/q/<code>", codeURL)
	}
	ctx := context.Background()
	res, err := s.Server.P.OA.ScanQR(ctx, userID, strings.TrimPrefix(u.Path, "/q/"))
	if err != nil {
		t.Fatalf("ScanQR(%s): %v", codeURL, err)
	}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if _, err := s.Server.P.OA.Outcome(wctx, userID, res.AppID, res.ActResult); err != nil {
		t.Fatal(err)
	}
	return res
}

func TestSilenceperUsersTagsBlacklist(t *testing.T) {
	s := testserver.New(t)
	app := s.CreateApp(t, "service", "News")
	wc := silenceper(t, s.Transport())
	users := wc.GetOfficialAccount(&offConfig.Config{AppID: app.AppID, AppSecret: app.Secret, Cache: cache.NewMemory()}).GetUser()
	fans := bulkFollowers(t, s, app.AppID, 10050)

	// Two pages of user/get, 10,000 and 50.
	first, err := users.ListUserOpenIDs()
	if err != nil || first.Total != 10050 || first.Count != 10000 || first.NextOpenID != fans[9999] || !slices.Equal(first.Data.OpenIDs, fans[:10000]) {
		t.Fatalf("first page: total %d count %d next %q, %v", first.Total, first.Count, first.NextOpenID, err)
	}
	second, err := users.ListUserOpenIDs(first.NextOpenID)
	if err != nil || second.Count != 50 || !slices.Equal(second.Data.OpenIDs, fans[10000:]) {
		t.Fatalf("second page: %d, %v", second.Count, err)
	}
	all, err := users.ListAllUserOpenIDs()
	if err != nil || !slices.Equal(all, fans) {
		t.Fatalf("ListAllUserOpenIDs: %d OpenIDs, %v", len(all), err)
	}

	info, err := users.GetUserInfo(fans[7])
	if err != nil || info.Subscribe != 1 || info.OpenID != fans[7] || info.SubscribeScene != "ADD_SCENE_SEARCH" || info.Language != "zh_CN" || info.SubscribeTime == 0 {
		t.Fatalf("GetUserInfo = %+v, %v", info, err)
	}
	if _, err := users.GetUserInfo("oNotAFollower"); err == nil || !strings.Contains(err.Error(), "errcode=40003") {
		t.Fatalf("GetUserInfo of a stranger: %v", err)
	}
	batch, err := users.BatchGetUserInfo(user.BatchGetUserInfoParams{UserList: []user.BatchGetUserListItem{{OpenID: fans[1], Lang: "zh_CN"}, {OpenID: fans[2], Lang: "en"}}})
	if err != nil || len(batch.UserInfoList) != 2 || batch.UserInfoList[0].OpenID != fans[1] || batch.UserInfoList[1].OpenID != fans[2] {
		t.Fatalf("BatchGetUserInfo = %+v, %v", batch, err)
	}
	if err := users.UpdateRemark(fans[1], "常客"); err != nil {
		t.Fatal(err)
	}
	if info, _ := users.GetUserInfo(fans[1]); info.Remark != "常客" {
		t.Fatalf("remark = %q", info.Remark)
	}

	// Tags.
	tag, err := users.CreateTag("广东")
	if err != nil || tag.ID != 100 || tag.Name != "广东" {
		t.Fatalf("CreateTag = %+v, %v", tag, err)
	}
	if _, err := users.CreateTag("广东"); err == nil || !strings.Contains(err.Error(), "errcode=45157") {
		t.Fatalf("CreateTag with a taken name: %v", err)
	}
	if err := users.UpdateTag(tag.ID, "广东人"); err != nil {
		t.Fatal(err)
	}
	if err := users.BatchTag(fans[:50], tag.ID); err != nil {
		t.Fatal(err)
	}
	if err := users.BatchTag(fans[:51], tag.ID); err == nil || !strings.Contains(err.Error(), "40032") {
		t.Fatalf("BatchTag of 51: %v", err)
	}
	if err := users.BatchUntag(fans[:10], tag.ID); err != nil {
		t.Fatal(err)
	}
	tags, err := users.GetTag()
	if err != nil || len(tags) != 1 || tags[0].Name != "广东人" || tags[0].Count != 40 {
		t.Fatalf("GetTag = %+v, %v", tags, err)
	}
	members, err := users.OpenIDListByTag(tag.ID)
	if err != nil || members.Count != 40 || !slices.Equal(members.Data.OpenIDs, fans[10:50]) || members.NextOpenID != fans[49] {
		t.Fatalf("OpenIDListByTag = %+v, %v", members, err)
	}
	if ids, err := users.UserTidList(fans[20]); err != nil || !slices.Equal(ids, []int32{tag.ID}) {
		t.Fatalf("UserTidList = %v, %v", ids, err)
	}
	if info, _ := users.GetUserInfo(fans[20]); !slices.Equal(info.TagIDList, []int32{tag.ID}) {
		t.Fatalf("user/info tagid_list = %v", info.TagIDList)
	}
	if err := users.DeleteTag(tag.ID); err != nil {
		t.Fatal(err)
	}
	if ids, err := users.UserTidList(fans[20]); err != nil || len(ids) != 0 {
		t.Fatalf("UserTidList after DeleteTag = %v, %v", ids, err)
	}
	if err := users.DeleteTag(2); err == nil || !strings.Contains(err.Error(), "45058") {
		t.Fatalf("DeleteTag(2): %v", err)
	}

	// Blacklist: still followers, listed by getblacklist.
	if err := users.BatchBlackList(fans[100:120]...); err != nil {
		t.Fatal(err)
	}
	bl, err := users.GetBlackList()
	if err != nil || bl.Total != 20 || bl.Count != 20 || !slices.Equal(bl.Data.OpenIDs, fans[100:120]) {
		t.Fatalf("GetBlackList = %+v, %v", bl, err)
	}
	if all, err := users.GetAllBlackList(); err != nil || len(all) != 20 {
		t.Fatalf("GetAllBlackList = %d, %v", len(all), err)
	}
	if first, _ := users.ListUserOpenIDs(); first.Total != 10050 {
		t.Fatalf("user/get total with blacklisted followers = %d", first.Total)
	}
	if err := users.BatchUnBlackList(fans[100:110]...); err != nil {
		t.Fatal(err)
	}
	if bl, _ := users.GetBlackList(); bl.Total != 10 || !slices.Equal(bl.Data.OpenIDs, fans[110:120]) {
		t.Fatalf("after BatchUnBlackList: %+v", bl)
	}
}

func TestSilenceperQRCodes(t *testing.T) {
	s := testserver.New(t, testserver.Dev())
	app := s.CreateApp(t, "subscription", "Blog")
	dev := newDevServer(t, s, app.AppID)
	oa := silenceper(t, s.Transport()).GetOfficialAccount(&offConfig.Config{AppID: app.AppID, AppSecret: app.Secret, Cache: cache.NewMemory()})
	b := oa.GetBasic()

	reqs := []struct {
		req       *basic.Request
		action    string
		expire    int64
		sceneID   int64
		sceneStr  string
		permanent bool
	}{
		{basic.NewTmpQrRequest(time.Hour, 123), "QR_SCENE", 3600, 123, "", false},
		{basic.NewTmpQrRequest(30*24*time.Hour, "promo"), "QR_STR_SCENE", 2592000, 0, "promo", false},
		{basic.NewLimitQrRequest(456), "QR_LIMIT_SCENE", 0, 456, "", true},
		{basic.NewLimitQrRequest("shop"), "QR_LIMIT_STR_SCENE", 0, 0, "shop", true},
	}
	var tickets []*basic.Ticket
	for _, r := range reqs {
		if r.req.ActionName != r.action {
			t.Fatalf("silenceper built %s, want %s", r.req.ActionName, r.action)
		}
		tk, err := b.GetQRTicket(r.req)
		if err != nil || tk.Ticket == "" || tk.ExpireSeconds != r.expire || !strings.HasPrefix(tk.URL, s.URL+"/q/") {
			t.Fatalf("GetQRTicket(%s) = %+v, %v", r.action, tk, err)
		}
		// silenceper puts the ticket in the image URL without escaping it.
		if got := decodeQR(t, showQRCode(t, s, basic.ShowQRCode(tk))); got != tk.URL {
			t.Fatalf("%s image decodes to %q, want %q", r.action, got, tk.URL)
		}
		tickets = append(tickets, tk)
	}
	if again, err := b.GetQRTicket(basic.NewLimitQrRequest(456)); err != nil || again.Ticket != tickets[2].Ticket {
		t.Fatalf("the same permanent scene again = %+v, %v; want the existing code", again, err)
	}
	if _, err := b.GetQRTicket(basic.NewLimitQrRequest(100001)); err == nil || !strings.Contains(err.Error(), "errcode=40053") {
		t.Fatalf("QR_LIMIT_SCENE 100001: %v", err)
	}

	// Scanning: the first code makes a follower (subscribe, qrscene_123),
	// the others raise SCAN; user/info keeps the scene it came through.
	u := s.CreateUser(t, "scanner", "")
	openid := s.Server.P.Identity.OpenID(app.AppID, u.ID)
	for i, tk := range tickets {
		res := scan(t, s, u.ID, tk.URL)
		want := map[bool]string{true: "subscribe", false: "SCAN"}[i == 0]
		if res.Event != want {
			t.Fatalf("scan %d: %s, want %s", i, res.Event, want)
		}
	}
	pushes := dev.pushes()
	want := []pushDoc{{openid, "subscribe", "qrscene_123", tickets[0].Ticket}, {openid, "SCAN", "promo", tickets[1].Ticket},
		{openid, "SCAN", "456", tickets[2].Ticket}, {openid, "SCAN", "shop", tickets[3].Ticket}}
	if !slices.Equal(pushes, want) {
		t.Fatalf("the developer server got %+v, want %+v", pushes, want)
	}
	info, err := oa.GetUser().GetUserInfo(openid)
	if err != nil || info.Subscribe != 1 || info.SubscribeScene != "ADD_SCENE_QR_CODE" || info.QrScene != 123 || info.QrSceneStr != "" {
		t.Fatalf("user/info after the scans = %+v, %v", info, err)
	}

	// Following again through a string code after unfollowing records it.
	if _, err := s.Server.P.OA.Unfollow(context.Background(), app.AppID, u.ID); err != nil {
		t.Fatal(err)
	}
	if res := scan(t, s, u.ID, tickets[3].URL); res.Event != "subscribe" {
		t.Fatalf("scan after unfollowing: %s", res.Event)
	}
	if info, _ := oa.GetUser().GetUserInfo(openid); info.QrScene != 0 || info.QrSceneStr != "shop" {
		t.Fatalf("user/info after re-following through \"shop\" = %+v", info)
	}
}
