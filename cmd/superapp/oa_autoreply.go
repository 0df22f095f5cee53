package main

import (
	"encoding/json"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
)

// Auto-replies and menus of official accounts.
func init() {
	appid := flagSpec{name: "appid", help: "the official account", required: true}
	autoreply := func(v map[string]string) string {
		return "/admin/v1/apps/" + url.PathEscape(v["appid"]) + "/autoreply"
	}
	textReply := func(text string) map[string]string { return map[string]string{"type": "text", "content": text} }
	switched := func(name, part, what string) request {
		return request{name: name, usage: "--appid APPID [--reply TEXT] [--enabled true|false]",
			summary: "set the text reply to " + what + " (--enabled false turns it off and keeps it)",
			flags: []flagSpec{appid, {name: "reply", help: "the reply text (empty: keep the stored reply)"},
				{name: "enabled", help: "true or false", def: "true"}},
			method: "PUT", path: func(v map[string]string) string { return autoreply(v) + "/" + part },
			body: func(v map[string]string) any {
				// Anything but true or false goes as is, for the server to refuse.
				body := map[string]any{"enabled": v["enabled"]}
				if b, err := strconv.ParseBool(v["enabled"]); err == nil {
					body["enabled"] = b
				}
				if v["reply"] != "" {
					body["reply"] = textReply(v["reply"])
				}
				return body
			}}
	}

	// The document read from --file, for "autoreply set".
	var document json.RawMessage
	set := request{name: "autoreply set", usage: "--appid APPID --file rules.json",
		summary: "replace an account's auto-replies with a JSON document (see `superapp autoreply show`)",
		flags:   []flagSpec{appid, {name: "file", help: "JSON file: {follow_reply, default_reply, keyword_rules}", required: true}},
		method:  "PUT", path: autoreply,
		body: func(map[string]string) any { return document }}
	keyword := request{name: "autoreply keyword", usage: "--appid APPID --keyword K [--contains] --reply TEXT",
		summary: "add a keyword rule answering with a text",
		flags: []flagSpec{appid, {name: "keyword", help: "the keyword (at most 30 characters)", required: true},
			{name: "contains", help: "match messages containing the keyword (default: the whole message must equal it)"},
			{name: "reply", help: "the reply text", required: true}, {name: "name", help: "rule name (default: the keyword)"}},
		method: "POST", path: func(v map[string]string) string { return autoreply(v) + "/keyword-rules" },
		body: func(v map[string]string) any {
			mode := "equal"
			if v["contains"] == "true" {
				mode = "contain"
			}
			return map[string]any{"rule_name": v["name"], "keywords": []map[string]string{{"match_mode": mode, "content": v["keyword"]}},
				"reply_mode": "reply_all", "replies": []map[string]string{textReply(v["reply"])}}
		}}
	for _, rq := range []request{
		{name: "autoreply show", usage: "--appid APPID", summary: "show an account's auto-replies (follow, default, keyword rules)",
			flags: []flagSpec{appid}, method: "GET", path: autoreply},
		set, keyword,
		switched("autoreply follow", "follow", "new followers"),
		switched("autoreply default", "default", "messages no keyword matches"),
		{name: "autoreply clear", usage: "--appid APPID", summary: "remove every auto-reply of an account",
			flags: []flagSpec{appid}, method: "DELETE", path: autoreply},
		{name: "menu show", usage: "--appid APPID", summary: "show an account's default and conditional menus",
			flags: []flagSpec{appid}, method: "GET", path: func(v map[string]string) string {
				return "/admin/v1/apps/" + url.PathEscape(v["appid"]) + "/menus"
			}},
	} {
		rq.register()
	}

	// --contains is a switch: the request's string flag takes it as "true".
	wrap(keyword.name, func(args []string) ([]string, error) {
		for i, a := range args {
			if a == "--contains" || a == "-contains" {
				args[i] = a + "=true"
			}
		}
		return args, nil
	})
	// set reads its file before calling, so an unreadable or invalid file
	// sends nothing.
	wrap(set.name, func(args []string) ([]string, error) {
		path, ok := flagValue(args, "file")
		if !ok {
			return args, nil // the request reports the missing flag
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, usagef("--file: %v", err)
		}
		if !json.Valid(raw) {
			return nil, usagef("--file %s is not valid JSON", path)
		}
		document = raw
		return args, nil
	})
}

// wrap runs prepare on a registered command's arguments first.
func wrap(name string, prepare func([]string) ([]string, error)) {
	inner := commands[name]
	register(name, inner.summary, func(args []string, stdout io.Writer) error {
		args, err := prepare(append([]string(nil), args...))
		if err != nil {
			return err
		}
		return inner.run(args, stdout)
	})
}

// flagValue finds --name VALUE or --name=VALUE in args.
func flagValue(args []string, name string) (string, bool) {
	for i, a := range args {
		if !strings.HasPrefix(a, "-") {
			continue
		}
		a = strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v, true
		}
		if a == name && i+1 < len(args) {
			return args[i+1], true
		}
	}
	return "", false
}
