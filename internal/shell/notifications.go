package shell

// Subscribe messages in the shell: the consent sheet's two calls for
// wx.requestSubscribeMessage (what to ask, then the user's answers), and
// the user's service notifications (docs/miniprogram-platform.md,
// "Subscribe messages").
//
//   GET  /shell/api/subscribe/{appid}?ids=a,b,c → {templates:[{id,title,keywords}], unknown:[id], kept:{id:"accept"|"reject"}}
//   POST /shell/api/subscribe/{appid} {answers:{id:"accept"|"reject"}, keep} → {answers:{id:…}}
//   GET  /shell/api/notifications?before=ID → {notifications:[…], unread}
//   POST /shell/api/notifications/read {up_to} → {unread}

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"superapp/internal/account"
	"superapp/internal/identity"
	"superapp/internal/subscribemsg"
)

// maxSubscribeIDs is wx.requestSubscribeMessage's limit (the runtime
// checks it first; the server does not trust that).
const maxSubscribeIDs = 3

// notificationsPage is how many notifications one page of the inbox holds.
const notificationsPage = 30

// notificationRoutes returns the endpoints for subscribe/… and
// notifications… paths.
func (s *Shell) notificationRoutes(r *http.Request) (map[string]apiHandler, bool) {
	rest := strings.TrimPrefix(r.URL.Path, "/shell/api/")
	var table map[string]oaHandler
	appid := ""
	switch {
	case rest == "notifications":
		table = map[string]oaHandler{"GET": s.notifications}
	case rest == "notifications/read":
		table = map[string]oaHandler{"POST": s.readNotifications}
	case strings.HasPrefix(rest, "subscribe/") && !strings.Contains(strings.TrimPrefix(rest, "subscribe/"), "/"):
		appid = strings.TrimPrefix(rest, "subscribe/")
		table = map[string]oaHandler{"GET": s.subscribePrompt, "POST": s.subscribeDecide}
	}
	if table == nil || (strings.HasPrefix(rest, "subscribe/") && appid == "") {
		return nil, false
	}
	return s.signedIn(table, appid, subscribeError), true
}

func subscribeError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, account.ErrAppNotFound):
		return errorf(http.StatusNotFound, "not_found", "appid", "No such mini program.")
	case errors.Is(err, subscribemsg.ErrTemplateNotFound):
		return errorf(http.StatusNotFound, "template_not_found", "answers", "%s", err.Error())
	case errors.Is(err, subscribemsg.ErrAnswer):
		return errorf(http.StatusBadRequest, "invalid_input", "answers", "%s", err.Error())
	}
	return err
}

func (s *Shell) miniProgram(r *http.Request, appid string) (*account.App, error) {
	app, err := s.p.Accounts.App(r.Context(), appid)
	if err != nil {
		return nil, err
	}
	if app.Kind != account.MiniProgram {
		return nil, account.ErrAppNotFound
	}
	return app, nil
}

type promptTemplate struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Keywords []string `json:"keywords"`
}

func (s *Shell) subscribePrompt(r *http.Request, u *identity.User, appid string) (any, error) {
	if _, err := s.miniProgram(r, appid); err != nil {
		return nil, err
	}
	var ids []string
	for _, id := range strings.Split(r.URL.Query().Get("ids"), ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 || len(ids) > maxSubscribeIDs {
		return nil, errorf(http.StatusBadRequest, "invalid_input", "ids", "Give 1 to %d template ids.", maxSubscribeIDs)
	}
	p, err := s.p.Subscribe.Prompt(r.Context(), appid, u.ID, ids)
	if err != nil {
		return nil, err
	}
	out := struct {
		Templates []promptTemplate  `json:"templates"`
		Unknown   []string          `json:"unknown"`
		Kept      map[string]string `json:"kept"`
	}{Templates: []promptTemplate{}, Unknown: p.Unknown, Kept: p.Kept}
	if out.Unknown == nil {
		out.Unknown = []string{}
	}
	for _, t := range p.Templates {
		pt := promptTemplate{ID: t.PriTmplID, Title: t.Title}
		for _, k := range t.Keywords {
			pt.Keywords = append(pt.Keywords, k.Name)
		}
		out.Templates = append(out.Templates, pt)
	}
	return out, nil
}

func (s *Shell) subscribeDecide(r *http.Request, u *identity.User, appid string) (any, error) {
	var req struct {
		Answers map[string]string `json:"answers"`
		Keep    bool              `json:"keep"`
	}
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	if len(req.Answers) == 0 || len(req.Answers) > maxSubscribeIDs {
		return nil, errorf(http.StatusBadRequest, "invalid_input", "answers", "Answer 1 to %d templates.", maxSubscribeIDs)
	}
	if _, err := s.miniProgram(r, appid); err != nil {
		return nil, err
	}
	// The app reaches the user by the OpenID it got at login; make sure it
	// maps back to them even if this is their first contact.
	if _, err := s.p.Identity.Enroll(r.Context(), appid, u.ID); err != nil {
		return nil, err
	}
	answers, err := s.p.Subscribe.Decide(r.Context(), appid, u.ID, req.Answers, req.Keep)
	if err != nil {
		return nil, err
	}
	return map[string]any{"answers": answers}, nil
}

func (s *Shell) notifications(r *http.Request, u *identity.User, _ string) (any, error) {
	var before int64
	if v := r.URL.Query().Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return nil, errorf(http.StatusBadRequest, "invalid_input", "before", "before must be a notification id.")
		}
		before = n
	}
	list, unread, err := s.p.Subscribe.Inbox(r.Context(), u.ID, before, notificationsPage)
	if err != nil {
		return nil, err
	}
	return map[string]any{"notifications": list, "unread": unread}, nil
}

func (s *Shell) readNotifications(r *http.Request, u *identity.User, _ string) (any, error) {
	var req struct {
		UpTo int64 `json:"up_to"`
	}
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	if err := s.p.Subscribe.MarkRead(r.Context(), u.ID, req.UpTo); err != nil {
		return nil, err
	}
	unread, err := s.p.Subscribe.Unread(r.Context(), u.ID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"unread": unread}, nil
}
