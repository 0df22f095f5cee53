// Command packfixture packs a mini program project with pack.Build and
// writes what the e2e server serves: manifest.json and every file by hash
// under files/.
//
//	go run ./web/miniprogram/e2e/packfixture <project dir> <out dir>
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"superapp/internal/miniprogram/pack"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: packfixture <project dir> <out dir>")
		os.Exit(2)
	}
	res, err := pack.Build(os.Args[1], pack.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out := os.Args[2]
	if err := os.MkdirAll(filepath.Join(out, "files"), 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile(filepath.Join(out, "manifest.json"), res.ManifestJSON, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for hash, b := range res.Files {
		if err := os.WriteFile(filepath.Join(out, "files", hash), b, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
