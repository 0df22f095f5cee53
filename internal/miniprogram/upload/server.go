package upload

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"superapp/internal/httpjson"
	"superapp/internal/input"
	"superapp/internal/miniprogram/host"
	"superapp/internal/miniprogram/pack"
	"superapp/internal/proxy"
	"superapp/internal/release"
	"superapp/internal/store"
)

// Request limits of the CI API.
const (
	// MaxSkew is how far a request's ts may be from the server's clock.
	MaxSkew = 5 * time.Minute
	// NonceLifetime is how long a nonce is remembered; longer than the
	// skew window, so a replayed request is refused until its ts is too old.
	NonceLifetime = 10 * time.Minute
	// MaxUserVersion and MaxUserDesc bound a version's labels (WeChat's).
	MaxUserVersion = 64
	MaxUserDesc    = 1024

	maxJSONBody   = 4 << 20 // a manifest of a large project stays well below
	maxHashes     = 20000
	maxFileBody   = host.MaxFileSize
	ciPrefix      = "/mp/ci/v1/"
	appPathPrefix = "/mp/ci/v1/apps/{appid}/"
)

// Files is the content-addressed store the uploads go to (host.Registry).
type Files interface {
	MiniPrograms
	Missing(ctx context.Context, hashes []string) ([]string, error)
	StoredSizes(ctx context.Context, hashes []string) (map[string]int64, error)
	PutFile(ctx context.Context, hash string, data []byte) (bool, error)
}

// Versions turns an upload into a dev version (release.Service).
type Versions interface {
	AddDevVersion(ctx context.Context, appid string, in release.DevVersionInput) (*release.Version, error)
}

// Config is what the CI API needs.
type Config struct {
	DB       *store.DB
	Files    Files
	Versions Versions
	// Trust says whether X-Forwarded-For is believed for the IP whitelist.
	Trust proxy.Trust
	// Limits are the package limits a version is checked against; zero
	// fields mean WeChat's (pack.DefaultLimits).
	Limits pack.Limits
	// Now stands in for the clock in tests.
	Now func() time.Time
}

// Handler serves the CI API /mp/ci/v1/apps/{appid}/….
type Handler struct {
	cfg    Config
	keys   *Keys
	limits pack.Limits
	// sweepMu guards lastSweep, when this server last deleted expired nonces.
	sweepMu   sync.Mutex
	lastSweep time.Time
}

// NewHandler returns the CI API.
func NewHandler(cfg Config) *Handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	l := pack.DefaultLimits()
	if cfg.Limits.Main > 0 {
		l.Main = cfg.Limits.Main
	}
	if cfg.Limits.Subpackage > 0 {
		l.Subpackage = cfg.Limits.Subpackage
	}
	if cfg.Limits.Total > 0 {
		l.Total = cfg.Limits.Total
	}
	keys := NewKeys(cfg.DB, cfg.Files)
	keys.now = cfg.Now
	return &Handler{cfg: cfg, keys: keys, limits: l}
}

// Register mounts the CI API.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST "+appPathPrefix+"files/missing", h.signed(maxJSONBody, h.missing))
	mux.HandleFunc("PUT "+appPathPrefix+"files/{hash}", h.signed(maxFileBody, h.putFile))
	mux.HandleFunc("POST "+appPathPrefix+"versions", h.signed(maxJSONBody, h.addVersion))
	mux.HandleFunc(ciPrefix, func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &apiError{Status: http.StatusNotFound, Code: "not_found", Message: "no CI API at " + r.Method + " " + r.URL.Path})
	})
}

// apiError is a refusal: {"error":{"code","message","field"}}.
type apiError = httpjson.Error

func badInput(field, msg string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "invalid_input", Field: field, Message: field + ": " + msg}
}

func refuse(status int, code, msg string) *apiError {
	return &apiError{Status: status, Code: code, Message: msg}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.Status, struct {
		Error *apiError `json:"error"`
	}{e})
}

