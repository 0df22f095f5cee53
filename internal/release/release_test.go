package release

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"superapp/internal/account"
	"superapp/internal/review"
	"superapp/internal/store"
	"superapp/internal/store/storetest"
)

// clock is a settable now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	db       *store.DB
	accounts *account.Service
	s        *Service
	clock    *clock
	appid    string
}

func newFixture(t testing.TB, policy Policy) *fixture {
	t.Helper()
	db := storetest.Open(t)
	accounts := account.NewService(db, account.DefaultPolicy())
	f := &fixture{db: db, accounts: accounts, clock: &clock{t: time.Unix(1_800_000_000, 0)}}
	f.s = NewService(db, policy, nil, nil)
	f.s.now = f.clock.now
	f.appid = f.newApp(t, "Paper Shop")
	return f
}

func (f *fixture) newApp(t testing.TB, name string) string {
	t.Helper()
	app, _, err := f.accounts.CreateApp(context.Background(), account.MiniProgram, name, "")
	if err != nil {
		t.Fatal(err)
	}
	return app.AppID
}

func hashOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func (f *fixture) upload(t testing.TB, appid, uploader, label string) *Version {
	t.Helper()
	manifest := []byte(fmt.Sprintf(`{"appid":%q,"label":%q}`, appid, label))
	v, err := f.s.AddDevVersion(context.Background(), appid, DevVersionInput{Uploader: uploader, UserVersion: label, UserDesc: "build " + label,
		Manifest: manifest, ManifestHash: hashOf(manifest), Pages: []string{"pages/index/index"}})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// approved uploads, commits, submits and approves a version.
func (f *fixture) approved(t testing.TB, label string) *Version {
	t.Helper()
	ctx := context.Background()
	v := f.upload(t, f.appid, "u-dev", label)
	if _, err := f.s.Commit(ctx, f.appid, CommitInput{VersionID: v.ID}); err != nil {
		t.Fatal(err)
	}
	a, err := f.s.SubmitAudit(ctx, f.appid, SubmitInput{VersionDesc: label})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Approve(ctx, a.ID, "op"); err != nil {
		t.Fatal(err)
	}
	return v
}

func (f *fixture) resolve(t testing.TB, userID, openid, env string) Resolution {
	t.Helper()
	r, err := f.s.Resolve(f.appid, userID, openid, env)
	if err != nil {
		t.Fatalf("resolve %s/%s/%q: %v", userID, openid, env, err)
	}
	return r
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: %v, want %v", what, err, want)
	}
}

func TestDevVersionsNumberPerAppValidateAndPrune(t *testing.T) {
	ctx := context.Background()
	p := DefaultPolicy()
	p.DevVersionsPerUploader = 2
	f := newFixture(t, p)
	other := f.newApp(t, "Tea House")
	v1 := f.upload(t, f.appid, "u-ann", "1.0.0")
	v2 := f.upload(t, f.appid, "u-ann", "1.0.1")
	o1 := f.upload(t, other, "u-ann", "0.1")
	if v1.ID != 1 || v2.ID != 2 || o1.ID != 1 {
		t.Fatalf("ids %d %d, other app %d; want 1 2 and 1", v1.ID, v2.ID, o1.ID)
	}
	m, err := f.s.Manifest(ctx, f.appid, v2.ID)
	if err != nil || !strings.Contains(string(m), `"1.0.1"`) {
		t.Fatalf("manifest of v2: %s %v", m, err)
	}
	if _, err := f.s.Manifest(ctx, other, v2.ID); !errors.Is(err, ErrVersionNotFound) {
		t.Fatalf("another app's version id: %v", err)
	}

	for name, in := range map[string]DevVersionInput{
		"user_version":  {Uploader: "u", UserVersion: strings.Repeat("v", 65), Manifest: []byte("{}"), ManifestHash: hashOf([]byte("{}"))},
		"user_desc":     {Uploader: "u", UserDesc: strings.Repeat("d", 1025), Manifest: []byte("{}"), ManifestHash: hashOf([]byte("{}"))},
		"manifest":      {Uploader: "u", Manifest: []byte("{"), ManifestHash: hashOf([]byte("{}"))},
		"manifest_hash": {Uploader: "u", Manifest: []byte("{}"), ManifestHash: "abc"},
		"uploader":      {Manifest: []byte("{}"), ManifestHash: hashOf([]byte("{}"))},
	} {
		_, err := f.s.AddDevVersion(ctx, f.appid, in)
		if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v, want ErrBadInput naming the field", name, err)
		}
	}

	// v1 is the trial version: pruning keeps it; v3 (not pointed at) goes
	// when u-ann's versions exceed 2; u-bob's are not counted.
	if _, err := f.s.Commit(ctx, f.appid, CommitInput{VersionID: v1.ID}); err != nil {
		t.Fatal(err)
	}
	f.upload(t, f.appid, "u-bob", "bob")   // 3
	f.upload(t, f.appid, "u-ann", "1.0.2") // 4: u-ann has 1, 2, 4
	f.upload(t, f.appid, "u-ann", "1.0.3") // 5: 2 goes
	list, err := f.s.DevVersions(ctx, f.appid)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, v := range list {
		ids = append(ids, v.ID)
	}
	if fmt.Sprint(ids) != "[5 4 3 1]" {
		t.Fatalf("dev versions after pruning: %v, want [5 4 3 1]", ids)
	}
}

