package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"

	"superapp/internal/account"
	"superapp/internal/officialaccount"
)

func (a *API) registerOAMass(mux *http.ServeMux) {
	mux.HandleFunc("/cgi-bin/message/mass/sendall", a.postAuthed(a.massSendAll))
	mux.HandleFunc("/cgi-bin/message/mass/send", a.postAuthed(a.massSend))
	mux.HandleFunc("/cgi-bin/message/mass/preview", a.postAuthed(a.massPreview))
	mux.HandleFunc("/cgi-bin/message/mass/get", a.postAuthed(a.massGet))
	mux.HandleFunc("/cgi-bin/message/mass/delete", a.postAuthed(a.massDelete))
}

// massSubmitted is the answer to sendall and send.
type massSubmitted struct {
	ErrCode   int    `json:"errcode"`
	ErrMsg    string `json:"errmsg"`
	MsgID     int64  `json:"msg_id"`
	MsgDataID int64  `json:"msg_data_id,omitempty"`
}

// submitMass submits ms and answers as WeChat does; a repeated clientmsgid
// is 45065 with the first job's msg_id in the body.
func (a *API) submitMass(w http.ResponseWriter, r *http.Request, app *account.App, ms officialaccount.MassSend) (any, error) {
	job, err := a.p.OA.SubmitMass(ctx(r), app.AppID, ms)
	var dup *officialaccount.ClientMsgIDExistsError
	if errors.As(err, &dup) {
		WriteJSON(w, massSubmitted{ErrCode: errClientMsgIDExist.Code, ErrMsg: errClientMsgIDExist.Msg + " rid: " + RID(ctx(r)), MsgID: dup.MsgID})
		return nil, nil
	}
	if err != nil {
		return nil, oaMessageError(err)
	}
	return massSubmitted{ErrMsg: "send job submission success", MsgID: job.MsgID, MsgDataID: job.MessageID}, nil
}

// POST /cgi-bin/message/mass/sendall {"filter":{"is_to_all","tag_id"},"msgtype",
// <msgtype>:{…},"send_ignore_reprint","clientmsgid"} → {"msg_id","msg_data_id"}.
func (a *API) massSendAll(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := officialAccountOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		Filter *struct {
			IsToAll bool   `json:"is_to_all"`
			TagID   flexID `json:"tag_id"`
		} `json:"filter"`
		ClientMsgID string `json:"clientmsgid"`
		wireMessage
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	if req.MsgType == "" {
		return nil, errInvalidMsgType.With(", msgtype is missing")
	}
	if req.Filter == nil {
		return nil, oaMessageError(officialaccount.ErrMassAudienceMissing)
	}
	return a.submitMass(w, r, app, officialaccount.MassSend{
		ToAll: req.Filter.IsToAll, TagID: int64(req.Filter.TagID), ClientMsgID: req.ClientMsgID, Message: req.outgoing(),
	})
}

// POST /cgi-bin/message/mass/send {"touser":[openid…],"msgtype",…} — by
// OpenID list, service accounts only.
func (a *API) massSend(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := serviceAccountOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		ToUser      []string `json:"touser"`
		ClientMsgID string   `json:"clientmsgid"`
		wireMessage
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	if req.MsgType == "" {
		return nil, errInvalidMsgType.With(", msgtype is missing")
	}
	if req.ToUser == nil {
		req.ToUser = []string{}
	}
	return a.submitMass(w, r, app, officialaccount.MassSend{OpenIDs: req.ToUser, ClientMsgID: req.ClientMsgID, Message: req.outgoing()})
}

// previewTarget is mass/preview's touser: an OpenID, or as PowerWeChat's
// PreviewMessage sends it, a list or {"touser":[openid]} holding one.
type previewTarget string

func (p *previewTarget) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	var s string
	var list []string
	var obj struct {
		ToUser []string `json:"touser"`
	}
	switch {
	case len(b) == 0 || string(b) == "null":
		return nil
	case b[0] == '"':
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	case b[0] == '[':
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
	default:
		if err := json.Unmarshal(b, &obj); err != nil {
			return err
		}
		list = obj.ToUser
	}
	if len(list) > 0 {
		s = list[0]
	}
	*p = previewTarget(s)
	return nil
}

// POST /cgi-bin/message/mass/preview {"touser" | "towxname","msgtype",…}
// → {"errmsg":"preview success","msg_id"}.
func (a *API) massPreview(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := officialAccountOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		ToUser   previewTarget `json:"touser"`
		ToWxName string        `json:"towxname"`
		wireMessage
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	if req.MsgType == "" {
		return nil, errInvalidMsgType.With(", msgtype is missing")
	}
	if req.ToUser == "" && req.ToWxName != "" {
		// Users here have no WeChat ids to preview to (our choice of code:
		// WeChat's for an unknown WeChat id).
		return nil, errInvalidWxName.With(", superapp users have no WeChat ids; preview to an OpenID with touser")
	}
	id, err := a.p.OA.PreviewMass(ctx(r), app.AppID, string(req.ToUser), req.outgoing())
	if err != nil {
		return nil, oaMessageError(err)
	}
	return massSubmitted{ErrMsg: "preview success", MsgID: id}, nil
}

// POST /cgi-bin/message/mass/get {"msg_id"} → {"msg_id","msg_status"}.
// silenceper and PowerWeChat send msg_id as a string.
func (a *API) massGet(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := officialAccountOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		MsgID flexID `json:"msg_id"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	job, err := a.p.OA.MassJob(ctx(r), app.AppID, int64(req.MsgID))
	if err != nil {
		return nil, oaMessageError(err)
	}
	return struct {
		MsgID     int64  `json:"msg_id"`
		MsgStatus string `json:"msg_status"`
	}{job.MsgID, job.Status}, nil
}

// POST /cgi-bin/message/mass/delete {"msg_id","article_idx"}: article_idx 0
// deletes the whole message; the message has one article here, so any
// index deletes it.
func (a *API) massDelete(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := officialAccountOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		MsgID      flexID `json:"msg_id"`
		ArticleIdx flexID `json:"article_idx"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	if req.ArticleIdx < 0 {
		return nil, ErrInvalidParameter.With(", article_idx must be 0 (all) or an article's number")
	}
	if err := a.p.OA.DeleteMass(ctx(r), app.AppID, int64(req.MsgID)); err != nil {
		return nil, oaMessageError(err)
	}
	return OK(), nil
}
