// Package project loads a mini program project directory as WeChat
// DevTools has it and checks it the way DevTools does before a build:
// project.config.json, app.json (pages, window, tabBar, subpackages,
// preloadRule, global usingComponents, sitemap, dark mode), every page's
// files, and every custom component reachable through usingComponents and
// componentGenerics, with npm components found in miniprogram_npm.
//
// Paths are relative to the mini program root (miniprogramRoot, else the
// project directory), slash-separated, without a leading slash; pages and
// components are named without extension. Load reports every problem it
// finds as a diag.List, each naming the file (and, for JSON, the line and
// column of the key) that caused it.
//
// Resolution of a usingComponents (or componentGenerics default) value, as
// WeChat does it:
//   - "plugin://…" is refused: plugins are not supported;
//   - "/a/b" is relative to the root;
//   - "./a", "../a" are relative to the referring JSON file's directory;
//   - "a/b" is tried relative to the referring file's directory, then as
//     miniprogram_npm/a/b in that directory and each parent up to the root;
//   - a target names a component when <target>.json exists, else
//     <target>/index.json (npm packages often name a directory).
package project

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"superapp/internal/miniprogram/diag"
)

// Project is a loaded, checked project.
type Project struct {
	Dir    string // the project directory: it holds project.config.json
	Root   string // the mini program root: Dir joined with miniprogramRoot
	Config Config

	App     *JSONFile // app.json
	Sitemap *JSONFile // sitemapLocation (default sitemap.json); nil when absent
	Theme   *JSONFile // themeLocation; nil when absent

	// Packages is the main package (Root "") then each subpackage in
	// app.json order.
	Packages   []*Package
	Pages      map[string]*Unit // by page path
	Components map[string]*Unit // every reachable component, by path
	// Global is app.json's usingComponents: tag → component path.
	Global map[string]string

	files map[string]int64 // every file under Root (see walk) → its size
	mu    sync.Mutex
	cache map[string][]byte
}

// Package is the main package or one subpackage.
type Package struct {
	Root        string // "" for the main package, else "sub/" (with a trailing slash)
	Name        string
	Independent bool
	Pages       []string // page paths (including Root), in app.json order
}

// Label names the package in messages: "main package" or its root.
func (p *Package) Label() string {
	if p.Root == "" {
		return "main package"
	}
	return "subpackage " + p.Root
}

// Unit is a page or a custom component: its .json, .wxml, .js (or .ts)
// and optional .wxss sharing one path.
type Unit struct {
	Path      string
	Component bool
	Package   *Package
	JSON      *JSONFile // nil for a page without a .json
	Script    string    // the .js, or .ts when there is no .js
	// Using is usingComponents resolved: tag → component path.
	Using map[string]string
	// Generics is componentGenerics: name → default component path ("" when none).
	Generics map[string]string
	// Placeholder is componentPlaceholder: tag → placeholder tag.
	Placeholder map[string]string
}

// Has reports whether path is a file of the project.
func (p *Project) Has(path string) bool {
	_, ok := p.files[path]
	return ok
}

// Size is the size of the file at path.
func (p *Project) Size(path string) int64 { return p.files[path] }

