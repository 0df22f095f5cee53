package wxacode

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"superapp/internal/input"
	"superapp/internal/random"
	"superapp/internal/store"
)

// Kinds of link.
const (
	LinkScheme    = "scheme"    // weixin://dl/business/?t=<ticket>
	LinkURL       = "urllink"   // <base>/wxaurl/<ticket>
	LinkShortLink = "shortlink" // #小程序://<name>[/<title>]/<ticket>
)

// Limits of links (WeChat's generatescheme / generate_urllink /
// genwxashortlink documentation).
const (
	MaxLinkQuery   = 1024
	MaxLinkPageURL = 1024
	MaxLinkTitle   = 1024
	queryAlphabet  = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$&'()*+,/:;=?@-._~%"
)

// LinkRequest is what a link endpoint asks for.
type LinkRequest struct {
	Kind  string
	Path  string // a page without query ("" = home page); short links: page_url, may hold a query
	Query string
	// EnvVersion is release (""), trial or develop.
	EnvVersion string
	// Expiry as WeChat takes it: IsExpire with ExpireType 0 (ExpireTime, a
	// unix time) or 1 (ExpireInterval days). A link without an expiry
	// lives Policy.LinkMaxDays, as WeChat's since 2022.
	IsExpire       bool
	ExpireType     int
	ExpireTime     int64
	ExpireInterval int
	// Short links: the page title and whether the link never expires.
	Title     string
	Permanent bool
}

// Link is a stored ticket.
type Link struct {
	Ticket     string `json:"ticket"`
	AppID      string `json:"appid"`
	Kind       string `json:"kind"`
	Path       string `json:"path"`
	Query      string `json:"query"`
	EnvVersion string `json:"env_version"`
	Title      string `json:"title,omitempty"`
	CreatedAt  int64  `json:"create_time"`
	ExpiresAt  int64  `json:"expire_time"` // 0 = never
	// Text is the link as the developer hands it out.
	Text string `json:"text"`
}

func validQuery(q string) bool {
	if len(q) > MaxLinkQuery {
		return false
	}
	for i := 0; i < len(q); i++ {
		if !strings.ContainsRune(queryAlphabet, rune(q[i])) {
			return false
		}
	}
	return true
}

// expiry returns when a new link expires (0 = never).
func (s *Service) expiry(req LinkRequest, now time.Time) (int64, error) {
	days := s.policy.LinkMaxDays
	max := now.AddDate(0, 0, days).Unix()
	switch {
	case req.Kind == LinkShortLink && req.Permanent:
		return 0, nil
	case req.Kind == LinkShortLink:
		return max, nil
	case req.ExpireType == 1:
		if req.ExpireInterval < 1 || req.ExpireInterval > days {
			return 0, fmt.Errorf("%w: expire_interval %d must be 1 to %d days", ErrExpire, req.ExpireInterval, days)
		}
		return now.Add(time.Duration(req.ExpireInterval) * 24 * time.Hour).Unix(), nil
	case req.ExpireType != 0:
		return 0, fmt.Errorf("%w: expire_type %d must be 0 (expire_time) or 1 (expire_interval)", ErrExpire, req.ExpireType)
	case req.ExpireTime != 0 || req.IsExpire:
		if req.ExpireTime <= now.Unix() || req.ExpireTime > max {
			return 0, fmt.Errorf("%w: expire_time %d must be a unix time within the next %d days", ErrExpire, req.ExpireTime, days)
		}
		return req.ExpireTime, nil
	}
	return max, nil
}

