package adminapi

import (
	"net/http"

	"superapp/internal/account"
)

func (a *API) createSubject(r *http.Request) (any, error) {
	var req struct {
		Kind string `json:"kind"`
		Name string `json:"name"`
	}
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	kind, err := account.ParseSubjectKind(req.Kind)
	if err != nil {
		return nil, err
	}
	return a.p.Accounts.CreateSubject(r.Context(), kind, req.Name)
}

func (a *API) listSubjects(r *http.Request) (any, error) {
	return a.p.Accounts.Subjects(r.Context())
}

// AppCreated is the answer to app creation and secret reset: the only time
// the secret is shown.
type AppCreated struct {
	AppID  string `json:"appid"`
	Secret string `json:"secret"`
}

func (a *API) createApp(r *http.Request) (any, error) {
	var req struct {
		Kind      string `json:"kind"`
		Name      string `json:"name"`
		SubjectID string `json:"subject_id"`
	}
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	kind, err := account.ParseAppKind(req.Kind)
	if err != nil {
		return nil, err
	}
	app, secret, err := a.p.Accounts.CreateApp(r.Context(), kind, req.Name, req.SubjectID)
	if err != nil {
		return nil, err
	}
	return AppCreated{AppID: app.AppID, Secret: secret}, nil
}

func (a *API) listApps(r *http.Request) (any, error) {
	kind := account.AppKind(r.URL.Query().Get("kind"))
	if kind != "" {
		if _, err := account.ParseAppKind(string(kind)); err != nil {
			return nil, err
		}
	}
	return a.p.Accounts.Apps(r.Context(), kind)
}

func (a *API) getApp(r *http.Request) (any, error) {
	return a.p.Accounts.App(r.Context(), r.PathValue("appid"))
}

func (a *API) resetSecret(r *http.Request) (any, error) {
	secret, err := a.p.Accounts.ResetSecret(r.Context(), r.PathValue("appid"))
	if err != nil {
		return nil, err
	}
	return AppCreated{AppID: r.PathValue("appid"), Secret: secret}, nil
}

func (a *API) setIPWhitelist(r *http.Request) (any, error) {
	var req struct {
		IPs []string `json:"ips"`
	}
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	if err := a.p.Accounts.SetIPWhitelist(r.Context(), r.PathValue("appid"), req.IPs); err != nil {
		return nil, err
	}
	return a.p.Accounts.App(r.Context(), r.PathValue("appid"))
}

func (a *API) setOAuthDomains(r *http.Request) (any, error) {
	var req struct {
		Domains []string `json:"domains"`
	}
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	if err := a.p.Accounts.SetOAuthDomains(r.Context(), r.PathValue("appid"), req.Domains); err != nil {
		return nil, err
	}
	return a.p.Accounts.App(r.Context(), r.PathValue("appid"))
}

func (a *API) createOpenPlatform(r *http.Request) (any, error) {
	var req struct {
		Name      string `json:"name"`
		SubjectID string `json:"subject_id"`
	}
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	return a.p.Accounts.CreateOpenPlatform(r.Context(), req.SubjectID, req.Name)
}

func (a *API) listOpenPlatforms(r *http.Request) (any, error) {
	return a.p.Accounts.OpenPlatforms(r.Context())
}

type bindRequest struct {
	AppID string `json:"appid"`
}

func (a *API) bind(r *http.Request) (any, error) {
	var req bindRequest
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	if req.AppID == "" {
		return nil, badRequest("appid", "must not be empty")
	}
	if err := a.p.Accounts.Bind(r.Context(), r.PathValue("id"), req.AppID); err != nil {
		return nil, err
	}
	return a.p.Accounts.App(r.Context(), req.AppID)
}

func (a *API) unbind(r *http.Request) (any, error) {
	var req bindRequest
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	if req.AppID == "" {
		return nil, badRequest("appid", "must not be empty")
	}
	if err := a.p.Accounts.Unbind(r.Context(), r.PathValue("id"), req.AppID); err != nil {
		return nil, err
	}
	return a.p.Accounts.App(r.Context(), req.AppID)
}

func (a *API) policy(r *http.Request) (any, error) {
	o := a.p.Options
	return struct {
		Accounts  any `json:"accounts"`
		Quota     any `json:"quota"`
		OA        any `json:"official_accounts"`
		Releases  any `json:"releases"`
		Codes     any `json:"codes"`
		Subscribe any `json:"subscribe_messages"`
		Nearby    any `json:"nearby"`
	}{o.AccountPolicy, o.QuotaPolicy, o.OAPolicy, o.ReleasePolicy, o.CodePolicy, o.SubMsgPolicy, o.NearbyPolicy}, nil
}
