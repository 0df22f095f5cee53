// Package host serves mini programs: the content-addressed package files
// (/mp/pkg/<sha256>), the runtime and the sandboxed frame (/mp/frame,
// /mp/runtime/…), the shell's mini program API (/shell/api/mp/…: launch,
// login, the wx.request proxy), and the registry of builds behind them
// (docs/miniprogram.md).
package host

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"superapp/internal/account"
	"superapp/internal/input"
	"superapp/internal/miniprogram/pack"
	"superapp/internal/release"
	"superapp/internal/store"
)

// Errors of the registry. The admin and shell APIs map them to answers.
var (
	ErrNotMiniProgram = errors.New("the app is not a mini program")
	ErrNoBuild        = errors.New("the mini program has no build yet: publish one with `superapp mp publish --appid APPID DIR`")
	ErrFileNotFound   = errors.New("no such package file")
)

// InvalidError is a build or setting the registry refuses; Field names
// what is wrong.
type InvalidError struct {
	Field string
	Msg   string
}

func (e *InvalidError) Error() string { return e.Field + ": " + e.Msg }

// MissingFilesError is a publish whose manifest names files the server has
// neither received nor stored.
type MissingFilesError struct{ Hashes []string }

func (e *MissingFilesError) Error() string {
	shown := e.Hashes
	if len(shown) > 3 {
		shown = shown[:3]
	}
	return fmt.Sprintf("the manifest names %d file(s) the server does not have (upload them first): %s", len(e.Hashes), strings.Join(shown, ", "))
}

// MaxFileSize bounds one package file. WeChat limits a whole package to
// 2 MB (main) and all packages to 20 MB, so no single compiled file can
// legitimately be larger than the total.
const MaxFileSize = 20 << 20

// Registry stores package files and which build each mini program runs.
type Registry struct {
	db       *store.DB
	accounts *account.Service
	now      func() time.Time

	versions Versions
	openID   func(appid, userID string) string

	devHubOnce sync.Once
	devHub     *DevHub
	files      *fileCache

	// fileCounts remembers fileCount by manifest hash (a stored manifest
	// never changes), so a launch does not parse its manifest to count.
	countsMu   sync.Mutex
	fileCounts map[string]int
}

// maxFileCounts bounds fileCounts; beyond, it starts over.
const maxFileCounts = 10_000

// filesOf is fileCount of the manifest stored under hash.
func (r *Registry) filesOf(hash string, manifest []byte) int {
	r.countsMu.Lock()
	n, ok := r.fileCounts[hash]
	r.countsMu.Unlock()
	if ok {
		return n
	}
	n = fileCount(manifest)
	r.countsMu.Lock()
	if r.fileCounts == nil || len(r.fileCounts) >= maxFileCounts {
		r.fileCounts = map[string]int{}
	}
	r.fileCounts[hash] = n
	r.countsMu.Unlock()
	return n
}

// NewRegistry returns the registry over db.
func NewRegistry(db *store.DB, accounts *account.Service) *Registry {
	return &Registry{db: db, accounts: accounts, now: time.Now, files: newFileCache(DefaultFileCacheBytes)}
}

// Build is a published build as the registry records it.
type Build struct {
	AppID        string `json:"appid"`
	ManifestHash string `json:"manifest_hash"`
	SourceDir    string `json:"source_dir,omitempty"`
	BuiltAt      int64  `json:"built_at"`
	// Files is how many files the manifest names; NewFiles how many of them
	// this publish stored (the rest were already there).
	Files    int `json:"files"`
	NewFiles int `json:"new_files"`
}

// HashOf is the name a file is stored under (pack's content hash), and
// ValidHash tells whether a string has that form.
var (
	HashOf    = pack.HashOf
	ValidHash = pack.ValidHash
)

// MiniProgram returns the app if it is a mini program.
func (r *Registry) MiniProgram(ctx context.Context, appid string) (*account.App, error) {
	app, err := r.accounts.App(ctx, appid)
	if err != nil {
		return nil, err
	}
	if app.Kind != account.MiniProgram {
		return nil, fmt.Errorf("%w: %s is a %s", ErrNotMiniProgram, appid, app.Kind)
	}
	return app, nil
}

