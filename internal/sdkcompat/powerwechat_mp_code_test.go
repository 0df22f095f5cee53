package sdkcompat_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image/jpeg"
	"io"
	"testing"

	"github.com/ArtisanCloud/PowerLibs/v3/object"
	"github.com/ArtisanCloud/PowerWeChat/v3/src/openPlatform/authorizer/miniProgram/code"
	"github.com/ArtisanCloud/PowerWeChat/v3/src/openPlatform/authorizer/miniProgram/code/request"
	"github.com/ArtisanCloud/PowerWeChat/v3/src/openPlatform/authorizer/miniProgram/code/response"
	"github.com/ArtisanCloud/PowerWeChat/v3/src/openPlatform/authorizer/miniProgram/tester"
	testerRequest "github.com/ArtisanCloud/PowerWeChat/v3/src/openPlatform/authorizer/miniProgram/tester/request"

	"superapp/internal/account"
	"superapp/internal/release"
	"superapp/internal/testserver"
)

// addDevVersion records an upload of appid (what `superapp upload` ends
// with) and returns its id.
func addDevVersion(t *testing.T, s *testserver.Server, appid, userVersion string) int64 {
	t.Helper()
	manifest := `{"appid":"` + appid + `","pages":{"pages/index/index":{}},"v":"` + userVersion + `"}`
	sum := sha256.Sum256([]byte(manifest))
	v, err := s.Server.P.Releases.AddDevVersion(context.Background(), appid, release.DevVersionInput{
		Uploader: "key:sdk", UserVersion: userVersion, Manifest: []byte(manifest),
		ManifestHash: hex.EncodeToString(sum[:]), Pages: []string{"pages/index/index"},
	})
	if err != nil {
		t.Fatalf("AddDevVersion: %v", err)
	}
	return v.ID
}

