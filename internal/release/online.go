package release

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"superapp/internal/input"
	"superapp/internal/store"
)

// How a version went online (HistoryEntry.How).
const (
	HowRelease  = "release"
	HowGrayFull = "gray-full"
	HowRollback = "rollback"
)

// Limits of named gray users.
const (
	MaxNamedOpenIDs = 10000
	maxOpenIDLen    = 128
)

func (s *Service) historyKept() int {
	if s.policy.HistoryKept > 0 {
		return s.policy.HistoryKept
	}
	return 5
}

// releasable is an approved audit whose version may go online.
type releasable struct {
	auditID   int64
	versionID int64
	ext       string
}

// releasableTx finds the newest approved audit not yet released and newer
// than every released one (an older approval is superseded), or says why
// there is none.
func releasableTx(ctx context.Context, tx *store.Tx, appid string) (*releasable, error) {
	var r releasable
	err := tx.QueryRow(ctx, `SELECT id, version_id, ext_json FROM mp_audits WHERE appid = ? AND status = ? AND released = 0
		AND id > (SELECT COALESCE(MAX(id), 0) FROM mp_audits WHERE appid = ? AND released = 1)
		ORDER BY id DESC LIMIT 1`, appid, AuditApproved, appid).Scan(&r.auditID, &r.versionID, &r.ext)
	if err == nil {
		return &r, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	var status AuditStatus
	var released int
	err = tx.QueryRow(ctx, "SELECT status, released FROM mp_audits WHERE appid = ? AND status <> ? ORDER BY id DESC LIMIT 1",
		appid, AuditWithdrawn).Scan(&status, &released)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, ErrNoAudit
	case err != nil:
		return nil, err
	case status == AuditApproved:
		return nil, ErrAlreadyReleased
	default:
		return nil, fmt.Errorf("%w (the latest audit has status %d)", ErrNotApproved, status)
	}
}

// goOnlineTx makes versionID the online version and records it in the
// history (pruned to what rollback may use).
func (s *Service) goOnlineTx(ctx context.Context, tx *store.Tx, appid string, st *appState, versionID int64, ext, how string, auditID int64) error {
	st.onlineVersion, st.onlineExt = versionID, ext
	if _, err := tx.Exec(ctx, "INSERT INTO mp_release_history(appid, version_id, ext_json, released_at, how) VALUES (?, ?, ?, ?, ?)",
		appid, versionID, ext, s.now().Unix(), how); err != nil {
		return err
	}
	if auditID != 0 {
		if _, err := tx.Exec(ctx, "UPDATE mp_audits SET released = 1 WHERE id = ?", auditID); err != nil {
			return err
		}
	}
	var cutoff int64
	err := tx.QueryRow(ctx, "SELECT id FROM mp_release_history WHERE appid = ? ORDER BY id DESC LIMIT 1 OFFSET ?", appid, s.historyKept()).Scan(&cutoff)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, "DELETE FROM mp_release_history WHERE appid = ? AND id <= ?", appid, cutoff)
	return err
}

const grayColumns = "status, audit_id, version_id, percentage, experiencer_first, debugger_first, named_openids, created_at"

type grayRow struct {
	GrayPlan
	auditID int64
}

func scanGray(row scanner) (*grayRow, error) {
	var g grayRow
	var exp, dbg int
	var named string
	if err := row.Scan(&g.Status, &g.auditID, &g.VersionID, &g.Percentage, &exp, &dbg, &named, &g.CreatedAt); err != nil {
		return nil, err
	}
	g.ExperiencerFirst, g.DebuggerFirst = exp != 0, dbg != 0
	if err := json.Unmarshal([]byte(named), &g.NamedOpenIDs); err != nil || g.NamedOpenIDs == nil {
		g.NamedOpenIDs = []string{}
	}
	return &g, nil
}

// runningGrayTx returns the app's running plan, nil when none runs.
func runningGrayTx(ctx context.Context, q queryer, appid string) (*grayRow, error) {
	g, err := scanGray(q.QueryRow(ctx, "SELECT "+grayColumns+" FROM mp_gray_plans WHERE appid = ? AND status = ?", appid, GrayRunning))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return g, err
}

