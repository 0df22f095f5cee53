package account_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"superapp/internal/account"
	"superapp/internal/store/storetest"
)

func TestAppCategoriesAndQualifications(t *testing.T) {
	ctx := context.Background()
	s := account.NewService(storetest.Open(t), account.DefaultPolicy())
	mp, _, err := s.CreateApp(ctx, account.MiniProgram, "Clinic", "")
	if err != nil {
		t.Fatal(err)
	}
	med, ok := account.CategoryByName("医疗服务/私立医疗机构")
	tool, _ := account.CategoryByName("工具/效率")
	if !ok || !med.Sensitive || len(med.Qualifications) == 0 {
		t.Fatalf("taxonomy lookup: %+v %v", med, ok)
	}
	if err := s.SetAppCategories(ctx, mp.AppID, [][2]int64{{med.FirstID, med.SecondID}, {tool.FirstID, tool.SecondID}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.AppCategories(ctx, mp.AppID)
	if err != nil || len(got) != 2 {
		t.Fatalf("AppCategories = %+v, %v", got, err)
	}
	// Replacing keeps nothing of the old set.
	if err := s.SetAppCategories(ctx, mp.AppID, [][2]int64{{tool.FirstID, tool.SecondID}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.AppCategories(ctx, mp.AppID); len(got) != 1 || got[0].Second != "效率" {
		t.Fatalf("after replace: %+v", got)
	}
	if err := s.SetAppCategories(ctx, mp.AppID, [][2]int64{{1, 99999}}); !errors.Is(err, account.ErrUnknownCategory) {
		t.Fatalf("unknown category: %v", err)
	}
	// Individuals cannot take a category closed to them, and nothing changes.
	person, _ := s.CreateSubject(ctx, account.Individual, "张三")
	mine, _, err := s.CreateApp(ctx, account.MiniProgram, "Notes", person.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetAppCategories(ctx, mine.AppID, [][2]int64{{med.FirstID, med.SecondID}}); !errors.Is(err, account.ErrCategoryNotForIndividuals) {
		t.Fatalf("individual + medical: %v", err)
	}
	if got, _ := s.AppCategories(ctx, mine.AppID); len(got) != 0 {
		t.Fatalf("a refused change wrote %+v", got)
	}
	oa, _, _ := s.CreateApp(ctx, account.ServiceAccount, "News", "")
	var ie *account.InputError
	if err := s.SetAppCategories(ctx, oa.AppID, nil); !errors.As(err, &ie) {
		t.Fatalf("categories on an official account: %v", err)
	}

	if err := s.AddQualification(ctx, mp.SubjectID, "医疗机构执业许可证"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddQualification(ctx, mp.SubjectID, "医疗机构执业许可证"); err != nil {
		t.Fatalf("adding twice: %v", err)
	}
	if err := s.AddQualification(ctx, mp.SubjectID, " "); !errors.As(err, &ie) {
		t.Fatalf("empty qualification: %v", err)
	}
	if err := s.AddQualification(ctx, "sub_missing", "x"); !errors.Is(err, account.ErrSubjectNotFound) {
		t.Fatalf("unknown subject: %v", err)
	}
	q, err := s.Qualifications(ctx, mp.SubjectID)
	if err != nil || !reflect.DeepEqual(q, []string{"医疗机构执业许可证"}) {
		t.Fatalf("Qualifications = %v, %v", q, err)
	}
	if err := s.RemoveQualification(ctx, mp.SubjectID, "医疗机构执业许可证"); err != nil {
		t.Fatal(err)
	}
	if q, _ := s.Qualifications(ctx, mp.SubjectID); len(q) != 0 {
		t.Fatalf("after remove: %v", q)
	}
}
