// Package wxacode owns mini program codes (WeChat's A, B and C codes) and
// links (URL scheme, URL link, short link): their rules, the lifetime cap
// of A+C codes, the link tickets, and how the shell turns a code or a link
// back into a launch (docs/miniprogram-platform.md, "Codes and links").
package wxacode

import (
	"context"
	"errors"
	"sync"
	"time"

	"superapp/internal/account"
	"superapp/internal/release"
	"superapp/internal/store"
)

// Policy is the per-deployment rule set; DefaultPolicy is WeChat's.
type Policy struct {
	// CodeLifetimeCap is how many distinct getwxacode + createwxaqrcode
	// codes an app may ever make (identical parameters count once).
	CodeLifetimeCap int `json:"code_lifetime_cap"`
	// LinkMaxDays is the longest a scheme, URL link or temporary short
	// link lives, and the lifetime of one created without an expiry.
	LinkMaxDays int `json:"link_max_days"`
	// PermanentShortLinks is how many permanent short links an app may make.
	PermanentShortLinks int `json:"permanent_short_links"`
	// UnlimitedPerMinute is how many getwxacodeunlimit codes an app may make
	// a minute (counted per server); 0 is no limit.
	UnlimitedPerMinute int `json:"unlimited_per_minute"`
}

// DefaultPolicy is WeChat's (platform-rules §3.9, wechat-api §4.3–§4.4).
func DefaultPolicy() Policy {
	return Policy{CodeLifetimeCap: 100_000, LinkMaxDays: 30, PermanentShortLinks: 100_000, UnlimitedPerMinute: 5000}
}

// Scenes are WeChat's scene values for the ways a code or link opens a
// mini program (platform-rules §3.10; 1179 from WeChat's short link guide).
const (
	SceneScanCode      = 1047 // camera scan of a mini program code
	SceneLongPressCode = 1048 // long-press an image holding one
	SceneAlbumCode     = 1049 // picked from the album
	SceneURLScheme     = 1065
	SceneShortLink     = 1179
	SceneURLLink       = 1194
)

// Environments a code or link may open (env_version).
const (
	EnvRelease = "release"
	EnvTrial   = "trial"
	EnvDevelop = "develop"
)

// Errors. The wire layer maps them to WeChat's errcodes
// (internal/wire/mp_codes.go); the shell to pages.
var (
	ErrPath           = errors.New("invalid path")                             // 40159 (codes), 40165 (links)
	ErrScene          = errors.New("invalid scene")                            // 40169
	ErrPage           = errors.New("invalid page")                             // 41030
	ErrWidth          = errors.New("invalid width")                            // 40189
	ErrEnvVersion     = errors.New("invalid env_version")                      // 40097
	ErrCodeLimit      = errors.New("code count out of limit")                  // 45029
	ErrCodeRate       = errors.New("too many codes this minute")               // 45009
	ErrNotPublished   = errors.New("the mini program has no released version") // 85079
	ErrQuery          = errors.New("invalid query")                            // 40212
	ErrExpire         = errors.New("invalid expiry")                           // 85401
	ErrPageURL        = errors.New("invalid page_url")                         // 40066
	ErrTitle          = errors.New("invalid page_title")                       // 40225
	ErrPermanentCap   = errors.New("permanent short links out of limit")       // 85400
	ErrLinkNotFound   = errors.New("no such link")
	ErrLinkExpired    = errors.New("this link has expired")
	ErrNotMiniProgram = errors.New("not a mini program")
)

// Releases tells which pages the app's online version has; ErrNotPublished
// when it has none.
type Releases func(ctx context.Context, appid string) ([]string, error)

// ReleasePages adapts the release service: the online version's pages.
func ReleasePages(r *release.Service) Releases {
	return func(ctx context.Context, appid string) ([]string, error) {
		st, err := r.State(ctx, appid)
		if err != nil || st == nil || st.Online == nil {
			return nil, ErrNotPublished
		}
		return st.Online.Pages, nil
	}
}

// Service is codes and links over one database.
type Service struct {
	db       *store.DB
	accounts *account.Service
	releases Releases
	policy   Policy
	now      func() time.Time

	// unlimited counts each app's getwxacodeunlimit codes in the current minute.
	rateMu    sync.Mutex
	rateMin   int64
	unlimited map[string]int
}

// NewService returns the service.
func NewService(db *store.DB, accounts *account.Service, releases Releases, policy Policy) *Service {
	return &Service{db: db, accounts: accounts, releases: releases, policy: policy, now: time.Now}
}

// Policy returns the rules in force.
func (s *Service) Policy() Policy { return s.policy }

// SetPolicy replaces the rules (tests reach a limit with a small policy).
func (s *Service) SetPolicy(p Policy) { s.policy = p }

// miniProgram returns appid's app if it is a mini program.
func (s *Service) miniProgram(ctx context.Context, appid string) (*account.App, error) {
	app, err := s.accounts.App(ctx, appid)
	if err != nil {
		return nil, err
	}
	if app.Kind != account.MiniProgram {
		return nil, ErrNotMiniProgram
	}
	return app, nil
}

// SetReleases replaces how the online version's pages are found (tests
// stand in for a released version).
func (s *Service) SetReleases(r Releases) { s.releases = r }
