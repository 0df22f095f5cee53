// Package adminapi is the operator's HTTP API (/admin/v1) and the simulation
// API (/sim/v1) that stands in for end users' phones in tests and for backend
// developers. Both take the operator credential as a bearer token and speak
// plain JSON: {"error":{"code","message","field"}} with a 4xx status on failure.
package adminapi

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"superapp/internal/account"
	"superapp/internal/identity"
	"superapp/internal/input"
	"superapp/internal/platform"
	"superapp/internal/random"
	"superapp/internal/wire"
)

// API serves /admin/v1 and /sim/v1.
type API struct {
	p           *platform.Platform
	operatorKey string // SHA-256 of the operator key
}

// New returns the API; operatorKeyHash is random.Hash of the operator key.
func New(p *platform.Platform, operatorKeyHash string) *API {
	return &API{p: p, operatorKey: operatorKeyHash}
}

// Problem is an error answer.
type Problem struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func (p *Problem) Error() string { return p.Message }

func badRequest(field, msg string) *Problem {
	return &Problem{Status: http.StatusBadRequest, Code: "invalid_input", Field: field, Message: field + ": " + msg}
}

func notFound(msg string) *Problem {
	return &Problem{Status: http.StatusNotFound, Code: "not_found", Message: msg}
}

// problem maps domain errors to answers.
func problem(err error) *Problem {
	var p *Problem
	var ie *input.Error
	var le *account.LimitError
	switch {
	case errors.As(err, &p):
		return p
	case errors.As(err, &ie):
		return badRequest(ie.Field, ie.Msg)
	case errors.As(err, &le):
		return &Problem{Status: http.StatusConflict, Code: "limit_exceeded", Message: le.Msg}
	case errors.Is(err, account.ErrAppNotFound), errors.Is(err, account.ErrSubjectNotFound),
		errors.Is(err, account.ErrOpenPlatformNotFound), errors.Is(err, identity.ErrUserNotFound):
		return notFound(err.Error())
	case errors.Is(err, account.ErrAlreadyBound), errors.Is(err, account.ErrNotBound), errors.Is(err, identity.ErrPhoneTaken),
		errors.Is(err, identity.ErrAmbiguousUser):
		return &Problem{Status: http.StatusConflict, Code: "conflict", Message: err.Error()}
	}
	return nil
}

type handler func(r *http.Request) (any, error)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// WriteProblem writes an error answer.
func WriteProblem(w http.ResponseWriter, r *http.Request, err error) {
	p := problem(err)
	if p == nil {
		slog.ErrorContext(r.Context(), "admin request failed", "path", r.URL.Path, "err", err)
		p = &Problem{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error (see the server log, rid " + wire.RID(r.Context()) + ")"}
	}
	writeJSON(w, p.Status, struct {
		Error *Problem `json:"error"`
	}{p})
}

func (a *API) operator(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(random.Hash(key)), []byte(a.operatorKey)) != 1 {
			WriteProblem(w, r, &Problem{Status: http.StatusUnauthorized, Code: "unauthorized",
				Message: "missing or wrong operator key (send Authorization: Bearer <key from DATA/operator.key or SUPERAPP_OPERATOR_KEY>)"})
			return
		}
		if !input.Storable(r.URL.Path) {
			// No id, appid or name is anything but UTF-8 without NUL, and
			// PostgreSQL refuses to even compare with such text.
			WriteProblem(w, r, notFound("not found: the path is not valid UTF-8 text"))
			return
		}
		v, err := h(r)
		if err != nil {
			WriteProblem(w, r, err)
			return
		}
		status := http.StatusOK
		if r.Method == http.MethodPost {
			status = http.StatusCreated
		}
		writeJSON(w, status, v)
	}
}

