package libcompat

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"superapp/internal/miniprogram/pack"
)

// fixturesDir holds the fixture mini programs the end-to-end tests and
// benchmarks launch (see its README.md).
var fixturesDir = filepath.Join("..", "..", "..", "testdata", "miniprograms")

// TestFixturesBuild packs every fixture project: each must load, compile
// and fit WeChat's package limits, keep its own appid, and name every page
// of app.json in its manifest.
func TestFixturesBuild(t *testing.T) {
	entries, err := os.ReadDir(fixturesDir)
	if err != nil {
		t.Fatal(err)
	}
	appids := map[string]string{}
	built := 0
	for _, e := range entries {
		dir := filepath.Join(fixturesDir, e.Name())
		if _, err := os.Stat(filepath.Join(dir, "project.config.json")); err != nil {
			continue // big/ holds only its generator
		}
		built++
		t.Run(e.Name(), func(t *testing.T) {
			var config struct {
				AppID string `json:"appid"`
			}
			var app struct {
				Pages       []string `json:"pages"`
				Subpackages []struct {
					Root  string   `json:"root"`
					Pages []string `json:"pages"`
				} `json:"subpackages"`
			}
			readJSON(t, filepath.Join(dir, "project.config.json"), &config)
			readJSON(t, filepath.Join(dir, "app.json"), &app)
			if other, dup := appids[config.AppID]; dup {
				t.Errorf("appid %s is used by %s too", config.AppID, other)
			}
			appids[config.AppID] = e.Name()

			res, err := pack.Build(dir, pack.Options{})
			if err != nil {
				t.Fatalf("pack.Build:\n%v", err)
			}
			m := res.Manifest
			if m.AppID != config.AppID {
				t.Errorf("manifest appid %q, project.config.json says %q", m.AppID, config.AppID)
			}
			want := append([]string{}, app.Pages...)
			for _, sub := range app.Subpackages {
				for _, p := range sub.Pages {
					want = append(want, filepath.ToSlash(filepath.Join(sub.Root, p)))
				}
			}
			for _, p := range want {
				if _, ok := m.Pages[p]; !ok {
					t.Errorf("page %s of app.json is missing from the manifest", p)
				}
			}
			if len(m.Packages) != 1+len(app.Subpackages) {
				t.Errorf("%d packages in the manifest, app.json has %d subpackages", len(m.Packages), len(app.Subpackages))
			}
			for _, p := range res.Report {
				t.Logf("package %q: %d files, %d bytes (limit %d)", p.Root, p.Files, p.Bytes, p.Limit)
			}
		})
	}
	if built < 7 {
		t.Errorf("found %d fixture projects in %s, want at least 7", built, fixturesDir)
	}
}

func readJSON(t *testing.T, file string, v any) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}
