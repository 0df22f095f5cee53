package host_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"superapp/internal/account"
	"superapp/internal/miniprogram/host"
	"superapp/internal/miniprogram/pack"
	"superapp/internal/store"
	"superapp/internal/store/storetest"
)

func newRegistry(t *testing.T) (*host.Registry, *account.Service, *store.DB) {
	t.Helper()
	db := storetest.Open(t)
	accounts := account.NewService(db, account.DefaultPolicy())
	return host.NewRegistry(db, accounts), accounts, db
}

func createApp(t *testing.T, accounts *account.Service, kind account.AppKind, name string) *account.App {
	t.Helper()
	app, _, err := accounts.CreateApp(context.Background(), kind, name, "")
	if err != nil {
		t.Fatal(err)
	}
	return app
}

// build makes a pack.Result for appid whose main package holds files
// (package path → content).
func build(appid string, files map[string]string) *pack.Result {
	res := &pack.Result{Files: map[string][]byte{}}
	pkg := pack.Package{Root: "", Pages: []string{"pages/index/index"}, Files: map[string]string{}}
	for path, content := range files {
		h := host.HashOf([]byte(content))
		pkg.Files[path] = h
		res.Files[h] = []byte(content)
		pkg.Size += int64(len(content))
	}
	res.Manifest = pack.Manifest{AppID: appid, App: map[string]any{"pages": []string{"pages/index/index"}},
		Pages: map[string]map[string]any{"pages/index/index": {"package": ""}}, Components: map[string]map[string]any{},
		Packages: []pack.Package{pkg}}
	res.ManifestJSON, _ = json.Marshal(res.Manifest)
	return res
}

func countFiles(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), "SELECT COUNT(*) FROM mp_files").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPublishStoresEachFileOnceAndLaunchesTheDevBuild(t *testing.T) {
	ctx := context.Background()
	reg, accounts, db := newRegistry(t)
	app := createApp(t, accounts, account.MiniProgram, "Paper Shop")

	if _, _, _, err := reg.Launch(ctx, app.AppID, "u1", ""); !errors.Is(err, host.ErrNoBuild) {
		t.Fatalf("launch before any publish: %v, want ErrNoBuild", err)
	}
	first := build(app.AppID, map[string]string{"service.js": "define('app.js', function(){})", "styles.json": "{}", "images/a.png": "PNG-A"})
	b, err := reg.Publish(ctx, app.AppID, first, "/src/shop")
	if err != nil {
		t.Fatal(err)
	}
	if b.Files != 3 || b.NewFiles != 3 || b.ManifestHash != host.HashOf(first.ManifestJSON) {
		t.Fatalf("first publish: %+v", b)
	}
	// The same bytes again store nothing new.
	b, err = reg.Publish(ctx, app.AppID, first, "/src/shop")
	if err != nil || b.NewFiles != 0 || countFiles(t, db) != 3 {
		t.Fatalf("republish: %+v %v, %d files stored", b, err, countFiles(t, db))
	}
	// A new build sharing the image stores only the changed service.js.
	second := build(app.AppID, map[string]string{"service.js": "define('app.js', function(){ /* v2 */ })", "styles.json": "{}", "images/a.png": "PNG-A"})
	b, err = reg.Publish(ctx, app.AppID, second, "/src/shop")
	if err != nil || b.NewFiles != 1 || countFiles(t, db) != 4 {
		t.Fatalf("second build: %+v %v, %d files stored", b, err, countFiles(t, db))
	}
	got, manifest, _, err := reg.Launch(ctx, app.AppID, "u1", "")
	if err != nil {
		t.Fatal(err)
	}
	if string(manifest) != string(second.ManifestJSON) || got.ManifestHash != host.HashOf(second.ManifestJSON) || got.SourceDir != "/src/shop" || got.Files != 3 {
		t.Fatalf("launch: %+v %s", got, manifest)
	}
	data, err := reg.File(ctx, second.Manifest.Packages[0].Files["images/a.png"])
	if err != nil || string(data) != "PNG-A" {
		t.Fatalf("file: %q %v", data, err)
	}
	if _, err := reg.File(ctx, host.HashOf([]byte("never stored"))); !errors.Is(err, host.ErrFileNotFound) {
		t.Fatalf("unknown file: %v", err)
	}
}

