package wire

// Mini program code management (wechat-api.md §5.2): commit, trial QR code,
// audits, release, gray release and rollback, plus tester binding. Every
// endpoint takes the mini program's own access_token, which plays the
// third-party platform's authorizer_access_token; the rules live in
// internal/release (docs/miniprogram-platform.md).

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"superapp/internal/account"
	"superapp/internal/identity"
	"superapp/internal/input"
	"superapp/internal/release"
	"superapp/internal/wxacode"
)

// Errcodes of code management. All but 85021 are WeChat's (code-management
// docs, platform-rules.md §3.11); WeChat documents no code for releasing
// during a gray release, so 85021 is ours. The tester codes are WeChat's
// bind_tester/unbind_tester codes.
var (
	errMPTemplateNotExist   = &Error{85014, "template not exist"}
	errMPInvalidExtJSON     = &Error{85013, "invalid ext config"}
	errMPNoCode             = &Error{85086, "must commit code before submit audit"}
	errMPRestricted         = &Error{85085, "submit audit reach limit, please try later"}
	errMPInvalidAuditID     = &Error{85012, "invalid audit id"}
	errMPNoAuditedVersion   = &Error{85019, "no audited version to release"}
	errMPAuditNotApproved   = &Error{85020, "audit status is not approved"}
	errMPAlreadyReleased    = &Error{85052, "app is already released"}
	errMPGrayInProgress     = &Error{85021, "gray release in progress"}
	errMPNoOnline           = &Error{85079, "miniprogram has no online release"}
	errMPGrayNotApproved    = &Error{85080, "miniprogram commit not approved"}
	errMPInvalidPercentage  = &Error{85081, "invalid gray percentage"}
	errMPPercentageNotHiger = &Error{85082, "current gray percentage is greater than the given percentage"}
	errMPRollbackInGray     = &Error{87011, "current version cannot be rolled back during gray release"}
	errMPCannotRollback     = &Error{87012, "cannot rollback"}
	errMPNoGrayPlan         = ErrInvalidParameter.With(", no gray release plan") // WeChat documents no code; ours
	errMPTesterNotFound     = &Error{85001, "wechatid not exist or not searchable"}
	errMPTesterBound        = &Error{85004, "wechatid already bound"}
	errMPTesterNotBound     = &Error{85002, "wechatid not bound as tester"} // unbind of a stranger; our choice
)

// maxItemList is submit_audit's item_list limit, WeChat's. Text limits
// (user_version, user_desc, version_desc) are the domain's.
const maxItemList = 5

func (a *API) registerMPRelease(mux *http.ServeMux) {
	mux.HandleFunc("/wxa/commit", a.postAuthed(a.mpCommit))
	mux.HandleFunc("/wxa/get_page", a.authed(a.mpGetPage))
	mux.HandleFunc("/wxa/get_qrcode", a.mpTrialQRCode)
	mux.HandleFunc("/wxa/submit_audit", a.postAuthed(a.mpSubmitAudit))
	mux.HandleFunc("/wxa/get_auditstatus", a.postAuthed(a.mpAuditStatus))
	mux.HandleFunc("/wxa/get_latest_auditstatus", a.authed(a.mpLatestAuditStatus))
	mux.HandleFunc("/wxa/undocodeaudit", a.authed(a.mpUndoAudit))
	// PowerWeChat POSTs release with no body; WeChat's doc POSTs "{}".
	mux.HandleFunc("/wxa/release", a.postAuthed(a.mpRelease))
	mux.HandleFunc("/wxa/revertcoderelease", a.authed(a.mpRevertRelease))
	mux.HandleFunc("/wxa/grayrelease", a.postAuthed(a.mpGrayRelease))
	mux.HandleFunc("/wxa/revertgrayrelease", a.authed(a.mpRevertGray))
	mux.HandleFunc("/wxa/getgrayreleaseplan", a.authed(a.mpGrayPlan))
	mux.HandleFunc("/wxa/bind_tester", a.postAuthed(a.mpBindTester))
	mux.HandleFunc("/wxa/unbind_tester", a.postAuthed(a.mpUnbindTester))
	mux.HandleFunc("/wxa/memberauth", a.postAuthed(a.mpMemberAuth))
}

