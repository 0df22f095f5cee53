// Package wxhttp is what WeChat's network APIs put on the wire for a mini
// program, shared by the wx.request proxy (host) and the wx.connectSocket
// relay (socketproxy): which of the mini program's headers are never
// forwarded, the Referer and User-Agent WeChat sends, and header values
// written as the JavaScript the mini program ran would write them.
package wxhttp

import (
	"math"
	"strconv"
	"strings"
)

// forbidden are headers the transport or handshake sets, or that WeChat
// does not let a mini program set (Referer, Origin).
var forbidden = map[string]bool{
	"Host": true, "Connection": true, "Content-Length": true, "Transfer-Encoding": true, "Upgrade": true,
	"Keep-Alive": true, "Proxy-Connection": true, "Proxy-Authorization": true, "Te": true, "Trailer": true,
	"Referer": true, "Origin": true, "Accept-Encoding": true,
}

// Forbidden reports whether a mini program's header (canonical name) is
// dropped rather than forwarded; Sec-* and Proxy-* names always are.
func Forbidden(canonical string) bool {
	return canonical == "" || forbidden[canonical] || strings.HasPrefix(canonical, "Sec-") || strings.HasPrefix(canonical, "Proxy-")
}

// Referer is the page-frame address WeChat sends for appid's requests
// (the developer tools' version, as this is a development platform).
func Referer(appid string) string {
	return "https://servicewechat.com/" + appid + "/devtools/page-frame.html"
}

// UserAgent is sent when the mini program names none.
const UserAgent = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Mobile MicroMessenger/8.0 miniProgram superapp"

// Value writes a header or form value from JSON as JavaScript's String(v)
// would: strings as they are, numbers as JS prints them, arrays joined
// with commas, objects as "[object Object]"; null as "".
func Value(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return jsNumber(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = Value(e) // JS joins null elements as ""
		}
		return strings.Join(parts, ",")
	case map[string]any:
		return "[object Object]"
	}
	return ""
}

// jsNumber is Number.prototype.toString(): plain decimals from 1e-6 up to
// 1e21, exponent form ("1e+21", "1.5e-7") outside.
func jsNumber(x float64) string {
	switch {
	case math.IsNaN(x):
		return "NaN"
	case math.IsInf(x, 1):
		return "Infinity"
	case math.IsInf(x, -1):
		return "-Infinity"
	case x == 0:
		return "0" // -0 too
	}
	if a := math.Abs(x); a >= 1e-6 && a < 1e21 {
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	s := strconv.FormatFloat(x, 'e', -1, 64) // "1.5e-07"
	mant, exp, _ := strings.Cut(s, "e")
	sign := exp[:1]
	exp = strings.TrimLeft(exp[1:], "0")
	return mant + "e" + sign + exp
}
