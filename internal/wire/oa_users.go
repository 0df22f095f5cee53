package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"superapp/internal/account"
	"superapp/internal/officialaccount"
)

// Errcodes of user management and tags (reference §3.3; the codes are
// WeChat's documented ones for each violation, the English messages are
// WeChat's where observed — 40032, 40092, 45157, 45159 — and ours otherwise).
var (
	errUsersOpenIDListSize = &Error{40032, "invalid openid list size"}
	errUsersRemark         = &Error{40092, "invalid remark name"}
	errUsersTooManyTags    = &Error{45056, "too many tags now, no more can be created"}
	errUsersTagMembers     = &Error{45057, "too many fans in this tag, can not delete it directly"}
	errUsersReservedTag    = &Error{45058, "can not modify the system reserved tags 0/1/2"}
	errUsersUserTags       = &Error{45059, "user has too many tags"}
	errUsersTagName        = &Error{45157, "invalid tag name"}
	errUsersTagNameLong    = &Error{45158, "tag name too long"}
	errUsersTagID          = &Error{45159, "invalid tag id"}
)

func (a *API) registerOAUsers(mux *http.ServeMux) {
	mux.HandleFunc("/cgi-bin/user/get", a.authed(a.oaUserList))
	mux.HandleFunc("/cgi-bin/user/info", a.authed(a.oaUserInfo))
	mux.HandleFunc("/cgi-bin/user/info/batchget", a.postAuthed(a.oaUserBatchGet))
	mux.HandleFunc("/cgi-bin/user/info/updateremark", a.postAuthed(a.oaUpdateRemark))

	mux.HandleFunc("/cgi-bin/tags/create", a.postAuthed(a.oaTagCreate))
	mux.HandleFunc("/cgi-bin/tags/get", a.authed(a.oaTagList))
	mux.HandleFunc("/cgi-bin/tags/update", a.postAuthed(a.oaTagUpdate))
	mux.HandleFunc("/cgi-bin/tags/delete", a.postAuthed(a.oaTagDelete))
	mux.HandleFunc("/cgi-bin/user/tag/get", a.postAuthed(a.oaTagMembers))
	mux.HandleFunc("/cgi-bin/tags/members/batchtagging", a.postAuthed(a.oaTagging(true)))
	mux.HandleFunc("/cgi-bin/tags/members/batchuntagging", a.postAuthed(a.oaTagging(false)))
	mux.HandleFunc("/cgi-bin/tags/getidlist", a.postAuthed(a.oaUserTagIDs))

	mux.HandleFunc("/cgi-bin/tags/members/getblacklist", a.postAuthed(a.oaBlacklist))
	mux.HandleFunc("/cgi-bin/tags/members/batchblacklist", a.postAuthed(a.oaSetBlacklisted(true)))
	mux.HandleFunc("/cgi-bin/tags/members/batchunblacklist", a.postAuthed(a.oaSetBlacklisted(false)))
}

// postAuthed is authed for the endpoints WeChat serves only to POST: any
// other method is 43002 before the token is even looked at.
func (a *API) postAuthed(h AuthedHandler) http.HandlerFunc {
	inner := a.authed(h)
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			WriteError(w, r, ErrMethodNotAllowed)
			return
		}
		inner(w, r)
	}
}

// officialAccountOnly refuses mini programs: user management and QR codes
// belong to subscription and service accounts.
func officialAccountOnly(app *account.App) error {
	return requireKind(app, account.SubscriptionAccount, account.ServiceAccount)
}

// domainErrors maps domain errors to errcodes.
type domainErrors []struct {
	domain error
	wire   *Error
}

// mapped is err's errcode with the domain's detail after WeChat's message,
// or nil when the table has no entry for err.
func (t domainErrors) mapped(err error) error {
	for _, m := range t {
		if errors.Is(err, m.domain) {
			return m.wire.With(domainDetail(err, m.domain))
		}
	}
	return nil
}

