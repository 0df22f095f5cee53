package main

import (
	"archive/zip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"superapp/internal/miniprogram/diag"
	"superapp/internal/miniprogram/pack"
)

func init() {
	register("pack", "check and compile a mini program project (WeChat DevTools layout): package sizes, manifest hash; -o writes the archive", runPack)
}

// packErrors is a failed build: main prints it after "superapp pack: ",
// so the count comes first and every problem gets a line of its own.
type packErrors struct{ list diag.List }

func (e *packErrors) Error() string {
	n := len(e.list)
	plural := "s"
	if n == 1 {
		plural = ""
	}
	return fmt.Sprintf("%d error%s\n%s", n, plural, e.list.Error())
}

func runPack(args []string, stdout io.Writer) error {
	start := time.Now()
	fs := newFlags("pack", "pack DIR [-o FILE] [--appid APPID] [--json]\n\n"+
		"Checks and compiles the mini program project in DIR (the directory of project.config.json,\n"+
		"or of app.json) and prints each package's size against WeChat's limits.\n"+
		"The archive (-o) is a zip holding manifest.json and files/<sha256> for every package file.", stdout)
	out := fs.String("o", "", "write the build to FILE (a zip: manifest.json and files/<sha256>)")
	appid := fs.String("appid", "", "the mini program's appid (default: project.config.json's appid)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	dir, err := parseProjectDir(fs, args, "pack")
	if err != nil {
		return err
	}

	res, err := pack.Build(dir, pack.Options{AppID: *appid})
	if err != nil {
		var list diag.List
		if !errors.As(err, &list) {
			return err
		}
		if *asJSON {
			writeJSON(stdout, map[string]any{"errors": []diag.Error(list)})
		}
		return &packErrors{list}
	}
	if *out != "" {
		if err := writeArchive(*out, res); err != nil {
			return err
		}
	}

	var total int64
	files := 0
	for _, p := range res.Report {
		total += p.Bytes
		files += p.Files
	}
	elapsed := time.Since(start)
	if *asJSON {
		type pkgJSON struct {
			Root  string `json:"root"`
			Name  string `json:"name,omitempty"`
			Pages int    `json:"pages"`
			Files int    `json:"files"`
			Bytes int64  `json:"bytes"`
			Limit int64  `json:"limit"`
		}
		var pkgs []pkgJSON
		for _, p := range res.Report {
			pkgs = append(pkgs, pkgJSON{p.Root, p.Name, p.Pages, p.Files, p.Bytes, p.Limit})
		}
		report := map[string]any{"appid": res.Manifest.AppID, "hash": res.Manifest.Hash, "packages": pkgs,
			"bytes": total, "files": files, "milliseconds": elapsed.Milliseconds()}
		if *out != "" {
			report["archive"] = *out
		}
		return writeJSON(stdout, report)
	}

	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PACKAGE\tPAGES\tFILES\tSIZE\tLIMIT\tUSED")
	for _, p := range res.Report {
		name := "main package"
		if p.Root != "" {
			name = p.Root
			if p.Name != "" && p.Name != strings.TrimSuffix(p.Root, "/") {
				name += " (" + p.Name + ")"
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\n", name, p.Pages, p.Files, pack.FormatSize(p.Bytes), pack.FormatSize(p.Limit), percent(p.Bytes, p.Limit))
	}
	totalLimit := pack.DefaultLimits().Total
	fmt.Fprintf(tw, "total\t\t%d\t%s\t%s\t%s\n", files, pack.FormatSize(total), pack.FormatSize(totalLimit), percent(total, totalLimit))
	tw.Flush()
	fmt.Fprintf(stdout, "\nappid     %s\nmanifest  %s\n", orNone(res.Manifest.AppID), res.Manifest.Hash)
	if *out != "" {
		fmt.Fprintf(stdout, "archive   %s\n", *out)
	}
	plural := "s"
	if len(res.Report) == 1 {
		plural = ""
	}
	fmt.Fprintf(stdout, "packed %d package%s, %s in %d ms\n", len(res.Report), plural, pack.FormatSize(total), elapsed.Milliseconds())
	return nil
}

func percent(n, limit int64) string {
	if limit <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", float64(n)*100/float64(limit))
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// archiveTime is every archive entry's modification time, so that one build
// always gives the same archive bytes.
var archiveTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// writeArchive writes the build as a zip (manifest.json, then
// files/<sha256> in hash order) to a temporary file next to path and renames
// it into place: path is never left half-written.
func writeArchive(path string, res *pack.Result) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	zw := zip.NewWriter(tmp)
	add := func(name string, data []byte) error {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: archiveTime})
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	}
	if err := add("manifest.json", res.ManifestJSON); err != nil {
		return err
	}
	hashes := make([]string, 0, len(res.Files))
	for h := range res.Files {
		hashes = append(hashes, h)
	}
	slices.Sort(hashes)
	for _, h := range hashes {
		if err := add("files/"+h, res.Files[h]); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// parseProjectDir parses fs around the one project directory argument,
// which may come before the flags or after them.
func parseProjectDir(fs *flag.FlagSet, args []string, command string) (string, error) {
	var dir string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		dir, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.Usage()
			return "", errHelp
		}
		return "", usagef("%v (see --help)", err)
	}
	rest := fs.Args()
	if dir == "" && len(rest) > 0 {
		dir, rest = rest[0], rest[1:]
	}
	if len(rest) > 0 {
		return "", usagef("unexpected argument %q (see --help)", rest[0])
	}
	if dir == "" {
		return "", usagef("the project directory is required: superapp %s DIR (see --help)", command)
	}
	return dir, nil
}