// miniProgramOnly refuses official accounts' tokens on the mini program
// platform's endpoints (code management, codes and links, subscribe
// messages) with 48001, as WeChat answers an app without the permission.
func miniProgramOnly(app *account.App) error { return requireKind(app, account.MiniProgram) }

var releaseErrors = domainErrors{
	{release.ErrVersionNotFound, errMPTemplateNotExist},
	{release.ErrBadExtJSON, errMPInvalidExtJSON},
	{release.ErrNoTrial, errMPNoCode},
	{release.ErrAuditNotFound, errMPInvalidAuditID},
	{release.ErrNoAudit, errMPNoAuditedVersion},
	{release.ErrAlreadyReleased, errMPAlreadyReleased},
	{release.ErrNoOnline, errMPNoOnline},
	{release.ErrBadPercentage, errMPInvalidPercentage},
	{release.ErrPercentageNotHigher, errMPPercentageNotHiger},
	{release.ErrCannotRollback, errMPCannotRollback},
	{release.ErrNoGrayPlan, errMPNoGrayPlan},
	// undocodeaudit with nothing in review: the audit id it would withdraw is invalid.
	{release.ErrAuditNotPending, errMPInvalidAuditID},
	{release.ErrBadInput, ErrInvalidParameter},
}

// releaseError maps the domain's errors; ErrRestricted (whose message names
// the app), ErrNotApproved and ErrGrayInProgress depend on the endpoint and
// are mapped by the callers.
func releaseError(err error) error {
	if e := releaseErrors.mapped(err); e != nil {
		return e
	}
	return err
}

// restrictedDetail names the operator command that lifts the restriction
// (the domain's message names the app).
func restrictedDetail(err error, appid string) string {
	d := strings.TrimPrefix(err.Error(), release.ErrRestricted.Error())
	d = strings.TrimPrefix(strings.TrimSpace(d), ": ")
	if !strings.Contains(d, "superapp review unrestrict") {
		d += "; the operator lifts it with `superapp review unrestrict --appid APPID`"
	}
	return release.ErrRestricted.Error() + " " + strings.ReplaceAll(d, "--appid APPID", "--appid "+appid)
}

