package wire_test

import (
	"context"
	"testing"

	"superapp/internal/account"
	"superapp/internal/testserver"
)

func TestGetCategory(t *testing.T) {
	s := testserver.New(t)
	mp := s.CreateApp(t, "miniprogram", "Clinic")
	tok := s.AccessToken(t, mp)
	m := s.Get(t, "/wxa/get_category?access_token="+tok)
	if testserver.Errcode(m) != 0 || len(m["category_list"].([]any)) != 0 {
		t.Fatalf("before any is set: %v", m)
	}
	med, _ := account.CategoryByName("医疗服务/私立医疗机构")
	if err := s.Server.P.Accounts.SetAppCategories(context.Background(), mp.AppID, [][2]int64{{med.FirstID, med.SecondID}}); err != nil {
		t.Fatal(err)
	}
	m = s.Get(t, "/wxa/get_category?access_token="+tok)
	list := m["category_list"].([]any)
	if len(list) != 1 {
		t.Fatalf("category_list = %v", m)
	}
	c := list[0].(map[string]any)
	if c["first_class"] != "医疗服务" || c["second_class"] != "私立医疗机构" || c["first_id"] != float64(med.FirstID) ||
		c["second_id"] != float64(med.SecondID) || c["third_class"] != "" {
		t.Fatalf("category = %v", c)
	}
	// An official account has no categories of this kind.
	oa := s.CreateApp(t, "service", "News")
	if code := testserver.Errcode(s.Get(t, "/wxa/get_category?access_token="+s.AccessToken(t, oa))); code != 48001 {
		t.Fatalf("official account: errcode %d", code)
	}
}
