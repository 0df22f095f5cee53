package pack

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"superapp/internal/miniprogram/diag"
	"superapp/internal/miniprogram/wxml"
	"superapp/internal/miniprogram/wxss"
)

// Stand-in compilers: enough to exercise the orchestration (which files are
// compiled, dependencies followed, scopes passed, @import loading) without
// the real WXML/WXSS compilers.
var fakeDep = regexp.MustCompile(`<(?:import|include|wxs)[^>]*\bsrc="([^"]+)"`)
var fakeRequire = regexp.MustCompile(`require\('([^']+)'\)`)
var fakeImport = regexp.MustCompile(`@import "([^"]+)";`)

func resolveAgainst(from, ref string) string {
	if strings.HasPrefix(ref, "/") {
		return path.Clean(ref[1:])
	}
	return path.Join(path.Dir(from), ref)
}

func fakeWXML(p string, src []byte) (string, []string, error) {
	if bytes.Contains(src, []byte("<<bad")) {
		i := bytes.Index(src, []byte("<<bad"))
		line, col := diag.Pos(src, i)
		return "", nil, diag.List{diag.Errorf(p, line, col, "unexpected <")}
	}
	var deps []string
	for _, m := range fakeDep.FindAllSubmatch(src, -1) {
		deps = append(deps, resolveAgainst(p, string(m[1])))
	}
	return fmt.Sprintf("__R.wxml(%q, function () { return %d; });", p, len(src)), deps, nil
}

func fakeWXS(p string, src []byte) (string, []string, error) {
	var deps []string
	for _, m := range fakeRequire.FindAllSubmatch(src, -1) {
		deps = append(deps, resolveAgainst(p, string(m[1])))
	}
	return fmt.Sprintf("__R.wxs(%q, function (require, module, exports) {});", p), deps, nil
}

func fakeWXSS(p string, src []byte, opts wxss.Options) (wxss.Sheet, error) {
	text := string(src)
	for _, m := range fakeImport.FindAllStringSubmatch(text, -1) {
		imported, err := opts.Load(resolveAgainst(p, m[1]))
		if err != nil {
			return nil, diag.List{diag.Errorf(p, 1, 1, "@import %s: %v", m[1], err)}
		}
		text = strings.Replace(text, m[0], string(imported), 1)
	}
	return wxss.Sheet{"/*scope=" + opts.Scope + "*/" + text, 750.0}, nil
}

func useFakes(t *testing.T) {
	t.Helper()
	w, s, c := compileWXML, compileWXS, compileWXSS
	compileWXML, compileWXS, compileWXSS = fakeWXML, fakeWXS, fakeWXSS
	t.Cleanup(func() { compileWXML, compileWXS, compileWXSS = w, s, c })
}

// copyTree copies a fixture into a fresh directory tests may change.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

func writeFile(t *testing.T, dir, rel string, data []byte) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustBuild(t *testing.T, dir string, opts Options) *Result {
	t.Helper()
	res, err := Build(dir, opts)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return res
}

