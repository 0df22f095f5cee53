package adminapi

import (
	"errors"
	"net/http"

	"superapp/internal/officialaccount"
)

// An official account's auto-replies (one document, or one part of it at a
// time) and, read-only, its menus.
func (a *API) registerOAAutoReplies(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/v1/apps/{appid}/autoreply", a.operator(a.getAutoReplies))
	mux.HandleFunc("PUT /admin/v1/apps/{appid}/autoreply", a.operator(a.setAutoReplies))
	mux.HandleFunc("DELETE /admin/v1/apps/{appid}/autoreply", a.operator(a.clearAutoReplies))
	mux.HandleFunc("POST /admin/v1/apps/{appid}/autoreply/keyword-rules", a.operator(a.addKeywordRule))
	mux.HandleFunc("PUT /admin/v1/apps/{appid}/autoreply/follow", a.operator(a.setSwitchedReply(func(d *officialaccount.AutoReplies) *officialaccount.ReplySwitch { return &d.FollowReply })))
	mux.HandleFunc("PUT /admin/v1/apps/{appid}/autoreply/default", a.operator(a.setSwitchedReply(func(d *officialaccount.AutoReplies) *officialaccount.ReplySwitch { return &d.DefaultReply })))
	mux.HandleFunc("GET /admin/v1/apps/{appid}/menus", a.operator(a.getMenus))
}

// oaProblem names the appid as the fault when it is not an official
// account.
func oaProblem(err error) error {
	if errors.Is(err, officialaccount.ErrNotOfficialAccount) {
		return badRequest("appid", "is not an official account (auto-replies and menus belong to subscription and service accounts)")
	}
	return err
}

func (a *API) getAutoReplies(r *http.Request) (any, error) {
	doc, err := a.p.OA.AutoReplies(r.Context(), r.PathValue("appid"))
	return doc, oaProblem(err)
}

func (a *API) setAutoReplies(r *http.Request) (any, error) {
	var doc officialaccount.AutoReplies
	if err := decode(r, &doc); err != nil {
		return nil, err
	}
	out, err := a.p.OA.SetAutoReplies(r.Context(), r.PathValue("appid"), doc)
	return out, oaProblem(err)
}

func (a *API) clearAutoReplies(r *http.Request) (any, error) {
	appid := r.PathValue("appid")
	if err := a.p.OA.ClearAutoReplies(r.Context(), appid); err != nil {
		return nil, oaProblem(err)
	}
	return a.p.OA.AutoReplies(r.Context(), appid)
}

// addKeywordRule appends one rule to the document.
func (a *API) addKeywordRule(r *http.Request) (any, error) {
	var rule officialaccount.KeywordRule
	if err := decode(r, &rule); err != nil {
		return nil, err
	}
	out, err := a.p.OA.UpdateAutoReplies(r.Context(), r.PathValue("appid"), func(d *officialaccount.AutoReplies) error {
		d.KeywordRules = append(d.KeywordRules, rule)
		return nil
	})
	return out, oaProblem(err)
}

// setSwitchedReply changes the follow or default reply: enabled as given,
// and the reply when one is given (without one, the stored reply stays, so
// switching off and on again keeps it).
func (a *API) setSwitchedReply(part func(*officialaccount.AutoReplies) *officialaccount.ReplySwitch) handler {
	return func(r *http.Request) (any, error) {
		var req struct {
			Enabled *bool                      `json:"enabled"`
			Reply   *officialaccount.AutoReply `json:"reply"`
		}
		if err := decode(r, &req); err != nil {
			return nil, err
		}
		if req.Enabled == nil {
			return nil, badRequest("enabled", "must be true or false")
		}
		out, err := a.p.OA.UpdateAutoReplies(r.Context(), r.PathValue("appid"), func(d *officialaccount.AutoReplies) error {
			sw := part(d)
			sw.Enabled = *req.Enabled
			if req.Reply != nil {
				sw.Reply = req.Reply
			}
			return nil
		})
		return out, oaProblem(err)
	}
}

func (a *API) getMenus(r *http.Request) (any, error) {
	menus, err := a.p.OA.Menus(r.Context(), r.PathValue("appid"))
	return menus, oaProblem(err)
}
