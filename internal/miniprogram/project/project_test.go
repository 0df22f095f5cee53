package project

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"superapp/internal/miniprogram/diag"
)

// base is a small valid project: two tab pages, a subpackage with its own
// component, a global component and an npm component.
func base() map[string]string {
	return map[string]string{
		"project.config.json": `{"appid": "wxabc", "compileType": "miniprogram", "setting": {"es6": true}}`,
		"app.json": `{
  "pages": ["pages/index/index", "pages/me/me"],
  "subpackages": [{"root": "sub", "name": "s", "pages": ["pages/a/a"]}],
  "tabBar": {"list": [
    {"pagePath": "pages/index/index", "text": "Home", "iconPath": "img/home.png"},
    {"pagePath": "pages/me/me", "text": "Me"}
  ]},
  "usingComponents": {"g-tag": "/components/tag/tag"}
}`,
		"app.js":                                     "App({})",
		"img/home.png":                               "PNG",
		"pages/index/index.wxml":                     "<view/>",
		"pages/index/index.js":                       "Page({})",
		"pages/index/index.json":                     `{"usingComponents": {"card": "../../components/card/card", "t-btn": "tdesign/button/button"}}`,
		"pages/me/me.wxml":                           "<view/>",
		"pages/me/me.ts":                             "Page({})",
		"components/card/card.json":                  `{"component": true, "usingComponents": {"tag": "/components/tag/tag"}}`,
		"components/card/card.wxml":                  "<view/>",
		"components/card/card.js":                    "Component({})",
		"components/tag/tag.json":                    `{"component": true}`,
		"components/tag/tag.wxml":                    "<view/>",
		"components/tag/tag.js":                      "Component({})",
		"miniprogram_npm/tdesign/button/button.json": `{"component": true, "usingComponents": {"t-icon": "../icon"}}`,
		"miniprogram_npm/tdesign/button/button.wxml": "<view/>",
		"miniprogram_npm/tdesign/button/button.js":   "Component({})",
		"miniprogram_npm/tdesign/icon/index.json":    `{"component": true}`,
		"miniprogram_npm/tdesign/icon/index.wxml":    "<view/>",
		"miniprogram_npm/tdesign/icon/index.js":      "Component({})",
		"sub/pages/a/a.wxml":                         "<view/>",
		"sub/pages/a/a.js":                           "Page({})",
		"sub/pages/a/a.json":                         `{"usingComponents": {"card": "/components/card/card", "own": "../../c/own"}}`,
		"sub/c/own.json":                             `{"component": true}`,
		"sub/c/own.wxml":                             "<view/>",
		"sub/c/own.js":                               "Component({})",
	}
}

