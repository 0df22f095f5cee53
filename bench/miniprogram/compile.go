package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"superapp/internal/miniprogram/pack"
	"superapp/internal/miniprogram/wxml"
	"superapp/internal/miniprogram/wxss"
)

// corpus is one set of sources compiled together: a fixture project or a
// component library's dist directory.
type corpus struct {
	name      string
	root      string   // absolute
	wxml      []string // root-relative, slash-separated
	wxs       []string
	wxss      []string
	bytes     int64
	isFixture bool
	// components maps a template to the custom component tags its .json
	// declares (wcc's -cc argument needs them).
	components map[string][]string
	// scoped marks the stylesheets of components (compiled isolated, as
	// the packer does).
	scoped map[string]bool
}

func loadCorpus(name, root string, isFixture bool) (*corpus, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	c := &corpus{name: name, root: abs, isFixture: isFixture, components: map[string][]string{}, scoped: map[string]bool{}}
	err = filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "node_modules" || d.Name() == "miniprogram_npm" {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(abs, p)
		rel = filepath.ToSlash(rel)
		switch path.Ext(rel) {
		case ".wxml":
			c.wxml = append(c.wxml, rel)
		case ".wxs":
			c.wxs = append(c.wxs, rel)
		case ".wxss":
			c.wxss = append(c.wxss, rel)
		default:
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		c.bytes += info.Size()
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, list := range [][]string{c.wxml, c.wxs, c.wxss} {
		sort.Strings(list)
	}
	for _, f := range append(append([]string{}, c.wxml...), c.wxss...) {
		raw, err := os.ReadFile(filepath.Join(abs, strings.TrimSuffix(f, path.Ext(f))+".json"))
		if err != nil {
			continue
		}
		var j struct {
			Component       bool              `json:"component"`
			UsingComponents map[string]string `json:"usingComponents"`
		}
		if json.Unmarshal(raw, &j) != nil {
			continue
		}
		if path.Ext(f) == ".wxss" {
			// A library's every .json belongs to a component; a fixture's
			// pages have one too, and are not isolated.
			c.scoped[f] = j.Component || !isFixture
			continue
		}
		if len(j.UsingComponents) > 0 {
			tags := make([]string, 0, len(j.UsingComponents))
			for t := range j.UsingComponents {
				tags = append(tags, t)
			}
			sort.Strings(tags)
			c.components[f] = tags
		}
	}
	return c, nil
}

// ours compiles every file of c with the Go compilers, reading each from
// disk as wcc does, and returns the time for templates+WXS and for styles.
func (c *corpus) ours() (tpl, css time.Duration, err error) {
	read := func(rel string) ([]byte, error) { return os.ReadFile(filepath.Join(c.root, filepath.FromSlash(rel))) }
	start := time.Now()
	for _, list := range []struct {
		files   []string
		compile func(string, []byte) (string, []string, error)
	}{{c.wxml, wxml.Compile}, {c.wxs, wxml.CompileWXS}} {
		for _, f := range list.files {
			src, err := read(f)
			if err != nil {
				return 0, 0, err
			}
			if _, _, err := list.compile(f, src); err != nil {
				return 0, 0, fmt.Errorf("%s: %v", c.name, err)
			}
		}
	}
	tpl = time.Since(start)
	start = time.Now()
	for _, f := range c.wxss {
		src, err := read(f)
		if err != nil {
			return 0, 0, err
		}
		opts := wxss.Options{Load: read}
		if c.scoped[f] {
			opts.Scope = "cbench"
		}
		if _, err := wxss.Compile(f, src, opts); err != nil {
			return 0, 0, fmt.Errorf("%s: %v", c.name, err)
		}
	}
	return tpl, time.Since(start), nil
}

// procTime is one run of an external compiler: wall time from start to
// exit, and the CPU time the process used (user + system).
type procTime struct {
	wall, cpu time.Duration
	outBytes  int
}

func runProc(dir, bin string, args ...string) (procTime, error) {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return procTime{}, fmt.Errorf("%s in %s: %v: %.400s", filepath.Base(bin), dir, err, stderr.String()+out.String())
	}
	return procTime{wall, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), out.Len()}, nil
}

