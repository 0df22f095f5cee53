package adminapi

import (
	"errors"
	"net/http"

	"superapp/internal/callback"
)

func (a *API) registerOACallbacks(mux *http.ServeMux) {
	mux.HandleFunc("PUT /admin/v1/apps/{appid}/callback", a.operator(a.setCallback))
	mux.HandleFunc("GET /admin/v1/apps/{appid}/callback", a.operator(a.getCallback))
	mux.HandleFunc("DELETE /admin/v1/apps/{appid}/callback", a.operator(a.clearCallback))
}

// CallbackView is an account's developer server as the admin API shows it:
// whether a token and keys are set, never their values.
type CallbackView struct {
	AppID                 string `json:"appid"`
	URL                   string `json:"url"`
	Mode                  string `json:"mode"`
	TokenSet              bool   `json:"token_set"`
	EncodingAESKeySet     bool   `json:"encoding_aes_key_set"`
	PreviousAESKeyKept    bool   `json:"previous_aes_key_kept"`
	VerifiedAt            int64  `json:"verified_at"`
	UpdatedAt             int64  `json:"updated_at"`
	AllowPrivateAddresses bool   `json:"allow_private_addresses"`
}

func (a *API) callbackView(c *callback.Config) CallbackView {
	return CallbackView{AppID: c.AppID, URL: c.URL, Mode: c.Mode, TokenSet: c.Token != "", EncodingAESKeySet: c.AESKey != "",
		PreviousAESKeyKept: c.PreviousAESKey != "", VerifiedAt: c.VerifiedAt, UpdatedAt: c.UpdatedAt,
		AllowPrivateAddresses: a.p.OA.Dispatcher().Options().AllowPrivate}
}

// callbackApp checks that the path's app exists. Official accounts and
// mini programs both have a developer server: an account's messages and
// events, a mini program's audit results and message pushes.
func (a *API) callbackApp(r *http.Request) (string, error) {
	appid := r.PathValue("appid")
	if _, err := a.p.Accounts.App(r.Context(), appid); err != nil {
		return "", err
	}
	return appid, nil
}

func (a *API) setCallback(r *http.Request) (any, error) {
	appid, err := a.callbackApp(r)
	if err != nil {
		return nil, err
	}
	var req callback.Settings
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	c, err := a.p.OA.Dispatcher().Configure(r.Context(), appid, req)
	var ve *callback.VerifyError
	if errors.As(err, &ve) {
		return nil, &Problem{Status: http.StatusUnprocessableEntity, Code: "url_verification_failed", Field: "url", Message: "url: " + ve.Msg}
	}
	if err != nil {
		return nil, err
	}
	return a.callbackView(c), nil
}

func (a *API) getCallback(r *http.Request) (any, error) {
	appid, err := a.callbackApp(r)
	if err != nil {
		return nil, err
	}
	c, err := callback.LoadConfig(r.Context(), a.p.DB, appid)
	if errors.Is(err, callback.ErrNoServer) {
		return nil, notFound(err.Error())
	}
	if err != nil {
		return nil, err
	}
	return a.callbackView(c), nil
}

func (a *API) clearCallback(r *http.Request) (any, error) {
	appid, err := a.callbackApp(r)
	if err != nil {
		return nil, err
	}
	cleared, err := a.p.OA.Dispatcher().Clear(r.Context(), appid)
	if err != nil {
		return nil, err
	}
	return map[string]any{"appid": appid, "cleared": cleared}, nil
}
