package fidelity

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/evanw/esbuild/pkg/api"

	"superapp/internal/miniprogram/wxml"
)

// Result is what one side made of a case: exactly one of Tree (the rendered
// nodes in canon.js form), Error (compilation refused) or Throws (the render
// threw). Console is what wcc's runtime logged; it is informative only.
type Result struct {
	Tree    json.RawMessage `json:"tree,omitempty"`
	Error   string          `json:"error,omitempty"`
	Throws  string          `json:"throws,omitempty"`
	Root    string          `json:"root,omitempty"`
	Console []string        `json:"console,omitempty"`
}

func (r Result) kind() string {
	switch {
	case r.Error != "":
		return "error"
	case r.Throws != "":
		return "throws"
	}
	return "tree"
}

// Compare says whether ours agrees with wcc's result, and if not, why in a
// short phrase fit for the report.
func Compare(wcc, ours Result) (agree bool, why string) {
	switch {
	case wcc.kind() == "error" && ours.kind() == "error":
		return true, ""
	case wcc.kind() == "error":
		return false, "wcc rejects (" + clip(wcc.Error, 120) + "), we " + describe(ours)
	case ours.kind() == "error":
		return false, "we reject (" + clip(ours.Error, 160) + "), wcc renders"
	case wcc.kind() == "throws" && ours.kind() == "throws":
		return true, ""
	case wcc.kind() == "throws":
		return false, "wcc's render throws (" + clip(wcc.Throws, 100) + "), ours does not"
	case ours.kind() == "throws":
		return false, "our render throws (" + clip(ours.Throws, 160) + ")"
	}
	var a, b any
	if err := json.Unmarshal(wcc.Tree, &a); err != nil {
		return false, "wcc tree unreadable: " + err.Error()
	}
	if err := json.Unmarshal(ours.Tree, &b); err != nil {
		return false, "our tree unreadable: " + err.Error()
	}
	if reflect.DeepEqual(a, b) {
		return true, ""
	}
	return false, firstDifference("", a, b)
}

func describe(r Result) string {
	if r.kind() == "throws" {
		return "throw at render (" + clip(r.Throws, 80) + ")"
	}
	return "compile and render it"
}

// firstDifference names the first place two canonical trees differ.
func firstDifference(path string, a, b any) string {
	show := func(v any) string {
		s, _ := json.Marshal(v)
		return clip(string(s), 90)
	}
	switch x := a.(type) {
	case []any:
		y, ok := b.([]any)
		if !ok {
			return fmt.Sprintf("at %s: wcc %s, ours %s", orRoot(path), show(a), show(b))
		}
		for i := 0; i < len(x) && i < len(y); i++ {
			if !reflect.DeepEqual(x[i], y[i]) {
				return firstDifference(fmt.Sprintf("%s[%d]", path, i), x[i], y[i])
			}
		}
		return fmt.Sprintf("at %s: wcc has %d nodes, ours %d (wcc %s, ours %s)", orRoot(path), len(x), len(y), show(a), show(b))
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return fmt.Sprintf("at %s: wcc %s, ours %s", orRoot(path), show(a), show(b))
		}
		keys := map[string]bool{}
		for k := range x {
			keys[k] = true
		}
		for k := range y {
			keys[k] = true
		}
		names := make([]string, 0, len(keys))
		for k := range keys {
			names = append(names, k)
		}
		sort.Strings(names)
		// Tags first: when they differ, nothing below matters.
		sort.SliceStable(names, func(i, j int) bool { return names[i] == "tag" && names[j] != "tag" })
		for _, k := range names {
			if !reflect.DeepEqual(x[k], y[k]) {
				xv, xok := x[k]
				yv, yok := y[k]
				if !xok || !yok {
					return fmt.Sprintf("at %s.%s: wcc %s, ours %s", orRoot(path), k, presence(xok, xv), presence(yok, yv))
				}
				return firstDifference(path+"."+k, xv, yv)
			}
		}
	}
	return fmt.Sprintf("at %s: wcc %s, ours %s", orRoot(path), show(a), show(b))
}

