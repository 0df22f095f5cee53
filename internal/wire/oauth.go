package wire

import (
	"errors"
	"net/http"

	"superapp/internal/account"
	"superapp/internal/oauth"
)

func oauthError(err error) error {
	switch {
	case errors.Is(err, oauth.ErrCodeInvalid):
		return ErrInvalidCode
	case errors.Is(err, oauth.ErrCodeUsed):
		return ErrCodeUsed
	case errors.Is(err, oauth.ErrCodeExpired):
		return ErrCodeExpired
	case errors.Is(err, oauth.ErrTokenInvalid):
		return ErrInvalidCredential
	case errors.Is(err, oauth.ErrTokenExpired):
		return ErrAccessTokenExpired
	case errors.Is(err, oauth.ErrRefreshInvalid):
		return ErrInvalidRefreshToken
	case errors.Is(err, oauth.ErrRefreshExpired):
		return ErrRefreshTokenExpired
	case errors.Is(err, oauth.ErrOpenIDMismatch):
		return ErrInvalidOpenID
	case errors.Is(err, oauth.ErrBadTicketType):
		return ErrInvalidParameter.With(", type must be jsapi or wx_card")
	}
	return err
}

type grantBody struct {
	AccessToken  string `json:"access_token"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	OpenID       string `json:"openid"`
	Scope        string `json:"scope"`
	UnionID      string `json:"unionid,omitempty"`
}

func (a *API) grant(app *account.App, g oauth.Grant) grantBody {
	b := grantBody{g.AccessToken, g.ExpiresIn, g.RefreshToken, g.OpenID, g.Scope, ""}
	if g.Scope == oauth.ScopeUserInfo {
		b.UnionID = a.unionID(app, g.UserID)
	}
	return b
}

// GET /sns/oauth2/access_token
func (a *API) oauthAccessToken(w http.ResponseWriter, r *http.Request) (any, error) {
	q := r.URL.Query()
	app, err := a.appBySecret(r, q.Get("appid"), q.Get("secret"))
	if err != nil {
		return nil, err
	}
	if q.Get("code") == "" {
		return nil, ErrCodeMissing
	}
	if q.Get("grant_type") != "authorization_code" {
		return nil, ErrInvalidGrantType
	}
	g, err := a.p.OAuth.Exchange(ctx(r), app.AppID, q.Get("code"))
	if err != nil {
		return nil, oauthError(err)
	}
	return a.grant(app, g), nil
}

// GET /sns/oauth2/refresh_token
func (a *API) oauthRefreshToken(w http.ResponseWriter, r *http.Request) (any, error) {
	q := r.URL.Query()
	if q.Get("appid") == "" {
		return nil, ErrAppIDMissing
	}
	if q.Get("grant_type") != "refresh_token" {
		return nil, ErrInvalidGrantType
	}
	if q.Get("refresh_token") == "" {
		return nil, ErrInvalidRefreshToken
	}
	app, err := a.p.Accounts.App(ctx(r), q.Get("appid"))
	if err != nil {
		return nil, appError(err)
	}
	if err := a.admit(r, app); err != nil {
		return nil, err
	}
	g, err := a.p.OAuth.Refresh(ctx(r), app.AppID, q.Get("refresh_token"))
	if err != nil {
		return nil, oauthError(err)
	}
	return a.grant(app, g), nil
}

// GET /sns/userinfo
func (a *API) snsUserInfo(w http.ResponseWriter, r *http.Request) (any, error) {
	q := r.URL.Query()
	if q.Get("access_token") == "" {
		return nil, ErrAccessTokenMissing
	}
	if q.Get("openid") == "" {
		return nil, ErrOpenIDMissing
	}
	g, appid, err := a.p.OAuth.Check(ctx(r), q.Get("access_token"), q.Get("openid"))
	if err != nil {
		return nil, oauthError(err)
	}
	if g.Scope != oauth.ScopeUserInfo {
		return nil, ErrAPIUnauthorized.With(", scope snsapi_base does not grant user info")
	}
	app, err := a.p.Accounts.App(ctx(r), appid)
	if err != nil {
		return nil, err
	}
	u, err := a.p.Identity.User(ctx(r), g.UserID)
	if err != nil {
		return nil, err
	}
	return struct {
		OpenID     string   `json:"openid"`
		Nickname   string   `json:"nickname"`
		Sex        int      `json:"sex"`
		Province   string   `json:"province"`
		City       string   `json:"city"`
		Country    string   `json:"country"`
		HeadImgURL string   `json:"headimgurl"`
		Privilege  []string `json:"privilege"`
		UnionID    string   `json:"unionid,omitempty"`
	}{g.OpenID, u.Name, u.Gender, u.Province, u.City, u.Country, u.AvatarURL, []string{}, a.unionID(app, u.ID)}, nil
}

// GET /sns/auth
func (a *API) snsAuth(w http.ResponseWriter, r *http.Request) (any, error) {
	q := r.URL.Query()
	if q.Get("access_token") == "" {
		return nil, ErrAccessTokenMissing
	}
	if q.Get("openid") == "" {
		return nil, ErrOpenIDMissing
	}
	if _, _, err := a.p.OAuth.Check(ctx(r), q.Get("access_token"), q.Get("openid")); err != nil {
		return nil, oauthError(err)
	}
	return OK(), nil
}

// GET /cgi-bin/ticket/getticket
func (a *API) ticket(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := requireKind(app, account.SubscriptionAccount, account.ServiceAccount); err != nil {
		return nil, err
	}
	typ := r.URL.Query().Get("type")
	if typ == "" {
		typ = "jsapi"
	}
	t, expiresIn, err := a.p.OAuth.Ticket(ctx(r), app.AppID, typ)
	if err != nil {
		return nil, oauthError(err)
	}
	return struct {
		ErrorBody
		Ticket    string `json:"ticket"`
		ExpiresIn int64  `json:"expires_in"`
	}{OK(), t, expiresIn}, nil
}
