// Package pack turns a mini program project directory into the files the
// runtime loads (docs/miniprogram.md, "Package files"): it loads and
// validates the project, compiles WXML, WXSS, WXS and JS, and enforces
// WeChat's package size limits.
//
// What a build compiles, per package (a file belongs to the subpackage whose
// root holds it, else to the main package):
//
//   - WXML: every page's and reachable component's .wxml, and every .wxml
//     and .wxs they pull in through <import>, <include> and <wxs src>,
//     transitively. A .wxml nobody reaches is neither compiled nor shipped.
//   - WXSS: app.wxss, every page's .wxss, every reachable component's .wxss
//     (with the component's styleScope); @import targets are inlined by the
//     compiler and not shipped on their own.
//   - JS: every .js outside miniprogram_npm (require() is resolved at run
//     time, so any of them may be needed), and a .ts when there is no .js of
//     the same name (a TypeScript project; DevTools compiles them the same
//     way); .d.ts files are types only. Under miniprogram_npm only the
//     scripts of reachable components and the modules that included scripts
//     require()/import, transitively, are compiled. Each becomes
//     define("<path>.js", …) in service.js. A require() of another
//     subpackage's module is not checked here: WeChat resolves it at run
//     time too, and it fails there unless that subpackage is loaded.
//
// Assets: every other file of the package, except sources (.wxml, .wxss,
// .wxs, .js, .ts, .json: JSON is read into the manifest), documentation and
// source maps (.md, .map), dotfiles, node_modules, files matched by
// project.config.json's packOptions.ignore, and, under miniprogram_npm,
// files of npm packages none of whose components or modules is used.
//
// Sizes are measured on what the runtime downloads: each package's
// service.js, styles.json and assets, byte for byte; the total is their sum
// over every package.
package pack

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/evanw/esbuild/pkg/api"

	"superapp/internal/miniprogram/diag"
	"superapp/internal/miniprogram/project"
	"superapp/internal/miniprogram/wxml"
	"superapp/internal/miniprogram/wxss"
)

// The compilers, as variables so that tests can stand in for them.
var (
	compileWXML = wxml.Compile
	compileWXS  = wxml.CompileWXS
	compileWXSS = wxss.Compile
)

// MB is the megabyte of WeChat's limits (1024 KB).
const MB = 1 << 20

// Limits are the package size limits in bytes. A zero field means the
// default (WeChat's: 2 MB main, 2 MB per subpackage, 20 MB in all).
type Limits struct {
	Main       int64
	Subpackage int64
	Total      int64
}

// DefaultLimits are WeChat's limits.
func DefaultLimits() Limits { return Limits{Main: 2 * MB, Subpackage: 2 * MB, Total: 20 * MB} }

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.Main > 0 {
		d.Main = l.Main
	}
	if l.Subpackage > 0 {
		d.Subpackage = l.Subpackage
	}
	if l.Total > 0 {
		d.Total = l.Total
	}
	return d
}

// Options tune a build.
type Options struct {
	// AppID overrides project.config.json's appid.
	AppID string
	// Limits overrides WeChat's package size limits.
	Limits Limits
}

// Result is one build.
type Result struct {
	Manifest     Manifest
	ManifestJSON []byte
	// Files holds every file of every package by the hex SHA-256 of its bytes.
	Files map[string][]byte
	// Report is the size of each package, main first, for `superapp pack`.
	Report []PackageSize
}

// PackageSize is one package's compiled size against its limit.
type PackageSize struct {
	Root  string // "" for the main package
	Name  string
	Bytes int64
	Limit int64
	Files int
	Pages int
}

// Manifest is the build's manifest.json (docs/miniprogram.md).
type Manifest struct {
	AppID string `json:"appid"`
	// Hash is the SHA-256 of the manifest encoded without it (empty
	// while it is computed, and then left out).
	Hash       string                    `json:"hash,omitempty"`
	App        map[string]any            `json:"app"`
	Pages      map[string]map[string]any `json:"pages"`
	Components map[string]map[string]any `json:"components"`
	Packages   []Package                 `json:"packages"`
	// Sitemap is sitemap.json (or sitemapLocation), when the project has one.
	Sitemap map[string]any `json:"sitemap,omitempty"`
	// Theme is themeLocation's theme.json (light and dark variables).
	Theme map[string]any `json:"theme,omitempty"`
}

