package shell

// Official accounts as the end user meets them: search, profiles, follows,
// the chat list, conversations, menus, QR codes (/q/<code> and the scan
// page) and the media the conversations show. Live updates are in
// events.go.

import (
	"bytes"
	"errors"
	"html/template"
	"image"
	_ "image/gif" // decoders for pictures handed to the scan page
	_ "image/jpeg"
	_ "image/png"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"superapp/internal/account"
	"superapp/internal/identity"
	"superapp/internal/input"
	"superapp/internal/live"
	"superapp/internal/officialaccount"
)

// Limits of the official-account endpoints.
const (
	// actionsPerUser is how many actions (messages, menu taps, follows,
	// scans) a user may make a minute: each reaches the account's developer
	// server, so a script could otherwise flood it.
	actionsPerUser      = 60
	actionsPerUserEvery = time.Minute
	// maxScanImage bounds a picture sent to the scan endpoint, in bytes and
	// in pixels (a small file can declare a huge image).
	maxScanImage       = 8 << 20
	maxScanImagePixels = 40_000_000
	// conversationPage is how many messages one conversation read returns.
	conversationPage = 50
)

// oaState is what the official-account endpoints keep between requests.
type oaState struct {
	actions   *limiter
	streams   *streamCounter
	shutdowns *shutdowns
}

func newOAState() *oaState {
	return &oaState{
		actions:   newLimiter(actionsPerUser, actionsPerUserEvery, maxLimiterKeys),
		streams:   newStreamCounter(),
		shutdowns: newShutdowns(),
	}
}

// registerOA adds the routes that live outside the JSON API's table: the
// event stream, the scan endpoint (it also takes a multipart picture),
// media files and QR code URLs.
func (s *Shell) registerOA(mux *http.ServeMux) {
	mux.HandleFunc("/shell/api/events", s.events)
	mux.HandleFunc("/shell/api/scan", s.scanEndpoint)
	mux.HandleFunc("GET /shell/media/{media_id}", s.media)
	mux.HandleFunc("GET /q/{code}", s.qrLanding)
}

// oaHandler is an endpoint for a signed-in user about one account (appid
// is "" for endpoints about none).
// oaHandler is an endpoint of the signed-in user about one app (appid is
// empty for paths without one).
type oaHandler func(r *http.Request, u *identity.User, appid string) (any, error)

// oaRoutes returns the endpoints for a path of the JSON API under
// /shell/api/ that the fixed table lacks: chats and oa/….
func (s *Shell) oaRoutes(r *http.Request) (map[string]apiHandler, bool) {
	rest := strings.TrimPrefix(r.URL.Path, "/shell/api/")
	var table map[string]oaHandler
	appid := ""
	switch {
	case rest == "chats":
		table = map[string]oaHandler{"GET": s.chats}
	case rest == "oa/search":
		table = map[string]oaHandler{"GET": s.searchAccounts}
	case strings.HasPrefix(rest, "oa/"):
		var sub string
		appid, sub, _ = strings.Cut(strings.TrimPrefix(rest, "oa/"), "/")
		if appid == "" {
			return nil, false
		}
		table = map[string]map[string]oaHandler{
			"":         {"GET": s.profile},
			"follow":   {"POST": s.follow},
			"unfollow": {"POST": s.unfollow},
			"messages": {"GET": s.messages, "POST": s.sendMessage},
			"read":     {"POST": s.markRead},
			"menu":     {"GET": s.menu},
			"menu/tap": {"POST": s.tap},

			"miniprograms": {"GET": s.oaMiniPrograms}, // oa_miniprograms.go
		}[sub]
	}
	if table == nil {
		return nil, false
	}
	return s.signedIn(table, appid, oaError), true
}

// signedIn makes a table of handlers into endpoints: each runs for the
// signed-in user with the path's appid, its errors mapped by mapErr.
func (s *Shell) signedIn(table map[string]oaHandler, appid string, mapErr func(error) error) map[string]apiHandler {
	out := make(map[string]apiHandler, len(table))
	for method, h := range table {
		out[method] = func(w http.ResponseWriter, r *http.Request) (any, error) {
			u, err := s.currentUser(r)
			if err != nil {
				return nil, err
			}
			body, err := h(r, u, appid)
			return body, mapErr(err)
		}
	}
	return out
}

