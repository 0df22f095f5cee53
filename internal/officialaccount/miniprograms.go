package officialaccount

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"superapp/internal/account"
	"superapp/internal/input"
	"superapp/internal/store"
)

// An official account's associated mini programs (关联小程序,
// platform-rules §3.6). WeChat needs both admins to agree; here the
// account's own call (wxamplink, or the operator) stands for the account's
// admin, and the mini program's admin is the operator confirming
// (`superapp oa mplink confirm`). When both apps belong to the same subject
// the same people administer both, so such a link is confirmed at once.

// Link statuses, WeChat's (wxamplinkget's items[].status). WeChat's 12
// (waiting for the account's admin) never occurs: the account asks.
const (
	LinkLinked  = 1
	LinkPending = 2
	LinkRefused = 3
)

// MiniProgramLinkPolicy holds the association limits, WeChat's by default.
type MiniProgramLinkPolicy struct {
	// SameSubject and OtherSubject cap an account's links (pending ones
	// included) to mini programs of its own subject and of others.
	SameSubject  int `json:"same_subject"`
	OtherSubject int `json:"other_subject"`
	// PerMonth caps the new links an account asks for per calendar month
	// (Beijing time); removing a link does not give one back.
	PerMonth int `json:"per_month"`
	// AccountsPerMiniProgram caps the accounts one mini program is linked
	// to (WeChat's has grown from 1 to 500; configurable).
	AccountsPerMiniProgram int `json:"accounts_per_miniprogram"`
	// Enforce makes menus' miniprogram buttons and template messages'
	// miniprogram jumps require a confirmed link, as WeChat does. Unset: on,
	// except in dev mode, where a developer tries a menu without an
	// operator at hand.
	Enforce *bool `json:"enforce"`
}

// DefaultMiniProgramLinkPolicy is WeChat's: 10 same-subject + 3 other-subject
// mini programs, 13 new links a month, 500 accounts per mini program.
func DefaultMiniProgramLinkPolicy() MiniProgramLinkPolicy {
	return MiniProgramLinkPolicy{SameSubject: 10, OtherSubject: 3, PerMonth: 13, AccountsPerMiniProgram: 500}
}

// Errors of the association. Limits come as *LinkLimitError wrapping one of
// the ErrLinkLimit* sentinels.
var (
	ErrNotMiniProgram        = errors.New("not a mini program of this server")
	ErrMiniProgramLinked     = errors.New("the mini program is already linked")
	ErrMiniProgramLinkWait   = errors.New("the link already waits for the mini program's admin")
	ErrMiniProgramNotLinked  = errors.New("the mini program is not linked to this account")
	ErrMiniProgramLinkState  = errors.New("the link does not wait for confirmation")
	ErrLinkLimitSameSubject  = errors.New("reach same-subject link limit")
	ErrLinkLimitOtherSubject = errors.New("reach different realname limit")
	ErrLinkLimitMonth        = errors.New("reach monthly link limit")
	ErrLinkLimitMiniProgram  = errors.New("reach the mini program's account limit")
)

// LinkLimitError is a link a policy limit refuses; Error names the limit
// and its policy key.
type LinkLimitError struct {
	Limit error
	Msg   string
}

func (e *LinkLimitError) Error() string { return e.Limit.Error() + ": " + e.Msg }
func (e *LinkLimitError) Unwrap() error { return e.Limit }

// MPLink is one association as both sides see it.
type MPLink struct {
	OAAppID      string `json:"oa_appid"`
	OAName       string `json:"oa_name"`
	AppID        string `json:"appid"`
	Name         string `json:"name"`
	OriginalID   string `json:"original_id"`
	Status       int    `json:"status"`
	SameSubject  bool   `json:"same_subject"`
	ShowProfile  bool   `json:"show_profile"`
	NotifyUsers  bool   `json:"notify_users"`
	CreatedAt    int64  `json:"created_at"`
	UpdatedAt    int64  `json:"updated_at"`
	StatusString string `json:"status_name"`
}

