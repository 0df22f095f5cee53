package officialaccount_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"superapp/internal/account"
	"superapp/internal/officialaccount"
)

// mps creates n mini programs of subjectID ("" = the default subject, the
// test account's).
func (w *world) mps(t *testing.T, subjectID, prefix string, n int) []string {
	t.Helper()
	out := make([]string, n)
	for i := range out {
		mp, _, err := w.p.Accounts.CreateApp(context.Background(), account.MiniProgram, fmt.Sprintf("%s %d", prefix, i), subjectID)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = mp.AppID
	}
	return out
}

func (w *world) otherSubject(t *testing.T) string {
	t.Helper()
	sub, err := w.p.Accounts.CreateSubject(context.Background(), account.Enterprise, "Other Co")
	if err != nil {
		t.Fatal(err)
	}
	return sub.ID
}

func wantLinkErr(t *testing.T, err, want error, contains string) {
	t.Helper()
	if !errors.Is(err, want) || !strings.Contains(fmt.Sprint(err), contains) {
		t.Fatalf("error = %v; want %v containing %q", err, want, contains)
	}
}

func TestMiniProgramLinkLimitsAndStates(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	oa := w.p.OA
	clock := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	officialaccount.SetClock(oa, func() time.Time { return clock })
	same := w.mps(t, "", "Same", 11)
	other := w.mps(t, w.otherSubject(t), "Other", 4)

	for i, mp := range same[:10] {
		l, err := oa.LinkMiniProgram(ctx, w.oa.AppID, mp, i%2 == 0, false)
		if err != nil || l.Status != officialaccount.LinkLinked || !l.SameSubject || l.ShowProfile != (i%2 == 0) || l.OAName != "News" {
			t.Fatalf("same-subject link %d = %+v, %v; want linked at once", i, l, err)
		}
	}
	_, err := oa.LinkMiniProgram(ctx, w.oa.AppID, same[10], true, false)
	wantLinkErr(t, err, officialaccount.ErrLinkLimitSameSubject, "already links 10 mini programs of its own subject; the limit is 10")
	var le *officialaccount.LinkLimitError
	if !errors.As(err, &le) {
		t.Fatalf("limit error %T is not a *LinkLimitError", err)
	}

	for i, mp := range other[:3] {
		l, err := oa.LinkMiniProgram(ctx, w.oa.AppID, mp, true, true)
		if err != nil || l.Status != officialaccount.LinkPending || l.SameSubject || !l.NotifyUsers {
			t.Fatalf("other-subject link %d = %+v, %v; want pending", i, l, err)
		}
	}
	_, err = oa.LinkMiniProgram(ctx, w.oa.AppID, other[3], true, false)
	wantLinkErr(t, err, officialaccount.ErrLinkLimitOtherSubject, "the limit is 3")

	// Asking twice.
	_, err = oa.LinkMiniProgram(ctx, w.oa.AppID, same[0], true, false)
	wantLinkErr(t, err, officialaccount.ErrMiniProgramLinked, same[0])
	_, err = oa.LinkMiniProgram(ctx, w.oa.AppID, other[0], true, false)
	wantLinkErr(t, err, officialaccount.ErrMiniProgramLinkWait, other[0])

	// The mini program's admin answers.
	if l, err := oa.ConfirmMiniProgramLink(ctx, w.oa.AppID, other[0]); err != nil || l.Status != officialaccount.LinkLinked {
		t.Fatalf("confirm = %+v, %v", l, err)
	}
	_, err = oa.ConfirmMiniProgramLink(ctx, w.oa.AppID, other[0])
	wantLinkErr(t, err, officialaccount.ErrMiniProgramLinkState, "is linked")
	if l, err := oa.RefuseMiniProgramLink(ctx, w.oa.AppID, other[1]); err != nil || l.Status != officialaccount.LinkRefused {
		t.Fatalf("refuse = %+v, %v", l, err)
	}
	_, err = oa.ConfirmMiniProgramLink(ctx, w.oa.AppID, other[3])
	wantLinkErr(t, err, officialaccount.ErrMiniProgramNotLinked, other[3])

	// 13 links asked for this month: a refused link frees an other-subject
	// place, an unlink a same-subject one, but not the month's allowance.
	_, err = oa.LinkMiniProgram(ctx, w.oa.AppID, other[3], true, false)
	wantLinkErr(t, err, officialaccount.ErrLinkLimitMonth, "asked for 13 new links this month; the limit is 13")
	if err := oa.UnlinkMiniProgram(ctx, w.oa.AppID, same[0]); err != nil {
		t.Fatal(err)
	}
	wantLinkErr(t, oa.UnlinkMiniProgram(ctx, w.oa.AppID, same[0]), officialaccount.ErrMiniProgramNotLinked, same[0])
	_, err = oa.LinkMiniProgram(ctx, w.oa.AppID, same[10], true, false)
	wantLinkErr(t, err, officialaccount.ErrLinkLimitMonth, "the limit is 13")

	// December (Beijing time) starts at 16:00 UTC on November 30.
	clock = time.Date(2026, 11, 30, 15, 59, 0, 0, time.UTC)
	_, err = oa.LinkMiniProgram(ctx, w.oa.AppID, same[10], true, false)
	wantLinkErr(t, err, officialaccount.ErrLinkLimitMonth, "the limit is 13")
	clock = time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC)
	if _, err := oa.LinkMiniProgram(ctx, w.oa.AppID, same[10], true, false); err != nil {
		t.Fatalf("new month: %v", err)
	}
	// The refused link may be asked for again.
	if l, err := oa.LinkMiniProgram(ctx, w.oa.AppID, other[1], true, false); err != nil || l.Status != officialaccount.LinkPending {
		t.Fatalf("ask again after refusal = %+v, %v", l, err)
	}

	list, err := oa.LinkedMiniPrograms(ctx, w.oa.AppID)
	if err != nil || len(list) != 13 {
		t.Fatalf("list = %d links, %v; want 13", len(list), err)
	}
	// The profile shows confirmed links with show_profile only: same[2,4,6,8]
	// (even indexes, same[0] unlinked), same[10] and other[0].
	shown, err := oa.ProfileMiniPrograms(ctx, w.oa.AppID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range shown {
		got = append(got, l.AppID)
	}
	want := []string{same[2], same[4], same[6], same[8], other[0]}
	slices.Sort(want)
	want = append(want, same[10]) // linked a month later: last
	slices.Sort(got[:5])
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("profile list = %v; want %v", got, want)
	}

	// Wrong kinds on either side.
	_, err = oa.LinkMiniProgram(ctx, w.oa.AppID, w.oa.AppID, true, false)
	wantLinkErr(t, err, officialaccount.ErrNotMiniProgram, w.oa.AppID)
	_, err = oa.LinkMiniProgram(ctx, w.oa.AppID, "wx0000000000000000", true, false)
	wantLinkErr(t, err, officialaccount.ErrNotMiniProgram, "wx0000000000000000")
	_, err = oa.LinkMiniProgram(ctx, same[1], same[2], true, false)
	wantLinkErr(t, err, officialaccount.ErrNotOfficialAccount, "")
	if _, err := oa.ProfileMiniPrograms(ctx, same[1]); !errors.Is(err, officialaccount.ErrNotOfficialAccount) {
		t.Fatalf("profile list of a mini program: %v", err)
	}
}

