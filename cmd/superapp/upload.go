package main

// `superapp upload` and `superapp preview`: pack a project here, send the
// server only the files it lacks, signed with the mini program's upload
// key (docs/miniprogram-platform.md, "Upload"), and make the build a dev
// version. Needs no operator key, so CI jobs can run it.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"superapp/internal/miniprogram/diag"
	"superapp/internal/miniprogram/pack"
	"superapp/internal/miniprogram/upload"
)

func init() {
	register("upload", "pack a mini program and upload it as a new dev version, signed with its upload key (for CI)", func(args []string, stdout io.Writer) error {
		return runUpload("upload", args, stdout)
	})
	register("preview", "upload like `superapp upload`, then print the dev version's launch URL and QR code", func(args []string, stdout io.Writer) error {
		return runUpload("preview", args, stdout)
	})
}

func runUpload(name string, args []string, stdout io.Writer) error {
	fs := newFlags(name, name+" --key-file FILE --project DIR --version 1.2.3 [--desc TEXT] [--appid APPID] [--server URL]", stdout)
	appid := fs.String("appid", "", "the mini program (default: the key file's appid; must match it)")
	keyFile := fs.String("key-file", os.Getenv("SUPERAPP_UPLOAD_KEY_FILE"), "the upload key file from `superapp mp key create` (SUPERAPP_UPLOAD_KEY_FILE)")
	dir := fs.String("project", ".", "the project directory (of project.config.json, or of app.json)")
	version := fs.String("version", "", fmt.Sprintf("the version label, e.g. 1.2.3 (at most %d characters)", upload.MaxUserVersion))
	desc := fs.String("desc", "", fmt.Sprintf("what changed (at most %d characters)", upload.MaxUserDesc))
	server := fs.String("server", env("SUPERAPP_SERVER", "http://127.0.0.1:8080"), "URL of the server (SUPERAPP_SERVER)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required("key-file", *keyFile); err != nil {
		return err
	}
	if err := required("version", *version); err != nil {
		return err
	}
	if err := upload.CheckLabels(*version, *desc); err != nil {
		return usagef("%v (--version, --desc)", err)
	}
	raw, err := os.ReadFile(*keyFile)
	if err != nil {
		return usagef("--key-file: %v", err)
	}
	key, err := upload.ParseKeyFile(raw)
	if err != nil {
		return usagef("--key-file %s: %v", *keyFile, err)
	}
	if *appid != "" && *appid != key.AppID {
		return usagef("--appid %s does not match the key file, which is for %s", *appid, key.AppID)
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		return err
	}

	// Pack as `superapp pack` does; a failed build sends nothing.
	build, err := pack.Build(abs, pack.Options{AppID: key.AppID})
	if err != nil {
		var list diag.List
		if errors.As(err, &list) {
			return &packErrors{list}
		}
		return err
	}
	source, err := upload.SourceZip(abs)
	if err != nil {
		return err
	}

	client := &upload.Client{Server: *server, Key: key}
	var show func(upload.Progress)
	if !*asJSON {
		show = progressPrinter(stdout, isTerminal(stdout))
	}
	res, err := client.Upload(context.Background(), upload.Input{Build: build, Source: source, UserVersion: *version, UserDesc: *desc}, show)
	if err != nil {
		var ae *upload.APIError
		if errors.As(err, &ae) && ae.Code == "invalid_input" {
			return usagef("%s", ae.Message)
		}
		return err
	}
	v := res.Version.Version
	link := strings.TrimRight(*server, "/") + "/miniprogram/" + url.PathEscape(key.AppID) + "?env_version=develop&version=" + strconv.FormatInt(v.ID, 10)
	if *asJSON {
		out := map[string]any{"version": v, "files": res.Files, "new_files": res.NewFiles, "new_bytes": res.NewBytes}
		if name == "preview" {
			out["url"] = link
		}
		return printJSON(stdout, out)
	}
	fmt.Fprintf(stdout, "dev version %d (user_version %s), %d files, %d new, %d bytes\n", v.ID, v.UserVersion, res.Files, res.NewFiles, res.NewBytes)
	if name == "preview" {
		tty := isTerminal(stdout)
		fmt.Fprintf(stdout, "open it (project members only): %s\n", link)
		fmt.Fprint(stdout, terminalQR(link, tty && os.Getenv("NO_COLOR") == ""))
	}
	return nil
}

// progressPrinter shows an upload's progress: on a terminal one bar redrawn
// in place, otherwise a plain line at each tenth of the bytes (logs of CI
// jobs should not fill with carriage returns).
func progressPrinter(w io.Writer, tty bool) func(upload.Progress) {
	lastTenth := -1
	return func(p upload.Progress) {
		if p.TotalFiles == 0 {
			fmt.Fprintln(w, "the server already has every file")
			return
		}
		pct := 100
		if p.TotalBytes > 0 {
			pct = int(p.Bytes * 100 / p.TotalBytes)
		}
		if tty {
			const width = 30
			filled := pct * width / 100
			fmt.Fprintf(w, "\r[%s%s] %3d%%  %s of %s  %d/%d files\x1b[K", strings.Repeat("#", filled), strings.Repeat(".", width-filled),
				pct, pack.FormatSize(p.Bytes), pack.FormatSize(p.TotalBytes), p.Files, p.TotalFiles)
			if p.Files == p.TotalFiles {
				fmt.Fprintln(w)
			}
			return
		}
		tenth := pct / 10
		if p.Files == 0 || p.Files == p.TotalFiles || tenth > lastTenth {
			lastTenth = tenth
			fmt.Fprintf(w, "uploading %d of %d files, %s of %s…\n", p.Files, p.TotalFiles, pack.FormatSize(p.Bytes), pack.FormatSize(p.TotalBytes))
		}
	}
}
