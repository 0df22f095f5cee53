package wire

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"

	"superapp/internal/account"
	"superapp/internal/platform"
	"superapp/internal/quota"
)

// API serves WeChat's server API paths (/cgi-bin, /sns, /wxa) over the platform.
type API struct {
	p *platform.Platform
}

// New returns the wire API.
func New(p *platform.Platform) *API { return &API{p: p} }

// Register adds every WeChat path to mux. Paths are registered without a
// method so that a wrong method gets WeChat's errcode instead of a bare 405.
func (a *API) Register(mux *http.ServeMux) {
	// Credentials.
	mux.HandleFunc("/cgi-bin/token", a.anyMethod(a.token))
	mux.HandleFunc("/cgi-bin/stable_token", a.post(a.stableToken))
	mux.HandleFunc("/cgi-bin/openapi/quota/get", a.authed(a.quotaGet))
	mux.HandleFunc("/cgi-bin/clear_quota", a.authed(a.clearQuota))
	mux.HandleFunc("/cgi-bin/clear_quota/v2", a.post(a.clearQuotaV2))
	mux.HandleFunc("/cgi-bin/getcallbackip", a.authed(a.callbackIPs))
	mux.HandleFunc("/cgi-bin/get_api_domain_ip", a.authed(a.callbackIPs))
	mux.HandleFunc("/cgi-bin/account/getaccountbasicinfo", a.authed(a.accountBasicInfo))

	// Mini program login.
	mux.HandleFunc("/sns/jscode2session", a.anyMethod(a.jscode2session))
	mux.HandleFunc("/wxa/checksession", a.authed(a.checkSession))
	mux.HandleFunc("/wxa/resetusersessionkey", a.authed(a.resetSessionKey))
	mux.HandleFunc("/wxa/business/getuserphonenumber", a.authed(a.userPhoneNumber))

	// Web authorization and JS-SDK.
	mux.HandleFunc("/sns/oauth2/access_token", a.anyMethod(a.oauthAccessToken))
	mux.HandleFunc("/sns/oauth2/refresh_token", a.anyMethod(a.oauthRefreshToken))
	mux.HandleFunc("/sns/userinfo", a.anyMethod(a.snsUserInfo))
	mux.HandleFunc("/sns/auth", a.anyMethod(a.snsAuth))
	mux.HandleFunc("/cgi-bin/ticket/getticket", a.authed(a.ticket))

	// Official accounts.
	a.registerOAUsers(mux)
	a.registerOAQRCodes(mux)
	a.registerOAMenus(mux)
	a.registerOAMessages(mux)
	a.registerOAMPLinks(mux)
	a.registerMPCategory(mux)
	a.registerMPCodes(mux)
	a.registerMPRelease(mux)
	a.registerMPSubscribe(mux)
	a.registerMPNearby(mux)

	// Anything else under WeChat's API prefixes is an API this server lacks.
	for _, prefix := range []string{"/cgi-bin/", "/sns/", "/wxa/", "/wxaapi/", "/datacube/", "/customservice/"} {
		mux.HandleFunc(prefix, a.anyMethod(a.notImplemented))
	}
}

// Handler is a wire endpoint: it returns a body to write or an error.
type Handler func(w http.ResponseWriter, r *http.Request) (any, error)

// AuthedHandler is an endpoint called with an app access token; app is the
// token's app, the only app the call may read or write.
type AuthedHandler func(w http.ResponseWriter, r *http.Request, app *account.App) (any, error)

func (a *API) serve(w http.ResponseWriter, r *http.Request, h Handler) {
	body, err := h(w, r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	if body != nil {
		WriteJSON(w, body)
	}
}

func (a *API) anyMethod(h Handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { a.serve(w, r, h) }
}

func (a *API) post(h Handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			WriteError(w, r, ErrMethodNotAllowed)
			return
		}
		a.serve(w, r, h)
	}
}

// authed checks the access_token query parameter, the app's IP whitelist and
// its daily quota for this path before calling h.
func (a *API) authed(h AuthedHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a.serve(w, r, func(w http.ResponseWriter, r *http.Request) (any, error) {
			token := r.URL.Query().Get("access_token")
			if token == "" {
				return nil, ErrAccessTokenMissing
			}
			appid, err := a.p.Tokens.Authenticate(r.Context(), token)
			if err != nil {
				return nil, tokenError(err)
			}
			app, err := a.p.Accounts.App(r.Context(), appid)
			if err != nil {
				return nil, appError(err)
			}
			if err := a.admit(r, app); err != nil {
				return nil, err
			}
			return h(w, r, app)
		})
	}
}

// admit applies the app's IP whitelist and counts the call against its quota.
func (a *API) admit(r *http.Request, app *account.App) error {
	if len(app.IPWhitelist) > 0 {
		ip := a.clientIP(r)
		if !app.IPAllowed(ip) {
			v6 := ip
			if ip.Is4() {
				v6 = netip.AddrFrom16(ip.As16())
			}
			return ErrIPNotWhitelisted.With(fmt.Sprintf(" %s ipv6 %s, not in whitelist", ip.Unmap(), v6))
		}
	}
	if err := a.p.Quota.Take(r.Context(), app.AppID, r.URL.Path); err != nil {
		if errors.Is(err, quota.ErrExceeded) {
			return ErrDailyQuota
		}
		return err
	}
	return nil
}

func (a *API) clientIP(r *http.Request) netip.Addr { return a.p.Options.BehindProxy.ClientIP(r) }

// appBySecret authenticates appid + secret, the credential of the endpoints
// that take no access token, and applies the whitelist and quota.
func (a *API) appBySecret(r *http.Request, appid, secret string) (*account.App, error) {
	if appid == "" {
		return nil, ErrAppIDMissing
	}
	if secret == "" {
		return nil, ErrSecretMissing
	}
	app, err := a.p.Accounts.App(r.Context(), appid)
	if err != nil {
		return nil, appError(err)
	}
	if !account.CheckSecret(app, secret) {
		return nil, ErrInvalidAppSecret
	}
	if err := a.admit(r, app); err != nil {
		return nil, err
	}
	return app, nil
}

func (a *API) notImplemented(w http.ResponseWriter, r *http.Request) (any, error) {
	return nil, ErrAPIUnauthorized.With(", superapp does not implement " + r.URL.Path)
}

func appError(err error) error {
	if errors.Is(err, account.ErrAppNotFound) {
		return ErrInvalidAppID
	}
	return err
}

func requireKind(app *account.App, kinds ...account.AppKind) error {
	for _, k := range kinds {
		if app.Kind == k {
			return nil
		}
	}
	return ErrAPIUnauthorized.With(fmt.Sprintf(", %s accounts cannot call this API", app.Kind))
}

// ctx is a short alias used by handlers.
func ctx(r *http.Request) context.Context { return r.Context() }

// parseForm reads a form-encoded POST body ahead of param, so that a body
// over MaxJSONBody is refused with 45002 (and a malformed one with 47001)
// instead of looking like missing parameters.
func parseForm(r *http.Request) error {
	if r.Method != http.MethodPost || r.PostForm != nil || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return nil
	}
	r.Body = http.MaxBytesReader(nil, r.Body, MaxJSONBody)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return ErrBodyTooLarge
		}
		return ErrDataFormat
	}
	return nil
}

// param reads a query parameter, falling back to a field of the form that
// parseForm read.
func param(r *http.Request, name string) string {
	if v := r.URL.Query().Get(name); v != "" {
		return v
	}
	return r.PostForm.Get(name)
}
