package nearby_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"superapp/internal/account"
	"superapp/internal/input"
	"superapp/internal/nearby"
	"superapp/internal/store"
	"superapp/internal/store/storetest"
)

type world struct {
	db       *store.DB
	accounts *account.Service
	svc      *nearby.Service
}

func newWorld(t *testing.T, policy nearby.Policy) *world {
	t.Helper()
	db := storetest.Open(t)
	accounts := account.NewService(db, account.DefaultPolicy())
	svc, err := nearby.NewService(context.Background(), db, accounts, policy)
	if err != nil {
		t.Fatal(err)
	}
	return &world{db, accounts, svc}
}

func (w *world) app(t *testing.T, kind account.AppKind, subjectKind account.SubjectKind) *account.App {
	t.Helper()
	ctx := context.Background()
	subjectID := ""
	if subjectKind != "" {
		sub, err := w.accounts.CreateSubject(ctx, subjectKind, "Subject "+string(subjectKind))
		if err != nil {
			t.Fatal(err)
		}
		subjectID = sub.ID
	}
	app, _, err := w.accounts.CreateApp(ctx, kind, "App "+string(kind), subjectID)
	if err != nil {
		t.Fatal(err)
	}
	return app
}

func f(v float64) *float64 { return &v }

// shanghai is People's Square; north(m) is a point m meters due north.
const shanghaiLat, shanghaiLng = 31.2304, 121.4737

func north(m float64) float64 { return shanghaiLat + m/111195.08 }

func poi(name string, lat float64, credential string) nearby.POIInput {
	return nearby.POIInput{StoreName: name, Address: name + " Road 1", Credential: credential, Hour: "09:00-21:00",
		Latitude: f(lat), Longitude: f(shanghaiLng)}
}

