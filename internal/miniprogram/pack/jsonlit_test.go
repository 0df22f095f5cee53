package pack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// big repeats an element until the literal passes minJSONLiteral.
func big(open, elem, close string) string {
	var b strings.Builder
	b.WriteString(open)
	for b.Len() < minJSONLiteral+100 {
		b.WriteString(elem)
		b.WriteString(",\n  ")
	}
	b.WriteString(close)
	return b.String()
}

func TestLiteralsToJSONRewrites(t *testing.T) {
	rows := big("[\n  ", `{ id: 1e5, sku: "SKU1", title: "李宁 无线耳机", 'q': 'it\'s', price: -0.5, n: .25, e: 5.e3, ok: true, none: null, tags: ["a", "b"], nested: { "k": [1, 2, [3]] } }`, "\n]")
	code := "var x = 1;\nconst catalog = " + rows + ";\nfunction f() { return catalog.length; }\n"
	rewritten, changed := literalsToJSON([]byte(code), inline)
	out := string(rewritten)
	if !changed || !strings.Contains(out, "const catalog = JSON.parse('[{\"id\":1e5,\"sku\":\"SKU1\",\"title\":\"李宁 无线耳机\",\"q\":\"it\\'s\",\"price\":-0.5,\"n\":0.25,\"e\":5.0e3,") {
		t.Fatalf("not rewritten as expected:\n%.300s", out)
	}
	if !strings.HasSuffix(out, "');\nfunction f() { return catalog.length; }\n") || !strings.HasPrefix(out, "var x = 1;\n") {
		t.Fatalf("code around the literal changed:\n%.200s … %s", out, out[len(out)-80:])
	}
	if len(out) >= len(code) {
		t.Errorf("the JSON form is not smaller: %d ≥ %d bytes", len(out), len(code))
	}
}

func TestLiteralsToJSONLeavesAlone(t *testing.T) {
	rows := big("[", `{ a: 1 }`, "]")
	for name, code := range map[string]string{
		"small literal":          "const a = [1, 2, 3];\n",
		"inside a function":      "function f() {\n  const a = " + rows + ";\n  return a;\n}\n",
		"not a declaration":      "foo(" + rows + ");\n",
		"identifier value":       "const a = " + strings.Replace(rows, "a: 1", "a: x", 1) + ";\n",
		"template value":         "const a = " + strings.Replace(rows, "a: 1", "a: `x`", 1) + ";\n",
		"shorthand property":     "const a = " + strings.Replace(rows, "{ a: 1 }", "{ a }", 1) + ";\n",
		"hole":                   "const a = " + strings.Replace(rows, "{ a: 1 },", "{ a: 1 },,", 1) + ";\n",
		"__proto__ key":          "const a = " + strings.Replace(rows, "a: 1", "__proto__: 1", 1) + ";\n",
		"quoted __proto__":       "const a = " + strings.Replace(rows, "a: 1", `"__proto__": 1`, 1) + ";\n",
		"hex number":             "const a = " + strings.Replace(rows, "a: 1", "a: 0x1f", 1) + ";\n",
		"bigint":                 "const a = " + strings.Replace(rows, "a: 1", "a: 1n", 1) + ";\n",
		"octal escape":           "const a = " + strings.Replace(rows, "a: 1", `a: "\1"`, 1) + ";\n",
		"lone surrogate":         "const a = " + strings.Replace(rows, "a: 1", `a: "\uD800"`, 1) + ";\n",
		"JSON shadowed":          "const JSON = { parse: () => 0 };\nconst a = " + rows + ";\n",
		"inside a template":      "const t = `\nconst a = " + rows + ";\n`;\n",
		"unbalanced (unsure)":    "const a = " + rows + ";\n}\n",
		"regex with a backtick":  "const r = /`/;\nconst a = " + rows + ";\n",
		"comment with a bracket": "// [\n/* { */\nconst a = " + rows + ";\n",
	} {
		b, changed := literalsToJSON([]byte(code), inline)
		out := string(b)
		rewritten := out != code
		if rewritten != changed {
			t.Errorf("%s: changed = %v but the code was rewritten = %v", name, changed, rewritten)
		}
		want := name == "regex with a backtick" || name == "comment with a bracket"
		if rewritten != want {
			t.Errorf("%s: rewritten = %v, want %v\n%.200s", name, rewritten, want, out)
		}
	}
}