func TestPublishRefusesWhatIsNotAValidBuildOfAMiniProgram(t *testing.T) {
	ctx := context.Background()
	reg, accounts, db := newRegistry(t)
	mp := createApp(t, accounts, account.MiniProgram, "Shop")
	oa := createApp(t, accounts, account.ServiceAccount, "News")

	if _, err := reg.Publish(ctx, oa.AppID, build(oa.AppID, map[string]string{"service.js": "x"}), ""); !errors.Is(err, host.ErrNotMiniProgram) {
		t.Fatalf("publish to an official account: %v", err)
	}
	if _, err := reg.Publish(ctx, "wx0000000000000000", build("wx0000000000000000", nil), ""); !errors.Is(err, account.ErrAppNotFound) {
		t.Fatalf("publish to no app: %v", err)
	}
	var ie *host.InvalidError
	if _, err := reg.Publish(ctx, mp.AppID, build(oa.AppID, map[string]string{"service.js": "x"}), ""); !errors.As(err, &ie) || ie.Field != "manifest" {
		t.Fatalf("a build for another appid: %v", err)
	}
	lying := build(mp.AppID, map[string]string{"service.js": "x"})
	for h := range lying.Files {
		lying.Files[h] = []byte("other bytes")
	}
	if _, err := reg.Publish(ctx, mp.AppID, lying, ""); !errors.As(err, &ie) || ie.Field != "files" {
		t.Fatalf("a file whose bytes do not match its hash: %v", err)
	}
	// A manifest naming files neither sent nor stored is refused whole:
	// not even the files it did send are kept.
	partial := build(mp.AppID, map[string]string{"service.js": "x", "styles.json": "{}"})
	for h, data := range partial.Files {
		if string(data) == "{}" {
			delete(partial.Files, h)
		}
	}
	var me *host.MissingFilesError
	if _, err := reg.Publish(ctx, mp.AppID, partial, ""); !errors.As(err, &me) || len(me.Hashes) != 1 || me.Hashes[0] != host.HashOf([]byte("{}")) {
		t.Fatalf("missing file: %v", err)
	}
	if n := countFiles(t, db); n != 0 {
		t.Fatalf("a refused publish stored %d files", n)
	}
	if _, _, err := reg.DevBuild(ctx, mp.AppID); !errors.Is(err, host.ErrNoBuild) {
		t.Fatalf("dev build after refusals: %v", err)
	}
}

func TestUploadFilesFirstThenPublishTheManifestAlone(t *testing.T) {
	ctx := context.Background()
	reg, accounts, _ := newRegistry(t)
	mp := createApp(t, accounts, account.MiniProgram, "Shop")
	res := build(mp.AppID, map[string]string{"service.js": "x", "styles.json": "{}"})
	var hashes []string
	for h := range res.Files {
		hashes = append(hashes, h)
	}
	missing, err := reg.Missing(ctx, append(hashes, hashes[0]))
	if err != nil || len(missing) != 2 {
		t.Fatalf("missing before upload: %v %v", missing, err)
	}
	if _, err := reg.PutFile(ctx, hashes[0], []byte("not it")); err == nil {
		t.Fatal("PutFile accepted bytes that do not match the hash")
	}
	for _, h := range hashes {
		if stored, err := reg.PutFile(ctx, h, res.Files[h]); err != nil || !stored {
			t.Fatalf("put %s: %v %v", h, stored, err)
		}
	}
	if stored, err := reg.PutFile(ctx, hashes[0], res.Files[hashes[0]]); err != nil || stored {
		t.Fatalf("put again: stored=%v %v", stored, err)
	}
	if missing, err := reg.Missing(ctx, hashes); err != nil || len(missing) != 0 {
		t.Fatalf("missing after upload: %v %v", missing, err)
	}
	if _, err := reg.Missing(ctx, []string{"../etc/passwd"}); err == nil {
		t.Fatal("Missing accepted a name that is not a hash")
	}
	manifestOnly := &pack.Result{Manifest: res.Manifest, ManifestJSON: res.ManifestJSON}
	b, err := reg.Publish(ctx, mp.AppID, manifestOnly, "")
	if err != nil || b.NewFiles != 0 || b.Files != 2 {
		t.Fatalf("publish the manifest alone: %+v %v", b, err)
	}
}

