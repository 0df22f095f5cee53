package fidelity

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var (
	update = flag.Bool("update", false, "regenerate the generated corpus, re-record goldens with wcc (needs `npm ci` in oracle/), write docs/wxml-fidelity.md")
	oracle = flag.Bool("oracle", false, "re-run wcc on the corpus and fail if any golden drifted (also SUPERAPP_WCC=1)")
	report = flag.Bool("report", false, "write docs/wxml-fidelity.md from the current comparison")
)

const (
	corpusDir    = "testdata/wxml"
	goldenDir    = "testdata/wxml/golden"
	knownPath    = "testdata/wxml/known_differences.txt"
	findingsPath = "testdata/wxml/wcc-findings.md"
	minCases     = 500
	minRate      = 99.0
)

func TestMain(m *testing.M) {
	flag.Parse()
	if *update {
		if err := writeGeneratedCorpus(corpusDir); err != nil {
			fmt.Fprintln(os.Stderr, "generate corpus:", err)
			os.Exit(1)
		}
		if err := recordGoldens(); err != nil {
			fmt.Fprintln(os.Stderr, "record goldens:", err)
			os.Exit(1)
		}
	}
	os.Exit(m.Run())
}

func recordGoldens() error {
	root, err := RepoRoot(".")
	if err != nil {
		return err
	}
	cases, err := LoadCorpus(corpusDir)
	if err != nil {
		return err
	}
	results, err := RunWcc(context.Background(), root, cases)
	if err != nil {
		return err
	}
	return WriteGoldens(goldenDir, results)
}

func needNode(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed: the WXML fidelity suite runs the compiled templates in node")
	}
}