func write(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadBase(t *testing.T) {
	p, err := Load(write(t, base()))
	if err != nil {
		t.Fatal(err)
	}
	if p.Config.AppID != "wxabc" || len(p.Packages) != 2 || p.Packages[1].Root != "sub/" || p.Packages[1].Name != "s" {
		t.Fatalf("config %+v packages %+v", p.Config, p.Packages)
	}
	if u := p.Pages["sub/pages/a/a"]; u == nil || u.Package != p.Packages[1] || u.Using["own"] != "sub/c/own" || u.Using["card"] != "components/card/card" {
		t.Errorf("subpackage page %+v", u)
	}
	if u := p.Pages["pages/me/me"]; u.Script != "pages/me/me.ts" || u.JSON != nil {
		t.Errorf("TypeScript page %+v", u)
	}
	index := p.Pages["pages/index/index"]
	if index.Using["t-btn"] != "miniprogram_npm/tdesign/button/button" || index.Using["card"] != "components/card/card" {
		t.Errorf("index usingComponents %v", index.Using)
	}
	// The npm component's relative reference names a directory: its index.
	if btn := p.Components["miniprogram_npm/tdesign/button/button"]; btn == nil || btn.Using["t-icon"] != "miniprogram_npm/tdesign/icon/index" {
		t.Errorf("npm button %+v", btn)
	}
	if len(p.Components) != 5 || p.Global["g-tag"] != "components/tag/tag" {
		t.Errorf("components %v global %v", len(p.Components), p.Global)
	}
}

func TestNPMSearchesUpward(t *testing.T) {
	files := base()
	// A subpackage's own miniprogram_npm wins over the root's.
	files["sub/miniprogram_npm/tdesign/button/button.json"] = `{"component": true}`
	files["sub/miniprogram_npm/tdesign/button/button.wxml"] = "<view/>"
	files["sub/miniprogram_npm/tdesign/button/button.js"] = "Component({})"
	files["sub/pages/a/a.json"] = `{"usingComponents": {"b": "tdesign/button/button", "i": "tdesign/icon"}}`
	p, err := Load(write(t, files))
	if err != nil {
		t.Fatal(err)
	}
	u := p.Pages["sub/pages/a/a"]
	if u.Using["b"] != "sub/miniprogram_npm/tdesign/button/button" || u.Using["i"] != "miniprogram_npm/tdesign/icon/index" {
		t.Errorf("usingComponents %v", u.Using)
	}
	if got := p.ResolveModule("sub/pages/a/a.js", "tdesign/button/button"); got != "sub/miniprogram_npm/tdesign/button/button.js" {
		t.Errorf("ResolveModule npm = %q", got)
	}
	if got := p.ResolveModule("pages/index/index.js", "../../components/card/card"); got != "components/card/card.js" {
		t.Errorf("ResolveModule relative = %q", got)
	}
	if got := p.ResolveModule("pages/index/index.js", "../../../outside"); got != "" {
		t.Errorf("ResolveModule outside = %q", got)
	}
}

func TestMiniprogramRoot(t *testing.T) {
	files := map[string]string{"project.config.json": `{"appid": "wxroot", "miniprogramRoot": "./src/"}`}
	for name, content := range base() {
		if name != "project.config.json" {
			files["src/"+name] = content
		}
	}
	files[".git/config"] = "x"
	files["src/node_modules/x/index.js"] = "x"
	p, err := Load(write(t, files))
	if err != nil {
		t.Fatal(err)
	}
	if p.Config.MiniprogramRoot != "src/" || !p.Has("app.json") || p.Has("src/app.json") || p.Has("node_modules/x/index.js") {
		t.Errorf("root %q files %v", p.Config.MiniprogramRoot, p.Files())
	}
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name   string
		change map[string]string // "" deletes the file
		want   []string
	}{
		{"bad JSON", map[string]string{
			"pages/index/index.json": "{\n  \"usingComponents\": {\n    \"card\": \"x\",\n  }\n}",
		}, []string{"pages/index/index.json:4:3: invalid JSON"}},
		{"bad JSON, several files, unicode columns", map[string]string{
			"pages/index/index.json":  `{"title": "é" "x"}`,
			"components/tag/tag.json": "{\"component\": tru}",
		}, []string{"pages/index/index.json:1:15: invalid JSON", "components/tag/tag.json:1:18: invalid JSON"}},
		{"bad app.json", map[string]string{"app.json": "{\"pages\": [\"é\" \"x\"]}", "project.config.json": ""},
			[]string{"app.json:1:16: invalid JSON: invalid character '\"' after array element"}},
		{"truncated JSON", map[string]string{"sub/pages/a/a.json": "{\"usingComponents\": {"},
			[]string{"sub/pages/a/a.json:1:22: invalid JSON: unexpected end of JSON input"}},
		{"JSON not an object", map[string]string{"pages/index/index.json": "\n [1]"},
			[]string{"pages/index/index.json:2:2: invalid JSON: the file must hold an object"}},
		{"missing page files", map[string]string{"pages/me/me.ts": "", "sub/pages/a/a.wxml": ""}, []string{
			`app.json:2:34: page "pages/me/me": pages/me/me.js not found`,
			`app.json:3:58: page "sub/pages/a/a": sub/pages/a/a.wxml not found`}},
		{"missing app.js", map[string]string{"app.js": ""}, []string{"app.json: app.js not found"}},
		{"no app.json", map[string]string{"app.json": ""}, []string{"app.json: not found"}},
		{"component not found", map[string]string{
			"components/card/card.json": "{\"component\": true,\n \"usingComponents\": {\"tag\": \"/components/nope/nope\"}}",
		}, []string{`components/card/card.json:2:22: component "tag": "/components/nope/nope" not found (looked for components/nope/nope.json, components/nope/nope/index.json)`}},
		{"npm component not found", map[string]string{
			"pages/index/index.json": `{"usingComponents": {"v": "vant/button"}}`,
		}, []string{`pages/index/index.json:1:22: component "v": "vant/button" not found (looked for pages/index/vant/button.json, pages/index/vant/button/index.json, pages/index/miniprogram_npm/vant/button.json`}},
		{"component files missing", map[string]string{"components/tag/tag.wxml": "", "components/tag/tag.js": ""}, []string{
			`app.json:8:23: component "g-tag" (components/tag/tag): components/tag/tag.wxml not found`,
			`app.json:8:23: component "g-tag" (components/tag/tag): components/tag/tag.js not found`}},
		{"not a component", map[string]string{"components/tag/tag.json": `{"component": false}`},
			[]string{`components/tag/tag.json:1:2: components/tag/tag.json is used as a component (app.json: "g-tag") but does not set "component": true`}},
		{"plugin", map[string]string{"pages/index/index.json": `{"usingComponents": {"p": "plugin://myPlugin/comp"}}`},
			[]string{`pages/index/index.json:1:22: component "p": "plugin://myPlugin/comp": plugins are not supported`}},
		{"main page uses subpackage component", map[string]string{
			"pages/index/index.json": `{"usingComponents": {"own": "/sub/c/own"}}`,
		}, []string{`pages/index/index.json:1:22: component "own": sub/c/own is in subpackage sub/ and cannot be used from main package (add a componentPlaceholder`}},
		{"subpackage uses another subpackage's component", map[string]string{
			"app.json":    strings.Replace(base()["app.json"], `"pages": ["pages/a/a"]}`, `"pages": ["pages/a/a"]}, {"root": "sub2", "pages": ["p"]}`, 1),
			"sub2/p.wxml": "<view/>",
			"sub2/p.js":   "Page({})",
			"sub2/p.json": "{\n\"usingComponents\": {\n\"own\": \"/sub/c/own\"}}",
		}, []string{`sub2/p.json:3:1: component "own": sub/c/own is in subpackage sub/ and cannot be used from subpackage sub2/`}},
		{"independent subpackage uses main component", map[string]string{
			"app.json": strings.Replace(base()["app.json"], `"name": "s",`, `"name": "s", "independent": true,`, 1),
		}, []string{`sub/pages/a/a.json:1:22: component "card": components/card/card is in main package and cannot be used from subpackage sub/`}},
		{"tabBar: too few, bad pages", map[string]string{
			"app.json": `{"pages": ["pages/index/index", "pages/me/me"],
 "subpackages": [{"root": "sub", "pages": ["pages/a/a"]}],
 "tabBar": {"list": [{"pagePath": "sub/pages/a/a", "text": "A", "iconPath": "img/none.png"}]}}`,
		}, []string{
			"app.json:3:13: tabBar.list has 1 items; WeChat needs 2 to 5",
			`app.json:3:23: tabBar.list[0].pagePath "sub/pages/a/a" is in subpackage sub/; tab pages must be in the main package`,
			`app.json:3:65: tabBar.list[0].iconPath "img/none.png" not found`}},
		{"tabBar: too many, unknown page, no text, big icon", map[string]string{
			"img/big.png": strings.Repeat("x", 41<<10),
			"app.json": `{"pages": ["pages/index/index", "pages/me/me"],
 "tabBar": {"list": [{"pagePath": "pages/index/index", "text": "1", "iconPath": "img/big.png"}, {"pagePath": "pages/me/me", "text": "2"},
  {"pagePath": "pages/x/x", "text": "3"}, {"pagePath": "pages/me/me"}, {"pagePath": "pages/index/index", "text": "5"}, {"pagePath": "pages/me/me", "text": "6"}]}}`,
		}, []string{
			"tabBar.list has 6 items",
			`tabBar.list[0].iconPath "img/big.png" is 41 KB; WeChat allows 40 KB`,
			`tabBar.list[2].pagePath "pages/x/x" is not a page listed in app.json`,
			`app.json:3:44: tabBar.list[3].pagePath "pages/me/me" is already a tab`,
			`app.json:3:43: tabBar.list[3].text is missing`,
			`tabBar.list[4].pagePath "pages/index/index" is already a tab`,
			`tabBar.list[5].pagePath "pages/me/me" is already a tab`}},
		{"custom tabBar without its component", map[string]string{
			"app.json": strings.Replace(base()["app.json"], `"tabBar": {`, `"tabBar": {"custom": true, `, 1),
		}, []string{`"custom": true needs the component custom-tab-bar/index`}},
		{"subpackage config", map[string]string{
			"app.json": `{"pages": ["pages/index/index", "pages/me/me", "sub/pages/a/a"], "entryPagePath": "pages/nope",
 "subPackages": [{"root": "sub", "pages": ["pages/a/a"]}, {"root": "sub/deeper", "pages": []}, {"root": "../x", "pages": ["a"]}],
 "preloadRule": {"pages/index/index": {"network": "4g", "packages": ["sub", "nosuch"]}, "pages/none": {"packages": ["sub"]}}}`,
		}, []string{
			`app.json:1:48: page "sub/pages/a/a" is inside subpackage root "sub/"`,
			`app.json:1:66: entryPagePath "pages/nope" is not a page listed in app.json`,
			`app.json:2:60: subpackage root "sub/deeper/" overlaps subpackage root "sub/"`,
			`app.json:2:59: subpackage "sub/deeper/" lists no pages`,
			`app.json:2:97: subPackages[2].root must name a directory of the project`,
			`app.json:3:40: preloadRule "pages/index/index": network must be "all" or "wifi"`,
			`app.json:3:77: preloadRule "pages/index/index": "nosuch" is not a subpackage root or name`,
			`app.json:3:89: preloadRule: "pages/none" is not a page`}},
		{"main page inside a subpackage root", map[string]string{
			"app.json":   `{"pages": ["pages/index/index", "sub/x"], "subpackages": [{"root": "sub", "pages": ["pages/a/a"]}]}`,
			"sub/x.wxml": "<view/>", "sub/x.js": "Page({})",
		}, []string{`app.json:1:33: page "sub/x" is inside subpackage root "sub/"`}},
		{"placeholder for an unknown component", map[string]string{
			"pages/index/index.json": `{"usingComponents": {}, "componentPlaceholder": {"x": "view"}}`,
		}, []string{`pages/index/index.json:1:50: componentPlaceholder "x": no such component in usingComponents`}},
		{"sitemap and theme", map[string]string{
			"app.json": strings.Replace(base()["app.json"], `"pages"`, `"sitemapLocation": "nosuch.json", "darkmode": true, "window": {"navigationBarTextStyle": "@navTxt"}, "pages"`, 1),
		}, []string{`app.json:2:3: sitemapLocation: "nosuch.json" not found`, `app.json:2:37: "darkmode": true needs "themeLocation"`}},
		{"theme variable missing", map[string]string{
			"app.json":   strings.Replace(base()["app.json"], `"pages"`, `"themeLocation": "theme.json", "darkmode": true, "window": {"navigationBarTextStyle": "@navTxt", "backgroundColor": "@bg"}, "pages"`, 1),
			"theme.json": `{"light": {"navTxt": "black", "bg": "#fff"}, "dark": {"navTxt": "white"}}`,
		}, []string{`app.json:2:100: theme variable "@bg" is not defined in both "light" and "dark" of theme.json`}},
		{"global component in a subpackage", map[string]string{
			"app.json": strings.Replace(base()["app.json"], `"/components/tag/tag"`, `"/sub/c/own"`, 1),
		}, []string{`app.json:8:23: global component "g-tag": sub/c/own is in subpackage sub/; global components must be in the main package`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files := base()
			for name, content := range tc.change {
				if content == "" {
					delete(files, name)
				} else {
					files[name] = content
				}
			}
			p, err := Load(write(t, files))
			if p != nil {
				t.Error("a project came back with an error")
			}
			var list diag.List
			if !errors.As(err, &list) {
				t.Fatalf("error %v (%T), want a diag.List", err, err)
			}
			text := list.Error()
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("errors lack %q:\n%s", w, text)
				}
			}
			if len(list) != len(tc.want) {
				t.Errorf("%d errors, want %d:\n%s", len(list), len(tc.want), text)
			}
		})
	}
}

