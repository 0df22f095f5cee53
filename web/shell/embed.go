// Package shellui holds the built shell (web/shell/dist): the end users' web
// super app, bundled from web/shell/src by `go run ./web/shell/build` and
// committed, so building the binary needs no node.
package shellui

import (
	"embed"
	"io/fs"
)

//go:embed dist
var dist embed.FS

// FS is the built shell: index.html at the root and the bundles under
// assets/, whose names carry a hash of their content.
func FS() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // cannot happen: "dist" is a valid path
	}
	return sub
}