// asAPIError maps domain errors to answers; nil for an unexpected error.
func asAPIError(err error) *apiError {
	var ae *apiError
	var ie *input.Error
	var he *host.InvalidError
	var me *host.MissingFilesError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &ie):
		return badInput(ie.Field, ie.Msg)
	case errors.As(err, &he):
		return badInput(he.Field, he.Msg)
	case errors.As(err, &me):
		return &apiError{Status: http.StatusConflict, Code: "missing_files", Message: me.Error()}
	case errors.Is(err, release.ErrBadInput):
		return &apiError{Status: http.StatusBadRequest, Code: "invalid_input", Message: err.Error()}
	}
	return nil
}

type ciHandler func(r *http.Request, key *Key, body []byte) (int, any, error)

// signed authenticates a request by its upload key, then runs fn. The
// checks, each refused with its own reason: header, key known and current,
// key of this app, clock skew, body size, signature, IP whitelist, nonce
// unused.
func (h *Handler) signed(limit int64, fn ciHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key, body, ae := h.authenticate(r, limit)
		if ae != nil {
			writeError(w, ae)
			return
		}
		status, v, err := fn(r, key, body)
		if err != nil {
			ae := asAPIError(err)
			if ae == nil {
				slog.ErrorContext(r.Context(), "CI API request failed", "path", r.URL.Path, "err", err)
				ae = &apiError{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error (see the server log)"}
			}
			writeError(w, ae)
			return
		}
		writeJSON(w, status, v)
	}
}

func (h *Handler) authenticate(r *http.Request, limit int64) (*Key, []byte, *apiError) {
	appid := r.PathValue("appid")
	if !input.Storable(r.URL.Path) {
		return nil, nil, refuse(http.StatusNotFound, "not_found", "not found: the path is not valid UTF-8 text")
	}
	cred, err := parseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return nil, nil, refuse(http.StatusUnauthorized, "unauthorized", err.Error())
	}
	key, why, err := h.keys.lookup(r.Context(), cred.keyID)
	if err != nil {
		slog.ErrorContext(r.Context(), "look up upload key", "err", err)
		return nil, nil, refuse(http.StatusInternalServerError, "internal", "internal error (see the server log)")
	}
	switch why {
	case "unknown":
		return nil, nil, refuse(http.StatusUnauthorized, "key_unknown", "unknown upload key "+cred.keyID)
	case "rotated":
		return nil, nil, refuse(http.StatusUnauthorized, "key_rotated", "upload key "+cred.keyID+" was rotated: use the new key file from `superapp mp key rotate`")
	case "revoked":
		return nil, nil, refuse(http.StatusUnauthorized, "key_revoked", "upload key "+cred.keyID+" was revoked")
	}
	if key.AppID != appid {
		return nil, nil, refuse(http.StatusForbidden, "wrong_app", "upload key "+cred.keyID+" belongs to another mini program, not "+appid)
	}
	now := h.cfg.Now()
	if d := now.Sub(cred.at); d > MaxSkew || d < -MaxSkew {
		return nil, nil, refuse(http.StatusUnauthorized, "clock_skew", fmt.Sprintf("the request's ts is %d s away from the server's clock; at most %d s are allowed (check this machine's clock)",
			int64(d.Abs().Seconds()), int64(MaxSkew.Seconds())))
	}
	// The body is read only for a current key of this app within the
	// clock window: a stranger cannot make the server buffer megabytes.
	body, err := readBody(r, limit)
	if err != nil && !errors.Is(err, errTooLarge) {
		return nil, nil, refuse(http.StatusBadRequest, "bad_body", "the body could not be read: "+err.Error())
	}
	if err != nil {
		return nil, nil, refuse(http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("the body must have at most %d bytes", limit))
	}
	pub := key.publicKey()
	if pub == nil || !ed25519.Verify(pub, signedText(r.Method, r.URL.EscapedPath(), cred.ts, cred.nonce, body), cred.sig) {
		return nil, nil, refuse(http.StatusUnauthorized, "bad_signature", "the signature does not match upload key "+cred.keyID+" (wrong key file, or the request was altered)")
	}
	if ip := h.cfg.Trust.ClientIP(r); !key.IPAllowed(ip) {
		return nil, nil, refuse(http.StatusForbidden, "ip_not_whitelisted", "requests from "+ip.String()+" are not in upload key "+cred.keyID+"'s IP whitelist")
	}
	fresh, err := h.useNonce(r.Context(), cred.keyID, cred.nonce, now)
	if err != nil {
		slog.ErrorContext(r.Context(), "record upload nonce", "err", err)
		return nil, nil, refuse(http.StatusInternalServerError, "internal", "internal error (see the server log)")
	}
	if !fresh {
		return nil, nil, refuse(http.StatusUnauthorized, "replay", "nonce "+cred.nonce+" was already used: every request needs a new one")
	}
	if err := h.keys.touch(r.Context(), key.KeyID); err != nil {
		slog.WarnContext(r.Context(), "record upload key use", "err", err)
	}
	return key, body, nil
}

