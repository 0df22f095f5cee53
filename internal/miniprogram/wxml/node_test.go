package wxml

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/evanw/esbuild/pkg/api"
)

// nodeCase is one render: the package files, the page to render and its data.
type nodeCase struct {
	Files map[string]string `json:"files"`
	Path  string            `json:"path"`
	Data  any               `json:"data"`
}

// nodeResult is what node answers for a case: the tree, or the error the
// render threw.
type nodeResult struct {
	Tree  []any  `json:"tree"`
	Error string `json:"error"`
}

var (
	runtimeOnce sync.Once
	runtimeJS   string
	runtimeErr  string
)

// bundledRuntime bundles web/miniprogram/src/wxml/runtime.ts the way the
// fidelity harness does: an IIFE exposing the global SuperappWXML.
func bundledRuntime(t *testing.T) string {
	t.Helper()
	runtimeOnce.Do(func() {
		_, here, _, _ := runtime.Caller(0)
		entry := filepath.Join(filepath.Dir(here), "../../../web/miniprogram/src/wxml/runtime.ts")
		res := api.Build(api.BuildOptions{
			EntryPoints: []string{entry},
			Bundle:      true,
			Format:      api.FormatIIFE,
			GlobalName:  "SuperappWXML",
			Target:      api.ES2017,
			Write:       false,
		})
		if len(res.Errors) > 0 {
			msgs := api.FormatMessages(res.Errors, api.FormatMessagesOptions{Kind: api.ErrorMessage})
			runtimeErr = strings.Join(msgs, "\n")
			return
		}
		runtimeJS = string(res.OutputFiles[0].Contents)
	})
	if runtimeErr != "" {
		t.Fatalf("bundling runtime.ts: %s", runtimeErr)
	}
	return runtimeJS
}

// compileCase compiles every .wxml and .wxs file of a case into the
// statements a service.js would hold, in a stable order.
func compileCase(t *testing.T, files map[string]string) (string, error) {
	t.Helper()
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		var js string
		var err error
		switch {
		case strings.HasSuffix(name, ".wxml"):
			js, _, err = Compile(name, []byte(files[name]))
		case strings.HasSuffix(name, ".wxs"):
			js, _, err = CompileWXS(name, []byte(files[name]))
		default:
			continue
		}
		if err != nil {
			return "", err
		}
		b.WriteString(js)
	}
	return b.String(), nil
}

// renderAllInNode compiles and renders every case in one node process; each
// case gets a fresh Registry.
func renderAllInNode(t *testing.T, cases []nodeCase) []nodeResult {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	var script strings.Builder
	script.WriteString(bundledRuntime(t))
	script.WriteString("\nconsole.warn = () => {}; console.error = () => {}; console.log = () => {};\nconst __out = [];\n")
	for i, c := range cases {
		js, err := compileCase(t, c.Files)
		if err != nil {
			t.Fatalf("case %d: compile: %v", i, err)
		}
		data, _ := json.Marshal(c.Data)
		path, _ := json.Marshal(c.Path)
		script.WriteString("try { const __R = new SuperappWXML.Registry();\n")
		script.WriteString(js)
		script.WriteString("__out.push({tree: __R.render(" + string(path) + ", " + string(data) + ")}); } catch (e) { __out.push({error: String(e && e.stack || e)}); }\n")
	}
	script.WriteString("process.stdout.write(JSON.stringify(__out));\n")
	dir := t.TempDir()
	file := filepath.Join(dir, "render.js")
	if err := os.WriteFile(file, []byte(script.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, file).Output()
	if err != nil {
		msg := err.Error()
		if ee, ok := err.(*exec.ExitError); ok {
			msg += "\n" + string(ee.Stderr)
		}
		t.Fatalf("node: %s", msg)
	}
	var results []nodeResult
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("node output: %v\n%s", err, out)
	}
	return results
}

// renderInNode renders one page of a set of files and returns its tree as
// JSON values.
func renderInNode(t *testing.T, files map[string]string, path string, data any) []any {
	t.Helper()
	r := renderAllInNode(t, []nodeCase{{Files: files, Path: path, Data: data}})[0]
	if r.Error != "" {
		t.Fatalf("render %s: %s", path, r.Error)
	}
	return r.Tree
}