// TestLiteralsToJSONSameValues evaluates the original and the rewritten
// module in node and compares what they export, over literals with every
// string escape and number form the rewrite accepts.
func TestLiteralsToJSONSameValues(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	elem := `{ s: "tab\there \"q\" \\ \x41 \u00e9 \u{1F600} \uD83D\uDE00 \0 \v \b \f \r ' / \u2028", t: 'single "dq" \'sq\'', n: [0, -0, 1.5, -2e-7, 1e21, .5, 5., 12345678901234567890, 0.1], b: [true, false, null], "quoted key": { "é": 1, $d: 2, _u: 3, "123": 4 }, 7: "numeric key" }`
	code := "const data = " + big("[\n  ", elem, "\n]") + ";\nmodule.exports = data;\n"
	out, changed := literalsToJSON([]byte(code), inline)
	if !changed || bytes.Equal(out, []byte(code)) {
		t.Fatal("the literal was not rewritten")
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a, b := write("a.js", []byte(code)), write("b.js", out)
	script := `const a = require(process.argv[1]), b = require(process.argv[2]);
const same = (x, y) => Object.is(x, y) || (typeof x === 'object' && x !== null && typeof y === 'object' && y !== null &&
  Array.isArray(x) === Array.isArray(y) && Object.getPrototypeOf(x) === Object.getPrototypeOf(y) &&
  JSON.stringify(Object.keys(x)) === JSON.stringify(Object.keys(y)) && Object.keys(x).every(k => same(x[k], y[k])));
if (!same(a, b)) { console.error(JSON.stringify(a[0]), '\n', JSON.stringify(b[0])); process.exit(1); }
console.log(a.length);`
	cmd := exec.Command(node, "-e", script, a, b)
	res, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("values differ: %v\n%s", err, res)
	}
	var n int
	if json.Unmarshal(bytes.TrimSpace(res), &n); n < 2 {
		t.Fatalf("node saw %q", res)
	}
}

// TestBuildDataModule: a data module is shipped as JSON.parse in a
// parenthesized module function; a code module is not touched.
func TestBuildDataModule(t *testing.T) {
	useFakes(t)
	dir := copyTree(t, "testdata/shop")
	rows := big("export const regions = [\n  ", `{ code: "110000", name: "北京市", cities: ["东城区", "西城区"] }`, "\n]")
	writeFile(t, dir, "miniprogram/utils/regions.js", []byte(rows+"\nexport const count = regions.length\n"))
	writeFile(t, dir, "miniprogram/app.js", []byte("import { count } from './utils/regions'\nApp({ globalData: { count } })\n"))
	res := mustBuild(t, dir, Options{})
	service := string(file(t, res, 0, "service.js"))
	if !strings.Contains(service, `define("utils/regions.js", (function (require, module, exports) {`) ||
		!strings.Contains(service, `const regions = JSON.parse('[{"code":"110000","name":"北京市","cities":["东城区","西城区"]},`) {
		t.Fatalf("the data module is not JSON.parse in a parenthesized function:\n%.600s", service[strings.Index(service, `define(`):])
	}
	if !strings.Contains(service, `define("app.js", function (require, module, exports) {`) {
		t.Error("a code module was wrapped too")
	}
	if len(res.Manifest.Packages[0].Data) != 0 {
		t.Errorf("a literal under %d bytes became a data file: %v", minDataFile, res.Manifest.Packages[0].Data)
	}

	// From minDataFile up, the JSON is a package file of its own, read by
	// name; its bytes count toward the package.
	var b strings.Builder
	b.WriteString("export const stations = [\n")
	for i := 0; b.Len() < minDataFile*3/2; i++ {
		fmt.Fprintf(&b, "  { id: %d, name: \"站点 %d\", lines: [1, 2] },\n", i, i)
	}
	b.WriteString("]\n")
	writeFile(t, dir, "miniprogram/utils/stations.js", []byte(b.String()))
	writeFile(t, dir, "miniprogram/app.js", []byte("import { count } from './utils/regions'\nimport { stations } from './utils/stations'\nApp({ globalData: { count, n: stations.length } })\n"))
	res = mustBuild(t, dir, Options{})
	pkg := res.Manifest.Packages[0]
	if len(pkg.Data) != 1 || !strings.HasPrefix(pkg.Data[0], "service-data/") || pkg.Files[pkg.Data[0]] == "" {
		t.Fatalf("data files %v, files %v", pkg.Data, keysOf(pkg.Files))
	}
	name := pkg.Data[0]
	service = string(file(t, res, 0, "service.js"))
	if !strings.Contains(service, `const stations = JSON.parse(__data("`+name+`"));`) {
		t.Fatalf("the module does not read its data file:\n%.400s", service[strings.Index(service, `define("utils/stations.js"`):])
	}
	data := file(t, res, 0, name)
	if !strings.HasPrefix(string(data), `[{"id":0,"name":"站点 0","lines":[1,2]},`) {
		t.Fatalf("data file starts %.80s", data)
	}
	var sum int64
	for _, h := range pkg.Files {
		sum += int64(len(res.Files[h]))
	}
	if pkg.Size != sum {
		t.Errorf("package size %d, its files %d", pkg.Size, sum)
	}
}

// inline keeps every literal's JSON in the code.
func inline([]byte) string { return "" }
