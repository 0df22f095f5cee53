package wire_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"superapp/internal/officialaccount"
	"superapp/internal/testserver"
)

// keysOf lists a JSON object's keys, sorted.
func sortedKeys(m map[string]any) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

// followerWorld is a service account with followers, for the user-management
// endpoints.
type followerWorld struct {
	s      *testserver.Server
	app    testserver.App
	tok    string
	users  []testserver.User
	openid []string // the users' OpenIDs with the account
}

func newFollowerWorld(t *testing.T, followers int) *followerWorld {
	s := testserver.New(t)
	w := &followerWorld{s: s, app: s.CreateApp(t, "service", "News")}
	w.tok = s.AccessToken(t, w.app)
	for i := range followers {
		u := s.CreateUser(t, fmt.Sprintf("fan%d", i), "")
		if _, err := s.Server.P.OA.Follow(context.Background(), w.app.AppID, u.ID, officialaccount.SceneProfileCard, nil); err != nil {
			t.Fatal(err)
		}
		w.users = append(w.users, u)
		w.openid = append(w.openid, s.Server.P.Identity.OpenID(w.app.AppID, u.ID))
	}
	return w
}

func (w *followerWorld) get(t *testing.T, path string) map[string]any {
	t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return w.s.Get(t, path+sep+"access_token="+w.tok)
}

func (w *followerWorld) post(t *testing.T, path string, body any) map[string]any {
	t.Helper()
	raw, _ := json.Marshal(body)
	return w.s.Post(t, path+"?access_token="+w.tok, string(raw))
}

func mustOK(t *testing.T, what string, m map[string]any) {
	t.Helper()
	if testserver.Errcode(m) != 0 || (m["errmsg"] != nil && m["errmsg"] != "ok") {
		t.Fatalf("%s = %v", what, m)
	}
}

func mustErrcode(t *testing.T, what string, m map[string]any, code int) {
	t.Helper()
	if testserver.Errcode(m) != code {
		t.Fatalf("%s = %v, want errcode %d", what, m, code)
	}
}

