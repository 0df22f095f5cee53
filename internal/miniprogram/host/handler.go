package host

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"path"
	"strings"
	"time"

	"superapp/internal/account"
	"superapp/internal/identity"
	"superapp/internal/login"
	"superapp/internal/netguard"
)

// FrameCSP is the frame's policy. "sandbox allow-scripts" gives the
// document an opaque origin even if it is opened outside the shell's
// <iframe sandbox>; connect-src 'none' leaves postMessage to the shell as
// its only way out. 'self' names the server's origin: Chromium keeps the
// response URL's origin as 'self' for sandboxed documents
// (web/shell/e2e/miniprogram.test.js checks the runtime loads under it).
const FrameCSP = "sandbox allow-scripts; default-src 'none'; script-src 'self' blob:; worker-src blob:; " +
	"style-src 'unsafe-inline' 'self'; img-src 'self' https: data: blob:; media-src 'self' https: blob:; " +
	"font-src 'self' data:; connect-src 'none'; frame-ancestors 'self'"

// The runtime's files (web/miniprogram/dist, docs/miniprogram.md).
const (
	FrameFile = "frame.html"
	LogicFile = "logic.js"
	ViewFile  = "view.js"
)

// Config is what the handlers need from the platform.
type Config struct {
	Registry *Registry
	Accounts *account.Service
	Identity *identity.Service
	Login    *login.Service
	// Runtime holds frame.html, logic.js and view.js; nil answers 503 until
	// the runtime is built into the binary.
	Runtime fs.FS
	// SessionCookie names the shell's sign-in cookie.
	SessionCookie string
	// Dev lifts the server-domain list (any domain, http too), as WeChat's
	// developer tools do with "do not verify domain names".
	Dev bool
	// AllowPrivate lets the wx.request proxy reach loopback and private
	// addresses (always in dev mode).
	AllowPrivate bool
	// DecodeCode reads the code of one of scanTypes (wx.scanCode's) in a
	// picture, with its format as WeChat names it (the shell's decoder,
	// internal/shell.DecodeCode); nil answers 503.
	DecodeCode func(img image.Image, scanTypes []string) (text, format string, err error)
}

// Handler serves /mp/… and /shell/api/mp/….
type Handler struct {
	cfg     Config
	runtime map[string]runtimeFile
	started time.Time
	proxy   *proxy
	// gzipped keeps package files compressed once (pkgGzip), by hash.
	gzipped *fileCache
}

type runtimeFile struct {
	data []byte
	hash string // hex SHA-256
}

// NewHandler returns the handlers.
func NewHandler(cfg Config) *Handler {
	h := &Handler{cfg: cfg, runtime: map[string]runtimeFile{}, started: time.Now(), gzipped: newFileCache(GzipCacheBytes)}
	if cfg.Runtime != nil {
		entries, _ := fs.ReadDir(cfg.Runtime, ".")
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			if b, err := fs.ReadFile(cfg.Runtime, e.Name()); err == nil {
				h.runtime[e.Name()] = runtimeFile{data: b, hash: HashOf(b)}
			}
		}
	}
	h.proxy = newProxy(cfg.AllowPrivate || cfg.Dev)
	return h
}

// Register adds the routes. /shell/api/mp/ is more specific than the
// shell's /shell/api/, so the mux sends mini program calls here.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /mp/frame", h.frame)
	mux.HandleFunc("GET /mp/runtime", h.runtimeInfo)
	mux.HandleFunc("GET /mp/runtime/{name}", h.runtimeAsset)
	// frame.html loads its view script by a relative URL, which from
	// /mp/frame is /mp/view.js.
	mux.HandleFunc("GET /mp/view.js", func(w http.ResponseWriter, r *http.Request) {
		r.SetPathValue("name", ViewFile)
		h.runtimeAsset(w, r)
	})
	mux.HandleFunc("GET /mp/pkg/{hash}", h.pkg)
	mux.HandleFunc("GET /mp/webmanifest/{appid}", h.webManifest)
	mux.HandleFunc("/shell/api/mp/", h.api)
	mux.Handle(socketPattern, h.socketRelay())
	h.registerDev(mux)
}

func (h *Handler) frame(w http.ResponseWriter, r *http.Request) {
	f, ok := h.runtime[FrameFile]
	if !ok {
		http.Error(w, "the mini program runtime is not built into this server (web/miniprogram/dist)", http.StatusServiceUnavailable)
		return
	}
	hd := w.Header()
	hd.Set("Content-Security-Policy", FrameCSP)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "no-cache")
	hd.Set("ETag", `"`+f.hash[:32]+`"`)
	hd.Set("Content-Type", "text/html; charset=utf-8")
	http.ServeContent(w, r, "", h.started, bytes.NewReader(f.data))
}

