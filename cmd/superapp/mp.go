package main

// Mini program builds: `superapp mp publish` packs a project here and
// uploads to the server only the files it does not already have (files are
// named by their SHA-256), then makes the manifest the app's dev build.

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"superapp/internal/miniprogram/pack"
)

func init() {
	register("mp publish", "pack a mini program project and make it the app's dev build (uploads only new files)", mpPublish)
	register("mp domains set", "set a mini program's server domains (wx.request, connectSocket, uploadFile, downloadFile)", mpDomainsSet)
	appid := flagSpec{name: "appid", help: "the mini program", required: true}
	for _, rq := range []request{
		{name: "mp show", usage: "--appid APPID", summary: "show a mini program's dev build", flags: []flagSpec{appid}, method: "GET",
			path: func(v map[string]string) string {
				return "/admin/v1/apps/" + url.PathEscape(v["appid"]) + "/miniprogram/dev"
			}},
		{name: "mp domains show", usage: "--appid APPID", summary: "show a mini program's server domains", flags: []flagSpec{appid}, method: "GET",
			path: func(v map[string]string) string {
				return "/admin/v1/apps/" + url.PathEscape(v["appid"]) + "/miniprogram/domains"
			}},
	} {
		rq.register()
	}
}

// parseWithDir parses flags around one positional argument, so both
// `--appid A DIR` and `DIR --appid A` work.
func parseWithDir(fs *flag.FlagSet, args []string) (string, error) {
	if err := fs.Parse(args); err != nil {
		return "", parse(fs, args)
	}
	if fs.NArg() == 0 {
		return "", usagef("the project directory is required (see --help)")
	}
	dir := fs.Arg(0)
	if err := parse(fs, fs.Args()[1:]); err != nil {
		return "", err
	}
	return dir, nil
}

func mpPublish(args []string, stdout io.Writer) error {
	fs := newFlags("mp publish", "mp publish --appid APPID DIR", stdout)
	appid := fs.String("appid", "", "the mini program (overrides project.config.json's appid)")
	cf := addClientFlags(fs)
	dir, err := parseWithDir(fs, args)
	if err != nil {
		return err
	}
	if err := required("appid", *appid); err != nil {
		return err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	res, err := pack.Build(abs, pack.Options{AppID: *appid})
	if err != nil {
		return err
	}
	hashes := make([]string, 0, len(res.Files))
	for h := range res.Files {
		hashes = append(hashes, h)
	}
	sort.Strings(hashes)
	var missing struct {
		Missing []string `json:"missing"`
	}
	if err := cf.call("POST", "/admin/v1/miniprogram/files/missing", map[string]any{"hashes": hashes}, &missing); err != nil {
		return err
	}
	var sent int64
	for _, h := range missing.Missing {
		data, ok := res.Files[h]
		if !ok {
			return fmt.Errorf("the server asked for %s, which this build does not have", h)
		}
		if err := cf.upload("/admin/v1/miniprogram/files/"+h, data); err != nil {
			return err
		}
		sent += int64(len(data))
	}
	var build map[string]any
	body := map[string]any{"manifest": jsonRaw(res.ManifestJSON), "source_dir": abs}
	if err := cf.call("PUT", "/admin/v1/apps/"+url.PathEscape(*appid)+"/miniprogram/dev", body, &build); err != nil {
		return err
	}
	if *cf.json {
		build["uploaded_files"] = len(missing.Missing)
		build["uploaded_bytes"] = sent
		return printJSON(stdout, build)
	}
	short, _ := build["manifest_hash"].(string)
	short = short[:min(12, len(short))]
	fmt.Fprintf(stdout, "published %s: build %s, %d files (%d uploaded, %d bytes)\n", *appid, short, len(hashes), len(missing.Missing), sent)
	for _, p := range res.Report {
		name := p.Root
		if name == "" {
			name = "main package"
		}
		fmt.Fprintf(stdout, "  %-24s %8d bytes of %d, %d files\n", name, p.Bytes, p.Limit, p.Files)
	}
	fmt.Fprintf(stdout, "open it at %s/miniprogram/%s\n", strings.TrimRight(*cf.server, "/"), *appid)
	return nil
}

// jsonRaw sends bytes that are already JSON as they are.
type jsonRaw []byte

func (j jsonRaw) MarshalJSON() ([]byte, error) { return j, nil }

// upload PUTs raw bytes to the admin API.
func (c clientFlags) upload(path string, data []byte) error {
	key, err := c.operatorKey()
	if err != nil {
		return err
	}
	req, err := http.NewRequest("PUT", strings.TrimRight(*c.server, "/")+path, bytes.NewReader(data))
	if err != nil {
		return usagef("--server %q: %v", *c.server, err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := (&http.Client{Timeout: 2 * time.Minute}).Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach the server at %s (is `superapp serve` running? set --server): %v", *c.server, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 300 {
		return fmt.Errorf("upload %s: server answered %s: %s", path, resp.Status, bytes.TrimSpace(raw))
	}
	return nil
}

func mpDomainsSet(args []string, stdout io.Writer) error {
	fs := newFlags("mp domains set", "mp domains set --appid APPID [--request https://a.example.com,…] [--socket wss://…] [--upload …] [--download …]", stdout)
	appid := fs.String("appid", "", "the mini program")
	lists := map[string]*string{}
	for _, k := range []string{"request", "socket", "upload", "download"} {
		lists[k] = fs.String(k, "", "comma-separated "+k+" domains; replaces that list (an empty value clears it, an absent flag keeps it)")
	}
	cf := addClientFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required("appid", *appid); err != nil {
		return err
	}
	body := map[string]any{}
	fs.Visit(func(f *flag.Flag) {
		if p, ok := lists[f.Name]; ok {
			body[f.Name] = splitComma(*p)
		}
	})
	if len(body) == 0 {
		return usagef("give at least one of --request, --socket, --upload, --download (see --help)")
	}
	var answer any
	if err := cf.call("PUT", "/admin/v1/apps/"+url.PathEscape(*appid)+"/miniprogram/domains", body, &answer); err != nil {
		return err
	}
	return printJSON(stdout, answer)
}