// Package is one package of a build.
type Package struct {
	Root        string            `json:"root"`
	Name        string            `json:"name,omitempty"`
	Independent bool              `json:"independent,omitempty"`
	Pages       []string          `json:"pages"`
	Files       map[string]string `json:"files"` // package path → sha256 hex
	// Data names the files of Files the logic layer receives as strings
	// beside service.js (data literals moved out of the code, jsonlit.go).
	Data []string `json:"data,omitempty"`
	Size int64    `json:"size"`
}

// Build packs the project in dir. The error, if any, is a diag.List naming
// file, line and column, or the file and its size against the limit.
// Nothing is returned with an error.
func Build(dir string, opts Options) (res *Result, err error) {
	// A compiler bug must not take the caller (the dev loop, the server)
	// down: the compile jobs recover on their own goroutines, this the rest.
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, diag.List{diag.Errorf(project.Whole, 0, 0, "internal compiler error: %v", r)}
		}
	}()
	proj, err := project.Load(dir)
	if err != nil {
		return nil, err
	}
	b := &builder{
		proj:    proj,
		limits:  opts.Limits.withDefaults(),
		sem:     make(chan struct{}, runtime.GOMAXPROCS(0)),
		started: map[string]bool{},
		code:    map[string]string{},
		data:    map[string][]dataFile{},
		sheets:  map[string]wxss.Sheet{},
		npmUsed: map[string]bool{},
		scopes:  styleScopes(proj),
	}
	b.schedule()
	b.wg.Wait()
	if err := b.errs.Err(); err != nil {
		return nil, err
	}
	appid := opts.AppID
	if appid == "" {
		appid = proj.Config.AppID
	}
	return b.assemble(appid)
}

// builder is one build in progress: compile jobs run concurrently, bounded
// by GOMAXPROCS, and may start further jobs (a template's imports, a
// module's requires).
type builder struct {
	proj   *project.Project
	limits Limits
	sem    chan struct{}
	wg     sync.WaitGroup

	mu      sync.Mutex
	started map[string]bool       // source paths with a job
	code    map[string]string     // source path → its service.js statement
	data    map[string][]dataFile // source path → the data files its module reads
	sheets  map[string]wxss.Sheet // .wxss path → compiled sheet
	npmUsed map[string]bool       // miniprogram_npm package dirs with a used file
	errs    diag.List
	scopes  map[string]string // component path → styleScope
}

func (b *builder) fail(err error) {
	var list diag.List
	var one diag.Error
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case errors.As(err, &list):
		b.errs = append(b.errs, list...)
	case errors.As(err, &one):
		b.errs = append(b.errs, one)
	default:
		b.errs = append(b.errs, diag.Errorf(project.Whole, 0, 0, "%v", err))
	}
}

// start runs job for source unless a job for it was already started.
func (b *builder) start(source string, job func()) {
	b.mu.Lock()
	if b.started[source] {
		b.mu.Unlock()
		return
	}
	b.started[source] = true
	if dir := npmPackageDir(source); dir != "" {
		b.npmUsed[dir] = true
	}
	b.mu.Unlock()
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		b.sem <- struct{}{}
		defer func() { <-b.sem }()
		// A compiler bug must not take the whole build (or server) down.
		defer func() {
			if r := recover(); r != nil {
				b.fail(diag.Errorf(source, 0, 0, "internal compiler error: %v", r))
			}
		}()
		job()
	}()
}

func (b *builder) schedule() {
	p := b.proj
	for _, u := range p.Pages {
		b.startWXML(u.Path + ".wxml")
		if p.Has(u.Path + ".wxss") {
			b.startWXSS(u.Path+".wxss", "")
		}
		b.startJS(u.Script)
	}
	for _, u := range p.Components {
		b.startWXML(u.Path + ".wxml")
		if p.Has(u.Path + ".wxss") {
			b.startWXSS(u.Path+".wxss", b.scopes[u.Path])
		}
		b.startJS(u.Script)
	}
	if p.Has("app.wxss") {
		b.startWXSS("app.wxss", "")
	}
	for _, f := range p.Files() {
		if npmPackageDir(f) != "" || p.Config.Ignore.Match(f) {
			continue
		}
		switch {
		case strings.HasSuffix(f, ".d.ts"):
		case strings.HasSuffix(f, ".js"):
			b.startJS(f)
		case strings.HasSuffix(f, ".ts") && !p.Has(strings.TrimSuffix(f, ".ts")+".js"):
			b.startJS(f)
		}
	}
}