// Release puts the newest approved version online for everyone. Refused
// while a gray plan runs.
func (s *Service) Release(ctx context.Context, appid string) (*Version, error) {
	var v *Version
	err := s.change(ctx, appid, func(tx *store.Tx, st *appState) error {
		g, err := runningGrayTx(ctx, tx, appid)
		if err != nil {
			return err
		}
		if g != nil {
			return fmt.Errorf("%w (version %d at %d%%): finish it with grayrelease 100 or revert it", ErrGrayInProgress, g.VersionID, g.Percentage)
		}
		r, err := releasableTx(ctx, tx, appid)
		if err != nil {
			return err
		}
		if v, err = versionTx(ctx, tx, appid, r.versionID); err != nil {
			return err
		}
		return s.goOnlineTx(ctx, tx, appid, st, r.versionID, r.ext, HowRelease, r.auditID)
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

func checkNamed(ids []string) error {
	if len(ids) > MaxNamedOpenIDs {
		return badInput("named_openids", "has %d entries; at most %d are allowed", len(ids), MaxNamedOpenIDs)
	}
	for _, id := range ids {
		if id == "" || len(id) > maxOpenIDLen || !input.Storable(id) {
			return badInput("named_openids", "holds %q, which is not an OpenID", id)
		}
	}
	return nil
}

// Gray starts or widens a gray release of the newest approved version:
// percentage 0–100, only increasing (equal only to add named users or a
// members-first flag), 0 only with a members-first flag; at 100 the
// version goes online for everyone and the plan is done.
func (s *Service) Gray(ctx context.Context, appid string, in GrayInput) (*GrayPlan, error) {
	if in.Percentage < 0 || in.Percentage > 100 {
		return nil, fmt.Errorf("%w: gray_percentage %d is outside 0–100", ErrBadPercentage, in.Percentage)
	}
	if in.Percentage == 0 && !in.ExperiencerFirst && !in.DebuggerFirst {
		return nil, fmt.Errorf("%w: gray_percentage 0 needs support_experiencer_first or support_debuger_first", ErrBadPercentage)
	}
	if err := checkNamed(in.NamedOpenIDs); err != nil {
		return nil, err
	}
	var out *GrayPlan
	err := s.change(ctx, appid, func(tx *store.Tx, st *appState) error {
		g, err := runningGrayTx(ctx, tx, appid)
		if err != nil {
			return err
		}
		if g == nil {
			r, err := releasableTx(ctx, tx, appid)
			if err != nil {
				return err
			}
			if st.onlineVersion == 0 {
				return ErrNoOnline
			}
			g = &grayRow{GrayPlan: GrayPlan{Status: GrayRunning, VersionID: r.versionID, Percentage: in.Percentage,
				ExperiencerFirst: in.ExperiencerFirst, DebuggerFirst: in.DebuggerFirst, NamedOpenIDs: []string{}, CreatedAt: s.now().Unix()}, auditID: r.auditID}
		} else {
			widened := in.Percentage > g.Percentage || (in.ExperiencerFirst && !g.ExperiencerFirst) || (in.DebuggerFirst && !g.DebuggerFirst)
			known := make(map[string]bool, len(g.NamedOpenIDs))
			for _, id := range g.NamedOpenIDs {
				known[id] = true
			}
			for _, id := range in.NamedOpenIDs {
				if !known[id] {
					widened = true
				}
			}
			if in.Percentage < g.Percentage || !widened {
				return fmt.Errorf("%w: the plan is at %d%%", ErrPercentageNotHigher, g.Percentage)
			}
			g.Percentage = in.Percentage
			// Members once included stay included: a plan only widens.
			g.ExperiencerFirst = g.ExperiencerFirst || in.ExperiencerFirst
			g.DebuggerFirst = g.DebuggerFirst || in.DebuggerFirst
		}
		seen := make(map[string]bool, len(g.NamedOpenIDs)+len(in.NamedOpenIDs))
		named := make([]string, 0, len(g.NamedOpenIDs)+len(in.NamedOpenIDs))
		for _, id := range append(g.NamedOpenIDs, in.NamedOpenIDs...) {
			if !seen[id] {
				seen[id] = true
				named = append(named, id)
			}
		}
		if len(named) > MaxNamedOpenIDs {
			return badInput("named_openids", "would make %d named users; at most %d are allowed", len(named), MaxNamedOpenIDs)
		}
		g.NamedOpenIDs = named
		if g.Percentage == 100 {
			// Everyone: the plan is a full release.
			g.Status = GrayDone
			var ext string
			if err := tx.QueryRow(ctx, "SELECT ext_json FROM mp_audits WHERE id = ?", g.auditID).Scan(&ext); err != nil {
				return err
			}
			if err := s.goOnlineTx(ctx, tx, appid, st, g.VersionID, ext, HowGrayFull, g.auditID); err != nil {
				return err
			}
		}
		namedJSON, _ := json.Marshal(g.NamedOpenIDs)
		if _, err := tx.Exec(ctx, `INSERT INTO mp_gray_plans(appid, status, audit_id, version_id, percentage, experiencer_first, debugger_first, named_openids, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (appid) DO UPDATE SET status = excluded.status, audit_id = excluded.audit_id, version_id = excluded.version_id,
				percentage = excluded.percentage, experiencer_first = excluded.experiencer_first, debugger_first = excluded.debugger_first,
				named_openids = excluded.named_openids, created_at = excluded.created_at`,
			appid, g.Status, g.auditID, g.VersionID, g.Percentage, boolInt(g.ExperiencerFirst), boolInt(g.DebuggerFirst), string(namedJSON), g.CreatedAt); err != nil {
			return err
		}
		plan := g.GrayPlan
		out = &plan
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GrayPlan returns the app's current or last gray plan.
func (s *Service) GrayPlan(ctx context.Context, appid string) (*GrayPlan, error) {
	g, err := scanGray(s.db.QueryRow(ctx, "SELECT "+grayColumns+" FROM mp_gray_plans WHERE appid = ?", appid))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoGrayPlan
	}
	if err != nil {
		return nil, err
	}
	return &g.GrayPlan, nil
}

// RevertGray ends the running gray plan: everyone gets the online version.
func (s *Service) RevertGray(ctx context.Context, appid string) error {
	return s.change(ctx, appid, func(tx *store.Tx, _ *appState) error {
		res, err := tx.Exec(ctx, "UPDATE mp_gray_plans SET status = ? WHERE appid = ? AND status = ?", GrayDeleted, appid, GrayRunning)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNoGrayPlan
		}
		return nil
	})
}

// Rollback returns to appVersion (0: the previous online version), one of
// the last Policy.HistoryKept released; not twice in a row, not while a
// gray plan runs.
func (s *Service) Rollback(ctx context.Context, appid string, appVersion int64) (*Version, error) {
	var v *Version
	err := s.change(ctx, appid, func(tx *store.Tx, st *appState) error {
		g, err := runningGrayTx(ctx, tx, appid)
		if err != nil {
			return err
		}
		if g != nil {
			return fmt.Errorf("%w: revert it or finish it first", ErrGrayInProgress)
		}
		hist, err := s.historyRows(ctx, tx, appid)
		if err != nil {
			return err
		}
		if len(hist) == 0 {
			return fmt.Errorf("%w (nothing was released)", ErrCannotRollback)
		}
		if hist[0].how == HowRollback {
			return fmt.Errorf("%w (the last change was a rollback to version %d)", ErrCannotRollback, hist[0].versionID)
		}
		// WeChat: once a gray release after the online version was revoked,
		// that online version cannot be rolled back (platform-rules §3.11).
		last, err := scanGray(tx.QueryRow(ctx, "SELECT "+grayColumns+" FROM mp_gray_plans WHERE appid = ?", appid))
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// (Times are in seconds: a plan of the online version itself was released after it.)
		if last != nil && last.Status == GrayDeleted && last.VersionID != st.onlineVersion && last.CreatedAt >= hist[0].releasedAt {
			return fmt.Errorf("%w (the gray release of version %d after it was revoked: release a version to roll back again)", ErrCannotRollback, last.VersionID)
		}
		var target *historyRow
		for i := range hist {
			h := &hist[i]
			if h.versionID == st.onlineVersion {
				continue
			}
			if appVersion == 0 || h.versionID == appVersion {
				target = h
				break
			}
		}
		if target == nil {
			if appVersion != 0 {
				return fmt.Errorf("%w (version %d is not among the last %d released other than the online one)", ErrCannotRollback, appVersion, s.historyKept())
			}
			return fmt.Errorf("%w (no previous version)", ErrCannotRollback)
		}
		if v, err = versionTx(ctx, tx, appid, target.versionID); err != nil {
			return err
		}
		return s.goOnlineTx(ctx, tx, appid, st, target.versionID, target.ext, HowRollback, 0)
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

type historyRow struct {
	versionID  int64
	ext        string
	releasedAt int64
	how        string
}

func (s *Service) historyRows(ctx context.Context, q queryer, appid string) ([]historyRow, error) {
	rows, err := q.Query(ctx, "SELECT version_id, ext_json, released_at, how FROM mp_release_history WHERE appid = ? ORDER BY id DESC LIMIT ?",
		appid, s.historyKept())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []historyRow
	for rows.Next() {
		var h historyRow
		if err := rows.Scan(&h.versionID, &h.ext, &h.releasedAt, &h.how); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// History lists the last Policy.HistoryKept versions that went online,
// newest first (the online version first).
func (s *Service) History(ctx context.Context, appid string) ([]HistoryEntry, error) {
	hist, err := s.historyRows(ctx, s.db, appid)
	if err != nil {
		return nil, err
	}
	out := []HistoryEntry{}
	for _, h := range hist {
		v, err := versionTx(ctx, s.db, appid, h.versionID)
		if err != nil {
			return nil, err
		}
		out = append(out, HistoryEntry{Version: *v, ReleasedAt: h.releasedAt, How: h.how})
	}
	return out, nil
}

// State is everything about the app's versions at once.
func (s *Service) State(ctx context.Context, appid string) (*State, error) {
	st, err := s.readState(ctx, s.db, appid)
	if err != nil {
		return nil, err
	}
	out := &State{TrialExt: st.trialExt, Rejections: st.rejections, Restricted: st.restricted, History: []HistoryEntry{}}
	if st.trialVersion != 0 {
		if out.Trial, err = versionTx(ctx, s.db, appid, st.trialVersion); err != nil {
			return nil, err
		}
	}
	if st.onlineVersion != 0 {
		if out.Online, err = versionTx(ctx, s.db, appid, st.onlineVersion); err != nil {
			return nil, err
		}
	}
	if out.Gray, err = s.GrayPlan(ctx, appid); err != nil && !errors.Is(err, ErrNoGrayPlan) {
		return nil, err
	}
	if out.Gray != nil && out.Gray.Status == GrayRunning {
		if out.GrayVersion, err = versionTx(ctx, s.db, appid, out.Gray.VersionID); err != nil {
			return nil, err
		}
	}
	if out.Latest, err = s.LatestAudit(ctx, appid); err != nil && !errors.Is(err, ErrAuditNotFound) {
		return nil, err
	}
	if out.History, err = s.History(ctx, appid); err != nil {
		return nil, err
	}
	return out, nil
}

// promoteDueGrayPlans makes every gray plan that has run for
// Policy.GrayAutoFullAfter a full release.
func (s *Service) promoteDueGrayPlans(ctx context.Context) error {
	if s.policy.GrayAutoFullDays <= 0 {
		return nil
	}
	due := s.now().Add(-s.policy.GrayAutoFullAfter()).Unix()
	rows, err := s.db.Query(ctx, "SELECT appid FROM mp_gray_plans WHERE status = ? AND created_at <= ?", GrayRunning, due)
	if err != nil {
		return err
	}
	var apps []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			rows.Close()
			return err
		}
		apps = append(apps, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, appid := range apps {
		err := s.change(ctx, appid, func(tx *store.Tx, st *appState) error {
			g, err := runningGrayTx(ctx, tx, appid)
			if err != nil || g == nil || g.CreatedAt > due {
				return err // another server promoted or reverted it
			}
			var ext string
			if err := tx.QueryRow(ctx, "SELECT ext_json FROM mp_audits WHERE id = ?", g.auditID).Scan(&ext); err != nil {
				return err
			}
			if err := s.goOnlineTx(ctx, tx, appid, st, g.VersionID, ext, HowGrayFull, g.auditID); err != nil {
				return err
			}
			_, err = tx.Exec(ctx, "UPDATE mp_gray_plans SET status = ?, percentage = 100 WHERE appid = ?", GrayDone, appid)
			return err
		})
		if err != nil {
			slog.Warn("promote gray release to full", "appid", appid, "err", err)
		}
	}
	return nil
}
