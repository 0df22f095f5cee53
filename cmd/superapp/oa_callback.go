package main

import "net/url"

// Developer-server callbacks of official accounts.
func init() {
	appid := flagSpec{name: "appid", help: "the official account", required: true}
	path := func(v map[string]string) string {
		return "/admin/v1/apps/" + url.PathEscape(v["appid"]) + "/callback"
	}
	for _, rq := range []request{
		{name: "app callback set", usage: "--appid APPID --url URL --token TOKEN [--aes-key KEY] [--mode plain|compatible|safe]",
			summary: "set an official account's developer server; the server must pass WeChat's URL verification (echo echostr)",
			flags: []flagSpec{appid, {name: "url", help: "the developer server's http(s) URL", required: true},
				{name: "token", help: "Token: 3–32 letters or digits, signs every push", required: true},
				{name: "aes-key", help: "EncodingAESKey: 43 letters or digits (required in compatible and safe mode)"},
				{name: "mode", help: "plain, compatible or safe (default: safe with --aes-key, plain without)"}},
			method: "PUT", path: path,
			body: func(v map[string]string) any {
				return map[string]string{"url": v["url"], "token": v["token"], "encoding_aes_key": v["aes-key"], "mode": v["mode"]}
			}},
		{name: "app callback show", usage: "--appid APPID", summary: "show an official account's developer server (whether token and key are set, not their values)",
			flags: []flagSpec{appid}, method: "GET", path: path},
		{name: "app callback clear", usage: "--appid APPID", summary: "remove an official account's developer server (auto-replies answer again)",
			flags: []flagSpec{appid}, method: "DELETE", path: path, compact: true},
	} {
		rq.register()
	}
}
