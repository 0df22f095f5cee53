package main

import (
	"fmt"
	"io"
	"net/url"
	"strings"
)

// The simulated user's side of official accounts: follow, message, tap,
// scan, and read what came back — the way to integration-test a developer
// backend (docs/simulation.md).
func init() {
	appUser := []flagSpec{{name: "appid", help: "the official account", required: true}, {name: "user", help: "user id, phone number or unique name", required: true}}
	with := func(extra ...flagSpec) []flagSpec { return append(append([]flagSpec{}, appUser...), extra...) }
	for _, rq := range []request{
		{name: "sim follow", usage: "--appid APPID --user USER [--scene SCENE]", summary: "the user follows an official account; prints what the account sent back",
			flags:  with(flagSpec{name: "scene", help: "how the user found the account: search, profile_card, qr_code, others, … (subscribe_scene ADD_SCENE_*)"}),
			method: "POST", path: fixed("/sim/v1/oa/follow"), text: printReplies,
			body: func(v map[string]string) any {
				return map[string]string{"appid": v["appid"], "user": v["user"], "scene": v["scene"]}
			}},
		{name: "sim unfollow", usage: "--appid APPID --user USER", summary: "the user unfollows an official account",
			flags: with(), method: "POST", path: fixed("/sim/v1/oa/unfollow"), text: printReplies,
			body: func(v map[string]string) any { return map[string]string{"appid": v["appid"], "user": v["user"]} }},
		{name: "sim send", usage: "--appid APPID --user USER --text TEXT", summary: "the user sends a text message; prints the replies, one line each",
			flags:  with(flagSpec{name: "text", help: "the message", required: true}),
			method: "POST", path: fixed("/sim/v1/oa/send"), text: printReplies,
			body: func(v map[string]string) any {
				return map[string]string{"appid": v["appid"], "user": v["user"], "text": v["text"]}
			}},
		{name: "sim click", usage: "--appid APPID --user USER --key KEY", summary: "the user taps the menu's click button with KEY; prints the replies",
			flags:  with(flagSpec{name: "key", help: "the button's key", required: true}),
			method: "POST", path: fixed("/sim/v1/oa/click"), text: printReplies,
			body: func(v map[string]string) any {
				return map[string]string{"appid": v["appid"], "user": v["user"], "key": v["key"]}
			}},
		// sim scan is sim_scan.go: it also reads pictures and mini program codes.
		{name: "sim inbox", usage: "--appid APPID --user USER [--all=1]", summary: "what the user received from an official account, as a JSON list",
			flags:  with(flagSpec{name: "all", help: "1 to include the user's own messages"}),
			method: "GET", path: func(v map[string]string) string {
				q := url.Values{"appid": {v["appid"]}, "user": {v["user"]}}
				if v["all"] != "" {
					q.Set("all", v["all"])
				}
				return "/sim/v1/oa/inbox?" + q.Encode()
			}},
	} {
		rq.register()
	}
}

// printReplies prints the messages a simulated action got back, one line
// each; nothing when there were none.
func printReplies(w io.Writer, answer any) error {
	m, _ := answer.(map[string]any)
	replies, _ := m["replies"].([]any)
	for _, r := range replies {
		msg, _ := r.(map[string]any)
		kind, _ := msg["kind"].(string)
		body, _ := msg["body"].(map[string]any)
		for _, line := range replyLines(kind, body) {
			if _, err := fmt.Fprintln(w, line); err != nil {
				return err
			}
		}
	}
	return nil
}

// replyLines renders one message as text: a text message as itself, others
// as "[kind] title — address".
func replyLines(kind string, body map[string]any) []string {
	str := func(k string) string { s, _ := body[k].(string); return s }
	joined := func(parts ...string) string {
		var keep []string
		for _, p := range parts {
			if p != "" {
				keep = append(keep, p)
			}
		}
		return strings.Join(keep, " — ")
	}
	tagged := func(tag string, parts ...string) string {
		if s := joined(parts...); s != "" {
			return "[" + tag + "] " + s
		}
		return "[" + tag + "]"
	}
	switch kind {
	case "text", "notice":
		return []string{str("text")}
	case "news", "mpnews":
		articles, _ := body["articles"].([]any)
		var lines []string
		for _, a := range articles {
			art, _ := a.(map[string]any)
			title, _ := art["title"].(string)
			link, _ := art["url"].(string)
			lines = append(lines, tagged(kind, title, link))
		}
		if len(lines) == 0 {
			lines = append(lines, tagged(kind, str("title"), str("url")))
		}
		return lines
	case "msgmenu":
		menu, _ := body["menu"].(map[string]any)
		head, _ := menu["head_content"].(string)
		var choices []string
		items, _ := menu["list"].([]any)
		for _, it := range items {
			row, _ := it.(map[string]any)
			c, _ := row["content"].(string)
			choices = append(choices, c)
		}
		return []string{tagged(kind, head, strings.Join(choices, " | "))}
	case "miniprogrampage":
		mp, _ := body["miniprogram"].(map[string]any)
		title, _ := mp["title"].(string)
		appid, _ := mp["appid"].(string)
		page, _ := mp["pagepath"].(string)
		return []string{tagged(kind, title, appid+":"+page)}
	case "template":
		tpl, _ := body["template"].(map[string]any)
		title, _ := tpl["title"].(string)
		link, _ := tpl["url"].(string)
		return []string{tagged(kind, title, link)}
	case "music":
		return []string{tagged(kind, str("title"), str("music_url"))}
	}
	return []string{tagged(kind, str("title"), str("url"))}
}
