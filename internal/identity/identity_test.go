package identity_test

import (
	"context"
	"errors"
	"testing"

	"superapp/internal/account"
	"superapp/internal/identity"
	"superapp/internal/store/storetest"
)

func init() { identity.PasswordIterations = 1000 }

func TestOpenIDAndUnionID(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	ident, err := identity.NewService(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	alice, _ := ident.CreateUser(ctx, identity.NewUser{Name: "alice"})
	bob, _ := ident.CreateUser(ctx, identity.NewUser{Name: "bob"})
	o1 := ident.OpenID("wx0000000000000001", alice.ID)
	if len(o1) != 28 || o1[0] != 'o' {
		t.Fatalf("OpenID %q is not shaped like WeChat's", o1)
	}
	if o1 != ident.OpenID("wx0000000000000001", alice.ID) {
		t.Fatal("OpenID is not stable")
	}
	seen := map[string]bool{o1: true}
	for _, o := range []string{ident.OpenID("wx0000000000000002", alice.ID), ident.OpenID("wx0000000000000001", bob.ID),
		ident.UnionID("op_1", alice.ID), ident.UnionID("op_2", alice.ID), ident.UnionID("op_1", bob.ID)} {
		if seen[o] {
			t.Fatalf("identifier %q repeats across apps, users or open platforms", o)
		}
		seen[o] = true
	}
	// A restart (a new service on the same database) derives the same ids;
	// another deployment (another database) derives different ones.
	again, _ := identity.NewService(ctx, db)
	if again.OpenID("wx0000000000000001", alice.ID) != o1 {
		t.Fatal("OpenID changed across restarts")
	}
	other, _ := identity.NewService(ctx, storetest.Open(t))
	if other.OpenID("wx0000000000000001", alice.ID) == o1 {
		t.Fatal("two deployments derive the same OpenID: the key is not per deployment")
	}
}

func TestEnrollAndLookupIsPerApp(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	accts := account.NewService(db, account.DefaultPolicy())
	a, _, _ := accts.CreateApp(ctx, account.MiniProgram, "A", "")
	b, _, _ := accts.CreateApp(ctx, account.MiniProgram, "B", "")
	ident, _ := identity.NewService(ctx, db)
	u, _ := ident.CreateUser(ctx, identity.NewUser{Name: "carol"})
	oa, err := ident.Enroll(ctx, a.AppID, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ident.Enroll(ctx, a.AppID, u.ID); err != nil {
		t.Fatalf("Enroll is not idempotent: %v", err)
	}
	got, err := ident.ByOpenID(ctx, a.AppID, oa)
	if err != nil || got.ID != u.ID {
		t.Fatalf("ByOpenID = %v, %v", got, err)
	}
	if _, err := ident.ByOpenID(ctx, b.AppID, oa); !errors.Is(err, identity.ErrOpenIDNotFound) {
		t.Fatalf("app B resolved app A's OpenID: %v", err)
	}
}

func TestUsersPasswordsAndSessions(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	ident, _ := identity.NewService(ctx, db)
	u, err := ident.CreateUser(ctx, identity.NewUser{Name: "dave", Phone: "13900139000", Password: "correct horse"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ident.CreateUser(ctx, identity.NewUser{Name: "eve", Phone: "13900139000", Password: "another one"}); !errors.Is(err, identity.ErrPhoneTaken) {
		t.Fatalf("duplicate phone: %v", err)
	}
	var ie *identity.InputError
	if _, err := ident.CreateUser(ctx, identity.NewUser{Name: "x", Phone: "12ab", Password: "long enough"}); !errors.As(err, &ie) || ie.Field != "phone" {
		t.Fatalf("bad phone: %v", err)
	}
	if _, err := ident.CreateUser(ctx, identity.NewUser{Name: "x", Phone: "13900139001", Password: "short"}); !errors.As(err, &ie) || ie.Field != "password" {
		t.Fatalf("short password: %v", err)
	}
	if _, err := ident.Authenticate(ctx, "13900139000", "wrong password"); !errors.Is(err, identity.ErrBadCredentials) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := ident.Authenticate(ctx, "13900139999", "correct horse"); !errors.Is(err, identity.ErrBadCredentials) {
		t.Fatalf("unknown phone: %v", err)
	}
	got, err := ident.Authenticate(ctx, "13900139000", "correct horse")
	if err != nil || got.ID != u.ID {
		t.Fatalf("Authenticate = %v, %v", got, err)
	}
	if err := ident.SetPassword(ctx, u.ID, "short"); !errors.As(err, &ie) || ie.Field != "password" {
		t.Fatalf("SetPassword short: %v", err)
	}
	if err := ident.SetPassword(ctx, "u_missing", "battery staple"); !errors.Is(err, identity.ErrUserNotFound) {
		t.Fatalf("SetPassword of nobody: %v", err)
	}
	if err := ident.SetPassword(ctx, u.ID, "battery staple"); err != nil {
		t.Fatal(err)
	}
	if _, err := ident.Authenticate(ctx, "13900139000", "correct horse"); !errors.Is(err, identity.ErrBadCredentials) {
		t.Fatalf("old password after SetPassword: %v", err)
	}
	if got, err := ident.Authenticate(ctx, "13900139000", "battery staple"); err != nil || got.ID != u.ID {
		t.Fatalf("new password: %v, %v", got, err)
	}
	tok, _ := ident.StartSession(ctx, u.ID)
	if su, err := ident.SessionUser(ctx, tok); err != nil || su.ID != u.ID {
		t.Fatalf("SessionUser = %v, %v", su, err)
	}
	ident.EndSession(ctx, tok)
	if _, err := ident.SessionUser(ctx, tok); !errors.Is(err, identity.ErrSessionNotFound) {
		t.Fatalf("after sign-out: %v", err)
	}
	// FindUser: by id, phone, unique name; ambiguous names refused.
	for _, ref := range []string{u.ID, "13900139000", "dave"} {
		if f, err := ident.FindUser(ctx, ref); err != nil || f.ID != u.ID {
			t.Fatalf("FindUser(%q) = %v, %v", ref, f, err)
		}
	}
	ident.CreateUser(ctx, identity.NewUser{Name: "dave"})
	if _, err := ident.FindUser(ctx, "dave"); !errors.Is(err, identity.ErrAmbiguousUser) {
		t.Fatalf("ambiguous name: %v", err)
	}
	if identity.CheckPassword(identity.HashPassword("a"), "b") || !identity.CheckPassword(identity.HashPassword("a"), "a") {
		t.Fatal("CheckPassword")
	}
}
