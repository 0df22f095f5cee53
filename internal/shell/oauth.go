package shell

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"

	"superapp/internal/account"
	"superapp/internal/oauth"
)

// authzRequest is a validated /connect/oauth2/authorize request.
type authzRequest struct {
	App         *account.App
	RedirectURI *url.URL
	Scope       string
	State       string
}

// maxStateBytes is WeChat's limit on state. WeChat also restricts it to
// [a-zA-Z0-9]; real pages send '_' and '-' and more, so only the length is
// enforced.
const maxStateBytes = 128

// oauthError is one of the errors WeChat's authorization page shows, with
// its number, its Chinese text and an English explanation.
func oauthError(code int, field, zh, en string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "oauth_rejected", Field: field, WeChatCode: code, MessageZh: zh, Message: en}
}

// validateAuthorize checks an authorization request as WeChat does. The
// order of the query parameters does not matter, and connect_redirect,
// forcePopup and the like are ignored.
func (s *Shell) validateAuthorize(ctx context.Context, q url.Values) (*authzRequest, error) {
	appid := strings.TrimSpace(q.Get("appid"))
	if appid == "" {
		return nil, oauthError(10012, "appid", "appid不能为空", "The appid parameter is missing.")
	}
	app, err := s.p.Accounts.App(ctx, appid)
	if errors.Is(err, account.ErrAppNotFound) {
		return nil, oauthError(10016, "appid", "appid参数错误", "No official account has this appid.")
	}
	if err != nil {
		return nil, err
	}
	if !app.Kind.IsOfficialAccount() {
		return nil, oauthError(10016, "appid", "appid参数错误", "Only official accounts (subscription or service) can use web authorization; this appid is a "+string(app.Kind)+".")
	}
	raw := q.Get("redirect_uri")
	if raw == "" {
		return nil, oauthError(10011, "redirect_uri", "redirect_uri参数错误", "The redirect_uri parameter is missing.")
	}
	if q.Get("response_type") != "code" {
		return nil, oauthError(10008, "response_type", "response_type参数错误", "response_type must be \"code\".")
	}
	scope := q.Get("scope")
	if scope == "" {
		return nil, oauthError(10010, "scope", "scope不能为空", "The scope parameter is missing.")
	}
	if !oauth.ValidScope(scope) {
		return nil, oauthError(10005, "scope", "此公众号并没有这些scope的权限", "scope must be snsapi_base or snsapi_userinfo.")
	}
	state := q.Get("state")
	if len(state) > maxStateBytes {
		return nil, oauthError(10008, "state", "state参数错误", "state is longer than 128 bytes.")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, oauthError(10003, "redirect_uri", "redirect_uri域名与后台配置不一致", "redirect_uri must be an absolute http or https URL.")
	}
	if !s.redirectAllowed(app, u) {
		msg := "The host of redirect_uri (" + u.Host + ") is not among the official account's web-authorization domains."
		if len(app.OAuthDomains) == 0 {
			msg = "The official account has no web-authorization domains configured, so no redirect_uri is allowed (dev mode allows any)."
		}
		return nil, oauthError(10003, "redirect_uri", "redirect_uri域名与后台配置不一致", msg)
	}
	return &authzRequest{App: app, RedirectURI: u, Scope: scope, State: state}, nil
}

// redirectAllowed reports whether u's host[:port] is one of the app's OAuth
// domains (case-insensitive; a scheme's default port may be left out on
// either side). An app without domains allows any host in dev mode only.
func (s *Shell) redirectAllowed(app *account.App, u *url.URL) bool {
	if len(app.OAuthDomains) == 0 {
		return s.p.Options.Dev
	}
	host := normalizeHost(u.Scheme, u.Host)
	for _, d := range app.OAuthDomains {
		if host == normalizeHost(u.Scheme, d) {
			return true
		}
	}
	return false
}

