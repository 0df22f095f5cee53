package main

// `superapp sim scan`: what scanning a code does. A mini program code
// (…/mpcode/<appid>?…) or link (URL link, URL scheme, short link) is
// resolved the way the shell opens it (GET /shell/api/mplink) and printed:
// appid, page, query (with a code's scene), WeChat's scene value, version.
// An official account's parametric code (…/q/<code>) is scanned by the
// simulated user (POST /sim/v1/oa/scan) and the account's replies printed.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // the formats a code's picture comes in
	_ "image/jpeg"
	_ "image/png"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"superapp/internal/shell"
)

func init() {
	register("sim scan", "scan a code: a mini program code/link (prints what opens) or an official account's QR code (prints the replies)", simScan)
}

func simScan(args []string, stdout io.Writer) error {
	fs := newFlags("sim scan", "sim scan FILE.png|URL [--as USER] [--via camera|album|longpress]", stdout)
	as := fs.String("as", "", "the user who scans (user id, phone number or unique name); required for an official account's code")
	user := fs.String("user", "", "same as --as")
	rawURL := fs.String("url", "", "the code's text, instead of FILE|URL")
	via := fs.String("via", "", "how a mini program code is read: camera (1047, the default for a URL), album (1049, the default for a FILE) or longpress (1048)")
	cf := addClientFlags(fs)
	if err := fs.Parse(args); err != nil {
		return parse(fs, args)
	}
	arg := ""
	if fs.NArg() > 0 {
		arg = fs.Arg(0)
		if err := parse(fs, fs.Args()[1:]); err != nil {
			return err
		}
	}
	if *as == "" {
		*as = *user
	}
	text := strings.TrimSpace(*rawURL)
	fromFile := false
	switch {
	case arg != "" && text != "":
		return usagef("give the code as FILE|URL or --url, not both")
	case arg != "":
		if st, err := os.Stat(arg); err == nil && !st.IsDir() {
			decoded, err := decodeCodeFile(arg)
			if err != nil {
				return err
			}
			text, fromFile = decoded, true
		} else {
			text = arg
		}
	case text == "":
		return usagef("the code is required: a picture FILE or the URL it holds (see --help)")
	}
	if *via == "" {
		*via = "camera"
		if fromFile {
			*via = "album"
		}
	}
	if !isMiniProgramLink(text) {
		if err := required("as", *as); err != nil {
			return usagef("--as is required to scan %q (an official account's code is scanned by a user)", text)
		}
		var answer any
		if err := cf.call("POST", "/sim/v1/oa/scan", map[string]string{"user": *as, "url": text}, &answer); err != nil {
			return err
		}
		if *cf.json {
			return printJSON(stdout, answer)
		}
		return printReplies(stdout, answer)
	}
	launch, err := resolveLink(*cf.server, text, *via)
	if err != nil {
		return err
	}
	if *cf.json {
		return printJSON(stdout, launch)
	}
	query, _ := url.ParseQuery(launch.Query)
	flat := map[string]string{}
	page, pathQuery, _ := strings.Cut(launch.Path, "?")
	for _, q := range []url.Values{parseQuery(pathQuery), query} {
		for k := range q {
			flat[k] = q.Get(k)
		}
	}
	qj, _ := json.Marshal(flat)
	_, err = fmt.Fprintf(stdout, "appid: %s\npath: %s\nquery: %s\nscene: %d\nenv: %s\nopen: %s%s\n",
		launch.AppID, page, qj, launch.Scene, launch.EnvVersion, strings.TrimRight(*cf.server, "/"), launch.LaunchURL)
	return err
}

func parseQuery(s string) url.Values {
	v, _ := url.ParseQuery(s)
	return v
}

// mpLinkPattern matches the addresses of mini program codes and URL links.
var mpLinkPattern = regexp.MustCompile(`^/(mpcode|wxaurl)/[^/]+$`)

// isMiniProgramLink is web/shell/src/links.tsx's test.
func isMiniProgramLink(text string) bool {
	if strings.HasPrefix(text, "#小程序://") || strings.HasPrefix(text, "weixin://dl/business") {
		return true
	}
	u, err := url.Parse(text)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && mpLinkPattern.MatchString(u.Path)
}

// decodeCodeFile reads the QR code in a picture.
func decodeCodeFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return "", usagef("%s is not a PNG, JPEG or GIF picture: %v", path, err)
	}
	text, err := shell.DecodeQR(img)
	if err != nil {
		return "", fmt.Errorf("no QR code found in %s", path)
	}
	return text, nil
}

// launch is the server's answer (internal/wxacode.Launch).
type launch struct {
	AppID      string `json:"appid"`
	Path       string `json:"path"`
	Query      string `json:"query"`
	Scene      int    `json:"scene"`
	EnvVersion string `json:"env_version"`
	LaunchURL  string `json:"launch_url"`
}

// resolveLink asks the server what opening text does, as the shell's scan
// page does (the text is the credential: no operator key needed).
func resolveLink(server, text, via string) (*launch, error) {
	u := strings.TrimRight(server, "/") + "/shell/api/mplink?" + url.Values{"text": {text}, "via": {via}}.Encode()
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Get(u)
	if err != nil {
		return nil, fmt.Errorf("cannot reach the server at %s (is `superapp serve` running? set --server): %v", server, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		var p struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if json.Unmarshal(raw, &p) == nil && p.Error.Message != "" {
			if p.Error.Code == "invalid_input" {
				return nil, usagef("%s", p.Error.Message)
			}
			return nil, errors.New(p.Error.Message)
		}
		return nil, fmt.Errorf("server answered %s", resp.Status)
	}
	var l launch
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, err
	}
	return &l, nil
}
