package adminapi

import (
	"errors"
	"net/http"

	"superapp/internal/account"
	"superapp/internal/identity"
	"superapp/internal/login"
	"superapp/internal/oauth"
)

func (a *API) simCreateUser(r *http.Request) (any, error) {
	var req struct {
		Name     string `json:"name"`
		Phone    string `json:"phone"`
		Password string `json:"password"`
	}
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	return a.p.Identity.CreateUser(r.Context(), identity.NewUser{Name: req.Name, Phone: req.Phone, Password: req.Password, TestUser: true})
}

func (a *API) simGetUser(r *http.Request) (any, error) {
	return a.p.Identity.FindUser(r.Context(), r.PathValue("user"))
}

type appUser struct {
	AppID string `json:"appid"`
	User  string `json:"user"`
	Scope string `json:"scope,omitempty"`
}

// resolve reads {appid, user} and checks both exist and the app is of a kind
// the action applies to.
func (a *API) resolve(r *http.Request, kinds ...account.AppKind) (*account.App, *identity.User, appUser, error) {
	var req appUser
	if err := decode(r, &req); err != nil {
		return nil, nil, req, err
	}
	if req.AppID == "" {
		return nil, nil, req, badRequest("appid", "must not be empty")
	}
	if req.User == "" {
		return nil, nil, req, badRequest("user", "must not be empty (a user id, phone number or unique name)")
	}
	app, err := a.p.Accounts.App(r.Context(), req.AppID)
	if err != nil {
		return nil, nil, req, err
	}
	ok := len(kinds) == 0
	for _, k := range kinds {
		ok = ok || app.Kind == k
	}
	if !ok {
		return nil, nil, req, badRequest("appid", req.AppID+" is a "+string(app.Kind)+" account; this action needs a "+string(kinds[0]))
	}
	u, err := a.p.Identity.FindUser(r.Context(), req.User)
	if err != nil {
		return nil, nil, req, err
	}
	return app, u, req, nil
}

type codeAnswer struct {
	Code   string `json:"code"`
	OpenID string `json:"openid"`
}

func (a *API) simLoginCode(r *http.Request) (any, error) {
	app, u, _, err := a.resolve(r, account.MiniProgram)
	if err != nil {
		return nil, err
	}
	code, err := a.p.Login.MintCode(r.Context(), app.AppID, u.ID)
	if err != nil {
		return nil, err
	}
	return codeAnswer{code, a.p.Identity.OpenID(app.AppID, u.ID)}, nil
}

func (a *API) simPhoneCode(r *http.Request) (any, error) {
	app, u, _, err := a.resolve(r, account.MiniProgram)
	if err != nil {
		return nil, err
	}
	if u.Phone == "" {
		return nil, badRequest("user", u.ID+" has no phone number; create the user with --phone")
	}
	code, err := a.p.Login.MintPhoneCode(r.Context(), app.AppID, u.ID)
	if err != nil {
		return nil, err
	}
	return codeAnswer{code, a.p.Identity.OpenID(app.AppID, u.ID)}, nil
}

func sessionProblem(err error) error {
	if errors.Is(err, login.ErrNoSession) {
		return &Problem{Status: http.StatusConflict, Code: "no_session", Message: err.Error()}
	}
	return err
}

func (a *API) simUserProfile(r *http.Request) (any, error) {
	app, u, _, err := a.resolve(r, account.MiniProgram)
	if err != nil {
		return nil, err
	}
	unionID := ""
	if app.OpenPlatformID != "" {
		unionID = a.p.Identity.UnionID(app.OpenPlatformID, u.ID)
	}
	od, err := a.p.Login.UserInfoData(r.Context(), app.AppID, u, unionID)
	return od, sessionProblem(err)
}

func (a *API) simPhoneData(r *http.Request) (any, error) {
	app, u, _, err := a.resolve(r, account.MiniProgram)
	if err != nil {
		return nil, err
	}
	if u.Phone == "" {
		return nil, badRequest("user", u.ID+" has no phone number")
	}
	od, err := a.p.Login.PhoneData(r.Context(), app.AppID, u)
	return od, sessionProblem(err)
}

func (a *API) simOAuthCode(r *http.Request) (any, error) {
	app, u, req, err := a.resolve(r, account.SubscriptionAccount, account.ServiceAccount)
	if err != nil {
		return nil, err
	}
	if req.Scope == "" {
		req.Scope = oauth.ScopeBase
	}
	if !oauth.ValidScope(req.Scope) {
		return nil, badRequest("scope", "must be snsapi_base or snsapi_userinfo")
	}
	code, err := a.p.OAuth.MintCode(r.Context(), app.AppID, u.ID, req.Scope)
	if err != nil {
		return nil, err
	}
	return codeAnswer{code, a.p.Identity.OpenID(app.AppID, u.ID)}, nil
}

func (a *API) simJSSDKConfig(r *http.Request) (any, error) {
	var req struct {
		AppID     string `json:"appid"`
		URL       string `json:"url"`
		NonceStr  string `json:"nonceStr"`
		Timestamp string `json:"timestamp"`
		Signature string `json:"signature"`
	}
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	for _, f := range []struct{ name, v string }{{"appid", req.AppID}, {"url", req.URL}, {"nonceStr", req.NonceStr}, {"timestamp", req.Timestamp}, {"signature", req.Signature}} {
		if f.v == "" {
			return nil, badRequest(f.name, "must not be empty")
		}
	}
	if _, err := a.p.Accounts.App(r.Context(), req.AppID); err != nil {
		return nil, err
	}
	if err := a.p.OAuth.VerifyConfig(r.Context(), req.AppID, req.URL, req.NonceStr, req.Timestamp, req.Signature); err != nil {
		if errors.Is(err, oauth.ErrConfigSignature) {
			return nil, &Problem{Status: http.StatusForbidden, Code: "invalid_signature", Message: "config:invalid signature (checked against the app's current jsapi ticket)"}
		}
		return nil, err
	}
	return map[string]any{"errMsg": "config:ok"}, nil
}
