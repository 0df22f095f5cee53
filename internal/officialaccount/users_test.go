package officialaccount_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"superapp/internal/account"
	"superapp/internal/identity"
	"superapp/internal/officialaccount"
	"superapp/internal/platform"
	"superapp/internal/store/storetest"
)

// policyWorld is newWorld under an edited official-account policy.
func policyWorld(t *testing.T, edit func(*officialaccount.Policy)) *world {
	t.Helper()
	ctx := context.Background()
	opts := platform.DefaultOptions("")
	opts.Store = storetest.Config(t)
	edit(&opts.OAPolicy)
	p, err := platform.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	app, _, err := p.Accounts.CreateApp(ctx, account.ServiceAccount, "News", "")
	if err != nil {
		t.Fatal(err)
	}
	u, err := p.Identity.CreateUser(ctx, identity.NewUser{Name: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	return &world{p: p, oa: app, user: u}
}

// followers creates n users who follow the account and returns their OpenIDs.
func (w *world) followers(t *testing.T, n int) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	for i := range n {
		u, err := w.p.Identity.CreateUser(ctx, identity.NewUser{Name: fmt.Sprintf("fan%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.p.OA.Follow(ctx, w.oa.AppID, u.ID, officialaccount.SceneSearch, nil); err != nil {
			t.Fatal(err)
		}
		out = append(out, w.p.Identity.OpenID(w.oa.AppID, u.ID))
	}
	return out
}

func TestFollowerListsAndInfo(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	oa := w.p.OA
	fans := w.followers(t, 5)
	slices.Sort(fans)

	// The last fan unfollows, the first is blacklisted: 4 still follow.
	if _, err := oa.Unfollow(ctx, w.oa.AppID, userIDs(t, w, fans[4:])[0]); err != nil {
		t.Fatal(err)
	}
	if err := oa.SetBlacklisted(ctx, w.oa.AppID, fans[:1], true); err != nil {
		t.Fatal(err)
	}
	page, err := oa.Followers(ctx, w.oa.AppID, "")
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 4 || !slices.Equal(page.OpenIDs, fans[:4]) || page.Next != fans[3] {
		t.Fatalf("Followers = %+v, want the 4 current followers in OpenID order", page)
	}
	page, err = oa.Followers(ctx, w.oa.AppID, fans[1])
	if err != nil || page.Total != 4 || !slices.Equal(page.OpenIDs, fans[2:4]) {
		t.Fatalf("Followers after %s = %+v, %v", fans[1], page, err)
	}
	page, err = oa.Followers(ctx, w.oa.AppID, fans[3])
	if err != nil || len(page.OpenIDs) != 0 || page.Next != "" || page.Total != 4 {
		t.Fatalf("past the end = %+v, %v; want an empty page and no cursor", page, err)
	}
	// An unfollowed user's OpenID still works as a cursor; a stranger's does not.
	if _, err := oa.Followers(ctx, w.oa.AppID, fans[4]); err != nil {
		t.Fatalf("cursor of a past follower: %v", err)
	}
	if _, err := oa.Followers(ctx, w.oa.AppID, "o-not-a-follower"); !errors.Is(err, officialaccount.ErrOpenIDNotFound) {
		t.Fatalf("cursor of nobody: %v", err)
	}
	black, err := oa.Blacklist(ctx, w.oa.AppID, "")
	if err != nil || black.Total != 1 || !slices.Equal(black.OpenIDs, fans[:1]) {
		t.Fatalf("Blacklist = %+v, %v", black, err)
	}

	infos, err := oa.FollowerInfos(ctx, w.oa.AppID, []string{fans[0], fans[4]})
	if err != nil {
		t.Fatal(err)
	}
	if i := infos[0]; !i.Subscribed || i.SubscribeScene != officialaccount.SceneSearch || i.Language != "zh_CN" || i.SubscribeTime == 0 || i.UnionID != "" {
		t.Fatalf("info of a follower = %+v", i)
	}
	if i := infos[1]; i.Subscribed || i.OpenID != fans[4] || i.SubscribeTime != 0 || len(i.TagIDs) != 0 {
		t.Fatalf("info of a past follower = %+v, want only the OpenID", i)
	}

	// Bound to an open-platform account, the account sees UnionIDs.
	op, err := w.p.Accounts.CreateOpenPlatform(ctx, "", "Group")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.p.Accounts.Bind(ctx, op.ID, w.oa.AppID); err != nil {
		t.Fatal(err)
	}
	infos, err = oa.FollowerInfos(ctx, w.oa.AppID, fans[:1])
	if err != nil || infos[0].UnionID != w.p.Identity.UnionID(op.ID, userIDs(t, w, fans[:1])[0]) {
		t.Fatalf("info when bound = %+v, %v", infos, err)
	}

	// Another account's OpenID is not this account's.
	other, _, err := w.p.Accounts.CreateApp(ctx, account.SubscriptionAccount, "Blog", "")
	if err != nil {
		t.Fatal(err)
	}
	foreign := w.p.Identity.OpenID(other.AppID, w.user.ID)
	if _, err := oa.Follow(ctx, other.AppID, w.user.ID, "", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := oa.FollowerInfos(ctx, w.oa.AppID, []string{fans[0], foreign}); !errors.Is(err, officialaccount.ErrOpenIDNotFound) || !strings.Contains(err.Error(), foreign) {
		t.Fatalf("info of another account's OpenID: %v", err)
	}
	// A user the account knows only from web authorization never followed.
	if _, err := w.p.Identity.Enroll(ctx, w.oa.AppID, w.user.ID); err != nil {
		t.Fatal(err)
	}
	infos, err = oa.FollowerInfos(ctx, w.oa.AppID, []string{w.p.Identity.OpenID(w.oa.AppID, w.user.ID)})
	if err != nil || infos[0].Subscribed {
		t.Fatalf("info of an authorized non-follower = %+v, %v", infos, err)
	}
	many := make([]string, officialaccount.MaxBatchGet+1)
	for i := range many {
		many[i] = fans[0]
	}
	if _, err := oa.FollowerInfos(ctx, w.oa.AppID, many); !errors.Is(err, officialaccount.ErrOpenIDListSize) {
		t.Fatalf("101 OpenIDs: %v", err)
	}
}

// userIDs maps the account's OpenIDs back to user ids.
func userIDs(t *testing.T, w *world, openids []string) []string {
	t.Helper()
	var out []string
	for _, o := range openids {
		f, err := w.p.OA.FollowerByOpenID(context.Background(), w.oa.AppID, o)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, f.UserID)
	}
	return out
}

func TestRemarkAndBlacklist(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	oa := w.p.OA
	fans := w.followers(t, 2)
	if err := oa.SetRemark(ctx, w.oa.AppID, fans[0], "老客户 VIP"); err != nil {
		t.Fatal(err)
	}
	if err := oa.SetRemark(ctx, w.oa.AppID, fans[0], strings.Repeat("长", 10)); !errors.Is(err, officialaccount.ErrRemarkInvalid) {
		t.Fatalf("30-byte remark: %v", err)
	}
	if err := oa.SetRemark(ctx, w.oa.AppID, "nobody", "x"); !errors.Is(err, officialaccount.ErrOpenIDNotFound) {
		t.Fatalf("remark on nobody: %v", err)
	}
	infos, _ := oa.FollowerInfos(ctx, w.oa.AppID, fans[:1])
	if infos[0].Remark != "老客户 VIP" {
		t.Fatalf("remark = %q", infos[0].Remark)
	}

	// One unknown OpenID fails the batch and changes nothing.
	if err := oa.SetBlacklisted(ctx, w.oa.AppID, []string{fans[0], "nobody"}, true); !errors.Is(err, officialaccount.ErrOpenIDNotFound) {
		t.Fatalf("blacklist with a stranger: %v", err)
	}
	if b, _ := oa.Blacklist(ctx, w.oa.AppID, ""); b.Total != 0 {
		t.Fatalf("half-written blacklist: %+v", b)
	}
	over := make([]string, officialaccount.MaxBlacklistBatch+1)
	for i := range over {
		over[i] = fans[0]
	}
	if err := oa.SetBlacklisted(ctx, w.oa.AppID, over, true); !errors.Is(err, officialaccount.ErrOpenIDListSize) {
		t.Fatalf("21 OpenIDs: %v", err)
	}
	if err := oa.SetBlacklisted(ctx, w.oa.AppID, fans[:1], true); err != nil {
		t.Fatal(err)
	}
	// Blacklisted, the user still follows but cannot message the account.
	ids := userIDs(t, w, fans)
	if _, err := oa.Send(ctx, w.oa.AppID, ids[0], officialaccount.UserMessage{Text: "hi"}); !errors.Is(err, officialaccount.ErrBlacklisted) {
		t.Fatalf("blacklisted user's message: %v", err)
	}
	if _, err := oa.Send(ctx, w.oa.AppID, ids[1], officialaccount.UserMessage{Text: "hi"}); err != nil {
		t.Fatalf("other user's message: %v", err)
	}
	if p, _ := oa.Followers(ctx, w.oa.AppID, ""); p.Total != 2 {
		t.Fatalf("blacklisting removed a follower: %+v", p)
	}
	if err := oa.SetBlacklisted(ctx, w.oa.AppID, fans[:1], false); err != nil {
		t.Fatal(err)
	}
	if _, err := oa.Send(ctx, w.oa.AppID, ids[0], officialaccount.UserMessage{Text: "hi"}); err != nil {
		t.Fatalf("after unblacklisting: %v", err)
	}
}

func TestTags(t *testing.T) {
	w := policyWorld(t, func(p *officialaccount.Policy) { p.TagsMax, p.TagsPerUser = 4, 2 })
	ctx := context.Background()
	oa := w.p.OA
	app := w.oa.AppID
	fans := w.followers(t, 3)

	a, err := oa.CreateTag(ctx, app, "广东")
	if err != nil || a.ID != officialaccount.FirstTagID {
		t.Fatalf("first tag = %+v, %v", a, err)
	}
	b, err := oa.CreateTag(ctx, app, "VIP")
	if err != nil || b.ID != a.ID+1 {
		t.Fatalf("second tag = %+v, %v", b, err)
	}
	for _, c := range []struct {
		name string
		want error
	}{
		{"", officialaccount.ErrTagNameInvalid},
		{"VIP", officialaccount.ErrTagNameTaken},
		{strings.Repeat("名", 11), officialaccount.ErrTagNameTooLong}, // 33 bytes
		{"bad\x00name", officialaccount.ErrTagNameInvalid},
	} {
		if _, err := oa.CreateTag(ctx, app, c.name); !errors.Is(err, c.want) {
			t.Errorf("CreateTag(%q) = %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := oa.CreateTag(ctx, app, strings.Repeat("名", 10)); err != nil { // 30 bytes
		t.Fatalf("30-byte name: %v", err)
	}

	if err := oa.TagFollowers(ctx, app, a.ID, fans); err != nil {
		t.Fatal(err)
	}
	if err := oa.TagFollowers(ctx, app, a.ID, fans[:1]); err != nil { // again: no change
		t.Fatal(err)
	}
	if err := oa.TagFollowers(ctx, app, b.ID, fans[:1]); err != nil {
		t.Fatal(err)
	}
	third, err := oa.CreateTag(ctx, app, "third")
	if err != nil {
		t.Fatal(err)
	}
	// fans[0] has two tags, the most allowed: the whole batch fails.
	if err := oa.TagFollowers(ctx, app, third.ID, fans); !errors.Is(err, officialaccount.ErrUserTooManyTags) || !strings.Contains(err.Error(), fans[0]) {
		t.Fatalf("third tag on a user with two: %v", err)
	}
	if m, _ := oa.TagMembers(ctx, app, third.ID, ""); len(m.OpenIDs) != 0 {
		t.Fatalf("half-written tagging: %+v", m)
	}
	if _, err := oa.CreateTag(ctx, app, "fifth"); !errors.Is(err, officialaccount.ErrTooManyTags) {
		t.Fatalf("fifth tag with TagsMax 4: %v", err)
	}
	for _, id := range []int64{0, 1, 2, 99, 12345} {
		if err := oa.TagFollowers(ctx, app, id, fans[:1]); !errors.Is(err, officialaccount.ErrTagNotFound) {
			t.Errorf("tagging with tag %d: %v", id, err)
		}
	}
	for _, id := range []int64{0, 1, 2} {
		if err := oa.RenameTag(ctx, app, id, "x"); !errors.Is(err, officialaccount.ErrTagReserved) {
			t.Errorf("renaming tag %d: %v", id, err)
		}
		if err := oa.DeleteTag(ctx, app, id); !errors.Is(err, officialaccount.ErrTagReserved) {
			t.Errorf("deleting tag %d: %v", id, err)
		}
	}
	if err := oa.TagFollowers(ctx, app, a.ID, []string{fans[0], "stranger"}); !errors.Is(err, officialaccount.ErrOpenIDNotFound) {
		t.Fatalf("tagging a stranger: %v", err)
	}
	over := make([]string, officialaccount.MaxTaggingBatch+1)
	for i := range over {
		over[i] = fans[0]
	}
	if err := oa.TagFollowers(ctx, app, a.ID, over); !errors.Is(err, officialaccount.ErrOpenIDListSize) {
		t.Fatalf("51 OpenIDs: %v", err)
	}
	if err := oa.UntagFollowers(ctx, app, a.ID, nil); !errors.Is(err, officialaccount.ErrOpenIDListSize) {
		t.Fatalf("no OpenIDs: %v", err)
	}

	// A member who unfollows keeps the tag but is no longer counted or listed.
	if _, err := oa.Unfollow(ctx, app, userIDs(t, w, fans[2:])[0]); err != nil {
		t.Fatal(err)
	}
	tags, err := oa.Tags(ctx, app)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]int64{}
	for _, tg := range tags {
		got[tg.ID] = tg.Count
	}
	if len(tags) != 4 || got[a.ID] != 2 || got[b.ID] != 1 || got[third.ID] != 0 {
		t.Fatalf("Tags = %v", got)
	}
	sorted := slices.Clone(fans[:2])
	slices.Sort(sorted)
	if m, err := oa.TagMembers(ctx, app, a.ID, ""); err != nil || !slices.Equal(m.OpenIDs, sorted) {
		t.Fatalf("TagMembers = %+v, %v, want %v", m, err, sorted)
	}
	if ids, err := oa.TagIDsOf(ctx, app, fans[0]); err != nil || !slices.Equal(ids, []int64{a.ID, b.ID}) {
		t.Fatalf("TagIDsOf = %v, %v", ids, err)
	}

	if err := oa.RenameTag(ctx, app, b.ID, "广东"); !errors.Is(err, officialaccount.ErrTagNameTaken) {
		t.Fatalf("rename to a taken name: %v", err)
	}
	if err := oa.RenameTag(ctx, app, b.ID, "VIP"); err != nil { // its own name
		t.Fatal(err)
	}
	if err := oa.RenameTag(ctx, app, b.ID, "Gold"); err != nil {
		t.Fatal(err)
	}
	if err := oa.UntagFollowers(ctx, app, a.ID, fans[1:2]); err != nil {
		t.Fatal(err)
	}
	if ids, _ := oa.TagIDsOf(ctx, app, fans[1]); len(ids) != 0 {
		t.Fatalf("after untagging: %v", ids)
	}

	// Deleting a tag takes it off its members; its id is not reused.
	if err := oa.DeleteTag(ctx, app, b.ID); err != nil {
		t.Fatal(err)
	}
	if ids, _ := oa.TagIDsOf(ctx, app, fans[0]); !slices.Equal(ids, []int64{a.ID}) {
		t.Fatalf("after deleting tag %d: %v", b.ID, ids)
	}
	if err := oa.DeleteTag(ctx, app, b.ID); !errors.Is(err, officialaccount.ErrTagNotFound) {
		t.Fatalf("deleting it again: %v", err)
	}
	again, err := oa.CreateTag(ctx, app, "VIP")
	if err != nil || again.ID <= third.ID {
		t.Fatalf("new tag after a delete = %+v, %v; ids must keep counting up", again, err)
	}
}

// Tag limits hold when requests race (PostgreSQL runs them in parallel).
func TestTagLimitsUnderRace(t *testing.T) {
	w := policyWorld(t, func(p *officialaccount.Policy) { p.TagsMax, p.TagsPerUser = 5, 3 })
	ctx := context.Background()
	oa := w.p.OA
	app := w.oa.AppID
	fans := w.followers(t, 1)

	var wg sync.WaitGroup
	var mu sync.Mutex
	var created []int64
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tag, err := oa.CreateTag(ctx, app, fmt.Sprintf("t%d", i))
			if err == nil {
				mu.Lock()
				created = append(created, tag.ID)
				mu.Unlock()
			} else if !errors.Is(err, officialaccount.ErrTooManyTags) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if len(created) != 5 {
		t.Fatalf("%d tags created by 16 racing requests, want TagsMax = 5", len(created))
	}
	slices.Sort(created)
	if created[0] != officialaccount.FirstTagID || created[4] != officialaccount.FirstTagID+4 {
		t.Fatalf("ids %v, want 5 distinct ids from %d", created, officialaccount.FirstTagID)
	}
	for _, id := range created {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := oa.TagFollowers(ctx, app, id, fans); err != nil && !errors.Is(err, officialaccount.ErrUserTooManyTags) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ids, _ := oa.TagIDsOf(ctx, app, fans[0]); len(ids) != 3 {
		t.Fatalf("the user has %d tags after racing taggings, want TagsPerUser = 3", len(ids))
	}
}

func TestUserManagementNeedsAnOfficialAccount(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	mp, _, err := w.p.Accounts.CreateApp(ctx, account.MiniProgram, "Shop", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.p.OA.Followers(ctx, mp.AppID, ""); !errors.Is(err, officialaccount.ErrNotOfficialAccount) {
		t.Fatalf("Followers of a mini program: %v", err)
	}
	if _, err := w.p.OA.CreateTag(ctx, mp.AppID, "x"); !errors.Is(err, officialaccount.ErrNotOfficialAccount) {
		t.Fatalf("CreateTag in a mini program: %v", err)
	}
}

// A batch with repeated OpenIDs names the follower who has too many tags,
// not whoever sits at that position of the request.
func TestTaggingNamesTheFollowerOverTheLimit(t *testing.T) {
	w := policyWorld(t, func(p *officialaccount.Policy) { p.TagsPerUser = 1 })
	ctx := context.Background()
	oa := w.p.OA
	app := w.oa.AppID
	fans := w.followers(t, 2)
	first, err := oa.CreateTag(ctx, app, "first")
	if err != nil {
		t.Fatal(err)
	}
	second, err := oa.CreateTag(ctx, app, "second")
	if err != nil {
		t.Fatal(err)
	}
	if err := oa.TagFollowers(ctx, app, first.ID, fans[1:]); err != nil {
		t.Fatal(err)
	}
	err = oa.TagFollowers(ctx, app, second.ID, []string{fans[0], fans[0], fans[1]})
	if !errors.Is(err, officialaccount.ErrUserTooManyTags) || !strings.Contains(err.Error(), fans[1]) {
		t.Fatalf("tagging = %v, want ErrUserTooManyTags naming %s", err, fans[1])
	}
	if ids, _ := oa.TagIDsOf(ctx, app, fans[0]); len(ids) != 0 {
		t.Fatalf("%s has tags %v after the failed batch, want none", fans[0], ids)
	}
}
