package wire

import (
	"errors"
	"net/http"

	"superapp/internal/account"
	"superapp/internal/login"
)

func loginError(err error) error {
	switch {
	case errors.Is(err, login.ErrCodeInvalid):
		return ErrInvalidCode
	case errors.Is(err, login.ErrCodeUsed):
		return ErrCodeUsed
	case errors.Is(err, login.ErrNoSession):
		return ErrInvalidOpenID
	case errors.Is(err, login.ErrBadSignature):
		return ErrInvalidSignature
	case errors.Is(err, login.ErrNoPhone):
		return ErrInvalidCode.With(", " + login.ErrNoPhone.Error())
	case errors.Is(err, login.ErrOtherUser):
		return ErrInvalidOpenID.With(", " + login.ErrOtherUser.Error())
	case errors.Is(err, login.ErrBadSigMethod):
		return ErrInvalidParameter.With(", sig_method must be hmac_sha256")
	}
	return err
}

// unionID is the user's UnionID as app may see it: only when app is bound to
// an open-platform account.
func (a *API) unionID(app *account.App, userID string) string {
	if app.OpenPlatformID == "" {
		return ""
	}
	return a.p.Identity.UnionID(app.OpenPlatformID, userID)
}

// GET /sns/jscode2session
func (a *API) jscode2session(w http.ResponseWriter, r *http.Request) (any, error) {
	q := r.URL.Query()
	app, err := a.appBySecret(r, q.Get("appid"), q.Get("secret"))
	if err != nil {
		return nil, err
	}
	if app.Kind != account.MiniProgram {
		return nil, ErrInvalidAppID.With(", " + string(app.Kind) + " accounts have no mini program login")
	}
	if q.Get("js_code") == "" {
		return nil, ErrCodeMissing
	}
	if gt := q.Get("grant_type"); gt != "" && gt != "authorization_code" {
		return nil, ErrInvalidGrantType
	}
	sess, err := a.p.Login.Exchange(ctx(r), app.AppID, q.Get("js_code"))
	if err != nil {
		return nil, loginError(err)
	}
	return struct {
		OpenID     string `json:"openid"`
		SessionKey string `json:"session_key"`
		UnionID    string `json:"unionid,omitempty"`
	}{sess.OpenID, sess.SessionKey, a.unionID(app, sess.UserID)}, nil
}

func sessionParams(r *http.Request) (openid, signature, method string, err error) {
	q := r.URL.Query()
	openid, signature, method = q.Get("openid"), q.Get("signature"), q.Get("sig_method")
	switch {
	case openid == "":
		err = ErrOpenIDMissing
	case signature == "":
		err = ErrInvalidSignature
	}
	return
}

// GET /wxa/checksession
func (a *API) checkSession(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := requireKind(app, account.MiniProgram); err != nil {
		return nil, err
	}
	openid, sig, method, err := sessionParams(r)
	if err != nil {
		return nil, err
	}
	if err := a.p.Login.CheckSession(ctx(r), app.AppID, openid, sig, method); err != nil {
		return nil, loginError(err)
	}
	return OK(), nil
}

// GET /wxa/resetusersessionkey
func (a *API) resetSessionKey(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := requireKind(app, account.MiniProgram); err != nil {
		return nil, err
	}
	openid, sig, method, err := sessionParams(r)
	if err != nil {
		return nil, err
	}
	sess, err := a.p.Login.ResetSessionKey(ctx(r), app.AppID, openid, sig, method)
	if err != nil {
		return nil, loginError(err)
	}
	return struct {
		ErrorBody
		OpenID     string `json:"openid"`
		SessionKey string `json:"session_key"`
	}{OK(), sess.OpenID, sess.SessionKey}, nil
}

// POST /wxa/business/getuserphonenumber
func (a *API) userPhoneNumber(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if r.Method != http.MethodPost {
		return nil, ErrMethodNotAllowed
	}
	if err := requireKind(app, account.MiniProgram); err != nil {
		return nil, err
	}
	var req struct {
		Code   string `json:"code"`
		OpenID string `json:"openid"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	if req.Code == "" {
		return nil, ErrCodeMissing
	}
	u, err := a.p.Login.ExchangePhoneCode(ctx(r), app.AppID, req.Code, req.OpenID)
	if err != nil {
		return nil, loginError(err)
	}
	return struct {
		ErrorBody
		PhoneInfo login.PhoneInfo `json:"phone_info"`
	}{OK(), login.Phone(u, app.AppID, a.p.Login.Now().Unix())}, nil
}