// oaError turns the domain's errors into the shell API's answers.
func oaError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, account.ErrAppNotFound), errors.Is(err, officialaccount.ErrNotOfficialAccount):
		return errorf(http.StatusNotFound, "account_not_found", "", "There is no official account with this id.")
	case errors.Is(err, officialaccount.ErrNotFollowing):
		return errorf(http.StatusConflict, "not_following", "", "Follow this account first.")
	case errors.Is(err, officialaccount.ErrBlacklisted):
		return errorf(http.StatusForbidden, "blocked", "", "This account does not accept your messages.")
	case errors.Is(err, officialaccount.ErrNoSuchButton):
		return errorf(http.StatusNotFound, "no_such_button", "", "Your menu of this account has no such button; it may have changed.")
	case errors.Is(err, officialaccount.ErrQRCodeExpired):
		return errorf(http.StatusGone, "qrcode_expired", "", "This QR code has expired. Ask for a new one.")
	case errors.Is(err, officialaccount.ErrQRCodeNotFound):
		return errorf(http.StatusNotFound, "qrcode_not_found", "", "This QR code is not valid.")
	case errors.Is(err, officialaccount.ErrMediaNotFound):
		return errorf(http.StatusNotFound, "media_not_found", "", "This file does not exist or has expired.")
	}
	return err
}

// takeAction spends one of the user's actions.
func (s *Shell) takeAction(u *identity.User) error {
	if ok, retry := s.oa.actions.take(u.ID); !ok {
		return tooMany(retry)
	}
	return nil
}

func (s *Shell) chats(r *http.Request, u *identity.User, _ string) (any, error) {
	list, err := s.p.OA.Chats(r.Context(), u.ID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"chats": list}, nil
}

func (s *Shell) searchAccounts(r *http.Request, u *identity.User, _ string) (any, error) {
	list, err := s.p.OA.SearchAccounts(r.Context(), r.URL.Query().Get("q"), u.ID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"accounts": list}, nil
}

func (s *Shell) profile(r *http.Request, u *identity.User, appid string) (any, error) {
	p, err := s.p.OA.AccountProfile(r.Context(), appid, u.ID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"account": p}, nil
}

// followScenes are the ways the shell's pages follow: from search results
// or from an account's profile. QR codes follow through ScanQR.
var followScenes = map[string]bool{officialaccount.SceneSearch: true, officialaccount.SceneProfileCard: true}

func (s *Shell) follow(r *http.Request, u *identity.User, appid string) (any, error) {
	var in struct {
		Scene string `json:"scene"`
	}
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	if in.Scene == "" {
		in.Scene = officialaccount.SceneProfileCard
	}
	if !followScenes[in.Scene] {
		return nil, errorf(http.StatusBadRequest, "invalid_input", "scene", "Scene must be %s or %s.", officialaccount.SceneSearch, officialaccount.SceneProfileCard)
	}
	if err := s.takeAction(u); err != nil {
		return nil, err
	}
	if _, err := s.p.OA.Follow(r.Context(), appid, u.ID, in.Scene, nil); err != nil {
		return nil, err
	}
	return s.profile(r, u, appid)
}

func (s *Shell) unfollow(r *http.Request, u *identity.User, appid string) (any, error) {
	if err := decode(r, &struct{}{}); err != nil {
		return nil, err
	}
	if err := s.takeAction(u); err != nil {
		return nil, err
	}
	if _, err := s.p.OA.Unfollow(r.Context(), appid, u.ID); err != nil {
		return nil, err
	}
	return s.profile(r, u, appid)
}

// officialAccount checks that appid is an official account.
func (s *Shell) officialAccount(r *http.Request, appid string) error {
	app, err := s.p.Accounts.App(r.Context(), appid)
	if err != nil {
		return err
	}
	if !app.Kind.IsOfficialAccount() {
		return officialaccount.ErrNotOfficialAccount
	}
	return nil
}

// messageID reads an optional message-id query parameter.
func messageID(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, errorf(http.StatusBadRequest, "invalid_input", name, "%s must be a message id (a whole number ≥ 0).", fieldLabel(name))
	}
	return n, nil
}