// fileCount is how many distinct files a stored manifest names (0 when it
// does not parse, which a stored one always does).
func fileCount(manifest []byte) int {
	var m pack.Manifest
	if json.Unmarshal(manifest, &m) != nil {
		return 0
	}
	hashes, err := manifestFiles(&m)
	if err != nil {
		return 0
	}
	return len(hashes)
}

// manifestFiles lists every distinct hash a manifest names, sorted.
func manifestFiles(m *pack.Manifest) ([]string, error) {
	seen := map[string]bool{}
	for _, p := range m.Packages {
		for path, h := range p.Files {
			if !ValidHash(h) {
				return nil, &InvalidError{"manifest", fmt.Sprintf("package %q file %q names %q, which is not a hex SHA-256", p.Root, path, h)}
			}
			seen[h] = true
		}
	}
	out := make([]string, 0, len(seen))
	for h := range seen {
		out = append(out, h)
	}
	sort.Strings(out)
	return out, nil
}

// Publish makes res the mini program's dev build: it stores the files of
// res the server lacks (content-addressed, so republishing the same bytes
// stores nothing) and records the manifest, in one transaction. Files the
// manifest names must be in res.Files or already stored (an upload through
// the admin API sends them first, then a manifest with no files).
func (r *Registry) Publish(ctx context.Context, appid string, res *pack.Result, sourceDir string) (*Build, error) {
	if _, err := r.MiniProgram(ctx, appid); err != nil {
		return nil, err
	}
	if res == nil {
		return nil, &InvalidError{"manifest", "is missing"}
	}
	if res.Manifest.AppID != appid {
		return nil, &InvalidError{"manifest", fmt.Sprintf("is built for appid %q, not %s (pack with --appid %s)", res.Manifest.AppID, appid, appid)}
	}
	if len(res.Manifest.Packages) == 0 || res.Manifest.Packages[0].Root != "" {
		return nil, &InvalidError{"manifest", "has no main package (packages[0] must have root \"\")"}
	}
	if !input.Storable(sourceDir) {
		return nil, &InvalidError{"source_dir", "contains characters that are not allowed"}
	}
	manifestJSON := res.ManifestJSON
	if len(manifestJSON) == 0 {
		b, err := json.Marshal(res.Manifest)
		if err != nil {
			return nil, err
		}
		manifestJSON = b
	}
	if !json.Valid(manifestJSON) || !input.Storable(string(manifestJSON)) {
		return nil, &InvalidError{"manifest", "is not valid JSON text"}
	}
	hashes, err := manifestFiles(&res.Manifest)
	if err != nil {
		return nil, err
	}
	for h, data := range res.Files {
		if HashOf(data) != h {
			return nil, &InvalidError{"files", fmt.Sprintf("file %s… holds bytes whose SHA-256 is %s…", trim(h), HashOf(data)[:12])}
		}
		if len(data) > MaxFileSize {
			return nil, &InvalidError{"files", fmt.Sprintf("file %s… has %d bytes; at most %d are allowed", h[:12], len(data), MaxFileSize)}
		}
	}
	b := &Build{AppID: appid, ManifestHash: HashOf(manifestJSON), SourceDir: sourceDir, BuiltAt: r.now().Unix(), Files: len(hashes)}
	err = r.db.InTx(ctx, func(tx *store.Tx) error {
		have, err := storedSizes(ctx, tx, hashes)
		if err != nil {
			return err
		}
		var missing []string
		for _, h := range hashes {
			if _, ok := have[h]; ok {
				continue
			}
			data, ok := res.Files[h]
			if !ok {
				missing = append(missing, h)
				continue
			}
			stored, err := insertFile(ctx, tx, h, data, b.BuiltAt)
			if err != nil {
				return err
			}
			if stored {
				b.NewFiles++
			}
		}
		if len(missing) > 0 {
			return &MissingFilesError{missing}
		}
		_, err = tx.Exec(ctx, `INSERT INTO mp_dev_builds(appid, manifest_hash, manifest, source_dir, built_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (appid) DO UPDATE SET manifest_hash = excluded.manifest_hash, manifest = excluded.manifest,
				source_dir = excluded.source_dir, built_at = excluded.built_at`,
			appid, b.ManifestHash, string(manifestJSON), sourceDir, b.BuiltAt)
		return err
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

func trim(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// execer is what both *store.DB and *store.Tx offer for writes.
type execer interface {
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// insertFile stores a file unless it is already stored (a concurrent
// publish may have stored the same bytes); it reports whether it was new.
func insertFile(ctx context.Context, ex execer, h string, data []byte, now int64) (bool, error) {
	res, err := ex.Exec(ctx, "INSERT INTO mp_files(hash, size, data, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING",
		h, len(data), data, now)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// queryer is what both *store.DB and *store.Tx offer for reads.
type queryer interface {
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// storedSizes returns the size of each of hashes that mp_files holds
// (absent: not stored), asking in chunks so a large build stays inside both
// backends' parameter limits.
func storedSizes(ctx context.Context, q queryer, hashes []string) (map[string]int64, error) {
	out := make(map[string]int64, len(hashes))
	const chunk = 500
	for lo := 0; lo < len(hashes); lo += chunk {
		part := hashes[lo:min(lo+chunk, len(hashes))]
		args := make([]any, len(part))
		for i, h := range part {
			args[i] = h
		}
		rows, err := q.Query(ctx, "SELECT hash, size FROM mp_files WHERE hash IN (?"+strings.Repeat(", ?", len(part)-1)+")", args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var h string
			var n int64
			if err := rows.Scan(&h, &n); err != nil {
				rows.Close()
				return nil, err
			}
			out[h] = n
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// StoredSizes returns the size of each of hashes the server stores.
func (r *Registry) StoredSizes(ctx context.Context, hashes []string) (map[string]int64, error) {
	return storedSizes(ctx, r.db, hashes)
}

// Missing returns which of hashes the server does not store, in their order.
func (r *Registry) Missing(ctx context.Context, hashes []string) ([]string, error) {
	for _, h := range hashes {
		if !ValidHash(h) {
			return nil, &InvalidError{"hashes", fmt.Sprintf("%q is not a lowercase hex SHA-256", h)}
		}
	}
	have, err := storedSizes(ctx, r.db, hashes)
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, h := range hashes {
		if _, ok := have[h]; !ok {
			out = append(out, h)
			have[h] = 0 // each once
		}
	}
	return out, nil
}

// PutFile stores data under hash, which must be its SHA-256. It reports
// whether the file was new.
func (r *Registry) PutFile(ctx context.Context, hash string, data []byte) (bool, error) {
	if !ValidHash(hash) {
		return false, &InvalidError{"hash", fmt.Sprintf("%q is not a lowercase hex SHA-256", hash)}
	}
	if got := HashOf(data); got != hash {
		return false, &InvalidError{"hash", fmt.Sprintf("the body's SHA-256 is %s, not %s", got, hash)}
	}
	if len(data) > MaxFileSize {
		return false, &InvalidError{"body", fmt.Sprintf("has %d bytes; at most %d are allowed", len(data), MaxFileSize)}
	}
	return insertFile(ctx, r.db, hash, data, r.now().Unix())
}

// File returns a stored file's bytes, which the caller must not change
// (they may be the cache's).
func (r *Registry) File(ctx context.Context, hash string) ([]byte, error) {
	if !ValidHash(hash) {
		return nil, ErrFileNotFound
	}
	if data, ok := r.files.get(hash); ok {
		return data, nil
	}
	var data []byte
	err := r.db.QueryRow(ctx, "SELECT data FROM mp_files WHERE hash = ?", hash).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrFileNotFound
	}
	if err != nil {
		return nil, err
	}
	r.files.put(hash, data)
	return data, nil
}

// DevBuild returns the mini program's dev build and its manifest JSON.
func (r *Registry) DevBuild(ctx context.Context, appid string) (*Build, []byte, error) {
	if _, err := r.MiniProgram(ctx, appid); err != nil {
		return nil, nil, err
	}
	b := &Build{AppID: appid}
	var manifest string
	err := r.db.QueryRow(ctx, "SELECT manifest_hash, manifest, source_dir, built_at FROM mp_dev_builds WHERE appid = ?", appid).
		Scan(&b.ManifestHash, &manifest, &b.SourceDir, &b.BuiltAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, ErrNoBuild
	}
	if err != nil {
		return nil, nil, err
	}
	b.Files = r.filesOf(b.ManifestHash, []byte(manifest))
	return b, []byte(manifest), nil
}

// Versions is what launches need from internal/release (its *Service).
type Versions interface {
	Resolve(appid, userID, openid, env string) (release.Resolution, error)
	Manifest(ctx context.Context, appid string, id int64) ([]byte, error)
}

// ChannelDevBuild is the channel of a launch that runs the dev-mode build
// (`mp publish`, `superapp dev`) because the app has released nothing.
const ChannelDevBuild = "dev-build"

// LaunchVersion is which version a launch runs (the launch answer's
// "version").
type LaunchVersion struct {
	ID      int64  `json:"id"` // 0 for the dev-mode build
	Channel string `json:"channel"`
	// UserVersion is the version's label (wx.getAccountInfoSync's version
	// for a release); "" for the dev-mode build.
	UserVersion string `json:"user_version,omitempty"`
	// ExtJSON is the ext_json committed with the version (wx.getExtConfigSync).
	ExtJSON string `json:"-"`
}

// SetResolver makes launches choose a version per user through v; openID
// gives a user's OpenID in an app (identity.Service.OpenID). Without it
// every launch runs the dev-mode build. Call it before serving.
func (r *Registry) SetResolver(v Versions, openID func(appid, userID string) string) {
	r.versions, r.openID = v, openID
}

// Launch is the build a user gets when opening the mini program with env
// ("", "release", "trial" or "develop"): its manifest JSON, the build's
// description and which version it is. The version comes from the
// resolver (online, gray, trial, develop); an app that has released
// nothing runs its dev-mode build on env release, so `superapp dev` keeps
// working. A non-member asking for trial or develop gets
// release.ErrNotMember.
func (r *Registry) Launch(ctx context.Context, appid, userID, env string) (*Build, []byte, *LaunchVersion, error) {
	if r.versions != nil {
		openid := ""
		if r.openID != nil {
			openid = r.openID(appid, userID)
		}
		res, err := r.versions.Resolve(appid, userID, openid, env)
		switch {
		case err == nil:
			manifest, err := r.versions.Manifest(ctx, appid, res.VersionID)
			if err != nil {
				return nil, nil, nil, err
			}
			b := &Build{AppID: appid, ManifestHash: res.ManifestHash, BuiltAt: res.CreatedAt, Files: r.filesOf(res.ManifestHash, manifest)}
			return b, manifest, &LaunchVersion{ID: res.VersionID, Channel: res.Channel, UserVersion: res.UserVersion, ExtJSON: res.ExtJSON}, nil
		case errors.Is(err, release.ErrNoVersion) && (env == "" || env == "release"):
			// Nothing released: the dev-mode build below.
		default:
			return nil, nil, nil, err
		}
	}
	b, manifest, err := r.DevBuild(ctx, appid)
	if err != nil {
		return nil, nil, nil, err
	}
	return b, manifest, &LaunchVersion{Channel: ChannelDevBuild}, nil
}

// Summary is a mini program as lists show it.
type Summary struct {
	AppID string `json:"appid"`
	Name  string `json:"name"`
}

// SearchLimit is how many mini programs a search returns at most.
const SearchLimit = 20

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// Search finds mini programs that can be opened (released, or with a
// dev-mode build) by name, names starting with query first.
func (r *Registry) Search(ctx context.Context, query string) ([]Summary, error) {
	query = strings.TrimSpace(query)
	if !input.Storable(query) {
		return nil, &InvalidError{"q", "contains characters that are not allowed"}
	}
	if query == "" {
		return nil, &InvalidError{"q", "must not be empty"}
	}
	out := []Summary{}
	if len([]rune(query)) > 64 { // names have at most 30 characters
		return out, nil
	}
	pattern := strings.ToLower(likeEscaper.Replace(query))
	// Openable: released (mp_release_state, internal/release) or with a
	// dev-mode build.
	rows, err := r.db.Query(ctx, `SELECT a.appid, a.name FROM apps a
		WHERE a.kind = ? AND LOWER(a.name) LIKE ? ESCAPE '\'
		  AND (EXISTS (SELECT 1 FROM mp_dev_builds b WHERE b.appid = a.appid)
		    OR EXISTS (SELECT 1 FROM mp_release_state s WHERE s.appid = a.appid AND s.online_version > 0))
		ORDER BY CASE WHEN LOWER(a.name) LIKE ? ESCAPE '\' THEN 0 ELSE 1 END, a.name, a.appid
		LIMIT `+strconv.Itoa(SearchLimit), string(account.MiniProgram), "%"+pattern+"%", pattern+"%")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var s Summary
		if err := rows.Scan(&s.AppID, &s.Name); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