func TestMiniProgramAccountLimitUnderConcurrency(t *testing.T) {
	w := policyWorld(t, func(p *officialaccount.Policy) { p.MiniProgramLinks.AccountsPerMiniProgram = 3 })
	ctx := context.Background()
	mp := w.mps(t, "", "Popular", 1)[0]
	const accounts = 12
	oas := make([]string, accounts)
	for i := range oas {
		a, _, err := w.p.Accounts.CreateApp(ctx, account.SubscriptionAccount, fmt.Sprintf("Paper %d", i), "")
		if err != nil {
			t.Fatal(err)
		}
		oas[i] = a.AppID
	}
	var wg sync.WaitGroup
	errs := make([]error, accounts)
	for i := range oas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = w.p.OA.LinkMiniProgram(ctx, oas[i], mp, true, false)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, officialaccount.ErrLinkLimitMiniProgram) || !strings.Contains(err.Error(), "the limit is 3 (policy official_accounts.miniprogram_links.accounts_per_miniprogram)"):
			t.Fatalf("unexpected error: %v", err)
		}
	}
	list, err := w.p.OA.MiniProgramAccounts(ctx, mp)
	if ok != 3 || err != nil || len(list) != 3 {
		t.Fatalf("%d links succeeded, %d stored (%v); want 3", ok, len(list), err)
	}
}