// messages reads the conversation: the newest page, the page before
// message `before`, or everything after message `after` (a page at most).
// more says older messages remain (for before) or newer ones (for after).
func (s *Shell) messages(r *http.Request, u *identity.User, appid string) (any, error) {
	before, err := messageID(r, "before")
	if err != nil {
		return nil, err
	}
	after, err := messageID(r, "after")
	if err != nil {
		return nil, err
	}
	if before > 0 && after > 0 {
		return nil, errorf(http.StatusBadRequest, "invalid_input", "after", "Give before or after, not both.")
	}
	if err := s.officialAccount(r, appid); err != nil {
		return nil, err
	}
	// One more than a page tells whether more remain.
	list, err := s.p.OA.Conversation(r.Context(), u.ID, appid, before, after, conversationPage+1)
	if err != nil {
		return nil, err
	}
	more := len(list) > conversationPage
	if more {
		if after > 0 {
			list = list[:conversationPage]
		} else {
			list = list[1:]
		}
	}
	visible := make([]*officialaccount.Message, 0, len(list))
	for _, m := range list {
		if m.Kind != "event" { // menu taps are recorded but shown to nobody
			visible = append(visible, m)
		}
	}
	last := after
	if len(list) > 0 {
		last = list[len(list)-1].ID
	}
	// last lets a page ask for what came after the hidden rows too.
	return map[string]any{"messages": visible, "more": more, "last_id": last}, nil
}

func (s *Shell) sendMessage(r *http.Request, u *identity.User, appid string) (any, error) {
	var in struct {
		Text   string `json:"text"`
		MenuID string `json:"bizmsgmenuid"`
	}
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	if err := storable("text", in.Text); err != nil {
		return nil, err
	}
	if err := storable("bizmsgmenuid", in.MenuID); err != nil {
		return nil, err
	}
	if len(in.MenuID) > 64 {
		return nil, errorf(http.StatusBadRequest, "invalid_input", "bizmsgmenuid", "Bizmsgmenuid is longer than 64 characters.")
	}
	if err := s.takeAction(u); err != nil {
		return nil, err
	}
	// The answer does not wait for the developer server: replies reach the
	// page through the event stream.
	res, err := s.p.OA.Send(r.Context(), appid, u.ID, officialaccount.UserMessage{Kind: "text", Text: in.Text, MenuID: in.MenuID})
	if err != nil {
		return nil, err
	}
	return map[string]any{"message_id": res.MessageID}, nil
}

func (s *Shell) markRead(r *http.Request, u *identity.User, appid string) (any, error) {
	var in struct {
		UpTo int64 `json:"up_to"`
	}
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	if in.UpTo < 0 {
		return nil, errorf(http.StatusBadRequest, "invalid_input", "up_to", "Up_to must be a message id (a whole number ≥ 0).")
	}
	if err := s.officialAccount(r, appid); err != nil {
		return nil, err
	}
	if err := s.p.OA.MarkRead(r.Context(), u.ID, appid, in.UpTo); err != nil {
		return nil, err
	}
	// The user's other pages (a chat list, another device) update their
	// unread counts.
	s.p.Live.Publish(u.ID, live.Event{Type: "read", AppID: appid})
	return map[string]bool{"ok": true}, nil
}

func (s *Shell) menu(r *http.Request, u *identity.User, appid string) (any, error) {
	m, err := s.p.OA.MenuFor(r.Context(), appid, u.ID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"menu": m}, nil
}

func (s *Shell) tap(r *http.Request, u *identity.User, appid string) (any, error) {
	var in struct {
		Top        *int                      `json:"top"`
		Sub        *int                      `json:"sub"`
		ScanResult string                    `json:"scan_result"`
		PicMD5s    []string                  `json:"pic_md5s"`
		Location   *officialaccount.Location `json:"location"`
	}
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	if in.Top == nil || *in.Top < 0 {
		return nil, errorf(http.StatusBadRequest, "invalid_input", "top", "Top must be the index of a top-level button (0, 1 or 2).")
	}
	t := officialaccount.Tap{Top: *in.Top, Sub: -1, ScanResult: in.ScanResult, PicMD5s: in.PicMD5s, Location: in.Location}
	if in.Sub != nil {
		if *in.Sub < -1 {
			return nil, errorf(http.StatusBadRequest, "invalid_input", "sub", "Sub must be a sub-button's index, or -1 for the top-level button.")
		}
		t.Sub = *in.Sub
	}
	// What the button type needs (scan result, location, pictures) is
	// checked by the domain, except text no database can store.
	if t.Location != nil {
		if err := storable("location", t.Location.Label); err != nil {
			return nil, err
		}
	}
	if err := s.takeAction(u); err != nil {
		return nil, err
	}
	return s.p.OA.TapButton(r.Context(), appid, u.ID, t)
}

