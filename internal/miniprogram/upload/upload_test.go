package upload

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"superapp/internal/account"
	"superapp/internal/miniprogram/host"
	"superapp/internal/miniprogram/pack"
	"superapp/internal/proxy"
	"superapp/internal/release"
	"superapp/internal/store"
	"superapp/internal/store/storetest"
)

// fakeVersions records what the CI API hands the release service.
type fakeVersions struct {
	mu    sync.Mutex
	calls []release.DevVersionInput
}

func (f *fakeVersions) AddDevVersion(ctx context.Context, appid string, in release.DevVersionInput) (*release.Version, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, in)
	return &release.Version{AppID: appid, ID: int64(len(f.calls)), UserVersion: in.UserVersion, UserDesc: in.UserDesc,
		ManifestHash: in.ManifestHash, SourceHash: in.SourceHash, Pages: in.Pages, Uploader: in.Uploader}, nil
}

func (f *fakeVersions) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

type fixture struct {
	db       *store.DB
	registry *host.Registry
	keys     *Keys
	versions *fakeVersions
	clock    time.Time
	url      string
	app      *account.App // a mini program
	other    *account.App // another mini program
	oa       *account.App // an official account
}

// newFixture runs the CI API over a fresh database, behind a trusted proxy
// (so tests choose the client address with X-Forwarded-For).
func newFixture(t *testing.T, limits pack.Limits) *fixture {
	t.Helper()
	db := storetest.Open(t)
	accounts := account.NewService(db, account.DefaultPolicy())
	f := &fixture{db: db, registry: host.NewRegistry(db, accounts), versions: &fakeVersions{}, clock: time.Now()}
	mk := func(kind account.AppKind, name string) *account.App {
		app, _, err := accounts.CreateApp(context.Background(), kind, name, "")
		if err != nil {
			t.Fatal(err)
		}
		return app
	}
	f.app, f.other, f.oa = mk(account.MiniProgram, "Shop"), mk(account.MiniProgram, "Other"), mk(account.ServiceAccount, "News")
	h := NewHandler(Config{DB: db, Files: f.registry, Versions: f.versions, Trust: proxy.Trust(true), Limits: limits,
		Now: func() time.Time { return f.clock }})
	f.keys = h.keys
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

// newKey creates (or rotates) appid's key and returns a client for it.
func (f *fixture) newKey(t *testing.T, appid string, whitelist []string, rotate bool) *Client {
	t.Helper()
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	k, err := f.keys.Create(context.Background(), appid, base64.StdEncoding.EncodeToString(pub), whitelist, rotate)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := EncodeKeyFile(appid, k.KeyID, priv)
	if err != nil {
		t.Fatal(err)
	}
	kf, err := ParseKeyFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	return &Client{Server: f.url, Key: kf, Now: func() time.Time { return f.clock }}
}

func code(err error) string {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	if err == nil {
		return ""
	}
	return "other: " + err.Error()
}

func countFiles(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), "SELECT COUNT(*) FROM mp_files").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// writeProject writes a small project: two pages, an image, and files that
// packOptions.ignore, dotfiles and node_modules keep out of the source zip.
func writeProject(t *testing.T, extra map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"project.config.json":     `{"appid":"touristappid","packOptions":{"ignore":[{"type":"folder","value":"docs"},{"type":"file","value":"secret.json"}]}}`,
		"app.json":                `{"pages":["pages/index/index","pages/about/about"]}`,
		"app.js":                  `App({})`,
		"app.wxss":                `page{color:#333}`,
		"pages/index/index.js":    `Page({data:{n:1}})`,
		"pages/index/index.wxml":  `<view>{{n}}</view>`,
		"pages/index/index.json":  `{}`,
		"pages/about/about.js":    `Page({})`,
		"pages/about/about.wxml":  `<text>about</text>`,
		"pages/about/about.wxss":  `text{font-size:28rpx}`,
		"images/logo.png":         "\x89PNG fake image bytes",
		"docs/notes.js":           `// ignored folder`,
		"secret.json":             `{"ignored":true}`,
		".eslintrc.json":          `{}`,
		"node_modules/x/index.js": `module.exports=1`,
		"README.md":               "not a source",
	}
	for k, v := range extra {
		files[k] = v
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func packFor(t *testing.T, dir, appid string) (*pack.Result, []byte) {
	t.Helper()
	res, err := pack.Build(dir, pack.Options{AppID: appid})
	if err != nil {
		t.Fatal(err)
	}
	src, err := SourceZip(dir)
	if err != nil {
		t.Fatal(err)
	}
	return res, src
}

func TestKeyLifecycle(t *testing.T) {
	f := newFixture(t, pack.Limits{})
	ctx := context.Background()
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	pubText := base64.StdEncoding.EncodeToString(pub)

	if _, err := f.keys.Create(ctx, f.app.AppID, pubText, nil, true); !errors.Is(err, ErrNoKey) {
		t.Fatalf("rotate without a key: %v", err)
	}
	k1, err := f.keys.Create(ctx, f.app.AppID, pubText, []string{" 10.1.2.3 ", "10.0.0.0/8", ""}, false)
	if err != nil || !slices.Equal(k1.IPWhitelist, []string{"10.1.2.3", "10.0.0.0/8"}) || !strings.HasPrefix(k1.KeyID, "uk_") {
		t.Fatalf("create: %+v %v", k1, err)
	}
	if _, err := f.keys.Create(ctx, f.app.AppID, pubText, nil, false); !errors.Is(err, ErrKeyExists) {
		t.Fatalf("second create: %v", err)
	}
	// Rotation without a whitelist keeps the old one.
	k2, err := f.keys.Create(ctx, f.app.AppID, pubText, nil, true)
	if err != nil || k2.KeyID == k1.KeyID || !slices.Equal(k2.IPWhitelist, k1.IPWhitelist) {
		t.Fatalf("rotate: %+v %v", k2, err)
	}
	if _, why, _ := f.keys.lookup(ctx, k1.KeyID); why != "rotated" {
		t.Fatalf("old key after rotation: %q", why)
	}
	got, err := f.keys.Get(ctx, f.app.AppID)
	if err != nil || got.KeyID != k2.KeyID || got.LastUsedAt != 0 {
		t.Fatalf("get: %+v %v", got, err)
	}
	if got, err := f.keys.SetIPWhitelist(ctx, f.app.AppID, nil); err != nil || len(got.IPWhitelist) != 0 {
		t.Fatalf("clear whitelist: %+v %v", got, err)
	}
	if err := f.keys.Revoke(ctx, f.app.AppID); err != nil {
		t.Fatal(err)
	}
	if _, why, _ := f.keys.lookup(ctx, k2.KeyID); why != "revoked" {
		t.Fatalf("revoked key: %q", why)
	}
	if _, err := f.keys.Get(ctx, f.app.AppID); !errors.Is(err, ErrNoKey) {
		t.Fatalf("get after revoke: %v", err)
	}
	if err := f.keys.Revoke(ctx, f.app.AppID); !errors.Is(err, ErrNoKey) {
		t.Fatalf("revoke twice: %v", err)
	}
	if _, err := f.keys.Create(ctx, f.app.AppID, pubText, nil, false); err != nil {
		t.Fatalf("create after revoke: %v", err)
	}

	if _, err := f.keys.Create(ctx, f.oa.AppID, pubText, nil, false); !errors.Is(err, host.ErrNotMiniProgram) {
		t.Fatalf("official account: %v", err)
	}
	if _, err := f.keys.Create(ctx, f.other.AppID, "c2hvcnQ=", nil, false); err == nil || !strings.Contains(err.Error(), "32-byte") {
		t.Fatalf("short public key: %v", err)
	}
	if _, err := f.keys.Create(ctx, f.other.AppID, pubText, []string{"10.0.0.300"}, false); err == nil || !strings.Contains(err.Error(), "neither an IP") {
		t.Fatalf("bad whitelist: %v", err)
	}
}

func TestKeyFileRoundTrip(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	raw, err := EncodeKeyFile("wx0123456789abcdef", "uk_1", priv)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte("appid: wx0123456789abcdef")) || !bytes.Contains(raw, []byte("key-id: uk_1")) {
		t.Fatalf("headers missing:\n%s", raw)
	}
	kf, err := ParseKeyFile(raw)
	if err != nil || kf.AppID != "wx0123456789abcdef" || kf.KeyID != "uk_1" || !kf.Key.Equal(priv) {
		t.Fatalf("parse: %+v %v", kf, err)
	}
	if _, err := ParseKeyFile([]byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")); err == nil {
		t.Fatal("a key file without headers was accepted")
	}
}

