package main

import (
	"io"
	"net/url"
	"strconv"
)

// Official account ↔ mini program association: the operator asks for a
// link on an account's behalf and, standing for the mini program's admin,
// confirms or refuses links between different subjects.
func init() {
	oa := flagSpec{name: "appid", help: "the official account", required: true}
	mp := flagSpec{name: "miniprogram", help: "the mini program's appid", required: true}
	links := func(v map[string]string) string {
		return "/admin/v1/apps/" + url.PathEscape(v["appid"]) + "/miniprogram-links"
	}
	one := func(suffix string) func(v map[string]string) string {
		return func(v map[string]string) string { return links(v) + "/" + url.PathEscape(v["miniprogram"]) + suffix }
	}
	for _, rq := range []request{
		{name: "oa mplink add", usage: "--appid OA --miniprogram MP [--show-profile true|false] [--notify-users true|false]",
			summary: "link a mini program to an official account (same subject: linked at once; otherwise pending until `oa mplink confirm`)",
			flags: []flagSpec{oa, mp, {name: "show-profile", help: "list it on the account's profile", def: "true"},
				{name: "notify-users", help: "recorded with the link (no follower is messaged)", def: "false"}},
			method: "POST", path: links,
			body: func(v map[string]string) any {
				return map[string]any{"appid": v["miniprogram"], "show_profile": flagBool(v["show-profile"]), "notify_users": flagBool(v["notify-users"])}
			}, compact: true},
		{name: "oa mplink list", usage: "--appid APPID",
			summary: "list an official account's mini programs, or (for a mini program) the accounts linked or asking to it",
			flags:   []flagSpec{{name: "appid", help: "an official account or a mini program", required: true}},
			method:  "GET", path: links, text: mpLinkTable},
		{name: "oa mplink confirm", usage: "--appid OA --miniprogram MP", summary: "confirm a pending link as the mini program's admin",
			flags: []flagSpec{oa, mp}, method: "POST", path: one("/confirm"), compact: true},
		{name: "oa mplink refuse", usage: "--appid OA --miniprogram MP", summary: "refuse a pending link as the mini program's admin",
			flags: []flagSpec{oa, mp}, method: "POST", path: one("/refuse"), compact: true},
		{name: "oa mplink remove", usage: "--appid OA --miniprogram MP", summary: "unlink a mini program from an official account (any state)",
			flags: []flagSpec{oa, mp}, method: "DELETE", path: one(""), compact: true},
	} {
		rq.register()
	}
}

// mpLinkTable prints a links answer as a table, one link a line.
func mpLinkTable(w io.Writer, answer any) error {
	m, _ := answer.(map[string]any)
	return table([]string{"ACCOUNT", "MINI PROGRAM", "NAME", "STATUS", "SAME SUBJECT", "ON PROFILE"},
		[]string{"oa_appid", "appid", "name", "status_name", "same_subject", "show_profile"})(w, m["links"])
}

// flagBool is a true/false flag as JSON; anything else goes as the text
// itself, which the admin API refuses naming the field.
func flagBool(v string) any {
	if b, err := strconv.ParseBool(v); err == nil {
		return b
	}
	return v
}
