// Command build bundles the shell's TypeScript and CSS (web/shell/src) with
// esbuild into web/shell/dist, which is committed and embedded in the binary.
//
//	cd web/shell && npm ci        # once: preact and weui into node_modules
//	go run ./web/shell/build      # rebuild web/shell/dist
//	go run ./web/shell/build -check   # exit 1 if web/shell/dist is stale
//
// The output is byte-for-byte deterministic: the same sources and
// node_modules give the same files, so CI rebuilds and diffs it.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/evanw/esbuild/pkg/api"

	"superapp/web/internal/dist"
)

// assetsURL is where internal/shell serves dist/assets.
const assetsURL = "/shell/assets/"

func main() {
	dir := flag.String("dir", "", "the shell's directory (default: web/shell of the module around the working directory)")
	check := flag.Bool("check", false, "do not write; exit 1 if dist differs from a fresh build")
	flag.Parse()
	if err := run(*dir, *check); err != nil {
		fmt.Fprintln(os.Stderr, "build shell:", err)
		os.Exit(1)
	}
}

func run(dir string, check bool) error {
	dir, err := dist.Dir(dir, "shell")
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "weui", "dist", "style", "weui.css")); err != nil {
		return fmt.Errorf("%s/node_modules is missing or incomplete: run `npm ci` in %s first", dir, dir)
	}
	files, err := bundle(dir)
	if err != nil {
		return err
	}
	return dist.Output(dir, files, check, "go run ./web/shell/build")
}

// bundle builds every file of dist, keyed by its slash path inside dist.
func bundle(dir string) (map[string][]byte, error) {
	outdir := filepath.Join(dir, "dist", "assets")
	res := api.Build(api.BuildOptions{
		AbsWorkingDir:     dir,
		EntryPoints:       []string{"src/main.tsx", "src/app.css"},
		Bundle:            true,
		Outdir:            outdir,
		EntryNames:        "[name]-[hash]",
		AssetNames:        "[name]-[hash]",
		ChunkNames:        "[name]-[hash]",
		Write:             false,
		Format:            api.FormatESModule,
		Platform:          api.PlatformBrowser,
		Target:            api.ES2020,
		JSX:               api.JSXAutomatic,
		JSXImportSource:   "preact",
		MinifyWhitespace:  true,
		MinifyIdentifiers: true,
		MinifySyntax:      true,
		LegalComments:     api.LegalCommentsEndOfFile,
		Charset:           api.CharsetUTF8,
		Sourcemap:         api.SourceMapNone,
		Define:            map[string]string{"process.env.NODE_ENV": `"production"`},
		Loader:            map[string]api.Loader{".svg": api.LoaderDataURL, ".png": api.LoaderDataURL},
		TreeShaking:       api.TreeShakingTrue,
		LogLevel:          api.LogLevelSilent,
	})
	if len(res.Errors) > 0 {
		msgs := api.FormatMessages(res.Errors, api.FormatMessagesOptions{Kind: api.ErrorMessage})
		return nil, errors.New(strings.Join(msgs, "\n"))
	}
	files := map[string][]byte{}
	var js, css string
	for _, f := range res.OutputFiles {
		rel, err := filepath.Rel(outdir, f.Path)
		if err != nil || strings.HasPrefix(rel, "..") {
			return nil, fmt.Errorf("esbuild wrote %s outside %s", f.Path, outdir)
		}
		rel = filepath.ToSlash(rel)
		files["assets/"+rel] = f.Contents
		switch {
		case strings.HasPrefix(rel, "main-") && strings.HasSuffix(rel, ".js"):
			js = rel
		case strings.HasPrefix(rel, "app-") && strings.HasSuffix(rel, ".css"):
			css = rel
		}
	}
	if js == "" || css == "" {
		return nil, fmt.Errorf("esbuild produced no main-*.js or app-*.css (got %d files)", len(files))
	}
	tmpl, err := os.ReadFile(filepath.Join(dir, "src", "index.html"))
	if err != nil {
		return nil, err
	}
	html := string(tmpl)
	for placeholder, v := range map[string]string{"{{JS}}": assetsURL + js, "{{CSS}}": assetsURL + css} {
		if !strings.Contains(html, placeholder) {
			return nil, fmt.Errorf("src/index.html lacks %s", placeholder)
		}
		html = strings.ReplaceAll(html, placeholder, v)
	}
	files["index.html"] = []byte(html)
	return files, nil
}
