package adminapi

// The operator's side of official account ↔ mini program association
// (`superapp oa mplink …`): ask for a link on an account's behalf, and —
// standing for the mini program's admin — confirm or refuse a pending one.
// Rules live in internal/officialaccount (miniprograms.go).

import (
	"errors"
	"net/http"

	"superapp/internal/account"
	"superapp/internal/officialaccount"
)

func (a *API) registerOAMPLinks(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/v1/apps/{appid}/miniprogram-links", a.operator(a.mpLinks))
	mux.HandleFunc("POST /admin/v1/apps/{appid}/miniprogram-links", a.operator(a.mpLinkAdd))
	mux.HandleFunc("POST /admin/v1/apps/{appid}/miniprogram-links/{mp}/confirm", a.operator(a.mpLinkConfirm))
	mux.HandleFunc("POST /admin/v1/apps/{appid}/miniprogram-links/{mp}/refuse", a.operator(a.mpLinkRefuse))
	mux.HandleFunc("DELETE /admin/v1/apps/{appid}/miniprogram-links/{mp}", a.operator(a.mpLinkRemove))
}

// mpLinkProblem maps the association's errors to answers; field names
// where the bad appid came from.
func (a *API) mpLinkProblem(r *http.Request, err error, mpField string) error {
	var le *officialaccount.LinkLimitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &le):
		return &Problem{Status: http.StatusConflict, Code: "limit_exceeded", Message: le.Msg}
	case errors.Is(err, officialaccount.ErrNotOfficialAccount):
		kind := "app"
		if app, aerr := a.p.Accounts.App(r.Context(), r.PathValue("appid")); aerr == nil {
			kind = string(app.Kind) + " account"
		}
		return badRequest("appid", r.PathValue("appid")+" is a "+kind+"; only subscription and service accounts link mini programs")
	case errors.Is(err, officialaccount.ErrNotMiniProgram):
		return badRequest(mpField, err.Error())
	case errors.Is(err, officialaccount.ErrMiniProgramNotLinked):
		return notFound(err.Error())
	case errors.Is(err, officialaccount.ErrMiniProgramLinked), errors.Is(err, officialaccount.ErrMiniProgramLinkWait),
		errors.Is(err, officialaccount.ErrMiniProgramLinkState):
		return &Problem{Status: http.StatusConflict, Code: "conflict", Message: err.Error()}
	}
	return err
}

// GET …/miniprogram-links: an account's links, or for a mini program the
// accounts linked (or asking) to it.
func (a *API) mpLinks(r *http.Request) (any, error) {
	app, err := a.p.Accounts.App(r.Context(), r.PathValue("appid"))
	if err != nil {
		return nil, err
	}
	var links []officialaccount.MPLink
	if app.Kind == account.MiniProgram {
		links, err = a.p.OA.MiniProgramAccounts(r.Context(), app.AppID)
	} else {
		links, err = a.p.OA.LinkedMiniPrograms(r.Context(), app.AppID)
	}
	if err != nil {
		return nil, a.mpLinkProblem(r, err, "appid")
	}
	return map[string]any{"appid": app.AppID, "kind": app.Kind, "links": links}, nil
}

// POST …/miniprogram-links {appid, show_profile?, notify_users?}: the
// account asks; show_profile defaults to true.
func (a *API) mpLinkAdd(r *http.Request) (any, error) {
	var req struct {
		AppID       string `json:"appid"`
		ShowProfile *bool  `json:"show_profile"`
		NotifyUsers bool   `json:"notify_users"`
	}
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	if req.AppID == "" {
		return nil, badRequest("appid", "is required: the mini program to link")
	}
	show := req.ShowProfile == nil || *req.ShowProfile
	l, err := a.p.OA.LinkMiniProgram(r.Context(), r.PathValue("appid"), req.AppID, show, req.NotifyUsers)
	if err != nil {
		return nil, a.mpLinkProblem(r, err, "appid")
	}
	return l, nil
}

func (a *API) mpLinkConfirm(r *http.Request) (any, error) {
	l, err := a.p.OA.ConfirmMiniProgramLink(r.Context(), r.PathValue("appid"), r.PathValue("mp"))
	return l, a.mpLinkProblem(r, err, "mp")
}

func (a *API) mpLinkRefuse(r *http.Request) (any, error) {
	l, err := a.p.OA.RefuseMiniProgramLink(r.Context(), r.PathValue("appid"), r.PathValue("mp"))
	return l, a.mpLinkProblem(r, err, "mp")
}

func (a *API) mpLinkRemove(r *http.Request) (any, error) {
	if err := a.p.OA.UnlinkMiniProgram(r.Context(), r.PathValue("appid"), r.PathValue("mp")); err != nil {
		return nil, a.mpLinkProblem(r, err, "mp")
	}
	return map[string]any{"removed": true, "oa_appid": r.PathValue("appid"), "appid": r.PathValue("mp")}, nil
}
