package sdkcompat_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ArtisanCloud/PowerWeChat/v3/src/officialAccount/user/request"

	"superapp/internal/testserver"
)

func TestPowerWeChatUsersTagsBlacklist(t *testing.T) {
	s := testserver.New(t)
	app := s.CreateApp(t, "service", "News")
	oa := powerOfficialAccount(t, s.Transport(), app)
	ctx := context.Background()
	fans := bulkFollowers(t, s, app.AppID, 10050)

	// PowerWeChat sends next_openid even when empty.
	var all []string
	next := ""
	for range 3 {
		page, err := oa.User.List(ctx, next)
		if err != nil || page.ErrCode != 0 || page.Total != 10050 {
			t.Fatalf("User.List(%q) = %+v, %v", next, page.ResponseOfficialAccount, err)
		}
		all = append(all, page.Data.OpenID...)
		if page.Count == 0 {
			if page.NextOpenID != "" {
				t.Fatalf("empty page with next_openid %q", page.NextOpenID)
			}
			break
		}
		next = page.NextOpenID
	}
	if !slices.Equal(all, fans) {
		t.Fatalf("User.List pages gave %d OpenIDs, want all %d in order", len(all), len(fans))
	}

	info, err := oa.User.Get(ctx, fans[3], "zh_CN")
	if err != nil || info.ErrCode != 0 || info.Subscribe != 1 || info.OpenID != fans[3] || info.SubscribeScene != "ADD_SCENE_SEARCH" {
		t.Fatalf("User.Get = %+v, %v", info, err)
	}
	if bad, err := oa.User.Get(ctx, "oStranger", ""); err != nil || bad.ErrCode != 40003 {
		t.Fatalf("User.Get of a stranger = %+v, %v", bad, err)
	}
	batch, err := oa.User.BatchGet(ctx, &request.RequestBatchGetUserInfo{UserList: []*request.UserList{{Openid: fans[0], Lang: "zh_CN"}, {Openid: fans[9], Lang: "zh_CN"}}})
	if err != nil || len(batch.ResponseGetUserInfo) != 2 || batch.ResponseGetUserInfo[1].OpenID != fans[9] {
		t.Fatalf("User.BatchGet = %+v, %v", batch, err)
	}
	if r, err := oa.User.Remark(ctx, fans[0], "vip"); err != nil || r.ErrCode != 0 {
		t.Fatalf("User.Remark = %+v, %v", r, err)
	}
	if info, _ := oa.User.Get(ctx, fans[0], ""); info.Remark != "vip" {
		t.Fatalf("remark = %q", info.Remark)
	}

	// Tags; PowerWeChat's tag client sends most tag ids as strings.
	created, err := oa.UserTag.Create(ctx, "北京")
	if err != nil || created.ErrCode != 0 || created.Tag == nil || created.Tag.ID != 100 {
		t.Fatalf("UserTag.Create = %+v, %v", created, err)
	}
	id := strconv.Itoa(created.Tag.ID)
	if r, err := oa.UserTag.Update(ctx, id, "北京人"); err != nil || r.ErrCode != 0 {
		t.Fatalf("UserTag.Update = %+v, %v", r, err)
	}
	if r, err := oa.UserTag.TagUsers(ctx, fans[:30], created.Tag.ID); err != nil || r.ErrCode != 0 {
		t.Fatalf("UserTag.TagUsers = %+v, %v", r, err)
	}
	if r, err := oa.UserTag.UntagUsers(ctx, fans[:5], id); err != nil || r.ErrCode != 0 {
		t.Fatalf("UserTag.UntagUsers = %+v, %v", r, err)
	}
	list, err := oa.UserTag.List(ctx)
	if err != nil || len(list.Tags) != 1 || list.Tags[0].Name != "北京人" || list.Tags[0].Count != 25 {
		t.Fatalf("UserTag.List = %+v, %v", list, err)
	}
	members, err := oa.UserTag.UsersOfTag(ctx, id, "")
	if err != nil || members.Count != 25 || members.Data == nil || !slices.Equal(members.Data.Openid, fans[5:30]) {
		t.Fatalf("UserTag.UsersOfTag = %+v, %v", members, err)
	}
	if rest, err := oa.UserTag.UsersOfTag(ctx, id, members.NextOpenid); err != nil || rest.Count != 0 || rest.NextOpenid != "" {
		t.Fatalf("UsersOfTag past the end = %+v, %v", rest, err)
	}
	if ids, err := oa.UserTag.UserTags(ctx, fans[5]); err != nil || !slices.Equal(ids.TagIDList, []int{created.Tag.ID}) {
		t.Fatalf("UserTag.UserTags = %+v, %v", ids, err)
	}
	if r, err := oa.UserTag.Delete(ctx, "1"); err != nil || r.ErrCode != 45058 {
		t.Fatalf("UserTag.Delete(reserved) = %+v, %v", r, err)
	}
	if r, err := oa.UserTag.Delete(ctx, id); err != nil || r.ErrCode != 0 {
		t.Fatalf("UserTag.Delete = %+v, %v", r, err)
	}
	if ids, _ := oa.UserTag.UserTags(ctx, fans[5]); len(ids.TagIDList) != 0 {
		t.Fatalf("tags after UserTag.Delete = %v", ids.TagIDList)
	}

	// Blacklist.
	if r, err := oa.User.Block(ctx, fans[500:505]); err != nil || r.ErrCode != 0 {
		t.Fatalf("User.Block = %+v, %v", r, err)
	}
	if r, err := oa.User.Block(ctx, fans[:21]); err != nil || r.ErrCode != 40032 {
		t.Fatalf("User.Block of 21 = %+v, %v", r, err)
	}
	bl, err := oa.User.Blacklist(ctx, "")
	if err != nil || bl.Total != 5 || !slices.Equal(bl.Data.OpenID, fans[500:505]) {
		t.Fatalf("User.Blacklist = %+v, %v", bl, err)
	}
	if r, err := oa.User.Unblock(ctx, fans[500:505]); err != nil || r.ErrCode != 0 {
		t.Fatalf("User.Unblock = %+v, %v", r, err)
	}
	if bl, _ := oa.User.Blacklist(ctx, ""); bl.Total != 0 {
		t.Fatalf("blacklist after User.Unblock = %+v", bl)
	}
}