// wcc compiles every template and WXS module of c in one wcc process, as
// DevTools does: files with a "./" prefix (wcc cannot resolve absolute
// imports otherwise), the custom components of each template in -cc.
func (c *corpus) wcc(bin string) (procTime, error) {
	cc := []string{strconv.Itoa(len(c.components))}
	for _, f := range c.wxml {
		if tags, ok := c.components[f]; ok {
			cc = append(cc, "./"+f, strconv.Itoa(len(tags)))
			cc = append(cc, tags...)
		}
	}
	args := []string{"-cc", strings.Join(cc, " ")}
	for _, f := range append(append([]string{}, c.wxml...), c.wxs...) {
		args = append(args, "./"+f)
	}
	return runProc(c.root, bin, append(args, "-gn", "$gwx")...)
}

// wcsc compiles every stylesheet of c as an entry of its own (-pc N), as
// ours does; wcsc crashes on an empty file list, so none means no run.
func (c *corpus) wcsc(bin string) (procTime, error) {
	if len(c.wxss) == 0 {
		return procTime{}, nil
	}
	args := []string{"-pc", strconv.Itoa(len(c.wxss))}
	for _, f := range c.wxss {
		args = append(args, "./"+f)
	}
	return runProc(c.root, bin, args...)
}

// compileResult is one corpus's medians.
type compileResult struct {
	Name                   string
	Files, Bytes           int64
	Ours, OursTpl, OursCSS time.Duration
	WCC, WCSC              procTime
	Pack                   time.Duration
	Err                    string
}

// oracleBins finds wcc and wcsc; wcsc is installed without its execute bit,
// so both are copied into dir and made executable there.
func oracleBins(dir string) (wcc, wcsc string, err error) {
	for _, name := range []string{"wcc", "wcsc"} {
		src, err := os.ReadFile(filepath.Join(*flagWCC, name))
		if err != nil {
			return "", "", fmt.Errorf("WeChat's %s is not installed (%v): cd internal/miniprogram/fidelity/oracle && npm ci", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), src, 0o755); err != nil {
			return "", "", err
		}
	}
	return filepath.Join(dir, "wcc"), filepath.Join(dir, "wcsc"), nil
}

