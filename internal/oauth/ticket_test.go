package oauth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"superapp/internal/account"
	"superapp/internal/identity"
	"superapp/internal/oauth"
	"superapp/internal/store/storetest"
	"superapp/internal/wxcrypto"
)

func TestTicketRenewalKeepsThePreviousFiveMinutes(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	app, _, err := account.NewService(db, account.DefaultPolicy()).CreateApp(ctx, account.ServiceAccount, "JS", "")
	if err != nil {
		t.Fatal(err)
	}
	ident, _ := identity.NewService(ctx, db)
	s := oauth.NewService(db, ident)
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	verify := func(ticket string) error {
		sig := wxcrypto.JSAPISignature(ticket, "n", "1", "https://h5.example.com/")
		return s.VerifyConfig(ctx, app.AppID, "https://h5.example.com/", "n", "1", sig)
	}
	first, left, err := s.Ticket(ctx, app.AppID, "jsapi")
	if err != nil || left != 7200 {
		t.Fatalf("Ticket = %q, %d, %v", first, left, err)
	}
	now = now.Add(7200*time.Second - 300*time.Second) // five minutes left: renewed
	second, _, _ := s.Ticket(ctx, app.AppID, "jsapi")
	if second == first {
		t.Fatal("the ticket was not renewed with five minutes left")
	}
	if err := verify(first); err != nil {
		t.Fatalf("the replaced ticket right after renewal: %v", err)
	}
	now = now.Add(300 * time.Second)
	if err := verify(first); !errors.Is(err, oauth.ErrConfigSignature) {
		t.Fatalf("the replaced ticket five minutes after renewal: %v", err)
	}
	if err := verify(second); err != nil {
		t.Fatalf("the current ticket: %v", err)
	}
	if err := verify("forged"); !errors.Is(err, oauth.ErrConfigSignature) {
		t.Fatalf("a forged ticket: %v", err)
	}
}