func TestPlaceholderAllowsAsyncSubpackageComponent(t *testing.T) {
	files := base()
	files["pages/index/index.json"] = `{"usingComponents": {"own": "/sub/c/own"}, "componentPlaceholder": {"own": "view"}}`
	p, err := Load(write(t, files))
	if err != nil {
		t.Fatal(err)
	}
	if u := p.Pages["pages/index/index"]; u.Using["own"] != "sub/c/own" || u.Placeholder["own"] != "view" {
		t.Errorf("%+v", u)
	}
}

func TestGenerics(t *testing.T) {
	files := base()
	files["components/card/card.json"] = `{"component": true, "componentGenerics": {"item": {"default": "../tag/tag"}, "other": true}}`
	p, err := Load(write(t, files))
	if err != nil {
		t.Fatal(err)
	}
	if g := p.Components["components/card/card"].Generics; g["item"] != "components/tag/tag" || g["other"] != "" || len(g) != 2 {
		t.Errorf("generics %v", g)
	}
}

func TestShopFixture(t *testing.T) {
	p, err := Load("../pack/testdata/shop")
	if err != nil {
		t.Fatal(err)
	}
	if p.Config.MiniprogramRoot != "miniprogram/" || len(p.Pages) != 4 || len(p.Components) != 5 || p.Sitemap == nil {
		t.Errorf("root %q pages %d components %d", p.Config.MiniprogramRoot, len(p.Pages), len(p.Components))
	}
	if r := p.Config.Ignore.Rules(); len(r) != 1 || r[0] != (IgnoreRule{"folder", "docs"}) {
		t.Errorf("ignore %v", p.Config.Ignore)
	}
}

