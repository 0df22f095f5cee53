package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"superapp/internal/account"
	"superapp/internal/testserver"
)

func TestCategoryAndQualificationCommands(t *testing.T) {
	s := testserver.New(t)
	t.Setenv("SUPERAPP_OPERATOR_KEY", testserver.OperatorKey)
	ctx := context.Background()
	mp := s.CreateApp(t, "miniprogram", "Clinic")
	ok := func(args ...string) string {
		t.Helper()
		code, out, errs := cli(t, s, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d, %s", args, code, errs)
		}
		return out
	}
	var tax struct{ Categories []account.CategoryDef }
	if err := json.Unmarshal([]byte(ok("categories")), &tax); err != nil || len(tax.Categories) != len(account.Categories) {
		t.Fatalf("categories: %v %d", err, len(tax.Categories))
	}
	ok("mp", "categories", "set", "--appid", mp.AppID, "--categories", "工具/效率, 医疗服务/私立医疗机构")
	got, err := s.Server.P.Accounts.AppCategories(ctx, mp.AppID)
	if err != nil || len(got) != 2 {
		t.Fatalf("stored categories = %+v, %v", got, err)
	}
	if out := ok("mp", "categories", "show", "--appid", mp.AppID); !strings.Contains(out, "私立医疗机构") {
		t.Fatalf("show: %s", out)
	}
	code, _, errs := cli(t, s, "mp", "categories", "set", "--appid", mp.AppID, "--categories", "医疗/挂号")
	if code == 0 || !strings.Contains(errs, "categories") || !strings.Contains(errs, "医疗/挂号") {
		t.Fatalf("unknown category: exit %d, %s", code, errs)
	}
	if got, _ := s.Server.P.Accounts.AppCategories(ctx, mp.AppID); len(got) != 2 {
		t.Fatalf("a refused set changed the categories: %+v", got)
	}

	app, _ := s.Server.P.Accounts.App(ctx, mp.AppID)
	ok("subject", "qualifications", "add", "--subject", app.SubjectID, "--name", "医疗机构执业许可证")
	if out := ok("subject", "qualifications", "show", "--subject", app.SubjectID); !strings.Contains(out, "医疗机构执业许可证") {
		t.Fatalf("show: %s", out)
	}
	ok("subject", "qualifications", "remove", "--subject", app.SubjectID, "--name", "医疗机构执业许可证")
	if q, _ := s.Server.P.Accounts.Qualifications(ctx, app.SubjectID); len(q) != 0 {
		t.Fatalf("after remove: %v", q)
	}
	if code, _, errs := cli(t, s, "subject", "qualifications", "show", "--subject", "sub_nope"); code == 0 || !strings.Contains(errs, "subject") {
		t.Fatalf("unknown subject: exit %d, %s", code, errs)
	}
}