// Files lists every file of the project, sorted. Dotfiles, dot
// directories, node_modules and symbolic links are not part of it.
func (p *Project) Files() []string {
	out := make([]string, 0, len(p.files))
	for f := range p.files {
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}

// Read returns the content of the project file at path, reading it at most
// once. Paths outside the project are refused.
func (p *Project) Read(path string) ([]byte, error) {
	if !p.Has(path) {
		return nil, fmt.Errorf("%s: no such file in the project", path)
	}
	p.mu.Lock()
	b, ok := p.cache[path]
	p.mu.Unlock()
	if ok {
		return b, nil
	}
	b, err := os.ReadFile(filepath.Join(p.Root, filepath.FromSlash(path)))
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.cache[path] = b
	p.mu.Unlock()
	return b, nil
}

// PackageOf is the package a file belongs to: the subpackage whose root
// holds it, else the main package.
func (p *Project) PackageOf(file string) *Package {
	for _, pkg := range p.Packages[1:] {
		if strings.HasPrefix(file, pkg.Root) {
			return pkg
		}
	}
	return p.Packages[0]
}

// CanUse reports whether code in package from may use a component or
// template of package to: its own package, or the main package unless from
// is independent (WeChat's rule; other subpackages may not be loaded yet).
func CanUse(from, to *Package) bool {
	return from == to || (to.Root == "" && !from.Independent)
}

// Script is the script of the unit or module at path (no extension): the
// .js, else the .ts, else "".
func (p *Project) Script(base string) string {
	switch {
	case p.Has(base + ".js"):
		return base + ".js"
	case p.Has(base + ".ts"):
		return base + ".ts"
	}
	return ""
}

// loader carries the state of one Load.
type loader struct {
	*Project
	errs diag.List
}

func (l *loader) add(err error) {
	var list diag.List
	var one diag.Error
	switch {
	case errors.As(err, &list):
		l.errs = append(l.errs, list...)
	case errors.As(err, &one):
		l.errs = append(l.errs, one)
	default:
		l.errs = append(l.errs, diag.Errorf(".", 0, 0, "%v", err))
	}
}

// Load reads and checks the project in dir. The error, if any, is a
// diag.List of every problem found.
func Load(dir string) (*Project, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, diag.List{diag.Errorf(dir, 0, 0, "%v", err)}
	}
	l := &loader{Project: &Project{
		Dir: abs, Pages: map[string]*Unit{}, Components: map[string]*Unit{},
		Global: map[string]string{}, cache: map[string][]byte{},
	}}
	l.Root = abs
	if src, err := os.ReadFile(filepath.Join(abs, ConfigFile)); err == nil {
		if f, err := parseJSON(ConfigFile, src); err != nil {
			l.add(err)
		} else {
			l.readConfig(f)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		l.add(diag.Errorf(ConfigFile, 0, 0, "%v", err))
	}
	if err := l.walk(); err != nil {
		l.add(diag.Errorf(l.Config.MiniprogramRoot+".", 0, 0, "%v", err))
		return nil, l.errs.Err()
	}
	if !l.Has("app.json") {
		l.add(diag.Errorf("app.json", 0, 0, "not found in %s: not a mini program project (or miniprogramRoot is wrong)", l.Root))
		return nil, l.errs.Err()
	}
	l.App = l.readJSON("app.json")
	if l.App != nil {
		l.loadApp()
	}
	if err := l.errs.Err(); err != nil {
		return nil, err
	}
	return l.Project, nil
}

func (l *loader) readConfig(f *JSONFile) {
	cfg, errs := configOf(f)
	l.Config = cfg
	if len(errs) > 0 {
		l.add(errs)
	}
	l.Root = filepath.Join(l.Dir, filepath.FromSlash(cfg.MiniprogramRoot))
}

// walk indexes the files under Root, so that existence checks need no
// system calls and each file is read at most once.
func (l *loader) walk() error {
	l.files = map[string]int64{}
	return filepath.WalkDir(l.Root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if p != l.Root && (strings.HasPrefix(name, ".") || (d.IsDir() && name == "node_modules")) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		// Links could lead outside the project: a build reads only the tree.
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(l.Root, p)
		l.files[filepath.ToSlash(rel)] = info.Size()
		return nil
	})
}

// readJSON reads and parses a project JSON file, recording any error.
func (l *loader) readJSON(file string) *JSONFile {
	src, err := l.Read(file)
	if err != nil {
		l.add(diag.Errorf(file, 0, 0, "%v", err))
		return nil
	}
	f, err := parseJSON(file, src)
	if err != nil {
		l.add(err)
		return nil
	}
	return f
}

// sortedKeys lists an object's keys in the order the file has them.
func sortedKeys(f *JSONFile, m map[string]any, prefix ...string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b string) int {
		pa, pb := f.pos["\x00"+strings.Join(append(append([]string{}, prefix...), a), "\x00")],
			f.pos["\x00"+strings.Join(append(append([]string{}, prefix...), b), "\x00")]
		if pa != pb {
			return cmp.Compare(pa, pb)
		}
		return strings.Compare(a, b)
	})
	return out
}