func TestOAUserListAndInfo(t *testing.T) {
	w := newFollowerWorld(t, 3)
	sorted := slices.Clone(w.openid)
	slices.Sort(sorted)

	m := w.get(t, "/cgi-bin/user/get")
	if sortedKeys(m) != "count,data,next_openid,total" || m["total"] != float64(3) || m["count"] != float64(3) || m["next_openid"] != sorted[2] {
		t.Fatalf("user/get = %v", m)
	}
	got, _ := m["data"].(map[string]any)["openid"].([]any)
	if fmt.Sprint(got) != fmt.Sprint(sorted) {
		t.Fatalf("user/get openids %v, want %v in order", got, sorted)
	}
	// PowerWeChat always sends next_openid, empty at first.
	if m := w.get(t, "/cgi-bin/user/get?next_openid="); m["count"] != float64(3) {
		t.Fatalf("user/get with an empty next_openid = %v", m)
	}
	// Past the end: no data, no cursor, the total still there.
	m = w.get(t, "/cgi-bin/user/get?next_openid="+sorted[2])
	if sortedKeys(m) != "count,next_openid,total" || m["count"] != float64(0) || m["next_openid"] != "" || m["total"] != float64(3) {
		t.Fatalf("user/get past the end = %v", m)
	}

	info := w.get(t, "/cgi-bin/user/info?openid="+w.openid[0]+"&lang=zh_CN")
	if sortedKeys(info) != "city,country,groupid,headimgurl,language,nickname,openid,province,qr_scene,qr_scene_str,remark,sex,subscribe,subscribe_scene,subscribe_time,tagid_list" {
		t.Fatalf("user/info keys: %s", sortedKeys(info))
	}
	if info["subscribe"] != float64(1) || info["openid"] != w.openid[0] || info["nickname"] != "" || info["sex"] != float64(0) || info["language"] != "zh_CN" ||
		info["groupid"] != float64(0) || info["subscribe_scene"] != "ADD_SCENE_PROFILE_CARD" || info["qr_scene"] != float64(0) || info["subscribe_time"].(float64) < 1e9 {
		t.Fatalf("user/info = %v", info)
	}
	if ids, isList := info["tagid_list"].([]any); !isList || len(ids) != 0 {
		t.Fatalf("tagid_list = %#v, want an empty list", info["tagid_list"])
	}

	// Bound to an open-platform account: UnionIDs, also for a user who left.
	op := w.s.CreateOpenPlatform(t, "Group", w.app.AppID)
	if _, err := w.s.Server.P.OA.Unfollow(context.Background(), w.app.AppID, w.users[1].ID); err != nil {
		t.Fatal(err)
	}
	info = w.get(t, "/cgi-bin/user/info?openid="+w.openid[0])
	if info["unionid"] != w.s.Server.P.Identity.UnionID(op, w.users[0].ID) {
		t.Fatalf("user/info when bound = %v", info)
	}
	gone := w.get(t, "/cgi-bin/user/info?openid="+w.openid[1])
	if sortedKeys(gone) != "openid,subscribe,unionid" || gone["subscribe"] != float64(0) || gone["openid"] != w.openid[1] {
		t.Fatalf("user/info of a user who unfollowed = %v", gone)
	}
	if m := w.get(t, "/cgi-bin/user/get"); m["total"] != float64(2) {
		t.Fatalf("user/get after an unfollow = %v", m)
	}

	batch := w.post(t, "/cgi-bin/user/info/batchget", map[string]any{"user_list": []map[string]string{
		{"openid": w.openid[2], "lang": "zh_CN"}, {"openid": w.openid[1]}, {"openid": w.openid[0], "lang": "en"}}})
	list, _ := batch["user_info_list"].([]any)
	if len(list) != 3 {
		t.Fatalf("batchget = %v", batch)
	}
	for i, want := range []struct {
		openid    string
		subscribe float64
	}{{w.openid[2], 1}, {w.openid[1], 0}, {w.openid[0], 1}} {
		e := list[i].(map[string]any)
		if e["openid"] != want.openid || e["subscribe"] != want.subscribe {
			t.Fatalf("batchget entry %d = %v, want %s subscribe %v", i, e, want.openid, want.subscribe)
		}
	}

	mustOK(t, "updateremark", w.post(t, "/cgi-bin/user/info/updateremark", map[string]string{"openid": w.openid[0], "remark": "老王"}))
	if info := w.get(t, "/cgi-bin/user/info?openid="+w.openid[0]); info["remark"] != "老王" {
		t.Fatalf("remark = %v", info["remark"])
	}

	// Another app's OpenID of the same user is not this account's.
	other := w.s.CreateApp(t, "subscription", "Blog")
	if _, err := w.s.Server.P.OA.Follow(context.Background(), other.AppID, w.users[0].ID, "", nil); err != nil {
		t.Fatal(err)
	}
	foreign := w.s.Server.P.Identity.OpenID(other.AppID, w.users[0].ID)
	mustErrcode(t, "user/info of another account's OpenID", w.get(t, "/cgi-bin/user/info?openid="+foreign), 40003)
	otherTok := w.s.AccessToken(t, other)
	if m := w.s.Get(t, "/cgi-bin/user/get?access_token="+otherTok); m["total"] != float64(1) || m["next_openid"] != foreign {
		t.Fatalf("the subscription account's user/get = %v", m)
	}

	mp := w.s.CreateApp(t, "miniprogram", "Shop")
	mustErrcode(t, "user/get of a mini program", w.s.Get(t, "/cgi-bin/user/get?access_token="+w.s.AccessToken(t, mp)), 48001)
}