func TestDomainsAreNormalisedCheckedAndReplacedPerKind(t *testing.T) {
	ctx := context.Background()
	reg, accounts, _ := newRegistry(t)
	mp := createApp(t, accounts, account.MiniProgram, "Shop")

	d, err := reg.SetDomains(ctx, mp.AppID, host.Domains{
		host.DomainRequest: {"https://API.example.com", "api.example.com", "https://pay.example.com:8443/"},
		host.DomainSocket:  {"wss://ws.example.com"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := host.Domains{host.DomainRequest: {"api.example.com", "pay.example.com:8443"}, host.DomainSocket: {"ws.example.com"},
		host.DomainUpload: {}, host.DomainDownload: {}}
	if !reflect.DeepEqual(d, want) {
		t.Fatalf("domains: %v, want %v", d, want)
	}
	// Setting one kind keeps the others.
	if d, err = reg.SetDomains(ctx, mp.AppID, host.Domains{host.DomainRequest: {}}); err != nil || len(d[host.DomainRequest]) != 0 || len(d[host.DomainSocket]) != 1 {
		t.Fatalf("clear request: %v %v", d, err)
	}
	for _, bad := range []struct {
		kind  host.DomainKind
		entry string
	}{
		{host.DomainRequest, "http://api.example.com"},
		{host.DomainRequest, "https://127.0.0.1"},
		{host.DomainRequest, "https://localhost"},
		{host.DomainRequest, "https://api.example.com/path"},
		{host.DomainSocket, "https://ws.example.com"},
		{host.DomainRequest, "https://api.example.com:99999"},
		{"ftp", "files.example.com"},
	} {
		var ie *host.InvalidError
		if _, err := reg.SetDomains(ctx, mp.AppID, host.Domains{bad.kind: {bad.entry}}); !errors.As(err, &ie) {
			t.Errorf("%s %q: %v, want an InvalidError", bad.kind, bad.entry, err)
		}
	}
}

func TestSearchFindsPublishedMiniProgramsByName(t *testing.T) {
	ctx := context.Background()
	reg, accounts, _ := newRegistry(t)
	shop := createApp(t, accounts, account.MiniProgram, "Paper Shop")
	createApp(t, accounts, account.MiniProgram, "Paper Unpublished")
	createApp(t, accounts, account.ServiceAccount, "Paper News")
	mall := createApp(t, accounts, account.MiniProgram, "Big Paper_Mall")
	for _, a := range []*account.App{shop, mall} {
		if _, err := reg.Publish(ctx, a.AppID, build(a.AppID, map[string]string{"service.js": a.Name}), ""); err != nil {
			t.Fatal(err)
		}
	}
	got, err := reg.Search(ctx, "paper")
	if err != nil {
		t.Fatal(err)
	}
	want := []host.Summary{{AppID: shop.AppID, Name: "Paper Shop"}, {AppID: mall.AppID, Name: "Big Paper_Mall"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("search paper: %v, want %v (prefix matches first, published mini programs only)", got, want)
	}
	if got, _ := reg.Search(ctx, "r_m"); len(got) != 1 || got[0].AppID != mall.AppID {
		t.Fatalf("search r_m (a literal underscore): %v", got)
	}
	if _, err := reg.Search(ctx, "  "); err == nil {
		t.Fatal("an empty search was accepted")
	}
}

// Package files are read from the database once, then from memory until
// the cache's bound pushes them out.
func TestFilesAreCachedWithinTheBound(t *testing.T) {
	reg, accounts, db := newRegistry(t)
	host.SetFileCacheBytes(reg, 4096)
	app := createApp(t, accounts, account.MiniProgram, "Cached")
	ctx := context.Background()
	a, b := strings.Repeat("a", 1000), strings.Repeat("b", 1000)
	if _, err := reg.Publish(ctx, app.AppID, build(app.AppID, map[string]string{"a.txt": a, "b.txt": b}), ""); err != nil {
		t.Fatal(err)
	}
	ha, hb := host.HashOf([]byte(a)), host.HashOf([]byte(b))
	for _, h := range []string{ha, hb} {
		if data, err := reg.File(ctx, h); err != nil || host.HashOf(data) != h {
			t.Fatalf("first read of %s: %v", h[:8], err)
		}
	}
	// Gone from the database, both are still served from memory, intact.
	if _, err := db.Exec(ctx, "DELETE FROM mp_files WHERE hash IN (?, ?)", ha, hb); err != nil {
		t.Fatal(err)
	}
	if data, err := reg.File(ctx, ha); err != nil || string(data) != a {
		t.Fatalf("cached a: %v", err)
	}
	// Four more files of 1000 bytes push out the least recently used (b).
	more := map[string]string{}
	for i := range 3 {
		more[fmt.Sprintf("m%d.txt", i)] = strings.Repeat(fmt.Sprint(i), 1000)
	}
	if _, err := reg.Publish(ctx, app.AppID, build(app.AppID, more), ""); err != nil {
		t.Fatal(err)
	}
	for _, v := range more {
		if _, err := reg.File(ctx, host.HashOf([]byte(v))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := reg.File(ctx, hb); !errors.Is(err, host.ErrFileNotFound) {
		t.Fatalf("b after eviction: %v, want it read (and missed) in the database", err)
	}
	if data, err := reg.File(ctx, ha); err != nil || string(data) != a {
		t.Fatalf("a, used more recently, was evicted: %v", err)
	}
}

// Concurrent replacements of one app's lists all succeed, and the lists
// end as one of them set them (PostgreSQL once failed with a duplicate key).
func TestConcurrentSetDomains(t *testing.T) {
	reg, accounts, _ := newRegistry(t)
	app := createApp(t, accounts, account.MiniProgram, "Race")
	ctx := context.Background()
	errs := make(chan error, 16)
	for i := range 16 {
		go func() {
			d := host.Domains{host.DomainRequest: {"a.example.com", "b.example.com", fmt.Sprintf("c%d.example.com", i%2)}}
			_, err := reg.SetDomains(ctx, app.AppID, d)
			errs <- err
		}()
	}
	for range 16 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	d, err := reg.Domains(ctx, app.AppID)
	if err != nil || len(d[host.DomainRequest]) != 3 {
		t.Fatalf("request domains after the race: %v %v", d[host.DomainRequest], err)
	}
}

// Concurrent publishes sharing files all succeed.
func TestConcurrentPublishesShareFiles(t *testing.T) {
	reg, accounts, _ := newRegistry(t)
	ctx := context.Background()
	apps := []*account.App{createApp(t, accounts, account.MiniProgram, "A"), createApp(t, accounts, account.MiniProgram, "B")}
	errs := make(chan error, 12)
	for i := range 12 {
		go func() {
			files := map[string]string{"own": fmt.Sprint("own ", i)}
			for j := range 20 {
				files[fmt.Sprintf("f%d.txt", j)] = fmt.Sprintf("shared %d", (j*7+i)%30)
			}
			app := apps[i%2]
			_, err := reg.Publish(ctx, app.AppID, build(app.AppID, files), "")
			errs <- err
		}()
	}
	for range 12 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