// normPage turns a page path as app.json writes it into a page path.
func normPage(s string) string {
	s = strings.TrimPrefix(s, "/")
	for _, ext := range []string{".wxml", ".js", ".ts", ".json"} {
		s = strings.TrimSuffix(s, ext)
	}
	return s
}

func (l *loader) loadApp() {
	app := l.App
	v := app.Value
	main := &Package{Root: ""}
	l.Packages = []*Package{main}

	pages, ok := v["pages"].([]any)
	if !ok || len(pages) == 0 {
		l.add(app.Errorf(keys("pages"), `"pages" must list at least one page`))
	}
	pageRef := map[string][]string{} // page → the app.json key naming it
	addPage := func(pkg *Package, page string, at []string) {
		if _, dup := pageRef[page]; dup {
			l.add(app.Errorf(at, "page %q is listed twice", page))
			return
		}
		pageRef[page] = at
		pkg.Pages = append(pkg.Pages, page)
	}
	// Subpackages: either spelling WeChat accepts, not both.
	subKey := "subpackages"
	if _, ok := v["subPackages"]; ok {
		if _, both := v["subpackages"]; both {
			l.add(app.Errorf(keys("subPackages"), `both "subpackages" and "subPackages" are set; keep one`))
		} else {
			subKey = "subPackages"
		}
	}
	subs, _ := v[subKey].([]any)
	if raw, ok := v[subKey]; ok && subs == nil {
		_ = raw
		l.add(app.Errorf(keys(subKey), "%q must be an array", subKey))
	}
	names := map[string]bool{}
	for i, e := range subs {
		m, ok := e.(map[string]any)
		if !ok {
			l.add(app.Errorf(keys(subKey, i), "%s[%d] must be an object", subKey, i))
			continue
		}
		root, _ := m["root"].(string)
		root = path.Clean(strings.TrimPrefix(strings.TrimPrefix(root, "/"), "./"))
		if root == "." || root == "" || strings.HasPrefix(root, "..") {
			l.add(app.Errorf(keys(subKey, i, "root"), "%s[%d].root must name a directory of the project", subKey, i))
			continue
		}
		pkg := &Package{Root: root + "/"}
		pkg.Name, _ = m["name"].(string)
		pkg.Independent, _ = m["independent"].(bool)
		for _, other := range l.Packages[1:] {
			if strings.HasPrefix(pkg.Root, other.Root) || strings.HasPrefix(other.Root, pkg.Root) {
				l.add(app.Errorf(keys(subKey, i, "root"), "subpackage root %q overlaps subpackage root %q", pkg.Root, other.Root))
			}
		}
		if pkg.Name != "" {
			if names[pkg.Name] {
				l.add(app.Errorf(keys(subKey, i, "name"), "subpackage name %q is used twice", pkg.Name))
			}
			names[pkg.Name] = true
		}
		l.Packages = append(l.Packages, pkg)
		sp, _ := m["pages"].([]any)
		if len(sp) == 0 {
			l.add(app.Errorf(keys(subKey, i), "subpackage %q lists no pages", pkg.Root))
		}
		for j, pe := range sp {
			s, ok := pe.(string)
			if !ok || s == "" {
				l.add(app.Errorf(keys(subKey, i, "pages", j), "%s[%d].pages[%d] must be a page path", subKey, i, j))
				continue
			}
			addPage(pkg, pkg.Root+normPage(s), keys(subKey, i, "pages", j))
		}
	}
	// Main pages after subpackage roots are known: a page listed in
	// "pages" must not live inside a subpackage root.
	for i, e := range pages {
		s, ok := e.(string)
		if !ok || s == "" {
			l.add(app.Errorf(keys("pages", i), "pages[%d] must be a page path", i))
			continue
		}
		page := normPage(s)
		if pkg := l.PackageOf(page); pkg != main {
			l.add(app.Errorf(keys("pages", i), "page %q is inside subpackage root %q: list it in that subpackage's pages", page, pkg.Root))
			continue
		}
		addPage(main, page, keys("pages", i))
	}
	// Pages and, through them, components.
	for _, pkg := range l.Packages {
		for _, page := range pkg.Pages {
			u := &Unit{Path: page, Package: pkg}
			l.Pages[page] = u
			at := pageRef[page]
			if !l.Has(page + ".wxml") {
				l.add(app.Errorf(at, "page %q: %s.wxml not found", page, page))
			}
			if u.Script = l.Script(page); u.Script == "" {
				l.add(app.Errorf(at, "page %q: %s.js not found", page, page))
			}
			if l.Has(page + ".json") {
				u.JSON = l.readJSON(page + ".json")
			}
		}
	}

	if ep, ok := v["entryPagePath"]; ok {
		s, _ := ep.(string)
		if l.Pages[normPage(s)] == nil {
			l.add(app.Errorf(keys("entryPagePath"), "entryPagePath %q is not a page listed in app.json", s))
		}
	}
	if l.Script("app") == "" {
		l.add(diag.Errorf("app.json", 0, 0, "app.js not found next to app.json"))
	}

	// Global components first, then each page's: all resolve through the
	// same queue so each component is loaded once.
	q := &queue{loader: l}
	if uc, ok := v["usingComponents"].(map[string]any); ok {
		for _, tag := range sortedKeys(app, uc, "usingComponents") {
			if target, ok := l.resolveRef(app, uc[tag], keys("usingComponents", tag), tag); ok {
				l.Global[tag] = target
				q.push(target, app, keys("usingComponents", tag), tag)
			}
		}
	}
	if tb, ok := v["tabBar"]; ok {
		l.checkTabBar(tb, q)
	}
	for _, pkg := range l.Packages {
		for _, page := range pkg.Pages {
			l.loadUsing(l.Pages[page], q)
		}
	}
	q.run()

	l.checkPackages()
	l.checkPreload()
	l.loadSitemapAndTheme()
}

