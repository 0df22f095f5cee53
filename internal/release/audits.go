package release

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"superapp/internal/input"
	"superapp/internal/review"
	"superapp/internal/store"
)

const auditColumns = `id, appid, version_id, user_version, user_desc, status, reason, findings, item_list, version_desc,
	submitted_at, decided_at, reviewer, released`

func scanAudit(row scanner) (*Audit, error) {
	var a Audit
	var findings, items string
	var released int
	if err := row.Scan(&a.ID, &a.AppID, &a.VersionID, &a.UserVersion, &a.UserDesc, &a.Status, &a.Reason, &findings, &items,
		&a.VersionDesc, &a.SubmittedAt, &a.DecidedAt, &a.Reviewer, &released); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(findings), &a.Findings); err != nil || a.Findings == nil {
		a.Findings = []review.Finding{}
	}
	if items != "" {
		a.ItemList = json.RawMessage(items)
	}
	a.Released = released != 0
	return &a, nil
}

func auditsOf(rows *sql.Rows, err error) ([]Audit, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Audit{}
	for rows.Next() {
		a, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	return out, rows.Err()
}

// rejectionReason lists the reject findings, one per line, as file:line: message.
func rejectionReason(findings []review.Finding) string {
	var lines []string
	for _, f := range findings {
		if f.Severity != review.Reject {
			continue
		}
		where := ""
		switch {
		case f.File != "" && f.Line > 0:
			where = fmt.Sprintf("%s:%d: ", f.File, f.Line)
		case f.File != "":
			where = f.File + ": "
		}
		lines = append(lines, where+f.Message)
	}
	return strings.Join(lines, "\n")
}

// rejectTx counts a rejection and restricts submission at the policy's
// threshold.
func (s *Service) rejectTx(st *appState) {
	st.rejections++
	if n := s.policy.RejectionsBeforeRestriction; n > 0 && st.rejections >= n {
		st.restricted = true
	}
}

func (s *Service) restrictedError() error {
	return fmt.Errorf("%w (%d rejections): the operator lifts it with `superapp review unrestrict --appid APPID`",
		ErrRestricted, s.policy.RejectionsBeforeRestriction)
}

// SubmitAudit submits the trial version for review. The automated review
// runs first; a finding of severity reject rejects the submission at once
// (counting toward the restriction), otherwise the audit waits in review.
// A submission in review is withdrawn by a new one.
func (s *Service) SubmitAudit(ctx context.Context, appid string, in SubmitInput) (*Audit, error) {
	if !input.Storable(in.VersionDesc) || len([]rune(in.VersionDesc)) > MaxUserDesc {
		return nil, badInput("version_desc", "must be valid text of at most %d characters", MaxUserDesc)
	}
	items := ""
	if len(in.ItemList) > 0 && string(in.ItemList) != "null" {
		if !json.Valid(in.ItemList) || !input.Storable(string(in.ItemList)) {
			return nil, badInput("item_list", "is not valid JSON")
		}
		items = string(in.ItemList)
	}
	// Checked before the (possibly slow) review and again under the lock.
	st, err := s.readState(ctx, s.db, appid)
	if err != nil {
		return nil, err
	}
	if st.restricted {
		return nil, s.restrictedError()
	}
	if st.trialVersion == 0 {
		return nil, ErrNoTrial
	}
	v, err := versionTx(ctx, s.db, appid, st.trialVersion)
	if err != nil {
		return nil, err
	}
	findings := []review.Finding{}
	if s.reviewer != nil {
		f, err := s.reviewer.Review(ctx, appid, v)
		if err != nil {
			return nil, fmt.Errorf("automated review: %w", err)
		}
		if f != nil {
			findings = f
		}
	}
	reason := rejectionReason(findings)
	findingsJSON, err := json.Marshal(findings)
	if err != nil {
		return nil, err
	}
	now := s.now().Unix()
	a := &Audit{AppID: appid, VersionID: v.ID, UserVersion: v.UserVersion, UserDesc: v.UserDesc, Status: AuditInReview,
		Findings: findings, VersionDesc: in.VersionDesc, SubmittedAt: now}
	if items != "" {
		a.ItemList = json.RawMessage(items)
	}
	if reason != "" {
		a.Status, a.Reason, a.DecidedAt, a.Reviewer = AuditRejected, reason, now, "automated review"
	}
	err = s.change(ctx, appid, func(tx *store.Tx, st *appState) error {
		if st.restricted {
			return s.restrictedError()
		}
		if st.trialVersion != v.ID {
			return badInput("trial", "changed while the submission was being reviewed; submit again")
		}
		if _, err := tx.Exec(ctx, "UPDATE mp_audits SET status = ?, decided_at = ? WHERE appid = ? AND status = ?",
			AuditWithdrawn, now, appid, AuditInReview); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO mp_audits(appid, version_id, user_version, user_desc, ext_json, status, reason, findings,
			item_list, version_desc, submitter, submitted_at, decided_at, reviewer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			appid, a.VersionID, a.UserVersion, a.UserDesc, st.trialExt, a.Status, a.Reason, string(findingsJSON), items, a.VersionDesc,
			in.Submitter, a.SubmittedAt, a.DecidedAt, a.Reviewer).Scan(&a.ID); err != nil {
			return err
		}
		if a.Status == AuditRejected {
			s.rejectTx(st)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if a.Status == AuditRejected {
		s.tell(ctx, a)
	}
	return a, nil
}

// tell pushes an audit decision; a failure to queue the push does not undo
// the decision (it is logged).
func (s *Service) tell(ctx context.Context, a *Audit) {
	if s.events == nil {
		return
	}
	if err := s.events.AuditDecided(ctx, a.AppID, a); err != nil {
		slog.Warn("push audit decision", "appid", a.AppID, "auditid", a.ID, "err", err)
	}
}

// Audit returns one of the app's audits.
func (s *Service) Audit(ctx context.Context, appid string, auditID int64) (*Audit, error) {
	a, err := scanAudit(s.db.QueryRow(ctx, "SELECT "+auditColumns+" FROM mp_audits WHERE id = ? AND appid = ?", auditID, appid))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %d", ErrAuditNotFound, auditID)
	}
	return a, err
}

// LatestAudit returns the app's newest submission.
func (s *Service) LatestAudit(ctx context.Context, appid string) (*Audit, error) {
	a, err := scanAudit(s.db.QueryRow(ctx, "SELECT "+auditColumns+" FROM mp_audits WHERE appid = ? ORDER BY id DESC LIMIT 1", appid))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrAuditNotFound
	}
	return a, err
}

// UndoAudit withdraws the submission in review (ErrAuditNotPending when
// none is).
func (s *Service) UndoAudit(ctx context.Context, appid string) error {
	return s.change(ctx, appid, func(tx *store.Tx, _ *appState) error {
		res, err := tx.Exec(ctx, "UPDATE mp_audits SET status = ?, decided_at = ? WHERE appid = ? AND status = ?",
			AuditWithdrawn, s.now().Unix(), appid, AuditInReview)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrAuditNotPending
		}
		return nil
	})
}

// PendingAudits is the operator's review queue across apps, oldest first.
func (s *Service) PendingAudits(ctx context.Context) ([]Audit, error) {
	return auditsOf(s.db.Query(ctx, "SELECT "+auditColumns+" FROM mp_audits WHERE status = ? ORDER BY id", AuditInReview))
}

// AuditByID returns any app's audit (operator side).
func (s *Service) AuditByID(ctx context.Context, auditID int64) (*Audit, error) {
	a, err := scanAudit(s.db.QueryRow(ctx, "SELECT "+auditColumns+" FROM mp_audits WHERE id = ?", auditID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %d", ErrAuditNotFound, auditID)
	}
	return a, err
}

// Approve passes an audit in review; the version then waits for Release.
func (s *Service) Approve(ctx context.Context, auditID int64, reviewer string) (*Audit, error) {
	return s.decide(ctx, auditID, AuditApproved, reviewer, "")
}

// Reject fails an audit in review with a reason; it counts toward the
// restriction.
func (s *Service) Reject(ctx context.Context, auditID int64, reviewer, reason string) (*Audit, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, badInput("reason", "must say why the version is rejected")
	}
	if !input.Storable(reason) || len([]rune(reason)) > 4096 {
		return nil, badInput("reason", "must be valid text of at most 4096 characters")
	}
	return s.decide(ctx, auditID, AuditRejected, reviewer, reason)
}

func (s *Service) decide(ctx context.Context, auditID int64, status AuditStatus, reviewer, reason string) (*Audit, error) {
	if !input.Storable(reviewer) || len(reviewer) > 128 {
		return nil, badInput("reviewer", "must be a name of at most 128 bytes")
	}
	a, err := s.AuditByID(ctx, auditID)
	if err != nil {
		return nil, err
	}
	err = s.change(ctx, a.AppID, func(tx *store.Tx, st *appState) error {
		// Read again under the app's lock: the audit may have been decided
		// or withdrawn meanwhile.
		cur, err := scanAudit(tx.QueryRow(ctx, "SELECT "+auditColumns+" FROM mp_audits WHERE id = ?", auditID))
		if err != nil {
			return err
		}
		if cur.Status != AuditInReview {
			return fmt.Errorf("%w: audit %d has status %d", ErrAuditNotPending, auditID, cur.Status)
		}
		*a = *cur
		a.Status, a.Reason, a.Reviewer, a.DecidedAt = status, reason, reviewer, s.now().Unix()
		if _, err := tx.Exec(ctx, "UPDATE mp_audits SET status = ?, reason = ?, reviewer = ?, decided_at = ? WHERE id = ?",
			a.Status, a.Reason, a.Reviewer, a.DecidedAt, auditID); err != nil {
			return err
		}
		if status == AuditRejected {
			s.rejectTx(st)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.tell(ctx, a)
	return a, nil
}

// Unrestrict lifts the submission restriction and resets the rejection count.
func (s *Service) Unrestrict(ctx context.Context, appid string) error {
	return s.change(ctx, appid, func(_ *store.Tx, st *appState) error {
		st.rejections, st.restricted = 0, false
		return nil
	})
}