func benchCompile(fxs []fixture) ([]compileResult, error) {
	binDir, err := os.MkdirTemp("", "superapp-bench-wcc-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(binDir)
	wccBin, wcscBin, err := oracleBins(binDir)
	if err != nil {
		return nil, err
	}
	var corpora []*corpus
	for _, f := range fxs {
		c, err := loadCorpus(f.Name, f.Dir, true)
		if err != nil {
			return nil, err
		}
		corpora = append(corpora, c)
	}
	for _, lib := range []struct{ name, dist string }{
		{"tdesign-miniprogram", "tdesign-miniprogram/miniprogram_dist"},
		{"@vant/weapp", "@vant/weapp/dist"},
		{"weui-miniprogram", "weui-miniprogram/miniprogram_dist"},
	} {
		root := filepath.Join(*flagLibs, filepath.FromSlash(lib.dist))
		if _, err := os.Stat(root); err != nil {
			fmt.Printf("skipping %s: not installed (cd internal/miniprogram/libcompat/npm && npm ci --ignore-scripts)\n", lib.name)
			continue
		}
		c, err := loadCorpus(lib.name, root, false)
		if err != nil {
			return nil, err
		}
		corpora = append(corpora, c)
	}

	// wcc's and wcsc's fixed cost: one process on a one-line file.
	empty, err := os.MkdirTemp("", "superapp-bench-empty-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(empty)
	os.WriteFile(filepath.Join(empty, "a.wxml"), []byte("<view>a</view>\n"), 0o644)
	os.WriteFile(filepath.Join(empty, "a.wxss"), []byte(".a { color: red; }\n"), 0o644)
	var startWCC, startWCSC []procTime

	waitIdle("compile")
	var results []compileResult
	for _, c := range corpora {
		r := compileResult{Name: c.name, Files: int64(len(c.wxml) + len(c.wxs) + len(c.wxss)), Bytes: c.bytes}
		var ours, oursTpl, oursCSS, packs []time.Duration
		var wccs, wcscs []procTime
		// Round 0 warms the page cache and both sides' code; it is not counted.
		for round := 0; round <= *flagRuns; round++ {
			tpl, css, err := c.ours()
			if err != nil {
				r.Err = err.Error()
				break
			}
			w, err := c.wcc(wccBin)
			if err != nil {
				r.Err = err.Error()
				break
			}
			s, err := c.wcsc(wcscBin)
			if err != nil {
				r.Err = err.Error()
				break
			}
			var packed time.Duration
			if c.isFixture {
				start := time.Now()
				if _, err := pack.Build(c.root, pack.Options{}); err != nil {
					r.Err = err.Error()
					break
				}
				packed = time.Since(start)
			}
			e1, err1 := runProc(empty, wccBin, "-cc", "0", "./a.wxml", "-gn", "$gwx")
			e2, err2 := runProc(empty, wcscBin, "-pc", "1", "./a.wxss")
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("wcc/wcsc on one line: %v %v", err1, err2)
			}
			if round == 0 {
				continue
			}
			startWCC, startWCSC = append(startWCC, e1), append(startWCSC, e2)
			ours, oursTpl, oursCSS = append(ours, tpl+css), append(oursTpl, tpl), append(oursCSS, css)
			wccs, wcscs, packs = append(wccs, w), append(wcscs, s), append(packs, packed)
		}
		if r.Err == "" {
			r.Ours, r.OursTpl, r.OursCSS, r.Pack = medianDur(ours), medianDur(oursTpl), medianDur(oursCSS), medianDur(packs)
			r.WCC, r.WCSC = medianProc(wccs), medianProc(wcscs)
		}
		results = append(results, r)
	}
	reportCompile(results, medianProc(startWCC), medianProc(startWCSC))
	return results, nil
}

func medianDur(xs []time.Duration) time.Duration {
	s := append([]time.Duration(nil), xs...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 0 {
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return s[len(s)/2]
}

func medianProc(xs []procTime) procTime {
	return procTime{
		wall:     medianDur(of(xs, func(p procTime) time.Duration { return p.wall })),
		cpu:      medianDur(of(xs, func(p procTime) time.Duration { return p.cpu })),
		outBytes: 0,
	}
}

func msd(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/1e6) }

func ratio(a, b time.Duration) string {
	if b <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f×", float64(a)/float64(b))
}

func reportCompile(rs []compileResult, startWCC, startWCSC procTime) {
	fmt.Printf("\nCompile: median ms of %d runs; ours in-process (read + compile each file, one goroutine); wcc/wcsc one process per corpus (wall from spawn to exit · its user+sys CPU)\n", *flagRuns)
	fmt.Printf("wcc on a one-line file: %s ms wall · %s ms CPU; wcsc: %s ms · %s ms (their fixed cost per process)\n",
		msd(startWCC.wall), msd(startWCC.cpu), msd(startWCSC.wall), msd(startWCSC.cpu))
	w := table("corpus\tfiles\tkB\tours wxml+wxs\twcc wall · CPU\tours wxss\twcsc wall · CPU\tours total\twcc+wcsc wall · CPU\tspeed-up wall · CPU\tpack.Build")
	var fx, lib, all compileResult
	add := func(t *compileResult, r compileResult) {
		t.Files += r.Files
		t.Bytes += r.Bytes
		t.Ours += r.Ours
		t.OursTpl += r.OursTpl
		t.OursCSS += r.OursCSS
		t.WCC.wall += r.WCC.wall
		t.WCC.cpu += r.WCC.cpu
		t.WCSC.wall += r.WCSC.wall
		t.WCSC.cpu += r.WCSC.cpu
		t.Pack += r.Pack
	}
	row := func(r compileResult) {
		if r.Err != "" {
			fmt.Fprintf(w, "%s\t%d\t%d\tfailed: %.120s\n", r.Name, r.Files, r.Bytes/1000, r.Err)
			return
		}
		theirs := procTime{wall: r.WCC.wall + r.WCSC.wall, cpu: r.WCC.cpu + r.WCSC.cpu}
		packed := "—"
		if r.Pack > 0 {
			packed = msd(r.Pack)
		}
		fmt.Fprintf(w, "%s\t%d\t%d\t%s\t%s · %s\t%s\t%s · %s\t%s\t%s · %s\t%s · %s\t%s\n", r.Name, r.Files, r.Bytes/1000,
			msd(r.OursTpl), msd(r.WCC.wall), msd(r.WCC.cpu), msd(r.OursCSS), msd(r.WCSC.wall), msd(r.WCSC.cpu),
			msd(r.Ours), msd(theirs.wall), msd(theirs.cpu), ratio(theirs.wall, r.Ours), ratio(theirs.cpu, r.Ours), packed)
	}
	for _, r := range rs {
		row(r)
		if r.Err != "" {
			continue
		}
		if r.Pack > 0 {
			add(&fx, r)
		} else {
			add(&lib, r)
		}
		add(&all, r)
	}
	fx.Name, lib.Name, all.Name = "all fixtures", "all libraries", "everything"
	row(fx)
	row(lib)
	all.Pack = 0 // only fixtures are packed
	row(all)
	w.Flush()
}
