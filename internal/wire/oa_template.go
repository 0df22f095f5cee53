package wire

import (
	"net/http"

	"superapp/internal/account"
	"superapp/internal/officialaccount"
)

func (a *API) registerOATemplates(mux *http.ServeMux) {
	mux.HandleFunc("/cgi-bin/template/api_set_industry", a.postAuthed(a.templateSetIndustry))
	// get_industry and get_all_private_template are GETs in WeChat's
	// documentation; PowerWeChat POSTs them.
	mux.HandleFunc("/cgi-bin/template/get_industry", a.authed(a.templateGetIndustry))
	mux.HandleFunc("/cgi-bin/template/api_add_template", a.postAuthed(a.templateAdd))
	mux.HandleFunc("/cgi-bin/template/get_all_private_template", a.authed(a.templateList))
	mux.HandleFunc("/cgi-bin/template/del_private_template", a.postAuthed(a.templateDelete))
	mux.HandleFunc("/cgi-bin/message/template/send", a.postAuthed(a.templateSend))
}

// Template messages belong to service accounts (platform-rules §3.5).
func serviceAccountOnly(app *account.App) error {
	return requireKind(app, account.ServiceAccount)
}

// POST /cgi-bin/template/api_set_industry {"industry_id1":"1","industry_id2":"4"}
// (ids as strings or numbers).
func (a *API) templateSetIndustry(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := serviceAccountOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		ID1 flexID `json:"industry_id1"`
		ID2 flexID `json:"industry_id2"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	if err := a.p.OA.SetIndustry(ctx(r), app.AppID, int64(req.ID1), int64(req.ID2)); err != nil {
		return nil, oaMessageError(err)
	}
	return OK(), nil
}

type industryBody struct {
	FirstClass  string `json:"first_class"`
	SecondClass string `json:"second_class"`
}

// GET /cgi-bin/template/get_industry → {"primary_industry":{…},"secondary_industry":{…}};
// both classes are empty while the account has set none.
func (a *API) templateGetIndustry(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := serviceAccountOnly(app); err != nil {
		return nil, err
	}
	p, s, err := a.p.OA.TemplateIndustry(ctx(r), app.AppID)
	if err != nil {
		return nil, err
	}
	var body struct {
		Primary   industryBody `json:"primary_industry"`
		Secondary industryBody `json:"secondary_industry"`
	}
	if p != nil {
		body.Primary = industryBody{p.FirstClass, p.SecondClass}
		body.Secondary = industryBody{s.FirstClass, s.SecondClass}
	}
	return body, nil
}

// POST /cgi-bin/template/api_add_template {"template_id_short","keyword_name_list"}
// → {"template_id"}. keyword_name_list (the newer category templates) is
// accepted and ignored: library templates have fixed fields.
func (a *API) templateAdd(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := serviceAccountOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		ShortID string `json:"template_id_short"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	id, err := a.p.OA.AddTemplate(ctx(r), app.AppID, req.ShortID)
	if err != nil {
		return nil, oaMessageError(err)
	}
	return struct {
		ErrorBody
		TemplateID string `json:"template_id"`
	}{OK(), id}, nil
}

// GET /cgi-bin/template/get_all_private_template → {"template_list":[…]}.
func (a *API) templateList(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := serviceAccountOnly(app); err != nil {
		return nil, err
	}
	list, err := a.p.OA.Templates(ctx(r), app.AppID)
	if err != nil {
		return nil, err
	}
	return struct {
		List []*officialaccount.Template `json:"template_list"`
	}{list}, nil
}

// POST /cgi-bin/template/del_private_template {"template_id"}.
func (a *API) templateDelete(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := serviceAccountOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		TemplateID string `json:"template_id"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	if err := a.p.OA.DeleteTemplate(ctx(r), app.AppID, req.TemplateID); err != nil {
		return nil, oaMessageError(err)
	}
	return OK(), nil
}

// POST /cgi-bin/message/template/send {"touser","template_id","url",
// "miniprogram":{"appid","pagepath"},"client_msg_id","data":{key:{"value","color"}}}
// → {"errcode":0,"errmsg":"ok","msgid"}.
func (a *API) templateSend(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := serviceAccountOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		ToUser      string `json:"touser"`
		TemplateID  string `json:"template_id"`
		URL         string `json:"url"`
		MiniProgram *struct {
			AppID    string `json:"appid"`
			PagePath string `json:"pagepath"`
		} `json:"miniprogram"`
		ClientMsgID string `json:"client_msg_id"`
		Data        map[string]*struct {
			Value flexString `json:"value"`
			Color string     `json:"color"`
		} `json:"data"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	send := officialaccount.TemplateSend{OpenID: req.ToUser, TemplateID: req.TemplateID, URL: req.URL, ClientMsgID: req.ClientMsgID,
		Data: map[string]officialaccount.TemplateValue{}}
	if mp := req.MiniProgram; mp != nil {
		send.MiniProgram = &officialaccount.MiniProgramLink{AppID: mp.AppID, PagePath: mp.PagePath}
	}
	for k, v := range req.Data {
		if v != nil {
			send.Data[k] = officialaccount.TemplateValue{Value: string(v.Value), Color: v.Color}
		}
	}
	msgid, err := a.p.OA.SendTemplate(ctx(r), app.AppID, send)
	if err != nil {
		return nil, oaMessageError(err)
	}
	return struct {
		ErrorBody
		MsgID int64 `json:"msgid"`
	}{OK(), msgid}, nil
}
