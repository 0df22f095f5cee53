package wxss

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The differential suite: every case in testdata/cases is compiled by us and
// by WeChat's wcsc (its output committed in testdata/golden), and the CSS for
// each window width must be the same text — no normalisation — unless the
// case names a known difference (see differenceReasons), which must then
// really differ.
//
//	go test ./internal/miniprogram/wxss                    # against the goldens, no node needed
//	go test ./internal/miniprogram/wxss -oracle            # also re-run wcsc live, fail on drift
//	go test ./internal/miniprogram/wxss -oracle -update    # rewrite goldens and docs/wxss-fidelity.md
//
// -oracle (or SUPERAPP_WCSC=1) needs `npm ci` in testdata/oracle.
var (
	update     = flag.Bool("update", false, "rewrite the goldens (with -oracle) and docs/wxss-fidelity.md")
	liveOracle = flag.Bool("oracle", false, "run wcsc (testdata/oracle, needs npm ci) and fail where it drifted from the goldens")
)

var widths = []int{320, 375, 414, 768}

// differenceReasons explains every kind of case where our output may differ
// from wcsc's; a case opts in with a "difference: <id>" header line.
var differenceReasons = map[string]string{
	"page-body": "wcsc writes a `page` selector that is not followed by a class as `body` (each WeChat page is a whole " +
		"webview); the contract (docs/miniprogram.md) renders every page in one frame under a `wx-page` root, so we " +
		"write `wx-page` everywhere.",
	"local-url": "wcsc rewrites a `url()` of a package-local file into `url(<path>-do-not-use-local-path-<file>&<line>&<col>)` " +
		"(dropping quotes and spaces) to break it, since WeChat loads no local images from WXSS; our view layer maps " +
		"package paths to asset URLs (contract, \"Assets\"), so we keep the url() as written.",
	"url-rpx": "wcsc converts a number followed by rpx even inside an unquoted `url()` (`url(https://x.com/750rpx.png)` " +
		"loads `…/375px.png` on a 375 px screen); we never rewrite inside `url()`.",
	"absolute-import": "wcsc 0.2.3 cannot resolve `@import \"/x.wxss\"` (\"path `/x.wxss` not found\"); current WeChat " +
		"resolves it from the package root, and so do we.",
	"host": "wcsc (compiling a page) hoists a rule whose selector is `:host` out of the file into a global sheet as " +
		"`[is=\"<mangled path>\"]` and leaves `:host` elsewhere as written; the contract turns `:host` into " +
		"`[wx-host=\"S\"]` in place for a scoped sheet (`:host(.a)` into `[wx-host=\"S\"].a`, the host's class being its " +
		"owner's), and leaves it as `:host` (matching nothing) in an unscoped one.",
}

type diffCase struct {
	name       string
	summary    string
	scope      string
	difference string
	entry      string
	files      map[string]string
	order      []string
}

type oracleResult struct {
	Error string            `json:"error,omitempty"`
	CSS   map[string]string `json:"css,omitempty"`
}

func loadCases(t *testing.T) []diffCase {
	paths, err := filepath.Glob("testdata/cases/*.txt")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	var cases []diffCase
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		c := parseCase(t, strings.TrimSuffix(filepath.Base(p), ".txt"), string(data))
		cases = append(cases, c)
	}
	return cases
}

// parseCase reads a case: header lines ("# summary", "scope: S",
// "difference: id"), then files, each after a "-- path --" line; the first
// file is the one compiled.
func parseCase(t *testing.T, name, text string) diffCase {
	c := diffCase{name: name, files: map[string]string{}}
	var cur string
	var body strings.Builder
	closeFile := func() {
		if cur != "" {
			c.files[cur] = body.String()
			body.Reset()
		}
	}
	for _, line := range strings.SplitAfter(text, "\n") {
		trimmed := strings.TrimRight(line, "\n")
		if strings.HasPrefix(trimmed, "-- ") && strings.HasSuffix(trimmed, " --") && len(trimmed) > 6 {
			closeFile()
			cur = trimmed[3 : len(trimmed)-3]
			c.order = append(c.order, cur)
			continue
		}
		if cur != "" {
			body.WriteString(line)
			continue
		}
		switch {
		case strings.HasPrefix(trimmed, "# ") && c.summary == "":
			c.summary = trimmed[2:]
		case strings.HasPrefix(trimmed, "scope: "):
			c.scope = trimmed[len("scope: "):]
		case strings.HasPrefix(trimmed, "difference: "):
			c.difference = trimmed[len("difference: "):]
			if differenceReasons[c.difference] == "" {
				t.Fatalf("case %s: unknown difference %q", name, c.difference)
			}
		}
	}
	closeFile()
	if len(c.order) == 0 {
		t.Fatalf("case %s has no files", name)
	}
	c.entry = c.order[0]
	return c
}

