package wire

import (
	"errors"
	"net/http"
	"strconv"

	qrcode "github.com/skip2/go-qrcode"

	"superapp/internal/account"
	"superapp/internal/officialaccount"
)

// Errcodes of parametric QR codes (reference §3.2). 40052, 40053 and 45029
// are WeChat's, with its observed messages for 40053 and 45029; WeChat
// documents no code for a bad expire_seconds, so that is 40097 (our choice).
var (
	errQRActionName = &Error{40052, "invalid action name"}
	errQRActionInfo = &Error{40053, "invalid action info, please check document"}
	errQRCount      = &Error{45029, "qrcode count out of limit"}
	errQRExpire     = ErrInvalidParameter
)

// QRImageSize is the side of showqrcode's image in pixels, as WeChat's.
const QRImageSize = 430

func (a *API) registerOAQRCodes(mux *http.ServeMux) {
	mux.HandleFunc("/cgi-bin/qrcode/create", a.postAuthed(a.qrCreate))
	// No access token: the ticket is the credential (WeChat serves this on
	// mp.weixin.qq.com).
	mux.HandleFunc("/cgi-bin/showqrcode", a.showQRCode)
}

var qrErrors = domainErrors{
	{officialaccount.ErrQRActionName, errQRActionName},
	{officialaccount.ErrQRScene, errQRActionInfo},
	{officialaccount.ErrQRExpiry, errQRExpire},
	{officialaccount.ErrQRCodeLimit, errQRCount},
}

func qrError(err error) error {
	if e := qrErrors.mapped(err); e != nil {
		return e
	}
	return oaUsersError(err)
}

// qrCreateBody is qrcode/create's answer; permanent codes have no
// expire_seconds.
type qrCreateBody struct {
	Ticket        string `json:"ticket"`
	ExpireSeconds int64  `json:"expire_seconds,omitempty"`
	URL           string `json:"url"`
}

// POST /cgi-bin/qrcode/create
// {"expire_seconds","action_name","action_info":{"scene":{"scene_id"|"scene_str"}}}
func (a *API) qrCreate(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := officialAccountOnly(app); err != nil {
		return nil, err
	}
	var req struct {
		ExpireSeconds flexID `json:"expire_seconds"`
		ActionName    string `json:"action_name"`
		ActionInfo    struct {
			Scene struct {
				SceneID  flexID `json:"scene_id"`
				SceneStr string `json:"scene_str"`
			} `json:"scene"`
		} `json:"action_info"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	q, err := a.p.OA.CreateQRCode(ctx(r), app.AppID, officialaccount.QRCodeRequest{
		Action: req.ActionName, SceneID: int64(req.ActionInfo.Scene.SceneID), SceneStr: req.ActionInfo.Scene.SceneStr,
		ExpireSeconds: int64(req.ExpireSeconds), BaseURL: a.baseURL(r),
	})
	if err != nil {
		return nil, qrError(err)
	}
	return qrCreateBody{Ticket: q.Ticket, ExpireSeconds: q.ExpireSeconds, URL: q.URL}, nil
}

// baseURL is this server as the request reached it: the scheme (HTTPS per
// proxy.Trust) and the Host header. A QR code's URL is baseURL/q/<code>,
// which the shell opens as a scan.
func (a *API) baseURL(r *http.Request) string {
	scheme := "http"
	if a.p.Options.BehindProxy.HTTPS(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// GET /cgi-bin/showqrcode?ticket= → the code's image, or HTTP 404 for an
// unknown or expired ticket (WeChat's only non-200 answer, reference §0.3).
func (a *API) showQRCode(w http.ResponseWriter, r *http.Request) {
	q, err := a.p.OA.QRCodeByTicket(ctx(r), r.URL.Query().Get("ticket"))
	if errors.Is(err, officialaccount.ErrQRCodeNotFound) || errors.Is(err, officialaccount.ErrQRCodeExpired) {
		http.Error(w, "404 "+err.Error(), http.StatusNotFound)
		return
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	png, err := qrcode.Encode(q.URL, qrcode.Medium, QRImageSize)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	h := w.Header()
	// The bytes are a PNG and say so; WeChat labels its JPEG image/jpg, and
	// no SDK looks at the type (they hand out the URL, not the bytes).
	h.Set("Content-Type", "image/png")
	h.Set("Content-Length", strconv.Itoa(len(png)))
	// A temporary code's image must not outlive the code in caches.
	h.Set("Cache-Control", "no-store")
	w.Write(png)
}
