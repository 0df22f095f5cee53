// Package shell serves the end users' super app (web/shell) and its JSON API.
//
// Pages: GET / and every other shell path answer the single-page app's
// index.html; its bundles live under /shell/assets/ with content-hashed
// names. The JSON API is under /shell/api/ (our own API, not WeChat's wire
// format). /connect/oauth2/authorize, WeChat's web-authorization page, is a
// shell page too.
package shell

import (
	"bytes"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"superapp/internal/platform"
	shellui "superapp/web/shell"
)

// SessionCookie is the name of the shell's sign-in cookie.
const SessionCookie = "superapp_session"

// contentSecurityPolicy allows only the shell's own scripts and styles: no
// inline script, no framing. Avatars may come from anywhere over https.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; " +
	"font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Shell is the end-user web app.
type Shell struct {
	p      *platform.Platform
	assets fs.FS
	index  []byte
	// built is when the bundle was made, for Last-Modified; the embedded
	// files carry no time, so the process start stands in.
	built time.Time
	lim   *limits
	oa    *oaState
}

// New returns the shell.
func New(p *platform.Platform) *Shell {
	ui := shellui.FS()
	index, err := fs.ReadFile(ui, "index.html")
	if err != nil {
		panic("shell: web/shell/dist/index.html is missing from the binary; run `go run ./web/shell/build`: " + err.Error())
	}
	assets, err := fs.Sub(ui, "assets")
	if err != nil {
		panic(err)
	}
	return &Shell{p: p, assets: assets, index: index, built: time.Now(), lim: newLimits(), oa: newOAState()}
}

// Register adds the shell's routes.
func (s *Shell) Register(mux *http.ServeMux) {
	mux.HandleFunc("/shell/api/", s.api)
	s.registerOA(mux)
	s.registerNearby(mux)
	s.registerLinks(mux)
	mux.HandleFunc("/shell/assets/", s.asset)
	mux.HandleFunc("/connect/oauth2/authorize", s.authorizePage)
	mux.HandleFunc("/", s.page)
}

// page answers every path no other handler owns: the app's index.html for
// shell routes, 404 for anything that looks like a file.
func (s *Shell) page(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if strings.Contains(path.Base(r.URL.Path), ".") {
		http.NotFound(w, r)
		return
	}
	s.serveIndex(w, r, http.StatusOK)
}

// serveIndex writes the single-page app with the headers every shell page
// carries.
func (s *Shell) serveIndex(w http.ResponseWriter, r *http.Request, status int) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(s.index)
	}
}

// asset serves a bundle. Names carry a hash of the content, so they are
// cached for a year.
func (s *Shell) asset(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := strings.TrimPrefix(r.URL.Path, "/shell/assets/")
	if !fs.ValidPath(name) || strings.Contains(name, "/") {
		http.NotFound(w, r)
		return
	}
	b, err := fs.ReadFile(s.assets, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, name, s.built, bytes.NewReader(b))
}
