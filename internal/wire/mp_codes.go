package wire

// Mini program codes (getwxacode, getwxacodeunlimit, createwxaqrcode) and
// links (URL scheme, URL link, short link): WeChat's shapes over
// internal/wxacode (wechat-api §4.3, §4.4).

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"superapp/internal/account"
	"superapp/internal/wxacode"
)

// Errcodes of codes and links, with WeChat's documented messages where it
// has them (40159 and 40169 as observed, typo and all).
var (
	errCodePath       = &Error{40159, "invalid length for path or thedata is not json string"}
	errCodeScene      = &Error{40169, "invalid length for scene, or the data is not json string"}
	errCodePage       = &Error{41030, "invalid page"}
	errCodeWidth      = &Error{40189, "invalid width"}
	errCodeCount      = &Error{45029, "qrcode count out of limit"}
	errNotPublished   = &Error{85079, "miniprogram has no online release"}
	errLinkPath       = &Error{40165, "invalid weapp pagepath"}
	errLinkQuery      = &Error{40212, "invalid query"}
	errLinkExpire     = &Error{85401, "invalid expire time"}
	errShortLinkURL   = &Error{40066, "invalid url"}
	errShortLinkTitle = &Error{40225, "invalid page title"}
	errShortLinkCap   = &Error{85400, "permanent short link count out of limit"}
)

func (a *API) registerMPCodes(mux *http.ServeMux) {
	mux.HandleFunc("/wxa/getwxacode", a.postAuthed(a.codeHandler(wxacode.KindA)))
	mux.HandleFunc("/wxa/getwxacodeunlimit", a.postAuthed(a.codeHandler(wxacode.KindB)))
	mux.HandleFunc("/cgi-bin/wxaapp/createwxaqrcode", a.postAuthed(a.codeHandler(wxacode.KindC)))
	mux.HandleFunc("/wxa/generatescheme", a.postAuthed(a.generateScheme))
	mux.HandleFunc("/wxa/queryscheme", a.postAuthed(a.queryScheme))
	mux.HandleFunc("/wxa/generate_urllink", a.postAuthed(a.generateURLLink))
	mux.HandleFunc("/wxa/query_urllink", a.postAuthed(a.queryURLLink))
	// genwxashortlink is WeChat's path; generate_shortlink the name the
	// issue used. Both answer the same.
	mux.HandleFunc("/wxa/genwxashortlink", a.postAuthed(a.generateShortLink))
	mux.HandleFunc("/wxa/generate_shortlink", a.postAuthed(a.generateShortLink))
}

var codeErrors = domainErrors{
	{wxacode.ErrPath, errCodePath},
	{wxacode.ErrScene, errCodeScene},
	{wxacode.ErrPage, errCodePage},
	{wxacode.ErrWidth, errCodeWidth},
	{wxacode.ErrEnvVersion, ErrInvalidParameter},
	{wxacode.ErrCodeLimit, errCodeCount},
	{wxacode.ErrCodeRate, ErrDailyQuota}, // WeChat's 45009 for getwxacodeunlimit's minute limit
}

var linkErrors = domainErrors{
	{wxacode.ErrNotPublished, errNotPublished},
	{wxacode.ErrPath, errLinkPath},
	{wxacode.ErrQuery, errLinkQuery},
	{wxacode.ErrExpire, errLinkExpire},
	{wxacode.ErrEnvVersion, ErrInvalidParameter},
	{wxacode.ErrPageURL, errShortLinkURL},
	{wxacode.ErrTitle, errShortLinkTitle},
	{wxacode.ErrPermanentCap, errShortLinkCap},
	{wxacode.ErrLinkNotFound, ErrInvalidParameter},
}

func mapped(table domainErrors, err error) error {
	if e := table.mapped(err); e != nil {
		return e
	}
	return appError(err)
}

// lineColor is line_color: {"r","g","b"} as numbers or strings of digits
// (silenceper sends strings), or null.
type lineColor struct {
	R, G, B flexID
}

func (c *lineColor) color() (*wxacode.Color, error) {
	if c == nil {
		return nil, nil
	}
	for _, v := range []flexID{c.R, c.G, c.B} {
		if v < 0 || v > 255 {
			return nil, ErrInvalidParameter.With(", line_color r, g and b are 0 to 255")
		}
	}
	return &wxacode.Color{R: uint8(c.R), G: uint8(c.G), B: uint8(c.B)}, nil
}