func file(t *testing.T, res *Result, pkg int, name string) []byte {
	t.Helper()
	h, ok := res.Manifest.Packages[pkg].Files[name]
	if !ok {
		t.Fatalf("package %d has no %s; files %v", pkg, name, keysOf(res.Manifest.Packages[pkg].Files))
	}
	return res.Files[h]
}

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestBuildShop(t *testing.T) {
	useFakes(t)
	res := mustBuild(t, "testdata/shop", Options{})
	m := res.Manifest

	if m.AppID != "wx0123456789abcdef" || len(m.Packages) != 2 || m.Packages[0].Root != "" || m.Packages[1].Root != "packageA/" || m.Packages[1].Name != "pkgA" {
		t.Fatalf("manifest head: appid %q packages %+v", m.AppID, m.Packages)
	}
	if got := strings.Join(m.Packages[0].Pages, ","); got != "pages/index/index,pages/cart/cart,pages/mine/mine" {
		t.Errorf("main pages %s", got)
	}
	if got := strings.Join(m.Packages[1].Pages, ","); got != "packageA/pages/detail/detail" {
		t.Errorf("sub pages %s", got)
	}

	// Assets: images of each package; never docs (packOptions.ignore),
	// markdown, sources or unused npm packages.
	wantAssets := map[int][]string{
		0: {"images/tab-cart-active.png", "images/tab-cart.png", "images/tab-home-active.png", "images/tab-home.png"},
		1: {"packageA/images/banner.png"},
	}
	for i, want := range wantAssets {
		var got []string
		for name := range m.Packages[i].Files {
			if name != "service.js" && name != "styles.json" {
				got = append(got, name)
			}
		}
		if fmt.Sprint(sorted(got)) != fmt.Sprint(want) {
			t.Errorf("package %d assets %v, want %v", i, sorted(got), want)
		}
	}

	main := string(file(t, res, 0, "service.js"))
	for _, want := range []string{
		`define("app.js", function (require, module, exports) {`,
		`define("utils/format.js"`, `define("utils/api.js"`, `define("pages/cart/cart.js"`,
		`define("pages/index/index.js"`, `define("components/card/card.js"`,
		`define("miniprogram_npm/dayjs/index.js"`,
		`define("miniprogram_npm/tdesign-miniprogram/button/button.js"`,
		`define("miniprogram_npm/tdesign-miniprogram/common/utils.js"`,
		`define("miniprogram_npm/tdesign-miniprogram/icon/icon.js"`,
		`__R.wxml("pages/index/index.wxml"`, `__R.wxml("templates/item.wxml"`,
		`__R.wxml("miniprogram_npm/tdesign-miniprogram/icon/icon.wxml"`,
		`__R.wxs("utils/fmt.wxs"`, `__R.wxs("utils/money.wxs"`,
		`require("./utils/format")`, // ESM import became require
		`async onLaunch()`,          // ES2017 keeps async functions
	} {
		if !strings.Contains(main, want) {
			t.Errorf("main service.js lacks %s", want)
		}
	}
	for _, unwanted := range []string{
		"templates/unused.wxml", "unused-lib", "common/unused.js", "typings", "packageA/",
		"interface Product", "type CartItem", "import {", "export function",
	} {
		if strings.Contains(main, unwanted) {
			t.Errorf("main service.js has %q", unwanted)
		}
	}
	if i, j := strings.Index(main, "__R.wxs"), strings.Index(main, "define("); i > j {
		t.Error("templates and WXS should come before modules")
	}
	sub := string(file(t, res, 1, "service.js"))
	for _, want := range []string{`define("packageA/pages/detail/detail.js"`, `__R.wxml("packageA/components/badge/badge.wxml"`} {
		if !strings.Contains(sub, want) {
			t.Errorf("subpackage service.js lacks %s", want)
		}
	}
	if strings.Contains(sub, `"app.js"`) {
		t.Error("subpackage service.js holds main package code")
	}

	var styles map[string][]any
	if err := json.Unmarshal(file(t, res, 0, "styles.json"), &styles); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(sorted(keysAny(styles))); got != "[app.wxss components/card/card.wxss miniprogram_npm/tdesign-miniprogram/button/button.wxss pages/index/index.wxss]" {
		t.Errorf("main styles %s", got)
	}
	card := m.Components["components/card/card"]
	scope, _ := card["styleScope"].(string)
	if !regexp.MustCompile(`^c[0-9a-f]{5,}$`).MatchString(scope) {
		t.Errorf("card styleScope %q", scope)
	}
	cardCSS, _ := styles["components/card/card.wxss"][0].(string)
	if !strings.HasPrefix(cardCSS, "/*scope="+scope+"*/") || !strings.Contains(cardCSS, ".shadow") {
		t.Errorf("card sheet %q: want scope %s and the inlined @import", cardCSS, scope)
	}
	if app, _ := styles["app.wxss"][0].(string); !strings.HasPrefix(app, "/*scope=*/") {
		t.Errorf("app.wxss must be unscoped: %q", app)
	}

	index := m.Pages["pages/index/index"]
	using, _ := index["usingComponents"].(map[string]any)
	if using["t-button"] != "miniprogram_npm/tdesign-miniprogram/button/button" || using["card"] != "components/card/card" || index["package"] != "" || index["navigationBarTitleText"] != "Home" {
		t.Errorf("index page %v", index)
	}
	if m.Pages["packageA/pages/detail/detail"]["package"] != "packageA/" {
		t.Errorf("detail page %v", m.Pages["packageA/pages/detail/detail"])
	}
	if got := fmt.Sprint(sorted(keysAny(m.Components))); got != "[components/card/card components/price/price miniprogram_npm/tdesign-miniprogram/button/button miniprogram_npm/tdesign-miniprogram/icon/icon packageA/components/badge/badge]" {
		t.Errorf("components %s", got)
	}
	if m.Components["packageA/components/badge/badge"]["package"] != "packageA/" {
		t.Error("badge should be in packageA/")
	}
	appUsing, _ := m.App["usingComponents"].(map[string]any)
	if appUsing["price"] != "components/price/price" {
		t.Errorf("app usingComponents %v", m.App["usingComponents"])
	}
	if subs, _ := m.App["subpackages"].([]any); len(subs) != 1 || subs[0].(map[string]any)["root"] != "packageA/" {
		t.Errorf("app subpackages %v", m.App["subpackages"])
	}
	if m.Sitemap == nil || m.Sitemap["rules"] == nil {
		t.Errorf("sitemap %v", m.Sitemap)
	}

	// Content addressing: every file is stored under its hash, and the
	// manifest hash covers the manifest without its hash.
	for h, data := range res.Files {
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != h {
			t.Errorf("file %s stored under the wrong hash", h)
		}
	}
	for _, p := range m.Packages {
		var size int64
		for name, h := range p.Files {
			data, ok := res.Files[h]
			if !ok {
				t.Errorf("%s%s: hash %s missing from Files", p.Root, name, h)
			}
			size += int64(len(data))
		}
		if size != p.Size {
			t.Errorf("package %q size %d, files add up to %d", p.Root, p.Size, size)
		}
	}
	var decoded map[string]any
	if err := json.Unmarshal(res.ManifestJSON, &decoded); err != nil {
		t.Fatal(err)
	}
	if decoded["hash"] != m.Hash {
		t.Errorf("manifest JSON hash %v, manifest %s", decoded["hash"], m.Hash)
	}
	delete(decoded, "hash")
	body, _ := canonicalJSON(decoded)
	if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != m.Hash {
		t.Error("manifest hash is not the SHA-256 of the manifest without its hash")
	}
	if len(res.Report) != 2 || res.Report[0].Bytes != m.Packages[0].Size || res.Report[0].Limit != 2*MB || res.Report[0].Pages != 3 || res.Report[1].Files != len(m.Packages[1].Files) {
		t.Errorf("report %+v", res.Report)
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func keysAny[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestBuildIsDeterministic(t *testing.T) {
	useFakes(t)
	a := mustBuild(t, "testdata/shop", Options{})
	// Another directory, other file times: the same bytes out.
	b := mustBuild(t, copyTree(t, "testdata/shop"), Options{})
	if !bytes.Equal(a.ManifestJSON, b.ManifestJSON) {
		t.Fatalf("manifests differ:\n%s\n%s", a.ManifestJSON, b.ManifestJSON)
	}
	if len(a.Files) != len(b.Files) {
		t.Fatalf("%d files vs %d", len(a.Files), len(b.Files))
	}
	for h, data := range a.Files {
		if !bytes.Equal(data, b.Files[h]) {
			t.Errorf("file %s differs", h)
		}
	}
	// A change anywhere changes the hash.
	dir := copyTree(t, "testdata/shop")
	writeFile(t, dir, "miniprogram/images/tab-home.png", []byte("changed"))
	if c := mustBuild(t, dir, Options{}); c.Manifest.Hash == a.Manifest.Hash {
		t.Error("changing an asset kept the manifest hash")
	}
	if c := mustBuild(t, "testdata/shop", Options{AppID: "wxother"}); c.Manifest.AppID != "wxother" || c.Manifest.Hash == a.Manifest.Hash {
		t.Errorf("--appid: %q %s", c.Manifest.AppID, c.Manifest.Hash)
	}
}

// wantErrors checks err is a diag.List holding, in any order, errors whose
// text contains each of want.
func wantErrors(t *testing.T, err error, want ...string) {
	t.Helper()
	var list diag.List
	if !errors.As(err, &list) {
		t.Fatalf("error %v (%T), want a diag.List", err, err)
	}
	text := list.Error()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("errors lack %q:\n%s", w, text)
		}
	}
	if len(list) != len(want) {
		t.Errorf("%d errors, want %d:\n%s", len(list), len(want), text)
	}
}

func TestBuildErrors(t *testing.T) {
	useFakes(t)
	cases := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"javascript syntax", map[string]string{
			"miniprogram/utils/format.js":    "export const a = 1\nconst b = ;\n",
			"miniprogram/pages/mine/mine.js": "Page({\n  data: { é: 1, x: }\n})\n",
		}, []string{"utils/format.js:2:11: Unexpected \";\"", "pages/mine/mine.js:2:20: Unexpected \"}\""}},
		{"typescript syntax", map[string]string{
			"miniprogram/utils/api.ts": "let x: number = \n",
		}, []string{"utils/api.ts:2:1: Unexpected end of file"}},
		{"template not found", map[string]string{
			"miniprogram/pages/mine/mine.wxml": "<view>\n  <import src=\"/templates/nope.wxml\" />\n</view>\n",
		}, []string{"pages/mine/mine.wxml:2:27: templates/nope.wxml not found"}},
		{"template of another package", map[string]string{
			"miniprogram/packageA/tpl.wxml":    "<template name=\"t\"/>",
			"miniprogram/pages/mine/mine.wxml": "<include src=\"/packageA/tpl.wxml\" />\n",
		}, []string{"pages/mine/mine.wxml:1:25: packageA/tpl.wxml is in subpackage packageA/ and cannot be used from main package"}},
		{"wxml error, several files", map[string]string{
			"miniprogram/pages/mine/mine.wxml":              "<view>\n <<bad\n",
			"miniprogram/packageA/pages/detail/detail.wxml": "<<bad",
		}, []string{"pages/mine/mine.wxml:2:2: unexpected <", "packageA/pages/detail/detail.wxml:1:1: unexpected <"}},
		{"style import outside the project", map[string]string{
			"miniprogram/app.wxss": "@import \"../../README.md\";\n",
		}, []string{"app.wxss:1:1: @import ../../README.md: ../../README.md is outside the project"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyTree(t, "testdata/shop")
			for name, content := range tc.files {
				writeFile(t, dir, name, []byte(content))
			}
			res, err := Build(dir, Options{})
			if res != nil {
				t.Error("a result came back with an error")
			}
			wantErrors(t, err, tc.want...)
		})
	}
}

