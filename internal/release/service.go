package release

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"superapp/internal/input"
	"superapp/internal/miniprogram/pack"
	"superapp/internal/store"
)

// Service is the versions domain over one database.
type Service struct {
	db       *store.DB
	policy   Policy
	reviewer Reviewer
	events   Events
	now      func() time.Time

	// snaps holds one *snapshot per app, what Resolve reads (resolve.go).
	snaps sync.Map
	// manifests caches manifest JSON by version: versions never change.
	manifests manifestCache
}

// NewService returns the service. reviewer and events may be nil (no
// automated review; no pushes).
func NewService(db *store.DB, policy Policy, reviewer Reviewer, events Events) *Service {
	return &Service{db: db, policy: policy, reviewer: reviewer, events: events, now: time.Now,
		manifests: manifestCache{m: map[manifestKey][]byte{}}}
}

// SetReviewer sets the automated review run on submission (nil: none).
// Call it before serving.
func (s *Service) SetReviewer(r Reviewer) { s.reviewer = r }

// SetEvents sets who hears about audit decisions (nil: nobody). Call it
// before serving.
func (s *Service) SetEvents(e Events) { s.events = e }

// Policy returns the rules in force.
func (s *Service) Policy() Policy { return s.policy }

// Limits of a version's labels (WeChat's for user_version; ours for the
// description).
const (
	MaxUserVersion = 64
	MaxUserDesc    = 1024
)

func badInput(field, format string, args ...any) error {
	return fmt.Errorf("%w: %s %s", ErrBadInput, field, fmt.Sprintf(format, args...))
}

func checkLabels(userVersion, userDesc string) error {
	if !input.Storable(userVersion) {
		return badInput("user_version", "contains characters that are not allowed")
	}
	if n := utf8.RuneCountInString(userVersion); n > MaxUserVersion {
		return badInput("user_version", "has %d characters; at most %d are allowed", n, MaxUserVersion)
	}
	if !input.Storable(userDesc) {
		return badInput("user_desc", "contains characters that are not allowed")
	}
	if n := utf8.RuneCountInString(userDesc); n > MaxUserDesc {
		return badInput("user_desc", "has %d characters; at most %d are allowed", n, MaxUserDesc)
	}
	return nil
}

// appState is an app's row of mp_release_state.
type appState struct {
	trialVersion  int64
	trialExt      string
	onlineVersion int64
	onlineExt     string
	rejections    int
	restricted    bool
}

func lockKey(appid string) string { return "release:" + appid }