// oaUsersErrors are the domain's follower and tag errors.
var oaUsersErrors = domainErrors{
	{officialaccount.ErrOpenIDNotFound, ErrInvalidOpenID},
	{officialaccount.ErrOpenIDListSize, errUsersOpenIDListSize},
	{officialaccount.ErrRemarkInvalid, errUsersRemark},
	{officialaccount.ErrTooManyTags, errUsersTooManyTags},
	{officialaccount.ErrTagTooManyMembers, errUsersTagMembers},
	{officialaccount.ErrTagReserved, errUsersReservedTag},
	{officialaccount.ErrUserTooManyTags, errUsersUserTags},
	{officialaccount.ErrTagNameInvalid, errUsersTagName},
	{officialaccount.ErrTagNameTaken, errUsersTagName}, // "标签名非法，请注意不能和其他标签重名"
	{officialaccount.ErrTagNameTooLong, errUsersTagNameLong},
	{officialaccount.ErrTagNotFound, errUsersTagID},
	{officialaccount.ErrNotOfficialAccount, ErrAPIUnauthorized},
}

// oaUsersError maps the domain's follower and tag errors to errcodes.
func oaUsersError(err error) error {
	if e := oaUsersErrors.mapped(err); e != nil {
		return e
	}
	return err
}

// domainDetail is what a domain error adds to its sentinel, as ", detail".
func domainDetail(err, sentinel error) string {
	if d, ok := strings.CutPrefix(err.Error(), sentinel.Error()+": "); ok && d != "" {
		return ", " + d
	}
	return ""
}

// flexID is a numeric id that SDKs send as a JSON number or as a string of
// digits (PowerWeChat's tag client sends tag ids as strings).
type flexID int64

func (f *flexID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s = strings.TrimSpace(s); s == "" {
			*f = 0
			return nil
		}
		b = []byte(s)
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return err
	}
	*f = flexID(n)
	return nil
}

// openIDData is the {"openid":[…]} of list answers.
type openIDData struct {
	OpenID []string `json:"openid"`
}

// followerListBody is user/get's and getblacklist's answer. Like WeChat, an
// empty page has no data and an empty next_openid.
type followerListBody struct {
	Total      int64       `json:"total"`
	Count      int         `json:"count"`
	Data       *openIDData `json:"data,omitempty"`
	NextOpenID string      `json:"next_openid"`
}

func followerPageBody(p *officialaccount.OpenIDPage) followerListBody {
	b := followerListBody{Total: p.Total, Count: len(p.OpenIDs), NextOpenID: p.Next}
	if len(p.OpenIDs) > 0 {
		b.Data = &openIDData{OpenID: p.OpenIDs}
	}
	return b
}

// GET /cgi-bin/user/get?next_openid=
func (a *API) oaUserList(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := officialAccountOnly(app); err != nil {
		return nil, err
	}
	if err := parseForm(r); err != nil {
		return nil, err
	}
	p, err := a.p.OA.Followers(ctx(r), app.AppID, param(r, "next_openid"))
	if err != nil {
		return nil, oaUsersError(err)
	}
	return followerPageBody(p), nil
}

// userInfoBody is user/info for a follower. Nickname, sex, city, country,
// province and headimgurl are no longer given out by WeChat and are empty.
type userInfoBody struct {
	Subscribe      int     `json:"subscribe"`
	OpenID         string  `json:"openid"`
	Nickname       string  `json:"nickname"`
	Sex            int     `json:"sex"`
	Language       string  `json:"language"`
	City           string  `json:"city"`
	Province       string  `json:"province"`
	Country        string  `json:"country"`
	HeadImgURL     string  `json:"headimgurl"`
	SubscribeTime  int64   `json:"subscribe_time"`
	UnionID        string  `json:"unionid,omitempty"`
	Remark         string  `json:"remark"`
	GroupID        int     `json:"groupid"`
	TagIDList      []int64 `json:"tagid_list"`
	SubscribeScene string  `json:"subscribe_scene"`
	QRScene        int64   `json:"qr_scene"`
	QRSceneStr     string  `json:"qr_scene_str"`
}