// decode reads a JSON body strictly: our own API tells callers about typos.
func decode(r *http.Request, v any) error {
	body, err := wire.ReadBody(r, 1<<20)
	if err != nil {
		return badRequest("body", "must be a JSON object of at most 1 MiB")
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest("body", "is not valid JSON for this request: "+err.Error())
	}
	if dec.More() {
		return badRequest("body", "is not valid JSON for this request: more than one JSON value")
	}
	var all any
	if json.Unmarshal(body, &all) == nil && hasNUL(all) {
		return badRequest("body", "must not contain NUL characters (\\u0000)")
	}
	return nil
}

// hasNUL reports whether any string in a decoded JSON value contains NUL.
func hasNUL(v any) bool {
	switch v := v.(type) {
	case string:
		return strings.ContainsRune(v, 0)
	case []any:
		for _, e := range v {
			if hasNUL(e) {
				return true
			}
		}
	case map[string]any:
		for k, e := range v {
			if strings.ContainsRune(k, 0) || hasNUL(e) {
				return true
			}
		}
	}
	return false
}

// Register adds the admin and simulation routes.
func (a *API) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /admin/v1/subjects", a.operator(a.createSubject))
	mux.HandleFunc("GET /admin/v1/subjects", a.operator(a.listSubjects))
	mux.HandleFunc("POST /admin/v1/apps", a.operator(a.createApp))
	mux.HandleFunc("GET /admin/v1/apps", a.operator(a.listApps))
	mux.HandleFunc("GET /admin/v1/apps/{appid}", a.operator(a.getApp))
	mux.HandleFunc("POST /admin/v1/apps/{appid}/reset-secret", a.operator(a.resetSecret))
	mux.HandleFunc("PUT /admin/v1/apps/{appid}/ip-whitelist", a.operator(a.setIPWhitelist))
	mux.HandleFunc("PUT /admin/v1/apps/{appid}/oauth-domains", a.operator(a.setOAuthDomains))
	mux.HandleFunc("POST /admin/v1/openplatforms", a.operator(a.createOpenPlatform))
	mux.HandleFunc("GET /admin/v1/openplatforms", a.operator(a.listOpenPlatforms))
	mux.HandleFunc("POST /admin/v1/openplatforms/{id}/bind", a.operator(a.bind))
	mux.HandleFunc("POST /admin/v1/openplatforms/{id}/unbind", a.operator(a.unbind))
	mux.HandleFunc("GET /admin/v1/policy", a.operator(a.policy))

	mux.HandleFunc("POST /sim/v1/users", a.operator(a.simCreateUser))
	mux.HandleFunc("GET /sim/v1/users/{user}", a.operator(a.simGetUser))
	mux.HandleFunc("POST /sim/v1/login-code", a.operator(a.simLoginCode))
	mux.HandleFunc("POST /sim/v1/phone-code", a.operator(a.simPhoneCode))
	mux.HandleFunc("POST /sim/v1/user-profile", a.operator(a.simUserProfile))
	mux.HandleFunc("POST /sim/v1/phone-data", a.operator(a.simPhoneData))
	mux.HandleFunc("POST /sim/v1/oauth-code", a.operator(a.simOAuthCode))
	mux.HandleFunc("POST /sim/v1/jssdk-config", a.operator(a.simJSSDKConfig))
	mux.HandleFunc("POST /sim/v1/miniprogram/launch", a.operator(a.simLaunch))
	a.registerOACallbacks(mux)
	a.registerOAAutoReplies(mux)
	a.registerSimOA(mux)
	a.registerMiniPrograms(mux)
	a.registerMPCategories(mux)
	a.registerMPKeys(mux)
	a.registerMPRelease(mux)
	a.registerNearby(mux)
	a.registerOAMPLinks(mux)
	mux.HandleFunc("/admin/", a.operator(func(r *http.Request) (any, error) {
		return nil, notFound("no admin API at " + r.Method + " " + r.URL.Path)
	}))
	mux.HandleFunc("/sim/", a.operator(func(r *http.Request) (any, error) {
		return nil, notFound("no simulation API at " + r.Method + " " + r.URL.Path)
	}))
}
