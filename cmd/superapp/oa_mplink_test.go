package main

import (
	"encoding/json"
	"strings"
	"testing"

	"superapp/internal/testserver"
)

func TestOAMPLinkCommands(t *testing.T) {
	s := testserver.New(t)
	t.Setenv("SUPERAPP_OPERATOR_KEY", testserver.OperatorKey)
	oa := s.CreateApp(t, "service", "News")
	shop := s.CreateApp(t, "miniprogram", "Shop")
	var sub struct {
		ID string `json:"id"`
	}
	s.Call(t, "POST", "/admin/v1/subjects", map[string]string{"kind": "enterprise", "name": "Partner Ltd"}, &sub)
	var partner testserver.App
	s.Call(t, "POST", "/admin/v1/apps", map[string]string{"kind": "miniprogram", "name": "Partner", "subject_id": sub.ID}, &partner)

	code, out, errs := cli(t, s, "oa", "mplink", "add", "--appid", oa.AppID, "--miniprogram", shop.AppID)
	var l map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &l) != nil || l["status_name"] != "linked" || l["show_profile"] != true {
		t.Fatalf("add same subject: %d %s %s", code, out, errs)
	}
	code, out, errs = cli(t, s, "oa", "mplink", "add", "--appid", oa.AppID, "--miniprogram", partner.AppID, "--show-profile", "false")
	if code != 0 || json.Unmarshal([]byte(out), &l) != nil || l["status_name"] != "pending" || l["show_profile"] != false {
		t.Fatalf("add other subject: %d %s %s", code, out, errs)
	}
	code, out, _ = cli(t, s, "oa", "mplink", "list", "--appid", oa.AppID)
	if code != 0 || !strings.Contains(out, "STATUS") || !strings.Contains(out, shop.AppID+"  Shop") || !strings.Contains(out, "pending") {
		t.Fatalf("list: %d\n%s", code, out)
	}
	code, out, _ = cli(t, s, "oa", "mplink", "list", "--appid", partner.AppID)
	if code != 0 || !strings.Contains(out, oa.AppID) || strings.Contains(out, shop.AppID) {
		t.Fatalf("list of a mini program: %d\n%s", code, out)
	}
	code, out, errs = cli(t, s, "oa", "mplink", "confirm", "--appid", oa.AppID, "--miniprogram", partner.AppID)
	if code != 0 || !strings.Contains(out, `"status_name":"linked"`) {
		t.Fatalf("confirm: %d %s %s", code, out, errs)
	}
	code, _, errs = cli(t, s, "oa", "mplink", "refuse", "--appid", oa.AppID, "--miniprogram", partner.AppID)
	if code != 1 || !strings.Contains(errs, "does not wait for confirmation") {
		t.Fatalf("refuse a confirmed link: %d %s", code, errs)
	}
	code, _, errs = cli(t, s, "oa", "mplink", "add", "--appid", oa.AppID, "--miniprogram", shop.AppID)
	if code != 1 || !strings.Contains(errs, "already linked") {
		t.Fatalf("add twice: %d %s", code, errs)
	}
	code, _, errs = cli(t, s, "oa", "mplink", "add", "--appid", oa.AppID, "--miniprogram", partner.AppID, "--show-profile", "maybe")
	if code != 2 || !strings.Contains(errs, "show_profile") {
		t.Fatalf("bad --show-profile: %d %s", code, errs)
	}
	code, _, errs = cli(t, s, "oa", "mplink", "confirm", "--appid", oa.AppID)
	if code != 2 || !strings.Contains(errs, "--miniprogram is required") {
		t.Fatalf("confirm without --miniprogram: %d %s", code, errs)
	}
	code, out, _ = cli(t, s, "oa", "mplink", "remove", "--appid", oa.AppID, "--miniprogram", shop.AppID)
	if code != 0 || !strings.Contains(out, `"removed":true`) {
		t.Fatalf("remove: %d %s", code, out)
	}
	code, _, errs = cli(t, s, "oa", "mplink", "remove", "--appid", oa.AppID, "--miniprogram", shop.AppID)
	if code != 1 || !strings.Contains(errs, "not linked") {
		t.Fatalf("remove twice: %d %s", code, errs)
	}
}
