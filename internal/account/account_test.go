package account_test

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"superapp/internal/account"
	"superapp/internal/store/storetest"
)

func TestCreateAppAndSecret(t *testing.T) {
	ctx := context.Background()
	s := account.NewService(storetest.Open(t), account.DefaultPolicy())
	app, secret, err := s.CreateApp(ctx, account.MiniProgram, "Coffee", "")
	if err != nil {
		t.Fatal(err)
	}
	if !account.ValidAppID(app.AppID) || len(secret) != 32 || strings.Trim(secret, "0123456789abcdef") != "" {
		t.Fatalf("appid %q secret %q are not WeChat-shaped", app.AppID, secret)
	}
	if app.SecretHash == secret || !account.CheckSecret(app, secret) || account.CheckSecret(app, strings.Repeat("0", 32)) {
		t.Fatal("secret is stored in the clear or does not check")
	}
	fresh, err := s.ResetSecret(ctx, app.AppID)
	if err != nil || fresh == secret {
		t.Fatalf("ResetSecret = %q, %v", fresh, err)
	}
	got, _ := s.App(ctx, app.AppID)
	if account.CheckSecret(got, secret) || !account.CheckSecret(got, fresh) {
		t.Fatal("after reset the old secret still works or the new one does not")
	}
	sub, _ := s.Subject(ctx, app.SubjectID)
	if sub.Name != account.DefaultSubjectName || sub.Kind != account.Enterprise {
		t.Fatalf("default subject = %+v", sub)
	}
	var ie *account.InputError
	if _, _, err := s.CreateApp(ctx, "bot", "x", ""); !errors.As(err, &ie) || ie.Field != "kind" {
		t.Fatalf("bad kind: %v", err)
	}
	if _, _, err := s.CreateApp(ctx, account.MiniProgram, strings.Repeat("名", 31), ""); !errors.As(err, &ie) || !strings.Contains(ie.Msg, "30") {
		t.Fatalf("long name: %v", err)
	}
	if _, _, err := s.CreateApp(ctx, account.MiniProgram, "x", "sub_missing"); !errors.Is(err, account.ErrSubjectNotFound) {
		t.Fatalf("unknown subject: %v", err)
	}
	if _, err := s.ResetSecret(ctx, "wx0000000000000000"); !errors.Is(err, account.ErrAppNotFound) {
		t.Fatalf("reset unknown app: %v", err)
	}
}

func TestIndividualSubjectLimits(t *testing.T) {
	ctx := context.Background()
	s := account.NewService(storetest.Open(t), account.DefaultPolicy())
	person, err := s.CreateSubject(ctx, account.Individual, "Zhang San")
	if err != nil {
		t.Fatal(err)
	}
	var le *account.LimitError
	if _, _, err := s.CreateApp(ctx, account.ServiceAccount, "Svc", person.ID); !errors.As(err, &le) {
		t.Fatalf("individual service account: %v, want a limit error", err)
	}
	if _, _, err := s.CreateApp(ctx, account.SubscriptionAccount, "Blog", person.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateApp(ctx, account.SubscriptionAccount, "Blog 2", person.ID); !errors.As(err, &le) {
		t.Fatalf("second subscription account of a person: %v", err)
	}
}

func TestOpenPlatformBinding(t *testing.T) {
	ctx := context.Background()
	policy := account.DefaultPolicy()
	policy.OrgSameSubjectMiniPrograms = 2
	policy.OrgOtherSubjectMiniPrograms = 1
	s := account.NewService(storetest.Open(t), policy)
	corp, _ := s.CreateSubject(ctx, account.Enterprise, "Corp")
	other, _ := s.CreateSubject(ctx, account.Enterprise, "Other Corp")
	op, err := s.CreateOpenPlatform(ctx, corp.ID, "Corp OP")
	if err != nil {
		t.Fatal(err)
	}
	mk := func(sub string) string {
		a, _, err := s.CreateApp(ctx, account.MiniProgram, "mp", sub)
		if err != nil {
			t.Fatal(err)
		}
		return a.AppID
	}
	m1, m2, m3 := mk(corp.ID), mk(corp.ID), mk(corp.ID)
	x1, x2 := mk(other.ID), mk(other.ID)
	for _, a := range []string{m1, m2, x1} {
		if err := s.Bind(ctx, op.ID, a); err != nil {
			t.Fatalf("bind %s: %v", a, err)
		}
	}
	var le *account.LimitError
	if err := s.Bind(ctx, op.ID, m3); !errors.As(err, &le) || !strings.Contains(le.Msg, "org_same_subject_miniprograms") {
		t.Fatalf("third same-subject mini program: %v", err)
	}
	if err := s.Bind(ctx, op.ID, x2); !errors.As(err, &le) || !strings.Contains(le.Msg, "org_other_subject_miniprograms") {
		t.Fatalf("second other-subject mini program: %v", err)
	}
	// A mini program binds to one open platform only.
	op2, _ := s.CreateOpenPlatform(ctx, corp.ID, "Second OP")
	if err := s.Bind(ctx, op2.ID, m1); !errors.Is(err, account.ErrAlreadyBound) {
		t.Fatalf("bind to a second open platform: %v", err)
	}
	if err := s.Unbind(ctx, op2.ID, m1); !errors.Is(err, account.ErrNotBound) {
		t.Fatalf("unbind from the wrong open platform: %v", err)
	}
	if err := s.Unbind(ctx, op.ID, m1); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.App(ctx, m1); a.OpenPlatformID != "" {
		t.Fatalf("still bound after unbind: %+v", a)
	}
	if err := s.Bind(ctx, op.ID, m3); err != nil {
		t.Fatalf("bind after a slot was freed: %v", err)
	}

	// A person's open platform takes only that person's mini programs.
	person, _ := s.CreateSubject(ctx, account.Individual, "Li Si")
	pop, _ := s.CreateOpenPlatform(ctx, person.ID, "Li Si OP")
	blog, _, _ := s.CreateApp(ctx, account.SubscriptionAccount, "blog", person.ID)
	if err := s.Bind(ctx, pop.ID, blog.AppID); !errors.As(err, &le) {
		t.Fatalf("official account on a personal open platform: %v", err)
	}
	if err := s.Bind(ctx, pop.ID, x2); !errors.As(err, &le) {
		t.Fatalf("another subject's app on a personal open platform: %v", err)
	}
}

func TestIPWhitelist(t *testing.T) {
	ctx := context.Background()
	s := account.NewService(storetest.Open(t), account.DefaultPolicy())
	app, _, _ := s.CreateApp(ctx, account.ServiceAccount, "svc", "")
	var ie *account.InputError
	if err := s.SetIPWhitelist(ctx, app.AppID, []string{"10.0.0.1", "not-an-ip"}); !errors.As(err, &ie) || !strings.Contains(ie.Msg, "not-an-ip") {
		t.Fatalf("bad entry: %v", err)
	}
	if err := s.SetIPWhitelist(ctx, app.AppID, []string{"10.0.0.1", "192.168.1.0/24"}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.App(ctx, app.AppID)
	for ip, want := range map[string]bool{"10.0.0.1": true, "::ffff:10.0.0.1": true, "192.168.1.77": true, "10.0.0.2": false, "127.0.0.1": false} {
		if got.IPAllowed(netip.MustParseAddr(ip)) != want {
			t.Errorf("IPAllowed(%s) = %v, want %v", ip, !want, want)
		}
	}
}
