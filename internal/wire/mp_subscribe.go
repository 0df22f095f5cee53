package wire

// Mini program subscribe messages (wechat-api.md §4.1): the template
// library and the app's templates under /wxaapi/newtmpl/, and
// /cgi-bin/message/subscribe/send. Shapes as WeChat's documentation and
// the SDKs (silenceper miniprogram/subscribe, PowerWeChat
// basicService/subscribeMessage) have them.

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"superapp/internal/account"
	"superapp/internal/subscribemsg"
)

func (a *API) registerMPSubscribe(mux *http.ServeMux) {
	mux.HandleFunc("/wxaapi/newtmpl/getcategory", a.authed(a.subCategories))
	mux.HandleFunc("/wxaapi/newtmpl/getpubtemplatetitles", a.authed(a.subTitles))
	mux.HandleFunc("/wxaapi/newtmpl/getpubtemplatekeywords", a.authed(a.subKeywords))
	mux.HandleFunc("/wxaapi/newtmpl/addtemplate", a.postAuthed(a.subAdd))
	mux.HandleFunc("/wxaapi/newtmpl/deltemplate", a.postAuthed(a.subDelete))
	mux.HandleFunc("/wxaapi/newtmpl/gettemplate", a.authed(a.subTemplates))
	mux.HandleFunc("/cgi-bin/message/subscribe/send", a.postAuthed(a.subSend))
}

var (
	errSubTooMany    = &Error{200012, "template num exceeds limit"}
	errSubTID        = &Error{200014, "invalid tid"}
	errSubStart      = &Error{200016, "invalid start"}
	errSubLimit      = &Error{200017, "invalid limit"}
	errSubIDsMissing = &Error{200018, "category ids missing"}
	errSubIDsInvalid = &Error{200019, "invalid category ids"}
	errSubKidList    = &Error{200020, "invalid kidList"}
	errSubSceneDesc  = &Error{200021, "invalid sceneDesc"}
	errSubRefused    = &Error{43101, "user refuse to accept the msg"}
	errSubState      = &Error{47003, "argument invalid! miniprogram_state"}
	errSubLang       = &Error{47003, "argument invalid! lang"}
	errSubPage       = &Error{41030, "invalid page"}
)

var subErrors = domainErrors{
	{subscribemsg.ErrTID, errSubTID},
	{subscribemsg.ErrKidList, errSubKidList},
	{subscribemsg.ErrSceneDesc, errSubSceneDesc},
	{subscribemsg.ErrTooManyTemplates, errSubTooMany},
	{subscribemsg.ErrTemplateNotFound, errInvalidTemplateID},
	{subscribemsg.ErrOpenID, ErrInvalidOpenID},
	{subscribemsg.ErrNoCredit, errSubRefused},
	{subscribemsg.ErrPage, errSubPage},
	{subscribemsg.ErrState, errSubState},
	{subscribemsg.ErrLang, errSubLang},
	{subscribemsg.ErrStart, errSubStart},
	{subscribemsg.ErrLimit, errSubLimit},
	{subscribemsg.ErrIDsMissing, errSubIDsMissing},
	{subscribemsg.ErrIDsInvalid, errSubIDsInvalid},
}

func subError(err error) error {
	var de *subscribemsg.DataError
	if errors.As(err, &de) {
		// WeChat's whole message names the key: "argument invalid! data.thing1.value is emtpy".
		return &Error{47003, de.Error()}
	}
	if e := subErrors.mapped(err); e != nil {
		return e
	}
	return err
}

// GET /wxaapi/newtmpl/getcategory → {"data":[{"id":616,"name":"公交"}]}.
// Every mini program gets every category of the library (ours has no
// per-app service categories for templates; documented deviation).
func (a *API) subCategories(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := miniProgramOnly(app); err != nil {
		return nil, err
	}
	return struct {
		ErrorBody
		Data []subscribemsg.Category `json:"data"`
	}{OK(), subscribemsg.Categories}, nil
}

type subTitle struct {
	TID        int64  `json:"tid"`
	Title      string `json:"title"`
	Type       int    `json:"type"`
	CategoryID string `json:"categoryId"` // a string in WeChat's answers
}

// GET /wxaapi/newtmpl/getpubtemplatetitles?ids=2,616&start=0&limit=30
// → {"count":55,"data":[{"tid":99,"title":"付款成功通知","type":2,"categoryId":"616"}]}.
func (a *API) subTitles(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := miniProgramOnly(app); err != nil {
		return nil, err
	}
	start, limit := 0, 0
	if v := param(r, "start"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, errSubStart
		}
		start = n
	}
	if v := param(r, "limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, errSubLimit
		}
		limit = n
	}
	count, list, err := a.p.Subscribe.TitleList(param(r, "ids"), start, limit)
	if err != nil {
		return nil, subError(err)
	}
	out := make([]subTitle, len(list))
	for i, t := range list {
		out[i] = subTitle{t.TID, t.Title, t.Type, strconv.FormatInt(t.CategoryID, 10)}
	}
	return struct {
		ErrorBody
		Count int        `json:"count"`
		Data  []subTitle `json:"data"`
	}{OK(), count, out}, nil
}

