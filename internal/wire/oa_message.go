package wire

import (
	"bytes"
	"cmp"
	"encoding/json"
	"net/http"
	"strconv"

	"superapp/internal/account"
	"superapp/internal/officialaccount"
)

// Errcodes of pushed messages and media (reference §3.4, §3.5, §3.7, §3.8).
// The codes are WeChat's documented ones for each violation; the English
// messages are WeChat's where observed (40007, 45015, 45028, 45065,
// 40130, 40006) or from WeChat's code table, and ours otherwise.
var (
	errInvalidMediaType  = &Error{40004, "invalid media type"}
	errInvalidFileType   = &Error{40005, "invalid file type"}
	errInvalidMediaSize  = &Error{40006, "invalid media size"}
	errInvalidMediaID    = &Error{40007, "invalid media_id"}
	errInvalidMsgType    = &Error{40008, "invalid message type"}
	errInvalidTemplateID = &Error{40037, "invalid template_id"}
	errInvalidURL        = &Error{40066, "invalid url"}
	errInvalidIndustry   = &Error{40102, "invalid industry id"}
	errMassOpenIDList    = &Error{40130, "invalid openid list size, at least two openid"}
	errInvalidWxName     = &Error{40132, "invalid username"}
	errMediaDataMissing  = &Error{41005, "media data missing"}
	errMediaIDMissing    = &Error{41006, "media_id missing"}
	errRequireSubscribe  = &Error{43004, "require subscribe"}
	errEmptyNews         = &Error{44003, "empty news data"}
	errEmptyContent      = &Error{44004, "empty content"}
	errArticleSize       = &Error{45008, "article size out of limit"}
	errOutOfWindow       = &Error{45015, "response out of time limit or subscription is canceled"}
	errTemplateCount     = &Error{45026, "template num exceeds limit"}
	errTemplateIndustry  = &Error{45027, "template conflict with industry"}
	errMassQuota         = &Error{45028, "has no masssend quota"}
	errWindowCount       = &Error{45047, "out of response count limit"}
	errClientMsgIDExist  = &Error{45065, "clientmsgid exist"}
	errClientMsgIDSize   = &Error{45067, "clientmsgid size out of limit"}
)

func (a *API) registerOAMessages(mux *http.ServeMux) {
	mux.HandleFunc("/cgi-bin/message/custom/send", a.postAuthed(a.customSend))
	mux.HandleFunc("/cgi-bin/message/custom/typing", a.postAuthed(a.customTyping))
	a.registerOATemplates(mux)
	a.registerOAMass(mux)
	a.registerOAMedia(mux)
}

// oaMessageErrors are the domain's errors about pushed messages,
// templates, mass sends and media.
var oaMessageErrors = domainErrors{
	{officialaccount.ErrOpenIDNotFound, ErrInvalidOpenID},
	{officialaccount.ErrMiniProgramNotLinked, errWeappAppID}, // a template's miniprogram must be linked (oa_mplink.go)
	{officialaccount.ErrNotFollowing, errRequireSubscribe},
	{officialaccount.ErrNotOfficialAccount, ErrAPIUnauthorized},
	{officialaccount.ErrMessageType, errInvalidMsgType},
	{officialaccount.ErrEmptyContent, errEmptyContent},
	{officialaccount.ErrContentTooLong, ErrBodyTooLarge},
	{officialaccount.ErrMediaIDMissing, errMediaIDMissing},
	{officialaccount.ErrEmptyNews, errEmptyNews},
	{officialaccount.ErrTooManyArticles, errArticleSize},
	{officialaccount.ErrMessageArgs, ErrInvalidParameter},
	{officialaccount.ErrOutOfWindow, errOutOfWindow},
	{officialaccount.ErrWindowCount, errWindowCount},
	{officialaccount.ErrMediaNotFound, errInvalidMediaID},
	{officialaccount.ErrMediaType, errInvalidMediaType},
	{officialaccount.ErrFileType, errInvalidFileType},
	{officialaccount.ErrMediaSize, errInvalidMediaSize},
	{officialaccount.ErrMediaMissing, errMediaDataMissing},
	{officialaccount.ErrIndustryInvalid, errInvalidIndustry},
	{officialaccount.ErrTemplateNotFound, errInvalidTemplateID},
	{officialaccount.ErrTooManyTemplates, errTemplateCount},
	{officialaccount.ErrTemplateIndustry, errTemplateIndustry},
	{officialaccount.ErrTemplateDailyLimit, ErrDailyQuota},
	{officialaccount.ErrInvalidURL, errInvalidURL},
	{officialaccount.ErrMassQuota, errMassQuota},
	{officialaccount.ErrClientMsgIDTooLong, errClientMsgIDSize},
	{officialaccount.ErrMassOpenIDListSize, errMassOpenIDList},
	{officialaccount.ErrTagNotFound, errUsersTagID},
	// WeChat's answers to these are undocumented; 40097 is the closest.
	{officialaccount.ErrMassNotFound, ErrInvalidParameter},
	{officialaccount.ErrMassNotDeletable, ErrInvalidParameter},
	{officialaccount.ErrMassAudienceMissing, ErrInvalidParameter},
}