// PowerWeChat's code-management client (the open platform's authorizer
// mini program client) driven with the mini program's own token: commit →
// page list → trial QR code → submit → status → release → gray → plan →
// revert gray → rollback, plus testers.
func TestPowerWeChatMiniProgramCodeManagement(t *testing.T) {
	s := testserver.New(t)
	app := s.CreateApp(t, "miniprogram", "Shop")
	rec := newRecorder(s)
	mp := powerMiniProgram(t, rec, app)
	cc, err := code.NewClient(mp)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	approveLatest := func() {
		t.Helper()
		latest, err := cc.GetLatestAuditStatus(ctx)
		if err != nil || latest.ErrCode != 0 || latest.AuditID <= 0 {
			t.Fatalf("GetLatestAuditStatus = %+v, %v", latest, err)
		}
		if _, err := s.Server.P.Releases.Approve(ctx, int64(latest.AuditID), "sdk test"); err != nil {
			t.Fatal(err)
		}
	}

	// The categories the operator set are what submit_audit's item_list names.
	tool, _ := account.CategoryByName("工具/效率")
	if err := s.Server.P.Accounts.SetAppCategories(ctx, app.AppID, [][2]int64{{tool.FirstID, tool.SecondID}}); err != nil {
		t.Fatal(err)
	}
	if cats, err := cc.GetCategory(ctx); err != nil || cats.ErrCode != 0 || len(cats.CategoryList) != 1 ||
		cats.CategoryList[0].FirstClass != "工具" || cats.CategoryList[0].SecondID != int(tool.SecondID) {
		t.Fatalf("GetCategory = %+v, %v", cats, err)
	}

	// Before anything is uploaded, the SDK sees WeChat's errcode.
	if res, err := cc.Commit(ctx, "1", "{}", "1.0.0", "first"); err != nil || res.ErrCode != 85014 {
		t.Fatalf("Commit of no version = %+v, %v", res, err)
	}
	v1 := addDevVersion(t, s, app.AppID, "1.0.0")
	// The SDK sends template_id as a string.
	if res, err := cc.Commit(ctx, "1", `{"extAppid":"wxext","ext":{"k":1}}`, "1.0.0", "first"); err != nil || res.ErrCode != 0 {
		t.Fatalf("Commit = %+v, %v", res, err)
	}
	if pages, err := cc.GetPage(ctx); err != nil || pages.ErrCode != 0 || len(pages.PageList) != 1 || pages.PageList[0] != "pages/index/index" {
		t.Fatalf("GetPage = %+v, %v", pages, err)
	}
	qr, err := cc.GetQrCode(ctx, "pages/index/index?from=sdk")
	if err != nil {
		t.Fatal(err)
	}
	img, _ := io.ReadAll(qr.Body)
	qr.Body.Close()
	if ct := qr.Header.Get("Content-Type"); ct != "image/jpeg" {
		t.Fatalf("GetQrCode Content-Type %q: %.100q", ct, img)
	}
	if _, err := jpeg.Decode(bytes.NewReader(img)); err != nil {
		t.Fatalf("GetQrCode is not a JPEG: %v", err)
	}
	if q := rec.To("/wxa/get_qrcode")[0].Query; q.Get("path") != "pages/index/index?from=sdk" {
		t.Fatalf("GetQrCode sent %v", q)
	}

	sub, err := cc.SubmitAudit(ctx, &request.RequestSubmitAudit{
		ItemList:    []*request.Item{{Address: "pages/index/index", Tag: "shop", FirstClass: "商家自营", FirstID: 304, Title: "Home"}},
		VersionDesc: "first version",
	})
	if err != nil || sub.ErrCode != 0 {
		t.Fatalf("SubmitAudit = %+v, %v", sub, err)
	}
	latest, err := cc.GetLatestAuditStatus(ctx)
	if err != nil || latest.ErrCode != 0 || latest.Status != 2 || latest.UserVersion != "1.0.0" || latest.SubmitAuditTime <= 0 {
		t.Fatalf("GetLatestAuditStatus = %+v, %v", latest, err)
	}
	st, err := cc.GetAuditStatus(ctx, latest.AuditID)
	if err != nil || st.ErrCode != 0 || st.Status != 2 {
		t.Fatalf("GetAuditStatus = %+v, %v", st, err)
	}
	if res, err := cc.Release(ctx); err != nil || res.ErrCode != 85020 {
		t.Fatalf("Release while in review = %+v, %v", res, err)
	}
	approveLatest()
	if st, _ := cc.GetAuditStatus(ctx, latest.AuditID); st.Status != 0 {
		t.Fatalf("GetAuditStatus after approval = %+v", st)
	}
	if res, err := cc.Release(ctx); err != nil || res.ErrCode != 0 {
		t.Fatalf("Release = %+v, %v", res, err)
	}
	if calls := rec.To("/wxa/release"); calls[len(calls)-1].Method != "POST" {
		t.Fatalf("Release sent %s", calls[len(calls)-1].Method)
	}

	// Version 2 in gray.
	v2 := addDevVersion(t, s, app.AppID, "1.1.0")
	if res, err := cc.Commit(ctx, "2", "", "1.1.0", "second"); err != nil || res.ErrCode != 0 {
		t.Fatalf("Commit 2 = %+v, %v", res, err)
	}
	if sub, err := cc.SubmitAudit(ctx, &request.RequestSubmitAudit{VersionDesc: "second"}); err != nil || sub.ErrCode != 0 {
		t.Fatalf("SubmitAudit 2 = %+v, %v", sub, err)
	}
	approveLatest()
	if res, err := cc.GrayRelease(ctx, 20); err != nil || res.ErrCode != 0 {
		t.Fatalf("GrayRelease = %+v, %v", res, err)
	}
	plan, err := cc.GetGrayRelease(ctx)
	if err != nil || plan.ErrCode != 0 || plan.GrayReleasePlan == nil || plan.GrayReleasePlan.Status != 1 || plan.GrayReleasePlan.GrayPercentage != 20 || plan.GrayReleasePlan.CreateTimestamp <= 0 {
		t.Fatalf("GetGrayRelease = %+v %+v, %v", plan, plan.GrayReleasePlan, err)
	}
	if res, err := cc.GrayRelease(ctx, 10); err != nil || res.ErrCode != 85082 {
		t.Fatalf("GrayRelease lower = %+v, %v", res, err)
	}
	if res, err := cc.Release(ctx); err != nil || res.ErrCode != 85021 {
		t.Fatalf("Release during gray = %+v, %v", res, err)
	}
	if res, err := cc.RevertGrayRelease(ctx); err != nil || res.ErrCode != 0 {
		t.Fatalf("RevertGrayRelease = %+v, %v", res, err)
	}
	if plan, _ := cc.GetGrayRelease(ctx); plan.GrayReleasePlan == nil || plan.GrayReleasePlan.Status == 1 {
		t.Fatalf("GetGrayRelease after revert = %+v", plan.GrayReleasePlan)
	}
	if res, err := cc.Release(ctx); err != nil || res.ErrCode != 0 {
		t.Fatalf("Release 2 = %+v, %v", res, err)
	}
	if stt, _ := s.Server.P.Releases.State(ctx, app.AppID); stt.Online == nil || stt.Online.ID != v2 {
		t.Fatalf("online after release 2 = %+v", stt.Online)
	}

	// The history through the SDK's plumbing (it has no method for the
	// action), then its RollbackRelease: a bare revertcoderelease.
	hist := &response.ResponseRollbackRelease{}
	if _, err := cc.BaseClient.HttpGet(ctx, "wxa/revertcoderelease", &object.StringMap{"action": "get_history_version"}, nil, hist); err != nil || hist.ErrCode != 0 || len(hist.VersionList) == 0 {
		t.Fatalf("get_history_version = %+v, %v", hist, err)
	}
	found := false
	for _, v := range hist.VersionList {
		found = found || (int64(v.AppVersion) == v1 && v.UserVersion == "1.0.0" && v.CommitTime > 0)
	}
	if !found {
		t.Fatalf("get_history_version lacks version 1: %+v", hist.VersionList)
	}
	if res, err := cc.RollbackRelease(ctx); err != nil || res.ErrCode != 0 {
		t.Fatalf("RollbackRelease = %+v, %v", res, err)
	}
	if stt, _ := s.Server.P.Releases.State(ctx, app.AppID); stt.Online == nil || stt.Online.ID != v1 {
		t.Fatalf("online after rollback = %+v", stt.Online)
	}
	if res, err := cc.RollbackRelease(ctx); err != nil || res.ErrCode != 87012 {
		t.Fatalf("RollbackRelease twice = %+v, %v", res, err)
	}

	// Testers: wechatid is the user's phone number or unique name.
	u := s.CreateUser(t, "pw-tester", "13600136000")
	tc, err := tester.NewClient(mp)
	if err != nil {
		t.Fatal(err)
	}
	bind, err := tc.Bind(ctx, "13600136000")
	if err != nil || bind.ErrCode != 0 || bind.Userstr != s.Server.P.Identity.OpenID(app.AppID, u.ID) {
		t.Fatalf("Bind = %+v, %v", bind, err)
	}
	if list, err := tc.List(ctx); err != nil || list.ErrCode != 0 || len(list.Members) != 1 || list.Members[0].UserStr != bind.Userstr {
		t.Fatalf("List = %+v, %v", list, err)
	}
	if res, err := tc.Unbind(ctx, &testerRequest.RequestUnbind{UserStr: bind.Userstr}); err != nil || res.ErrCode != 0 {
		t.Fatalf("Unbind = %+v, %v", res, err)
	}
	if list, _ := tc.List(ctx); len(list.Members) != 0 {
		t.Fatalf("List after Unbind = %+v", list.Members)
	}
}