// notFollowingBody is user/info for an OpenID whose user does not follow.
type notFollowingBody struct {
	Subscribe int    `json:"subscribe"`
	OpenID    string `json:"openid"`
	UnionID   string `json:"unionid,omitempty"`
}

func followerInfoBody(i *officialaccount.FollowerInfo) any {
	if !i.Subscribed {
		return notFollowingBody{OpenID: i.OpenID, UnionID: i.UnionID}
	}
	return userInfoBody{Subscribe: 1, OpenID: i.OpenID, Language: i.Language, SubscribeTime: i.SubscribeTime, UnionID: i.UnionID,
		Remark: i.Remark, TagIDList: i.TagIDs, SubscribeScene: i.SubscribeScene, QRScene: i.QRScene, QRSceneStr: i.QRSceneStr}
}

// GET /cgi-bin/user/info?openid=&lang= (lang only picks the language of
// the legacy place names, which are empty, so any value is accepted)
func (a *API) oaUserInfo(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := officialAccountOnly(app); err != nil {
		return nil, err
	}
	if err := parseForm(r); err != nil {
		return nil, err
	}
	openid := param(r, "openid")
	if openid == "" {
		return nil, ErrOpenIDMissing
	}
	infos, err := a.p.OA.FollowerInfos(ctx(r), app.AppID, []string{openid})
	if err != nil {
		return nil, oaUsersError(err)
	}
	return followerInfoBody(infos[0]), nil
}

// POST /cgi-bin/user/info/batchget {"user_list":[{"openid","lang"}]}
func (a *API) oaUserBatchGet(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := officialAccountOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		UserList []struct {
			OpenID string `json:"openid"`
		} `json:"user_list"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	openids := make([]string, len(req.UserList))
	for i, u := range req.UserList {
		openids[i] = u.OpenID
	}
	infos, err := a.p.OA.FollowerInfos(ctx(r), app.AppID, openids)
	if err != nil {
		return nil, oaUsersError(err)
	}
	list := make([]any, len(infos))
	for i, info := range infos {
		list[i] = followerInfoBody(info)
	}
	return map[string]any{"user_info_list": list}, nil
}

// POST /cgi-bin/user/info/updateremark {"openid","remark"}
func (a *API) oaUpdateRemark(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := officialAccountOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		OpenID string `json:"openid"`
		Remark string `json:"remark"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	if req.OpenID == "" {
		return nil, ErrOpenIDMissing
	}
	if err := a.p.OA.SetRemark(ctx(r), app.AppID, req.OpenID, req.Remark); err != nil {
		return nil, oaUsersError(err)
	}
	return OK(), nil
}

type tagBody struct {
	Tag struct {
		ID   flexID `json:"id"`
		Name string `json:"name"`
	} `json:"tag"`
}

// POST /cgi-bin/tags/create {"tag":{"name"}} → {"tag":{"id","name"}}
func (a *API) oaTagCreate(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := officialAccountOnly(app); err != nil {
		return nil, err
	}
	var req tagBody
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	t, err := a.p.OA.CreateTag(ctx(r), app.AppID, req.Tag.Name)
	if err != nil {
		return nil, oaUsersError(err)
	}
	type created struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	}
	return map[string]created{"tag": {t.ID, t.Name}}, nil
}

// GET /cgi-bin/tags/get → {"tags":[{"id","name","count"}]}
func (a *API) oaTagList(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := officialAccountOnly(app); err != nil {
		return nil, err
	}
	tags, err := a.p.OA.Tags(ctx(r), app.AppID)
	if err != nil {
		return nil, oaUsersError(err)
	}
	return map[string]any{"tags": tags}, nil
}

