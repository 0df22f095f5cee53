// Package miniprogram holds the built mini program runtime
// (web/miniprogram/dist): the logic layer's worker runtime (logic.js), the
// view layer (view.js) and the sandboxed frame's page (frame.html), bundled
// from web/miniprogram/src by `go run ./web/miniprogram/build` and
// committed, so building the binary needs no node.
package miniprogram

import (
	"embed"
	"io/fs"
)

//go:embed dist
var dist embed.FS

// FS is the built runtime: logic.js, view.js and frame.html at the root.
func FS() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // cannot happen: "dist" is a valid path
	}
	return sub
}