func presence(ok bool, v any) string {
	if !ok {
		return "(absent)"
	}
	s, _ := json.Marshal(v)
	return clip(string(s), 90)
}

func orRoot(p string) string {
	if p == "" {
		return "top"
	}
	return p
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// RepoRoot is the directory holding go.mod above dir.
func RepoRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the test directory")
		}
		dir = parent
	}
}

// compiled is one case's package turned into runtime statements, or the
// compiler's refusal.
type compiled struct {
	js  string
	err string
}

// compileCase runs our compiler over every .wxml and .wxs file of c, in
// path order, and concatenates the statements. A panic (an unfinished
// compiler) is reported like an error so one bad case cannot stop the suite.
func compileCase(c Case) compiled {
	paths := make([]string, 0, len(c.Files))
	for p := range c.Files {
		if strings.HasSuffix(p, ".wxml") || strings.HasSuffix(p, ".wxs") {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	var js strings.Builder
	var errs []string
	for _, p := range paths {
		out, err := compileFile(p, []byte(c.Files[p]))
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		js.WriteString(out)
		js.WriteString("\n")
	}
	if len(errs) > 0 {
		return compiled{err: strings.Join(errs, "; ")}
	}
	return compiled{js: js.String()}
}

func compileFile(path string, src []byte) (js string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("compiler panic: %v", r)
		}
	}()
	if strings.HasSuffix(path, ".wxs") {
		js, _, err = wxml.CompileWXS(path, src)
	} else {
		js, _, err = wxml.Compile(path, src)
	}
	return js, err
}

// BundleRuntime bundles web/miniprogram/src/wxml/runtime.ts into an IIFE
// that defines the global SuperappWXML (its exports, Registry among them).
func BundleRuntime(repoRoot string) (string, error) {
	entry := filepath.Join(repoRoot, "web", "miniprogram", "src", "wxml", "runtime.ts")
	if _, err := os.Stat(entry); err != nil {
		return "", fmt.Errorf("the WXML runtime is missing: %w", err)
	}
	res := api.Build(api.BuildOptions{
		AbsWorkingDir: repoRoot,
		EntryPoints:   []string{entry},
		Bundle:        true,
		Format:        api.FormatIIFE,
		GlobalName:    "SuperappWXML",
		Platform:      api.PlatformNeutral,
		Target:        api.ES2020,
		Write:         false,
		LogLevel:      api.LogLevelSilent,
	})
	if len(res.Errors) > 0 {
		msgs := api.FormatMessages(res.Errors, api.FormatMessagesOptions{Kind: api.ErrorMessage})
		return "", errors.New(strings.Join(msgs, "\n"))
	}
	if len(res.OutputFiles) != 1 {
		return "", fmt.Errorf("esbuild produced %d files, want 1", len(res.OutputFiles))
	}
	return string(res.OutputFiles[0].Contents), nil
}

// runnerJS renders every case in one node process: a fresh Registry per
// case, the case's statements run with __R bound to it (the contract's
// service.js shape), then render("index.wxml", data) in canon.js form,
// without our `branch` extension.
const runnerJS = `'use strict';
const fs = require('fs');
const canon = (function () { const module = { exports: {} }; (function (module, exports) {
%s
})(module, module.exports); return module.exports; })();
%s
const cases = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const out = {};
const quiet = () => {};
const dropBranch = (nodes) => {
  for (const n of nodes) if (n && typeof n === 'object' && Array.isArray(n.children)) { delete n.branch; dropBranch(n.children); }
  return nodes;
};
console.log = console.warn = console.error = console.info = console.debug = quiet;
for (const c of cases) {
  try {
    const __R = new SuperappWXML.Registry();
    new Function('__R', c.js)(__R);
    out[c.name] = { tree: canon.canonTree(dropBranch(__R.render('index.wxml', c.data)), true) };
  } catch (e) {
    out[c.name] = { throws: String(e && e.message ? e.message : e) };
  }
}
process.stdout.write(JSON.stringify(out));
`

