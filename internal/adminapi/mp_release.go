package adminapi

// The operator's side of mini program versions: the review queue
// (`superapp review …`), lifting the submission restriction, members,
// the versions overview, the trial version and gray plans with named users
// (`superapp mp members|versions|trial|gray`). Rules live in internal/release.

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"superapp/internal/account"
	"superapp/internal/identity"
	"superapp/internal/release"
)

// operatorReviewer is the name decisions made through this API carry.
const operatorReviewer = "operator"

func (a *API) registerMPRelease(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/v1/reviews", a.operator(a.reviewQueue))
	mux.HandleFunc("GET /admin/v1/reviews/{auditid}", a.operator(a.reviewShow))
	mux.HandleFunc("POST /admin/v1/reviews/{auditid}/approve", a.operator(a.reviewApprove))
	mux.HandleFunc("POST /admin/v1/reviews/{auditid}/reject", a.operator(a.reviewReject))
	mux.HandleFunc("POST /admin/v1/apps/{appid}/miniprogram/unrestrict", a.operator(a.mpUnrestrict))
	mux.HandleFunc("GET /admin/v1/apps/{appid}/miniprogram/members", a.operator(a.mpMembers))
	mux.HandleFunc("POST /admin/v1/apps/{appid}/miniprogram/members", a.operator(a.mpAddMember))
	mux.HandleFunc("DELETE /admin/v1/apps/{appid}/miniprogram/members/{role}/{user}", a.operator(a.mpRemoveMember))
	mux.HandleFunc("GET /admin/v1/apps/{appid}/miniprogram/versions", a.operator(a.mpVersions))
	mux.HandleFunc("PUT /admin/v1/apps/{appid}/miniprogram/trial", a.operator(a.mpSetTrial))
	mux.HandleFunc("POST /admin/v1/apps/{appid}/miniprogram/gray", a.operator(a.mpGray))
}

// releaseProblem maps the versions domain's errors to answers.
func releaseProblem(err error) error {
	conflict := func() error { return &Problem{Status: http.StatusConflict, Code: "conflict", Message: err.Error()} }
	switch {
	case err == nil:
		return nil
	case errors.Is(err, release.ErrBadInput):
		field, msg, _ := strings.Cut(strings.TrimPrefix(err.Error(), release.ErrBadInput.Error()+": "), " ")
		return badRequest(field, msg)
	case errors.Is(err, release.ErrBadExtJSON):
		return badRequest("ext_json", "must be a JSON object")
	case errors.Is(err, release.ErrBadPercentage):
		return badRequest("gray_percentage", err.Error()+": 0 to 100, and 0 only with a members-first flag")
	case errors.Is(err, release.ErrAuditNotFound), errors.Is(err, release.ErrVersionNotFound), errors.Is(err, release.ErrNoTrial),
		errors.Is(err, release.ErrNoGrayPlan), errors.Is(err, release.ErrNoVersion):
		return notFound(err.Error())
	case errors.Is(err, release.ErrAuditNotPending), errors.Is(err, release.ErrRestricted), errors.Is(err, release.ErrNotApproved),
		errors.Is(err, release.ErrNoAudit), errors.Is(err, release.ErrAlreadyReleased), errors.Is(err, release.ErrGrayInProgress),
		errors.Is(err, release.ErrNoOnline), errors.Is(err, release.ErrPercentageNotHigher), errors.Is(err, release.ErrCannotRollback):
		return conflict()
	}
	return err
}

// releaseAuditID reads the {auditid} path segment.
func releaseAuditID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("auditid"), 10, 64)
	if err != nil || id <= 0 {
		return 0, badRequest("auditid", "must be a positive integer (see `superapp review list`)")
	}
	return id, nil
}

// releaseApp checks that appid names a mini program.
func (a *API) releaseApp(r *http.Request) (*account.App, error) {
	app, err := a.p.Accounts.App(r.Context(), r.PathValue("appid"))
	if err != nil {
		return nil, err
	}
	if app.Kind != account.MiniProgram {
		return nil, badRequest("appid", app.AppID+" is a "+string(app.Kind)+" account; only mini programs have versions")
	}
	return app, nil
}

// ReviewItem is an audit in the queue with its app's name.
type ReviewItem struct {
	release.Audit
	AppName string `json:"app_name"`
}

func (a *API) reviewWithAppName(r *http.Request, au release.Audit) ReviewItem {
	item := ReviewItem{Audit: au}
	if app, err := a.p.Accounts.App(r.Context(), au.AppID); err == nil {
		item.AppName = app.Name
	}
	return item
}