// depLine finds, best effort, where src refers to dep: the line of the
// first occurrence of its file name.
func depLine(src []byte, dep string) (int, int) {
	if i := bytes.Index(src, []byte(path.Base(dep))); i >= 0 {
		return diag.Pos(src, i)
	}
	return 0, 0
}

// checkDeps starts the jobs for a template's or WXS module's dependencies,
// checking each exists and may be used from file's package.
func (b *builder) checkDeps(file string, src []byte, deps []string) {
	from := b.proj.PackageOf(file)
	for _, dep := range deps {
		dep = strings.TrimPrefix(path.Clean("/"+dep), "/")
		line, col := depLine(src, dep)
		if !b.proj.Has(dep) {
			b.fail(diag.Errorf(file, line, col, "%s not found", dep))
			continue
		}
		if to := b.proj.PackageOf(dep); !project.CanUse(from, to) {
			b.fail(diag.Errorf(file, line, col, "%s is in %s and cannot be used from %s", dep, to.Label(), from.Label()))
			continue
		}
		switch {
		case strings.HasSuffix(dep, ".wxml"):
			b.startWXML(dep)
		case strings.HasSuffix(dep, ".wxs"):
			b.startWXS(dep)
		default:
			b.fail(diag.Errorf(file, line, col, "%s: only .wxml and .wxs files can be imported", dep))
		}
	}
}

func (b *builder) read(file string) ([]byte, bool) {
	src, err := b.proj.Read(file)
	if err != nil {
		b.fail(diag.Errorf(file, 0, 0, "%v", err))
		return nil, false
	}
	return src, true
}

func (b *builder) put(file, code string) {
	b.mu.Lock()
	b.code[file] = code
	b.mu.Unlock()
}

func (b *builder) startWXML(file string) { b.startTemplate(file, compileWXML) }

func (b *builder) startWXS(file string) { b.startTemplate(file, compileWXS) }

// startTemplate compiles a .wxml or .wxs file and follows its imports.
func (b *builder) startTemplate(file string, compile func(string, []byte) (string, []string, error)) {
	b.start(file, func() {
		src, ok := b.read(file)
		if !ok {
			return
		}
		js, deps, err := compile(file, src)
		if err != nil {
			b.fail(err)
			return
		}
		b.put(file, js)
		b.checkDeps(file, src, deps)
	})
}

func (b *builder) startWXSS(file, scope string) {
	b.start(file, func() {
		src, ok := b.read(file)
		if !ok {
			return
		}
		sheet, err := compileWXSS(file, src, wxss.Options{Scope: scope, Load: b.loadStyle})
		if err != nil {
			b.fail(err)
			return
		}
		b.mu.Lock()
		b.sheets[file] = sheet
		b.mu.Unlock()
	})
}

// loadStyle reads an @import target; only files of the project can be read.
func (b *builder) loadStyle(p string) ([]byte, error) {
	clean := path.Clean(p)
	if strings.HasPrefix(clean, "/") || clean == ".." || strings.HasPrefix(clean, "../") {
		return nil, fmt.Errorf("%s is outside the project", p)
	}
	return b.proj.Read(clean)
}

// Data files: a data literal (jsonlit.go) of minDataFile bytes or more is
// shipped as its own package file, which the shell hands the logic layer as
// a string beside service.js (its name in Package.Data); the module reads it
// with __data(name). Its bytes then skip the script's load and compile: a
// worker's importScripts of a Blob costs about as much again as compiling
// it (docs/benchmarks.md).
const minDataFile = 64 << 10

// dataFile is one such file.
type dataFile struct {
	name string
	json []byte
}

// dataFileName names a data file by its content.
func dataFileName(json []byte) string { return "service-data/" + HashOf(json)[:16] + ".json" }

// requireCall matches the require() calls esbuild prints (imports become
// require calls too, always with double quotes).
var requireCall = regexp.MustCompile(`\brequire\("((?:[^"\\]|\\.)*)"\)`)

// modulePath is the module name a script is defined under: TypeScript
// compiles to the .js of the same name.
func modulePath(file string) string {
	if s, ok := strings.CutSuffix(file, ".ts"); ok {
		return s + ".js"
	}
	return file
}

