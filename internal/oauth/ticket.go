package oauth

import (
	"context"
	"crypto/hmac"
	"database/sql"
	"errors"
	"strings"

	"superapp/internal/random"
	"superapp/internal/store"
	"superapp/internal/wxcrypto"
)

// Ticket types of /cgi-bin/ticket/getticket.
var TicketTypes = map[string]bool{"jsapi": true, "wx_card": true}

// ErrBadTicketType is an unknown ticket type.
var ErrBadTicketType = errors.New("type must be jsapi or wx_card")

// Ticket returns the app's live ticket of the given type, issuing a new one
// when less than five minutes of it remain.
func (s *Service) Ticket(ctx context.Context, appid, typ string) (string, int64, error) {
	if !TicketTypes[typ] {
		return "", 0, ErrBadTicketType
	}
	now := s.now()
	var ticket string
	var expires int64
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.Lock(ctx, "ticket:"+appid+":"+typ); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, "SELECT ticket, expires_at FROM jsapi_tickets WHERE appid = ? AND type = ?", appid, typ).Scan(&ticket, &expires)
		if err == nil && expires-now.Unix() > 300 {
			return nil
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// The ticket being replaced (if any) stays valid for five more
		// minutes, never past its own expiry.
		prev, prevExpires := "", int64(0)
		if err == nil {
			prev, prevExpires = ticket, min(expires, now.Unix()+300)
		}
		ticket = random.Token(64)
		expires = now.Add(TicketLifetime).Unix()
		_, err = tx.Exec(ctx, `INSERT INTO jsapi_tickets(appid, type, ticket, issued_at, expires_at, previous_ticket, previous_expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (appid, type) DO UPDATE SET ticket = excluded.ticket, issued_at = excluded.issued_at, expires_at = excluded.expires_at,
			previous_ticket = excluded.previous_ticket, previous_expires_at = excluded.previous_expires_at`,
			appid, typ, ticket, now.Unix(), expires, prev, prevExpires)
		return err
	})
	return ticket, expires - now.Unix(), err
}

// ErrConfigSignature is a wx.config whose signature does not match.
var ErrConfigSignature = errors.New("invalid signature")

// VerifyConfig checks a JS-SDK wx.config signature for a page URL the way the
// client does before granting JS-SDK APIs: against the app's current jsapi
// ticket, or the one it replaced within the last five minutes. The URL is the
// page's without its #fragment.
func (s *Service) VerifyConfig(ctx context.Context, appid, url, nonceStr, timestamp, signature string) error {
	var ticket, prev string
	var expires, prevExpires int64
	err := s.db.QueryRow(ctx, "SELECT ticket, expires_at, previous_ticket, previous_expires_at FROM jsapi_tickets WHERE appid = ? AND type = 'jsapi'", appid).
		Scan(&ticket, &expires, &prev, &prevExpires)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrConfigSignature
	}
	if err != nil {
		return err
	}
	if i := strings.IndexByte(url, '#'); i >= 0 {
		url = url[:i]
	}
	now := s.now().Unix()
	for _, t := range []struct {
		ticket  string
		expires int64
	}{{ticket, expires}, {prev, prevExpires}} {
		if t.ticket != "" && now < t.expires &&
			hmac.Equal([]byte(wxcrypto.JSAPISignature(t.ticket, nonceStr, timestamp, url)), []byte(signature)) {
			return nil
		}
	}
	return ErrConfigSignature
}