func TestCommitChecksTemplateAndExtJSON(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, DefaultPolicy())
	if _, _, err := f.s.Trial(ctx, f.appid); !errors.Is(err, ErrNoTrial) {
		t.Fatalf("trial before commit: %v", err)
	}
	v := f.upload(t, f.appid, "u-dev", "1.0.0")
	_, err := f.s.Commit(ctx, f.appid, CommitInput{VersionID: 99})
	wantErr(t, "unknown template_id", err, ErrVersionNotFound)
	for _, ext := range []string{"[1]", `"x"`, "{", "null", "3"} {
		_, err := f.s.Commit(ctx, f.appid, CommitInput{VersionID: v.ID, ExtJSON: ext})
		wantErr(t, "ext_json "+ext, err, ErrBadExtJSON)
	}
	got, err := f.s.Commit(ctx, f.appid, CommitInput{VersionID: v.ID, ExtJSON: `{"extAppid":"wx1","ext":{"shop":7}}`, UserVersion: "V1.0", UserDesc: "first"})
	if err != nil || got.UserVersion != "V1.0" || got.UserDesc != "first" {
		t.Fatalf("commit: %+v %v", got, err)
	}
	trial, ext, err := f.s.Trial(ctx, f.appid)
	if err != nil || trial.ID != v.ID || trial.UserVersion != "V1.0" || ext != `{"extAppid":"wx1","ext":{"shop":7}}` {
		t.Fatalf("trial: %+v %q %v", trial, ext, err)
	}
	if err := f.s.AddMember(ctx, f.appid, "u-tester", RoleTrial); err != nil {
		t.Fatal(err)
	}
	if r := f.resolve(t, "u-tester", "o1", "trial"); r.VersionID != v.ID || r.Channel != ChannelTrial || r.ExtJSON != ext {
		t.Fatalf("trial resolution: %+v", r)
	}
}

type recordingEvents struct {
	mu        sync.Mutex
	decisions []Audit
}

func (e *recordingEvents) AuditDecided(_ context.Context, _ string, a *Audit) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.decisions = append(e.decisions, *a)
	return nil
}

type fixedReviewer []review.Finding

func (r fixedReviewer) Review(context.Context, string, *Version) ([]review.Finding, error) {
	return r, nil
}

