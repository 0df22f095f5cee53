package host

// The shell's mini program API (/shell/api/mp/…), in the shell API's
// dialect (internal/shell/api.go): the signed-in user from the session
// cookie, JSON answers, {"error":{"code","message","field"}} with a 4xx or
// 5xx status, writes only as application/json from the same site.

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"superapp/internal/account"
	"superapp/internal/httpjson"
	"superapp/internal/identity"
	"superapp/internal/input"
	"superapp/internal/login"
	"superapp/internal/release"
)

// apiError is a refusal: {"error":{"code","message","field"}}.
type apiError = httpjson.Error

func apiErrorf(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

var (
	errNotSignedIn = apiErrorf(http.StatusUnauthorized, "not_signed_in", "You are not signed in.")
	errNoAPI       = apiErrorf(http.StatusNotFound, "not_found", "No such API.")
)

// apiHandler is one endpoint for a signed-in user about one mini program
// (appid "" for endpoints about none).
type apiHandler func(w http.ResponseWriter, r *http.Request, u *identity.User, appid string) (any, error)

func (h *Handler) route(r *http.Request) (map[string]apiHandler, string) {
	rest := strings.TrimPrefix(r.URL.Path, "/shell/api/mp/")
	if rest == "search" {
		return map[string]apiHandler{"GET": h.search}, ""
	}
	appid, sub, _ := strings.Cut(rest, "/")
	if appid == "" {
		return nil, ""
	}
	return map[string]map[string]apiHandler{
		"launch":        {"GET": h.launch},
		"login":         {"POST": h.login},
		"check-session": {"POST": h.checkSession},
		"user-profile":  {"POST": h.userProfile},
		"request":       {"POST": h.request},
		"scan":          {"POST": h.scan},
	}[sub], appid
}

func (h *Handler) api(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	methods, appid := h.route(r)
	if methods == nil {
		writeAPIError(w, r, errNoAPI)
		return
	}
	handle, ok := methods[r.Method]
	if !ok {
		for m := range methods {
			w.Header().Set("Allow", m)
		}
		writeAPIError(w, r, apiErrorf(http.StatusMethodNotAllowed, "method_not_allowed", "%s is not allowed here.", r.Method))
		return
	}
	if r.Method != http.MethodGet {
		if err := httpjson.CheckWrite(r); err != nil {
			writeAPIError(w, r, err)
			return
		}
	}
	u, err := h.currentUser(r)
	if err != nil {
		writeAPIError(w, r, err)
		return
	}
	if appid != "" && !input.Storable(appid) {
		writeAPIError(w, r, apiErrorf(http.StatusNotFound, "not_found", "No such mini program."))
		return
	}
	body, err := handle(w, r, u, appid)
	if err != nil {
		writeAPIError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, body)
}

func (h *Handler) currentUser(r *http.Request) (*identity.User, error) {
	c, err := r.Cookie(h.cfg.SessionCookie)
	if err != nil || c.Value == "" || !input.Storable(c.Value) {
		return nil, errNotSignedIn
	}
	u, err := h.cfg.Identity.SessionUser(r.Context(), c.Value)
	if errors.Is(err, identity.ErrSessionNotFound) || errors.Is(err, identity.ErrUserNotFound) {
		return nil, errNotSignedIn
	}
	return u, err
}

func writeAPIError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	var he *httpjson.Error
	var ie *InvalidError
	var ine *input.Error
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &he):
		ae = &apiError{Status: he.Status, Code: he.Code, Message: he.Message}
	case errors.As(err, &ie):
		ae = &apiError{Status: http.StatusBadRequest, Code: "invalid_input", Field: ie.Field, Message: ie.Error()}
	case errors.As(err, &ine):
		ae = &apiError{Status: http.StatusBadRequest, Code: "invalid_input", Field: ine.Field, Message: ine.Error()}
	case errors.Is(err, account.ErrAppNotFound), errors.Is(err, ErrNotMiniProgram):
		ae = apiErrorf(http.StatusNotFound, "not_found", "No such mini program.")
	case errors.Is(err, ErrNoBuild):
		ae = apiErrorf(http.StatusNotFound, "no_build", "This mini program has not been published yet.")
	case errors.Is(err, release.ErrNotMember):
		ae = apiErrorf(http.StatusForbidden, "not_member", "Only the mini program's trial and project members can open this version. Ask its developer to add you, or open the released version.")
	case errors.Is(err, release.ErrNoVersion):
		ae = apiErrorf(http.StatusNotFound, "no_version", "This version of the mini program does not exist yet.")
	default:
		slog.Error("shell mini program api", "method", r.Method, "path", r.URL.Path, "err", err)
		ae = apiErrorf(http.StatusInternalServerError, "internal", "Something went wrong on the server. Try again later.")
	}
	httpjson.Write(w, ae.Status, map[string]any{"error": ae})
}

// decodeBody reads a JSON body of at most limit bytes into v.
func decodeBody(r *http.Request, v any, limit int64) error {
	return httpjson.Decode(r, v, limit, false)
}