// queue loads components breadth-first, each once, remembering the first
// reference to each for error messages.
type queue struct {
	*loader
	todo []ref
}

type ref struct {
	target string
	from   *JSONFile
	at     []string
	tag    string
}

func (q *queue) push(target string, from *JSONFile, at []string, tag string) {
	q.todo = append(q.todo, ref{target, from, at, tag})
}

func (q *queue) run() {
	for len(q.todo) > 0 {
		r := q.todo[0]
		q.todo = q.todo[1:]
		if _, done := q.Components[r.target]; done {
			continue
		}
		u := &Unit{Path: r.target, Component: true, Package: q.PackageOf(r.target)}
		q.Components[r.target] = u
		u.JSON = q.readJSON(r.target + ".json")
		if u.JSON != nil {
			if c, ok := u.JSON.Value["component"]; !ok || c != true {
				q.add(u.JSON.Errorf(keys("component"), `%s is used as a component (%s: %q) but does not set "component": true`, u.JSON.Path, r.from.Path, r.tag))
			}
		}
		if !q.Has(r.target + ".wxml") {
			q.add(r.from.Errorf(r.at, "component %q (%s): %s.wxml not found", r.tag, r.target, r.target))
		}
		if u.Script = q.Script(r.target); u.Script == "" {
			q.add(r.from.Errorf(r.at, "component %q (%s): %s.js not found", r.tag, r.target, r.target))
		}
		q.loadUsing(u, q)
	}
}

// loadUsing resolves a unit's usingComponents, componentGenerics and
// componentPlaceholder, queueing the components it names.
func (l *loader) loadUsing(u *Unit, q *queue) {
	u.Using, u.Generics, u.Placeholder = map[string]string{}, map[string]string{}, map[string]string{}
	f := u.JSON
	if f == nil {
		return
	}
	if uc, ok := f.Value["usingComponents"].(map[string]any); ok {
		for _, tag := range sortedKeys(f, uc, "usingComponents") {
			if target, ok := l.resolveRef(f, uc[tag], keys("usingComponents", tag), tag); ok {
				u.Using[tag] = target
				q.push(target, f, keys("usingComponents", tag), tag)
			}
		}
	}
	if cg, ok := f.Value["componentGenerics"].(map[string]any); ok {
		for _, name := range sortedKeys(f, cg, "componentGenerics") {
			u.Generics[name] = ""
			m, ok := cg[name].(map[string]any)
			if !ok {
				continue
			}
			if def, ok := m["default"]; ok {
				if target, ok := l.resolveRef(f, def, keys("componentGenerics", name, "default"), name); ok {
					u.Generics[name] = target
					q.push(target, f, keys("componentGenerics", name, "default"), name)
				}
			}
		}
	}
	if cp, ok := f.Value["componentPlaceholder"].(map[string]any); ok {
		for _, tag := range sortedKeys(f, cp, "componentPlaceholder") {
			s, _ := cp[tag].(string)
			if _, ok := u.Using[tag]; !ok {
				if _, global := l.Global[tag]; !global {
					l.add(f.Errorf(keys("componentPlaceholder", tag), "componentPlaceholder %q: no such component in usingComponents", tag))
					continue
				}
			}
			u.Placeholder[tag] = s
		}
	}
}