// RuntimeURL is where the shell fetches a runtime file: with ?h= naming
// its content (the first 16 hex digits of its SHA-256; frame.html's own
// ?v= works the same), so the URL changes whenever the file does and the
// answer can be cached for good.
func (h *Handler) RuntimeURL(name string) string {
	f, ok := h.runtime[name]
	if !ok {
		return ""
	}
	return "/mp/runtime/" + name + "?h=" + f.hash[:16]
}

// runtimeInfo names the frame and the logic runtime as a launch answer
// does, before any launch: the shell prepares a spare container with them
// while it is idle. Nothing in it depends on the user or an app.
func (h *Handler) runtimeInfo(w http.ResponseWriter, r *http.Request) {
	logic := h.RuntimeURL(LogicFile)
	if logic == "" || h.runtime[FrameFile].data == nil {
		http.Error(w, "the mini program runtime is not built into this server (web/miniprogram/dist)", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"logic": logic, "frame": "/mp/frame"})
}

func (h *Handler) runtimeAsset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	f, ok := h.runtime[name]
	// Pages are served only by /mp/frame, under the frame's CSP: here
	// frame.html would run unsandboxed, with the server's origin.
	if !ok || opensAsDocument(name) {
		http.NotFound(w, r)
		return
	}
	hd := w.Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("ETag", `"`+f.hash[:32]+`"`)
	q := r.URL.Query()
	if v := q.Get("h") + q.Get("v"); v != "" && v == f.hash[:16] {
		hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		// The plain name (frame.html's own <script src>) revalidates.
		hd.Set("Cache-Control", "no-cache")
	}
	hd.Set("Content-Type", contentType(name))
	http.ServeContent(w, r, "", h.started, bytes.NewReader(f.data))
}

// contentType is the type of a file by its name's extension.
func contentType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	switch ext {
	case ".js", ".wxs":
		return "text/javascript; charset=utf-8"
	case ".json":
		return "application/json"
	case ".wxss", ".css":
		return "text/css; charset=utf-8"
	case ".html":
		return "text/html; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".webp":
		return "image/webp"
	case ".mp3":
		return "audio/mpeg"
	case ".mp4":
		return "video/mp4"
	case ".woff2":
		return "font/woff2"
	case ".woff":
		return "font/woff"
	case ".ttf":
		return "font/ttf"
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// pkg serves a stored file by hash. The bytes behind a hash never change,
// so it is cached for a year; ?n= names the file so its type is right.
func (h *Handler) pkg(w http.ResponseWriter, r *http.Request) {
	hash := r.PathValue("hash")
	if !ValidHash(hash) {
		http.NotFound(w, r)
		return
	}
	data, err := h.cfg.Registry.File(r.Context(), hash)
	if errors.Is(err, ErrFileNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, "cannot read the file", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	hd.Set("X-Content-Type-Options", "nosniff")
	etag := `"` + hash + `"`
	name := r.URL.Query().Get("n")
	if compressible(name, len(data)) {
		hd.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			if gz := h.pkgGzip(hash, data); gz != nil {
				data = gz
				etag = `"` + hash + `-gzip"`
				hd.Set("Content-Encoding", "gzip")
			}
		}
	}
	hd.Set("ETag", etag)
	hd.Set("Content-Type", contentType(name))
	// A stored file is data, never a page: even an HTML asset opened
	// directly runs nothing.
	hd.Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
}

// webManifest lets the user add a mini program to the home screen: the
// installed icon opens it with scene 1023.
func (h *Handler) webManifest(w http.ResponseWriter, r *http.Request) {
	appid := r.PathValue("appid")
	app, err := h.cfg.Registry.MiniProgram(r.Context(), appid)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	base := "/miniprogram/" + app.AppID
	body := map[string]any{
		"name":             app.Name,
		"short_name":       app.Name,
		"id":               base,
		"start_url":        base + "?scene=1023",
		"scope":            base,
		"display":          "standalone",
		"background_color": "#ffffff",
		"theme_color":      "#ffffff",
		"icons":            []any{},
	}
	w.Header().Set("Content-Type", "application/manifest+json")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	json.NewEncoder(w).Encode(body)
}

// resolver finds a host's addresses and says which is not public; tests
// replace it to point names at local servers.
type resolver func(ctx context.Context, host string) (bad netip.Addr, why string, err error)

// dialer dials for the proxy; tests replace it.
type dialer func(ctx context.Context, network, addr string) (net.Conn, error)

func defaultDialer(allowPrivate bool) dialer {
	d := &net.Dialer{Timeout: 10 * time.Second, Control: netguard.DialControl(allowPrivate)}
	return d.DialContext
}
