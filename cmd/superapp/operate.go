package main

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"
)

// request describes one operator command: its flags, and how they become a
// call to the admin or simulation API.
type request struct {
	name, usage, summary string
	flags                []flagSpec
	method               string
	path                 func(v map[string]string) string
	body                 func(v map[string]string) any
	// text prints the answer for people; nil prints it as JSON.
	text func(w io.Writer, answer any) error
	// compact answers print as one line of JSON in both modes (scripts parse them).
	compact bool
}

type flagSpec struct {
	name, help string
	required   bool
	def        string
}

func (rq request) register() {
	register(rq.name, rq.summary, func(args []string, stdout io.Writer) error {
		fs := newFlags(rq.name, rq.name+" "+rq.usage, stdout)
		values := map[string]*string{}
		for _, f := range rq.flags {
			values[f.name] = fs.String(f.name, f.def, f.help)
		}
		cf := addClientFlags(fs)
		if err := parse(fs, args); err != nil {
			return err
		}
		v := map[string]string{}
		for _, f := range rq.flags {
			v[f.name] = strings.TrimSpace(*values[f.name])
			if f.required {
				if err := required(f.name, v[f.name]); err != nil {
					return err
				}
			}
		}
		var body any
		if rq.body != nil {
			body = rq.body(v)
		}
		var answer any
		if err := cf.call(rq.method, rq.path(v), body, &answer); err != nil {
			return err
		}
		switch {
		case rq.compact && !*cf.json:
			return printCompact(stdout, answer)
		case *cf.json || rq.text == nil:
			return printJSON(stdout, answer)
		}
		return rq.text(stdout, answer)
	})
}

func fixed(p string) func(map[string]string) string {
	return func(map[string]string) string { return p }
}

func table(columns []string, keys []string) func(w io.Writer, answer any) error {
	return func(w io.Writer, answer any) error {
		rows, _ := answer.([]any)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(columns, "\t"))
		for _, r := range rows {
			m, _ := r.(map[string]any)
			cells := make([]string, len(keys))
			for i, k := range keys {
				cells[i] = cell(m[k])
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
		if len(rows) == 0 {
			fmt.Fprintln(tw, "(none)")
		}
		return tw.Flush()
	}
}

func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return "-"
	case string:
		if x == "" {
			return "-"
		}
		return x
	case float64:
		return fmt.Sprint(int64(x))
	case []any:
		s := make([]string, len(x))
		for i, e := range x {
			s[i] = cell(e)
		}
		if len(s) == 0 {
			return "-"
		}
		return strings.Join(s, ",")
	}
	return fmt.Sprint(v)
}