func normalizeHost(scheme, hostport string) string {
	hostport = strings.ToLower(strings.TrimSpace(hostport))
	h, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return hostport
	}
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		if strings.Contains(h, ":") {
			return "[" + h + "]"
		}
		return h
	}
	return hostport
}

// redirectURL is redirect_uri with code (when not empty) and state
// appended to its query, keeping the query it had and dropping any fragment.
func redirectURL(redirect *url.URL, code, state string) string {
	u := *redirect
	u.Fragment, u.RawFragment = "", ""
	add := ""
	if code != "" {
		add = "code=" + url.QueryEscape(code) + "&"
	}
	add += "state=" + url.QueryEscape(state)
	if u.RawQuery == "" {
		u.RawQuery = add
	} else {
		u.RawQuery += "&" + add
	}
	return u.String()
}

// authorizePage is GET /connect/oauth2/authorize. A signed-in user asked
// for snsapi_base goes straight back with a code; otherwise the app signs
// the user in and asks consent, and an invalid request shows the error.
func (s *Shell) authorizePage(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	req, err := s.validateAuthorize(r.Context(), r.URL.Query())
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			s.serveError(w, r, err)
			return
		}
		s.serveIndex(w, r, http.StatusBadRequest)
		return
	}
	if req.Scope == oauth.ScopeBase && r.Method == http.MethodGet { // HEAD mints no code
		u, err := s.currentUser(r)
		if err == nil {
			code, err := s.p.OAuth.MintCode(r.Context(), req.App.AppID, u.ID, req.Scope)
			if err != nil {
				s.serveError(w, r, err)
				return
			}
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("Referrer-Policy", "no-referrer")
			http.Redirect(w, r, redirectURL(req.RedirectURI, code, req.State), http.StatusFound)
			return
		}
		if !errors.Is(err, errNotSignedIn) {
			s.serveError(w, r, err)
			return
		}
	}
	s.serveIndex(w, r, http.StatusOK)
}

func (s *Shell) serveError(w http.ResponseWriter, r *http.Request, err error) {
	writeError(w, r, err) // logs it and answers 500 without details
}

// oauthCheck is GET /shell/api/oauth/authorize: what the consent page shows.
func (s *Shell) oauthCheck(w http.ResponseWriter, r *http.Request) (any, error) {
	req, err := s.validateAuthorize(r.Context(), r.URL.Query())
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"app":           map[string]string{"appid": req.App.AppID, "name": req.App.Name},
		"scope":         req.Scope,
		"needs_consent": req.Scope == oauth.ScopeUserInfo,
		"redirect_host": req.RedirectURI.Host,
	}, nil
}

type oauthDecision struct {
	AppID        string `json:"appid"`
	RedirectURI  string `json:"redirect_uri"`
	ResponseType string `json:"response_type"`
	Scope        string `json:"scope"`
	State        string `json:"state"`
	Allow        bool   `json:"allow"`
}

// oauthDecide is POST /shell/api/oauth/authorize: the signed-in user
// allows or denies. It answers where the browser goes next.
func (s *Shell) oauthDecide(w http.ResponseWriter, r *http.Request) (any, error) {
	u, err := s.currentUser(r)
	if err != nil {
		return nil, err
	}
	var in oauthDecision
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	req, err := s.validateAuthorize(r.Context(), url.Values{
		"appid": {in.AppID}, "redirect_uri": {in.RedirectURI}, "response_type": {in.ResponseType}, "scope": {in.Scope}, "state": {in.State},
	})
	if err != nil {
		return nil, err
	}
	if !in.Allow {
		return map[string]string{"redirect": redirectURL(req.RedirectURI, "", req.State)}, nil
	}
	code, err := s.p.OAuth.MintCode(r.Context(), req.App.AppID, u.ID, req.Scope)
	if err != nil {
		return nil, err
	}
	return map[string]string{"redirect": redirectURL(req.RedirectURI, code, req.State)}, nil
}