// resolveRef resolves one component reference written in f at key path
// at, recording an error when it cannot.
func (l *loader) resolveRef(f *JSONFile, v any, at []string, tag string) (string, bool) {
	spec, ok := v.(string)
	if !ok || spec == "" {
		l.add(f.Errorf(at, "component %q: the value must be a component path", tag))
		return "", false
	}
	if strings.HasPrefix(spec, "plugin://") || strings.HasPrefix(spec, "plugin-private://") {
		l.add(f.Errorf(at, "component %q: %q: plugins are not supported", tag, spec))
		return "", false
	}
	target, tried := l.ResolveComponent(f.Path, spec)
	if target == "" {
		l.add(f.Errorf(at, "component %q: %q not found (looked for %s)", tag, spec, strings.Join(tried, ", ")))
		return "", false
	}
	return target, true
}

// ResolveComponent resolves a component path spec written in the file from
// (see the package comment). It returns the component path, or "" and the
// JSON files it looked for.
func (p *Project) ResolveComponent(from, spec string) (string, []string) {
	var tried []string
	try := func(c string) string {
		if c == "" || c == "." || strings.HasPrefix(c, "../") || c == ".." {
			return ""
		}
		for _, cand := range []string{c, c + "/index"} {
			tried = append(tried, cand+".json")
			if p.Has(cand + ".json") {
				return cand
			}
		}
		return ""
	}
	dir := path.Dir(from)
	switch {
	case strings.HasPrefix(spec, "/"):
		return try(path.Clean(strings.TrimPrefix(spec, "/"))), tried
	case strings.HasPrefix(spec, "./") || strings.HasPrefix(spec, "../"):
		return try(path.Join(dir, spec)), tried
	}
	if c := try(path.Join(dir, spec)); c != "" {
		return c, tried
	}
	return p.searchNPM(dir, spec, try), tried
}

// searchNPM looks for spec in miniprogram_npm of dir and each parent up to
// the root, as WeChat's npm support does.
func (p *Project) searchNPM(dir, spec string, try func(string) string) string {
	for {
		if c := try(path.Join(dir, "miniprogram_npm", spec)); c != "" {
			return c
		}
		if dir == "." || dir == "" {
			return ""
		}
		dir = path.Dir(dir)
	}
}

// ResolveModule resolves a require()/import specifier written in the
// script from into a project script path, or "" when it names nothing in
// the project (the runtime then reports it, as WeChat does).
func (p *Project) ResolveModule(from, spec string) string {
	try := func(c string) string {
		if c == "" || c == "." || c == ".." || strings.HasPrefix(c, "../") {
			return ""
		}
		for _, cand := range []string{c, c + ".js", c + ".ts", c + "/index.js", c + "/index.ts"} {
			if p.Has(cand) && (strings.HasSuffix(cand, ".js") || strings.HasSuffix(cand, ".ts")) {
				return cand
			}
		}
		return ""
	}
	dir := path.Dir(from)
	switch {
	case strings.HasPrefix(spec, "/"):
		return try(path.Clean(strings.TrimPrefix(spec, "/")))
	case strings.HasPrefix(spec, "./") || strings.HasPrefix(spec, "../"):
		return try(path.Join(dir, spec))
	}
	if c := p.searchNPM(dir, spec, try); c != "" {
		return c
	}
	return try(path.Join(dir, spec))
}