func splitComma(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func init() {
	subjectKinds := "enterprise, individual_business, government, media, other_organization or individual"
	for _, rq := range []request{
		{name: "subject create", usage: "--kind KIND --name NAME", summary: "register a subject (the legal entity owning apps)",
			flags:  []flagSpec{{name: "kind", help: "subject kind: " + subjectKinds, required: true}, {name: "name", help: "legal name (1–30 characters)", required: true}},
			method: "POST", path: fixed("/admin/v1/subjects"),
			body: func(v map[string]string) any { return map[string]string{"kind": v["kind"], "name": v["name"]} }},
		{name: "subject list", summary: "list subjects", method: "GET", path: fixed("/admin/v1/subjects"),
			text: table([]string{"ID", "KIND", "NAME", "CERTIFIED"}, []string{"id", "kind", "name", "certified"})},
		{name: "app create", usage: "--kind miniprogram|subscription|service --name NAME [--subject ID]", summary: "create an app; prints {\"appid\",\"secret\"} (the secret is shown only now)",
			flags: []flagSpec{{name: "kind", help: "app kind: miniprogram, subscription or service", required: true}, {name: "name", help: "app name (1–30 characters)", required: true},
				{name: "subject", help: "owning subject id (default: the built-in default enterprise)"}},
			method: "POST", path: fixed("/admin/v1/apps"), compact: true,
			body: func(v map[string]string) any {
				return map[string]string{"kind": v["kind"], "name": v["name"], "subject_id": v["subject"]}
			}},
		{name: "app list", usage: "[--kind KIND]", summary: "list apps", flags: []flagSpec{{name: "kind", help: "only apps of this kind"}},
			method: "GET", path: func(v map[string]string) string { return "/admin/v1/apps?kind=" + url.QueryEscape(v["kind"]) },
			text: table([]string{"APPID", "KIND", "NAME", "SUBJECT", "OPEN PLATFORM"}, []string{"appid", "kind", "name", "subject_id", "open_platform_id"})},
		{name: "app show", usage: "--appid APPID", summary: "show one app", flags: []flagSpec{{name: "appid", help: "the app", required: true}},
			method: "GET", path: func(v map[string]string) string { return "/admin/v1/apps/" + url.PathEscape(v["appid"]) }},
		{name: "app reset-secret", usage: "--appid APPID", summary: "replace an app's secret; prints {\"appid\",\"secret\"}",
			flags: []flagSpec{{name: "appid", help: "the app", required: true}}, compact: true,
			method: "POST", path: func(v map[string]string) string {
				return "/admin/v1/apps/" + url.PathEscape(v["appid"]) + "/reset-secret"
			}},
		{name: "app ip-whitelist", usage: "--appid APPID --ips 1.2.3.4,10.0.0.0/8", summary: "set the addresses allowed to call the app's APIs (empty: all)",
			flags:  []flagSpec{{name: "appid", help: "the app", required: true}, {name: "ips", help: "comma-separated addresses or CIDR ranges; empty clears the whitelist"}},
			method: "PUT", path: func(v map[string]string) string {
				return "/admin/v1/apps/" + url.PathEscape(v["appid"]) + "/ip-whitelist"
			},
			body: func(v map[string]string) any { return map[string]any{"ips": splitComma(v["ips"])} }},
		{name: "app oauth-domains", usage: "--appid APPID --domains example.com,h5.example.com", summary: "set the hosts OAuth redirect_uri may point at",
			flags:  []flagSpec{{name: "appid", help: "the app", required: true}, {name: "domains", help: "comma-separated host names"}},
			method: "PUT", path: func(v map[string]string) string {
				return "/admin/v1/apps/" + url.PathEscape(v["appid"]) + "/oauth-domains"
			},
			body: func(v map[string]string) any { return map[string]any{"domains": splitComma(v["domains"])} }},
		{name: "openplatform create", usage: "--name NAME [--subject ID]", summary: "create an open-platform account (apps bound to it share UnionIDs)",
			flags:  []flagSpec{{name: "name", help: "account name", required: true}, {name: "subject", help: "owning subject id (default: the default enterprise)"}},
			method: "POST", path: fixed("/admin/v1/openplatforms"),
			body: func(v map[string]string) any { return map[string]string{"name": v["name"], "subject_id": v["subject"]} }},
		{name: "openplatform list", summary: "list open-platform accounts", method: "GET", path: fixed("/admin/v1/openplatforms"),
			text: table([]string{"ID", "NAME", "SUBJECT"}, []string{"id", "name", "subject_id"})},
		{name: "openplatform bind", usage: "--id OP --appid APPID", summary: "bind an app to an open-platform account",
			flags:  []flagSpec{{name: "id", help: "open-platform account id", required: true}, {name: "appid", help: "the app", required: true}},
			method: "POST", path: func(v map[string]string) string {
				return "/admin/v1/openplatforms/" + url.PathEscape(v["id"]) + "/bind"
			},
			body: func(v map[string]string) any { return map[string]string{"appid": v["appid"]} }},
		{name: "openplatform unbind", usage: "--id OP --appid APPID", summary: "unbind an app from an open-platform account",
			flags:  []flagSpec{{name: "id", help: "open-platform account id", required: true}, {name: "appid", help: "the app", required: true}},
			method: "POST", path: func(v map[string]string) string {
				return "/admin/v1/openplatforms/" + url.PathEscape(v["id"]) + "/unbind"
			},
			body: func(v map[string]string) any { return map[string]string{"appid": v["appid"]} }},
		{name: "sim user create", usage: "--name NAME [--phone NUMBER --password PW]", summary: "create an end user without a phone (a test user)",
			flags: []flagSpec{{name: "name", help: "display name", required: true}, {name: "phone", help: "phone number, for getPhoneNumber and shell sign-in"},
				{name: "password", help: "shell password (with --phone)"}},
			method: "POST", path: fixed("/sim/v1/users"), compact: true,
			body: func(v map[string]string) any {
				return map[string]string{"name": v["name"], "phone": v["phone"], "password": v["password"]}
			}},
		simRequest("sim code", "/sim/v1/login-code", "what wx.login returns a mini program for the user: prints {\"code\"}", ""),
		simRequest("sim phone-code", "/sim/v1/phone-code", "what the getPhoneNumber button returns: a code for getuserphonenumber", ""),
		simRequest("sim user-profile", "/sim/v1/user-profile", "what wx.getUserProfile returns (encryptedData, iv, rawData, signature)", ""),
		simRequest("sim phone-data", "/sim/v1/phone-data", "the legacy encryptedData form of the user's phone number", ""),
		simRequest("sim oauth-code", "/sim/v1/oauth-code", "the code an official account's H5 page receives after web authorization", "snsapi_base"),
	} {
		rq.register()
	}
}

func simRequest(name, path, summary, scope string) request {
	flags := []flagSpec{{name: "appid", help: "the app", required: true}, {name: "user", help: "user id, phone number or unique name", required: true}}
	if scope != "" {
		flags = append(flags, flagSpec{name: "scope", help: "snsapi_base or snsapi_userinfo", def: scope})
	}
	return request{name: name, usage: "--appid APPID --user USER", summary: summary, flags: flags, method: "POST", path: fixed(path), compact: true,
		body: func(v map[string]string) any {
			return map[string]string{"appid": v["appid"], "user": v["user"], "scope": v["scope"]}
		}}
}
