// Package pack turns a mini program project directory into the files the
// runtime loads (docs/miniprogram.md, "Package files"): it loads and
// validates the project, compiles WXML, WXSS, WXS and JS, and enforces
// WeChat's package size limits.
package pack

// Options tune a build.
type Options struct {
	// AppID overrides project.config.json's appid.
	AppID string
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
}

// Manifest is the build's manifest.json (docs/miniprogram.md).
type Manifest struct {
	AppID      string                    `json:"appid"`
	Hash       string                    `json:"hash"`
	App        map[string]any            `json:"app"`
	Pages      map[string]map[string]any `json:"pages"`
	Components map[string]map[string]any `json:"components"`
	Packages   []Package                 `json:"packages"`
}

// Package is one package of a build.
type Package struct {
	Root        string            `json:"root"`
	Name        string            `json:"name,omitempty"`
	Independent bool              `json:"independent,omitempty"`
	Pages       []string          `json:"pages"`
	Files       map[string]string `json:"files"` // package path → sha256 hex
	Size        int64             `json:"size"`
}

// Build packs the project in dir. The error, if any, is a diag.List naming
// file, line and column, or the file and its size against the limit.
func Build(dir string, opts Options) (*Result, error) {
	panic("pack.Build: not written yet")
}