// checkPackages enforces WeChat's rule on which package's components a
// page or component may use. A reference with a componentPlaceholder is
// allowed across packages: WeChat loads it asynchronously.
func (l *loader) checkPackages() {
	check := func(u *Unit) {
		if u.JSON == nil {
			return
		}
		for tag, target := range u.Using {
			l.checkUse(u, target, keys("usingComponents", tag), tag)
		}
		for name, target := range u.Generics {
			if target != "" {
				l.checkUse(u, target, keys("componentGenerics", name, "default"), name)
			}
		}
	}
	for _, u := range l.Pages {
		check(u)
	}
	for _, u := range l.Components {
		check(u)
	}
	for tag, target := range l.Global {
		if pkg := l.PackageOf(target); pkg.Root != "" {
			l.add(l.App.Errorf(keys("usingComponents", tag), "global component %q: %s is in %s; global components must be in the main package", tag, target, pkg.Label()))
		}
	}
}

func (l *loader) checkUse(u *Unit, target string, at []string, tag string) {
	to := l.PackageOf(target)
	if CanUse(u.Package, to) {
		return
	}
	if _, async := u.Placeholder[tag]; async {
		return
	}
	hint := ""
	if to.Root != "" {
		hint = " (add a componentPlaceholder for it to load it asynchronously)"
	}
	l.add(u.JSON.Errorf(at, "component %q: %s is in %s and cannot be used from %s%s", tag, target, to.Label(), u.Package.Label(), hint))
}

func (l *loader) checkPreload() {
	app := l.App
	pr, ok := app.Value["preloadRule"].(map[string]any)
	if !ok {
		return
	}
	known := map[string]bool{"__APP__": true}
	for _, pkg := range l.Packages[1:] {
		known[pkg.Root] = true
		known[strings.TrimSuffix(pkg.Root, "/")] = true
		if pkg.Name != "" {
			known[pkg.Name] = true
		}
	}
	for _, page := range sortedKeys(app, pr, "preloadRule") {
		if l.Pages[normPage(page)] == nil {
			l.add(app.Errorf(keys("preloadRule", page), "preloadRule: %q is not a page", page))
		}
		rule, _ := pr[page].(map[string]any)
		if n, ok := rule["network"]; ok && n != "all" && n != "wifi" {
			l.add(app.Errorf(keys("preloadRule", page, "network"), `preloadRule %q: network must be "all" or "wifi"`, page))
		}
		list, _ := rule["packages"].([]any)
		if len(list) == 0 {
			l.add(app.Errorf(keys("preloadRule", page), "preloadRule %q: packages must list subpackages", page))
		}
		for i, e := range list {
			s, _ := e.(string)
			if !known[strings.TrimPrefix(s, "/")] {
				l.add(app.Errorf(keys("preloadRule", page, "packages", i), "preloadRule %q: %q is not a subpackage root or name", page, s))
			}
		}
	}
}

func (l *loader) loadSitemapAndTheme() {
	app := l.App
	if loc, ok := app.Value["sitemapLocation"]; ok {
		s, _ := loc.(string)
		s = strings.TrimPrefix(s, "/")
		if !l.Has(s) {
			l.add(app.Errorf(keys("sitemapLocation"), "sitemapLocation: %q not found", s))
		} else {
			l.Sitemap = l.readJSON(s)
		}
	} else if l.Has("sitemap.json") {
		l.Sitemap = l.readJSON("sitemap.json")
	}

	dark, _ := app.Value["darkmode"].(bool)
	loc, hasLoc := app.Value["themeLocation"].(string)
	switch {
	case hasLoc:
		loc = strings.TrimPrefix(loc, "/")
		if !l.Has(loc) {
			l.add(app.Errorf(keys("themeLocation"), "themeLocation: %q not found", loc))
			return
		}
		l.Theme = l.readJSON(loc)
	case dark:
		l.add(app.Errorf(keys("darkmode"), `"darkmode": true needs "themeLocation" (a theme.json with light and dark variables)`))
		return
	}
	if l.Theme == nil {
		return
	}
	// Every @variable in window and tabBar must exist in both themes.
	light, _ := l.Theme.Value["light"].(map[string]any)
	darkVars, _ := l.Theme.Value["dark"].(map[string]any)
	var walk func(v any, at []string)
	walk = func(v any, at []string) {
		switch v := v.(type) {
		case string:
			if name, ok := strings.CutPrefix(v, "@"); ok {
				_, inLight := light[name]
				_, inDark := darkVars[name]
				if !inLight || !inDark {
					l.add(app.Errorf(at, "theme variable %q is not defined in both \"light\" and \"dark\" of %s", v, l.Theme.Path))
				}
			}
		case map[string]any:
			for k, e := range v {
				walk(e, append(append([]string{}, at...), k))
			}
		case []any:
			for i, e := range v {
				walk(e, append(append([]string{}, at...), fmt.Sprint(i)))
			}
		}
	}
	walk(app.Value["window"], keys("window"))
	walk(app.Value["tabBar"], keys("tabBar"))
}

