package release

// STUB — the method set other parts code against. The release helper
// replaces every body (and may split this file per table); signatures
// change only together with docs/miniprogram-platform.md.

import (
	"context"
	"errors"

	"superapp/internal/store"
)

var errNotYet = errors.New("release: not implemented yet")

// Service is the versions domain over one database.
type Service struct {
	db       *store.DB
	policy   Policy
	reviewer Reviewer
	events   Events
}

// NewService returns the service. reviewer and events may be nil (no
// automated review; no pushes).
func NewService(db *store.DB, policy Policy, reviewer Reviewer, events Events) *Service {
	return &Service{db: db, policy: policy, reviewer: reviewer, events: events}
}

// Policy returns the rules in force.
func (s *Service) Policy() Policy { return s.policy }

func (s *Service) AddDevVersion(ctx context.Context, appid string, in DevVersionInput) (*Version, error) {
	return nil, errNotYet
}
func (s *Service) DevVersions(ctx context.Context, appid string) ([]Version, error) {
	return nil, errNotYet
}
func (s *Service) Version(ctx context.Context, appid string, id int64) (*Version, error) {
	return nil, errNotYet
}

// Manifest returns the stored manifest JSON of a version.
func (s *Service) Manifest(ctx context.Context, appid string, id int64) ([]byte, error) {
	return nil, errNotYet
}
func (s *Service) Commit(ctx context.Context, appid string, in CommitInput) (*Version, error) {
	return nil, errNotYet
}
func (s *Service) Trial(ctx context.Context, appid string) (*Version, string, error) {
	return nil, "", errNotYet
}
func (s *Service) AddMember(ctx context.Context, appid, userID, role string) error { return errNotYet }
func (s *Service) RemoveMember(ctx context.Context, appid, userID, role string) error {
	return errNotYet
}
func (s *Service) Members(ctx context.Context, appid string) ([]Member, error) { return nil, errNotYet }
func (s *Service) SubmitAudit(ctx context.Context, appid string, in SubmitInput) (*Audit, error) {
	return nil, errNotYet
}
func (s *Service) Audit(ctx context.Context, appid string, auditID int64) (*Audit, error) {
	return nil, errNotYet
}
func (s *Service) LatestAudit(ctx context.Context, appid string) (*Audit, error) {
	return nil, errNotYet
}
func (s *Service) UndoAudit(ctx context.Context, appid string) error { return errNotYet }

// Operator side: the review queue across apps.
func (s *Service) PendingAudits(ctx context.Context) ([]Audit, error) { return nil, errNotYet }
func (s *Service) AuditByID(ctx context.Context, auditID int64) (*Audit, error) {
	return nil, errNotYet
}
func (s *Service) Approve(ctx context.Context, auditID int64, reviewer string) (*Audit, error) {
	return nil, errNotYet
}
func (s *Service) Reject(ctx context.Context, auditID int64, reviewer, reason string) (*Audit, error) {
	return nil, errNotYet
}
func (s *Service) Unrestrict(ctx context.Context, appid string) error { return errNotYet }

func (s *Service) Release(ctx context.Context, appid string) (*Version, error) { return nil, errNotYet }
func (s *Service) Gray(ctx context.Context, appid string, in GrayInput) (*GrayPlan, error) {
	return nil, errNotYet
}
func (s *Service) GrayPlan(ctx context.Context, appid string) (*GrayPlan, error) {
	return nil, errNotYet
}
func (s *Service) RevertGray(ctx context.Context, appid string) error { return errNotYet }

// Rollback returns to appVersion (0: the previous online version).
func (s *Service) Rollback(ctx context.Context, appid string, appVersion int64) (*Version, error) {
	return nil, errNotYet
}
func (s *Service) History(ctx context.Context, appid string) ([]HistoryEntry, error) {
	return nil, errNotYet
}
func (s *Service) State(ctx context.Context, appid string) (*State, error) { return nil, errNotYet }

// Resolve says which version userID (whose OpenID in this app is openid)
// gets on a launch; env is "", "release", "trial" or "develop". It reads
// memory only.
func (s *Service) Resolve(appid, userID, openid, env string) (Resolution, error) {
	return Resolution{}, errNotYet
}

// Run promotes gray plans past Policy.GrayAutoFullAfter and refreshes the
// resolution snapshot until ctx ends.
func (s *Service) Run(ctx context.Context) {}