// GET /admin/v1/reviews → the audits in review, oldest first.
func (a *API) reviewQueue(r *http.Request) (any, error) {
	audits, err := a.p.Releases.PendingAudits(r.Context())
	if err != nil {
		return nil, releaseProblem(err)
	}
	out := make([]ReviewItem, 0, len(audits))
	for _, au := range audits {
		out = append(out, a.reviewWithAppName(r, au))
	}
	return out, nil
}

func (a *API) reviewShow(r *http.Request) (any, error) {
	id, err := releaseAuditID(r)
	if err != nil {
		return nil, err
	}
	au, err := a.p.Releases.AuditByID(r.Context(), id)
	if err != nil {
		return nil, releaseProblem(err)
	}
	return a.reviewWithAppName(r, *au), nil
}

func (a *API) reviewApprove(r *http.Request) (any, error) {
	id, err := releaseAuditID(r)
	if err != nil {
		return nil, err
	}
	if err := decode(r, &struct{}{}); err != nil {
		return nil, err
	}
	au, err := a.p.Releases.Approve(r.Context(), id, operatorReviewer)
	if err != nil {
		return nil, releaseProblem(err)
	}
	return a.reviewWithAppName(r, *au), nil
}

// RejectRequest says why a version is rejected; the developer reads it.
type RejectRequest struct {
	Reason string `json:"reason"`
}

func (a *API) reviewReject(r *http.Request) (any, error) {
	id, err := releaseAuditID(r)
	if err != nil {
		return nil, err
	}
	var req RejectRequest
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	if strings.TrimSpace(req.Reason) == "" {
		return nil, badRequest("reason", "is required: say why the version is rejected (the developer reads it)")
	}
	au, err := a.p.Releases.Reject(r.Context(), id, operatorReviewer, req.Reason)
	if err != nil {
		return nil, releaseProblem(err)
	}
	return a.reviewWithAppName(r, *au), nil
}

func (a *API) mpUnrestrict(r *http.Request) (any, error) {
	app, err := a.releaseApp(r)
	if err != nil {
		return nil, err
	}
	if err := a.p.Releases.Unrestrict(r.Context(), app.AppID); err != nil {
		return nil, releaseProblem(err)
	}
	return a.releaseVersionsOf(r, app.AppID)
}

// MemberView is a member with the user's name.
type MemberView struct {
	release.Member
	Name string `json:"name"`
}

func (a *API) mpMembers(r *http.Request) (any, error) {
	app, err := a.releaseApp(r)
	if err != nil {
		return nil, err
	}
	members, err := a.p.Releases.Members(r.Context(), app.AppID)
	if err != nil {
		return nil, releaseProblem(err)
	}
	out := make([]MemberView, 0, len(members))
	for _, m := range members {
		v := MemberView{Member: m}
		if u, err := a.p.Identity.User(r.Context(), m.UserID); err == nil {
			v.Name = u.Name
		}
		out = append(out, v)
	}
	return out, nil
}

// MemberRequest gives a user a role; user is an id, a phone number or a
// unique name.
type MemberRequest struct {
	User string `json:"user"`
	Role string `json:"role"`
}

func checkMemberRole(role string) error {
	if role != release.RoleTrial && role != release.RoleProject {
		return badRequest("role", "must be trial (体验者) or project (项目成员), not "+strconv.Quote(role))
	}
	return nil
}

func (a *API) mpAddMember(r *http.Request) (any, error) {
	app, err := a.releaseApp(r)
	if err != nil {
		return nil, err
	}
	var req MemberRequest
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	if err := checkMemberRole(req.Role); err != nil {
		return nil, err
	}
	u, err := a.releaseUser(r, req.User)
	if err != nil {
		return nil, err
	}
	if err := a.p.Releases.AddMember(r.Context(), app.AppID, u.ID, req.Role); err != nil {
		return nil, releaseProblem(err)
	}
	return MemberView{Member: release.Member{UserID: u.ID, Role: req.Role}, Name: u.Name}, nil
}

func (a *API) releaseUser(r *http.Request, ref string) (*identity.User, error) {
	if strings.TrimSpace(ref) == "" {
		return nil, badRequest("user", "is required: a user id, phone number or unique name")
	}
	u, err := a.p.Identity.FindUser(r.Context(), ref)
	if errors.Is(err, identity.ErrUserNotFound) {
		return nil, badRequest("user", "no user is "+strconv.Quote(ref)+" (give a user id, phone number or unique name)")
	}
	if errors.Is(err, identity.ErrAmbiguousUser) {
		return nil, badRequest("user", "several users are named "+strconv.Quote(ref)+"; give the user id or phone number")
	}
	return u, err
}