// POST /cgi-bin/tags/update {"tag":{"id","name"}}
func (a *API) oaTagUpdate(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := officialAccountOnly(app); err != nil {
		return nil, err
	}
	var req tagBody
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	if err := a.p.OA.RenameTag(ctx(r), app.AppID, int64(req.Tag.ID), req.Tag.Name); err != nil {
		return nil, oaUsersError(err)
	}
	return OK(), nil
}

// POST /cgi-bin/tags/delete {"tag":{"id"}}
func (a *API) oaTagDelete(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := officialAccountOnly(app); err != nil {
		return nil, err
	}
	var req tagBody
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	if err := a.p.OA.DeleteTag(ctx(r), app.AppID, int64(req.Tag.ID)); err != nil {
		return nil, oaUsersError(err)
	}
	return OK(), nil
}

// tagMembersBody is user/tag/get's answer (no total, unlike user/get).
type tagMembersBody struct {
	Count      int         `json:"count"`
	Data       *openIDData `json:"data,omitempty"`
	NextOpenID string      `json:"next_openid"`
}

// POST /cgi-bin/user/tag/get {"tagid","next_openid"}
func (a *API) oaTagMembers(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := officialAccountOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		TagID      flexID `json:"tagid"`
		NextOpenID string `json:"next_openid"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	p, err := a.p.OA.TagMembers(ctx(r), app.AppID, int64(req.TagID), req.NextOpenID)
	if err != nil {
		return nil, oaUsersError(err)
	}
	b := followerPageBody(p)
	return tagMembersBody{Count: b.Count, Data: b.Data, NextOpenID: b.NextOpenID}, nil
}

// POST /cgi-bin/tags/members/batchtagging|batchuntagging {"openid_list","tagid"}
func (a *API) oaTagging(add bool) AuthedHandler {
	return func(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
		if err := officialAccountOnly(app); err != nil {
			return nil, err
		}
		var req struct {
			OpenIDList []string `json:"openid_list"`
			TagID      flexID   `json:"tagid"`
		}
		if err := DecodeJSON(r, &req); err != nil {
			return nil, err
		}
		tagging := a.p.OA.UntagFollowers
		if add {
			tagging = a.p.OA.TagFollowers
		}
		if err := tagging(ctx(r), app.AppID, int64(req.TagID), req.OpenIDList); err != nil {
			return nil, oaUsersError(err)
		}
		return OK(), nil
	}
}

// POST /cgi-bin/tags/getidlist {"openid"} → {"tagid_list":[…]}
func (a *API) oaUserTagIDs(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := officialAccountOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		OpenID string `json:"openid"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	if req.OpenID == "" {
		return nil, ErrOpenIDMissing
	}
	ids, err := a.p.OA.TagIDsOf(ctx(r), app.AppID, req.OpenID)
	if err != nil {
		return nil, oaUsersError(err)
	}
	return map[string][]int64{"tagid_list": ids}, nil
}

// POST /cgi-bin/tags/members/getblacklist {"begin_openid"}
func (a *API) oaBlacklist(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := officialAccountOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		BeginOpenID string `json:"begin_openid"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	p, err := a.p.OA.Blacklist(ctx(r), app.AppID, req.BeginOpenID)
	if err != nil {
		return nil, oaUsersError(err)
	}
	return followerPageBody(p), nil
}

// POST /cgi-bin/tags/members/batchblacklist|batchunblacklist {"openid_list"}
func (a *API) oaSetBlacklisted(black bool) AuthedHandler {
	return func(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
		if err := officialAccountOnly(app); err != nil {
			return nil, err
		}
		var req struct {
			OpenIDList []string `json:"openid_list"`
		}
		if err := DecodeJSON(r, &req); err != nil {
			return nil, err
		}
		if err := a.p.OA.SetBlacklisted(ctx(r), app.AppID, req.OpenIDList, black); err != nil {
			return nil, oaUsersError(err)
		}
		return OK(), nil
	}
}