// POST /wxa/commit {"template_id","ext_json","user_version","user_desc"}:
// template_id names one of the app's dev versions (our equivalent of a
// third-party template) and that version becomes the trial version.
func (a *API) mpCommit(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := miniProgramOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		TemplateID  json.RawMessage `json:"template_id"`
		ExtJSON     json.RawMessage `json:"ext_json"`
		UserVersion string          `json:"user_version"`
		UserDesc    string          `json:"user_desc"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	id, ok := templateID(req.TemplateID)
	if !ok {
		return nil, errMPTemplateNotExist.With(", template_id must name one of the app's uploaded versions")
	}
	ext, ok := extJSON(req.ExtJSON)
	if !ok {
		return nil, errMPInvalidExtJSON.With(", ext_json must be a string holding a JSON object")
	}
	_, err := a.p.Releases.Commit(ctx(r), app.AppID, release.CommitInput{
		VersionID: id, ExtJSON: ext, UserVersion: req.UserVersion, UserDesc: req.UserDesc,
	})
	if err != nil {
		return nil, releaseError(err)
	}
	return OK(), nil
}

// templateID reads template_id as a positive number or a string of digits:
// PowerWeChat sends it as a string (WeChat is said to refuse quoted ids with
// 85014; SDK compatibility wins, docs/miniprogram-platform.md).
func templateID(raw json.RawMessage) (int64, bool) {
	var f flexID
	if len(raw) == 0 || json.Unmarshal(raw, &f) != nil || f <= 0 {
		return 0, false
	}
	return int64(f), true
}

// extJSON is ext_json as text: WeChat's is a string holding JSON; an object
// sent as is is taken too. The domain checks it is a JSON object.
func extJSON(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", true
	}
	if raw[0] == '{' {
		return string(raw), true
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

type pageListBody struct {
	ErrorBody
	PageList []string `json:"page_list"`
}

// GET /wxa/get_page → the trial version's pages.
func (a *API) mpGetPage(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := miniProgramOnly(app); err != nil {
		return nil, err
	}
	v, _, err := a.p.Releases.Trial(ctx(r), app.AppID)
	if err != nil {
		return nil, releaseError(err)
	}
	pages := v.Pages
	if pages == nil {
		pages = []string{}
	}
	return pageListBody{OK(), pages}, nil
}

// TrialQRSize is the side of get_qrcode's image in pixels (WeChat's trial
// code is 430 px too).
const TrialQRSize = 430

// GET /wxa/get_qrcode?path= → a JPEG QR code of the trial version's launch
// URL; errors are JSON as usual.
func (a *API) mpTrialQRCode(w http.ResponseWriter, r *http.Request) {
	var img []byte
	a.authed(func(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
		if err := miniProgramOnly(app); err != nil {
			return nil, err
		}
		if _, _, err := a.p.Releases.Trial(ctx(r), app.AppID); err != nil {
			return nil, releaseError(err)
		}
		launch := TrialLaunchURL(a.baseURL(r), app.AppID, r.URL.Query().Get("path"))
		code, err := wxacode.QRCodeJPEG(launch, TrialQRSize, nil)
		if errors.Is(err, wxacode.ErrPath) {
			return nil, ErrInvalidParameter.With(", path is too long for a code")
		}
		if err != nil {
			return nil, err
		}
		img = code
		return nil, nil
	})(w, r)
	if img == nil {
		return // the error is written
	}
	h := w.Header()
	h.Set("Content-Type", "image/jpeg")
	h.Set("Content-Length", strconv.Itoa(len(img)))
	// The trial version changes on every commit.
	h.Set("Cache-Control", "no-store")
	w.Write(img)
}

// TrialLaunchURL is the shell URL that opens appid's trial version at path
// (which may carry a query, as WeChat's get_qrcode path does).
func TrialLaunchURL(base, appid, path string) string {
	q := url.Values{}
	page, query, _ := strings.Cut(path, "?")
	if page = strings.TrimPrefix(page, "/"); page != "" {
		q.Set("path", page)
	}
	if query != "" {
		q.Set("query", query)
	}
	q.Set("env_version", "trial")
	return base + "/miniprogram/" + url.PathEscape(appid) + "?" + q.Encode()
}

type submitAuditBody struct {
	ErrorBody
	AuditID int64 `json:"auditid"`
}

// POST /wxa/submit_audit {"item_list":[…],"version_desc",…} → {"auditid"}.
// The automated review runs at once; a reject finding rejects the audit
// (get_auditstatus tells), otherwise it waits for the operator.
func (a *API) mpSubmitAudit(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := miniProgramOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		ItemList    json.RawMessage `json:"item_list"`
		VersionDesc string          `json:"version_desc"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	items := bytes.TrimSpace(req.ItemList)
	if len(items) > 0 && string(items) != "null" {
		var list []map[string]any
		if json.Unmarshal(items, &list) != nil {
			return nil, ErrDataFormat.With(", item_list must be an array of objects")
		}
		if len(list) > maxItemList {
			return nil, ErrInvalidParameter.With(", item_list has " + strconv.Itoa(len(list)) + " items, at most 5")
		}
	} else {
		items = nil
	}
	au, err := a.p.Releases.SubmitAudit(ctx(r), app.AppID, release.SubmitInput{
		ItemList: json.RawMessage(items), VersionDesc: req.VersionDesc, Submitter: "api",
	})
	if errors.Is(err, release.ErrRestricted) {
		return nil, errMPRestricted.With(", " + restrictedDetail(err, app.AppID))
	}
	if err != nil {
		return nil, releaseError(err)
	}
	return submitAuditBody{OK(), au.ID}, nil
}

// auditStatusBody is get_auditstatus's answer (lower-case screenshot).
type auditStatusBody struct {
	ErrorBody
	Status     int    `json:"status"`
	Reason     string `json:"reason,omitempty"`
	ScreenShot string `json:"screenshot"`
}