// codeHandler answers one of the three code endpoints: the JPEG on
// success (image/jpeg exactly: silenceper accepts nothing else), JSON on
// error.
func (a *API) codeHandler(kind string) AuthedHandler {
	return func(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
		if err := miniProgramOnly(app); err != nil {
			return nil, err
		}
		var req struct {
			Path       string     `json:"path"`
			Page       string     `json:"page"`
			Scene      flexString `json:"scene"`
			CheckPath  *bool      `json:"check_path"`
			Width      flexID     `json:"width"`
			AutoColor  bool       `json:"auto_color"`
			LineColor  *lineColor `json:"line_color"`
			IsHyaline  bool       `json:"is_hyaline"`
			EnvVersion string     `json:"env_version"`
		}
		if err := DecodeJSON(r, &req); err != nil {
			return nil, err
		}
		lc, err := req.LineColor.color()
		if err != nil {
			return nil, err
		}
		width := int(req.Width)
		if int64(width) != int64(req.Width) {
			width = -1
		}
		code, err := a.p.Codes.MakeCode(ctx(r), app.AppID, wxacode.CodeRequest{
			Kind: kind, Path: req.Path, Page: req.Page, Scene: string(req.Scene), CheckPath: req.CheckPath == nil || *req.CheckPath,
			Width: width, AutoColor: req.AutoColor, LineColor: lc, IsHyaline: req.IsHyaline, EnvVersion: req.EnvVersion,
			BaseURL: a.baseURL(r),
		})
		if err != nil {
			return nil, mapped(codeErrors, err)
		}
		h := w.Header()
		h.Set("Content-Type", "image/jpeg")
		h.Set("Content-Length", strconv.Itoa(len(code.JPEG)))
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		w.Write(code.JPEG)
		return nil, nil
	}
}

// linkExpiry is the expiry fields every link endpoint shares.
type linkExpiry struct {
	IsExpire       bool   `json:"is_expire"`
	ExpireType     flexID `json:"expire_type"`
	ExpireTime     flexID `json:"expire_time"`
	ExpireInterval flexID `json:"expire_interval"`
}

func (e linkExpiry) apply(req *wxacode.LinkRequest) {
	req.IsExpire, req.ExpireType, req.ExpireTime, req.ExpireInterval = e.IsExpire, int(e.ExpireType), int64(e.ExpireTime), int(e.ExpireInterval)
}

// POST /wxa/generatescheme {"jump_wxa":{"path","query","env_version"},"is_expire","expire_type","expire_time","expire_interval"}
func (a *API) generateScheme(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := miniProgramOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		JumpWxa *struct {
			Path       string `json:"path"`
			Query      string `json:"query"`
			EnvVersion string `json:"env_version"`
		} `json:"jump_wxa"`
		linkExpiry
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	in := wxacode.LinkRequest{Kind: wxacode.LinkScheme}
	if j := req.JumpWxa; j != nil {
		in.Path, in.Query, in.EnvVersion = j.Path, j.Query, j.EnvVersion
	}
	req.linkExpiry.apply(&in)
	l, err := a.p.Codes.CreateLink(ctx(r), app.AppID, in, a.baseURL(r))
	if err != nil {
		return nil, mapped(linkErrors, err)
	}
	return struct {
		ErrorBody
		OpenLink string `json:"openlink"`
	}{OK(), l.Text}, nil
}

// linkInfo is the shape queryscheme and query_urllink describe a link in.
type linkInfo struct {
	AppID      string `json:"appid"`
	Path       string `json:"path"`
	Query      string `json:"query"`
	CreateTime int64  `json:"create_time"`
	ExpireTime int64  `json:"expire_time"`
	EnvVersion string `json:"env_version"`
}

func infoOf(l *wxacode.Link) linkInfo {
	return linkInfo{AppID: l.AppID, Path: l.Path, Query: l.Query, CreateTime: l.CreatedAt, ExpireTime: l.ExpiresAt, EnvVersion: l.EnvVersion}
}

