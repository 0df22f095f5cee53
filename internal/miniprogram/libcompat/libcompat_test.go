package libcompat

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evanw/esbuild/pkg/api"

	"superapp/internal/miniprogram/diag"
	"superapp/internal/miniprogram/wxml"
	"superapp/internal/miniprogram/wxss"
)

const installHint = "cd internal/miniprogram/libcompat/npm && npm ci --ignore-scripts"

// library is one npm package and the directory that holds its compiled
// mini program files (what miniprogram_npm gets).
type library struct {
	module string // npm package name
	dist   string // the mini program dist dir inside the package
}

// @vant/weapp also ships lib/, whose templates and styles are the same files
// as dist/ (only the .js differ), so dist/ alone covers them.
var libraries = []library{
	{"tdesign-miniprogram", "miniprogram_dist"},
	{"@vant/weapp", "dist"},
	{"weui-miniprogram", "miniprogram_dist"},
}

// tally counts what one library's compile covered.
type tally struct {
	files, bytes map[string]int // by extension
	outBytes     int
	deps         int // import/include/wxs/require targets checked to exist
}

func (t tally) String() string {
	var parts []string
	for _, ext := range []string{".wxml", ".wxs", ".wxss"} {
		parts = append(parts, fmt.Sprintf("%d %s (%d bytes)", t.files[ext], ext, t.bytes[ext]))
	}
	return strings.Join(parts, ", ") + fmt.Sprintf("; %d dependencies resolved; %d bytes compiled", t.deps, t.outBytes)
}

func TestLibrariesCompile(t *testing.T) {
	for _, lib := range libraries {
		t.Run(lib.module, func(t *testing.T) {
			root := filepath.Join("npm", "node_modules", filepath.FromSlash(lib.module), lib.dist)
			if _, err := os.Stat(root); errors.Is(err, fs.ErrNotExist) {
				t.Skipf("%s is not installed; run: %s", lib.module, installHint)
			}
			got := compileLibrary(t, root)
			if got.files[".wxml"] == 0 || got.files[".wxss"] == 0 {
				t.Fatalf("%s: found no templates or styles under %s: wrong dist dir?", lib.module, root)
			}
			t.Logf("%s: %v", lib.module, got)
		})
	}
}

// compileLibrary compiles every .wxml, .wxs and .wxss under root, as the
// packer would for the library's files in miniprogram_npm, reporting every
// failure with the compiler's file:line:col.
func compileLibrary(t *testing.T, root string) tally {
	t.Helper()
	files := map[string]bool{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		files[filepath.ToSlash(rel)] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	read := func(rel string) ([]byte, error) {
		if !files[rel] {
			return nil, fmt.Errorf("%s: no such file in the library", rel)
		}
		return os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	}

	got := tally{files: map[string]int{}, bytes: map[string]int{}}
	failures := 0
	fail := func(format string, a ...any) {
		failures++
		if failures <= 50 { // enough to act on without drowning the log
			t.Errorf(format, a...)
		}
	}
	for rel := range files {
		ext := path.Ext(rel)
		if ext != ".wxml" && ext != ".wxs" && ext != ".wxss" {
			continue
		}
		src, err := read(rel)
		if err != nil {
			t.Fatal(err)
		}
		got.files[ext]++
		got.bytes[ext] += len(src)
		switch ext {
		case ".wxml", ".wxs":
			compile, prefix := wxml.Compile, "__R.wxml("
			if ext == ".wxs" {
				compile, prefix = wxml.CompileWXS, "__R.wxs("
			}
			js, deps, err := compile(rel, src)
			if err != nil {
				fail("%s", describe(err))
				continue
			}
			got.outBytes += len(js)
			if !strings.HasPrefix(strings.TrimSpace(js), prefix+fmt.Sprintf("%q", rel)) {
				fail("%s: output does not start with %s%q: %.80s", rel, prefix, rel, js)
			}
			if msg := syntaxError(js); msg != "" {
				fail("%s: compiled JavaScript does not parse: %s", rel, msg)
			}
			got.deps += len(deps)
			for _, dep := range deps {
				if !files[dep] {
					fail("%s: dependency %q is not a file of the library (bad path resolution?)", rel, dep)
				}
			}
		case ".wxss":
			opts := wxss.Options{Load: read}
			// Component sheets are compiled isolated, as the packer does.
			if files[strings.TrimSuffix(rel, ".wxss")+".json"] {
				opts.Scope = "lc"
			}
			sheet, err := wxss.Compile(rel, src, opts)
			if err != nil {
				fail("%s", describe(err))
				continue
			}
			css := sheet.CSS(375)
			got.outBytes += len(css)
			if strings.Contains(css, "rpx") {
				fail("%s: rpx left in the CSS for a 375px window", rel)
			}
		}
	}
	if failures > 50 {
		t.Errorf("… and %d more failures", failures-50)
	}
	return got
}

// describe prints a compiler error; a diag.List lists each position.
func describe(err error) string {
	var list diag.List
	if errors.As(err, &list) {
		return list.Error()
	}
	return err.Error()
}

// syntaxError is esbuild's first parse error for js, or "".
func syntaxError(js string) string {
	res := api.Transform(js, api.TransformOptions{Loader: api.LoaderJS})
	if len(res.Errors) == 0 {
		return ""
	}
	e := res.Errors[0]
	if e.Location != nil {
		return fmt.Sprintf("%d:%d: %s", e.Location.Line, e.Location.Column, e.Text)
	}
	return e.Text
}