// POST /wxa/get_auditstatus {"auditid"}.
func (a *API) mpAuditStatus(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := miniProgramOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		AuditID flexID `json:"auditid"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	if req.AuditID <= 0 {
		return nil, errMPInvalidAuditID.With(", auditid is required")
	}
	au, err := a.p.Releases.Audit(ctx(r), app.AppID, int64(req.AuditID))
	if err != nil {
		return nil, releaseError(err)
	}
	return auditStatusBody{ErrorBody: OK(), Status: int(au.Status), Reason: auditReason(au)}, nil
}

// auditReason is the reason WeChat gives: only for rejected and delayed audits.
func auditReason(au *release.Audit) string {
	if au.Status == release.AuditRejected || au.Status == release.AuditDelayed {
		return au.Reason
	}
	return ""
}

// latestAuditBody is get_latest_auditstatus's answer. WeChat's example
// spells ScreenShot, its field table screenshot; PowerWeChat reads the
// former, so both are sent.
type latestAuditBody struct {
	ErrorBody
	AuditID         int64  `json:"auditid"`
	Status          int    `json:"status"`
	Reason          string `json:"reason,omitempty"`
	ScreenShot      string `json:"ScreenShot"`
	Screenshot      string `json:"screenshot"`
	UserVersion     string `json:"user_version"`
	UserDesc        string `json:"user_desc"`
	SubmitAuditTime int64  `json:"submit_audit_time"`
}

// GET /wxa/get_latest_auditstatus.
func (a *API) mpLatestAuditStatus(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := miniProgramOnly(app); err != nil {
		return nil, err
	}
	au, err := a.p.Releases.LatestAudit(ctx(r), app.AppID)
	if err != nil {
		return nil, releaseError(err)
	}
	return latestAuditBody{ErrorBody: OK(), AuditID: au.ID, Status: int(au.Status), Reason: auditReason(au),
		UserVersion: au.UserVersion, UserDesc: au.UserDesc, SubmitAuditTime: au.SubmittedAt}, nil
}

// GET /wxa/undocodeaudit withdraws the audit in review.
func (a *API) mpUndoAudit(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := miniProgramOnly(app); err != nil {
		return nil, err
	}
	if err := a.p.Releases.UndoAudit(ctx(r), app.AppID); err != nil {
		return nil, releaseError(err)
	}
	return OK(), nil
}

// POST /wxa/release puts the approved version online.
func (a *API) mpRelease(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := miniProgramOnly(app); err != nil {
		return nil, err
	}
	// The body is "{}" or nothing; a malformed one is still 47001.
	var req struct{}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	_, err := a.p.Releases.Release(ctx(r), app.AppID)
	switch {
	case errors.Is(err, release.ErrNotApproved):
		return nil, errMPAuditNotApproved.With(domainDetail(err, release.ErrNotApproved))
	case errors.Is(err, release.ErrGrayInProgress):
		return nil, errMPGrayInProgress.With(", revert it or raise it to 100 first")
	case err != nil:
		return nil, releaseError(err)
	}
	return OK(), nil
}

type historyVersion struct {
	AppVersion  int64  `json:"app_version"`
	UserVersion string `json:"user_version"`
	UserDesc    string `json:"user_desc"`
	CommitTime  int64  `json:"commit_time"`
}

type historyBody struct {
	ErrorBody
	VersionList []historyVersion `json:"version_list"`
}

// GET /wxa/revertcoderelease[?app_version=N] rolls back to the previous
// online version (or the named one of the last 5);
// ?action=get_history_version lists those versions instead.
func (a *API) mpRevertRelease(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := miniProgramOnly(app); err != nil {
		return nil, err
	}
	if err := parseForm(r); err != nil {
		return nil, err
	}
	switch action := param(r, "action"); action {
	case "get_history_version":
		hist, err := a.p.Releases.History(ctx(r), app.AppID)
		if err != nil {
			return nil, releaseError(err)
		}
		list := make([]historyVersion, 0, len(hist))
		for _, h := range hist {
			list = append(list, historyVersion{AppVersion: h.ID, UserVersion: h.UserVersion, UserDesc: h.UserDesc, CommitTime: h.CreatedAt})
		}
		return historyBody{OK(), list}, nil
	case "":
	default:
		return nil, ErrInvalidParameter.With(", action " + strconv.Quote(action) + " is not get_history_version")
	}
	var target int64
	if s := param(r, "app_version"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return nil, ErrInvalidParameter.With(", app_version must be a positive integer")
		}
		target = n
	}
	_, err := a.p.Releases.Rollback(ctx(r), app.AppID, target)
	switch {
	case errors.Is(err, release.ErrGrayInProgress):
		return nil, errMPRollbackInGray
	case errors.Is(err, release.ErrVersionNotFound):
		return nil, errMPCannotRollback.With(", app_version " + strconv.FormatInt(target, 10) + " is not one of the last released versions")
	case err != nil:
		return nil, releaseError(err)
	}
	return OK(), nil
}

// POST /wxa/grayrelease {"gray_percentage","support_debuger_first",
// "support_experiencer_first","named_openids"}; named_openids (beyond
// WeChat) are OpenIDs of this app that get the gray version whatever their
// bucket.
func (a *API) mpGrayRelease(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := miniProgramOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		Percentage       flexID   `json:"gray_percentage"`
		DebuggerFirst    bool     `json:"support_debuger_first"`
		ExperiencerFirst bool     `json:"support_experiencer_first"`
		NamedOpenIDs     []string `json:"named_openids"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	if req.Percentage < 0 || req.Percentage > 100 {
		return nil, errMPInvalidPercentage.With(", gray_percentage must be 0 to 100")
	}
	// Checked before the look-ups below, one query per OpenID.
	if n := len(req.NamedOpenIDs); n > release.MaxNamedOpenIDs {
		return nil, ErrInvalidParameter.With(", named_openids has " + strconv.Itoa(n) + " entries, at most " + strconv.Itoa(release.MaxNamedOpenIDs))
	}
	seen := map[string]bool{}
	named := make([]string, 0, len(req.NamedOpenIDs))
	for _, o := range req.NamedOpenIDs {
		if seen[o] {
			continue
		}
		seen[o] = true
		if !input.Storable(o) {
			return nil, ErrInvalidOpenID.With(", named_openids holds text that is not an OpenID")
		}
		// Only this app's OpenIDs: another app's are unknown here too.
		if _, err := a.p.Identity.ByOpenID(ctx(r), app.AppID, o); err != nil {
			// An OpenID whose user is gone is no user either.
			if errors.Is(err, identity.ErrOpenIDNotFound) || errors.Is(err, identity.ErrUserNotFound) {
				return nil, ErrInvalidOpenID.With(", " + strconv.Quote(o) + " in named_openids is not a user of this mini program")
			}
			return nil, err
		}
		named = append(named, o)
	}
	_, err := a.p.Releases.Gray(ctx(r), app.AppID, release.GrayInput{
		Percentage: int(req.Percentage), ExperiencerFirst: req.ExperiencerFirst, DebuggerFirst: req.DebuggerFirst, NamedOpenIDs: named,
	})
	if errors.Is(err, release.ErrNotApproved) || errors.Is(err, release.ErrNoAudit) {
		return nil, errMPGrayNotApproved.With(domainDetail(err, release.ErrNotApproved))
	}
	if err != nil {
		return nil, releaseError(err)
	}
	return OK(), nil
}