func TestSubmitReviewsWithdrawsAndRestricts(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, DefaultPolicy())
	events := &recordingEvents{}
	f.s.SetEvents(events)
	_, err := f.s.SubmitAudit(ctx, f.appid, SubmitInput{})
	wantErr(t, "submit without a trial", err, ErrNoTrial)
	v := f.upload(t, f.appid, "u-dev", "1.0.0")
	if _, err := f.s.Commit(ctx, f.appid, CommitInput{VersionID: v.ID}); err != nil {
		t.Fatal(err)
	}

	// Warnings only: in review. A second submission withdraws the first.
	f.s.SetReviewer(fixedReviewer{{Rule: "ui", Severity: review.Warn, File: "pages/a.wxml", Line: 2, Message: "looks odd"}})
	first, err := f.s.SubmitAudit(ctx, f.appid, SubmitInput{VersionDesc: "v1", ItemList: []byte(`[{"title":"Home"}]`)})
	if err != nil || first.Status != AuditInReview || len(first.Findings) != 1 {
		t.Fatalf("first submission: %+v %v", first, err)
	}
	second, err := f.s.SubmitAudit(ctx, f.appid, SubmitInput{VersionDesc: "v1 again"})
	if err != nil || second.ID <= first.ID || second.Status != AuditInReview {
		t.Fatalf("second submission: %+v %v", second, err)
	}
	if a, _ := f.s.Audit(ctx, f.appid, first.ID); a.Status != AuditWithdrawn {
		t.Fatalf("first audit after resubmission: %+v", a)
	}
	pending, _ := f.s.PendingAudits(ctx)
	if len(pending) != 1 || pending[0].ID != second.ID {
		t.Fatalf("pending: %+v", pending)
	}
	_, err = f.s.Approve(ctx, first.ID, "op")
	wantErr(t, "approve a withdrawn audit", err, ErrAuditNotPending)
	other := f.newApp(t, "Tea House")
	_, err = f.s.Audit(ctx, other, second.ID)
	wantErr(t, "another app's audit", err, ErrAuditNotFound)

	// A reject finding rejects at once, listing file:line: message.
	f.s.SetReviewer(fixedReviewer{
		{Rule: "code", Severity: review.Reject, File: "pages/pay.js", Line: 12, Message: "non-official payment SDK"},
		{Rule: "ui", Severity: review.Warn, File: "pages/a.wxml", Line: 2, Message: "looks odd"},
		{Rule: "name", Severity: review.Reject, Message: "the name contains 最佳"},
	})
	rejected, err := f.s.SubmitAudit(ctx, f.appid, SubmitInput{})
	if err != nil || rejected.Status != AuditRejected || rejected.Reason != "pages/pay.js:12: non-official payment SDK\nthe name contains 最佳" {
		t.Fatalf("automated rejection: %+v %v", rejected, err)
	}
	if a, _ := f.s.Audit(ctx, f.appid, second.ID); a.Status != AuditWithdrawn {
		t.Fatalf("the audit in review is withdrawn by the new submission: %+v", a)
	}
	f.s.SetReviewer(nil)
	// Two operator rejections make three: restricted.
	for i := 0; i < 2; i++ {
		a, err := f.s.SubmitAudit(ctx, f.appid, SubmitInput{})
		if err != nil {
			t.Fatalf("submission %d: %v", i, err)
		}
		_, err = f.s.Reject(ctx, a.ID, "op", "")
		wantErr(t, "reject without a reason", err, ErrBadInput)
		if _, err := f.s.Reject(ctx, a.ID, "op", "blank page"); err != nil {
			t.Fatal(err)
		}
	}
	_, err = f.s.SubmitAudit(ctx, f.appid, SubmitInput{})
	wantErr(t, "submission after 3 rejections", err, ErrRestricted)
	if !strings.Contains(err.Error(), "superapp review unrestrict --appid") {
		t.Fatalf("the restriction message must name the command that lifts it: %v", err)
	}
	st, _ := f.s.State(ctx, f.appid)
	if st.Rejections != 3 || !st.Restricted {
		t.Fatalf("state: %+v", st)
	}
	if len(events.decisions) != 3 || events.decisions[0].Status != AuditRejected || events.decisions[2].Reason != "blank page" {
		t.Fatalf("events: %+v", events.decisions)
	}
	if err := f.s.Unrestrict(ctx, f.appid); err != nil {
		t.Fatal(err)
	}
	a, err := f.s.SubmitAudit(ctx, f.appid, SubmitInput{})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.UndoAudit(ctx, f.appid); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "undo with nothing in review", f.s.UndoAudit(ctx, f.appid), ErrAuditNotPending)
	if got, _ := f.s.LatestAudit(ctx, f.appid); got.ID != a.ID || got.Status != AuditWithdrawn {
		t.Fatalf("latest after undo: %+v", got)
	}
}

