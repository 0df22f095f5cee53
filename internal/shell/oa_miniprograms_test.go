package shell_test

import (
	"context"
	"testing"

	"superapp/internal/testserver"
)

func TestOAProfileMiniPrograms(t *testing.T) {
	ts := testserver.New(t, testserver.Dev())
	ctx := context.Background()
	oa := ts.CreateApp(t, "service", "Daily News")
	shop := ts.CreateApp(t, "miniprogram", "Paper Shop")
	hidden := ts.CreateApp(t, "miniprogram", "Back Office")
	var sub struct {
		ID string `json:"id"`
	}
	ts.Call(t, "POST", "/admin/v1/subjects", map[string]string{"kind": "enterprise", "name": "Partner Ltd"}, &sub)
	var partner testserver.App
	ts.Call(t, "POST", "/admin/v1/apps", map[string]string{"kind": "miniprogram", "name": "Partner", "subject_id": sub.ID}, &partner)
	b, _ := testUser(t, ts)
	path := "/shell/api/oa/" + oa.AppID + "/miniprograms"

	if got := list(b.ok("GET", path, nil), "miniprograms"); len(got) != 0 {
		t.Fatalf("before any link: %v", got)
	}
	oas := ts.Server.P.OA
	for _, l := range []struct {
		appid string
		show  bool
	}{{shop.AppID, true}, {hidden.AppID, false}, {partner.AppID, true}} {
		if _, err := oas.LinkMiniProgram(ctx, oa.AppID, l.appid, l.show, false); err != nil {
			t.Fatal(err)
		}
	}
	// The partner's link waits for its admin; the back office is not shown.
	got := list(b.ok("GET", path, nil), "miniprograms")
	if len(got) != 1 || got[0]["appid"] != shop.AppID || got[0]["name"] != "Paper Shop" {
		t.Fatalf("profile mini programs = %v", got)
	}
	if _, err := oas.ConfirmMiniProgramLink(ctx, oa.AppID, partner.AppID); err != nil {
		t.Fatal(err)
	}
	if got := list(b.ok("GET", path, nil), "miniprograms"); len(got) != 2 {
		t.Fatalf("after confirmation = %v", got)
	}
	b.fails("GET", "/shell/api/oa/"+shop.AppID+"/miniprograms", nil, 404, "account_not_found", "")
	b.fails("POST", path, map[string]any{}, 405, "method_not_allowed", "")
	newBrowserSignedOut := newBrowser(t, ts.URL, nil)
	newBrowserSignedOut.fails("GET", path, nil, 401, "not_signed_in", "")
}