// ours compiles a case with this package.
func ours(c diffCase) oracleResult {
	load := func(p string) ([]byte, error) {
		src, ok := c.files[p]
		if !ok {
			return nil, os.ErrNotExist
		}
		return []byte(src), nil
	}
	sheet, err := Compile(c.entry, []byte(c.files[c.entry]), Options{Scope: c.scope, Load: load})
	if err != nil {
		return oracleResult{Error: err.Error()}
	}
	r := oracleResult{CSS: map[string]string{}}
	for _, w := range widths {
		r.CSS[fmt.Sprint(w)] = sheet.CSS(float64(w))
	}
	return r
}

// runOracle compiles every case with wcsc through testdata/oracle/oracle.js.
func runOracle(t *testing.T, cases []diffCase) map[string]oracleResult {
	if _, err := os.Stat("testdata/oracle/node_modules/miniprogram-compiler"); err != nil {
		t.Fatalf("the oracle is not installed: run `npm ci` in internal/miniprogram/wxss/testdata/oracle (%v)", err)
	}
	type input struct {
		Name   string            `json:"name"`
		Files  map[string]string `json:"files"`
		Entry  string            `json:"entry"`
		Suffix string            `json:"suffix"`
		Widths []int             `json:"widths"`
	}
	var in []input
	for _, c := range cases {
		suffix := ""
		if c.scope != "" {
			suffix = c.scope + "--"
		}
		in = append(in, input{c.name, c.files, c.entry, suffix, widths})
	}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", "oracle.js")
	cmd.Dir = "testdata/oracle"
	cmd.Stdin = bytes.NewReader(data)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("oracle: %v\n%s", err, stderr.String())
	}
	results := map[string]oracleResult{}
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("oracle output: %v", err)
	}
	return results
}

func goldenPath(name string) string { return filepath.Join("testdata", "golden", name+".json") }

func readGolden(t *testing.T, name string) oracleResult {
	data, err := os.ReadFile(goldenPath(name))
	if err != nil {
		t.Fatalf("case %s has no golden (run with -oracle -update): %v", name, err)
	}
	var r oracleResult
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("golden %s: %v", name, err)
	}
	return r
}

// agree says whether two results are the same: both errors (messages are
// each compiler's own), or the same CSS at every width.
func agree(a, b oracleResult) bool {
	if (a.Error != "") != (b.Error != "") {
		return false
	}
	if a.Error != "" {
		return true
	}
	for _, w := range widths {
		if a.CSS[fmt.Sprint(w)] != b.CSS[fmt.Sprint(w)] {
			return false
		}
	}
	return true
}

func describeResult(r oracleResult) string {
	if r.Error != "" {
		return "error: " + r.Error
	}
	return fmt.Sprintf("375px: %q", r.CSS["375"])
}