// readBody reads at most limit bytes of the body; more is an error.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, errTooLarge
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > limit {
		return nil, errTooLarge
	}
	return body, nil
}

var errTooLarge = errors.New("body too large")

// decodeJSON reads a JSON body strictly (our own API names typos).
func decodeJSON(body []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badInput("body", "is not valid JSON for this request: "+err.Error())
	}
	if dec.More() {
		return badInput("body", "is not valid JSON for this request: more than one JSON value")
	}
	return nil
}

// MissingRequest asks which files the server lacks.
type MissingRequest struct {
	Hashes []string `json:"hashes"`
}

// MissingAnswer lists them, each once.
type MissingAnswer struct {
	Missing []string `json:"missing"`
}

func (h *Handler) missing(r *http.Request, key *Key, body []byte) (int, any, error) {
	var req MissingRequest
	if err := decodeJSON(body, &req); err != nil {
		return 0, nil, err
	}
	if len(req.Hashes) > maxHashes {
		return 0, nil, badInput("hashes", fmt.Sprintf("has %d entries; at most %d are allowed", len(req.Hashes), maxHashes))
	}
	missing, err := h.cfg.Files.Missing(r.Context(), req.Hashes)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, MissingAnswer{Missing: missing}, nil
}

// PutAnswer is a stored file.
type PutAnswer struct {
	Hash   string `json:"hash"`
	Size   int    `json:"size"`
	Stored bool   `json:"stored"` // false: the server already had it
}

func (h *Handler) putFile(r *http.Request, key *Key, body []byte) (int, any, error) {
	hash := r.PathValue("hash")
	stored, err := h.cfg.Files.PutFile(r.Context(), hash, body)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, PutAnswer{Hash: hash, Size: len(body), Stored: stored}, nil
}

// VersionRequest makes an uploaded build a dev version.
type VersionRequest struct {
	Manifest    json.RawMessage `json:"manifest"`
	UserVersion string          `json:"user_version"`
	UserDesc    string          `json:"user_desc"`
	// SourceHash names the uploaded source zip (see SourceZip), if any.
	SourceHash string `json:"source_hash,omitempty"`
}

// VersionAnswer is the new dev version.
type VersionAnswer struct {
	Version *release.Version `json:"version"`
	// Files is how many distinct files the build has (the source zip not
	// counted); Bytes their stored size in all packages.
	Files int   `json:"files"`
	Bytes int64 `json:"bytes"`
}

