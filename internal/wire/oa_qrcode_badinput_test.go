package wire_test

import "strings"

const famOAQR = "official accounts: parametric QR codes"

var qrCreate = "/cgi-bin/qrcode/create?access_token={oatok}"

// qrBody is a qrcode/create body with action and scene (JSON members).
func qrBody(action, scene string) string {
	return `{"action_name":"` + action + `","action_info":{"scene":{` + scene + `}}}`
}

// oaQRCodeCases are the bad-input cases of these endpoints (docs/bad-input.md).
// GET /cgi-bin/showqrcode answers HTTP 404 for a bad ticket, not JSON; it is
// tested in oa_qrcode_test.go.
var oaQRCodeCases = []badCase{
	{family: famOAQR, endpoint: "POST /cgi-bin/qrcode/create", input: "GET", target: qrCreate, want: 43002, prefix: "require POST method"},
	{family: famOAQR, endpoint: "POST /cgi-bin/qrcode/create", input: "access_token missing", method: "POST", target: "/cgi-bin/qrcode/create", body: qrBody("QR_SCENE", `"scene_id":1`), want: 41001, prefix: "access_token missing"},
	{family: famOAQR, endpoint: "POST /cgi-bin/qrcode/create", input: "mini program token", method: "POST", target: "/cgi-bin/qrcode/create?access_token={mptok}", body: qrBody("QR_SCENE", `"scene_id":1`), want: 48001, prefix: "api unauthorized"},
	{family: famOAQR, endpoint: "POST /cgi-bin/qrcode/create", input: "empty body", method: "POST", target: qrCreate, want: 40052, prefix: "invalid action name"},
	{family: famOAQR, endpoint: "POST /cgi-bin/qrcode/create", input: "action_name in lower case", method: "POST", target: qrCreate, body: qrBody("qr_scene", `"scene_id":1`), want: 40052, prefix: `invalid action name, "qr_scene"`},
	{family: famOAQR, endpoint: "POST /cgi-bin/qrcode/create", input: "QR_CARD (a card code, not a follow code)", method: "POST", target: qrCreate, body: qrBody("QR_CARD", `"scene_id":1`), want: 40052, prefix: "invalid action name"},
	{family: famOAQR, endpoint: "POST /cgi-bin/qrcode/create", input: "QR_SCENE without scene_id", method: "POST", target: qrCreate, body: qrBody("QR_SCENE", `"scene_str":"a"`), want: 40053, prefix: "invalid action info, please check document, scene_id 0 of QR_SCENE must be between 1 and 4294967295"},
	{family: famOAQR, endpoint: "POST /cgi-bin/qrcode/create", input: "QR_SCENE scene_id -1", method: "POST", target: qrCreate, body: qrBody("QR_SCENE", `"scene_id":-1`), want: 40053, prefix: "invalid action info", note: "a non-zero 32-bit integer; we take the positive ones"},
	{family: famOAQR, endpoint: "POST /cgi-bin/qrcode/create", input: "QR_SCENE scene_id 2^32", method: "POST", target: qrCreate, body: qrBody("QR_SCENE", `"scene_id":4294967296`), want: 40053, prefix: "invalid action info"},
	{family: famOAQR, endpoint: "POST /cgi-bin/qrcode/create", input: "QR_SCENE scene_id 1.5", method: "POST", target: qrCreate, body: qrBody("QR_SCENE", `"scene_id":1.5`), want: 47001, prefix: "data format error"},
	{family: famOAQR, endpoint: "POST /cgi-bin/qrcode/create", input: "QR_STR_SCENE with an empty scene_str", method: "POST", target: qrCreate, body: qrBody("QR_STR_SCENE", `"scene_str":""`), want: 40053, prefix: "invalid action info, please check document, scene_str of QR_STR_SCENE must be 1 to 64 characters"},
	{family: famOAQR, endpoint: "POST /cgi-bin/qrcode/create", input: "QR_LIMIT_SCENE scene_id 100001", method: "POST", target: qrCreate, body: qrBody("QR_LIMIT_SCENE", `"scene_id":100001`), want: 40053, prefix: "invalid action info, please check document, scene_id 100001 of QR_LIMIT_SCENE must be between 1 and 100000"},
	{family: famOAQR, endpoint: "POST /cgi-bin/qrcode/create", input: "QR_LIMIT_SCENE scene_id 0", method: "POST", target: qrCreate, body: qrBody("QR_LIMIT_SCENE", `"scene_id":0`), want: 40053, prefix: "invalid action info"},
	{family: famOAQR, endpoint: "POST /cgi-bin/qrcode/create", input: "QR_LIMIT_STR_SCENE scene_str of 65 characters", method: "POST", target: qrCreate, body: qrBody("QR_LIMIT_STR_SCENE", `"scene_str":"`+strings.Repeat("码", 65)+`"`), want: 40053, prefix: "invalid action info"},
	{family: famOAQR, endpoint: "POST /cgi-bin/qrcode/create", input: "QR_LIMIT_STR_SCENE scene_str with NUL", method: "POST", target: qrCreate, body: qrBody("QR_LIMIT_STR_SCENE", `"scene_str":"a\u0000"`), want: 40053, prefix: "invalid action info"},
	{family: famOAQR, endpoint: "POST /cgi-bin/qrcode/create", input: "expire_seconds 2592001 (over 30 days)", method: "POST", target: qrCreate, body: `{"expire_seconds":2592001,"action_name":"QR_SCENE","action_info":{"scene":{"scene_id":1}}}`, want: 40097, prefix: "invalid args, 2592001; a temporary code lives 1 to 2592000 seconds", note: "WeChat documents no code for this; our choice"},
	{family: famOAQR, endpoint: "POST /cgi-bin/qrcode/create", input: "expire_seconds -1", method: "POST", target: qrCreate, body: `{"expire_seconds":-1,"action_name":"QR_STR_SCENE","action_info":{"scene":{"scene_str":"a"}}}`, want: 40097, prefix: "invalid args", note: "our choice"},
	{family: famOAQR, endpoint: "POST /cgi-bin/qrcode/create", input: "expire_seconds omitted", method: "POST", target: qrCreate, body: qrBody("QR_SCENE", `"scene_id":7`), want: 0, note: "60 s, WeChat's default"},
	{family: famOAQR, endpoint: "POST /cgi-bin/qrcode/create", input: "scene_id as a string", method: "POST", target: qrCreate, body: qrBody("QR_LIMIT_SCENE", `"scene_id":"7"`), want: 0},
	{family: famOAQR, endpoint: "POST /cgi-bin/qrcode/create", input: "expire_seconds on a permanent code", method: "POST", target: qrCreate, body: `{"expire_seconds":60,"action_name":"QR_LIMIT_SCENE","action_info":{"scene":{"scene_id":8}}}`, want: 0, note: "ignored, as permanent codes do not expire"},
	{family: famOAQR, endpoint: "POST /cgi-bin/qrcode/create", input: "action_info missing", method: "POST", target: qrCreate, body: `{"action_name":"QR_LIMIT_STR_SCENE"}`, want: 40053, prefix: "invalid action info"},
}
