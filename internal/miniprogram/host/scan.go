package host

// wx.scanCode's decoder: POST /shell/api/mp/{appid}/scan with a picture
// (a camera frame or a picked image) and the kinds of code the app asked
// for answers the text of the code in it and its kind. Unlike the shell's
// own /scan, decoding here has no side effect: an official account's code
// is not followed, the text goes to the mini program as it is.

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	_ "image/gif" // the formats a picked picture comes in
	_ "image/jpeg"
	_ "image/png"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"superapp/internal/identity"
	"superapp/internal/wxacode"
)

// scanTypes are wx.scanCode's kinds of code.
var scanTypes = []string{"barCode", "qrCode", "datamatrix", "pdf417"}

// Bounds of a picture sent to the scan endpoint, as the shell's /scan.
const (
	maxScanImage       = 8 << 20
	maxScanImagePixels = 40_000_000
)

// ScanAnswer is wx.scanCode's success result.
type ScanAnswer struct {
	Result   string `json:"result"`
	ScanType string `json:"scanType"`
	CharSet  string `json:"charSet"`
	// RawData is the code's bytes, base64, as WeChat gives them.
	RawData string `json:"rawData"`
	// Path is set when the code opens this mini program (WeChat sets it
	// for the current mini program's own codes): the page with its query.
	Path string `json:"path,omitempty"`
}

func (h *Handler) scan(w http.ResponseWriter, r *http.Request, u *identity.User, appid string) (any, error) {
	if _, err := h.cfg.Registry.MiniProgram(r.Context(), appid); err != nil {
		return nil, err
	}
	if h.cfg.DecodeCode == nil {
		return nil, apiErrorf(http.StatusServiceUnavailable, "no_decoder", "This server cannot decode codes.")
	}
	var in struct {
		// Image is the picture, base64 (standard alphabet).
		Image string `json:"image"`
		// ScanType is wx.scanCode's: qrCode, barCode, datamatrix, pdf417
		// (none: barCode and qrCode, as WeChat).
		ScanType []string `json:"scanType"`
	}
	if err := decodeBody(r, &in, maxScanImage*4/3+1024); err != nil {
		return nil, err
	}
	noImage := &apiError{Status: http.StatusBadRequest, Code: "invalid_input", Field: "image",
		Message: "scanCode:fail send a picture of a code (PNG, JPEG or GIF, at most 8 MB)"}
	data, err := base64.StdEncoding.DecodeString(in.Image)
	if err != nil || len(data) == 0 || len(data) > maxScanImage {
		return nil, noImage
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width*cfg.Height > maxScanImagePixels {
		return nil, noImage
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, noImage
	}
	for _, t := range in.ScanType {
		if !slices.Contains(scanTypes, t) {
			return nil, &apiError{Status: http.StatusBadRequest, Code: "invalid_input", Field: "scanType",
				Message: fmt.Sprintf("scanCode:fail scanType %q is not one of %s", t, strings.Join(scanTypes, ", "))}
		}
	}
	text, format, err := h.cfg.DecodeCode(img, in.ScanType)
	if err != nil {
		return nil, &apiError{Status: http.StatusUnprocessableEntity, Code: "no_code", Field: "image", Message: "scanCode:fail no code found"}
	}
	answer := ScanAnswer{Result: text, ScanType: format, CharSet: "UTF-8", RawData: base64.StdEncoding.EncodeToString([]byte(text))}
	if format == "QR_CODE" {
		answer.Path = ownPagePath(text, r.Host, appid)
	}
	return answer, nil
}

// ownPagePath is the page a code opens when its text is this server's
// link to appid (/miniprogram/<appid>?path=…&query=…, the shell's
// miniProgramURL) or one of its mini program codes (/mpcode/<appid>?…),
// else "".
func ownPagePath(text, serverHost, appid string) string {
	l, err := url.Parse(strings.TrimSpace(text))
	if err != nil || (l.Scheme != "http" && l.Scheme != "https") || !strings.EqualFold(l.Host, serverHost) {
		return ""
	}
	q := l.Query()
	if l.Path == "/mpcode/"+appid {
		// A mini program code of this app (internal/wxacode): WeChat gives
		// the page with the code's path, or with ?scene= for a code of
		// getwxacodeunlimit, as the app would receive it.
		if q.Has("scene") {
			page := strings.TrimLeft(q.Get("page"), "/")
			if page == "" {
				return ""
			}
			return page + "?scene=" + wxacode.EncodeURIComponent(q.Get("scene"))
		}
		return strings.TrimLeft(q.Get("path"), "/")
	}
	if l.Path != "/miniprogram/"+appid {
		return ""
	}
	p := strings.TrimLeft(q.Get("path"), "/")
	if p == "" {
		return ""
	}
	if extra := q.Get("query"); extra != "" {
		if strings.Contains(p, "?") {
			p += "&" + extra
		} else {
			p += "?" + extra
		}
	}
	return p
}