// GET /wxa/revertgrayrelease sends every user back to the online version.
func (a *API) mpRevertGray(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := miniProgramOnly(app); err != nil {
		return nil, err
	}
	if err := a.p.Releases.RevertGray(ctx(r), app.AppID); err != nil {
		return nil, releaseError(err)
	}
	return OK(), nil
}

type grayPlanWire struct {
	Status           int      `json:"status"`
	CreateTimestamp  int64    `json:"create_timestamp"`
	Percentage       int      `json:"gray_percentage"`
	ExperiencerFirst bool     `json:"support_experiencer_first"`
	DebuggerFirst    bool     `json:"support_debuger_first"`
	NamedOpenIDs     []string `json:"named_openids,omitempty"`
}

type grayPlanBody struct {
	ErrorBody
	Plan grayPlanWire `json:"gray_release_plan"`
}

// GET /wxa/getgrayreleaseplan; with no plan WeChat answers an empty plan
// (status 0), which SDKs read without special cases.
func (a *API) mpGrayPlan(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := miniProgramOnly(app); err != nil {
		return nil, err
	}
	p, err := a.p.Releases.GrayPlan(ctx(r), app.AppID)
	if errors.Is(err, release.ErrNoGrayPlan) {
		return grayPlanBody{ErrorBody: OK()}, nil
	}
	if err != nil {
		return nil, releaseError(err)
	}
	return grayPlanBody{OK(), grayPlanWire{Status: int(p.Status), CreateTimestamp: p.CreatedAt, Percentage: p.Percentage,
		ExperiencerFirst: p.ExperiencerFirst, DebuggerFirst: p.DebuggerFirst, NamedOpenIDs: p.NamedOpenIDs}}, nil
}

