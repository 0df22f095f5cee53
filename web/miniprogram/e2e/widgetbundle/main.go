// Command widgetbundle bundles a test entry (TypeScript read from stdin) that
// imports the view layer's built-in components, for e2e/components.test.js.
// It resolves imports from web/miniprogram/src/view and writes one IIFE
// script to stdout. It exists because the test must not depend on an npm
// esbuild; the Go esbuild module is already a dependency of the repository.
//
//	go run ./web/miniprogram/e2e/widgetbundle < entry.ts > bundle.js
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "widgetbundle:", err)
		os.Exit(1)
	}
}

func run() error {
	entry, err := io.ReadAll(os.Stdin)
	if err != nil {
		return err
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	result := api.Build(api.BuildOptions{
		Stdin: &api.StdinOptions{
			Contents:   string(entry),
			ResolveDir: filepath.Join(root, "web", "miniprogram", "src", "view"),
			Sourcefile: "widget-test-entry.ts",
			Loader:     api.LoaderTS,
		},
		Bundle:   true,
		Format:   api.FormatIIFE,
		Target:   api.ES2020,
		Platform: api.PlatformBrowser,
		Write:    false,
		LogLevel: api.LogLevelSilent,
	})
	if len(result.Errors) > 0 {
		msgs := api.FormatMessages(result.Errors, api.FormatMessagesOptions{Kind: api.ErrorMessage})
		return errors.New(strings.Join(msgs, "\n"))
	}
	for _, f := range result.OutputFiles {
		if _, err := os.Stdout.Write(f.Contents); err != nil {
			return err
		}
	}
	return nil
}

// moduleRoot is the directory holding go.mod above the working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