// The whole path of the brief: dev → commit → submit → reject ×3 →
// restricted → unrestrict → approve → release → gray 10 % → named user →
// 100 → rollback → second rollback refused.
func TestWholePathFromUploadToRollback(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, DefaultPolicy())
	v1 := f.upload(t, f.appid, "u-dev", "1.0.0")
	if _, err := f.s.Commit(ctx, f.appid, CommitInput{VersionID: v1.ID}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		a, err := f.s.SubmitAudit(ctx, f.appid, SubmitInput{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Reject(ctx, a.ID, "op", "blank page"); err != nil {
			t.Fatal(err)
		}
	}
	_, err := f.s.SubmitAudit(ctx, f.appid, SubmitInput{})
	wantErr(t, "restricted", err, ErrRestricted)
	_, err = f.s.Release(ctx, f.appid)
	wantErr(t, "release of a rejected version", err, ErrNotApproved)
	if err := f.s.Unrestrict(ctx, f.appid); err != nil {
		t.Fatal(err)
	}
	a, err := f.s.SubmitAudit(ctx, f.appid, SubmitInput{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.s.Release(ctx, f.appid)
	wantErr(t, "release while in review", err, ErrNotApproved)
	if _, err := f.s.Approve(ctx, a.ID, "op"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Approve(ctx, a.ID, "op"); !errors.Is(err, ErrAuditNotPending) {
		t.Fatalf("approving twice: %v", err)
	}
	if _, err := f.s.Resolve(f.appid, "u-any", "o-any", ""); !errors.Is(err, ErrNoVersion) {
		t.Fatalf("resolve before release: %v", err)
	}
	if got, err := f.s.Release(ctx, f.appid); err != nil || got.ID != v1.ID {
		t.Fatalf("release: %+v %v", got, err)
	}
	_, err = f.s.Release(ctx, f.appid)
	wantErr(t, "release twice", err, ErrAlreadyReleased)
	if r := f.resolve(t, "u-any", "o-any", ""); r.VersionID != v1.ID || r.Channel != ChannelOnline {
		t.Fatalf("after release: %+v", r)
	}

	// Version 2 at 10 %.
	v2 := f.approved(t, "2.0.0")
	plan, err := f.s.Gray(ctx, f.appid, GrayInput{Percentage: 10})
	if err != nil || plan.Status != GrayRunning || plan.VersionID != v2.ID {
		t.Fatalf("gray 10: %+v %v", plan, err)
	}
	const users = 20000
	gray := 0
	first := map[string]int64{}
	for i := 0; i < users; i++ {
		openid := fmt.Sprintf("o-user-%d", i)
		r := f.resolve(t, "u", openid, "")
		if r.Channel == ChannelGray {
			gray++
			if r.VersionID != v2.ID {
				t.Fatalf("gray user got version %d", r.VersionID)
			}
		} else if r.VersionID != v1.ID {
			t.Fatalf("online user got version %d", r.VersionID)
		}
		if (r.Channel == ChannelGray) != (GrayBucket(f.appid, openid) < 10) {
			t.Fatalf("%s: channel %s but bucket %d", openid, r.Channel, GrayBucket(f.appid, openid))
		}
		first[openid] = r.VersionID
	}
	if share := float64(gray) / users; share < 0.09 || share > 0.11 {
		t.Fatalf("gray share %.3f, want 10 %% ± 1", share)
	}
	for openid, id := range first { // stable
		if r := f.resolve(t, "u", openid, ""); r.VersionID != id {
			t.Fatalf("%s moved from %d to %d", openid, id, r.VersionID)
		}
	}
	_, err = f.s.Release(ctx, f.appid)
	wantErr(t, "release during gray", err, ErrGrayInProgress)
	_, err = f.s.Rollback(ctx, f.appid, 0)
	wantErr(t, "rollback during gray", err, ErrGrayInProgress)

	// A named user outside the 10 % gets the gray version.
	outside := ""
	for i := 0; outside == ""; i++ {
		if id := fmt.Sprintf("o-named-%d", i); GrayBucket(f.appid, id) >= 10 {
			outside = id
		}
	}
	if r := f.resolve(t, "u", outside, ""); r.Channel != ChannelOnline {
		t.Fatalf("before naming: %+v", r)
	}
	plan, err = f.s.Gray(ctx, f.appid, GrayInput{Percentage: 10, NamedOpenIDs: []string{outside}})
	if err != nil || len(plan.NamedOpenIDs) != 1 {
		t.Fatalf("name a user: %+v %v", plan, err)
	}
	if r := f.resolve(t, "u", outside, ""); r.Channel != ChannelGray || r.VersionID != v2.ID {
		t.Fatalf("named user: %+v", r)
	}

	// 100 % is the full release.
	plan, err = f.s.Gray(ctx, f.appid, GrayInput{Percentage: 100})
	if err != nil || plan.Status != GrayDone {
		t.Fatalf("gray 100: %+v %v", plan, err)
	}
	if r := f.resolve(t, "u", "o-user-1", ""); r.VersionID != v2.ID || r.Channel != ChannelOnline {
		t.Fatalf("after 100 %%: %+v", r)
	}
	hist, _ := f.s.History(ctx, f.appid)
	if len(hist) != 2 || hist[0].ID != v2.ID || hist[0].How != HowGrayFull || hist[1].ID != v1.ID || hist[1].How != HowRelease {
		t.Fatalf("history: %+v", hist)
	}

	// Rollback to 1, then no second rollback.
	if got, err := f.s.Rollback(ctx, f.appid, 0); err != nil || got.ID != v1.ID {
		t.Fatalf("rollback: %+v %v", got, err)
	}
	if r := f.resolve(t, "u", "o-user-1", ""); r.VersionID != v1.ID {
		t.Fatalf("after rollback: %+v", r)
	}
	_, err = f.s.Rollback(ctx, f.appid, 0)
	wantErr(t, "second rollback", err, ErrCannotRollback)
	_, err = f.s.Rollback(ctx, f.appid, v2.ID)
	wantErr(t, "second rollback to a named version", err, ErrCannotRollback)
}

func TestGrayRules(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, DefaultPolicy())
	_, err := f.s.Gray(ctx, f.appid, GrayInput{Percentage: 5})
	wantErr(t, "gray with no audit", err, ErrNoAudit)
	f.approved(t, "1.0.0")
	_, err = f.s.Gray(ctx, f.appid, GrayInput{Percentage: 5})
	wantErr(t, "gray as the first release", err, ErrNoOnline)
	if _, err := f.s.Release(ctx, f.appid); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.Gray(ctx, f.appid, GrayInput{Percentage: 5})
	wantErr(t, "gray of a released version", err, ErrAlreadyReleased)
	_, err = f.s.GrayPlan(ctx, f.appid)
	wantErr(t, "plan before any", err, ErrNoGrayPlan)
	wantErr(t, "revert with no plan", f.s.RevertGray(ctx, f.appid), ErrNoGrayPlan)

	v2 := f.approved(t, "2.0.0")
	for _, p := range []int{-1, 101} {
		_, err := f.s.Gray(ctx, f.appid, GrayInput{Percentage: p})
		wantErr(t, fmt.Sprint("percentage ", p), err, ErrBadPercentage)
	}
	_, err = f.s.Gray(ctx, f.appid, GrayInput{Percentage: 0})
	wantErr(t, "0 without members first", err, ErrBadPercentage)
	_, err = f.s.Gray(ctx, f.appid, GrayInput{NamedOpenIDs: []string{""}, Percentage: 5})
	wantErr(t, "empty named openid", err, ErrBadInput)

	// 0 % with project members first: only developers get version 2.
	for _, m := range []struct{ user, role string }{{"u-dev", RoleProject}, {"u-tester", RoleTrial}} {
		if err := f.s.AddMember(ctx, f.appid, m.user, m.role); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.s.Gray(ctx, f.appid, GrayInput{Percentage: 0, DebuggerFirst: true}); err != nil {
		t.Fatal(err)
	}
	if r := f.resolve(t, "u-dev", "o-dev", ""); r.Channel != ChannelGray || r.VersionID != v2.ID {
		t.Fatalf("project member, debugger first: %+v", r)
	}
	if r := f.resolve(t, "u-tester", "o-tester", ""); r.Channel != ChannelOnline {
		t.Fatalf("trial member, debugger first only: %+v", r)
	}
	_, err = f.s.Gray(ctx, f.appid, GrayInput{Percentage: 0, DebuggerFirst: true})
	wantErr(t, "same percentage, nothing added", err, ErrPercentageNotHigher)
	if _, err := f.s.Gray(ctx, f.appid, GrayInput{Percentage: 0, ExperiencerFirst: true}); err != nil {
		t.Fatalf("adding trial members first: %v", err)
	}
	if r := f.resolve(t, "u-tester", "o-tester", ""); r.Channel != ChannelGray {
		t.Fatalf("trial member, experiencer first: %+v", r)
	}
	if _, err := f.s.Gray(ctx, f.appid, GrayInput{Percentage: 30}); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.Gray(ctx, f.appid, GrayInput{Percentage: 20})
	wantErr(t, "lower percentage", err, ErrPercentageNotHigher)
	plan, _ := f.s.GrayPlan(ctx, f.appid)
	if plan.Percentage != 30 || !plan.DebuggerFirst || !plan.ExperiencerFirst {
		t.Fatalf("plan: %+v", plan)
	}

	// Revert: everyone back to version 1; the plan is deleted.
	if err := f.s.RevertGray(ctx, f.appid); err != nil {
		t.Fatal(err)
	}
	if r := f.resolve(t, "u-dev", "o-dev", ""); r.Channel != ChannelOnline || r.VersionID != 1 {
		t.Fatalf("after revert: %+v", r)
	}
	if plan, _ := f.s.GrayPlan(ctx, f.appid); plan.Status != GrayDeleted {
		t.Fatalf("plan after revert: %+v", plan)
	}
	// WeChat: the online version cannot be rolled back after a revoked gray release.
	_, err = f.s.Rollback(ctx, f.appid, 0)
	wantErr(t, "rollback after a revoked gray release", err, ErrCannotRollback)
	if !strings.Contains(err.Error(), "revoked") {
		t.Fatalf("rollback after a revoked gray release refused for another reason: %v", err)
	}

	// A new plan runs past GrayAutoFullAfter and becomes a full release.
	if _, err := f.s.Gray(ctx, f.appid, GrayInput{Percentage: 1}); err != nil {
		t.Fatal(err)
	}
	f.clock.add(DefaultPolicy().GrayAutoFullAfter() - time.Minute)
	if err := f.s.promoteDueGrayPlans(ctx); err != nil {
		t.Fatal(err)
	}
	if plan, _ := f.s.GrayPlan(ctx, f.appid); plan.Status != GrayRunning {
		t.Fatalf("promoted too early: %+v", plan)
	}
	f.clock.add(time.Minute)
	if err := f.s.promoteDueGrayPlans(ctx); err != nil {
		t.Fatal(err)
	}
	if plan, _ := f.s.GrayPlan(ctx, f.appid); plan.Status != GrayDone || plan.Percentage != 100 {
		t.Fatalf("plan after 15 days: %+v", plan)
	}
	if r := f.resolve(t, "u-x", "o-x", ""); r.VersionID != v2.ID || r.Channel != ChannelOnline {
		t.Fatalf("after auto-full: %+v", r)
	}
	hist, _ := f.s.History(ctx, f.appid)
	if hist[0].How != HowGrayFull {
		t.Fatalf("history: %+v", hist)
	}
}

func TestRollbackToANamedVersionAmongTheLastKept(t *testing.T) {
	ctx := context.Background()
	p := DefaultPolicy()
	p.HistoryKept = 3
	f := newFixture(t, p)
	_, err := f.s.Rollback(ctx, f.appid, 0)
	wantErr(t, "rollback with nothing released", err, ErrCannotRollback)
	var ids []int64
	for i := 1; i <= 4; i++ {
		v := f.approved(t, fmt.Sprintf("%d.0", i))
		if _, err := f.s.Release(ctx, f.appid); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, v.ID)
	}
	hist, _ := f.s.History(ctx, f.appid)
	if len(hist) != 3 || hist[0].ID != ids[3] || hist[2].ID != ids[1] {
		t.Fatalf("history keeps the last 3, newest first: %+v", hist)
	}
	_, err = f.s.Rollback(ctx, f.appid, ids[0])
	wantErr(t, "rollback beyond the kept history", err, ErrCannotRollback)
	_, err = f.s.Rollback(ctx, f.appid, ids[3])
	wantErr(t, "rollback to the online version", err, ErrCannotRollback)
	if got, err := f.s.Rollback(ctx, f.appid, ids[1]); err != nil || got.ID != ids[1] {
		t.Fatalf("rollback to version %d: %+v %v", ids[1], got, err)
	}
	st, _ := f.s.State(ctx, f.appid)
	if st.Online.ID != ids[1] || st.History[0].How != HowRollback {
		t.Fatalf("state: %+v", st)
	}
	// A release after the rollback allows rolling back again.
	f.approved(t, "5.0")
	if _, err := f.s.Release(ctx, f.appid); err != nil {
		t.Fatal(err)
	}
	if got, err := f.s.Rollback(ctx, f.appid, 0); err != nil || got.ID != ids[1] {
		t.Fatalf("rollback after a new release: %+v %v", got, err)
	}
}

func TestResolveMembersAndEnvironments(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, DefaultPolicy())
	for _, env := range []string{"trial", "develop"} {
		_, err := f.s.Resolve(f.appid, "u-dev", "o", env)
		wantErr(t, env+" for a non-member", err, ErrNotMember)
	}
	_, err := f.s.Resolve(f.appid, "u", "o", "beta")
	wantErr(t, "unknown env", err, ErrBadInput)
	_, err = f.s.Resolve(f.appid, "u", "o", "release")
	wantErr(t, "nothing released", err, ErrNoVersion)

	if err := f.s.AddMember(ctx, f.appid, "u-dev", RoleProject); err != nil {
		t.Fatal(err)
	}
	if err := f.s.AddMember(ctx, f.appid, "u-tester", RoleTrial); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.Resolve(f.appid, "u-dev", "o", "develop")
	wantErr(t, "develop with nothing uploaded", err, ErrNoVersion)
	v1 := f.approved(t, "1.0")
	if _, err := f.s.Release(ctx, f.appid); err != nil {
		t.Fatal(err)
	}
	v2 := f.upload(t, f.appid, "u-dev", "2.0-dev")
	if r := f.resolve(t, "u-dev", "o", "develop"); r.VersionID != v2.ID || r.Channel != ChannelDevelop {
		t.Fatalf("develop: %+v", r)
	}
	_, err = f.s.Resolve(f.appid, "u-tester", "o", "develop")
	wantErr(t, "develop for a trial member", err, ErrNotMember)
	for _, u := range []string{"u-dev", "u-tester"} {
		if r := f.resolve(t, u, "o", "trial"); r.VersionID != v1.ID || r.Channel != ChannelTrial {
			t.Fatalf("trial for %s: %+v", u, r)
		}
		// Without an explicit env a member gets the released version.
		if r := f.resolve(t, u, "o", ""); r.VersionID != v1.ID || r.Channel != ChannelOnline {
			t.Fatalf("release for %s: %+v", u, r)
		}
	}
	if err := f.s.RemoveMember(ctx, f.appid, "u-tester", RoleTrial); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.Resolve(f.appid, "u-tester", "o", "trial")
	wantErr(t, "trial after removal", err, ErrNotMember)
	wantErr(t, "remove twice", f.s.RemoveMember(ctx, f.appid, "u-tester", RoleTrial), ErrBadInput)
	wantErr(t, "bad role", f.s.AddMember(ctx, f.appid, "u", "owner"), ErrBadInput)
	members, _ := f.s.Members(ctx, f.appid)
	if len(members) != 1 || members[0] != (Member{"u-dev", RoleProject}) {
		t.Fatalf("members: %+v", members)
	}
}

// Another server's changes reach this server's snapshot through refresh
// (Run calls it every RefreshInterval).
func TestSnapshotFollowsChangesFromAnotherServer(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, DefaultPolicy())
	other := NewService(f.db, DefaultPolicy(), nil, nil)
	if _, err := other.Resolve(f.appid, "u", "o", ""); !errors.Is(err, ErrNoVersion) {
		t.Fatalf("before release: %v", err)
	}
	v := f.approved(t, "1.0")
	if _, err := f.s.Release(ctx, f.appid); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Resolve(f.appid, "u", "o", ""); !errors.Is(err, ErrNoVersion) {
		t.Fatalf("the other server reads its snapshot, not the database: %v", err)
	}
	if err := other.refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if r, err := other.Resolve(f.appid, "u", "o", ""); err != nil || r.VersionID != v.ID {
		t.Fatalf("after refresh: %+v %v", r, err)
	}
}

// Concurrent calls cannot break the invariants: one audit in review, a
// percentage that only increases, one rollback.
func TestConcurrentChangesKeepTheInvariants(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, DefaultPolicy())
	v := f.upload(t, f.appid, "u-dev", "1.0")
	if _, err := f.s.Commit(ctx, f.appid, CommitInput{VersionID: v.ID}); err != nil {
		t.Fatal(err)
	}
	race := func(n int, fn func(i int) error) []error {
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = fn(i) }()
		}
		wg.Wait()
		return errs
	}
	for _, err := range race(8, func(int) error { _, err := f.s.SubmitAudit(ctx, f.appid, SubmitInput{}); return err }) {
		if err != nil {
			t.Fatal(err)
		}
	}
	pending, _ := f.s.PendingAudits(ctx)
	if len(pending) != 1 {
		t.Fatalf("%d audits in review after concurrent submissions, want 1", len(pending))
	}
	if _, err := f.s.Approve(ctx, pending[0].ID, "op"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Release(ctx, f.appid); err != nil {
		t.Fatal(err)
	}
	f.approved(t, "2.0")
	// Percentages 1..12 at once: whatever order they land in, the plan ends
	// at 12 and every accepted call raised it.
	errs := race(12, func(i int) error { _, err := f.s.Gray(ctx, f.appid, GrayInput{Percentage: i + 1}); return err })
	for _, err := range errs {
		if err != nil && !errors.Is(err, ErrPercentageNotHigher) {
			t.Fatal(err)
		}
	}
	if plan, _ := f.s.GrayPlan(ctx, f.appid); plan.Percentage != 12 {
		t.Fatalf("plan at %d%%, want 12", plan.Percentage)
	}
	if _, err := f.s.Gray(ctx, f.appid, GrayInput{Percentage: 100}); err != nil {
		t.Fatal(err)
	}
	ok := 0
	for _, err := range race(6, func(int) error { _, err := f.s.Rollback(ctx, f.appid, 0); return err }) {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, ErrCannotRollback):
			t.Fatal(err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d concurrent rollbacks succeeded, want 1", ok)
	}
}