// Testers. WeChat's wechatid is a user's searchable WeChat ID; ours is what
// identifies a user to people: the phone number or the user's unique name
// (identity.FindUser, which also takes the user id). The userstr WeChat
// answers with is the user's OpenID in this app: stable, and meaningless
// to other apps.

type bindTesterBody struct {
	ErrorBody
	UserStr string `json:"userstr"`
}

// POST /wxa/bind_tester {"wechatid"} → {"userstr"}.
func (a *API) mpBindTester(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := miniProgramOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		WechatID string `json:"wechatid"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	u, err := a.tester(r, req.WechatID)
	if err != nil {
		return nil, err
	}
	members, err := a.p.Releases.Members(ctx(r), app.AppID)
	if err != nil {
		return nil, releaseError(err)
	}
	for _, m := range members {
		if m.UserID == u.ID && m.Role == release.RoleTrial {
			return nil, errMPTesterBound
		}
	}
	openid, err := a.p.Identity.Enroll(ctx(r), app.AppID, u.ID)
	if err != nil {
		return nil, err
	}
	if err := a.p.Releases.AddMember(ctx(r), app.AppID, u.ID, release.RoleTrial); err != nil {
		return nil, releaseError(err)
	}
	return bindTesterBody{OK(), openid}, nil
}

// tester finds the user a wechatid names.
func (a *API) tester(r *http.Request, wechatID string) (*identity.User, error) {
	wechatID = strings.TrimSpace(wechatID)
	if wechatID == "" || !utf8.ValidString(wechatID) || strings.ContainsRune(wechatID, 0) || len(wechatID) > 64 {
		return nil, errMPTesterNotFound
	}
	u, err := a.p.Identity.FindUser(ctx(r), wechatID)
	if errors.Is(err, identity.ErrUserNotFound) || errors.Is(err, identity.ErrAmbiguousUser) {
		return nil, errMPTesterNotFound
	}
	return u, err
}

// POST /wxa/unbind_tester {"wechatid"} or {"userstr"}.
func (a *API) mpUnbindTester(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := miniProgramOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		WechatID string `json:"wechatid"`
		UserStr  string `json:"userstr"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	var userID string
	switch {
	case req.UserStr != "":
		if !input.Storable(req.UserStr) {
			return nil, errMPTesterNotBound
		}
		u, err := a.p.Identity.ByOpenID(ctx(r), app.AppID, req.UserStr)
		if errors.Is(err, identity.ErrOpenIDNotFound) {
			return nil, errMPTesterNotBound
		}
		if err != nil {
			return nil, err
		}
		userID = u.ID
	default:
		u, err := a.tester(r, req.WechatID)
		if err != nil {
			return nil, err
		}
		userID = u.ID
	}
	members, err := a.p.Releases.Members(ctx(r), app.AppID)
	if err != nil {
		return nil, releaseError(err)
	}
	bound := false
	for _, m := range members {
		bound = bound || (m.UserID == userID && m.Role == release.RoleTrial)
	}
	if !bound {
		return nil, errMPTesterNotBound
	}
	if err := a.p.Releases.RemoveMember(ctx(r), app.AppID, userID, release.RoleTrial); err != nil {
		return nil, releaseError(err)
	}
	return OK(), nil
}

type memberAuthBody struct {
	ErrorBody
	Members []memberStr `json:"members"`
}

type memberStr struct {
	UserStr string `json:"userstr"`
}

// POST /wxa/memberauth {"action":"get_experiencer"} → {"members":[{"userstr"}]}.
func (a *API) mpMemberAuth(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := miniProgramOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		Action string `json:"action"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	if req.Action != "get_experiencer" {
		return nil, ErrInvalidParameter.With(", action must be get_experiencer")
	}
	members, err := a.p.Releases.Members(ctx(r), app.AppID)
	if err != nil {
		return nil, releaseError(err)
	}
	out := []memberStr{}
	for _, m := range members {
		if m.Role == release.RoleTrial {
			out = append(out, memberStr{a.p.Identity.OpenID(app.AppID, m.UserID)})
		}
	}
	return memberAuthBody{OK(), out}, nil
}
