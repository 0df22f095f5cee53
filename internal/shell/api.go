package shell

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"superapp/internal/httpjson"
	"superapp/internal/identity"
	"superapp/internal/input"
	"superapp/internal/random"
)

// apiError is an error answer of the shell API:
// {"error":{"code","message","field"}} with an HTTP 4xx or 5xx status.
type apiError struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	// WeChatCode and MessageZh are set on web-authorization errors: the
	// number and Chinese text WeChat's own error page shows.
	WeChatCode int    `json:"wechat_code,omitempty"`
	MessageZh  string `json:"message_zh,omitempty"`
	// header is sent with the answer, e.g. Retry-After.
	header http.Header
}

func (e *apiError) Error() string { return e.Message }

func errorf(status int, code, field, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

var (
	errNotSignedIn = errorf(http.StatusUnauthorized, "not_signed_in", "", "You are not signed in.")
	errNotFound    = errorf(http.StatusNotFound, "not_found", "", "No such API.")
)

// apiHandler is one endpoint: it returns the body to send as JSON, or an error.
type apiHandler func(w http.ResponseWriter, r *http.Request) (any, error)

// routes returns the API's endpoints by path and method.
func (s *Shell) routes() map[string]map[string]apiHandler {
	return map[string]map[string]apiHandler{
		"config":          {"GET": s.config},
		"register":        {"POST": s.register},
		"signin":          {"POST": s.signIn},
		"signout":         {"POST": s.signOut},
		"test-user":       {"POST": s.testUser},
		"me":              {"GET": s.me, "PATCH": s.updateMe},
		"oauth/authorize": {"GET": s.oauthCheck, "POST": s.oauthDecide},
	}
}

func (s *Shell) api(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	methods, ok := s.routes()[strings.TrimPrefix(r.URL.Path, "/shell/api/")]
	if !ok {
		methods, ok = s.oaRoutes(r)
	}
	if !ok {
		methods, ok = s.notificationRoutes(r)
	}
	if !ok {
		writeError(w, r, errNotFound)
		return
	}
	h, ok := methods[r.Method]
	if !ok {
		allow := make([]string, 0, len(methods))
		for m := range methods {
			allow = append(allow, m)
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeError(w, r, errorf(http.StatusMethodNotAllowed, "method_not_allowed", "", "%s is not allowed here.", r.Method))
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		if err := checkWrite(r); err != nil {
			writeError(w, r, err)
			return
		}
	}
	body, err := h(w, r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// checkWrite keeps other sites from driving the API with a signed-in
// user's cookie (httpjson.CheckWrite).
func checkWrite(r *http.Request) error { return httpjson.CheckWrite(r) }

// decode reads a JSON body into v, rejecting unknown fields.
func decode(r *http.Request, v any) error { return httpjson.Decode(r, v, 64<<10, true) }

func writeJSON(w http.ResponseWriter, status int, body any) { httpjson.Write(w, status, body) }

// writeError maps domain errors to clear answers; anything unexpected is
// logged and answered 500 without details.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	var he *httpjson.Error
	var ie *identity.InputError
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &he):
		ae = errorf(he.Status, he.Code, "", "%s", he.Message)
	case errors.As(err, &ie):
		ae = errorf(http.StatusBadRequest, "invalid_input", ie.Field, "%s %s.", fieldLabel(ie.Field), ie.Msg)
	case errors.Is(err, identity.ErrPhoneTaken):
		ae = errorf(http.StatusConflict, "phone_taken", "phone", "This phone number is already registered. Sign in instead.")
	case errors.Is(err, identity.ErrBadCredentials):
		ae = errorf(http.StatusUnauthorized, "bad_credentials", "password", "The phone number or password is wrong.")
	case errors.Is(err, identity.ErrSessionNotFound), errors.Is(err, identity.ErrUserNotFound):
		ae = errNotSignedIn
	default:
		slog.Error("shell api", "method", r.Method, "path", r.URL.Path, "err", err)
		ae = errorf(http.StatusInternalServerError, "internal", "", "Something went wrong on the server. Try again later.")
	}
	for k, v := range ae.header {
		w.Header()[k] = v
	}
	writeJSON(w, ae.Status, map[string]any{"error": ae})
}

func fieldLabel(f string) string {
	switch f {
	case "phone":
		return "Phone number"
	case "avatar_url":
		return "Avatar URL"
	case "":
		return "Input"
	}
	return strings.ToUpper(f[:1]) + f[1:]
}

// Sessions.

func (s *Shell) currentUser(r *http.Request) (*identity.User, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return nil, errNotSignedIn
	}
	u, err := s.p.Identity.SessionUser(r.Context(), c.Value)
	if errors.Is(err, identity.ErrSessionNotFound) || errors.Is(err, identity.ErrUserNotFound) {
		return nil, errNotSignedIn
	}
	return u, err
}

func (s *Shell) startSession(w http.ResponseWriter, r *http.Request, u *identity.User) error {
	token, err := s.p.Identity.StartSession(r.Context(), u.ID)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: token, Path: "/",
		MaxAge: int(identity.SessionTTL / time.Second), HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.p.Options.BehindProxy.HTTPS(r),
	})
	return nil
}

func (s *Shell) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.p.Options.BehindProxy.HTTPS(r)})
}

type userBody struct {
	User *identity.User `json:"user"`
}

// Endpoints.

func (s *Shell) config(w http.ResponseWriter, r *http.Request) (any, error) {
	return map[string]bool{"dev": s.p.Options.Dev}, nil
}

