package officialaccount_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"superapp/internal/account"
	"superapp/internal/identity"
	"superapp/internal/input"
	"superapp/internal/officialaccount"
)

func names(list []*officialaccount.AccountSummary) []string {
	out := []string{}
	for _, a := range list {
		out = append(out, a.Name)
	}
	return out
}

func TestSearchAccounts(t *testing.T) {
	w := newWorld(t) // a service account "News"
	ctx := context.Background()
	oa := w.p.OA
	create := func(kind account.AppKind, name string) *account.App {
		t.Helper()
		app, _, err := w.p.Accounts.CreateApp(ctx, kind, name, "")
		if err != nil {
			t.Fatal(err)
		}
		return app
	}
	daily := create(account.SubscriptionAccount, "Daily NEWS digest")
	create(account.MiniProgram, "News mini program")
	create(account.ServiceAccount, "100% juice")
	create(account.ServiceAccount, "snake_case fans")
	create(account.ServiceAccount, "snakeXcase fans")
	if _, err := oa.Follow(ctx, daily.AppID, w.user.ID, officialaccount.SceneSearch, nil); err != nil {
		t.Fatal(err)
	}

	got, err := oa.SearchAccounts(ctx, "  news ", w.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Case is ignored, mini programs are not official accounts, names that
	// start with the query come first.
	if fmt.Sprint(names(got)) != "[News Daily NEWS digest]" {
		t.Fatalf("search news: %v", names(got))
	}
	if got[0].AppID != w.oa.AppID || got[0].Kind != "service" || got[0].Following {
		t.Fatalf("News: %+v", got[0])
	}
	if got[1].AppID != daily.AppID || got[1].Kind != "subscription" || !got[1].Following {
		t.Fatalf("Daily NEWS digest: %+v", got[1])
	}
	// Another user follows nothing.
	bob, err := w.p.Identity.CreateUser(ctx, identity.NewUser{Name: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := oa.SearchAccounts(ctx, "digest", bob.ID); len(got) != 1 || got[0].Following {
		t.Fatalf("bob's search: %+v", got)
	}

	// LIKE's wildcards match only themselves.
	for q, want := range map[string]string{"%": "[100% juice]", "_": "[snake_case fans]", `e_c`: "[snake_case fans]", `\`: "[]", "zzz": "[]"} {
		got, err := oa.SearchAccounts(ctx, q, w.user.ID)
		if err != nil || fmt.Sprint(names(got)) != want {
			t.Errorf("search %q: %v %v; want %s", q, names(got), err, want)
		}
	}

	for _, q := range []string{"", "   ", "a\x00b", "\xff"} {
		var ie *input.Error
		if _, err := oa.SearchAccounts(ctx, q, w.user.ID); !errors.As(err, &ie) || ie.Field != "q" {
			t.Errorf("search %q: %v; want an input error on q", q, err)
		}
	}
}

func TestSearchAccountsLimit(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	for i := range officialaccount.SearchLimit + 5 {
		if _, _, err := w.p.Accounts.CreateApp(ctx, account.SubscriptionAccount, fmt.Sprintf("Shop %02d", i), ""); err != nil {
			t.Fatal(err)
		}
	}
	got, err := w.p.OA.SearchAccounts(ctx, "shop", w.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != officialaccount.SearchLimit || got[0].Name != "Shop 00" || got[len(got)-1].Name != "Shop 19" {
		t.Fatalf("%d results: %v", len(got), names(got))
	}
}

func TestAccountProfile(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	oa := w.p.OA
	sub, err := w.p.Accounts.CreateSubject(ctx, account.Media, "Morning Post Ltd")
	if err != nil {
		t.Fatal(err)
	}
	paper, _, err := w.p.Accounts.CreateApp(ctx, account.SubscriptionAccount, "Morning Post", sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	bob, err := w.p.Identity.CreateUser(ctx, identity.NewUser{Name: "bob"})
	if err != nil {
		t.Fatal(err)
	}

	p, err := oa.AccountProfile(ctx, paper.AppID, w.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.AppID != paper.AppID || p.Name != "Morning Post" || p.Kind != "subscription" || p.Subject != "Morning Post Ltd" ||
		p.Followers != 0 || p.Following || p.FollowedAt != 0 {
		t.Fatalf("before follows: %+v", p)
	}
	for _, u := range []string{w.user.ID, bob.ID} {
		if _, err := oa.Follow(ctx, paper.AppID, u, officialaccount.SceneProfileCard, nil); err != nil {
			t.Fatal(err)
		}
	}
	if p, _ = oa.AccountProfile(ctx, paper.AppID, w.user.ID); p.Followers != 2 || !p.Following || p.FollowedAt == 0 {
		t.Fatalf("after two follows: %+v", p)
	}
	if _, err := oa.Unfollow(ctx, paper.AppID, w.user.ID); err != nil {
		t.Fatal(err)
	}
	if p, _ = oa.AccountProfile(ctx, paper.AppID, w.user.ID); p.Followers != 1 || p.Following {
		t.Fatalf("after alice unfollowed: %+v", p)
	}
	if p, _ = oa.AccountProfile(ctx, paper.AppID, bob.ID); p.Followers != 1 || !p.Following {
		t.Fatalf("bob still follows: %+v", p)
	}
	// The default subject stands behind accounts created without one.
	if p, err = oa.AccountProfile(ctx, w.oa.AppID, w.user.ID); err != nil || p.Subject == "" || p.Kind != "service" {
		t.Fatalf("News: %+v %v", p, err)
	}

	mp, _, err := w.p.Accounts.CreateApp(ctx, account.MiniProgram, "Game", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := oa.AccountProfile(ctx, mp.AppID, w.user.ID); !errors.Is(err, officialaccount.ErrNotOfficialAccount) {
		t.Fatalf("mini program profile: %v", err)
	}
	if _, err := oa.AccountProfile(ctx, "wx0000000000000000", w.user.ID); !errors.Is(err, account.ErrAppNotFound) {
		t.Fatalf("unknown appid: %v", err)
	}
}
