package officialaccount_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"

	"superapp/internal/identity"
	"superapp/internal/officialaccount"
)

const base = "http://superapp.test"

func TestCreateQRCode(t *testing.T) {
	w := policyWorld(t, func(p *officialaccount.Policy) { p.PermanentQRCodes = 3 })
	ctx := context.Background()
	oa := w.p.OA
	app := w.oa.AppID
	create := func(r officialaccount.QRCodeRequest) (*officialaccount.QRCode, error) {
		r.BaseURL = base
		return oa.CreateQRCode(ctx, app, r)
	}

	tmp, err := create(officialaccount.QRCodeRequest{Action: officialaccount.QRActionScene, SceneID: 123, SceneStr: "ignored"})
	if err != nil {
		t.Fatal(err)
	}
	if tmp.Permanent || tmp.ExpireSeconds != 60 || tmp.SceneID != 123 || tmp.SceneStr != "" || tmp.URL != base+"/q/"+tmp.Code {
		t.Fatalf("temporary code = %+v, want 60 s (the default) and URL %s/q/<code>", tmp, base)
	}
	// Tickets and codes go into URLs unescaped (silenceper does not escape).
	for _, s := range []string{tmp.Ticket, tmp.Code} {
		if strings.ContainsAny(s, "+/=%?&# ") || len(s) < 20 {
			t.Fatalf("%q is not a URL-safe random token", s)
		}
	}
	again, err := create(officialaccount.QRCodeRequest{Action: officialaccount.QRActionScene, SceneID: 123})
	if err != nil || again.Ticket == tmp.Ticket || again.Code == tmp.Code {
		t.Fatalf("a second temporary code for the scene = %+v, %v; temporary codes are all new", again, err)
	}
	month, err := create(officialaccount.QRCodeRequest{Action: officialaccount.QRActionStrScene, SceneStr: "poster", ExpireSeconds: 2592000})
	if err != nil || month.ExpireSeconds != 2592000 || month.SceneStr != "poster" || month.SceneID != 0 {
		t.Fatalf("30-day string code = %+v, %v", month, err)
	}

	perm, err := create(officialaccount.QRCodeRequest{Action: officialaccount.QRActionLimitScene, SceneID: 100000, ExpireSeconds: 99})
	if err != nil || !perm.Permanent || perm.ExpireSeconds != 0 {
		t.Fatalf("permanent code = %+v, %v", perm, err)
	}
	same, err := create(officialaccount.QRCodeRequest{Action: officialaccount.QRActionLimitScene, SceneID: 100000})
	if err != nil || same.Ticket != perm.Ticket || same.URL != perm.URL {
		t.Fatalf("the same permanent scene again = %+v, %v; want the existing code %s", same, err, perm.Ticket)
	}
	if _, err := create(officialaccount.QRCodeRequest{Action: officialaccount.QRActionLimitStrScene, SceneStr: "100000"}); err != nil {
		t.Fatal(err) // a string scene "100000" is another scene
	}
	if _, err := create(officialaccount.QRCodeRequest{Action: officialaccount.QRActionLimitStrScene, SceneStr: strings.Repeat("场", 64)}); err != nil {
		t.Fatal(err)
	}
	if _, err := create(officialaccount.QRCodeRequest{Action: officialaccount.QRActionLimitScene, SceneID: 7}); !errors.Is(err, officialaccount.ErrQRCodeLimit) {
		t.Fatalf("a fourth permanent code with PermanentQRCodes 3: %v", err)
	}
	if again, err := create(officialaccount.QRCodeRequest{Action: officialaccount.QRActionLimitScene, SceneID: 100000}); err != nil || again.Ticket != perm.Ticket {
		t.Fatalf("an existing permanent code at the cap = %+v, %v", again, err)
	}
	if _, err := create(officialaccount.QRCodeRequest{Action: officialaccount.QRActionScene, SceneID: 8}); err != nil {
		t.Fatalf("temporary codes are not capped: %v", err)
	}

	for _, c := range []struct {
		req  officialaccount.QRCodeRequest
		want error
	}{
		{officialaccount.QRCodeRequest{Action: "", SceneID: 1}, officialaccount.ErrQRActionName},
		{officialaccount.QRCodeRequest{Action: "qr_scene", SceneID: 1}, officialaccount.ErrQRActionName},
		{officialaccount.QRCodeRequest{Action: "QR_SCENE"}, officialaccount.ErrQRScene},
		{officialaccount.QRCodeRequest{Action: "QR_SCENE", SceneID: -1}, officialaccount.ErrQRScene},
		{officialaccount.QRCodeRequest{Action: "QR_SCENE", SceneID: math.MaxUint32 + 1}, officialaccount.ErrQRScene},
		{officialaccount.QRCodeRequest{Action: "QR_SCENE", SceneStr: "only a string"}, officialaccount.ErrQRScene},
		{officialaccount.QRCodeRequest{Action: "QR_STR_SCENE"}, officialaccount.ErrQRScene},
		{officialaccount.QRCodeRequest{Action: "QR_STR_SCENE", SceneStr: strings.Repeat("x", 65)}, officialaccount.ErrQRScene},
		{officialaccount.QRCodeRequest{Action: "QR_STR_SCENE", SceneStr: "nul\x00"}, officialaccount.ErrQRScene},
		{officialaccount.QRCodeRequest{Action: "QR_LIMIT_SCENE"}, officialaccount.ErrQRScene},
		{officialaccount.QRCodeRequest{Action: "QR_LIMIT_SCENE", SceneID: 100001}, officialaccount.ErrQRScene},
		{officialaccount.QRCodeRequest{Action: "QR_LIMIT_STR_SCENE", SceneID: 5}, officialaccount.ErrQRScene},
		{officialaccount.QRCodeRequest{Action: "QR_SCENE", SceneID: 1, ExpireSeconds: -5}, officialaccount.ErrQRExpiry},
		{officialaccount.QRCodeRequest{Action: "QR_STR_SCENE", SceneStr: "a", ExpireSeconds: 2592001}, officialaccount.ErrQRExpiry},
	} {
		if _, err := create(c.req); !errors.Is(err, c.want) {
			t.Errorf("CreateQRCode(%+v) = %v, want %v", c.req, err, c.want)
		}
	}
}

