package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"superapp/internal/input"

	"superapp/internal/random"
	"superapp/internal/store"
)

const appColumns = "appid, kind, name, original_id, subject_id, secret_hash, COALESCE(open_platform_id, ''), COALESCE(bound_at, 0), ip_whitelist, oauth_domains, created_at"

func scanApp(row interface{ Scan(...any) error }) (*App, error) {
	var a App
	var ips, domains string
	err := row.Scan(&a.AppID, &a.Kind, &a.Name, &a.OriginalID, &a.SubjectID, &a.SecretHash, &a.OpenPlatformID, &a.BoundAt, &ips, &domains, &a.CreatedAt)
	if err != nil {
		return nil, err
	}
	a.IPWhitelist = splitList(ips)
	a.OAuthDomains = splitList(domains)
	return &a, nil
}

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// CreateApp registers an app under a subject and returns it with its secret,
// which is shown this once and stored only as a hash.
func (s *Service) CreateApp(ctx context.Context, kind AppKind, name, subjectID string) (*App, string, error) {
	if _, err := ParseAppKind(string(kind)); err != nil {
		return nil, "", err
	}
	if err := validateName("name", name); err != nil {
		return nil, "", err
	}
	sub, err := s.subjectOrDefault(ctx, subjectID)
	if err != nil {
		return nil, "", err
	}
	secret := NewSecret()
	now := s.now().Unix()
	app := &App{
		AppID:        "wx" + random.Hex(8),
		Kind:         kind,
		Name:         strings.TrimSpace(name),
		OriginalID:   "gh_" + random.Hex(6),
		SubjectID:    sub.ID,
		SecretHash:   random.Hash(secret),
		IPWhitelist:  []string{},
		OAuthDomains: []string{},
		CreatedAt:    now,
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.Lock(ctx, "subject:"+sub.ID); err != nil {
			return err
		}
		if sub.Kind == Individual {
			limit := map[AppKind]int{SubscriptionAccount: s.policy.IndividualMaxSubscription, ServiceAccount: s.policy.IndividualMaxService, MiniProgram: s.policy.IndividualMaxMiniProgram}[kind]
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM apps WHERE subject_id = ? AND kind = ?", sub.ID, string(kind)).Scan(&n); err != nil {
				return err
			}
			if n >= limit {
				return &LimitError{fmt.Sprintf("a subject of kind individual may own at most %d %s app(s) (policy individual_max_%s); %s already owns %d", limit, kind, kind, sub.ID, n)}
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO apps(appid, kind, name, original_id, subject_id, secret_hash, created_at, secret_reset_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, app.AppID, string(app.Kind), app.Name, app.OriginalID, app.SubjectID, app.SecretHash, now, now)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return app, secret, nil
}

func (s *Service) loadApp(ctx context.Context, appid string) (*App, error) {
	app, err := scanApp(s.db.QueryRow(ctx, "SELECT "+appColumns+" FROM apps WHERE appid = ?", appid))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrAppNotFound
	}
	return app, err
}

// Apps lists apps, oldest first; kind "" means every kind.
func (s *Service) Apps(ctx context.Context, kind AppKind) ([]*App, error) {
	q := "SELECT " + appColumns + " FROM apps"
	var args []any
	if kind != "" {
		q += " WHERE kind = ?"
		args = append(args, string(kind))
	}
	rows, err := s.db.Query(ctx, q+" ORDER BY created_at, appid", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*App{}
	for rows.Next() {
		a, err := scanApp(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// ResetSecret replaces an app's secret and returns the new one. Tokens already
// issued stay valid until they expire, as on WeChat.
func (s *Service) ResetSecret(ctx context.Context, appid string) (string, error) {
	secret := NewSecret()
	res, err := s.db.Exec(ctx, "UPDATE apps SET secret_hash = ?, secret_reset_at = ? WHERE appid = ?", random.Hash(secret), s.now().Unix(), appid)
	if err != nil {
		return "", err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return "", ErrAppNotFound
	}
	s.forget(appid)
	return secret, nil
}

// SetIPWhitelist replaces the addresses (or CIDR ranges) allowed to fetch
// tokens for the app; an empty list allows every address.
func (s *Service) SetIPWhitelist(ctx context.Context, appid string, entries []string) error {
	clean := make([]string, 0, len(entries))
	for _, e := range entries {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		if _, err := netip.ParsePrefix(e); err != nil {
			if _, err := netip.ParseAddr(e); err != nil {
				return input.Errorf("ip_whitelist", fmt.Sprintf("%q is neither an IP address nor a CIDR range", e))
			}
		}
		clean = append(clean, e)
	}
	if len(clean) > 200 {
		return input.Errorf("ip_whitelist", fmt.Sprintf("has %d entries; at most 200 are allowed", len(clean)))
	}
	return s.updateList(ctx, appid, "ip_whitelist", clean)
}

// SetOAuthDomains replaces the hosts that OAuth redirect_uri may point at
// (WeChat's 网页授权域名). An empty list allows any host only in dev mode.
func (s *Service) SetOAuthDomains(ctx context.Context, appid string, domains []string) error {
	clean := make([]string, 0, len(domains))
	for _, d := range domains {
		d = strings.ToLower(strings.TrimSpace(d))
		if d == "" {
			continue
		}
		if strings.Contains(d, "/") || strings.Contains(d, ",") {
			return input.Errorf("oauth_domains", fmt.Sprintf("%q must be a host name (with an optional port), not a URL", d))
		}
		clean = append(clean, d)
	}
	return s.updateList(ctx, appid, "oauth_domains", clean)
}

func (s *Service) updateList(ctx context.Context, appid, column string, values []string) error {
	res, err := s.db.Exec(ctx, "UPDATE apps SET "+column+" = ? WHERE appid = ?", strings.Join(values, ","), appid)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrAppNotFound
	}
	s.forget(appid)
	return nil
}

// IPAllowed reports whether addr may call the app's APIs.
func (a *App) IPAllowed(addr netip.Addr) bool { return IPListAllows(a.IPWhitelist, addr) }

// IPListAllows reports whether addr is one of list's addresses or in one
// of its CIDR ranges; an empty list allows every address.
func IPListAllows(list []string, addr netip.Addr) bool {
	if len(list) == 0 {
		return true
	}
	addr = addr.Unmap()
	for _, e := range list {
		if p, err := netip.ParsePrefix(e); err == nil {
			if p.Contains(addr) {
				return true
			}
		} else if a, err := netip.ParseAddr(e); err == nil && a.Unmap() == addr {
			return true
		}
	}
	return false
}
