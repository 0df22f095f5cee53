// Package release owns the versions of a mini program: dev versions
// (uploads), the trial version and its members, audits, the online version
// and its history, gray plans and rollback, the submission restriction after
// rejections, and which version a user gets on each launch
// (docs/miniprogram-platform.md).
package release

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"superapp/internal/review"
)

// Policy is the per-deployment rule set; DefaultPolicy is WeChat's.
type Policy struct {
	// Cumulative rejections after which submission is refused until the
	// operator lifts the restriction.
	RejectionsBeforeRestriction int `json:"rejections_before_restriction"`
	// A gray plan that has run this many days becomes a full release
	// (0: never).
	GrayAutoFullDays int `json:"gray_auto_full_days"`
	// Released versions kept for rollback.
	HistoryKept int `json:"history_kept"`
	// Dev versions kept per uploader (older ones are pruned unless something
	// points at them).
	DevVersionsPerUploader int `json:"dev_versions_per_uploader"`
}

// GrayAutoFullAfter is how long a gray plan runs before it becomes a full
// release; 0 when it never does.
func (p Policy) GrayAutoFullAfter() time.Duration {
	return time.Duration(p.GrayAutoFullDays) * 24 * time.Hour
}

// DefaultPolicy is WeChat's.
func DefaultPolicy() Policy {
	return Policy{RejectionsBeforeRestriction: 3, GrayAutoFullDays: 15, HistoryKept: 5, DevVersionsPerUploader: 50}
}

// Version is an uploaded build of a mini program.
type Version struct {
	AppID        string `json:"appid"`
	ID           int64  `json:"id"` // WeChat's app_version; increasing per app from 1
	UserVersion  string `json:"user_version"`
	UserDesc     string `json:"user_desc"`
	ManifestHash string `json:"manifest_hash"`
	// SourceHash names the zip of the project's sources in mp_files, which
	// the review rules read; empty when the upload sent none.
	SourceHash string   `json:"source_hash,omitempty"`
	Pages      []string `json:"pages"`
	Uploader   string   `json:"uploader"` // a user id, or "key:<key id>"
	CreatedAt  int64    `json:"created_at"`
}

// DevVersionInput is an upload that becomes a dev version.
type DevVersionInput struct {
	Uploader     string
	UserVersion  string
	UserDesc     string
	Manifest     []byte // pack.Manifest JSON, stored with the version
	ManifestHash string
	SourceHash   string
	Pages        []string
}

// CommitInput is /wxa/commit: a dev version becomes the trial version.
type CommitInput struct {
	VersionID   int64  // WeChat's template_id
	ExtJSON     string // a JSON object as a string, or ""
	UserVersion string // overrides the version's when not empty
	UserDesc    string
}

// SubmitInput is /wxa/submit_audit's body as the domain keeps it.
type SubmitInput struct {
	ItemList    json.RawMessage
	VersionDesc string
	Submitter   string
}

// AuditStatus is WeChat's: 0 approved, 1 rejected, 2 in review, 3 withdrawn, 4 delayed.
type AuditStatus int

const (
	AuditApproved  AuditStatus = 0
	AuditRejected  AuditStatus = 1
	AuditInReview  AuditStatus = 2
	AuditWithdrawn AuditStatus = 3
	AuditDelayed   AuditStatus = 4
)

// Audit is one submission of the trial version for review.
type Audit struct {
	ID          int64            `json:"auditid"`
	AppID       string           `json:"appid"`
	VersionID   int64            `json:"version_id"`
	UserVersion string           `json:"user_version"`
	UserDesc    string           `json:"user_desc"`
	Status      AuditStatus      `json:"status"`
	Reason      string           `json:"reason,omitempty"`
	Findings    []review.Finding `json:"findings"`
	ItemList    json.RawMessage  `json:"item_list,omitempty"`
	VersionDesc string           `json:"version_desc,omitempty"`
	SubmittedAt int64            `json:"submitted_at"`
	DecidedAt   int64            `json:"decided_at,omitempty"`
	Reviewer    string           `json:"reviewer,omitempty"`
	Released    bool             `json:"released"`
}

// GrayStatus is WeChat's: 0 init, 1 running, 2 paused, 3 done, 4 deleted.
type GrayStatus int

const (
	GrayInit    GrayStatus = 0
	GrayRunning GrayStatus = 1
	GrayPaused  GrayStatus = 2
	GrayDone    GrayStatus = 3
	GrayDeleted GrayStatus = 4
)