// oaMessageError maps the domain's errors about pushed messages, templates,
// mass sends and media to errcodes, keeping the domain's detail.
func oaMessageError(err error) error {
	if e := oaMessageErrors.mapped(err); e != nil {
		return e
	}
	return err
}

// flexString is a text field that some clients send as a JSON number.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexString(n.String())
	return nil
}

type wireMediaRef struct {
	MediaID string `json:"media_id"`
}

type wireVideo struct {
	MediaID      string `json:"media_id"`
	ThumbMediaID string `json:"thumb_media_id"`
	Title        string `json:"title"`
	Description  string `json:"description"`
}

// wireMessage is the content part of custom/send, mass/sendall, mass/send
// and mass/preview: msgtype and the object named after it.
type wireMessage struct {
	MsgType string `json:"msgtype"`
	Text    *struct {
		Content string `json:"content"`
	} `json:"text"`
	Image  *wireMediaRef `json:"image"`
	Images *struct {
		MediaIDs []string `json:"media_ids"`
	} `json:"images"`
	Voice   *wireMediaRef `json:"voice"`
	Video   *wireVideo    `json:"video"`
	MPVideo *wireVideo    `json:"mpvideo"`
	Music   *struct {
		Title        string `json:"title"`
		Description  string `json:"description"`
		MusicURL     string `json:"musicurl"`
		HQMusicURL   string `json:"hqmusicurl"`
		ThumbMediaID string `json:"thumb_media_id"`
		// PowerWeChat's NewMusic sends its property names (its aliases to
		// musicurl/hqmusicurl never apply); taken when the others are absent.
		URL   string `json:"url"`
		HQURL string `json:"hq_url"`
	} `json:"music"`
	News *struct {
		Articles []struct {
			Title       string `json:"title"`
			Description string `json:"description"`
			URL         string `json:"url"`
			PicURL      string `json:"picurl"`
		} `json:"articles"`
	} `json:"news"`
	MPNews        *wireMediaRef `json:"mpnews"`
	MPNewsArticle *struct {
		ArticleID string `json:"article_id"`
	} `json:"mpnewsarticle"`
	MsgMenu *struct {
		Head string `json:"head_content"`
		List []struct {
			ID      flexString `json:"id"`
			Content string     `json:"content"`
		} `json:"list"`
		Tail string `json:"tail_content"`
	} `json:"msgmenu"`
	MiniProgramPage *struct {
		Title        string `json:"title"`
		AppID        string `json:"appid"`
		PagePath     string `json:"pagepath"`
		ThumbMediaID string `json:"thumb_media_id"`
	} `json:"miniprogrampage"`
	WXCard *struct {
		CardID string `json:"card_id"`
	} `json:"wxcard"`
}

