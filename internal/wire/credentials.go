package wire

import (
	"errors"
	"net/http"

	"superapp/internal/accesstoken"
	"superapp/internal/account"
	"superapp/internal/quota"
)

type tokenBody struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
}

func tokenError(err error) error {
	switch {
	case errors.Is(err, accesstoken.ErrInvalid):
		return ErrInvalidCredential
	case errors.Is(err, accesstoken.ErrExpired):
		return ErrAccessTokenExpired
	}
	return err
}

// GET /cgi-bin/token
func (a *API) token(w http.ResponseWriter, r *http.Request) (any, error) {
	q := r.URL.Query()
	appid, secret := q.Get("appid"), q.Get("secret")
	if appid == "" {
		return nil, ErrAppIDMissing
	}
	if secret == "" {
		return nil, ErrSecretMissing
	}
	if q.Get("grant_type") != "client_credential" {
		return nil, ErrInvalidGrantType
	}
	app, err := a.appBySecret(r, appid, secret)
	if err != nil {
		return nil, err
	}
	t, err := a.p.Tokens.Issue(ctx(r), app.AppID)
	if err != nil {
		return nil, err
	}
	return tokenBody{t.Token, t.ExpiresIn}, nil
}

// POST /cgi-bin/stable_token
func (a *API) stableToken(w http.ResponseWriter, r *http.Request) (any, error) {
	var req struct {
		GrantType    string `json:"grant_type"`
		AppID        string `json:"appid"`
		Secret       string `json:"secret"`
		ForceRefresh bool   `json:"force_refresh"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	if req.AppID == "" {
		return nil, ErrAppIDMissing
	}
	if req.Secret == "" {
		return nil, ErrSecretMissing
	}
	if req.GrantType != "client_credential" {
		return nil, ErrInvalidGrantType
	}
	app, err := a.appBySecret(r, req.AppID, req.Secret)
	if err != nil {
		return nil, err
	}
	t, err := a.p.Tokens.IssueStable(ctx(r), app.AppID, req.ForceRefresh)
	switch {
	case errors.Is(err, accesstoken.ErrForceTooOften):
		return nil, ErrDailyQuota.With(", force_refresh is limited to 20 calls a day")
	case errors.Is(err, accesstoken.ErrForceTooSoon):
		return nil, ErrTooFrequent.With(", force_refresh needs 30 seconds between calls")
	case err != nil:
		return nil, err
	}
	return tokenBody{t.Token, t.ExpiresIn}, nil
}

// POST /cgi-bin/openapi/quota/get
func (a *API) quotaGet(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	var req struct {
		CgiPath string `json:"cgi_path"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	if req.CgiPath == "" {
		return nil, ErrInvalidParameter.With(", cgi_path missing")
	}
	u, err := a.p.Quota.Get(ctx(r), app.AppID, req.CgiPath)
	if errors.Is(err, quota.ErrUnknownPath) {
		return nil, ErrCgiPathNotFound
	}
	if err != nil {
		return nil, err
	}
	return struct {
		ErrorBody
		Quota quota.Usage `json:"quota"`
	}{OK(), u}, nil
}

// POST /cgi-bin/clear_quota — a token clears only its own app's quota.
func (a *API) clearQuota(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if r.Method != http.MethodPost {
		return nil, ErrMethodNotAllowed
	}
	var req struct {
		AppID string `json:"appid"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	if req.AppID == "" {
		return nil, ErrAppIDMissing
	}
	if req.AppID != app.AppID {
		return nil, ErrInvalidAppID
	}
	return a.doClearQuota(r, app)
}

// POST /cgi-bin/clear_quota/v2 — appid and appsecret instead of a token.
func (a *API) clearQuotaV2(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := parseForm(r); err != nil {
		return nil, err
	}
	app, err := a.appBySecret(r, param(r, "appid"), param(r, "appsecret"))
	if err != nil {
		return nil, err
	}
	return a.doClearQuota(r, app)
}

func (a *API) doClearQuota(r *http.Request, app *account.App) (any, error) {
	err := a.p.Quota.Clear(ctx(r), app.AppID)
	if errors.Is(err, quota.ErrResetLimit) {
		return nil, ErrQuotaResetLimit
	}
	if err != nil {
		return nil, err
	}
	return OK(), nil
}

// GET /cgi-bin/getcallbackip and /cgi-bin/get_api_domain_ip: the addresses
// this server calls developers from and answers on.
func (a *API) callbackIPs(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	return struct {
		IPList []string `json:"ip_list"`
	}{[]string{"127.0.0.1"}}, nil
}

// GET /cgi-bin/account/getaccountbasicinfo
func (a *API) accountBasicInfo(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	sub, err := a.p.Accounts.CachedSubject(ctx(r), app.SubjectID)
	if err != nil {
		return nil, err
	}
	type verify struct {
		QualificationVerify bool `json:"qualification_verify"`
		NamingVerify        bool `json:"naming_verify"`
	}
	return struct {
		ErrorBody
		AppID          string `json:"appid"`
		AccountType    int    `json:"account_type"`
		PrincipalType  int    `json:"principal_type"`
		PrincipalName  string `json:"principal_name"`
		Nickname       string `json:"nickname"`
		RealnameStatus int    `json:"realname_status"`
		WxVerifyInfo   verify `json:"wx_verify_info"`
	}{
		ErrorBody: OK(), AppID: app.AppID, AccountType: accountTypes[app.Kind], PrincipalType: principalTypes[sub.Kind],
		PrincipalName: sub.Name, Nickname: app.Name, RealnameStatus: 1,
		WxVerifyInfo: verify{QualificationVerify: sub.Certified, NamingVerify: sub.Certified},
	}, nil
}

// WeChat's numeric account and principal types (getaccountbasicinfo).
var (
	accountTypes   = map[account.AppKind]int{account.SubscriptionAccount: 1, account.ServiceAccount: 2, account.MiniProgram: 3}
	principalTypes = map[account.SubjectKind]int{account.Individual: 0, account.Enterprise: 1, account.Media: 2,
		account.Government: 3, account.OtherOrganization: 4, account.IndividualBusiness: 1}
)
