package upload

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"superapp/internal/miniprogram/project"
)

// sourceExts are the text sources a source zip holds: what the review rules
// read (code, templates, styles, configuration), not images or fonts.
var sourceExts = map[string]bool{".js": true, ".ts": true, ".wxml": true, ".wxss": true, ".wxs": true, ".json": true}

// zipTime is every entry's modification time, so the same sources always
// give the same bytes (and the same hash: re-uploading stores nothing).
var zipTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// SourceZip zips the text sources of the project in dir, paths relative to
// the mini program root (project.config.json's miniprogramRoot), leaving
// out what a build leaves out: dotfiles, node_modules, symbolic links and
// packOptions.ignore. Entries are in path order with a fixed time, so the
// zip is deterministic.
func SourceZip(dir string) ([]byte, error) {
	cfg, err := project.ReadConfig(dir)
	if err != nil {
		return nil, err
	}
	root := filepath.Join(dir, filepath.FromSlash(cfg.MiniprogramRoot))
	var files []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if p != root && (strings.HasPrefix(name, ".") || (d.IsDir() && name == "node_modules")) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !sourceExts[path.Ext(name)] {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if cfg.Ignore.Match(rel) {
			return nil
		}
		files = append(files, rel)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(files)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f)))
		if err != nil {
			return nil, err
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f, Method: zip.Deflate, Modified: zipTime})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