// LaunchAnswer is what the shell needs to start a mini program.
type LaunchAnswer struct {
	App      Summary         `json:"app"`
	Build    *Build          `json:"build"`
	Manifest json.RawMessage `json:"manifest"`
	// Runtime names the logic and view runtime files (content-hashed URLs).
	Runtime   map[string]string `json:"runtime"`
	Frame     string            `json:"frame"`
	AssetBase string            `json:"asset_base"`
	// Dev says the server does not check server domains.
	Dev bool `json:"dev"`
	// Version is which version runs: its id (0 for the dev-mode build) and
	// channel (online, gray, trial, develop or dev-build). The session
	// keeps it for its lifetime.
	Version *LaunchVersion `json:"version"`
	// ExtConfig is the ext_json committed with the version, for
	// wx.getExtConfigSync (absent when none).
	ExtConfig json.RawMessage `json:"ext_config,omitempty"`
}

// launchEnvs are the env_version values a launch accepts.
var launchEnvs = map[string]bool{"": true, "release": true, "trial": true, "develop": true}

func (h *Handler) launch(w http.ResponseWriter, r *http.Request, u *identity.User, appid string) (any, error) {
	app, err := h.cfg.Registry.MiniProgram(r.Context(), appid)
	if err != nil {
		return nil, err
	}
	env := r.URL.Query().Get("env_version")
	if !launchEnvs[env] {
		return nil, &apiError{Status: http.StatusBadRequest, Code: "invalid_input", Field: "env_version",
			Message: "env_version: must be release, trial or develop"}
	}
	b, manifest, version, err := h.cfg.Registry.Launch(r.Context(), appid, u.ID, env)
	if err != nil {
		return nil, err
	}
	var ext json.RawMessage
	if version.ExtJSON != "" {
		ext = json.RawMessage(version.ExtJSON)
	}
	// Where the build came from is the operator's business, not the user's.
	shown := *b
	shown.SourceDir = ""
	rt := map[string]string{}
	for key, name := range map[string]string{"logic": LogicFile, "view": ViewFile} {
		rt[key] = h.RuntimeURL(name)
		if rt[key] == "" {
			rt[key] = "/mp/runtime/" + name // answers 404 until the runtime is built in
		}
	}
	return LaunchAnswer{App: Summary{AppID: app.AppID, Name: app.Name}, Build: &shown, Manifest: manifest, Runtime: rt,
		Frame: "/mp/frame", AssetBase: "/mp/pkg/", Dev: h.cfg.Dev, Version: version, ExtConfig: ext}, nil
}

func (h *Handler) search(w http.ResponseWriter, r *http.Request, u *identity.User, _ string) (any, error) {
	list, err := h.cfg.Registry.Search(r.Context(), r.URL.Query().Get("q"))
	if err != nil {
		return nil, err
	}
	return map[string]any{"miniprograms": list}, nil
}

// login is wx.login: a code the developer's server exchanges through
// jscode2session for the user's openid and session key.
func (h *Handler) login(w http.ResponseWriter, r *http.Request, u *identity.User, appid string) (any, error) {
	if _, err := h.cfg.Registry.MiniProgram(r.Context(), appid); err != nil {
		return nil, err
	}
	code, err := h.cfg.Login.MintCode(r.Context(), appid, u.ID)
	if err != nil {
		return nil, err
	}
	return map[string]string{"code": code}, nil
}

// checkSession is wx.checkSession: whether the user's session key with the
// mini program (from the last jscode2session) is still valid. Keys do not
// expire here, so it is valid once a session exists.
func (h *Handler) checkSession(w http.ResponseWriter, r *http.Request, u *identity.User, appid string) (any, error) {
	if _, err := h.cfg.Registry.MiniProgram(r.Context(), appid); err != nil {
		return nil, err
	}
	_, err := h.cfg.Login.CurrentForUser(r.Context(), appid, u.ID)
	if errors.Is(err, login.ErrNoSession) {
		return map[string]bool{"valid": false}, nil
	}
	if err != nil {
		return nil, err
	}
	return map[string]bool{"valid": true}, nil
}

// userProfile is wx.getUserProfile after the user agreed in the shell's
// consent sheet: the profile, and the open data sealed under the session
// key when the user has signed in to the mini program (wx.login).
func (h *Handler) userProfile(w http.ResponseWriter, r *http.Request, u *identity.User, appid string) (any, error) {
	app, err := h.cfg.Registry.MiniProgram(r.Context(), appid)
	if err != nil {
		return nil, err
	}
	unionID := ""
	if app.OpenPlatformID != "" {
		unionID = h.cfg.Identity.UnionID(app.OpenPlatformID, u.ID)
	}
	info := map[string]any{"nickName": u.Name, "avatarUrl": u.AvatarURL, "gender": u.Gender, "country": u.Country,
		"province": u.Province, "city": u.City, "language": u.Language}
	od, err := h.cfg.Login.UserInfoData(r.Context(), appid, u, unionID)
	if errors.Is(err, login.ErrNoSession) {
		raw, _ := json.Marshal(info)
		return map[string]any{"userInfo": info, "rawData": string(raw)}, nil
	}
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(od)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	out["userInfo"] = info
	return out, nil
}
