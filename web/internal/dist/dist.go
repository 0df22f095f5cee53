// Package dist is what the front ends' build commands (web/shell/build,
// web/miniprogram/build) share: finding the front end's directory, writing
// a fresh dist/ and, for CI, checking that the committed dist/ equals a
// fresh build.
package dist

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Dir is the front end's directory: dir if given, else web/<name> of the
// module around the working directory.
func Dir(dir, name string) (string, error) {
	if dir == "" {
		root, err := moduleRoot()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(root, "web", name)
	}
	return filepath.Abs(dir)
}

// Output writes files (slash paths inside dist/) as dir/dist, replacing
// what was there, and lists them with their sizes; with check it writes
// nothing and fails if dir/dist differs, naming the command that rebuilds it.
func Output(dir string, files map[string][]byte, check bool, rebuild string) error {
	distDir := filepath.Join(dir, "dist")
	if check {
		return compare(distDir, files, rebuild)
	}
	if err := os.RemoveAll(distDir); err != nil {
		return err
	}
	for _, name := range sortedKeys(files) {
		p := filepath.Join(distDir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return err
		}
		fmt.Printf("dist/%s\t%d bytes\t%d gzip\n", name, len(files[name]), GzipSize(files[name]))
	}
	return nil
}

// GzipSize is b's size gzipped at the best compression, what budgets count.
func GzipSize(b []byte) int {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	w.Write(b)
	w.Close()
	return buf.Len()
}

// compare reports how distDir differs from files.
func compare(distDir string, files map[string][]byte, rebuild string) error {
	var diffs []string
	seen := map[string]bool{}
	err := filepath.WalkDir(distDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(distDir, p)
		rel = filepath.ToSlash(rel)
		seen[rel] = true
		want, ok := files[rel]
		if !ok {
			diffs = append(diffs, "stale file dist/"+rel)
			return nil
		}
		got, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, want) {
			diffs = append(diffs, "changed dist/"+rel)
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for _, name := range sortedKeys(files) {
		if !seen[name] {
			diffs = append(diffs, "missing dist/"+name)
		}
	}
	rel := filepath.Base(filepath.Dir(distDir))
	if len(diffs) > 0 {
		return fmt.Errorf("web/%s/dist is out of date; run `%s`:\n  %s", rel, rebuild, strings.Join(diffs, "\n  "))
	}
	fmt.Printf("web/%s/dist is up to date\n", rel)
	return nil
}

func moduleRoot() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", errors.New("no go.mod above the working directory; pass -dir")
		}
		d = parent
	}
}

func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