// outgoing is the message as the domain takes it; a missing content object
// leaves its fields empty, which the domain refuses with WeChat's code.
func (m *wireMessage) outgoing() officialaccount.Outgoing {
	o := officialaccount.Outgoing{Kind: m.MsgType}
	switch m.MsgType {
	case "text":
		if m.Text != nil {
			o.Text = m.Text.Content
		}
	case "image":
		if m.Images != nil {
			o.MediaIDs = m.Images.MediaIDs
			if len(o.MediaIDs) == 0 {
				o.MediaIDs = nil
			}
		}
		if m.Image != nil {
			o.MediaID = m.Image.MediaID
		}
	case "voice":
		if m.Voice != nil {
			o.MediaID = m.Voice.MediaID
		}
	case "video", "mpvideo":
		v := m.Video
		if m.MsgType == "mpvideo" {
			v = m.MPVideo
		}
		if v != nil {
			o.MediaID, o.ThumbMediaID, o.Title, o.Description = v.MediaID, v.ThumbMediaID, v.Title, v.Description
		}
	case "music":
		if mu := m.Music; mu != nil {
			o.Title, o.Description, o.MusicURL, o.HQMusicURL, o.ThumbMediaID = mu.Title, mu.Description, cmp.Or(mu.MusicURL, mu.URL), cmp.Or(mu.HQMusicURL, mu.HQURL), mu.ThumbMediaID
		}
	case "news":
		if m.News != nil {
			for _, a := range m.News.Articles {
				o.Articles = append(o.Articles, officialaccount.Article{Title: a.Title, Description: a.Description, URL: a.URL, PicURL: a.PicURL})
			}
		}
	case "mpnews":
		if m.MPNews != nil {
			o.MediaID = m.MPNews.MediaID
		}
	case "mpnewsarticle":
		if m.MPNewsArticle != nil {
			o.ArticleID = m.MPNewsArticle.ArticleID
		}
	case "msgmenu":
		if mm := m.MsgMenu; mm != nil {
			menu := &officialaccount.MsgMenu{Head: mm.Head, Tail: mm.Tail}
			for _, it := range mm.List {
				menu.Items = append(menu.Items, officialaccount.MsgMenuRow{ID: string(it.ID), Content: it.Content})
			}
			o.Menu = menu
		}
	case "miniprogrampage":
		if p := m.MiniProgramPage; p != nil {
			o.MiniProgram = &officialaccount.MiniProgramLink{AppID: p.AppID, PagePath: p.PagePath, Title: p.Title}
			o.ThumbMediaID = p.ThumbMediaID
		}
	case "wxcard":
		if m.WXCard != nil {
			o.CardID = m.WXCard.CardID
		}
	}
	return o
}

// POST /cgi-bin/message/custom/send {"touser","msgtype",<msgtype>:{…},
// "customservice":{"kf_account"}} → ok. customservice is accepted and
// ignored: there are no customer-service staff accounts here.
func (a *API) customSend(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := officialAccountOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		ToUser string `json:"touser"`
		wireMessage
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	if req.MsgType == "" {
		return nil, errInvalidMsgType.With(", msgtype is missing")
	}
	if _, err := a.p.OA.SendCustom(ctx(r), app.AppID, req.ToUser, req.outgoing()); err != nil {
		return nil, oaMessageError(err)
	}
	return OK(), nil
}

// POST /cgi-bin/message/custom/typing {"touser","command":"Typing"|"CancelTyping"}.
func (a *API) customTyping(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := officialAccountOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		ToUser  string `json:"touser"`
		Command string `json:"command"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	var typing bool
	switch req.Command {
	case "Typing":
		typing = true
	case "CancelTyping":
	default:
		// WeChat's answer is undocumented; 40097 is the closest code.
		return nil, ErrInvalidParameter.With(", command must be Typing or CancelTyping, not " + strconv.Quote(req.Command))
	}
	if err := a.p.OA.Typing(ctx(r), app.AppID, req.ToUser, typing); err != nil {
		return nil, oaMessageError(err)
	}
	return OK(), nil
}