func (h *Handler) addVersion(r *http.Request, key *Key, body []byte) (int, any, error) {
	var req VersionRequest
	if err := decodeJSON(body, &req); err != nil {
		return 0, nil, err
	}
	if err := checkLabels(req.UserVersion, req.UserDesc); err != nil {
		return 0, nil, err
	}
	if req.SourceHash != "" && !host.ValidHash(req.SourceHash) {
		return 0, nil, badInput("source_hash", fmt.Sprintf("%q is not a lowercase hex SHA-256", req.SourceHash))
	}
	appid := key.AppID
	b, err := h.checkManifest(r.Context(), appid, req.Manifest, req.SourceHash)
	if err != nil {
		return 0, nil, err
	}
	v, err := h.cfg.Versions.AddDevVersion(r.Context(), appid, release.DevVersionInput{
		Uploader: "key:" + key.KeyID, UserVersion: req.UserVersion, UserDesc: req.UserDesc,
		Manifest: req.Manifest, ManifestHash: host.HashOf(req.Manifest), SourceHash: req.SourceHash, Pages: b.pages,
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, VersionAnswer{Version: v, Files: b.files, Bytes: b.bytes}, nil
}

// checkLabels checks user_version and user_desc (also used by the client,
// so a bad label is refused before anything is packed or sent).
func checkLabels(userVersion, userDesc string) error {
	if strings.TrimSpace(userVersion) == "" {
		return badInput("user_version", "is required (e.g. 1.0.0)")
	}
	if !input.Storable(userVersion) || strings.ContainsAny(userVersion, "\r\n\t") {
		return badInput("user_version", "must be one line of text")
	}
	if n := utf8.RuneCountInString(userVersion); n > MaxUserVersion {
		return badInput("user_version", fmt.Sprintf("has %d characters; at most %d are allowed", n, MaxUserVersion))
	}
	if !input.Storable(userDesc) {
		return badInput("user_desc", "contains characters that are not allowed")
	}
	if n := utf8.RuneCountInString(userDesc); n > MaxUserDesc {
		return badInput("user_desc", fmt.Sprintf("has %d characters; at most %d are allowed", n, MaxUserDesc))
	}
	return nil
}

// CheckLabels is checkLabels for the client.
func CheckLabels(userVersion, userDesc string) error { return checkLabels(userVersion, userDesc) }

type checkedBuild struct {
	pages []string
	files int
	bytes int64
}

// checkManifest re-checks an uploaded build as pack did, from what the
// server stores: the manifest is this app's, every file it names (and the
// source zip) is stored, each package's size — summed from the stored
// sizes — matches what the manifest says and is within the limits.
func (h *Handler) checkManifest(ctx context.Context, appid string, raw json.RawMessage, sourceHash string) (*checkedBuild, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, badInput("manifest", "is required (the manifest.json of a build)")
	}
	if !input.Storable(string(raw)) {
		return nil, badInput("manifest", "is not valid JSON text")
	}
	var m pack.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, badInput("manifest", "is not a build manifest: "+err.Error())
	}
	if m.AppID != appid {
		return nil, badInput("manifest", fmt.Sprintf("is built for appid %q, not %s (pack with --appid %s)", m.AppID, appid, appid))
	}
	if len(m.Packages) == 0 || m.Packages[0].Root != "" {
		return nil, badInput("manifest", "has no main package (packages[0] must have root \"\")")
	}
	seen := map[string]bool{}
	var hashes []string
	for _, p := range m.Packages {
		for path, hash := range p.Files {
			if !host.ValidHash(hash) {
				return nil, badInput("manifest", fmt.Sprintf("package %q file %q names %q, which is not a hex SHA-256", p.Root, path, hash))
			}
			if !seen[hash] {
				seen[hash] = true
				hashes = append(hashes, hash)
			}
		}
	}
	b := &checkedBuild{files: len(hashes), pages: []string{}}
	if sourceHash != "" && !seen[sourceHash] {
		hashes = append(hashes, sourceHash)
	}
	sizes, err := h.cfg.Files.StoredSizes(ctx, hashes)
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, hash := range hashes {
		if _, ok := sizes[hash]; !ok {
			missing = append(missing, hash)
		}
	}
	if len(missing) > 0 {
		return nil, &host.MissingFilesError{Hashes: missing}
	}
	var total int64
	for _, p := range m.Packages {
		var size int64
		for _, hash := range p.Files {
			size += sizes[hash]
		}
		label, limit := "subpackage "+p.Root, h.limits.Subpackage
		if p.Root == "" {
			label, limit = "main package", h.limits.Main
		}
		if size != p.Size {
			return nil, badInput("manifest", fmt.Sprintf("%s says %d bytes but its files are %d bytes", label, p.Size, size))
		}
		if size > limit {
			return nil, &apiError{Status: http.StatusBadRequest, Code: "limit_exceeded", Field: "manifest",
				Message: fmt.Sprintf("manifest: %s is %s, over the %s limit", label, pack.FormatSize(size), pack.FormatSize(limit))}
		}
		total += size
		b.pages = append(b.pages, p.Pages...)
	}
	if total > h.limits.Total {
		return nil, &apiError{Status: http.StatusBadRequest, Code: "limit_exceeded", Field: "manifest",
			Message: fmt.Sprintf("manifest: all packages are %s, over the %s total limit", pack.FormatSize(total), pack.FormatSize(h.limits.Total))}
	}
	b.bytes = total
	return b, nil
}