func TestPowerWeChatQRCodes(t *testing.T) {
	s := testserver.New(t, testserver.Dev())
	app := s.CreateApp(t, "service", "News")
	dev := newDevServer(t, s, app.AppID)
	oa := powerOfficialAccount(t, s.Transport(), app)
	ctx := context.Background()

	temp, err := oa.QRCode.Temporary(ctx, "coupon-9", 7200)
	if err != nil || temp.Ticket == "" || temp.ExpireSeconds != 7200 {
		t.Fatalf("QRCode.Temporary = %+v, %v", temp, err)
	}
	tempID, err := oa.QRCode.Temporary(ctx, 77, 120)
	if err != nil || tempID.ExpireSeconds != 120 {
		t.Fatalf("QRCode.Temporary(77) = %+v, %v", tempID, err)
	}
	forever, err := oa.QRCode.Forever(ctx, 99)
	if err != nil || forever.Ticket == "" || forever.ExpireSeconds != 0 {
		t.Fatalf("QRCode.Forever = %+v, %v", forever, err)
	}
	foreverStr, err := oa.QRCode.Forever(ctx, "store-1")
	if err != nil || foreverStr.Ticket == "" {
		t.Fatalf("QRCode.Forever(string) = %+v, %v", foreverStr, err)
	}
	for _, c := range []struct{ ticket, url string }{{temp.Ticket, temp.Url}, {tempID.Ticket, tempID.Url}, {forever.Ticket, forever.Url}, {foreverStr.Ticket, foreverStr.Url}} {
		// PowerWeChat's URL escapes the ticket.
		if got := decodeQR(t, showQRCode(t, s, oa.QRCode.URL(c.ticket))); got != c.url || !strings.HasPrefix(got, s.URL+"/q/") {
			t.Fatalf("image of %s decodes to %q, want %q", c.ticket, got, c.url)
		}
	}

	u := s.CreateUser(t, "walker", "")
	openid := s.Server.P.Identity.OpenID(app.AppID, u.ID)
	if res := scan(t, s, u.ID, temp.Url); res.Event != "subscribe" {
		t.Fatalf("first scan: %s", res.Event)
	}
	if res := scan(t, s, u.ID, forever.Url); res.Event != "SCAN" {
		t.Fatalf("follower's scan: %s", res.Event)
	}
	pushes := dev.pushes()
	want := []pushDoc{{openid, "subscribe", "qrscene_coupon-9", temp.Ticket}, {openid, "SCAN", "99", forever.Ticket}}
	if !slices.Equal(pushes, want) {
		t.Fatalf("the developer server got %+v, want %+v", pushes, want)
	}
	info, err := oa.User.Get(ctx, openid, "zh_CN")
	if err != nil || info.SubscribeScene != "ADD_SCENE_QR_CODE" || info.QrSceneStr != "coupon-9" || info.QrScene != 0 {
		t.Fatalf("User.Get after the scans = %+v, %v", info, err)
	}
}
