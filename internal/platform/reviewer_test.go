package platform

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"superapp/internal/account"
	"superapp/internal/miniprogram/host"
	"superapp/internal/release"
	"superapp/internal/review"
	"superapp/internal/store/storetest"
)

func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestUnzipSourcesStaysInside(t *testing.T) {
	for _, name := range []string{"../evil.js", "/etc/evil.js", "a/../../evil.js"} {
		dir := t.TempDir()
		if err := unzipSources(zipOf(t, map[string]string{name: "x"}), dir); err == nil {
			t.Errorf("%q was unpacked", name)
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "evil.js")); err == nil {
			t.Fatalf("%q escaped the directory", name)
		}
	}
}

func TestSourceReviewerRunsTheRules(t *testing.T) {
	ctx := context.Background()
	o := DefaultOptions("")
	o.Store = storetest.Config(t)
	p, err := Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	// A name the naming rules refuse: an Advertising-Law superlative.
	app, _, err := p.Accounts.CreateApp(ctx, account.MiniProgram, "国家级好物商城", "")
	if err != nil {
		t.Fatal(err)
	}
	src := zipOf(t, map[string]string{
		"app.json":               `{"pages":["pages/index/index"]}`,
		"app.js":                 "App({})\n",
		"pages/index/index.js":   "Page({ onLoad() { eval('1') } })\n",
		"pages/index/index.wxml": "<view>hello</view>\n",
	})
	hash := host.HashOf(src)
	if _, err := p.MiniPrograms.PutFile(ctx, hash, src); err != nil {
		t.Fatal(err)
	}
	r := sourceReviewer{accounts: p.Accounts, files: p.MiniPrograms}
	findings, err := r.Review(ctx, app.AppID, &release.Version{ID: 1, SourceHash: hash})
	if err != nil {
		t.Fatal(err)
	}
	var name, code bool
	for _, f := range findings {
		name = name || f.File == "" && f.Severity == review.Reject && strings.Contains(f.Message, "国家级")
		code = code || f.File == "pages/index/index.js" && f.Line == 1 && f.Severity == review.Reject
	}
	if !name || !code {
		t.Fatalf("want a name finding and an eval finding at pages/index/index.js:1, got %+v", findings)
	}
	// No sources: a warning says the rules did not run.
	findings, err = r.Review(ctx, app.AppID, &release.Version{ID: 2})
	if err != nil || len(findings) != 1 || findings[0].Severity != review.Warn {
		t.Fatalf("without sources: %+v, %v", findings, err)
	}
}