// change runs fn in a transaction holding the app's lock, with the app's
// state loaded; the state fn leaves is written back (and rev bumped, so
// other servers reload). After the commit this server's snapshot of the
// app is rebuilt.
func (s *Service) change(ctx context.Context, appid string, fn func(tx *store.Tx, st *appState) error) error {
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.Lock(ctx, lockKey(appid)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO mp_release_state(appid) VALUES (?) ON CONFLICT (appid) DO NOTHING", appid); err != nil {
			return err
		}
		var st appState
		var restricted int
		if err := tx.QueryRow(ctx, `SELECT trial_version, trial_ext_json, online_version, online_ext_json, rejections, restricted
			FROM mp_release_state WHERE appid = ?`, appid).
			Scan(&st.trialVersion, &st.trialExt, &st.onlineVersion, &st.onlineExt, &st.rejections, &restricted); err != nil {
			return err
		}
		st.restricted = restricted != 0
		if err := fn(tx, &st); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE mp_release_state SET trial_version = ?, trial_ext_json = ?, online_version = ?, online_ext_json = ?,
			rejections = ?, restricted = ?, rev = rev + 1 WHERE appid = ?`,
			st.trialVersion, st.trialExt, st.onlineVersion, st.onlineExt, st.rejections, boolInt(st.restricted), appid)
		return err
	})
	if err != nil {
		return err
	}
	s.reload(ctx, appid)
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// readState reads the app's state without writing (zero when none).
func (s *Service) readState(ctx context.Context, q queryer, appid string) (appState, error) {
	var st appState
	var restricted int
	err := q.QueryRow(ctx, `SELECT trial_version, trial_ext_json, online_version, online_ext_json, rejections, restricted
		FROM mp_release_state WHERE appid = ?`, appid).
		Scan(&st.trialVersion, &st.trialExt, &st.onlineVersion, &st.onlineExt, &st.rejections, &restricted)
	if errors.Is(err, sql.ErrNoRows) {
		return appState{}, nil
	}
	st.restricted = restricted != 0
	return st, err
}

// queryer is what both *store.DB and *store.Tx offer for reads.
type queryer interface {
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

const versionColumns = "appid, id, user_version, user_desc, manifest_hash, source_hash, pages, uploader, created_at"

type scanner interface{ Scan(dest ...any) error }

func scanVersion(row scanner) (*Version, error) {
	var v Version
	var pages string
	if err := row.Scan(&v.AppID, &v.ID, &v.UserVersion, &v.UserDesc, &v.ManifestHash, &v.SourceHash, &pages, &v.Uploader, &v.CreatedAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(pages), &v.Pages); err != nil || v.Pages == nil {
		v.Pages = []string{}
	}
	return &v, nil
}

func versionTx(ctx context.Context, q queryer, appid string, id int64) (*Version, error) {
	v, err := scanVersion(q.QueryRow(ctx, "SELECT "+versionColumns+" FROM mp_versions WHERE appid = ? AND id = ?", appid, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %d", ErrVersionNotFound, id)
	}
	return v, err
}

// AddDevVersion records an upload as the app's newest dev version and
// prunes the uploader's oldest ones beyond Policy.DevVersionsPerUploader
// that nothing points at.
func (s *Service) AddDevVersion(ctx context.Context, appid string, in DevVersionInput) (*Version, error) {
	if err := checkLabels(in.UserVersion, in.UserDesc); err != nil {
		return nil, err
	}
	if in.Uploader == "" || !input.Storable(in.Uploader) {
		return nil, badInput("uploader", "must be a user id or key:<key id>")
	}
	if !json.Valid(in.Manifest) || !input.Storable(string(in.Manifest)) {
		return nil, badInput("manifest", "is not valid JSON text")
	}
	if !pack.ValidHash(in.ManifestHash) {
		return nil, badInput("manifest_hash", "is not a lowercase hex SHA-256")
	}
	if in.SourceHash != "" && !pack.ValidHash(in.SourceHash) {
		return nil, badInput("source_hash", "is not a lowercase hex SHA-256")
	}
	pages := in.Pages
	if pages == nil {
		pages = []string{}
	}
	for _, p := range pages {
		if p == "" || !input.Storable(p) {
			return nil, badInput("pages", "names an empty or invalid page path")
		}
	}
	pagesJSON, _ := json.Marshal(pages)
	v := &Version{AppID: appid, UserVersion: in.UserVersion, UserDesc: in.UserDesc, ManifestHash: in.ManifestHash,
		SourceHash: in.SourceHash, Pages: pages, Uploader: in.Uploader, CreatedAt: s.now().Unix()}
	err := s.change(ctx, appid, func(tx *store.Tx, st *appState) error {
		if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(id), 0) + 1 FROM mp_versions WHERE appid = ?", appid).Scan(&v.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO mp_versions(appid, id, user_version, user_desc, manifest, manifest_hash, source_hash, pages, uploader, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, appid, v.ID, v.UserVersion, v.UserDesc, string(in.Manifest), v.ManifestHash,
			v.SourceHash, string(pagesJSON), v.Uploader, v.CreatedAt); err != nil {
			return err
		}
		return s.pruneTx(ctx, tx, appid, in.Uploader, st)
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// pruneTx deletes the uploader's dev versions older than the newest
// Policy.DevVersionsPerUploader, except those the trial, an audit, the
// online version, the history or a gray plan names.
func (s *Service) pruneTx(ctx context.Context, tx *store.Tx, appid, uploader string, st *appState) error {
	keep := s.policy.DevVersionsPerUploader
	if keep <= 0 {
		return nil
	}
	var cutoff int64
	err := tx.QueryRow(ctx, `SELECT id FROM mp_versions WHERE appid = ? AND uploader = ? ORDER BY id DESC LIMIT 1 OFFSET ?`,
		appid, uploader, keep).Scan(&cutoff)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `DELETE FROM mp_versions WHERE appid = ? AND uploader = ? AND id <= ? AND id NOT IN (?, ?)
		AND id NOT IN (SELECT version_id FROM mp_audits WHERE appid = ?)
		AND id NOT IN (SELECT version_id FROM mp_release_history WHERE appid = ?)
		AND id NOT IN (SELECT version_id FROM mp_gray_plans WHERE appid = ?)`,
		appid, uploader, cutoff, st.trialVersion, st.onlineVersion, appid, appid, appid)
	return err
}

// DevVersions lists the app's dev versions, newest first.
func (s *Service) DevVersions(ctx context.Context, appid string) ([]Version, error) {
	rows, err := s.db.Query(ctx, "SELECT "+versionColumns+" FROM mp_versions WHERE appid = ? ORDER BY id DESC", appid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Version{}
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, rows.Err()
}

// Version returns one of the app's versions.
func (s *Service) Version(ctx context.Context, appid string, id int64) (*Version, error) {
	return versionTx(ctx, s.db, appid, id)
}

// Manifest returns the stored manifest JSON of a version. The caller must
// not change the bytes (they may be the cache's).
func (s *Service) Manifest(ctx context.Context, appid string, id int64) ([]byte, error) {
	key := manifestKey{appid, id}
	if m, ok := s.manifests.get(key); ok {
		return m, nil
	}
	var m string
	err := s.db.QueryRow(ctx, "SELECT manifest FROM mp_versions WHERE appid = ? AND id = ?", appid, id).Scan(&m)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %d", ErrVersionNotFound, id)
	}
	if err != nil {
		return nil, err
	}
	s.manifests.put(key, []byte(m))
	return []byte(m), nil
}

type manifestKey struct {
	appid string
	id    int64
}

// manifestCache keeps the manifests launches ask for; versions are
// immutable, so entries never go stale. Bounded by count: a manifest is a
// few kilobytes.
type manifestCache struct {
	mu sync.RWMutex
	m  map[manifestKey][]byte
}

const manifestCacheEntries = 512

func (c *manifestCache) get(k manifestKey) ([]byte, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	m, ok := c.m[k]
	return m, ok
}

func (c *manifestCache) put(k manifestKey, m []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= manifestCacheEntries {
		for old := range c.m { // drop an arbitrary entry
			delete(c.m, old)
			break
		}
	}
	c.m[k] = m
}

// Commit makes a dev version the trial version (WeChat's /wxa/commit, with
// template_id naming the dev version). ext_json must be a JSON object or
// empty; non-empty labels replace the version's.
func (s *Service) Commit(ctx context.Context, appid string, in CommitInput) (*Version, error) {
	if err := checkLabels(in.UserVersion, in.UserDesc); err != nil {
		return nil, err
	}
	ext := strings.TrimSpace(in.ExtJSON)
	if ext != "" {
		var obj map[string]json.RawMessage
		if !input.Storable(ext) || json.Unmarshal([]byte(ext), &obj) != nil || obj == nil {
			return nil, ErrBadExtJSON
		}
	}
	var v *Version
	err := s.change(ctx, appid, func(tx *store.Tx, st *appState) error {
		var err error
		if v, err = versionTx(ctx, tx, appid, in.VersionID); err != nil {
			return err
		}
		if in.UserVersion != "" || in.UserDesc != "" {
			if in.UserVersion != "" {
				v.UserVersion = in.UserVersion
			}
			if in.UserDesc != "" {
				v.UserDesc = in.UserDesc
			}
			if _, err := tx.Exec(ctx, "UPDATE mp_versions SET user_version = ?, user_desc = ? WHERE appid = ? AND id = ?",
				v.UserVersion, v.UserDesc, appid, v.ID); err != nil {
				return err
			}
		}
		st.trialVersion = v.ID
		st.trialExt = ext
		return nil
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// Trial returns the trial version and its ext_json; ErrNoTrial when none.
func (s *Service) Trial(ctx context.Context, appid string) (*Version, string, error) {
	st, err := s.readState(ctx, s.db, appid)
	if err != nil {
		return nil, "", err
	}
	if st.trialVersion == 0 {
		return nil, "", ErrNoTrial
	}
	v, err := versionTx(ctx, s.db, appid, st.trialVersion)
	if err != nil {
		return nil, "", err
	}
	return v, st.trialExt, nil
}

func checkMember(userID, role string) error {
	if role != RoleTrial && role != RoleProject {
		return badInput("role", "must be %q or %q", RoleTrial, RoleProject)
	}
	if userID == "" || len(userID) > 128 || !input.Storable(userID) {
		return badInput("user_id", "must be a user id")
	}
	return nil
}

// AddMember gives userID a role on the app (adding it again is no error).
func (s *Service) AddMember(ctx context.Context, appid, userID, role string) error {
	if err := checkMember(userID, role); err != nil {
		return err
	}
	return s.change(ctx, appid, func(tx *store.Tx, _ *appState) error {
		_, err := tx.Exec(ctx, "INSERT INTO mp_members(appid, user_id, role) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", appid, userID, role)
		return err
	})
}

// RemoveMember takes a role away; ErrBadInput when the user did not have it.
func (s *Service) RemoveMember(ctx context.Context, appid, userID, role string) error {
	if err := checkMember(userID, role); err != nil {
		return err
	}
	return s.change(ctx, appid, func(tx *store.Tx, _ *appState) error {
		res, err := tx.Exec(ctx, "DELETE FROM mp_members WHERE appid = ? AND user_id = ? AND role = ?", appid, userID, role)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return badInput("user_id", "%s is not a %s member of %s", userID, role, appid)
		}
		return nil
	})
}

// Members lists the app's members by user id, then role.
func (s *Service) Members(ctx context.Context, appid string) ([]Member, error) {
	rows, err := s.db.Query(ctx, "SELECT user_id, role FROM mp_members WHERE appid = ? ORDER BY user_id, role", appid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Member{}
	for rows.Next() {
		var m Member
		if err := rows.Scan(&m.UserID, &m.Role); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