func TestOATagsAndBlacklist(t *testing.T) {
	w := newFollowerWorld(t, 3)

	created := w.post(t, "/cgi-bin/tags/create", map[string]any{"tag": map[string]string{"name": "广东"}})
	tag, _ := created["tag"].(map[string]any)
	if sortedKeys(created) != "tag" || tag["id"] != float64(100) || tag["name"] != "广东" {
		t.Fatalf("tags/create = %v", created)
	}
	vip := w.post(t, "/cgi-bin/tags/create", map[string]any{"tag": map[string]string{"name": "VIP"}})["tag"].(map[string]any)["id"].(float64)
	mustErrcode(t, "duplicate tag", w.post(t, "/cgi-bin/tags/create", map[string]any{"tag": map[string]string{"name": "VIP"}}), 45157)

	mustOK(t, "batchtagging", w.post(t, "/cgi-bin/tags/members/batchtagging", map[string]any{"openid_list": w.openid, "tagid": 100}))
	// PowerWeChat sends tag ids as strings.
	mustOK(t, "batchtagging with a string tagid", w.post(t, "/cgi-bin/tags/members/batchtagging", map[string]any{"openid_list": w.openid[:1], "tagid": fmt.Sprint(vip)}))
	mustOK(t, "batchuntagging", w.post(t, "/cgi-bin/tags/members/batchuntagging", map[string]any{"openid_list": w.openid[2:], "tagid": "100"}))

	tags := w.get(t, "/cgi-bin/tags/get")
	if fmt.Sprint(tags) != fmt.Sprintf("map[tags:[map[count:2 id:100 name:广东] map[count:1 id:%v name:VIP]]]", vip) {
		t.Fatalf("tags/get = %v", tags)
	}
	ids := w.post(t, "/cgi-bin/tags/getidlist", map[string]string{"openid": w.openid[0]})
	if fmt.Sprint(ids) != fmt.Sprintf("map[tagid_list:[100 %v]]", vip) {
		t.Fatalf("getidlist = %v", ids)
	}
	if info := w.get(t, "/cgi-bin/user/info?openid="+w.openid[0]); fmt.Sprint(info["tagid_list"]) != fmt.Sprintf("[100 %v]", vip) {
		t.Fatalf("user/info tagid_list = %v", info["tagid_list"])
	}
	members := w.post(t, "/cgi-bin/user/tag/get", map[string]any{"tagid": "100", "next_openid": ""})
	want := slices.Clone(w.openid[:2])
	slices.Sort(want)
	if sortedKeys(members) != "count,data,next_openid" || members["count"] != float64(2) || fmt.Sprint(members["data"].(map[string]any)["openid"]) != fmt.Sprint(want) {
		t.Fatalf("user/tag/get = %v", members)
	}

	mustOK(t, "tags/update", w.post(t, "/cgi-bin/tags/update", map[string]any{"tag": map[string]any{"id": 100, "name": "广东人"}}))
	mustErrcode(t, "renaming a reserved tag", w.post(t, "/cgi-bin/tags/update", map[string]any{"tag": map[string]any{"id": 2, "name": "x"}}), 45058)
	mustOK(t, "tags/delete", w.post(t, "/cgi-bin/tags/delete", map[string]any{"tag": map[string]any{"id": vip}}))
	if ids := w.post(t, "/cgi-bin/tags/getidlist", map[string]string{"openid": w.openid[0]}); fmt.Sprint(ids) != "map[tagid_list:[100]]" {
		t.Fatalf("getidlist after deleting VIP = %v", ids)
	}
	if tags := w.get(t, "/cgi-bin/tags/get"); fmt.Sprint(tags) != "map[tags:[map[count:2 id:100 name:广东人]]]" {
		t.Fatalf("tags/get after update and delete = %v", tags)
	}

	// Blacklisted followers stay followers but cannot message the account.
	mustOK(t, "batchblacklist", w.post(t, "/cgi-bin/tags/members/batchblacklist", map[string]any{"openid_list": w.openid[1:2]}))
	bl := w.post(t, "/cgi-bin/tags/members/getblacklist", map[string]string{"begin_openid": ""})
	if bl["total"] != float64(1) || bl["count"] != float64(1) || bl["next_openid"] != w.openid[1] {
		t.Fatalf("getblacklist = %v", bl)
	}
	if m := w.get(t, "/cgi-bin/user/get"); m["total"] != float64(3) {
		t.Fatalf("user/get with a blacklisted follower = %v", m)
	}
	if _, err := w.s.Server.P.OA.Send(context.Background(), w.app.AppID, w.users[1].ID, officialaccount.UserMessage{Text: "hello?"}); err != officialaccount.ErrBlacklisted {
		t.Fatalf("a blacklisted follower's message: %v", err)
	}
	mustOK(t, "batchunblacklist", w.post(t, "/cgi-bin/tags/members/batchunblacklist", map[string]any{"openid_list": w.openid[1:2]}))
	if bl := w.post(t, "/cgi-bin/tags/members/getblacklist", map[string]string{}); bl["total"] != float64(0) || bl["data"] != nil {
		t.Fatalf("getblacklist after unblacklisting = %v", bl)
	}

	// POST-only endpoints refuse GET.
	req, _ := http.NewRequest("GET", w.s.URL+"/cgi-bin/tags/create?access_token="+w.tok, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(raw), `"errcode":43002`) {
		t.Fatalf("GET tags/create = %s", raw)
	}
}