func TestSignatureChecks(t *testing.T) {
	f := newFixture(t, pack.Limits{})
	ctx := context.Background()
	hashes := []string{host.HashOf([]byte("x"))}
	c := f.newKey(t, f.app.AppID, nil, false)
	if _, err := c.Missing(ctx, hashes); err != nil {
		t.Fatalf("a signed request: %v", err)
	}
	if k, _ := f.keys.Get(ctx, f.app.AppID); k.LastUsedAt == 0 {
		t.Fatal("last use not recorded")
	}

	// Signed with another private key under this key's id.
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	forged := &Client{Server: f.url, Key: &KeyFile{AppID: f.app.AppID, KeyID: c.Key.KeyID, Key: other}, Now: c.Now}
	if _, err := forged.Missing(ctx, hashes); code(err) != "bad_signature" {
		t.Fatalf("wrong private key: %v", err)
	}
	// A key id nobody issued.
	unknown := &Client{Server: f.url, Key: &KeyFile{AppID: f.app.AppID, KeyID: "uk_nobody", Key: c.Key.Key}, Now: c.Now}
	if _, err := unknown.Missing(ctx, hashes); code(err) != "key_unknown" {
		t.Fatalf("unknown key: %v", err)
	}
	// Another app's key on this app's path: the key is scoped to its app.
	otherApp := f.newKey(t, f.other.AppID, nil, false)
	cross := &Client{Server: f.url, Key: &KeyFile{AppID: f.app.AppID, KeyID: otherApp.Key.KeyID, Key: otherApp.Key.Key}, Now: c.Now}
	if _, err := cross.Missing(ctx, hashes); code(err) != "wrong_app" {
		t.Fatalf("another app's key: %v", err)
	}
	if _, err := cross.Put(ctx, []byte("x")); code(err) != "wrong_app" || countFiles(t, f.db) != 0 {
		t.Fatalf("another app's key, put: %v", err)
	}

	// Clock skew: 4 minutes is fine, 6 is not, either way.
	for _, d := range []time.Duration{-4 * time.Minute, 4 * time.Minute} {
		skewed := *c
		skewed.Now = func() time.Time { return f.clock.Add(d) }
		if _, err := skewed.Missing(ctx, hashes); err != nil {
			t.Fatalf("skew %v: %v", d, err)
		}
	}
	for _, d := range []time.Duration{-6 * time.Minute, 6 * time.Minute} {
		skewed := *c
		skewed.Now = func() time.Time { return f.clock.Add(d) }
		if _, err := skewed.Missing(ctx, hashes); code(err) != "clock_skew" || !strings.Contains(err.Error(), "at most 300 s") {
			t.Fatalf("skew %v: %v", d, err)
		}
	}

	// The same request twice: the second is a replay; a body other than
	// the signed one fails the signature.
	body := []byte(`{"hashes":[]}`)
	path := "/mp/ci/v1/apps/" + f.app.AppID + "/files/missing"
	auth := Authorization(c.Key.KeyID, c.Key.Key, "POST", path, body, f.clock, "nonce-fixed-1")
	send := func(auth string, body []byte, forwardedFor string) (int, string) {
		req, _ := http.NewRequest("POST", f.url+path, bytes.NewReader(body))
		req.Header.Set("Authorization", auth)
		if forwardedFor != "" {
			req.Header.Set("X-Forwarded-For", forwardedFor)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(raw)
	}
	if st, raw := send(auth, body, ""); st != 200 {
		t.Fatalf("first: %d %s", st, raw)
	}
	if st, raw := send(auth, body, ""); st != 401 || !strings.Contains(raw, `"replay"`) {
		t.Fatalf("replay: %d %s", st, raw)
	}
	auth2 := Authorization(c.Key.KeyID, c.Key.Key, "POST", path, body, f.clock, "nonce-fixed-2")
	if st, raw := send(auth2, []byte(`{"hashes":["`+hashes[0]+`"]}`), ""); st != 401 || !strings.Contains(raw, `"bad_signature"`) {
		t.Fatalf("altered body: %d %s", st, raw)
	}
	if st, raw := send("Bearer abc", body, ""); st != 401 || !strings.Contains(raw, "Superapp-Key") {
		t.Fatalf("no signature: %d %s", st, raw)
	}
	// A stranger's oversized body is refused for the key, unread; the
	// key's holder learns the size limit.
	big := bytes.Repeat([]byte(" "), maxJSONBody+1)
	stranger := Authorization("uk_nobody", c.Key.Key, "POST", path, big, f.clock, "nonce-big-1")
	if st, raw := send(stranger, big, ""); st != 401 || !strings.Contains(raw, `"key_unknown"`) {
		t.Fatalf("unknown key, oversized body: %d %s", st, raw)
	}
	if st, raw := send(Authorization(c.Key.KeyID, c.Key.Key, "POST", path, big, f.clock, "nonce-big-2"), big, ""); st != 413 || !strings.Contains(raw, `"body_too_large"`) {
		t.Fatalf("oversized body: %d %s", st, raw)
	}

	// IP whitelist: the address the trusted proxy appended decides.
	if _, err := f.keys.SetIPWhitelist(ctx, f.app.AppID, []string{"10.0.0.0/8", "192.0.2.7"}); err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct {
		from string
		ok   bool
	}{{"10.9.8.7", true}, {"192.0.2.7", true}, {"192.0.2.8", false}, {"10.1.1.1, 203.0.113.5", false}} {
		a := Authorization(c.Key.KeyID, c.Key.Key, "POST", path, body, f.clock, "nonce-ip-"+string(rune('a'+i)))
		st, raw := send(a, body, tc.from)
		if tc.ok != (st == 200) || (!tc.ok && (st != 403 || !strings.Contains(raw, "ip_not_whitelisted"))) {
			t.Fatalf("from %s: %d %s", tc.from, st, raw)
		}
	}
	if _, err := f.keys.SetIPWhitelist(ctx, f.app.AppID, nil); err != nil {
		t.Fatal(err)
	}

	// Rotation kills the old key at once; revocation too.
	rotated := f.newKey(t, f.app.AppID, nil, true)
	if _, err := c.Missing(ctx, hashes); code(err) != "key_rotated" {
		t.Fatalf("rotated key: %v", err)
	}
	if _, err := rotated.Missing(ctx, hashes); err != nil {
		t.Fatalf("new key: %v", err)
	}
	if err := f.keys.Revoke(ctx, f.app.AppID); err != nil {
		t.Fatal(err)
	}
	if _, err := rotated.Missing(ctx, hashes); code(err) != "key_revoked" {
		t.Fatalf("revoked key: %v", err)
	}
}

// TestNonceOnceAcrossServers: two servers on one database (a scale-out
// deployment) accept a signed request once between them; once its row has
// expired a nonce may come again, and the sweep deletes expired rows.
func TestNonceOnceAcrossServers(t *testing.T) {
	f := newFixture(t, pack.Limits{})
	ctx := context.Background()
	other := NewHandler(Config{DB: f.db, Files: f.registry, Versions: f.versions, Now: func() time.Time { return f.clock }})
	first := &Handler{cfg: Config{DB: f.db}}
	t0 := time.Unix(1_700_000_000, 0)
	used := func(h *Handler, nonce string, at time.Time) bool {
		t.Helper()
		fresh, err := h.useNonce(ctx, "uk_1", nonce, at)
		if err != nil {
			t.Fatal(err)
		}
		return fresh
	}
	if !used(first, "n1", t0) {
		t.Fatal("a new nonce was refused")
	}
	if used(other, "n1", t0.Add(time.Second)) || used(first, "n1", t0.Add(9*time.Minute)) {
		t.Fatal("a nonce used on one server was accepted again within its lifetime")
	}
	if !used(other, "n1-other-key", t0) {
		t.Fatal("nonces of different values collide")
	}
	if fresh, err := other.useNonce(ctx, "uk_2", "n1", t0); err != nil || !fresh {
		t.Fatal("the same nonce of another key was refused")
	}
	if !used(other, "n1", t0.Add(NonceLifetime)) {
		t.Fatal("an expired nonce is not usable again")
	}
	// The sweep, due again a minute on, deletes every expired row.
	used(first, "n2", t0.Add(2*NonceLifetime+time.Minute))
	var left int
	if err := f.db.QueryRow(ctx, "SELECT COUNT(*) FROM mp_upload_nonces WHERE expires_at <= ?", t0.Add(2*NonceLifetime+time.Minute).UnixMilli()).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Fatalf("%d expired nonces left after the sweep", left)
	}
}

