package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"superapp/internal/account"
	"superapp/internal/officialaccount"
)

// An official account's associated mini programs (小程序管理 permission
// set 33): /cgi-bin/wxopen/wxamplinkget, wxamplink, wxampunlink, with the
// account's own access token (it plays the authorizer_access_token).
//
// WeChat's documents list no errcodes for these calls; the codes below are
// the ones developers report from WeChat or, where none is reported, our
// choice (docs/miniprogram-platform.md, "OA ↔ mini program association"):
// 89015 already linked, 89010 an invitation already waits, 89009 a link
// limit (same subject, month, or the mini program's accounts), 89407 the
// other-subject limit (WeChat's "reach different realname limit"), 40166 an
// appid that is no mini program of this server, 40097 unlinking or a
// mini program that is not linked.
var (
	errWeappAppID       = &Error{40166, "invalid weapp appid"}
	errLinkLimit        = &Error{89009, "reach link limit"}
	errLinkPending      = &Error{89010, "link invitation already sent, waiting for the mini program admin"}
	errLinkExists       = &Error{89015, "has linked"}
	errLinkOtherSubject = &Error{89407, "reach different realname limit"}
	errNotLinked        = &Error{40097, "invalid args, the mini program is not linked"}
)

var mpLinkErrors = domainErrors{
	{officialaccount.ErrNotMiniProgram, errWeappAppID},
	{officialaccount.ErrMiniProgramLinked, errLinkExists},
	{officialaccount.ErrMiniProgramLinkWait, errLinkPending},
	{officialaccount.ErrLinkLimitOtherSubject, errLinkOtherSubject},
	{officialaccount.ErrLinkLimitSameSubject, errLinkLimit},
	{officialaccount.ErrLinkLimitMonth, errLinkLimit},
	{officialaccount.ErrLinkLimitMiniProgram, errLinkLimit},
	{officialaccount.ErrMiniProgramNotLinked, errNotLinked},
	{officialaccount.ErrNotOfficialAccount, ErrAPIUnauthorized},
}

func mpLinkError(err error) error {
	if e := mpLinkErrors.mapped(err); e != nil {
		return e
	}
	return err
}

func (a *API) registerOAMPLinks(mux *http.ServeMux) {
	// Reading takes any method (some clients GET it); changes need POST.
	mux.HandleFunc("/cgi-bin/wxopen/wxamplinkget", a.authed(a.mpLinkGet))
	mux.HandleFunc("/cgi-bin/wxopen/wxamplink", a.postAuthed(a.mpLink))
	mux.HandleFunc("/cgi-bin/wxopen/wxampunlink", a.postAuthed(a.mpUnlink))
}

// flexFlag is WeChat's 0/1 flag as clients send it: a number, a boolean or
// a string of either ("1", "true").
type flexFlag bool

func (f *flexFlag) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		b = []byte(strings.TrimSpace(s))
	}
	switch string(b) {
	case "1", "true":
		*f = true
	case "0", "false", "", "null":
		*f = false
	default:
		return errors.New("not a 0/1 flag")
	}
	return nil
}

type mpLinkFuncInfo struct {
	Status int    `json:"status"`
	ID     int    `json:"id"`
	Name   string `json:"name"`
}

// mpLinkItem is one entry of wxamplinkget, in WeChat's documented shape.
type mpLinkItem struct {
	Status              int              `json:"status"`
	Username            string           `json:"username"`
	AppID               string           `json:"appid"`
	Source              string           `json:"source"`
	Nickname            string           `json:"nickname"`
	Selected            int              `json:"selected"`
	NearbyDisplayStatus int              `json:"nearby_display_status"`
	Released            int              `json:"released"`
	HeadImgURL          string           `json:"headimg_url"`
	FuncInfos           []mpLinkFuncInfo `json:"func_infos"`
	CopyVerifyStatus    int              `json:"copy_verify_status"`
	Email               string           `json:"email"`
}

// POST /cgi-bin/wxopen/wxamplinkget → {"wxopens":{"items":[…]}}: every link
// of the account, pending and refused ones included (as WeChat lists them).
func (a *API) mpLinkGet(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := officialAccountOnly(app); err != nil {
		return nil, err
	}
	links, err := a.p.OA.LinkedMiniPrograms(ctx(r), app.AppID)
	if err != nil {
		return nil, mpLinkError(err)
	}
	items := make([]mpLinkItem, 0, len(links))
	for _, l := range links {
		it := mpLinkItem{Status: l.Status, Username: l.OriginalID, AppID: l.AppID, Source: "SOURCE_NORMAL", Nickname: l.Name,
			Selected: boolFlag(l.ShowProfile), HeadImgURL: "", FuncInfos: []mpLinkFuncInfo{{0, 1, "微信认证"}, {0, 2, "微信支付"}}}
		if mp, err := a.p.Accounts.App(ctx(r), l.AppID); err == nil {
			if sub, err := a.p.Accounts.Subject(ctx(r), mp.SubjectID); err == nil && sub.Certified {
				it.FuncInfos[0].Status = 1
			}
		}
		if st, err := a.p.Releases.State(ctx(r), l.AppID); err == nil && st.Online != nil {
			it.Released = 1
		}
		items = append(items, it)
	}
	return map[string]any{"errcode": 0, "errmsg": "ok", "wxopens": map[string]any{"items": items}}, nil
}

// POST /cgi-bin/wxopen/wxamplink {"appid","notify_users","show_profile"}.
// notify_users is kept with the link; no follower is messaged (WeChat sends
// them a template message — we have none to send).
func (a *API) mpLink(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := officialAccountOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		AppID       string   `json:"appid"`
		NotifyUsers flexFlag `json:"notify_users"`
		ShowProfile flexFlag `json:"show_profile"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	if req.AppID == "" {
		return nil, ErrAppIDMissing
	}
	if _, err := a.p.OA.LinkMiniProgram(ctx(r), app.AppID, req.AppID, bool(req.ShowProfile), bool(req.NotifyUsers)); err != nil {
		return nil, mpLinkError(err)
	}
	return OK(), nil
}

// POST /cgi-bin/wxopen/wxampunlink {"appid"}: removes the link in any state.
func (a *API) mpUnlink(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := officialAccountOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		AppID string `json:"appid"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	if req.AppID == "" {
		return nil, ErrAppIDMissing
	}
	if err := a.p.OA.UnlinkMiniProgram(ctx(r), app.AppID, req.AppID); err != nil {
		return nil, mpLinkError(err)
	}
	return OK(), nil
}

func boolFlag(b bool) int {
	if b {
		return 1
	}
	return 0
}