func (b *builder) startJS(file string) {
	if file == "" {
		return
	}
	b.start(file, func() {
		src, ok := b.read(file)
		if !ok {
			return
		}
		loader := api.LoaderJS
		if strings.HasSuffix(file, ".ts") {
			loader = api.LoaderTS
		}
		res := api.Transform(string(src), api.TransformOptions{
			Loader:     loader,
			Format:     api.FormatCommonJS,
			Target:     api.ES2017,
			Sourcefile: file,
			Charset:    api.CharsetUTF8,
			LogLevel:   api.LogLevelSilent,
		})
		if len(res.Errors) > 0 {
			var list diag.List
			for _, m := range res.Errors {
				line, col := 0, 0
				if loc := m.Location; loc != nil {
					line = loc.Line
					col = 1 + utf8.RuneCountInString(loc.LineText[:min(loc.Column, len(loc.LineText))])
				}
				list = append(list, diag.Errorf(file, line, col, "%s", m.Text))
			}
			b.fail(list)
			return
		}
		var data []dataFile
		code, hasData := literalsToJSON(res.Code, func(json []byte) string {
			if len(json) < minDataFile {
				return ""
			}
			d := dataFile{name: dataFileName(json), json: json}
			data = append(data, d)
			return "__data(" + strconv.Quote(d.name) + ")"
		})
		if len(data) > 0 {
			b.mu.Lock()
			b.data[file] = data
			b.mu.Unlock()
		}
		if hasData {
			// Parenthesized, V8 compiles the module function with the script
			// instead of scanning its megabyte of JSON text a second time
			// when the module first runs (jsonlit.go).
			b.put(file, "define("+strconv.Quote(modulePath(file))+", (function (require, module, exports) {\n"+string(code)+"}));")
		} else {
			b.put(file, "define("+strconv.Quote(modulePath(file))+", function (require, module, exports) {\n"+string(code)+"});")
		}
		// npm modules are shipped only when required; the rest already are.
		for _, m := range requireCall.FindAllSubmatch(code, -1) {
			spec, err := strconv.Unquote(`"` + string(m[1]) + `"`)
			if err != nil {
				continue
			}
			if target := b.proj.ResolveModule(file, spec); target != "" && npmPackageDir(target) != "" {
				b.startJS(target)
			}
		}
	})
}

// npmPackageDir is the npm package directory holding file
// ("miniprogram_npm/name" or "…/miniprogram_npm/@scope/name"), or "".
func npmPackageDir(file string) string {
	i := strings.LastIndex("/"+file, "/miniprogram_npm/")
	if i < 0 {
		return ""
	}
	rest := file[i+len("miniprogram_npm/"):]
	parts := strings.SplitN(rest, "/", 3)
	n := 1
	if strings.HasPrefix(parts[0], "@") {
		n = 2
	}
	if len(parts) <= n { // a file directly in miniprogram_npm (or the scope dir)
		return file[:i] + "miniprogram_npm/" + parts[0]
	}
	return file[:i+len("miniprogram_npm/")] + strings.Join(parts[:n], "/")
}

// sourceExt are the extensions compiled or read into the manifest, never
// shipped as assets; devExt are development files.
var (
	sourceExt = map[string]bool{".wxml": true, ".wxss": true, ".wxs": true, ".js": true, ".ts": true, ".json": true}
	devExt    = map[string]bool{".md": true, ".map": true}
)

func (b *builder) isAsset(file string) bool {
	ext := path.Ext(file)
	if sourceExt[ext] || devExt[ext] || b.proj.Config.Ignore.Match(file) {
		return false
	}
	if dir := npmPackageDir(file); dir != "" && !b.npmUsed[dir] {
		return false
	}
	return true
}

// styleScopes gives each component a short styleScope derived from its
// path: "c" and the shortest prefix (at least 5 hex digits) of its path's
// SHA-256 that no other component of the build shares.
func styleScopes(p *project.Project) map[string]string {
	sums := map[string]string{}
	for c := range p.Components {
		s := sha256.Sum256([]byte(c))
		sums[c] = hex.EncodeToString(s[:])
	}
	out := map[string]string{}
	for c, h := range sums {
		n := 5
		for other, oh := range sums {
			if other == c {
				continue
			}
			for n < len(h) && h[:n] == oh[:n] {
				n++
			}
		}
		out[c] = "c" + h[:n]
	}
	return out
}

