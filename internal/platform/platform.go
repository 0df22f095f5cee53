// Package platform assembles the domain services over one database. The wire
// layer, the admin and simulation APIs and the shell all act through it.
package platform

import (
	"context"
	"log/slog"
	"superapp/internal/proxy"
	"time"

	"superapp/internal/accesstoken"
	"superapp/internal/account"
	"superapp/internal/identity"
	"superapp/internal/live"
	"superapp/internal/login"
	"superapp/internal/miniprogram/host"
	"superapp/internal/nearby"
	"superapp/internal/oauth"
	"superapp/internal/officialaccount"
	"superapp/internal/quota"
	"superapp/internal/release"
	"superapp/internal/store"
	"superapp/internal/subscribemsg"
	"superapp/internal/wxacode"
)

// Options configure the platform.
type Options struct {
	Store         store.Config
	AccountPolicy account.Policy
	QuotaPolicy   quota.Policy
	OAPolicy      officialaccount.Policy
	ReleasePolicy release.Policy
	CodePolicy    wxacode.Policy
	SubMsgPolicy  subscribemsg.Policy
	NearbyPolicy  nearby.Policy
	// Dev relaxes rules meant for production that get in a developer's way:
	// OAuth redirects to any host when an app lists no OAuth domains, and the
	// shell's one-click test user.
	Dev bool
	// BehindProxy says every request arrives through the deployment's own
	// reverse proxy, whose X-Forwarded-For and X-Forwarded-Proto entries are
	// then believed (see internal/proxy).
	BehindProxy proxy.Trust
}

// DefaultOptions are WeChat's policies on embedded SQLite in dataDir.
func DefaultOptions(dataDir string) Options {
	return Options{
		Store:         store.Config{DataDir: dataDir},
		AccountPolicy: account.DefaultPolicy(),
		QuotaPolicy:   quota.DefaultPolicy(),
		OAPolicy:      officialaccount.DefaultPolicy(),
		ReleasePolicy: release.DefaultPolicy(),
		CodePolicy:    wxacode.DefaultPolicy(),
		SubMsgPolicy:  subscribemsg.DefaultPolicy(),
		NearbyPolicy:  nearby.DefaultPolicy(),
	}
}

// Platform is every domain service.
type Platform struct {
	Options  Options
	DB       *store.DB
	Accounts *account.Service
	Identity *identity.Service
	Tokens   *accesstoken.Service
	Quota    *quota.Counter
	Login    *login.Service
	OAuth    *oauth.Service
	// Live tells the shell's open pages about changes.
	Live *live.Hub
	OA   *officialaccount.Service
	// MiniPrograms stores mini program packages and builds.
	MiniPrograms *host.Registry
	// Releases holds mini program versions: uploads, trial, audits, online,
	// gray plans, rollback, and which version a launch gets.
	Releases *release.Service
	// Codes makes mini program codes and links and opens them.
	Codes *wxacode.Service
	// Subscribe is subscribe messages: templates, consent credits, sends,
	// the users' service-notification inboxes.
	Subscribe *subscribemsg.Service
	// Nearby is the mini programs' POIs and the nearby list's index.
	Nearby *nearby.Service
}

// Open connects to the database, migrates it and builds the services.
func Open(ctx context.Context, opts Options) (*Platform, error) {
	db, err := store.Open(ctx, opts.Store)
	if err != nil {
		return nil, err
	}
	ident, err := identity.NewService(ctx, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	accounts := account.NewService(db, opts.AccountPolicy)
	hub := live.NewHub()
	registry := host.NewRegistry(db, accounts)
	p := &Platform{
		Options:  opts,
		DB:       db,
		Accounts: accounts,
		Identity: ident,
		Live:     hub,
		OA:       officialaccount.NewService(db, ident, accounts, hub, opts.OAPolicy, opts.Dev),
		Tokens:   accesstoken.NewService(db),
		Quota:    quota.New(db, opts.QuotaPolicy),
		Login:    login.NewService(db, ident),
		OAuth:    oauth.NewService(db, ident),

		MiniPrograms: registry,
		Releases:     release.NewService(db, opts.ReleasePolicy, sourceReviewer{accounts: accounts, files: registry}, nil),
	}
	p.Releases.SetEvents(release.NewCallbackEvents(db, accounts, p.OA.Dispatcher().Wake))
	p.MiniPrograms.SetResolver(p.Releases, ident.OpenID)
	p.Codes = wxacode.NewService(db, accounts, wxacode.ReleasePages(p.Releases), opts.CodePolicy)
	p.Subscribe = subscribemsg.NewService(db, ident, hub, subscribemsg.ReleasePages(p.Releases), opts.SubMsgPolicy)
	if p.Nearby, err = nearby.NewService(ctx, db, accounts, opts.NearbyPolicy); err != nil {
		db.Close()
		return nil, err
	}
	return p, nil
}

// RunBackground flushes quota counters, sends callbacks, fans out mass
// sends and sweeps expired credentials until ctx ends.
func (p *Platform) RunBackground(ctx context.Context) {
	go p.Quota.Run(ctx, time.Second)
	go p.OA.Run(ctx)
	go p.Releases.Run(ctx)
	go p.Nearby.Run(ctx)
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		p.sweep(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (p *Platform) sweep(ctx context.Context) {
	for name, sweep := range map[string]func(context.Context) error{
		"access tokens": p.Tokens.Sweep, "login codes": p.Login.Sweep, "oauth": p.OAuth.Sweep, "shell sessions": p.Identity.Sweep,
		"official accounts":   p.OA.Sweep,
		"mini program links":  p.Codes.Sweep,
		"settled callbacks":   p.OA.Dispatcher().Sweep,
		"deleted nearby pois": p.Nearby.Sweep,
	} {
		if err := sweep(ctx); err != nil && ctx.Err() == nil {
			slog.Warn("sweep expired rows", "what", name, "err", err)
		}
	}
}

// Close flushes counters and closes the database.
func (p *Platform) Close() error {
	p.Quota.Flush(context.Background())
	return p.DB.Close()
}