// tabIconLimit is WeChat's size limit for tabBar icons.
const tabIconLimit = 40 << 10

func (l *loader) checkTabBar(v any, q *queue) {
	app := l.App
	tb, ok := v.(map[string]any)
	if !ok {
		l.add(app.Errorf(keys("tabBar"), "tabBar must be an object"))
		return
	}
	list, _ := tb["list"].([]any)
	if len(list) < 2 || len(list) > 5 {
		l.add(app.Errorf(keys("tabBar", "list"), "tabBar.list has %d items; WeChat needs 2 to 5", len(list)))
	}
	top := tb["position"] == "top"
	seen := map[string]bool{}
	for i, e := range list {
		item, ok := e.(map[string]any)
		if !ok {
			l.add(app.Errorf(keys("tabBar", "list", i), "tabBar.list[%d] must be an object", i))
			continue
		}
		pp, _ := item["pagePath"].(string)
		page := normPage(pp)
		switch u := l.Pages[page]; {
		case pp == "":
			l.add(app.Errorf(keys("tabBar", "list", i), "tabBar.list[%d].pagePath is missing", i))
		case u == nil:
			l.add(app.Errorf(keys("tabBar", "list", i, "pagePath"), "tabBar.list[%d].pagePath %q is not a page listed in app.json", i, pp))
		case u.Package.Root != "":
			l.add(app.Errorf(keys("tabBar", "list", i, "pagePath"), "tabBar.list[%d].pagePath %q is in %s; tab pages must be in the main package", i, pp, u.Package.Label()))
		case seen[page]:
			l.add(app.Errorf(keys("tabBar", "list", i, "pagePath"), "tabBar.list[%d].pagePath %q is already a tab", i, pp))
		}
		seen[page] = true
		if _, ok := item["text"].(string); !ok {
			l.add(app.Errorf(keys("tabBar", "list", i), "tabBar.list[%d].text is missing", i))
		}
		for _, k := range []string{"iconPath", "selectedIconPath"} {
			icon, ok := item[k].(string)
			if !ok || top {
				continue
			}
			icon = strings.TrimPrefix(icon, "/")
			switch {
			case strings.Contains(icon, "://"):
				l.add(app.Errorf(keys("tabBar", "list", i, k), "tabBar.list[%d].%s must be a file of the project, not a URL", i, k))
			case !l.Has(icon):
				l.add(app.Errorf(keys("tabBar", "list", i, k), "tabBar.list[%d].%s %q not found", i, k, icon))
			case l.Size(icon) > tabIconLimit:
				l.add(app.Errorf(keys("tabBar", "list", i, k), "tabBar.list[%d].%s %q is %d KB; WeChat allows 40 KB", i, k, icon, (l.Size(icon)+1023)>>10))
			}
		}
	}
	if custom, _ := tb["custom"].(bool); custom {
		target, tried := l.ResolveComponent("app.json", "custom-tab-bar/index")
		if target == "" {
			l.add(app.Errorf(keys("tabBar", "custom"), `"custom": true needs the component custom-tab-bar/index (looked for %s)`, strings.Join(tried, ", ")))
		} else {
			q.push(target, app, keys("tabBar", "custom"), "custom-tab-bar")
		}
	}
}