// HashOf is a file's content hash, the name it is listed and stored
// under: its SHA-256 in lower-case hex.
func HashOf(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// ValidHash reports whether h has HashOf's form.
func ValidHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		if c := h[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// marshal encodes canonically: sorted keys, no HTML escaping, no newline.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// canonicalJSON encodes v with every object's keys sorted, struct fields
// included, so that anyone can recompute the manifest hash: decode
// manifest.json, drop "hash", encode canonically, SHA-256.
func canonicalJSON(v any) ([]byte, error) {
	b, err := marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return nil, err
	}
	return marshal(generic)
}

// contribution is one source's share of a package's size.
type contribution struct {
	file string
	size int64
}

func (b *builder) assemble(appid string) (*Result, error) {
	p := b.proj
	res := &Result{Files: map[string][]byte{}}
	type pkgOut struct {
		code   []string
		data   []dataFile
		sheets map[string]wxss.Sheet
		assets []string
		parts  []contribution
	}
	outs := map[*project.Package]*pkgOut{}
	for _, pkg := range p.Packages {
		outs[pkg] = &pkgOut{sheets: map[string]wxss.Sheet{}}
	}
	// Templates and WXS first, then modules: each group by path.
	var sources []string
	for f := range b.code {
		sources = append(sources, f)
	}
	sort.Slice(sources, func(i, j int) bool {
		ji, jj := strings.HasPrefix(b.code[sources[i]], "define("), strings.HasPrefix(b.code[sources[j]], "define(")
		if ji != jj {
			return !ji
		}
		return sources[i] < sources[j]
	})
	for _, f := range sources {
		o := outs[p.PackageOf(f)]
		o.code = append(o.code, b.code[f])
		o.parts = append(o.parts, contribution{f, int64(len(b.code[f]) + 1)})
		for _, d := range b.data[f] {
			o.data = append(o.data, d)
			o.parts = append(o.parts, contribution{f, int64(len(d.json))})
		}
	}
	for f, s := range b.sheets {
		o := outs[p.PackageOf(f)]
		o.sheets[f] = s
		if enc, err := marshal(s); err == nil {
			o.parts = append(o.parts, contribution{f, int64(len(enc))})
		}
	}
	for _, f := range p.Files() {
		if b.isAsset(f) {
			o := outs[p.PackageOf(f)]
			o.assets = append(o.assets, f)
			o.parts = append(o.parts, contribution{f, p.Size(f)})
		}
	}

	var errs diag.List
	var total int64
	for _, pkg := range p.Packages {
		o := outs[pkg]
		mp := Package{Root: pkg.Root, Name: pkg.Name, Independent: pkg.Independent, Pages: pkg.Pages, Files: map[string]string{}}
		if mp.Pages == nil {
			mp.Pages = []string{}
		}
		add := func(name string, data []byte) {
			h := HashOf(data)
			res.Files[h] = data
			mp.Files[name] = h
			mp.Size += int64(len(data))
		}
		add("service.js", []byte(strings.Join(o.code, "\n")))
		for _, d := range o.data {
			if _, dup := mp.Files[d.name]; !dup {
				add(d.name, d.json)
				mp.Data = append(mp.Data, d.name)
			}
		}
		styles, err := marshal(o.sheets)
		if err != nil {
			return nil, diag.List{diag.Errorf("styles.json", 0, 0, "%v", err)}
		}
		add("styles.json", styles)
		for _, f := range o.assets {
			data, err := p.Read(f)
			if err != nil {
				errs = append(errs, diag.Errorf(f, 0, 0, "%v", err))
				continue
			}
			add(f, data)
		}
		limit := b.limits.Subpackage
		label := pkg.Root
		if pkg.Root == "" {
			limit, label = b.limits.Main, "main package"
		}
		if mp.Size > limit {
			errs = append(errs, diag.Errorf(label, 0, 0, "%s exceeds the %s limit (largest files: %s)", FormatSize(mp.Size), FormatSize(limit), largest(o.parts, 3)))
		}
		total += mp.Size
		res.Manifest.Packages = append(res.Manifest.Packages, mp)
		res.Report = append(res.Report, PackageSize{Root: pkg.Root, Name: pkg.Name, Bytes: mp.Size, Limit: limit, Files: len(mp.Files), Pages: len(pkg.Pages)})
	}
	if total > b.limits.Total {
		var all []contribution
		for _, o := range outs {
			all = append(all, o.parts...)
		}
		errs = append(errs, diag.Errorf("all packages", 0, 0, "%s exceed the %s total limit (largest files: %s)", FormatSize(total), FormatSize(b.limits.Total), largest(all, 3)))
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}

	m := &res.Manifest
	m.AppID = appid
	m.App = b.appJSON()
	m.Pages = map[string]map[string]any{}
	for path, u := range p.Pages {
		m.Pages[path] = unitJSON(u)
	}
	m.Components = map[string]map[string]any{}
	for path, u := range p.Components {
		c := unitJSON(u)
		c["styleScope"] = b.scopes[path]
		m.Components[path] = c
	}
	if p.Sitemap != nil {
		m.Sitemap = p.Sitemap.Value
	}
	if p.Theme != nil {
		m.Theme = p.Theme.Value
	}
	body, err := canonicalJSON(m) // m.Hash is still empty: left out
	if err != nil {
		return nil, diag.List{diag.Errorf("app.json", 0, 0, "manifest: %v", err)}
	}
	m.Hash = HashOf(body)
	if res.ManifestJSON, err = canonicalJSON(m); err != nil {
		return nil, diag.List{diag.Errorf("app.json", 0, 0, "manifest: %v", err)}
	}
	return res, nil
}

// largest lists the n biggest contributions, biggest first.
func largest(parts []contribution, n int) string {
	parts = slices.Clone(parts)
	slices.SortFunc(parts, func(a, b contribution) int {
		if a.size != b.size {
			return int(b.size - a.size)
		}
		return strings.Compare(a.file, b.file)
	})
	var out []string
	for i, c := range parts {
		if i == n {
			out = append(out, "…")
			break
		}
		out = append(out, c.file+" "+FormatSize(c.size))
	}
	return strings.Join(out, ", ")
}

// FormatSize writes a byte count as WeChat's tools do: "2 MB", "2.31 MB",
// "12.5 KB", "312 B".
func FormatSize(n int64) string {
	trim := func(f float64, prec int) string {
		s := strconv.FormatFloat(f, 'f', prec, 64)
		if strings.Contains(s, ".") {
			s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		}
		return s
	}
	switch {
	case n >= MB:
		return trim(float64(n)/MB, 2) + " MB"
	case n >= 1<<10:
		return trim(float64(n)/(1<<10), 1) + " KB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

// appJSON is app.json as written, normalised: one "subpackages" spelling
// with roots ending in "/", page paths without a leading slash, global
// usingComponents resolved to component paths.
func (b *builder) appJSON() map[string]any {
	p := b.proj
	app := clone(p.App.Value)
	if pages, ok := app["pages"].([]any); ok {
		for i, e := range pages {
			if s, ok := e.(string); ok {
				pages[i] = strings.TrimPrefix(s, "/")
			}
		}
	}
	delete(app, "subPackages")
	delete(app, "subpackages")
	if len(p.Packages) > 1 {
		var subs []any
		for _, pkg := range p.Packages[1:] {
			s := map[string]any{"root": pkg.Root}
			if pkg.Name != "" {
				s["name"] = pkg.Name
			}
			if pkg.Independent {
				s["independent"] = true
			}
			pages := make([]any, len(pkg.Pages))
			for i, pg := range pkg.Pages {
				pages[i] = strings.TrimPrefix(pg, pkg.Root)
			}
			s["pages"] = pages
			subs = append(subs, s)
		}
		app["subpackages"] = subs
	}
	if len(p.Global) > 0 {
		app["usingComponents"] = stringMap(p.Global)
	}
	return app
}

// unitJSON is a page's or component's JSON with its component references
// resolved and its package named.
func unitJSON(u *project.Unit) map[string]any {
	out := map[string]any{}
	if u.JSON != nil {
		out = clone(u.JSON.Value)
	}
	if len(u.Using) > 0 {
		out["usingComponents"] = stringMap(u.Using)
	}
	if cg, ok := out["componentGenerics"].(map[string]any); ok {
		for name, def := range u.Generics {
			if m, ok := cg[name].(map[string]any); ok && def != "" {
				m["default"] = def
			}
		}
	}
	out["package"] = u.Package.Root
	return out
}

func stringMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// clone deep-copies decoded JSON so the manifest never aliases the project.
func clone(m map[string]any) map[string]any {
	var walk func(v any) any
	walk = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			out := make(map[string]any, len(v))
			for k, e := range v {
				out[k] = walk(e)
			}
			return out
		case []any:
			out := make([]any, len(v))
			for i, e := range v {
				out[i] = walk(e)
			}
			return out
		}
		return v
	}
	return walk(m).(map[string]any)
}