// RunOurs compiles and renders every case with our compiler and runtime.
func RunOurs(ctx context.Context, repoRoot string, cases []Case) (map[string]Result, error) {
	canonJS, err := os.ReadFile(filepath.Join(repoRoot, "internal", "miniprogram", "fidelity", "oracle", "canon.js"))
	if err != nil {
		return nil, err
	}
	bundle, err := BundleRuntime(repoRoot)
	if err != nil {
		return nil, err
	}
	results := map[string]Result{}
	type job struct {
		Name string          `json:"name"`
		JS   string          `json:"js"`
		Data json.RawMessage `json:"data"`
	}
	var jobs []job
	for _, c := range cases {
		cc := compileCase(c)
		if cc.err != "" {
			results[c.Name] = Result{Error: cc.err}
			continue
		}
		jobs = append(jobs, job{Name: c.Name, JS: cc.js, Data: c.Data})
	}
	if len(jobs) == 0 {
		return results, nil
	}
	dir, err := os.MkdirTemp("", "wxml-fidelity-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	jobsJSON, err := json.Marshal(jobs)
	if err != nil {
		return nil, err
	}
	casesPath := filepath.Join(dir, "cases.json")
	scriptPath := filepath.Join(dir, "runner.js")
	if err := os.WriteFile(casesPath, jobsJSON, 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(scriptPath, []byte(fmt.Sprintf(runnerJS, canonJS, bundle)), 0o644); err != nil {
		return nil, err
	}
	out, err := runNode(ctx, dir, 2*time.Minute, nil, scriptPath, casesPath)
	if err != nil {
		return nil, err
	}
	var rendered map[string]Result
	if err := json.Unmarshal(out, &rendered); err != nil {
		return nil, fmt.Errorf("runner output: %v", err)
	}
	for name, r := range rendered {
		results[name] = r
	}
	for _, j := range jobs {
		if _, ok := results[j.Name]; !ok {
			results[j.Name] = Result{Throws: "runner gave no result"}
		}
	}
	return results, nil
}

// RunWcc renders every case with wcc through oracle/wcc-tree.js (needs
// `npm ci` in oracle/).
func RunWcc(ctx context.Context, repoRoot string, cases []Case) (map[string]Result, error) {
	var results map[string]Result
	err := runOracle(ctx, repoRoot, "miniprogram-compiler", cases, true, 10*time.Minute, &results, "wcc-tree.js", "--batch")
	return results, err
}

// CurrentCompilerErrors compiles each case with WeChat's current template
// compiler (npm glass-easel-template-compiler in oracle/) and returns its
// errors by case name: an empty list means it accepts the case.
func CurrentCompilerErrors(ctx context.Context, repoRoot string, cases []Case) (map[string][]string, error) {
	var errs map[string][]string
	err := runOracle(ctx, repoRoot, "glass-easel-template-compiler", cases, false, 5*time.Minute, &errs, "current-accepts.js")
	return errs, err
}

// runOracle hands the cases (with their data when withData) as JSON to a
// node script in oracle/ that needs the npm package pkg, and decodes its
// JSON answer into out.
func runOracle(ctx context.Context, repoRoot, pkg string, cases []Case, withData bool, limit time.Duration, out any, script ...string) error {
	oracle := filepath.Join(repoRoot, "internal", "miniprogram", "fidelity", "oracle")
	if _, err := os.Stat(filepath.Join(oracle, "node_modules", pkg)); err != nil {
		return fmt.Errorf("%s is not installed: run `npm ci` in %s", pkg, oracle)
	}
	type job struct {
		Name  string            `json:"name"`
		Files map[string]string `json:"files"`
		Data  json.RawMessage   `json:"data,omitempty"`
	}
	jobs := make([]job, len(cases))
	for i, c := range cases {
		jobs[i] = job{Name: c.Name, Files: c.Files}
		if withData {
			jobs[i].Data = c.Data
		}
	}
	in, err := json.Marshal(jobs)
	if err != nil {
		return err
	}
	raw, err := runNode(ctx, oracle, limit, in, script...)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s output: %v", script[0], err)
	}
	return nil
}

func runNode(ctx context.Context, dir string, limit time.Duration, stdin []byte, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = dir
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("node %s: %v\n%s", strings.Join(args, " "), err, clip(stderr.String(), 2000))
	}
	return stdout.Bytes(), nil
}