func TestAccountLinkLimitUnderConcurrency(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	mps := w.mps(t, "", "Shop", 16)
	var wg sync.WaitGroup
	errs := make([]error, len(mps))
	for i := range mps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = w.p.OA.LinkMiniProgram(ctx, w.oa.AppID, mps[i], true, false)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if !errors.Is(err, officialaccount.ErrLinkLimitSameSubject) {
			t.Fatalf("unexpected error: %v", err)
		}
	}
	list, _ := w.p.OA.LinkedMiniPrograms(ctx, w.oa.AppID)
	if ok != 10 || len(list) != 10 {
		t.Fatalf("%d links succeeded, %d stored; want 10", ok, len(list))
	}
}

func TestMenusNeedLinkedMiniPrograms(t *testing.T) {
	ctx := context.Background()
	menu := func(mp string) []officialaccount.Button {
		return []officialaccount.Button{click("Today", "T"), {Name: "More", SubButtons: []officialaccount.Button{
			click("A", "A"),
			{Type: "miniprogram", Name: "Shop", URL: "https://example.com/shop", AppID: mp, PagePath: "pages/index"},
		}}}
	}
	w := newWorld(t)
	same := w.mps(t, "", "Shop", 1)[0]
	other := w.mps(t, w.otherSubject(t), "Partner", 1)[0]
	var me *officialaccount.MenuError
	_, err := w.p.OA.CreateMenu(ctx, w.oa.AppID, menu(same))
	if !errors.As(err, &me) || me.Problem != officialaccount.ProblemMiniProgram || me.Field != "button[1].sub_button[1].appid" || !me.Sub || !strings.Contains(me.Detail, "not linked") {
		t.Fatalf("menu with an unlinked mini program: %v", err)
	}
	if _, err := w.p.OA.LinkMiniProgram(ctx, w.oa.AppID, same, false, false); err != nil {
		t.Fatal(err)
	}
	if _, err := w.p.OA.CreateMenu(ctx, w.oa.AppID, menu(same)); err != nil {
		t.Fatalf("menu with a linked mini program: %v", err)
	}
	// A pending link is not enough, for conditional menus either.
	if _, err := w.p.OA.LinkMiniProgram(ctx, w.oa.AppID, other, false, false); err != nil {
		t.Fatal(err)
	}
	tag, err := w.p.OA.CreateTag(ctx, w.oa.AppID, "vip")
	if err != nil {
		t.Fatal(err)
	}
	rule := officialaccount.MatchRule{TagID: fmt.Sprint(tag.ID)}
	if _, err := w.p.OA.AddConditionalMenu(ctx, w.oa.AppID, menu(other), rule); !errors.As(err, &me) || me.Problem != officialaccount.ProblemMiniProgram {
		t.Fatalf("conditional menu with a pending link: %v", err)
	}
	if _, err := w.p.OA.ConfirmMiniProgramLink(ctx, w.oa.AppID, other); err != nil {
		t.Fatal(err)
	}
	if _, err := w.p.OA.AddConditionalMenu(ctx, w.oa.AppID, menu(other), rule); err != nil {
		t.Fatalf("conditional menu after confirmation: %v", err)
	}

	// The policy can turn the rule off.
	off := false
	w2 := policyWorld(t, func(p *officialaccount.Policy) { p.MiniProgramLinks.Enforce = &off })
	if _, err := w2.p.OA.CreateMenu(ctx, w2.oa.AppID, menu(w2.mps(t, "", "Shop", 1)[0])); err != nil {
		t.Fatalf("enforcement off: %v", err)
	}
}