func TestUploadMakesDevVersionAndDedupes(t *testing.T) {
	f := newFixture(t, pack.Limits{})
	ctx := context.Background()
	c := f.newKey(t, f.app.AppID, nil, false)
	dir := writeProject(t, nil)
	build, src := packFor(t, dir, f.app.AppID)

	var seen []Progress
	res, err := c.Upload(ctx, Input{Build: build, Source: src, UserVersion: "1.2.3", UserDesc: "first"}, func(p Progress) { seen = append(seen, p) })
	if err != nil {
		t.Fatal(err)
	}
	if res.Files != len(build.Files)+1 || res.NewFiles != res.Files || res.Version.Version.ID != 1 {
		t.Fatalf("first upload: %+v", res)
	}
	last := seen[len(seen)-1]
	if seen[0].Files != 0 || last.Files != res.NewFiles || last.Bytes != res.NewBytes || last.TotalBytes != res.NewBytes {
		t.Fatalf("progress: %+v", seen)
	}
	in := f.versions.calls[0]
	if in.Uploader != "key:"+c.Key.KeyID || in.UserVersion != "1.2.3" || in.UserDesc != "first" ||
		in.ManifestHash != host.HashOf(build.ManifestJSON) || in.SourceHash != host.HashOf(src) ||
		!slices.Equal(in.Pages, []string{"pages/index/index", "pages/about/about"}) || !bytes.Equal(in.Manifest, build.ManifestJSON) {
		t.Fatalf("dev version input: %+v", in)
	}
	// The source zip is stored and holds the text sources only.
	stored, err := f.registry.File(ctx, in.SourceHash)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(stored), int64(len(stored)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range zr.File {
		names = append(names, e.Name)
	}
	want := []string{"app.js", "app.json", "app.wxss", "pages/about/about.js", "pages/about/about.wxml", "pages/about/about.wxss",
		"pages/index/index.js", "pages/index/index.json", "pages/index/index.wxml", "project.config.json"}
	if !slices.Equal(names, want) {
		t.Fatalf("source zip entries:\n got %v\nwant %v", names, want)
	}

	// The same bytes again: nothing is sent or stored, a new dev version is made.
	files := countFiles(t, f.db)
	res2, err := c.Upload(ctx, Input{Build: build, Source: src, UserVersion: "1.2.4"}, nil)
	if err != nil || res2.NewFiles != 0 || res2.NewBytes != 0 || res2.Version.Version.ID != 2 || countFiles(t, f.db) != files {
		t.Fatalf("re-upload: %+v %v (files %d → %d)", res2, err, files, countFiles(t, f.db))
	}
	// One page changed: only its package's service.js and the zip are new.
	dir2 := writeProject(t, map[string]string{"pages/about/about.js": `Page({data:{v:2}})`})
	build2, src2 := packFor(t, dir2, f.app.AppID)
	res3, err := c.Upload(ctx, Input{Build: build2, Source: src2, UserVersion: "1.2.5"}, nil)
	if err != nil || res3.NewFiles != 2 {
		t.Fatalf("one change: %+v %v", res3, err)
	}
}

func TestServerRechecksBuild(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, pack.Limits{Main: 200, Subpackage: 200, Total: 400})
	c := f.newKey(t, f.app.AppID, nil, false)
	// Packed with generous limits, so only the server's check can refuse it.
	build, src := packFor(t, writeProject(t, map[string]string{"images/big.png": strings.Repeat("x", 300)}), f.app.AppID)
	_, err := c.Upload(ctx, Input{Build: build, Source: src, UserVersion: "1.0.0"}, nil)
	if code(err) != "limit_exceeded" || !strings.Contains(err.Error(), "main package") || !strings.Contains(err.Error(), "200 B limit") || f.versions.count() != 0 {
		t.Fatalf("over the limit: %v (versions %d)", err, f.versions.count())
	}

	f = newFixture(t, pack.Limits{})
	c = f.newKey(t, f.app.AppID, nil, false)
	build, _ = packFor(t, writeProject(t, nil), f.app.AppID)
	// Files never uploaded.
	if _, err := c.AddVersion(ctx, VersionRequest{Manifest: build.ManifestJSON, UserVersion: "1"}); code(err) != "missing_files" {
		t.Fatalf("missing files: %v", err)
	}
	for _, data := range build.Files {
		if _, err := c.Put(ctx, data); err != nil {
			t.Fatal(err)
		}
	}
	// A manifest whose sizes do not add up, one for another app, a source
	// zip never sent, labels too long.
	var m map[string]any
	json.Unmarshal(build.ManifestJSON, &m)
	m["packages"].([]any)[0].(map[string]any)["size"] = 1
	lying, _ := json.Marshal(m)
	m["appid"] = f.other.AppID
	foreign, _ := json.Marshal(m)
	for name, tc := range map[string]struct {
		req  VersionRequest
		want string
	}{
		"size":          {VersionRequest{Manifest: lying, UserVersion: "1"}, "main package says 1 bytes"},
		"appid":         {VersionRequest{Manifest: foreign, UserVersion: "1"}, "is built for appid"},
		"source":        {VersionRequest{Manifest: build.ManifestJSON, UserVersion: "1", SourceHash: host.HashOf([]byte("zip"))}, "does not have"},
		"version":       {VersionRequest{Manifest: build.ManifestJSON, UserVersion: strings.Repeat("9", 65)}, "user_version: has 65 characters; at most 64"},
		"no version":    {VersionRequest{Manifest: build.ManifestJSON}, "user_version: is required"},
		"desc":          {VersionRequest{Manifest: build.ManifestJSON, UserVersion: "1", UserDesc: strings.Repeat("说", 1025)}, "user_desc: has 1025 characters; at most 1024"},
		"no manifest":   {VersionRequest{UserVersion: "1"}, "manifest: is required"},
		"bad source id": {VersionRequest{Manifest: build.ManifestJSON, UserVersion: "1", SourceHash: "abc"}, "source_hash"},
	} {
		if _, err := c.AddVersion(ctx, tc.req); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
	if f.versions.count() != 0 {
		t.Fatalf("a refused build became a version")
	}
	// A file whose bytes are not its name.
	bad := host.HashOf([]byte("other"))
	if err := c.do(ctx, "PUT", c.appPath("files/"+bad), []byte("bytes"), "application/octet-stream", nil); code(err) != "invalid_input" || !strings.Contains(err.Error(), "SHA-256") {
		t.Fatalf("hash mismatch: %v", err)
	}
	if _, err := c.AddVersion(ctx, VersionRequest{Manifest: build.ManifestJSON, UserVersion: "1.0.0"}); err != nil || f.versions.count() != 1 {
		t.Fatalf("a good version after the refusals: %v", err)
	}
}

func TestSourceZipIsDeterministic(t *testing.T) {
	dir := writeProject(t, nil)
	a, err := SourceZip(dir)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Add(time.Hour)
	os.Chtimes(filepath.Join(dir, "app.js"), now, now)
	b, err := SourceZip(dir)
	if err != nil || !bytes.Equal(a, b) {
		t.Fatalf("two zips of the same sources differ (%v)", err)
	}
}