func TestEventsPushAuditResultsToTheDeveloperServer(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, DefaultPolicy())
	woken := 0
	ev := NewCallbackEvents(f.db, f.accounts, func() { woken++ })
	f.s.SetEvents(ev)
	app, err := f.accounts.App(ctx, f.appid)
	if err != nil {
		t.Fatal(err)
	}
	v := f.upload(t, f.appid, "u-dev", "1.0")
	if _, err := f.s.Commit(ctx, f.appid, CommitInput{VersionID: v.ID}); err != nil {
		t.Fatal(err)
	}
	// Without a developer server nothing is queued.
	a, _ := f.s.SubmitAudit(ctx, f.appid, SubmitInput{})
	if _, err := f.s.Reject(ctx, a.ID, "op", "blank page <br> fix ]]> it"); err != nil {
		t.Fatal(err)
	}
	if n := countPushes(t, f.db, f.appid); n != 0 || woken != 0 {
		t.Fatalf("%d pushes without a server", n)
	}
	if _, err := f.db.Exec(ctx, "INSERT INTO oa_callback_configs(appid, url, token, mode, updated_at) VALUES (?, 'https://dev.example/cb', 'tok', 'plain', 1)", f.appid); err != nil {
		t.Fatal(err)
	}
	a, _ = f.s.SubmitAudit(ctx, f.appid, SubmitInput{})
	f.clock.add(time.Second)
	if _, err := f.s.Reject(ctx, a.ID, "op", "blank page ]]> fix"); err != nil {
		t.Fatal(err)
	}
	a, _ = f.s.SubmitAudit(ctx, f.appid, SubmitInput{})
	f.clock.add(time.Second)
	approved, err := f.s.Approve(ctx, a.ID, "op")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.db.Query(ctx, "SELECT payload FROM oa_callbacks WHERE appid = ? ORDER BY id", f.appid)
	if err != nil {
		t.Fatal(err)
	}
	var payloads []string
	for rows.Next() {
		var p string
		rows.Scan(&p)
		payloads = append(payloads, p)
	}
	rows.Close()
	if len(payloads) != 2 || woken != 2 {
		t.Fatalf("pushes %d, woken %d: %q", len(payloads), woken, payloads)
	}
	head := "<xml><ToUserName><![CDATA[" + app.OriginalID + "]]></ToUserName><FromUserName><![CDATA[" + app.OriginalID + "]]></FromUserName>"
	failTime := fmt.Sprint(approved.DecidedAt - 1)
	wantFail := head + "<CreateTime>" + failTime + "</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[weapp_audit_fail]]></Event>" +
		"<Reason><![CDATA[blank page ]]]]><![CDATA[> fix]]></Reason><FailTime>" + failTime + "</FailTime><ScreenShot><![CDATA[]]></ScreenShot></xml>"
	if payloads[0] != wantFail {
		t.Fatalf("fail push:\n%s\nwant\n%s", payloads[0], wantFail)
	}
	succ := fmt.Sprint(approved.DecidedAt)
	wantSucc := head + "<CreateTime>" + succ + "</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[weapp_audit_success]]></Event><SuccTime>" + succ + "</SuccTime></xml>"
	if payloads[1] != wantSucc {
		t.Fatalf("success push:\n%s\nwant\n%s", payloads[1], wantSucc)
	}
}

func countPushes(t *testing.T, db *store.DB, appid string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), "SELECT COUNT(*) FROM oa_callbacks WHERE appid = ?", appid).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