// GET /wxaapi/newtmpl/getpubtemplatekeywords?tid=99
// → {"count":5,"data":[{"kid":1,"name":"订单编号","example":"…","rule":"character_string"}]}.
func (a *API) subKeywords(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := miniProgramOnly(app); err != nil {
		return nil, err
	}
	tid, err := strconv.ParseInt(strings.TrimSpace(param(r, "tid")), 10, 64)
	if err != nil {
		return nil, errSubTID
	}
	t, ok := subscribemsg.LibraryTemplateByTID(tid)
	if !ok {
		return nil, errSubTID
	}
	return struct {
		ErrorBody
		Count int                    `json:"count"`
		Data  []subscribemsg.Keyword `json:"data"`
	}{OK(), len(t.Keywords), t.Keywords}, nil
}

// POST /wxaapi/newtmpl/addtemplate {"tid":"99","kidList":[1,2],"sceneDesc":"…"}
// → {"priTmplId":"…"}; tid comes as a string (documented) or a number.
func (a *API) subAdd(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := miniProgramOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		TID       flexString   `json:"tid"`
		KidList   []flexString `json:"kidList"`
		SceneDesc string       `json:"sceneDesc"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	tid, err := strconv.ParseInt(strings.TrimSpace(string(req.TID)), 10, 64)
	if err != nil {
		return nil, errSubTID
	}
	kids := make([]int64, len(req.KidList))
	for i, k := range req.KidList {
		if kids[i], err = strconv.ParseInt(string(k), 10, 64); err != nil {
			return nil, errSubKidList
		}
	}
	t, err := a.p.Subscribe.AddTemplate(ctx(r), app.AppID, tid, kids, req.SceneDesc)
	if err != nil {
		return nil, subError(err)
	}
	return struct {
		ErrorBody
		PriTmplID string `json:"priTmplId"`
	}{OK(), t.PriTmplID}, nil
}

// POST /wxaapi/newtmpl/deltemplate {"priTmplId":"…"}.
func (a *API) subDelete(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := miniProgramOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		ID string `json:"priTmplId"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	if err := a.p.Subscribe.DeleteTemplate(ctx(r), app.AppID, req.ID); err != nil {
		return nil, subError(err)
	}
	return OK(), nil
}

type subTemplate struct {
	PriTmplID string `json:"priTmplId"`
	Title     string `json:"title"`
	Content   string `json:"content"`
	Example   string `json:"example"`
	Type      int    `json:"type"`
}

// GET /wxaapi/newtmpl/gettemplate → {"data":[{"priTmplId","title","content","example","type"}]}.
func (a *API) subTemplates(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := miniProgramOnly(app); err != nil {
		return nil, err
	}
	list, err := a.p.Subscribe.Templates(ctx(r), app.AppID)
	if err != nil {
		return nil, err
	}
	out := make([]subTemplate, len(list))
	for i, t := range list {
		out[i] = subTemplate{t.PriTmplID, t.Title, t.Content(), t.Example(), t.Type}
	}
	return struct {
		ErrorBody
		Data []subTemplate `json:"data"`
	}{OK(), out}, nil
}

// POST /cgi-bin/message/subscribe/send {"touser","template_id","page",
// "miniprogram_state","lang","data":{"thing1":{"value":"…"}}} → {"errcode":0,"errmsg":"ok"}.
func (a *API) subSend(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := miniProgramOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		ToUser     string `json:"touser"`
		TemplateID string `json:"template_id"`
		Page       string `json:"page"`
		State      string `json:"miniprogram_state"`
		Lang       string `json:"lang"`
		Data       map[string]*struct {
			Value flexString `json:"value"`
		} `json:"data"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	if req.ToUser == "" {
		return nil, ErrInvalidOpenID
	}
	data := make(map[string]string, len(req.Data))
	for k, v := range req.Data {
		if v != nil {
			data[k] = string(v.Value)
		}
	}
	_, err := a.p.Subscribe.Send(ctx(r), app.AppID, subscribemsg.SendInput{
		ToUser: req.ToUser, TemplateID: req.TemplateID, Page: req.Page, State: req.State, Lang: req.Lang, Data: data,
	})
	if err != nil {
		return nil, subError(err)
	}
	return OK(), nil
}
