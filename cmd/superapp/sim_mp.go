package main

import (
	"fmt"
	"io"
	"strconv"
)

// The simulated user's side of mini programs: which version a launch gets
// (trial member → trial, gray bucket or named user → gray, else online).
func init() {
	rq := request{name: "sim launch", usage: "--appid APPID --user USER [--path PAGE] [--scene SCENE] [--env release|trial|develop]",
		summary: "the user opens a mini program: prints which version they get and on which page",
		flags: []flagSpec{{name: "appid", help: "the mini program", required: true},
			{name: "user", help: "user id, phone number or unique name", required: true},
			{name: "path", help: "the page (and ?query) to open; default the entry page"},
			{name: "scene", help: "WeChat's scene value, e.g. 1047 (scanned mini program code); default 1001"},
			{name: "env", help: "release (default), trial or develop, as a trial QR code or a preview asks"}},
		method: "POST", path: fixed("/sim/v1/miniprogram/launch"), text: printLaunch,
		body: func(v map[string]string) any {
			scene, _ := strconv.Atoi(v["scene"])
			return map[string]any{"appid": v["appid"], "user": v["user"], "path": v["path"], "scene": scene, "env_version": v["env"]}
		}}
	rq.register()
}

func printLaunch(w io.Writer, answer any) error {
	m, _ := answer.(map[string]any)
	str := func(k string) string { s, _ := m[k].(string); return s }
	num := func(k string) int64 { f, _ := m[k].(float64); return int64(f) }
	got := str("channel")
	if id := num("version"); id != 0 {
		got = fmt.Sprintf("version %d (%s)", id, str("channel"))
	}
	page := str("path")
	if q := str("query"); q != "" {
		page += "?" + q
	}
	_, err := fmt.Fprintf(w, "%s gets %s of %s: page %s, scene %d, openid %s\n", str("user_id"), got, str("appid"), page, num("scene"), str("openid"))
	return err
}