type credentials struct {
	Phone    string `json:"phone"`
	Password string `json:"password"`
	Name     string `json:"name"`
}

// check trims the phone number, requires one, and refuses text no database
// can hold, before any query or hashing: PostgreSQL rejects NUL and invalid
// UTF-8 with an error of its own.
func (c *credentials) check() error {
	c.Phone = strings.TrimSpace(c.Phone)
	for _, f := range []struct{ field, v string }{{"phone", c.Phone}, {"password", c.Password}, {"name", c.Name}} {
		if err := storable(f.field, f.v); err != nil {
			return err
		}
	}
	if c.Phone == "" {
		return errorf(http.StatusBadRequest, "invalid_input", "phone", "Enter your phone number.")
	}
	return nil
}

// storable refuses text that is not valid UTF-8 or holds a NUL character.
func storable(field, v string) error {
	if !input.Storable(v) {
		return errorf(http.StatusBadRequest, "invalid_input", field, "%s contains characters that are not allowed.", fieldLabel(field))
	}
	return nil
}

func (s *Shell) register(w http.ResponseWriter, r *http.Request) (any, error) {
	var in credentials
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	ip := clientKey(r, s.p.Options.BehindProxy)
	if ok, retry := s.lim.registerIP.take(ip); !ok {
		return nil, tooMany(retry)
	}
	release, err := s.lim.acquireHashing(r.Context())
	if err != nil {
		return nil, err
	}
	u, err := s.p.Identity.CreateUser(r.Context(), identity.NewUser{Name: in.Name, Phone: in.Phone, Password: in.Password})
	release()
	if ie := (*identity.InputError)(nil); errors.As(err, &ie) {
		s.lim.registerIP.give(ip) // refused before hashing: a typo should not cost an attempt
	}
	if err != nil {
		return nil, err
	}
	if err := s.startSession(w, r, u); err != nil {
		return nil, err
	}
	return userBody{u}, nil
}

func (s *Shell) signIn(w http.ResponseWriter, r *http.Request) (any, error) {
	var in credentials
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	if in.Password == "" {
		return nil, errorf(http.StatusBadRequest, "invalid_input", "password", "Enter your password.")
	}
	// Every attempt counts against the client's address; only failures
	// count against the phone number, and a success forgives them. The
	// phone's token is taken up front so parallel guesses cannot all pass.
	if ok, retry := s.lim.signInIP.take(clientKey(r, s.p.Options.BehindProxy)); !ok {
		return nil, tooMany(retry)
	}
	if ok, retry := s.lim.phoneFails.take(in.Phone); !ok {
		return nil, tooMany(retry)
	}
	release, err := s.lim.acquireHashing(r.Context())
	if err != nil {
		s.lim.phoneFails.give(in.Phone)
		return nil, err
	}
	u, err := s.p.Identity.Authenticate(r.Context(), in.Phone, in.Password)
	release()
	switch {
	case err == nil:
		s.lim.phoneFails.reset(in.Phone)
	case errors.Is(err, identity.ErrBadCredentials):
	default:
		s.lim.phoneFails.give(in.Phone)
	}
	if err != nil {
		return nil, err
	}
	if err := s.startSession(w, r, u); err != nil {
		return nil, err
	}
	return userBody{u}, nil
}

func (s *Shell) signOut(w http.ResponseWriter, r *http.Request) (any, error) {
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		if err := s.p.Identity.EndSession(r.Context(), c.Value); err != nil {
			return nil, err
		}
	}
	s.clearSessionCookie(w, r)
	return map[string]bool{"ok": true}, nil
}

// testUser creates a user with a made-up name and signs it in: dev mode's
// one-click way into the shell. Outside dev mode the endpoint does not exist.
func (s *Shell) testUser(w http.ResponseWriter, r *http.Request) (any, error) {
	if !s.p.Options.Dev {
		return nil, errNotFound
	}
	u, err := s.p.Identity.CreateUser(r.Context(), identity.NewUser{Name: "Test user " + strings.ToUpper(random.Hex(2)), TestUser: true})
	if err != nil {
		return nil, err
	}
	if err := s.startSession(w, r, u); err != nil {
		return nil, err
	}
	return userBody{u}, nil
}

func (s *Shell) me(w http.ResponseWriter, r *http.Request) (any, error) {
	u, err := s.currentUser(r)
	if err != nil {
		return nil, err
	}
	return userBody{u}, nil
}

func (s *Shell) updateMe(w http.ResponseWriter, r *http.Request) (any, error) {
	u, err := s.currentUser(r)
	if err != nil {
		return nil, err
	}
	var p identity.Profile
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		field string
		v     *string
	}{{"name", p.Name}, {"avatar_url", p.AvatarURL}, {"country", p.Country}, {"province", p.Province}, {"city", p.City}} {
		if f.v != nil {
			if err := storable(f.field, *f.v); err != nil {
				return nil, err
			}
		}
	}
	if p.AvatarURL != nil && strings.TrimSpace(*p.AvatarURL) != "" {
		a, err := url.Parse(strings.TrimSpace(*p.AvatarURL))
		if err != nil || (a.Scheme != "https" && a.Scheme != "http") || a.Host == "" {
			return nil, errorf(http.StatusBadRequest, "invalid_input", "avatar_url", "Avatar URL must be an http or https URL.")
		}
	}
	u, err = s.p.Identity.UpdateProfile(r.Context(), u.ID, p)
	if err != nil {
		return nil, err
	}
	return userBody{u}, nil
}