// quotaInfo is WeChat's per-link visit quota. Visits are not counted, so
// the whole daily quota remains (documented in docs/miniprogram-platform.md).
type quotaInfo struct {
	RemainVisitQuota int64 `json:"remain_visit_quota"`
}

const linkVisitQuota = 3_000_000

// ticketOf takes a link's ticket out of the link as handed out, or takes
// the ticket itself.
func ticketOf(text, kind string) string {
	text = strings.TrimSpace(text)
	if u, err := url.Parse(text); err == nil {
		switch {
		case kind == wxacode.LinkScheme && u.Scheme == "weixin":
			return u.Query().Get("t")
		case kind == wxacode.LinkURL && (u.Scheme == "http" || u.Scheme == "https"):
			t, _ := strings.CutPrefix(u.Path, "/wxaurl/")
			return t
		}
	}
	return text
}

// POST /wxa/queryscheme {"scheme","query_type"}
func (a *API) queryScheme(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := miniProgramOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		Scheme string `json:"scheme"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	info, err := a.appLink(r, app, wxacode.LinkScheme, req.Scheme, "scheme")
	if err != nil {
		return nil, err
	}
	return struct {
		ErrorBody
		SchemeInfo  linkInfo  `json:"scheme_info"`
		VisitOpenID string    `json:"visit_openid"`
		QuotaInfo   quotaInfo `json:"quota_info"`
	}{OK(), info, "", quotaInfo{linkVisitQuota}}, nil
}

// appLink is the query APIs' lookup: the app's own link of kind named by
// text (the link itself or its ticket), else 40097 naming field.
func (a *API) appLink(r *http.Request, app *account.App, kind, text, field string) (linkInfo, error) {
	l, err := a.p.Codes.AppLink(ctx(r), app.AppID, kind, ticketOf(text, kind))
	if errors.Is(err, wxacode.ErrLinkNotFound) {
		return linkInfo{}, ErrInvalidParameter.With(", " + field + " is not one of this mini program's")
	}
	if err != nil {
		return linkInfo{}, err
	}
	return infoOf(l), nil
}

// POST /wxa/generate_urllink {"path","query","env_version","is_expire","expire_type","expire_time","expire_interval","cloud_base"}
func (a *API) generateURLLink(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := miniProgramOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		Path       string `json:"path"`
		Query      string `json:"query"`
		EnvVersion string `json:"env_version"`
		linkExpiry
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	in := wxacode.LinkRequest{Kind: wxacode.LinkURL, Path: req.Path, Query: req.Query, EnvVersion: req.EnvVersion}
	req.linkExpiry.apply(&in)
	l, err := a.p.Codes.CreateLink(ctx(r), app.AppID, in, a.baseURL(r))
	if err != nil {
		return nil, mapped(linkErrors, err)
	}
	return struct {
		ErrorBody
		URLLink string `json:"url_link"`
	}{OK(), l.Text}, nil
}

// POST /wxa/query_urllink {"url_link","query_type"}
func (a *API) queryURLLink(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := miniProgramOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		URLLink string `json:"url_link"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	info, err := a.appLink(r, app, wxacode.LinkURL, req.URLLink, "url_link")
	if err != nil {
		return nil, err
	}
	return struct {
		ErrorBody
		URLLinkInfo linkInfo  `json:"url_link_info"`
		VisitOpenID string    `json:"visit_openid"`
		QuotaInfo   quotaInfo `json:"quota_info"`
	}{OK(), info, "", quotaInfo{linkVisitQuota}}, nil
}

// POST /wxa/genwxashortlink {"page_url","page_title","is_permanent"}
func (a *API) generateShortLink(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := miniProgramOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		PageURL     string `json:"page_url"`
		PageTitle   string `json:"page_title"`
		IsPermanent bool   `json:"is_permanent"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	l, err := a.p.Codes.CreateLink(ctx(r), app.AppID, wxacode.LinkRequest{
		Kind: wxacode.LinkShortLink, Path: req.PageURL, Title: req.PageTitle, Permanent: req.IsPermanent,
	}, a.baseURL(r))
	if err != nil {
		return nil, mapped(linkErrors, err)
	}
	return struct {
		ErrorBody
		Link string `json:"link"`
	}{OK(), l.Text}, nil
}