// CreateLink checks req and stores a new ticket.
func (s *Service) CreateLink(ctx context.Context, appid string, req LinkRequest, baseURL string) (*Link, error) {
	app, err := s.miniProgram(ctx, appid)
	if err != nil {
		return nil, err
	}
	if !ValidEnv(req.EnvVersion) {
		return nil, fmt.Errorf("%w: %q, use release, trial or develop", ErrEnvVersion, req.EnvVersion)
	}
	if req.EnvVersion == "" {
		req.EnvVersion = EnvRelease
	}
	page := req.Path
	switch req.Kind {
	case LinkScheme, LinkURL:
		if req.Path != "" && !validPagePath(req.Path) {
			return nil, fmt.Errorf("%w: %q, a page path without a leading / and without a query", ErrPath, req.Path)
		}
		if !validQuery(req.Query) {
			return nil, fmt.Errorf("%w: at most %d characters of 0-9 A-Z a-z %s", ErrQuery, MaxLinkQuery, queryAlphabet[62:])
		}
	case LinkShortLink:
		var q string
		page, q, _ = strings.Cut(req.Path, "?")
		if req.Path == "" || len(req.Path) > MaxLinkPageURL || !validPagePath(page) || !validQuery(q) {
			return nil, fmt.Errorf("%w: %q, a page of the released version, optionally with a query, at most %d characters", ErrPageURL, req.Path, MaxLinkPageURL)
		}
		req.Path, req.Query = page, q
		if utf8Len(req.Title) > MaxLinkTitle || !input.Storable(req.Title) || strings.ContainsAny(req.Title, "/\n\r") {
			return nil, fmt.Errorf("%w: at most %d characters, no / or line breaks", ErrTitle, MaxLinkTitle)
		}
	default:
		return nil, fmt.Errorf("unknown link kind %q", req.Kind)
	}
	// Links to the released version need one with the page; trial and
	// develop links open whatever those versions have.
	if req.EnvVersion == EnvRelease {
		pages, err := s.releases(ctx, appid)
		if err != nil {
			return nil, ErrNotPublished
		}
		if page != "" && !slices.Contains(pages, page) {
			if req.Kind == LinkShortLink {
				return nil, fmt.Errorf("%w: %q, not a page of the released version", ErrPageURL, page)
			}
			return nil, fmt.Errorf("%w: %q, not a page of the released version", ErrPath, page)
		}
	}
	now := s.now()
	expires, err := s.expiry(req, now)
	if err != nil {
		return nil, err
	}
	l := &Link{Ticket: random.Token(15), AppID: appid, Kind: req.Kind, Path: req.Path, Query: req.Query, EnvVersion: req.EnvVersion,
		Title: req.Title, CreatedAt: now.Unix(), ExpiresAt: expires}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if req.Kind == LinkShortLink && req.Permanent {
			if err := tx.Lock(ctx, "mp_links:permanent:"+appid); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM mp_links WHERE appid = ? AND kind = ? AND expires_at = 0", appid, LinkShortLink).Scan(&n); err != nil {
				return err
			}
			if n >= s.policy.PermanentShortLinks {
				return fmt.Errorf("%w: the app has %d", ErrPermanentCap, n)
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO mp_links(ticket, appid, kind, path, query, env_version, title, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, l.Ticket, appid, l.Kind, l.Path, l.Query, l.EnvVersion, l.Title, l.CreatedAt, l.ExpiresAt)
		return err
	})
	if err != nil {
		return nil, err
	}
	l.Text = LinkText(l, app.Name, baseURL)
	return l, nil
}

// LinkText is a link as WeChat hands it out.
func LinkText(l *Link, appName, baseURL string) string {
	switch l.Kind {
	case LinkScheme:
		return "weixin://dl/business/?t=" + l.Ticket
	case LinkURL:
		return strings.TrimRight(baseURL, "/") + "/wxaurl/" + l.Ticket
	}
	// WeChat's shape: #小程序://<name>/<title>/<ticket>, the title only
	// when there is one; names and titles cannot hold a slash here.
	name := strings.ReplaceAll(appName, "/", "")
	if title := []rune(l.Title); len(title) > 0 {
		// WeChat shows at most 20 characters of the title.
		if len(title) > 20 {
			title = append(title[:20], []rune("...")...)
		}
		return "#小程序://" + name + "/" + string(title) + "/" + l.Ticket
	}
	return "#小程序://" + name + "/" + l.Ticket
}

const linkColumns = "ticket, appid, kind, path, query, env_version, title, created_at, expires_at"

func scanLink(row interface{ Scan(...any) error }) (*Link, error) {
	var l Link
	err := row.Scan(&l.Ticket, &l.AppID, &l.Kind, &l.Path, &l.Query, &l.EnvVersion, &l.Title, &l.CreatedAt, &l.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrLinkNotFound
	}
	return &l, err
}

// LinkByTicket returns a ticket's link, expired or not; kind "" matches
// any kind. ErrLinkNotFound when there is none.
func (s *Service) LinkByTicket(ctx context.Context, kind, ticket string) (*Link, error) {
	if ticket == "" || len(ticket) > 64 || !input.Storable(ticket) {
		return nil, ErrLinkNotFound
	}
	l, err := scanLink(s.db.QueryRow(ctx, "SELECT "+linkColumns+" FROM mp_links WHERE ticket = ?", ticket))
	if err != nil {
		return nil, err
	}
	if kind != "" && l.Kind != kind {
		return nil, ErrLinkNotFound
	}
	return l, nil
}

// AppLink returns the app's own link (queryscheme, query_urllink): another
// app's ticket is not found.
func (s *Service) AppLink(ctx context.Context, appid, kind, ticket string) (*Link, error) {
	l, err := s.LinkByTicket(ctx, kind, ticket)
	if err != nil {
		return nil, err
	}
	if l.AppID != appid {
		return nil, ErrLinkNotFound
	}
	return l, nil
}

// OpenLink returns a live link: ErrLinkNotFound, or ErrLinkExpired past
// its time.
func (s *Service) OpenLink(ctx context.Context, kind, ticket string) (*Link, error) {
	l, err := s.LinkByTicket(ctx, kind, ticket)
	if err != nil {
		return nil, err
	}
	if l.ExpiresAt != 0 && l.ExpiresAt <= s.now().Unix() {
		return nil, ErrLinkExpired
	}
	return l, nil
}

// Sweep deletes links expired more than a day ago (a day in which opening
// one still says "expired" rather than "unknown").
func (s *Service) Sweep(ctx context.Context) error {
	_, err := s.db.Exec(ctx, "DELETE FROM mp_links WHERE expires_at > 0 AND expires_at < ?", s.now().Add(-24*time.Hour).Unix())
	return err
}
