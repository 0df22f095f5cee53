package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"superapp/internal/random"
	"superapp/internal/store"
)

// CreateOpenPlatform registers an open-platform account owned by a subject.
func (s *Service) CreateOpenPlatform(ctx context.Context, subjectID, name string) (*OpenPlatform, error) {
	if err := validateName("name", name); err != nil {
		return nil, err
	}
	sub, err := s.subjectOrDefault(ctx, subjectID)
	if err != nil {
		return nil, err
	}
	op := &OpenPlatform{ID: "op_" + random.Hex(8), SubjectID: sub.ID, Name: name, CreatedAt: s.now().Unix()}
	_, err = s.db.Exec(ctx, "INSERT INTO open_platforms(id, subject_id, name, created_at) VALUES (?, ?, ?, ?)", op.ID, op.SubjectID, op.Name, op.CreatedAt)
	if err != nil {
		return nil, err
	}
	return op, nil
}

// OpenPlatform returns one open-platform account.
func (s *Service) OpenPlatform(ctx context.Context, id string) (*OpenPlatform, error) {
	var op OpenPlatform
	err := s.db.QueryRow(ctx, "SELECT id, subject_id, name, created_at FROM open_platforms WHERE id = ?", id).Scan(&op.ID, &op.SubjectID, &op.Name, &op.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrOpenPlatformNotFound
	}
	return &op, err
}

// OpenPlatforms lists every open-platform account.
func (s *Service) OpenPlatforms(ctx context.Context) ([]*OpenPlatform, error) {
	rows, err := s.db.Query(ctx, "SELECT id, subject_id, name, created_at FROM open_platforms ORDER BY created_at, id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*OpenPlatform{}
	for rows.Next() {
		var op OpenPlatform
		if err := rows.Scan(&op.ID, &op.SubjectID, &op.Name, &op.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, &op)
	}
	return out, rows.Err()
}

// Bind attaches an app to an open-platform account, within the binding limits
// of platform-rules.md §3.6. An app binds to at most one account.
func (s *Service) Bind(ctx context.Context, opID, appid string) error {
	op, err := s.OpenPlatform(ctx, opID)
	if err != nil {
		return err
	}
	owner, err := s.Subject(ctx, op.SubjectID)
	if err != nil {
		return err
	}
	now := s.now()
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		// The open platform's counts, then the app's binding: the same order
		// for every caller, so concurrent binds cannot deadlock.
		if err := tx.Lock(ctx, "openplatform:"+opID); err != nil {
			return err
		}
		if err := tx.Lock(ctx, "app:"+appid); err != nil {
			return err
		}
		app, err := scanApp(tx.QueryRow(ctx, "SELECT "+appColumns+" FROM apps WHERE appid = ?", appid))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrAppNotFound
		}
		if err != nil {
			return err
		}
		if app.OpenPlatformID == opID {
			return nil
		}
		if app.OpenPlatformID != "" {
			return fmt.Errorf("%w (%s)", ErrAlreadyBound, app.OpenPlatformID)
		}
		if err := s.checkBindLimits(ctx, tx, op, owner, app, now); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE apps SET open_platform_id = ?, bound_at = ? WHERE appid = ?", opID, now.Unix(), appid)
		return err
	})
	if err == nil {
		s.forget(appid)
	}
	return err
}

func (s *Service) checkBindLimits(ctx context.Context, tx *store.Tx, op *OpenPlatform, owner *Subject, app *App, now time.Time) error {
	sameSubject := app.SubjectID == op.SubjectID
	oa := app.Kind.IsOfficialAccount()
	kindName := "mini programs"
	if oa {
		kindName = "official accounts"
	}
	var limit int
	var policyName string
	switch {
	case owner.Kind == Individual && oa:
		limit, policyName = s.policy.IndividualOfficialAccounts, "individual_official_accounts"
	case owner.Kind == Individual && !sameSubject:
		return &LimitError{"an open platform account of an individual may bind only that individual's own mini programs"}
	case owner.Kind == Individual:
		limit, policyName = s.policy.IndividualSameSubjectMiniPrograms, "individual_same_subject_miniprograms"
	case oa && sameSubject:
		limit, policyName = s.policy.OrgSameSubjectOfficialAccounts, "org_same_subject_official_accounts"
	case oa:
		limit, policyName = s.policy.OrgOtherSubjectOfficialAccounts, "org_other_subject_official_accounts"
	case sameSubject:
		limit, policyName = s.policy.OrgSameSubjectMiniPrograms, "org_same_subject_miniprograms"
	default:
		limit, policyName = s.policy.OrgOtherSubjectMiniPrograms, "org_other_subject_miniprograms"
	}
	kinds := []any{string(MiniProgram)}
	kindClause := "kind = ?"
	if oa {
		kinds = []any{string(SubscriptionAccount), string(ServiceAccount)}
		kindClause = "kind IN (?, ?)"
	}
	subjectClause := "subject_id = ?"
	if !sameSubject {
		subjectClause = "subject_id <> ?"
	}
	args := append([]any{op.ID, op.SubjectID}, kinds...)
	var n int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM apps WHERE open_platform_id = ? AND "+subjectClause+" AND "+kindClause, args...).Scan(&n); err != nil {
		return err
	}
	if n >= limit {
		subj := "same-subject"
		if !sameSubject {
			subj = "other-subject"
		}
		return &LimitError{fmt.Sprintf("open platform account %s already binds %d %s %s; the limit is %d (policy %s)", op.ID, n, subj, kindName, limit, policyName)}
	}
	if !sameSubject && owner.Kind != Individual {
		// Months start in China Standard Time, like every WeChat limit.
		cst := now.In(time.FixedZone("CST", 8*3600))
		monthStart := time.Date(cst.Year(), cst.Month(), 1, 0, 0, 0, 0, cst.Location()).Unix()
		var m int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM apps WHERE open_platform_id = ? AND subject_id <> ? AND bound_at >= ?", op.ID, op.SubjectID, monthStart).Scan(&m); err != nil {
			return err
		}
		if m >= s.policy.OrgOtherSubjectPerMonth {
			return &LimitError{fmt.Sprintf("open platform account %s bound %d other-subject apps this month; the limit is %d (policy org_other_subject_per_month)", op.ID, m, s.policy.OrgOtherSubjectPerMonth)}
		}
	}
	return nil
}

// Unbind detaches an app from an open-platform account. Its users' UnionIDs
// are no longer returned by it.
func (s *Service) Unbind(ctx context.Context, opID, appid string) error {
	if _, err := s.OpenPlatform(ctx, opID); err != nil {
		return err
	}
	res, err := s.db.Exec(ctx, "UPDATE apps SET open_platform_id = NULL, bound_at = NULL WHERE appid = ? AND open_platform_id = ?", appid, opID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.loadApp(ctx, appid); err != nil {
			return err
		}
		return ErrNotBound
	}
	s.forget(appid)
	return nil
}
