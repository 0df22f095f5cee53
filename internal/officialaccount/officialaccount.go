// Package officialaccount is the official-account domain: followers and
// their tags, the conversation between a user and an account, what happens
// when a user acts (a message, a menu tap, a scan — recorded, then pushed to
// the developer server or answered by auto-reply), menus, QR codes, and the
// messages an account pushes (customer-service, template, mass).
package officialaccount

import (
	"errors"
	"time"

	"superapp/internal/account"
	"superapp/internal/callback"
	"superapp/internal/identity"
	"superapp/internal/live"
	"superapp/internal/store"
)

// Errors of this package. The wire layer maps them to WeChat's errcodes.
var (
	ErrNotOfficialAccount = errors.New("not an official account")
	ErrNotFollowing       = errors.New("the user does not follow this account")
	ErrBlacklisted        = errors.New("the user is on this account's blacklist")
	ErrOpenIDNotFound     = errors.New("openid not found for this account")
)

// Service is the official-account domain.
type Service struct {
	db       *store.DB
	ident    *identity.Service
	accounts *account.Service
	hub      *live.Hub
	policy   Policy
	// Dispatcher sends the callback outbox; nil until Start.
	dispatcher *callback.Dispatcher
	// massWake makes runMass look for new jobs at once.
	massWake chan struct{}
	now      func() time.Time
	// dev is dev mode: mini program links are not enforced unless the
	// policy says so (miniprograms.go).
	dev bool
}

// NewService builds the domain. dev relaxes the callback SSRF default
// (loopback and private targets allowed).
func NewService(db *store.DB, ident *identity.Service, accounts *account.Service, hub *live.Hub, policy Policy, dev bool) *Service {
	s := &Service{db: db, ident: ident, accounts: accounts, hub: hub, policy: policy, massWake: make(chan struct{}, 1), now: time.Now, dev: dev}
	s.dispatcher = callback.NewDispatcher(db, s, policy.Callbacks.Options(dev))
	return s
}

// Policy returns the limits in force.
func (s *Service) Policy() Policy { return s.policy }

// Hub is where the shell's pages hear about changes.
func (s *Service) Hub() *live.Hub { return s.hub }

// Dispatcher is the callback sender.
func (s *Service) Dispatcher() *callback.Dispatcher { return s.dispatcher }