func (a *API) mpRemoveMember(r *http.Request) (any, error) {
	app, err := a.releaseApp(r)
	if err != nil {
		return nil, err
	}
	role := r.PathValue("role")
	if err := checkMemberRole(role); err != nil {
		return nil, err
	}
	u, err := a.releaseUser(r, r.PathValue("user"))
	if err != nil {
		return nil, err
	}
	if err := a.p.Releases.RemoveMember(r.Context(), app.AppID, u.ID, role); err != nil {
		if errors.Is(err, release.ErrBadInput) {
			return nil, notFound(u.ID + " is not a " + role + " member of " + app.AppID)
		}
		return nil, releaseProblem(err)
	}
	return map[string]any{"removed": MemberView{Member: release.Member{UserID: u.ID, Role: role}, Name: u.Name}}, nil
}

// Versions is everything about a mini program's versions at once.
type Versions struct {
	AppID       string            `json:"appid"`
	DevVersions []release.Version `json:"dev_versions"`
	release.State
}

func (a *API) releaseVersionsOf(r *http.Request, appid string) (*Versions, error) {
	st, err := a.p.Releases.State(r.Context(), appid)
	if err != nil {
		return nil, releaseProblem(err)
	}
	dev, err := a.p.Releases.DevVersions(r.Context(), appid)
	if err != nil {
		return nil, releaseProblem(err)
	}
	if st.History == nil {
		st.History = []release.HistoryEntry{}
	}
	return &Versions{AppID: appid, DevVersions: dev, State: *st}, nil
}

func (a *API) mpVersions(r *http.Request) (any, error) {
	app, err := a.releaseApp(r)
	if err != nil {
		return nil, err
	}
	return a.releaseVersionsOf(r, app.AppID)
}

// TrialRequest makes a dev version the trial version (as /wxa/commit).
type TrialRequest struct {
	VersionID   int64  `json:"version_id"`
	ExtJSON     string `json:"ext_json"`
	UserVersion string `json:"user_version"`
	UserDesc    string `json:"user_desc"`
}

func (a *API) mpSetTrial(r *http.Request) (any, error) {
	app, err := a.releaseApp(r)
	if err != nil {
		return nil, err
	}
	var req TrialRequest
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	if req.VersionID <= 0 {
		return nil, badRequest("version_id", "is required: the id of a dev version (see `superapp mp versions`)")
	}
	_, err = a.p.Releases.Commit(r.Context(), app.AppID, release.CommitInput{VersionID: req.VersionID, ExtJSON: req.ExtJSON,
		UserVersion: req.UserVersion, UserDesc: req.UserDesc})
	if errors.Is(err, release.ErrVersionNotFound) {
		return nil, badRequest("version_id", "no dev version "+strconv.FormatInt(req.VersionID, 10)+" of "+app.AppID)
	}
	if err != nil {
		return nil, releaseProblem(err)
	}
	return a.releaseVersionsOf(r, app.AppID)
}

// GrayRequest starts or widens a gray release; Users are named users (ids,
// phone numbers or unique names) who get the gray version whatever their
// bucket.
type GrayRequest struct {
	Percentage       int      `json:"gray_percentage"`
	ExperiencerFirst bool     `json:"support_experiencer_first"`
	DebuggerFirst    bool     `json:"support_debuger_first"`
	Users            []string `json:"users"`
}

func (a *API) mpGray(r *http.Request) (any, error) {
	app, err := a.releaseApp(r)
	if err != nil {
		return nil, err
	}
	var req GrayRequest
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	if req.Percentage < 0 || req.Percentage > 100 {
		return nil, badRequest("gray_percentage", "must be 0 to 100")
	}
	if len(req.Users) > release.MaxNamedOpenIDs {
		return nil, badRequest("users", fmt.Sprintf("has %d entries; at most %d named users", len(req.Users), release.MaxNamedOpenIDs))
	}
	var named []string
	for _, ref := range req.Users {
		u, err := a.releaseUser(r, ref)
		if err != nil {
			return nil, err
		}
		// Named users are kept as the app's OpenIDs, as /wxa/grayrelease's
		// named_openids; enrolling makes the OpenID known to the app.
		openid, err := a.p.Identity.Enroll(r.Context(), app.AppID, u.ID)
		if err != nil {
			return nil, err
		}
		named = append(named, openid)
	}
	_, err = a.p.Releases.Gray(r.Context(), app.AppID, release.GrayInput{Percentage: req.Percentage,
		ExperiencerFirst: req.ExperiencerFirst, DebuggerFirst: req.DebuggerFirst, NamedOpenIDs: named})
	if err != nil {
		return nil, releaseProblem(err)
	}
	return a.releaseVersionsOf(r, app.AppID)
}