func TestParseRootStaysInsideTheProject(t *testing.T) {
	for raw, want := range map[string]string{"": "", ".": "", "./": "", "src": "src/", "./src/": "src/", "a/b/../c": "a/c/"} {
		if got, err := ParseRoot(raw); err != nil || got != want {
			t.Errorf("ParseRoot(%q) = %q, %v; want %q", raw, got, err, want)
		}
	}
	for _, raw := range []string{"..", "../other", "src/../../x", "/etc", "/"} {
		if got, err := ParseRoot(raw); err == nil {
			t.Errorf("ParseRoot(%q) = %q, want an error", raw, got)
		}
	}
}

// A root outside the project and an invalid ignore pattern are reported
// at their keys in project.config.json.
func TestConfigProblemsNameTheirKeys(t *testing.T) {
	files := base()
	files["project.config.json"] = "{\n  \"miniprogramRoot\": \"../elsewhere\",\n  \"packOptions\": {\"ignore\": [\n    {\"type\": \"regexp\", \"value\": \"a(b\"},\n    {\"type\": \"glob\", \"value\": \"[x\"}\n  ]}\n}\n"
	_, err := Load(write(t, files))
	var list diag.List
	if !errors.As(err, &list) {
		t.Fatalf("Load: %v", err)
	}
	want := map[string]bool{"project.config.json:2:3": false, "project.config.json:4:24": false, "project.config.json:5:22": false}
	for _, e := range list {
		at := fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Col)
		if _, ok := want[at]; ok {
			want[at] = true
		}
	}
	for at, found := range want {
		if !found {
			t.Errorf("no error at %s in:\n%v", at, err)
		}
	}
	// ReadConfig (the dev loop's) reports the same and keeps what is valid.
	dir := write(t, map[string]string{"project.config.json": `{"appid": " wxabc ", "packOptions": {"ignore": [{"type": "regexp", "value": "("}, {"type": "suffix", "value": ".md"}]}}`})
	cfg, err := ReadConfig(dir)
	if err == nil || !strings.HasPrefix(err.Error(), "project.config.json:1:") || cfg.AppID != "wxabc" || !cfg.Ignore.Match("docs/a.md") || cfg.Ignore.Match("a.js") {
		t.Fatalf("ReadConfig: %+v %v", cfg, err)
	}
	if cfg, err := ReadConfig(t.TempDir()); err != nil || cfg.Ignore.Match("x") {
		t.Fatalf("no project.config.json: %+v %v", cfg, err)
	}
}

func TestIgnoreMatchesEachRuleType(t *testing.T) {
	ig, bad := CompileIgnore([]IgnoreRule{{"file", "/a/b.js"}, {"folder", "docs/"}, {"suffix", ".map"}, {"prefix", "draft-"},
		{"glob", "*.psd"}, {"glob", "art/*.png"}, {"regexp", `\.bak$`}})
	if len(bad) != 0 {
		t.Fatal(bad)
	}
	for file, want := range map[string]bool{"a/b.js": true, "a/c.js": false, "docs/x/y.md": true, "docsx/y": false, "x.js.map": true,
		"p/draft-page.js": true, "p/page-draft.js": false, "deep/logo.psd": true, "art/a.png": true, "x/art/a.png": false, "old.bak": true, "bak.js": false} {
		if got := ig.Match(file); got != want {
			t.Errorf("%s: %v, want %v", file, got, want)
		}
	}
	var none *Ignore
	if none.Match("x") {
		t.Fatal("a nil Ignore matched")
	}
}
