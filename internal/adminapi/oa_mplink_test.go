package adminapi_test

import (
	"testing"

	"superapp/internal/officialaccount"
	"superapp/internal/testserver"
)

type mpLinkAnswer struct {
	OAAppID     string `json:"oa_appid"`
	AppID       string `json:"appid"`
	Name        string `json:"name"`
	Status      int    `json:"status"`
	StatusName  string `json:"status_name"`
	SameSubject bool   `json:"same_subject"`
	ShowProfile bool   `json:"show_profile"`
}

func TestOAMPLinkAdminAPI(t *testing.T) {
	p := officialaccount.DefaultPolicy()
	p.MiniProgramLinks.OtherSubject = 1
	s := testserver.New(t, testserver.OAPolicy(p))
	oa := s.CreateApp(t, "service", "News")
	shop := s.CreateApp(t, "miniprogram", "Shop")
	var sub struct {
		ID string `json:"id"`
	}
	s.Call(t, "POST", "/admin/v1/subjects", map[string]string{"kind": "enterprise", "name": "Partner Ltd"}, &sub)
	var partner, partner2 testserver.App
	s.Call(t, "POST", "/admin/v1/apps", map[string]string{"kind": "miniprogram", "name": "Partner", "subject_id": sub.ID}, &partner)
	s.Call(t, "POST", "/admin/v1/apps", map[string]string{"kind": "miniprogram", "name": "Partner Two", "subject_id": sub.ID}, &partner2)
	base := "/admin/v1/apps/" + oa.AppID + "/miniprogram-links"

	var l mpLinkAnswer
	s.Call(t, "POST", base, map[string]any{"appid": shop.AppID}, &l)
	if l.Status != 1 || l.StatusName != "linked" || !l.SameSubject || !l.ShowProfile || l.Name != "Shop" {
		t.Fatalf("same-subject link = %+v", l)
	}
	s.Call(t, "POST", base, map[string]any{"appid": partner.AppID, "show_profile": false}, &l)
	if l.Status != 2 || l.StatusName != "pending" || l.ShowProfile {
		t.Fatalf("other-subject link = %+v", l)
	}
	refusedWith(t, s, "POST", base, map[string]any{"appid": partner2.AppID}, 409, "", "already links 1 mini programs of other subjects; the limit is 1 (policy official_accounts.miniprogram_links.other_subject)")
	refusedWith(t, s, "POST", base, map[string]any{"appid": shop.AppID}, 409, "", "already linked")
	refusedWith(t, s, "POST", base, map[string]any{}, 400, "appid", "appid: is required")
	refusedWith(t, s, "POST", base, map[string]any{"appid": oa.AppID}, 400, "appid", "not a mini program")
	refusedWith(t, s, "POST", base, map[string]any{"appid": shop.AppID, "show": 1}, 400, "body", "")
	refusedWith(t, s, "POST", "/admin/v1/apps/"+shop.AppID+"/miniprogram-links", map[string]any{"appid": partner.AppID}, 400, "appid", "is a miniprogram account; only subscription and service accounts link mini programs")
	refusedWith(t, s, "GET", "/admin/v1/apps/wx0000000000000000/miniprogram-links", nil, 404, "", "")

	// The mini program's side sees the request and confirms it.
	var list struct {
		Links []mpLinkAnswer `json:"links"`
	}
	s.Call(t, "GET", "/admin/v1/apps/"+partner.AppID+"/miniprogram-links", nil, &list)
	if len(list.Links) != 1 || list.Links[0].OAAppID != oa.AppID || list.Links[0].Status != 2 {
		t.Fatalf("mini program's links = %+v", list)
	}
	s.Call(t, "POST", base+"/"+partner.AppID+"/confirm", nil, &l)
	if l.Status != 1 {
		t.Fatalf("confirmed = %+v", l)
	}
	refusedWith(t, s, "POST", base+"/"+partner.AppID+"/confirm", nil, 409, "", "is linked")
	refusedWith(t, s, "POST", base+"/"+partner.AppID+"/refuse", nil, 409, "", "does not wait for confirmation")
	refusedWith(t, s, "POST", base+"/"+partner2.AppID+"/confirm", nil, 404, "", "not linked")

	s.Call(t, "GET", base, nil, &list)
	if len(list.Links) != 2 {
		t.Fatalf("account's links = %+v", list)
	}
	var removed map[string]any
	s.Call(t, "DELETE", base+"/"+partner.AppID, nil, &removed)
	refusedWith(t, s, "DELETE", base+"/"+partner.AppID, nil, 404, "", "not linked")
	// Asked again and refused by the mini program's admin.
	s.Call(t, "POST", base, map[string]any{"appid": partner.AppID}, &l)
	s.Call(t, "POST", base+"/"+partner.AppID+"/refuse", nil, &l)
	if l.Status != 3 || l.StatusName != "refused" {
		t.Fatalf("refused = %+v", l)
	}
}