func TestBuildSizeLimits(t *testing.T) {
	useFakes(t)
	big := func(n int) []byte { return bytes.Repeat([]byte{0xAB}, n) }

	dir := copyTree(t, "testdata/shop")
	writeFile(t, dir, "miniprogram/images/bg.png", big(2*MB+300*1024))
	writeFile(t, dir, "miniprogram/images/splash.jpg", big(10*1024))
	_, err := Build(dir, Options{})
	wantErrors(t, err, "main package: 2.31 MB exceeds the 2 MB limit (largest files: images/bg.png 2.29 MB, images/splash.jpg 10 KB, ")

	dir = copyTree(t, "testdata/shop")
	writeFile(t, dir, "miniprogram/packageA/video.mp4", big(3*MB))
	_, err = Build(dir, Options{})
	wantErrors(t, err, "packageA/: 3 MB exceeds the 2 MB limit (largest files: packageA/video.mp4 3 MB, ")

	// Limits can be changed; the total counts every package.
	dir = copyTree(t, "testdata/shop")
	writeFile(t, dir, "miniprogram/images/a.png", big(600*1024))
	writeFile(t, dir, "miniprogram/packageA/b.png", big(600*1024))
	_, err = Build(dir, Options{Limits: Limits{Total: MB}})
	wantErrors(t, err, "all packages: 1.18 MB exceed the 1 MB total limit (largest files: images/a.png 600 KB, packageA/b.png 600 KB, ")
	if _, err := Build(dir, Options{Limits: Limits{Total: 2 * MB}}); err != nil {
		t.Errorf("within the raised limit: %v", err)
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1 KB", 1536: "1.5 KB", 2 * MB: "2 MB", 2*MB + 325*1024: "2.32 MB", 20 * MB: "20 MB"} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestNPMPackageDir(t *testing.T) {
	for in, want := range map[string]string{
		"miniprogram_npm/dayjs/index.js":              "miniprogram_npm/dayjs",
		"miniprogram_npm/@vant/weapp/button/index.js": "miniprogram_npm/@vant/weapp",
		"sub/miniprogram_npm/lodash/get.js":           "sub/miniprogram_npm/lodash",
		"miniprogram_npm/a/miniprogram_npm/b/x.js":    "miniprogram_npm/a/miniprogram_npm/b",
		"pages/index/index.js":                        "",
		"not_miniprogram_npm/x/y.js":                  "",
	} {
		if got := npmPackageDir(in); got != want {
			t.Errorf("npmPackageDir(%q) = %q, want %q", in, got, want)
		}
	}
}

// compilersReady reports whether the real compilers are written yet: they
// panic "not written yet" until then.
func compilersReady() (ready bool) {
	defer func() {
		if recover() != nil {
			ready = false
		}
	}()
	wxml.Compile("a.wxml", []byte("<view/>"))
	wxml.CompileWXS("a.wxs", []byte("module.exports = 1"))
	wxss.Compile("a.wxss", []byte(".a{}"), wxss.Options{})
	return true
}

func TestBuildShopWithRealCompilers(t *testing.T) {
	if !compilersReady() {
		t.Skip("the WXML/WXSS compilers are not written yet")
	}
	res := mustBuild(t, "testdata/shop", Options{})
	main := string(file(t, res, 0, "service.js"))
	for _, want := range []string{`__R.wxml("pages/index/index.wxml"`, `__R.wxml("templates/item.wxml"`, `__R.wxs("utils/fmt.wxs"`, `__R.wxs("utils/money.wxs"`, `define("app.js"`} {
		if !strings.Contains(main, want) {
			t.Errorf("service.js lacks %s", want)
		}
	}
	var styles map[string]wxss.Sheet
	if err := json.Unmarshal(file(t, res, 0, "styles.json"), &styles); err != nil {
		t.Fatal(err)
	}
	scope := res.Manifest.Components["components/card/card"]["styleScope"].(string)
	css := fmt.Sprint(styles["components/card/card.wxss"])
	if !strings.Contains(css, scope+"--card") || !strings.Contains(css, scope+"--shadow") {
		t.Errorf("card sheet %s: want classes isolated with %s and the @import inlined", css, scope)
	}
	again := mustBuild(t, "testdata/shop", Options{})
	if !bytes.Equal(res.ManifestJSON, again.ManifestJSON) {
		t.Error("two builds differ")
	}
}

// A crashing compiler fails the build with an error naming the file it
// was compiling; nothing panics out of Build.
func TestACompilerPanicIsABuildError(t *testing.T) {
	useFakes(t)
	compileWXS = func(p string, src []byte) (string, []string, error) { panic("boom") }
	res, err := Build("testdata/shop", Options{})
	var list diag.List
	if res != nil || !errors.As(err, &list) || len(list) == 0 {
		t.Fatalf("Build: %v %v", res, err)
	}
	for _, e := range list {
		if !strings.HasSuffix(e.File, ".wxs") || e.Msg != "internal compiler error: boom" {
			t.Errorf("error %v", e)
		}
	}
}