// Scanning.

// qrPath is the path of the URL inside an official account's QR code.
var qrPath = regexp.MustCompile(`^/q/([A-Za-z0-9_-]{1,128})$`)

// qrCodeOf returns the code of one of our QR code URLs, whatever its host:
// the server that made the code may be known under another name.
func qrCodeOf(text string) (string, bool) {
	u, err := url.Parse(text)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	m := qrPath.FindStringSubmatch(u.Path)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// scanAnswer is what the scan page does with what it scanned: open an
// account's conversation (the scan followed it or raised SCAN), open a URL,
// or show text.
type scanAnswer struct {
	Text  string `json:"text"`
	AppID string `json:"appid,omitempty"`
	URL   string `json:"url,omitempty"`
}

// scanEndpoint is POST /shell/api/scan: JSON {"url"} or a multipart form
// whose "image" is a picture of a QR code.
func (s *Shell) scanEndpoint(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeError(w, r, errorf(http.StatusMethodNotAllowed, "method_not_allowed", "", "%s is not allowed here.", r.Method))
		return
	}
	body, err := s.scan(r)
	if err != nil {
		writeError(w, r, oaError(err))
		return
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *Shell) scan(r *http.Request) (any, error) {
	var text string
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		// A cross-site form can send multipart, so unlike JSON it must
		// come with the browser's Origin naming this site.
		if o := r.Header.Get("Origin"); o == "" || checkWrite(withJSONType(r)) != nil {
			return nil, errorf(http.StatusForbidden, "cross_origin", "", "Requests from other sites are not allowed.")
		}
	} else if err := checkWrite(r); err != nil {
		return nil, err
	}
	u, err := s.currentUser(r)
	if err != nil {
		return nil, err
	}
	// Decoding a picture costs CPU, so every scan counts as an action.
	if err := s.takeAction(u); err != nil {
		return nil, err
	}
	if mt == "multipart/form-data" {
		if text, err = decodeQRImage(r); err != nil {
			return nil, err
		}
	} else {
		var in struct {
			URL string `json:"url"`
		}
		if err := decode(r, &in); err != nil {
			return nil, err
		}
		text = strings.TrimSpace(in.URL)
		if text == "" {
			return nil, errorf(http.StatusBadRequest, "invalid_input", "url", "Enter the address the QR code holds.")
		}
	}
	ans := scanAnswer{Text: text}
	if code, ok := qrCodeOf(text); ok {
		res, err := s.p.OA.ScanQR(r.Context(), u.ID, code)
		if err != nil {
			return nil, err
		}
		ans.AppID = res.AppID
		return ans, nil
	}
	if l, err := url.Parse(text); err == nil && (l.Scheme == "http" || l.Scheme == "https") && l.Host != "" {
		ans.URL = text
	}
	return ans, nil
}

// withJSONType is r as checkWrite sees a JSON request, so the multipart
// path shares its origin checks.
func withJSONType(r *http.Request) *http.Request {
	c := r.Clone(r.Context())
	c.Header.Set("Content-Type", "application/json")
	return c
}