// GrayPlan is a gradual release of an approved version.
type GrayPlan struct {
	Status           GrayStatus `json:"status"`
	VersionID        int64      `json:"version_id"`
	Percentage       int        `json:"gray_percentage"`
	ExperiencerFirst bool       `json:"support_experiencer_first"`
	DebuggerFirst    bool       `json:"support_debuger_first"`
	// NamedOpenIDs get the gray version whatever their bucket (beyond WeChat).
	NamedOpenIDs []string `json:"named_openids"`
	CreatedAt    int64    `json:"create_timestamp"`
}

// GrayInput is /wxa/grayrelease.
type GrayInput struct {
	Percentage       int
	ExperiencerFirst bool
	DebuggerFirst    bool
	NamedOpenIDs     []string
}

// HistoryEntry is a version that was online.
type HistoryEntry struct {
	Version
	ReleasedAt int64  `json:"released_at"`
	How        string `json:"how"` // "release", "gray-full" or "rollback"
}

// Member roles.
const (
	RoleTrial   = "trial"   // WeChat's 体验者
	RoleProject = "project" // WeChat's 项目成员 (developers)
)

// Member is a user with a role on a mini program.
type Member struct {
	UserID string `json:"user_id"`
	Role   string `json:"role"`
}

// State is everything about an app's versions at once, for the operator.
type State struct {
	Trial       *Version       `json:"trial"`
	TrialExt    string         `json:"trial_ext_json,omitempty"`
	Online      *Version       `json:"online"`
	Gray        *GrayPlan      `json:"gray"`
	GrayVersion *Version       `json:"gray_version"`
	Latest      *Audit         `json:"latest_audit"`
	History     []HistoryEntry `json:"history"`
	Rejections  int            `json:"rejections"`
	Restricted  bool           `json:"restricted"`
}

// Channels a launch can resolve to.
const (
	ChannelOnline  = "online"
	ChannelGray    = "gray"
	ChannelTrial   = "trial"
	ChannelDevelop = "develop"
)

// Resolution is the version a user gets on a launch.
type Resolution struct {
	VersionID    int64  `json:"id"`
	ManifestHash string `json:"manifest_hash"`
	Channel      string `json:"channel"`
	ExtJSON      string `json:"-"`
	// CreatedAt is when the version was uploaded.
	CreatedAt int64 `json:"created_at"`
	// UserVersion is the version's label (user_version).
	UserVersion string `json:"user_version"`
}

// Reviewer runs the automated review over a version (wired by the platform:
// it reads the version's sources and calls internal/review).
type Reviewer interface {
	Review(ctx context.Context, appid string, v *Version) ([]review.Finding, error)
}

// Events tells the developer's server about audit results
// (weapp_audit_success / weapp_audit_fail through internal/callback).
type Events interface {
	AuditDecided(ctx context.Context, appid string, a *Audit) error
}

// Errors. The wire layer maps them to WeChat's errcodes
// (internal/wire/mp_release.go); the admin API to HTTP statuses.
var (
	ErrVersionNotFound     = errors.New("no such version")                                   // 85014 on commit
	ErrBadExtJSON          = errors.New("ext_json must be a JSON object")                    // 85013
	ErrNoTrial             = errors.New("no trial version: commit a version first")          // 85086
	ErrAuditInReview       = errors.New("a version is in review")                            // (a new submission replaces it; kept for undo rules)
	ErrRestricted          = errors.New("submission restricted after repeated rejections")   // 85085
	ErrAuditNotFound       = errors.New("no such audit")                                     // 85012
	ErrAuditNotPending     = errors.New("the audit is not in review")                        // admin 409
	ErrNoAudit             = errors.New("no audited version to release")                     // 85019
	ErrNotApproved         = errors.New("the audit has not been approved")                   // 85020 (release), 85080 (gray)
	ErrAlreadyReleased     = errors.New("the version is already released")                   // 85052
	ErrGrayInProgress      = errors.New("a gray release is in progress")                     // 85021 release, 87011 rollback
	ErrNoOnline            = errors.New("no online version: the first release must be full") // 85079
	ErrBadPercentage       = errors.New("invalid gray percentage")                           // 85081
	ErrPercentageNotHigher = errors.New("the gray percentage must be higher than before")    // 85082
	ErrNoGrayPlan          = errors.New("no gray release plan")
	ErrCannotRollback      = errors.New("cannot roll back: no previous version, or the last action was a rollback") // 87012
	ErrNoVersion           = errors.New("the mini program has no released version")
	ErrNotMember           = errors.New("only the mini program's members can open this version")
	ErrBadInput            = errors.New("invalid input")
)