func TestAddListLimitsAndErrors(t *testing.T) {
	t.Run(storetest.Backend(), func(t *testing.T) {
		ctx := context.Background()
		policy := nearby.DefaultPolicy()
		policy.MaxPerApp = 3
		w := newWorld(t, policy)
		mp := w.app(t, account.MiniProgram, "")
		other := w.app(t, account.MiniProgram, account.Enterprise)

		added := []*nearby.POI{}
		for i := range 3 {
			in := poi(fmt.Sprintf("Store %d", i), north(float64(100*i)), "91310000MA1FL0000X")
			in.MapPoiID = fmt.Sprintf("map-%d", i)
			p, err := w.svc.Add(ctx, mp, in)
			if err != nil {
				t.Fatalf("add %d: %v", i, err)
			}
			if p.AuditStatus != nearby.AuditApproved || p.DisplayStatus != 1 || p.AuditID == "" || p.ID == 0 {
				t.Fatalf("added POI = %+v, want approved (5) and displayed", p)
			}
			added = append(added, p)
		}
		if _, err := w.svc.Add(ctx, mp, poi("Fourth", north(400), "91310000MA1FL0000X")); !errors.Is(err, nearby.ErrQuotaReached) {
			t.Fatalf("4th POI with max 3: %v, want ErrQuotaReached", err)
		}
		// Another mini program: the same place or credential is taken.
		in := poi("Copy", north(0), "123456789012345")
		in.MapPoiID = "map-0"
		if _, err := w.svc.Add(ctx, other, in); !errors.Is(err, nearby.ErrPlaceTaken) {
			t.Fatalf("another app's map_poi_id: %v, want ErrPlaceTaken", err)
		}
		if _, err := w.svc.Add(ctx, other, poi("Copy", north(0), "91310000MA1FL0000X")); !errors.Is(err, nearby.ErrPlaceTaken) {
			t.Fatalf("another app's credential: %v, want ErrPlaceTaken", err)
		}
		// Individuals and official accounts may not.
		person := w.app(t, account.MiniProgram, account.Individual)
		if _, err := w.svc.Add(ctx, person, poi("Mine", north(0), "123456789012345")); !errors.Is(err, nearby.ErrIndividual) {
			t.Fatalf("individual subject: %v, want ErrIndividual", err)
		}
		oa := w.app(t, account.ServiceAccount, "")
		if _, err := w.svc.Add(ctx, oa, poi("OA", north(0), "123456789012345")); !errors.Is(err, nearby.ErrNotMiniProgram) {
			t.Fatalf("service account: %v, want ErrNotMiniProgram", err)
		}
		// Bad input names the field.
		for field, mutate := range map[string]func(*nearby.POIInput){
			"latitude":   func(in *nearby.POIInput) { in.Latitude = f(91) },
			"longitude":  func(in *nearby.POIInput) { in.Longitude = nil },
			"store_name": func(in *nearby.POIInput) { in.StoreName = " " },
			"credential": func(in *nearby.POIInput) { in.Credential = "12ab" },
			"hour":       func(in *nearby.POIInput) { in.Hour = "9 to 5" },
		} {
			in := poi("Bad", north(0), "123456789012345")
			mutate(&in)
			var ie *input.Error
			if _, err := w.svc.Add(ctx, other, in); !errors.As(err, &ie) || ie.Field != field {
				t.Errorf("bad %s: %v, want an input error naming it", field, err)
			}
		}

		// Listing pages, with the quota left.
		page, err := w.svc.List(ctx, mp.AppID, 1, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.POIs) != 2 || page.POIs[0].ID != added[0].ID || page.MaxApplyNum != 3 || page.LeftApplyNum != 0 {
			t.Fatalf("page 1 = %+v", page)
		}
		page2, _ := w.svc.List(ctx, mp.AppID, 2, 2)
		if len(page2.POIs) != 1 || page2.POIs[0].ID != added[2].ID {
			t.Fatalf("page 2 = %+v", page2)
		}
		// Deleting frees quota; another app cannot delete or see ours.
		if err := w.svc.Delete(ctx, other.AppID, added[2].ID); !errors.Is(err, nearby.ErrPOINotFound) {
			t.Fatalf("cross-app delete: %v, want ErrPOINotFound", err)
		}
		if _, err := w.svc.SetDisplay(ctx, other.AppID, added[2].ID, 0); !errors.Is(err, nearby.ErrPOINotFound) {
			t.Fatalf("cross-app display: %v, want ErrPOINotFound", err)
		}
		if err := w.svc.Delete(ctx, mp.AppID, added[2].ID); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.Delete(ctx, mp.AppID, added[2].ID); !errors.Is(err, nearby.ErrPOINotFound) {
			t.Fatalf("deleting twice: %v, want ErrPOINotFound", err)
		}
		if page, _ := w.svc.List(ctx, mp.AppID, 1, 10); page.LeftApplyNum != 1 || len(page.POIs) != 2 {
			t.Fatalf("after delete: %+v", page)
		}
		// The deleted place may be registered again, by anyone.
		in = poi("Reborn", north(200), "91310000MA1FL0000X")
		in.MapPoiID = "map-2"
		if _, err := w.svc.Add(ctx, mp, in); err != nil {
			t.Fatalf("re-adding a deleted place: %v", err)
		}
		in.MapPoiID = "map-1"
		if _, err := w.svc.Add(ctx, w.app(t, account.MiniProgram, account.Enterprise), in); !errors.Is(err, nearby.ErrPlaceTaken) {
			t.Fatalf("third app, taken place: %v", err)
		}
	})
}