// The permanent-code cap holds when requests race.
func TestPermanentQRCodeCapUnderRace(t *testing.T) {
	w := policyWorld(t, func(p *officialaccount.Policy) { p.PermanentQRCodes = 4 })
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	made := map[string]bool{}
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Two requests per scene: both must get the same code.
			q, err := w.p.OA.CreateQRCode(ctx, w.oa.AppID, officialaccount.QRCodeRequest{Action: officialaccount.QRActionLimitStrScene, SceneStr: fmt.Sprint(i / 2), BaseURL: base})
			if err != nil {
				if !errors.Is(err, officialaccount.ErrQRCodeLimit) {
					t.Error(err)
				}
				return
			}
			mu.Lock()
			made[q.Ticket] = true
			mu.Unlock()
		}()
	}
	wg.Wait()
	var n int
	if err := w.p.DB.QueryRow(ctx, "SELECT COUNT(*) FROM oa_qrcodes WHERE appid = ? AND permanent = 1", w.oa.AppID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 4 || len(made) != 4 {
		t.Fatalf("%d permanent codes stored, %d tickets handed out; want PermanentQRCodes = 4 of each", n, len(made))
	}
}

func TestScanQR(t *testing.T) {
	w := newWorld(t)
	w.withServer(t)
	ctx := context.Background()
	oa := w.p.OA
	q, err := oa.CreateQRCode(ctx, w.oa.AppID, officialaccount.QRCodeRequest{Action: officialaccount.QRActionScene, SceneID: 42, ExpireSeconds: 3600, BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := oa.ScanQR(ctx, w.user.ID, "nope"); !errors.Is(err, officialaccount.ErrQRCodeNotFound) {
		t.Fatalf("unknown code: %v", err)
	}
	res, err := oa.ScanQR(ctx, w.user.ID, q.Code)
	if err != nil || res.AppID != w.oa.AppID || res.Event != "subscribe" {
		t.Fatalf("first scan = %+v, %v", res, err)
	}
	f, err := oa.Relation(ctx, w.oa.AppID, w.user.ID)
	if err != nil || !f.Subscribed || f.SubscribeScene != officialaccount.SceneQRCode || f.QRScene != 42 || f.QRSceneStr != "" {
		t.Fatalf("relation after the scan = %+v, %v", f, err)
	}
	res, err = oa.ScanQR(ctx, w.user.ID, q.Code)
	if err != nil || res.Event != "SCAN" {
		t.Fatalf("a follower's scan = %+v, %v", res, err)
	}
	ps := w.pushes(t)
	if len(ps) != 2 || ps[0].Doc.Event != "subscribe" || ps[0].Doc.EventKey != "qrscene_42" || ps[0].Doc.Ticket != q.Ticket ||
		ps[1].Doc.Event != "SCAN" || ps[1].Doc.EventKey != "42" || ps[1].Doc.Ticket != q.Ticket {
		t.Fatalf("pushes = %+v, want subscribe qrscene_42 then SCAN 42, both with the ticket", ps)
	}

	// Once expired, the code says so and when, and changes nothing.
	if _, err := w.p.DB.Exec(ctx, "UPDATE oa_qrcodes SET expires_at = 1700000000 WHERE ticket = ?", q.Ticket); err != nil {
		t.Fatal(err)
	}
	bob, err := w.p.Identity.CreateUser(ctx, identity.NewUser{Name: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = oa.ScanQR(ctx, bob.ID, q.Code)
	if !errors.Is(err, officialaccount.ErrQRCodeExpired) || !strings.Contains(err.Error(), "2023-11-14 22:13:20 UTC") {
		t.Fatalf("expired code: %v, want ErrQRCodeExpired saying when", err)
	}
	if rel, _ := oa.Relation(ctx, w.oa.AppID, bob.ID); rel != nil {
		t.Fatalf("an expired code made a follower: %+v", rel)
	}
	if _, err := oa.QRCodeByTicket(ctx, q.Ticket); !errors.Is(err, officialaccount.ErrQRCodeExpired) {
		t.Fatalf("ticket of an expired code: %v", err)
	}
	if _, err := oa.QRCodeByTicket(ctx, "bad\xff"); !errors.Is(err, officialaccount.ErrQRCodeNotFound) {
		t.Fatalf("ticket that is not UTF-8: %v", err)
	}
}
