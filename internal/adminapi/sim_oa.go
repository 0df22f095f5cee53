package adminapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"superapp/internal/account"
	"superapp/internal/identity"
	"superapp/internal/input"
	"superapp/internal/officialaccount"
)

// The simulation API's official-account actions: a user following,
// messaging, tapping and scanning, each answered with what the user received
// in return once the developer server has answered (or every attempt failed).
func (a *API) registerSimOA(mux *http.ServeMux) {
	mux.HandleFunc("POST /sim/v1/oa/follow", a.operator(a.simOAFollow))
	mux.HandleFunc("POST /sim/v1/oa/unfollow", a.operator(a.simOAUnfollow))
	mux.HandleFunc("POST /sim/v1/oa/send", a.operator(a.simOASend))
	mux.HandleFunc("POST /sim/v1/oa/click", a.operator(a.simOAClick))
	mux.HandleFunc("POST /sim/v1/oa/scan", a.operator(a.simOAScan))
	mux.HandleFunc("GET /sim/v1/oa/inbox", a.operator(a.simOAInbox))
}

// followScenes are the follow scenes a simulated follow may name, by their
// short names (ADD_SCENE_<NAME> also works).
var followScenes = map[string]string{
	"search": officialaccount.SceneSearch, "account_migration": "ADD_SCENE_ACCOUNT_MIGRATION",
	"profile": officialaccount.SceneProfileCard, "profile_card": officialaccount.SceneProfileCard,
	"qrcode": officialaccount.SceneQRCode, "qr_code": officialaccount.SceneQRCode,
	"profile_link": "ADD_SCENE_PROFILE_LINK", "profile_item": "ADD_SCENE_PROFILE_ITEM", "paid": "ADD_SCENE_PAID",
	"wechat_advertisement": "ADD_SCENE_WECHAT_ADVERTISEMENT", "reprint": "ADD_SCENE_REPRINT",
	"livestream": "ADD_SCENE_LIVESTREAM", "channels": "ADD_SCENE_CHANNELS", "others": officialaccount.SceneOthers,
}

func followScene(s string) (string, error) {
	if s == "" {
		return officialaccount.SceneOthers, nil
	}
	key := strings.ToLower(strings.TrimPrefix(strings.ToUpper(s), "ADD_SCENE_"))
	if scene, ok := followScenes[key]; ok {
		return scene, nil
	}
	names := make([]string, 0, len(followScenes))
	for n := range followScenes {
		names = append(names, n)
	}
	sort.Strings(names)
	return "", badRequest("scene", "unknown follow scene "+simQuote(s)+"; use one of "+strings.Join(names, ", "))
}

func simQuote(s string) string {
	if r := []rune(s); len(r) > 64 {
		s = string(r[:64]) + "…"
	}
	return `"` + s + `"`
}

// oaAppUser finds the official account appid and the user a simulation acts
// for, naming the field at fault.
func (a *API) oaAppUser(ctx context.Context, appid, user string) (*account.App, *identity.User, error) {
	if appid == "" {
		return nil, nil, badRequest("appid", "must not be empty")
	}
	if user == "" {
		return nil, nil, badRequest("user", "must not be empty (a user id, phone number or unique name)")
	}
	if !input.Storable(user) {
		return nil, nil, badRequest("user", "must be UTF-8 text without NUL")
	}
	app, err := a.p.Accounts.App(ctx, appid)
	if err != nil {
		return nil, nil, err
	}
	if !app.Kind.IsOfficialAccount() {
		return nil, nil, badRequest("appid", appid+" is a "+string(app.Kind)+" account; this action needs a subscription or service account")
	}
	u, err := a.p.Identity.FindUser(ctx, user)
	if err != nil {
		return nil, nil, err
	}
	return app, u, nil
}