func statusName(s int) string {
	switch s {
	case LinkLinked:
		return "linked"
	case LinkPending:
		return "pending"
	case LinkRefused:
		return "refused"
	}
	return "unknown"
}

// linksEnforced says whether menus and templates need linked mini programs.
func (s *Service) linksEnforced() bool {
	if p := s.policy.MiniProgramLinks.Enforce; p != nil {
		return *p
	}
	return !s.dev
}

// miniProgram returns appid if it is a mini program of this server.
func (s *Service) miniProgram(ctx context.Context, appid string) (*account.App, error) {
	if appid == "" || !input.Storable(appid) {
		return nil, fmt.Errorf("%w: %q", ErrNotMiniProgram, appid)
	}
	app, err := s.accounts.App(ctx, appid)
	if errors.Is(err, account.ErrAppNotFound) || (err == nil && app.Kind != account.MiniProgram) {
		return nil, fmt.Errorf("%w: %q", ErrNotMiniProgram, appid)
	}
	return app, err
}

// LinkMiniProgram asks to link mpAppID to the account oaAppID: linked at
// once within one subject, pending the mini program's admin otherwise. A
// refused link may be asked for again.
func (s *Service) LinkMiniProgram(ctx context.Context, oaAppID, mpAppID string, showProfile, notifyUsers bool) (*MPLink, error) {
	oa, err := s.officialAccount(ctx, oaAppID)
	if err != nil {
		return nil, err
	}
	mp, err := s.miniProgram(ctx, mpAppID)
	if err != nil {
		return nil, err
	}
	same := oa.SubjectID == mp.SubjectID
	p := s.policy.MiniProgramLinks
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		// Account first, then mini program: every writer takes them in
		// this order, so two links never wait on each other.
		if err := tx.Lock(ctx, "oa_mp_links:"+oa.AppID); err != nil {
			return err
		}
		if err := tx.Lock(ctx, "oa_mp_links_mp:"+mp.AppID); err != nil {
			return err
		}
		var status int
		err := tx.QueryRow(ctx, "SELECT status FROM oa_mp_links WHERE oa_appid = ? AND mp_appid = ?", oa.AppID, mp.AppID).Scan(&status)
		switch {
		case err == nil && status == LinkLinked:
			return fmt.Errorf("%w: %s", ErrMiniProgramLinked, mp.AppID)
		case err == nil && status == LinkPending:
			return fmt.Errorf("%w: %s", ErrMiniProgramLinkWait, mp.AppID)
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return err
		}
		var sameCount, otherCount int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(SUM(same_subject), 0), COUNT(*) - COALESCE(SUM(same_subject), 0)
			FROM oa_mp_links WHERE oa_appid = ? AND status IN (?, ?)`, oa.AppID, LinkLinked, LinkPending).Scan(&sameCount, &otherCount); err != nil {
			return err
		}
		if same && sameCount >= p.SameSubject {
			return &LinkLimitError{ErrLinkLimitSameSubject, fmt.Sprintf("account %s already links %d mini programs of its own subject; the limit is %d (policy official_accounts.miniprogram_links.same_subject)", oa.AppID, sameCount, p.SameSubject)}
		}
		if !same && otherCount >= p.OtherSubject {
			return &LinkLimitError{ErrLinkLimitOtherSubject, fmt.Sprintf("account %s already links %d mini programs of other subjects; the limit is %d (policy official_accounts.miniprogram_links.other_subject)", oa.AppID, otherCount, p.OtherSubject)}
		}
		now := s.now()
		t := now.In(cst)
		monthStart := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, cst).Unix()
		var month int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM oa_mp_link_starts WHERE oa_appid = ? AND started_at >= ?", oa.AppID, monthStart).Scan(&month); err != nil {
			return err
		}
		if month >= p.PerMonth {
			return &LinkLimitError{ErrLinkLimitMonth, fmt.Sprintf("account %s asked for %d new links this month; the limit is %d (policy official_accounts.miniprogram_links.per_month)", oa.AppID, month, p.PerMonth)}
		}
		var accounts int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM oa_mp_links WHERE mp_appid = ? AND status IN (?, ?)", mp.AppID, LinkLinked, LinkPending).Scan(&accounts); err != nil {
			return err
		}
		if accounts >= p.AccountsPerMiniProgram {
			return &LinkLimitError{ErrLinkLimitMiniProgram, fmt.Sprintf("mini program %s is already linked to %d accounts; the limit is %d (policy official_accounts.miniprogram_links.accounts_per_miniprogram)", mp.AppID, accounts, p.AccountsPerMiniProgram)}
		}
		status = LinkPending
		if same {
			status = LinkLinked
		}
		// A refused link is replaced by the new request.
		if _, err := tx.Exec(ctx, "DELETE FROM oa_mp_links WHERE oa_appid = ? AND mp_appid = ?", oa.AppID, mp.AppID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO oa_mp_links (oa_appid, mp_appid, status, same_subject, show_profile, notify_users, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, oa.AppID, mp.AppID, status, b2i(same), b2i(showProfile), b2i(notifyUsers), now.Unix(), now.Unix()); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "INSERT INTO oa_mp_link_starts (oa_appid, mp_appid, started_at) VALUES (?, ?, ?)", oa.AppID, mp.AppID, now.Unix())
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.mpLink(ctx, oa.AppID, mp.AppID)
}

// ConfirmMiniProgramLink is the mini program's admin agreeing to a pending
// link.
func (s *Service) ConfirmMiniProgramLink(ctx context.Context, oaAppID, mpAppID string) (*MPLink, error) {
	return s.answerLink(ctx, oaAppID, mpAppID, LinkLinked)
}

// RefuseMiniProgramLink is the mini program's admin refusing a pending
// link; it stays listed with status 3 until removed or asked for again.
func (s *Service) RefuseMiniProgramLink(ctx context.Context, oaAppID, mpAppID string) (*MPLink, error) {
	return s.answerLink(ctx, oaAppID, mpAppID, LinkRefused)
}

func (s *Service) answerLink(ctx context.Context, oaAppID, mpAppID string, to int) (*MPLink, error) {
	l, err := s.mpLink(ctx, oaAppID, mpAppID)
	if err != nil {
		return nil, err
	}
	res, err := s.db.Exec(ctx, "UPDATE oa_mp_links SET status = ?, updated_at = ? WHERE oa_appid = ? AND mp_appid = ? AND status = ?",
		to, s.now().Unix(), l.OAAppID, l.AppID, LinkPending)
	if err != nil {
		return nil, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err == nil {
			err = fmt.Errorf("%w: the link of %s to %s is %s", ErrMiniProgramLinkState, l.AppID, l.OAAppID, l.StatusString)
		}
		return nil, err
	}
	return s.mpLink(ctx, oaAppID, mpAppID)
}

// UnlinkMiniProgram removes a link in any state.
func (s *Service) UnlinkMiniProgram(ctx context.Context, oaAppID, mpAppID string) error {
	if _, err := s.officialAccount(ctx, oaAppID); err != nil {
		return err
	}
	if _, err := s.miniProgram(ctx, mpAppID); err != nil {
		return err
	}
	res, err := s.db.Exec(ctx, "DELETE FROM oa_mp_links WHERE oa_appid = ? AND mp_appid = ?", oaAppID, mpAppID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err == nil {
			err = fmt.Errorf("%w: %s", ErrMiniProgramNotLinked, mpAppID)
		}
		return err
	}
	return nil
}

const mpLinkSelect = `SELECT l.oa_appid, oa.name, l.mp_appid, mp.name, mp.original_id, l.status, l.same_subject, l.show_profile, l.notify_users, l.created_at, l.updated_at
	FROM oa_mp_links l JOIN apps oa ON oa.appid = l.oa_appid JOIN apps mp ON mp.appid = l.mp_appid `

func scanMPLinks(rows *sql.Rows) ([]MPLink, error) {
	defer rows.Close()
	out := []MPLink{}
	for rows.Next() {
		var l MPLink
		var same, show, notify int
		if err := rows.Scan(&l.OAAppID, &l.OAName, &l.AppID, &l.Name, &l.OriginalID, &l.Status, &same, &show, &notify, &l.CreatedAt, &l.UpdatedAt); err != nil {
			return nil, err
		}
		l.SameSubject, l.ShowProfile, l.NotifyUsers = same != 0, show != 0, notify != 0
		l.StatusString = statusName(l.Status)
		out = append(out, l)
	}
	return out, rows.Err()
}

func (s *Service) mpLink(ctx context.Context, oaAppID, mpAppID string) (*MPLink, error) {
	rows, err := s.db.Query(ctx, mpLinkSelect+"WHERE l.oa_appid = ? AND l.mp_appid = ?", oaAppID, mpAppID)
	if err != nil {
		return nil, err
	}
	list, err := scanMPLinks(rows)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrMiniProgramNotLinked, mpAppID)
	}
	return &list[0], nil
}

// LinkedMiniPrograms lists the account's links in every state, oldest
// first.
func (s *Service) LinkedMiniPrograms(ctx context.Context, oaAppID string) ([]MPLink, error) {
	if _, err := s.officialAccount(ctx, oaAppID); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, mpLinkSelect+"WHERE l.oa_appid = ? ORDER BY l.created_at, l.mp_appid", oaAppID)
	if err != nil {
		return nil, err
	}
	return scanMPLinks(rows)
}

// MiniProgramAccounts lists the accounts linked (or asking) to mpAppID:
// what the mini program's admin sees.
func (s *Service) MiniProgramAccounts(ctx context.Context, mpAppID string) ([]MPLink, error) {
	if _, err := s.miniProgram(ctx, mpAppID); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, mpLinkSelect+"WHERE l.mp_appid = ? ORDER BY l.created_at, l.oa_appid", mpAppID)
	if err != nil {
		return nil, err
	}
	return scanMPLinks(rows)
}

// ProfileMiniPrograms are the mini programs an account's profile shows to
// users: confirmed links with show_profile.
func (s *Service) ProfileMiniPrograms(ctx context.Context, oaAppID string) ([]MPLink, error) {
	if _, err := s.officialAccount(ctx, oaAppID); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, mpLinkSelect+"WHERE l.oa_appid = ? AND l.status = ? AND l.show_profile = 1 ORDER BY l.created_at, l.mp_appid", oaAppID, LinkLinked)
	if err != nil {
		return nil, err
	}
	return scanMPLinks(rows)
}

// requireLinked fails with ErrMiniProgramNotLinked unless mpAppID is a
// confirmed link of the account (when the policy enforces links).
func (s *Service) requireLinked(ctx context.Context, oaAppID, mpAppID string) error {
	if !s.linksEnforced() {
		return nil
	}
	var n int
	if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM oa_mp_links WHERE oa_appid = ? AND mp_appid = ? AND status = ?", oaAppID, mpAppID, LinkLinked).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%w: %s (link it with /cgi-bin/wxopen/wxamplink first)", ErrMiniProgramNotLinked, mpAppID)
	}
	return nil
}

// checkMenuLinks refuses a menu whose miniprogram buttons open mini
// programs the account has not linked. WeChat answers 45064 for both an
// unknown and an unlinked mini program, so this is ProblemMiniProgram too.
func (s *Service) checkMenuLinks(ctx context.Context, oaAppID string, buttons []Button) error {
	check := func(b Button, sub bool, field string) error {
		if b.Type != "miniprogram" {
			return nil
		}
		err := s.requireLinked(ctx, oaAppID, b.AppID)
		if errors.Is(err, ErrMiniProgramNotLinked) {
			return menuErr(ProblemMiniProgram, sub, field+".appid", "mini program %s is not linked to this account (link it with /cgi-bin/wxopen/wxamplink first)", b.AppID)
		}
		return err
	}
	for i, b := range buttons {
		field := fmt.Sprintf("button[%d]", i)
		if err := check(b, false, field); err != nil {
			return err
		}
		for j, sb := range b.SubButtons {
			if err := check(sb, true, fmt.Sprintf("%s.sub_button[%d]", field, j)); err != nil {
				return err
			}
		}
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