func loadAll(t *testing.T) ([]Case, map[string]Result) {
	t.Helper()
	cases, err := LoadCorpus(corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	goldens, err := LoadGoldens(goldenDir)
	if err != nil {
		t.Fatal(err)
	}
	return cases, goldens
}

// TestCorpusHasGoldens: the corpus is big enough and every case has exactly
// one recorded wcc answer.
func TestCorpusHasGoldens(t *testing.T) {
	cases, goldens := loadAll(t)
	if len(cases) < minCases {
		t.Errorf("corpus has %d cases, want at least %d", len(cases), minCases)
	}
	names := map[string]bool{}
	for _, c := range cases {
		names[c.Name] = true
		if _, ok := goldens[c.Name]; !ok {
			t.Errorf("%s has no golden: run `go test ./internal/miniprogram/fidelity -update` (needs npm ci in oracle/)", c.Name)
		}
	}
	for name := range goldens {
		if !names[name] {
			t.Errorf("golden for %s, which is not in the corpus: re-run -update", name)
		}
	}
}

// TestGeneratedCorpusUpToDate: the generated corpus files are what the
// generator (gen_test.go) makes now.
func TestGeneratedCorpusUpToDate(t *testing.T) {
	for name, want := range generatedCorpus() {
		got, err := os.ReadFile(filepath.Join(corpusDir, name))
		if err != nil {
			t.Errorf("%s: %v (run -update)", name, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run `go test ./internal/miniprogram/fidelity -update`", name)
		}
	}
}

// oracleRun is what the tests that run the compilers from npm start with:
// they run only with -oracle or SUPERAPP_WCC=1, and need node.
func oracleRun(t *testing.T) (root string, cases []Case, goldens map[string]Result) {
	t.Helper()
	if !*oracle && os.Getenv("SUPERAPP_WCC") != "1" {
		t.Skip("the compilers from npm are run only with -oracle or SUPERAPP_WCC=1")
	}
	needNode(t)
	root, err := RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	cases, goldens = loadAll(t)
	return root, cases, goldens
}

// TestGoldensMatchWcc re-runs wcc (with -oracle or SUPERAPP_WCC=1) and fails
// if any recorded answer changed.
func TestGoldensMatchWcc(t *testing.T) {
	root, cases, goldens := oracleRun(t)
	live, err := RunWcc(context.Background(), root, cases)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		g, ok := goldens[c.Name]
		if !ok {
			t.Errorf("%s: no golden", c.Name)
			continue
		}
		if agree, why := Compare(live[c.Name], g); !agree || g.Error != live[c.Name].Error {
			if why == "" {
				why = fmt.Sprintf("error message %q, recorded %q", live[c.Name].Error, g.Error)
			}
			t.Errorf("%s: wcc's answer drifted from the golden: %s", c.Name, why)
		}
	}
}

// TestOutdatedCasesAcceptedByCurrentCompiler (with -oracle or
// SUPERAPP_WCC=1) checks the claim behind every "wcc is outdated" case:
// WeChat's current template compiler compiles it without an error. The
// cases wcc refuses for a reason both compilers share must stay refused by
// it too, which shows the check can fail.
func TestOutdatedCasesAcceptedByCurrentCompiler(t *testing.T) {
	root, cases, goldens := oracleRun(t)
	known, err := LoadKnownDifferences(knownPath)
	if err != nil {
		t.Fatal(err)
	}
	var outdated, refusedByBoth []Case
	for _, c := range cases {
		switch {
		case (Outcome{Reason: known[c.Name]}).Outdated():
			outdated = append(outdated, c)
		case known[c.Name] == "" && goldens[c.Name].Error != "" && strings.HasPrefix(c.Name, "gen-expr/"):
			// An expression wcc refuses and we refuse too (they agree).
			refusedByBoth = append(refusedByBoth, c)
		}
	}
	if len(outdated) == 0 || len(refusedByBoth) == 0 {
		t.Fatalf("%d outdated cases, %d expression cases refused by wcc and us: the corpus lost what this test checks", len(outdated), len(refusedByBoth))
	}
	errs, err := CurrentCompilerErrors(context.Background(), root, append(append([]Case{}, outdated...), refusedByBoth...))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range outdated {
		if e := errs[c.Name]; len(e) > 0 {
			t.Errorf("%s is listed as wcc being outdated, but WeChat's current template compiler refuses it too: %s", c.Name, strings.Join(e, "; "))
		}
	}
	accepted := 0
	for _, c := range refusedByBoth {
		if len(errs[c.Name]) == 0 {
			accepted++
		}
	}
	t.Logf("%d cases where wcc is outdated: all accepted by WeChat's current template compiler; of %d expressions wcc and we refuse, it refuses %d",
		len(outdated), len(refusedByBoth), len(refusedByBoth)-accepted)
	if accepted == len(refusedByBoth) {
		t.Errorf("WeChat's current template compiler accepted all %d expressions wcc and we refuse: the check cannot tell", accepted)
	}
}

// TestAgreement is the differential test itself.
func TestAgreement(t *testing.T) {
	needNode(t)
	root, err := RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	cases, goldens := loadAll(t)
	known, err := LoadKnownDifferences(knownPath)
	if err != nil {
		t.Fatal(err)
	}
	ours, err := RunOurs(context.Background(), root, cases)
	if err != nil {
		t.Fatal(err)
	}
	var outcomes []Outcome
	for _, c := range cases {
		g, ok := goldens[c.Name]
		if !ok {
			continue // TestCorpusHasGoldens reports it
		}
		agree, why := Compare(g, ours[c.Name])
		outcomes = append(outcomes, Outcome{Case: c.Name, Agree: agree, Why: why, Reason: known[c.Name]})
	}
	s := Summarize(outcomes)
	t.Logf("WXML fidelity: %d/%d cases agree with wcc (%.2f%%); %.2f%% without the %d where wcc is outdated",
		s.Agreeing, s.Total, s.Rate(), s.CurrentRate(), s.Outdated)

	if *update || *report {
		findings, _ := os.ReadFile(findingsPath)
		doc := filepath.Join(root, "docs", "wxml-fidelity.md")
		if err := os.WriteFile(doc, []byte(Report(outcomes, string(findings))), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	var unexplained []string
	inCorpus := map[string]bool{}
	for _, o := range outcomes {
		inCorpus[o.Case] = true
		switch {
		case !o.Agree && o.Reason == "":
			unexplained = append(unexplained, o.Case+": "+o.Why)
		case o.Agree && o.Reason != "":
			t.Errorf("%s agrees with wcc now: remove it from %s", o.Case, knownPath)
		}
	}
	for name := range known {
		if !inCorpus[name] {
			t.Errorf("%s names %s, which is not in the corpus", knownPath, name)
		}
	}
	sort.Strings(unexplained)
	const show = 60
	for i, u := range unexplained {
		if i == show {
			t.Errorf("… and %d more unexplained differences", len(unexplained)-show)
			break
		}
		t.Errorf("differs from wcc: %s", u)
	}
	if s.CurrentRate() < minRate {
		t.Errorf("agreement %.2f%% (without the %d cases where wcc is outdated) is below %.0f%% (%d of %d differ)",
			s.CurrentRate(), s.Outdated, minRate, s.Total-s.Agreeing, s.Total)
	}
}

func TestParseCorpusFileSharesFiles(t *testing.T) {
	src := "topic comment\n-- _shared/data.json --\n{\"a\":1}\n-- _shared/lib.wxml --\nLIB\n" +
		"-- one/index.wxml --\n<view/>\n-- two/index.wxml --\n<text/>\n-- two/lib.wxml --\nOWN\n-- two/data.json --\n{\"b\":2}\n"
	cases, err := ParseCorpusFile("t", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 2 || cases[0].Name != "t/one" || cases[1].Name != "t/two" {
		t.Fatalf("cases %+v", cases)
	}
	if string(cases[0].Data) != `{"a":1}` || cases[0].Files["lib.wxml"] != "LIB\n" || cases[0].Files["index.wxml"] != "<view/>\n" {
		t.Errorf("one: %+v", cases[0])
	}
	if string(cases[1].Data) != `{"b":2}` || cases[1].Files["lib.wxml"] != "OWN\n" {
		t.Errorf("two: %+v", cases[1])
	}
	if _, err := ParseCorpusFile("t", []byte("-- a/x.wxml --\n")); err == nil || !strings.Contains(err.Error(), "no index.wxml") {
		t.Errorf("case without index.wxml: %v", err)
	}
	if _, err := ParseCorpusFile("t", []byte("-- a/index.wxml --\n-- a/data.json --\n[1]\n")); err == nil {
		t.Error("data.json that is not an object was accepted")
	}
}

func TestCompare(t *testing.T) {
	tree := func(s string) Result { return Result{Tree: []byte(s)} }
	cases := []struct {
		wcc, ours Result
		agree     bool
		why       string
	}{
		{tree(`[{"tag":"wx-view","attr":{"a":1},"children":["x"]}]`), tree(`[{"children":["x"],"attr":{"a":1},"tag":"wx-view"}]`), true, ""},
		{tree(`[{"tag":"wx-view","attr":{"a":1},"children":["x"]}]`), tree(`[{"tag":"wx-view","attr":{"a":"1"},"children":["x"]}]`), false, "at [0].attr.a: wcc 1, ours \"1\""},
		{tree(`["a","b"]`), tree(`["a"]`), false, "at top: wcc has 2 nodes, ours 1"},
		{tree(`[{"tag":"wx-view","attr":{},"children":[]}]`), tree(`[{"tag":"wx-text","attr":{"x":1},"children":[]}]`), false, "at [0].tag"},
		{tree(`[{"tag":"wx-view","attr":{},"children":[]}]`), tree(`[{"tag":"wx-view","attr":{"b":1},"children":[]}]`), false, "at [0].attr.b: wcc (absent), ours 1"},
		{Result{Error: "index.wxml:1:2: bad"}, Result{Error: "index.wxml:1:3: other"}, true, ""},
		{Result{Error: "bad"}, tree(`[]`), false, "wcc rejects (bad), we compile"},
		{tree(`[]`), Result{Error: "x"}, false, "we reject (x)"},
		{tree(`[]`), Result{Throws: "boom"}, false, "our render throws (boom)"},
	}
	for i, c := range cases {
		agree, why := Compare(c.wcc, c.ours)
		if agree != c.agree || !strings.HasPrefix(why, c.why) {
			t.Errorf("case %d: Compare = %v, %q; want %v, prefix %q", i, agree, why, c.agree, c.why)
		}
	}
}