// simOAProblem maps the official-account domain's errors to answers that say
// who and what.
func simOAProblem(err error, app *account.App, u *identity.User) error {
	whose := func() string {
		s := "the menu user " + u.ID + " sees"
		if app != nil {
			s += " in account " + app.AppID
		}
		return s
	}
	switch {
	case errors.Is(err, officialaccount.ErrNotFollowing):
		return &Problem{Status: http.StatusConflict, Code: "not_following",
			Message: "user " + u.ID + " does not follow " + app.AppID + "; follow first (POST /sim/v1/oa/follow, superapp sim follow)"}
	case errors.Is(err, officialaccount.ErrBlacklisted):
		return &Problem{Status: http.StatusConflict, Code: "blacklisted",
			Message: "account " + app.AppID + " has blacklisted user " + u.ID + ": the user cannot message it"}
	case errors.Is(err, officialaccount.ErrNoSuchButton):
		return &Problem{Status: http.StatusNotFound, Code: "no_such_button", Message: err.Error() + " (" + whose() + ")"}
	case errors.Is(err, officialaccount.ErrQRCodeNotFound):
		return &Problem{Status: http.StatusNotFound, Code: "not_found", Field: "url", Message: "url: no QR code has this URL's code"}
	case errors.Is(err, officialaccount.ErrQRCodeExpired):
		return &Problem{Status: http.StatusGone, Code: "qrcode_expired", Field: "url", Message: "url: " + err.Error()}
	case errors.Is(err, officialaccount.ErrNotOfficialAccount):
		return badRequest("appid", err.Error())
	}
	return err
}

// simOutcome is what a simulated action answers: the user's own message (if
// it was one) and what the user received in return. Pending says the
// developer server had not answered within the wait; later replies appear
// in the inbox.
type simOutcome struct {
	AppID      string                     `json:"appid"`
	User       string                     `json:"user"`
	OpenID     string                     `json:"openid"`
	Event      string                     `json:"event,omitempty"`
	Subscribed *bool                      `json:"subscribed,omitempty"`
	MessageID  int64                      `json:"message_id,omitempty"`
	Replies    []*officialaccount.Message `json:"replies"`
	Pending    bool                       `json:"pending,omitempty"`
}

// outcome waits, at most as long as the callback policy lets the developer
// server take (attempts × timeout, plus 2 s), for what the user received in
// answer to res.
func (a *API) outcome(ctx context.Context, app *account.App, u *identity.User, res *officialaccount.ActResult) (*simOutcome, error) {
	out := &simOutcome{AppID: app.AppID, User: u.ID, OpenID: a.p.Identity.OpenID(app.AppID, u.ID), Replies: []*officialaccount.Message{}}
	if res == nil {
		return out, nil
	}
	out.MessageID = res.MessageID
	cp := a.p.OA.Policy().Callbacks
	wait := time.Duration(cp.Attempts)*time.Duration(cp.TimeoutMillis)*time.Millisecond + 2*time.Second
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	replies, err := a.p.OA.Outcome(wctx, u.ID, app.AppID, res)
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		// Say what has arrived so far without waiting for the push.
		sofar := *res
		sofar.CallbackID = 0
		out.Pending = true
		replies, err = a.p.OA.Outcome(ctx, u.ID, app.AppID, &sofar)
	}
	if err != nil {
		return nil, err
	}
	out.Replies = replies
	return out, nil
}

func (a *API) simOAFollow(r *http.Request) (any, error) {
	var req struct {
		AppID string `json:"appid"`
		User  string `json:"user"`
		Scene string `json:"scene"`
	}
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	app, u, err := a.oaAppUser(r.Context(), req.AppID, req.User)
	if err != nil {
		return nil, err
	}
	scene, err := followScene(req.Scene)
	if err != nil {
		return nil, err
	}
	before, err := a.p.OA.Relation(r.Context(), app.AppID, u.ID)
	if err != nil {
		return nil, err
	}
	res, err := a.p.OA.Follow(r.Context(), app.AppID, u.ID, scene, nil)
	if err != nil {
		return nil, simOAProblem(err, app, u)
	}
	if before != nil && before.Subscribed {
		// Following again changes nothing and pushes nothing.
		res = nil
	}
	out, err := a.outcome(r.Context(), app, u, res)
	if err != nil {
		return nil, err
	}
	subscribed := true
	out.Subscribed = &subscribed
	if res != nil {
		out.Event = "subscribe"
	}
	return out, nil
}

func (a *API) simOAUnfollow(r *http.Request) (any, error) {
	var req struct {
		AppID string `json:"appid"`
		User  string `json:"user"`
	}
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	app, u, err := a.oaAppUser(r.Context(), req.AppID, req.User)
	if err != nil {
		return nil, err
	}
	before, err := a.p.OA.Relation(r.Context(), app.AppID, u.ID)
	if err != nil {
		return nil, err
	}
	if _, err := a.p.OA.Unfollow(r.Context(), app.AppID, u.ID); err != nil {
		return nil, simOAProblem(err, app, u)
	}
	// WeChat shows nothing of an unsubscribe to the user, whatever the
	// developer server answers.
	out, _ := a.outcome(r.Context(), app, u, nil)
	subscribed := false
	out.Subscribed = &subscribed
	if before != nil && before.Subscribed {
		out.Event = "unsubscribe"
	}
	return out, nil
}

