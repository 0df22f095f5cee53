// Command build bundles the mini program runtime (web/miniprogram/src) with
// esbuild into web/miniprogram/dist, which is committed and embedded in the
// binary:
//
//	dist/logic.js    the logic layer (the worker's runtime, before service.js)
//	dist/view.js     the view layer and the frame's protocol (frame's main thread)
//	dist/frame.html  the sandboxed frame's page
//
// Usage:
//
//	go run ./web/miniprogram/build          # rebuild dist
//	go run ./web/miniprogram/build -check   # exit 1 if dist is stale
//
// The runtime has no npm runtime dependencies, so no `npm ci` is needed to
// build; the output is byte-for-byte deterministic.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/evanw/esbuild/pkg/api"

	"superapp/web/internal/dist"
)

// The size budgets (gzip) of docs/miniprogram.md's reference targets.
const (
	logicBudget = 50 * 1024
	viewBudget  = 100 * 1024
)

func main() {
	dir := flag.String("dir", "", "the runtime's directory (default: web/miniprogram of the module around the working directory)")
	check := flag.Bool("check", false, "do not write; exit 1 if dist differs from a fresh build")
	flag.Parse()
	if err := run(*dir, *check); err != nil {
		fmt.Fprintln(os.Stderr, "build miniprogram runtime:", err)
		os.Exit(1)
	}
}

func run(dir string, check bool) error {
	dir, err := dist.Dir(dir, "miniprogram")
	if err != nil {
		return err
	}
	files, err := bundle(dir)
	if err != nil {
		return err
	}
	return dist.Output(dir, files, check, "go run ./web/miniprogram/build")
}

func build(dir, entry string) ([]byte, error) {
	res := api.Build(api.BuildOptions{
		AbsWorkingDir:     dir,
		EntryPoints:       []string{entry},
		Bundle:            true,
		Write:             false,
		Outfile:           "out.js",
		Format:            api.FormatIIFE,
		Platform:          api.PlatformBrowser,
		Target:            api.ES2020,
		MinifyWhitespace:  true,
		MinifyIdentifiers: true,
		MinifySyntax:      true,
		LegalComments:     api.LegalCommentsEndOfFile,
		Charset:           api.CharsetUTF8,
		Sourcemap:         api.SourceMapNone,
		TreeShaking:       api.TreeShakingTrue,
		LogLevel:          api.LogLevelSilent,
	})
	if len(res.Errors) > 0 {
		msgs := api.FormatMessages(res.Errors, api.FormatMessagesOptions{Kind: api.ErrorMessage})
		return nil, errors.New(strings.Join(msgs, "\n"))
	}
	for _, f := range res.OutputFiles {
		if strings.HasSuffix(f.Path, ".js") {
			return f.Contents, nil
		}
	}
	return nil, fmt.Errorf("esbuild produced no JS for %s", entry)
}

// frameHTML is the sandboxed frame's page. The host also sends the CSP as a
// real header; the meta tag keeps the page safe if served without it.
const frameHTML = `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self' blob:; style-src 'unsafe-inline'; img-src * data: blob:; media-src * data: blob:; font-src * data:; worker-src blob:; connect-src 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1, maximum-scale=1, user-scalable=no">
<title></title>
</head>
<body>
<script src="view.js?v={{VIEW_HASH}}"></script>
</body>
</html>
`

func bundle(dir string) (map[string][]byte, error) {
	logic, err := build(dir, "src/logic/main.ts")
	if err != nil {
		return nil, err
	}
	view, err := build(dir, "src/frame.ts")
	if err != nil {
		return nil, err
	}
	if n := dist.GzipSize(logic); n > logicBudget {
		return nil, fmt.Errorf("dist/logic.js is %d bytes gzipped, over its %d budget", n, logicBudget)
	}
	if n := dist.GzipSize(view); n > viewBudget {
		return nil, fmt.Errorf("dist/view.js is %d bytes gzipped, over its %d budget", n, viewBudget)
	}
	sum := sha256.Sum256(view)
	html := strings.Replace(frameHTML, "{{VIEW_HASH}}", hex.EncodeToString(sum[:])[:16], 1)
	return map[string][]byte{"logic.js": logic, "view.js": view, "frame.html": []byte(html)}, nil
}