func TestDifferentialAgainstWcsc(t *testing.T) {
	cases := loadCases(t)
	if len(cases) < 80 {
		t.Errorf("the corpus has %d cases, want at least 80", len(cases))
	}
	live := *liveOracle || os.Getenv("SUPERAPP_WCSC") == "1"
	var fromOracle map[string]oracleResult
	if live {
		fromOracle = runOracle(t, cases)
	} else if *update {
		t.Log("-update without -oracle rewrites only docs/wxss-fidelity.md")
	}
	agreed, errorCases := 0, 0
	byReason := map[string][]string{}
	rejected := map[string]bool{}
	for _, c := range cases {
		var golden oracleResult
		if live {
			golden = fromOracle[c.name]
			if *update {
				data, _ := json.MarshalIndent(golden, "", "  ")
				if err := os.WriteFile(goldenPath(c.name), append(data, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			} else if committed := readGolden(t, c.name); !agree(committed, golden) || committed.Error != golden.Error {
				t.Errorf("%s: wcsc drifted from the golden:\n  golden: %s\n  wcsc:   %s", c.name, describeResult(committed), describeResult(golden))
			}
		} else {
			golden = readGolden(t, c.name)
		}
		if golden.Error != "" {
			rejected[c.name] = true
		}
		got := ours(c)
		same := agree(got, golden)
		switch {
		case same && c.difference == "":
			agreed++
			if golden.Error != "" {
				errorCases++
			}
		case same:
			t.Errorf("%s: declares difference %q but agrees with wcsc; drop the declaration", c.name, c.difference)
		case c.difference == "":
			t.Errorf("%s: unexplained difference from wcsc\n  wcsc: %s\n  ours: %s", c.name, describeResult(golden), describeResult(got))
		default:
			byReason[c.difference] = append(byReason[c.difference], c.name)
		}
	}
	t.Logf("agreement with wcsc: %d/%d cases (%.1f%%), %d of them errors in both; %d explained differences",
		agreed, len(cases), 100*float64(agreed)/float64(len(cases)), errorCases, len(cases)-agreed)

	report := fidelityReport(cases, rejected, agreed, errorCases, byReason)
	const reportPath = "../../../docs/wxss-fidelity.md"
	if *update {
		if err := os.WriteFile(reportPath, []byte(report), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if current, err := os.ReadFile(reportPath); err != nil || string(current) != report {
		t.Errorf("docs/wxss-fidelity.md is not the report of this run; regenerate it with -update (%v)", err)
	}
}

func fidelityReport(cases []diffCase, rejected map[string]bool, agreed, errorCases int, byReason map[string][]string) string {
	var b strings.Builder
	b.WriteString("# WXSS fidelity: our compiler against WeChat's wcsc\n\n")
	b.WriteString("Generated by `go test ./internal/miniprogram/wxss -update` (TestDifferentialAgainstWcsc); do not edit.\n\n")
	b.WriteString("The oracle is `wcsc` v0.4me_20190328 from npm `miniprogram-compiler@0.2.3`, run directly " +
		"(`wcsc -pc N files…`, without the wrapper's `-db` debug declarations) in " +
		"`internal/miniprogram/wxss/testdata/oracle/oracle.js`: its generated JS is evaluated with a fake " +
		"`document` and a non-iOS `window.screen.width` (the variable its prelude reads as `deviceWidth`) of " +
		"320, 375, 414 and 768 px, and the text of the `<style>` it inserts is the expected CSS. Scoped cases " +
		"pass `S--` as the class prefix the rewriter takes (its op `[1]`), which is what our `Options.Scope` " +
		"`S` writes. The comparison is byte for byte, with no normalisation; an error must be an error in both " +
		"(messages differ: ours name file:line:col).\n\n")
	fmt.Fprintf(&b, "**Agreement: %d of %d cases (%.1f%%)**, %d of them rejected by both; %d explained differences.\n\n",
		agreed, len(cases), 100*float64(agreed)/float64(len(cases)), errorCases, len(cases)-agreed)
	b.WriteString("## rpx rule\n\nwcsc's runtime (`transformRPX`): `0` stays `0px`; otherwise " +
		"`Math.floor(n / 750 * deviceWidth + 1e-4)`, and a result of 0 becomes 1 (0.5 on iOS with DPR > 1, a " +
		"branch we do not take: our view is never iOS's WebView). So negative lengths floor away from zero " +
		"(-1rpx and -0.001rpx at 375 px are -1px), and only a negative length within 1e-4 px of zero becomes +1px, as in WeChat. The rpx " +
		"number is evaluated as a sloppy-mode JS literal, so `010rpx` is octal 8rpx as in WeChat.\n\n")
	b.WriteString("## Explained differences\n\n")
	reasons := make([]string, 0, len(byReason))
	for r := range byReason {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	if len(reasons) == 0 {
		b.WriteString("None.\n")
	}
	for _, r := range reasons {
		fmt.Fprintf(&b, "### %s\n\n%s\n\nCases: %s.\n\n", r, differenceReasons[r], "`"+strings.Join(byReason[r], "`, `")+"`")
	}
	b.WriteString("## Cases\n\n| case | what it checks | wcsc |\n| --- | --- | --- |\n")
	for _, c := range cases {
		verdict := "same CSS"
		if rejected[c.name] && c.difference == "" {
			verdict = "both reject it"
		}
		if c.difference != "" {
			verdict = "differs: " + c.difference
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", c.name, strings.ReplaceAll(c.summary, "|", "\\|"), verdict)
	}
	return b.String()
}
