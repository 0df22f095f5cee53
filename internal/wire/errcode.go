// Package wire speaks WeChat's HTTP dialect: errcodes with English messages
// and a request id, HTTP 200 for business errors, JSON bodies accepted the way
// real SDKs send them. The handlers here translate between these
// shapes and the domain packages (api.go, credentials.go, login.go,
// oauth.go); rules and storage live in the domain packages.
package wire

import "fmt"

// Error is a WeChat business error: {"errcode": Code, "errmsg": Msg + " rid: …"}.
type Error struct {
	Code int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("errcode %d: %s", e.Code, e.Msg) }

// With returns a copy whose message is extended with detail, keeping the
// stable English prefix that SDK tests match on.
func (e *Error) With(detail string) *Error {
	return &Error{Code: e.Code, Msg: e.Msg + detail}
}

// The errcodes the platform answers with. Messages follow what WeChat's
// servers send (wechat-api.md §0.5); rid is appended when written.
var (
	ErrSystem              = &Error{-1, "system error"}
	ErrInvalidCredential   = &Error{40001, "invalid credential, access_token is invalid or not latest"}
	ErrInvalidGrantType    = &Error{40002, "invalid grant_type"}
	ErrInvalidOpenID       = &Error{40003, "invalid openid"}
	ErrInvalidAppID        = &Error{40013, "invalid appid"}
	ErrInvalidCode         = &Error{40029, "invalid code"}
	ErrInvalidRefreshToken = &Error{40030, "invalid refresh_token"}
	ErrInvalidParameter    = &Error{40097, "invalid args"}
	ErrInvalidAppSecret    = &Error{40125, "invalid appsecret"}
	ErrCodeUsed            = &Error{40163, "code been used"}
	ErrIPNotWhitelisted    = &Error{40164, "invalid ip"} // message completed per request
	ErrAccessTokenMissing  = &Error{41001, "access_token missing"}
	ErrAppIDMissing        = &Error{41002, "appid missing"}
	ErrSecretMissing       = &Error{41004, "appsecret missing"}
	ErrCodeMissing         = &Error{41008, "missing code"}
	ErrOpenIDMissing       = &Error{41009, "missing openid"}
	ErrAccessTokenExpired  = &Error{42001, "access_token expired"}
	ErrRefreshTokenExpired = &Error{42002, "refresh_token expired"}
	ErrCodeExpired         = &Error{42003, "code expired"}
	ErrMethodNotAllowed    = &Error{43002, "require POST method"}
	ErrBodyTooLarge        = &Error{45002, "content size out of limit"}
	ErrDailyQuota          = &Error{45009, "reach max api daily quota limit"}
	ErrTooFrequent         = &Error{45011, "api minute-quota reach limit  mustslower  retry next minute"}
	ErrQuotaResetLimit     = &Error{48006, "forbid to clear quota because of reaching the limit"}
	ErrDataFormat          = &Error{47001, "data format error"}
	ErrAPIUnauthorized     = &Error{48001, "api unauthorized"}
	ErrInvalidSignature    = &Error{87009, "invalid signature"}
	ErrCgiPathNotFound     = &Error{76021, "cgi_path not found, please check"}
)