func (a *API) simOASend(r *http.Request) (any, error) {
	var req struct {
		AppID string `json:"appid"`
		User  string `json:"user"`
		officialaccount.UserMessage
	}
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	app, u, err := a.oaAppUser(r.Context(), req.AppID, req.User)
	if err != nil {
		return nil, err
	}
	res, err := a.p.OA.Send(r.Context(), app.AppID, u.ID, req.UserMessage)
	if err != nil {
		return nil, simOAProblem(err, app, u)
	}
	return a.outcome(r.Context(), app, u, res)
}

func (a *API) simOAClick(r *http.Request) (any, error) {
	var req struct {
		AppID string `json:"appid"`
		User  string `json:"user"`
		Key   string `json:"key"`
	}
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	if req.Key == "" {
		return nil, badRequest("key", "must not be empty (the key of a click button of the account's menu)")
	}
	app, u, err := a.oaAppUser(r.Context(), req.AppID, req.User)
	if err != nil {
		return nil, err
	}
	res, err := a.p.OA.Click(r.Context(), app.AppID, u.ID, req.Key)
	if err != nil {
		return nil, simOAProblem(err, app, u)
	}
	out, err := a.outcome(r.Context(), app, u, res)
	if err != nil {
		return nil, err
	}
	out.Event = "CLICK"
	return out, nil
}

// qrCodeOf takes the code from a QR code's URL, <scheme>://<any host>/q/<code>.
func qrCodeOf(raw string) (string, error) {
	bad := badRequest("url", "must be a QR code URL of the form http(s)://<host>/q/<code>, as /cgi-bin/qrcode/create answers")
	if raw == "" {
		return "", badRequest("url", "must not be empty (the url /cgi-bin/qrcode/create answered, or what the code's image decodes to)")
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", bad
	}
	code, ok := strings.CutPrefix(u.Path, "/q/")
	if !ok || code == "" || strings.Contains(code, "/") {
		return "", bad
	}
	return code, nil
}

func (a *API) simOAScan(r *http.Request) (any, error) {
	var req struct {
		User string `json:"user"`
		URL  string `json:"url"`
	}
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	if req.User == "" {
		return nil, badRequest("user", "must not be empty (a user id, phone number or unique name)")
	}
	code, err := qrCodeOf(req.URL)
	if err != nil {
		return nil, err
	}
	u, err := a.p.Identity.FindUser(r.Context(), req.User)
	if err != nil {
		return nil, err
	}
	sr, err := a.p.OA.ScanQR(r.Context(), u.ID, code)
	if err != nil {
		return nil, simOAProblem(err, nil, u)
	}
	app, err := a.p.Accounts.App(r.Context(), sr.AppID)
	if err != nil {
		return nil, err
	}
	out, err := a.outcome(r.Context(), app, u, sr.ActResult)
	if err != nil {
		return nil, err
	}
	out.Event = sr.Event
	subscribed := true
	out.Subscribed = &subscribed
	return out, nil
}

func (a *API) simOAInbox(r *http.Request) (any, error) {
	q := r.URL.Query()
	app, u, err := a.oaAppUser(r.Context(), q.Get("appid"), q.Get("user"))
	if err != nil {
		return nil, err
	}
	all := false
	switch q.Get("all") {
	case "", "0", "false":
	case "1", "true":
		all = true
	default:
		return nil, badRequest("all", "must be 1 (include the user's own messages) or 0")
	}
	// The whole conversation, oldest first, a page at a time.
	var msgs []*officialaccount.Message
	var before int64
	for {
		page, err := a.p.OA.Conversation(r.Context(), u.ID, app.AppID, before, 0, 200)
		if err != nil {
			return nil, err
		}
		msgs = append(page, msgs...)
		if len(page) < 200 {
			break
		}
		before = page[0].ID
	}
	out := []*officialaccount.Message{}
	for _, m := range msgs {
		if all || m.Direction != officialaccount.In {
			out = append(out, m)
		}
	}
	return out, nil
}