func TestNearbyQueryDisplayAndRefresh(t *testing.T) {
	t.Run(storetest.Backend(), func(t *testing.T) {
		ctx := context.Background()
		w := newWorld(t, nearby.DefaultPolicy())
		a := w.app(t, account.MiniProgram, "")
		b := w.app(t, account.MiniProgram, account.Enterprise)
		near, err := w.svc.Add(ctx, a, poi("Near", north(1000), "123456789012345"))
		if err != nil {
			t.Fatal(err)
		}
		mid, err := w.svc.Add(ctx, b, poi("Mid", north(3000), "987654321098765"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Add(ctx, b, poi("Far", north(8000), "987654321098765")); err != nil {
			t.Fatal(err)
		}
		q := nearby.Query{Latitude: shanghaiLat, Longitude: shanghaiLng, Page: 1, PageSize: 20}
		res, err := w.svc.Nearby(q)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Items) != 2 || res.Items[0].PoiID != near.ID || res.Items[1].PoiID != mid.ID || res.HasMore ||
			res.Items[0].Distance != 1000 || res.Items[1].Distance != 3000 || res.Items[1].AppID != b.AppID {
			t.Fatalf("nearby = %+v, want Near (1000 m) then Mid (3000 m), 8 km left out", res)
		}
		// Paging.
		p1, _ := w.svc.Nearby(nearby.Query{Latitude: shanghaiLat, Longitude: shanghaiLng, Page: 1, PageSize: 1})
		p2, _ := w.svc.Nearby(nearby.Query{Latitude: shanghaiLat, Longitude: shanghaiLng, Page: 2, PageSize: 1})
		p3, _ := w.svc.Nearby(nearby.Query{Latitude: shanghaiLat, Longitude: shanghaiLng, Page: 3, PageSize: 1})
		if len(p1.Items) != 1 || !p1.HasMore || p1.Items[0].PoiID != near.ID || len(p2.Items) != 1 || p2.HasMore || p2.Items[0].PoiID != mid.ID || len(p3.Items) != 0 {
			t.Fatalf("pages of 1: %+v %+v %+v", p1, p2, p3)
		}
		for _, bad := range []nearby.Query{{Latitude: 95, Page: 1, PageSize: 1}, {Page: 0, PageSize: 1}, {Page: 1, PageSize: 51}} {
			if _, err := w.svc.Nearby(bad); err == nil {
				t.Errorf("query %+v accepted", bad)
			}
		}
		// Hidden POIs leave the list; shown ones come back.
		if _, err := w.svc.SetDisplay(ctx, a.AppID, near.ID, 0); err != nil {
			t.Fatal(err)
		}
		if res, _ := w.svc.Nearby(q); len(res.Items) != 1 || res.Items[0].PoiID != mid.ID {
			t.Fatalf("after hiding Near: %+v", res)
		}
		if _, err := w.svc.SetDisplay(ctx, a.AppID, near.ID, 2); err == nil {
			t.Fatal("display status 2 accepted")
		}

		// A second server over the same database: it loads what exists at
		// start and catches up with the first server's writes on refresh.
		other, err := nearby.NewService(ctx, w.db, w.accounts, nearby.DefaultPolicy())
		if err != nil {
			t.Fatal(err)
		}
		if res, _ := other.Nearby(q); len(res.Items) != 1 {
			t.Fatalf("second server at start: %+v", res)
		}
		if _, err := w.svc.SetDisplay(ctx, a.AppID, near.ID, 1); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.Delete(ctx, b.AppID, mid.ID); err != nil {
			t.Fatal(err)
		}
		if err := other.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if res, _ := other.Nearby(q); len(res.Items) != 1 || res.Items[0].PoiID != near.ID {
			t.Fatalf("second server after refresh: %+v, want only Near", res)
		}
	})
}

func TestManualAudit(t *testing.T) {
	t.Run(storetest.Backend(), func(t *testing.T) {
		ctx := context.Background()
		policy := nearby.DefaultPolicy()
		policy.ManualAudit = true
		w := newWorld(t, policy)
		a := w.app(t, account.MiniProgram, "")
		p, err := w.svc.Add(ctx, a, poi("Pending", north(100), "123456789012345"))
		if err != nil {
			t.Fatal(err)
		}
		if p.AuditStatus != nearby.AuditReviewing {
			t.Fatalf("manual audit: status %d, want 3", p.AuditStatus)
		}
		q := nearby.Query{Latitude: shanghaiLat, Longitude: shanghaiLng, Page: 1, PageSize: 20}
		if res, _ := w.svc.Nearby(q); len(res.Items) != 0 {
			t.Fatalf("a POI in review is listed: %+v", res)
		}
		if _, err := w.svc.SetDisplay(ctx, a.AppID, p.ID, 1); !errors.Is(err, nearby.ErrInReview) {
			t.Fatalf("showing a POI in review: %v", err)
		}
		rejected, err := w.svc.Add(ctx, a, poi("Rejected", north(200), "123456789012345"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Decide(ctx, rejected.ID, false, "photos do not show the store"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.SetDisplay(ctx, a.AppID, rejected.ID, 1); !errors.Is(err, nearby.ErrAuditFailed) {
			t.Fatalf("showing a rejected POI: %v", err)
		}
		if _, err := w.svc.Decide(ctx, p.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Decide(ctx, p.ID, true, ""); !errors.Is(err, nearby.ErrNotInReview) {
			t.Fatalf("deciding twice: %v", err)
		}
		if res, _ := w.svc.Nearby(q); len(res.Items) != 1 || res.Items[0].PoiID != p.ID {
			t.Fatalf("after approval: %+v", res)
		}
		page, _ := w.svc.List(ctx, a.AppID, 1, 10)
		if page.POIs[1].AuditStatus != nearby.AuditRejected || page.POIs[1].RefuseReason != "photos do not show the store" {
			t.Fatalf("rejected POI as listed: %+v", page.POIs[1])
		}
	})
}

// TestConcurrentAddsKeepTheQuota races adds of one app: the quota holds.
func TestConcurrentAddsKeepTheQuota(t *testing.T) {
	t.Run(storetest.Backend(), func(t *testing.T) {
		ctx := context.Background()
		w := newWorld(t, nearby.DefaultPolicy())
		a := w.app(t, account.MiniProgram, "")
		errs := make(chan error, 16)
		for i := range 16 {
			go func() {
				_, err := w.svc.Add(ctx, a, poi(fmt.Sprintf("S%d", i), north(float64(i)), "123456789012345"))
				errs <- err
			}()
		}
		ok, full := 0, 0
		deadline := time.After(30 * time.Second)
		for range 16 {
			select {
			case err := <-errs:
				switch {
				case err == nil:
					ok++
				case errors.Is(err, nearby.ErrQuotaReached):
					full++
				default:
					t.Fatalf("add: %v", err)
				}
			case <-deadline:
				t.Fatal("adds did not finish")
			}
		}
		if ok != 10 || full != 6 {
			t.Fatalf("%d added, %d refused; want 10 and 6", ok, full)
		}
	})
}

// TestInReviewQueue is the operator's queue under ManualAudit: every
// app's POIs in review, oldest first, bounded; decided and deleted ones
// leave it; refused decisions change nothing.
func TestInReviewQueue(t *testing.T) {
	t.Run(storetest.Backend(), func(t *testing.T) {
		ctx := context.Background()
		policy := nearby.DefaultPolicy()
		policy.ManualAudit = true
		w := newWorld(t, policy)
		a := w.app(t, account.MiniProgram, "")
		b := w.app(t, account.MiniProgram, account.Enterprise)

		if pois, total, err := w.svc.InReview(ctx, 10); err != nil || total != 0 || pois == nil || len(pois) != 0 {
			t.Fatalf("empty queue = %v, %d, %v", pois, total, err)
		}
		var ids []int64
		for i, app := range []*account.App{a, b, a, b} {
			cred := map[*account.App]string{a: "123456789012345", b: "987654321098765"}[app]
			p, err := w.svc.Add(ctx, app, poi(fmt.Sprintf("S%d", i), north(float64(100*i)), cred))
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, p.ID)
		}
		pois, total, err := w.svc.InReview(ctx, 10)
		if err != nil || total != 4 || len(pois) != 4 {
			t.Fatalf("queue = %d of %d, %v", len(pois), total, err)
		}
		for i, p := range pois {
			if p.ID != ids[i] || p.AuditStatus != nearby.AuditReviewing || p.CreatedAt == 0 {
				t.Fatalf("queue[%d] = %+v, want POI %d in review", i, p, ids[i])
			}
		}
		if pois[1].AppID != b.AppID || pois[1].StoreName != "S1" || pois[1].Latitude != north(100) {
			t.Fatalf("queue[1] = %+v", pois[1])
		}
		if pois, total, _ := w.svc.InReview(ctx, 2); total != 4 || len(pois) != 2 || pois[1].ID != ids[1] {
			t.Fatalf("limit 2 = %d of %d", len(pois), total)
		}
		for _, bad := range []int{0, -1, nearby.MaxInReview + 1} {
			var ie *input.Error
			if _, _, err := w.svc.InReview(ctx, bad); !errors.As(err, &ie) || ie.Field != "limit" {
				t.Errorf("limit %d: %v, want an input error naming limit", bad, err)
			}
		}

		q := nearby.Query{Latitude: shanghaiLat, Longitude: shanghaiLng, Page: 1, PageSize: 20}
		// Refused decisions: reason missing or too long, unknown id.
		for _, reason := range []string{"", "  ", strings.Repeat("x", 201)} {
			var ie *input.Error
			if _, err := w.svc.Decide(ctx, ids[1], false, reason); !errors.As(err, &ie) || ie.Field != "reason" {
				t.Fatalf("reject with reason %q: %v, want an input error naming reason", reason, err)
			}
		}
		if _, err := w.svc.Decide(ctx, 999999, true, ""); !errors.Is(err, nearby.ErrPOINotFound) {
			t.Fatalf("unknown id: %v", err)
		}
		// Approve one, reject one, the developer deletes one.
		if _, err := w.svc.Decide(ctx, ids[0], true, ""); err != nil {
			t.Fatal(err)
		}
		rej, err := w.svc.Decide(ctx, ids[1], false, " blurry photos ")
		if err != nil || rej.AuditStatus != nearby.AuditRejected || rej.RefuseReason != "blurry photos" || rej.DisplayStatus != 0 {
			t.Fatalf("reject = %+v, %v", rej, err)
		}
		if err := w.svc.Delete(ctx, a.AppID, ids[2]); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Decide(ctx, ids[2], true, ""); !errors.Is(err, nearby.ErrPOINotFound) {
			t.Fatalf("deciding a deleted POI: %v", err)
		}
		if pois, total, _ := w.svc.InReview(ctx, 10); total != 1 || len(pois) != 1 || pois[0].ID != ids[3] {
			t.Fatalf("queue after decisions = %d of %d", len(pois), total)
		}
		// Deciding twice is refused and names the status; nothing changes.
		_, err = w.svc.Decide(ctx, ids[1], true, "")
		if !errors.Is(err, nearby.ErrNotInReview) || !strings.Contains(err.Error(), "audit_status 4 (rejected)") {
			t.Fatalf("approving a rejected POI: %v", err)
		}
		if _, err := w.svc.Decide(ctx, ids[0], false, "changed my mind"); !errors.Is(err, nearby.ErrNotInReview) || !strings.Contains(err.Error(), "(approved)") {
			t.Fatalf("rejecting an approved POI: %v", err)
		}
		if res, _ := w.svc.Nearby(q); len(res.Items) != 1 || res.Items[0].PoiID != ids[0] {
			t.Fatalf("nearby after decisions = %+v, want only the approved POI", res)
		}
		// Another server over the same database sees the decisions on refresh.
		other, err := nearby.NewService(ctx, w.db, w.accounts, policy)
		if err != nil {
			t.Fatal(err)
		}
		if res, _ := other.Nearby(q); len(res.Items) != 1 || res.Items[0].PoiID != ids[0] {
			t.Fatalf("second server: %+v", res)
		}
		if _, err := w.svc.Decide(ctx, ids[3], true, ""); err != nil {
			t.Fatal(err)
		}
		if err := other.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if res, _ := other.Nearby(q); len(res.Items) != 2 {
			t.Fatalf("second server after refresh: %+v, want both approved POIs", res)
		}
	})
}