// decodeQRImage reads the multipart field "image" and returns the text of
// the QR code in it.
func decodeQRImage(r *http.Request) (string, error) {
	noImage := errorf(http.StatusBadRequest, "invalid_input", "image", "Choose a picture of a QR code (PNG, JPEG or GIF, at most %d MB).", maxScanImage>>20)
	mr, err := r.MultipartReader()
	if err != nil {
		return "", noImage
	}
	var data []byte
	for {
		part, err := mr.NextPart()
		if err != nil {
			return "", noImage
		}
		if part.FormName() != "image" {
			continue
		}
		data, err = io.ReadAll(io.LimitReader(part, maxScanImage+1))
		if err != nil || len(data) > maxScanImage {
			return "", noImage
		}
		break
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width*cfg.Height > maxScanImagePixels {
		return "", noImage
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return "", noImage
	}
	text, err := DecodeQR(img)
	if err != nil {
		return "", errorf(http.StatusBadRequest, "no_qr_code", "image", "No QR code was found in this picture.")
	}
	return text, nil
}

// qrLanding is GET /q/{code}, the address inside an account's QR code:
// opening it is scanning it. Signed-out visitors sign in first and come back.
func (s *Shell) qrLanding(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	if !qrPath.MatchString("/q/" + code) {
		s.messagePage(w, r, http.StatusNotFound, "This QR code is not valid", "The address does not belong to any official account's QR code.")
		return
	}
	u, err := s.currentUser(r)
	if errors.Is(err, errNotSignedIn) {
		http.Redirect(w, r, "/signin?next="+url.QueryEscape("/q/"+code), http.StatusSeeOther)
		return
	}
	if err == nil {
		err = s.takeAction(u)
	}
	var res *officialaccount.ScanResult
	if err == nil {
		res, err = s.p.OA.ScanQR(r.Context(), u.ID, code)
	}
	var ae *apiError
	switch {
	case err == nil:
		http.Redirect(w, r, "/chats/"+url.PathEscape(res.AppID), http.StatusSeeOther)
	case errors.Is(err, officialaccount.ErrQRCodeExpired):
		s.messagePage(w, r, http.StatusGone, "This QR code has expired", "Ask the official account for a new one and scan it again.")
	case errors.Is(err, officialaccount.ErrQRCodeNotFound), errors.Is(err, account.ErrAppNotFound), errors.Is(err, officialaccount.ErrNotOfficialAccount):
		s.messagePage(w, r, http.StatusNotFound, "This QR code is not valid", "No official account has a QR code with this address.")
	case errors.As(err, &ae) && ae.Status == http.StatusTooManyRequests:
		for k, v := range ae.header {
			w.Header()[k] = v
		}
		s.messagePage(w, r, ae.Status, "Too many scans", ae.Message)
	default:
		slog.Error("shell qr landing", "path", r.URL.Path, "err", err)
		s.messagePage(w, r, http.StatusInternalServerError, "Something went wrong", "The server could not open this QR code. Try again later.")
	}
}

// messagePage is a page that only says something, drawn without script in
// the shell's style.
var messagePage = template.Must(template.New("msg").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}}</title>{{if .CSS}}
<link rel="stylesheet" href="{{.CSS}}">{{end}}
</head><body><div id="app"><div class="weui-msg" data-testid="message-page">
<div class="weui-msg__icon-area"><i class="weui-icon-warn weui-icon_msg"></i></div>
<div class="weui-msg__text-area"><h2 class="weui-msg__title">{{.Title}}</h2><p class="weui-msg__desc">{{.Desc}}</p></div>
<div class="weui-msg__opr-area"><a class="weui-btn weui-btn_default" href="/chats">Back to Chats</a></div>
</div></div></body></html>
`))

var stylesheetHref = regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)">`)

func (s *Shell) messagePage(w http.ResponseWriter, r *http.Request, status int, title, desc string) {
	css := ""
	if m := stylesheetHref.FindSubmatch(s.index); m != nil {
		css = string(m[1])
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	w.WriteHeader(status)
	messagePage.Execute(w, map[string]string{"Title": title, "Desc": desc, "CSS": css})
}

// Media.

// inlineMedia are the types a conversation shows in place; anything else
// is offered as a download so a file can never run as a page of this site.
func inlineMedia(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || mt == "image/svg+xml" {
		return false
	}
	return strings.HasPrefix(mt, "image/") || strings.HasPrefix(mt, "audio/") || strings.HasPrefix(mt, "video/")
}

// media is GET /shell/media/{media_id}: an account's temporary media, for
// signed-in users.
func (s *Shell) media(w http.ResponseWriter, r *http.Request) {
	if _, err := s.currentUser(r); err != nil {
		writeError(w, r, err)
		return
	}
	id := r.PathValue("media_id")
	if !input.Storable(id) || len(id) > 128 {
		writeError(w, r, oaError(officialaccount.ErrMediaNotFound))
		return
	}
	ctype, filename, data, err := s.p.OA.MediaContent(r.Context(), id)
	if err != nil {
		writeError(w, r, oaError(err))
		return
	}
	h := w.Header()
	disposition := "attachment"
	if inlineMedia(ctype) {
		disposition = "inline"
	} else {
		ctype = "application/octet-stream"
	}
	if filename != "" {
		disposition = mime.FormatMediaType(disposition, map[string]string{"filename": filename})
	}
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", disposition)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	// Media ids are not reused, so a copy stays right; private because
	// only signed-in users may fetch it.
	h.Set("Cache-Control", "private, max-age=3600")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
}
