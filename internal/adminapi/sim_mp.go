package adminapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"superapp/internal/account"
	"superapp/internal/miniprogram/host"
	"superapp/internal/miniprogram/pack"
	"superapp/internal/release"
)

// simLaunchRequest is a user opening a mini program, as the shell's launch
// would: which version they get, on which page, with which scene.
type simLaunchRequest struct {
	AppID      string `json:"appid"`
	User       string `json:"user"`
	Path       string `json:"path"`
	Scene      int    `json:"scene"`
	EnvVersion string `json:"env_version"`
}

type simLaunchAnswer struct {
	AppID        string `json:"appid"`
	UserID       string `json:"user_id"`
	OpenID       string `json:"openid"`
	Version      int64  `json:"version"`
	Channel      string `json:"channel"`
	ManifestHash string `json:"manifest_hash"`
	Path         string `json:"path"`
	Query        string `json:"query,omitempty"`
	Scene        int    `json:"scene"`
}

func (a *API) simLaunch(r *http.Request) (any, error) {
	var req simLaunchRequest
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	if req.AppID == "" {
		return nil, badRequest("appid", "must not be empty")
	}
	if req.User == "" {
		return nil, badRequest("user", "must not be empty (a user id, phone number or unique name)")
	}
	if req.Scene == 0 {
		req.Scene = 1001 // Discover's recently used list, as the shell's own default
	} else if req.Scene < 1000 || req.Scene > 9999 {
		return nil, badRequest("scene", "must be a WeChat scene value (1000–9999), e.g. 1047 for a scanned mini program code")
	}
	app, err := a.p.Accounts.App(r.Context(), req.AppID)
	if err != nil {
		return nil, err
	}
	if app.Kind != account.MiniProgram {
		return nil, badRequest("appid", req.AppID+" is a "+string(app.Kind)+" account; only mini programs are launched")
	}
	u, err := a.p.Identity.FindUser(r.Context(), req.User)
	if err != nil {
		return nil, err
	}
	b, manifest, v, err := a.p.MiniPrograms.Launch(r.Context(), app.AppID, u.ID, req.EnvVersion)
	switch {
	case errors.Is(err, release.ErrNotMember), errors.Is(err, release.ErrBadInput):
		return nil, &Problem{Status: http.StatusForbidden, Code: "not_member", Message: err.Error()}
	case errors.Is(err, host.ErrNoBuild):
		return nil, notFound(req.AppID + " has no released version and no dev build: upload one and release it, or `superapp mp publish` a dev build")
	case err != nil:
		return nil, err
	}
	path, query, _ := strings.Cut(strings.TrimPrefix(req.Path, "/"), "?")
	if path == "" {
		path = entryPage(manifest)
	}
	return simLaunchAnswer{AppID: app.AppID, UserID: u.ID, OpenID: a.p.Identity.OpenID(app.AppID, u.ID), Version: v.ID, Channel: v.Channel,
		ManifestHash: b.ManifestHash, Path: path, Query: query, Scene: req.Scene}, nil
}

// entryPage is the page a launch without a path opens: app.json's
// entryPagePath, else its first page (as the runtime does).
func entryPage(manifest []byte) string {
	var m pack.Manifest
	if json.Unmarshal(manifest, &m) != nil {
		return ""
	}
	if p, ok := m.App["entryPagePath"].(string); ok && p != "" {
		return strings.TrimPrefix(p, "/")
	}
	if pages, ok := m.App["pages"].([]any); ok && len(pages) > 0 {
		p, _ := pages[0].(string)
		return p
	}
	return ""
}
