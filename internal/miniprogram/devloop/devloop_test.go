package devloop_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"superapp/internal/account"
	"superapp/internal/identity"
	"superapp/internal/miniprogram/devloop"
	"superapp/internal/miniprogram/host"
	"superapp/internal/miniprogram/pack"
	"superapp/internal/platform"
	"superapp/internal/store/storetest"
)

func init() { identity.PasswordIterations = 1000 }

// fixture is the mini program the shell's browser tests open.
var fixture = filepath.Join("..", "..", "..", "web", "shell", "e2e", "fixtures", "hello-mp")

// copyFixture copies the fixture into a fresh directory.
func copyFixture(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS(fixture)); err != nil {
		t.Fatal(err)
	}
	return dst
}

func write(t *testing.T, dir, rel, text string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// touch gives a file a new mtime, so a change is seen even where the
// file system's clock is coarse.
func touch(t *testing.T, dir, rel string, at time.Time) {
	t.Helper()
	if err := os.Chtimes(filepath.Join(dir, filepath.FromSlash(rel)), at, at); err != nil {
		t.Fatal(err)
	}
}

const (
	interval = 300 * time.Millisecond
	debounce = 150 * time.Millisecond
)

func TestWatcherReportsCreatedModifiedAndDeletedFilesOnceSettled(t *testing.T) {
	dir := copyFixture(t)
	w := devloop.NewWatcher(dir, interval, debounce)
	t0 := time.Now()
	if got, next := w.Poll(t0); got != nil || next != interval {
		t.Fatalf("nothing changed: %v, next poll in %v", got, next)
	}

	write(t, dir, "pages/index/index.wxml", "<view>changed</view>")
	touch(t, dir, "pages/index/index.wxml", t0.Add(time.Hour))
	write(t, dir, "utils/new.js", "module.exports = 1")
	if err := os.Remove(filepath.Join(dir, "pages/index/index.wxss")); err != nil {
		t.Fatal(err)
	}
	// Seen, but a burst may go on: the next look is after the debounce time.
	if got, next := w.Poll(t0); got != nil || next != debounce {
		t.Fatalf("change seen: %v, next poll in %v", got, next)
	}
	got, next := w.Poll(t0.Add(debounce))
	want := "pages/index/index.wxml pages/index/index.wxss utils/new.js"
	if strings.Join(got, " ") != want || next != interval {
		t.Fatalf("settled: %v (want %s), next poll in %v", got, want, next)
	}
	if got, _ := w.Poll(t0.Add(2 * debounce)); got != nil {
		t.Fatalf("reported twice: %v", got)
	}
}

func TestWatcherDebouncesABurstIntoOneReport(t *testing.T) {
	dir := copyFixture(t)
	w := devloop.NewWatcher(dir, interval, debounce)
	t0 := time.Now()

	write(t, dir, "app.js", "App({})")
	w.Poll(t0)
	// 100 ms later the editor writes a second file: the quiet time restarts.
	write(t, dir, "pages/index/index.js", "Page({})")
	if got, next := w.Poll(t0.Add(100 * time.Millisecond)); got != nil || next != debounce {
		t.Fatalf("second write: %v, next %v", got, next)
	}
	// 200 ms after the first write but only 100 after the second: wait on.
	got, next := w.Poll(t0.Add(200 * time.Millisecond))
	if got != nil || next != 50*time.Millisecond {
		t.Fatalf("still settling: %v, next %v", got, next)
	}
	got, _ = w.Poll(t0.Add(250 * time.Millisecond))
	if strings.Join(got, " ") != "app.js pages/index/index.js" {
		t.Fatalf("one report for the burst: %v", got)
	}
}

func TestWatcherIgnoresWhatABuildNeverReads(t *testing.T) {
	dir := copyFixture(t)
	write(t, dir, "project.config.json", `{"appid":"touristappid","miniprogramRoot":"mp/","packOptions":{"ignore":[
		{"type":"folder","value":"docs"},{"type":"suffix","value":".psd"},{"type":"prefix","value":"draft-"},
		{"type":"file","value":"notes.txt"},{"type":"glob","value":"*.bak"},{"type":"regexp","value":"\\.log$"}]}}`)
	write(t, dir, "mp/app.json", `{"pages":["pages/index/index"]}`)
	w := devloop.NewWatcher(dir, interval, debounce)
	t0 := time.Now()
	for _, f := range []string{
		".git/index", "mp/.cache/x.js", "mp/.swp", "mp/node_modules/lib/index.js", // dotfiles, node_modules
		"cloudfunctions/login/index.js", "README.md", // outside the mini program root
		"mp/docs/a.md", "mp/art/logo.psd", "mp/pages/draft-page.js", "mp/notes.txt", "mp/old.bak", "mp/pages/x/debug.log", // packOptions.ignore
	} {
		write(t, dir, f, "x")
	}
	w.Poll(t0)
	if got, _ := w.Poll(t0.Add(time.Second)); got != nil {
		t.Fatalf("ignored files reported: %v", got)
	}
	write(t, dir, "mp/pages/index/index.wxml", "<view/>")
	write(t, dir, "mp/notes.md", "x") // not the ignored notes.txt
	w.Poll(t0.Add(2 * time.Second))
	got, _ := w.Poll(t0.Add(3 * time.Second))
	if strings.Join(got, " ") != "mp/notes.md mp/pages/index/index.wxml" {
		t.Fatalf("watched files: %v", got)
	}
	// The config itself is watched: its rules change the build.
	write(t, dir, "project.config.json", `{"appid":"touristappid","miniprogramRoot":"mp/"}`)
	w.Poll(t0.Add(4 * time.Second))
	got, _ = w.Poll(t0.Add(5 * time.Second))
	if !strings.Contains(strings.Join(got, " "), "project.config.json") || !strings.Contains(strings.Join(got, " "), "mp/notes.txt") {
		t.Fatalf("after dropping the ignore rules: %v", got)
	}
}

type world struct {
	p   *platform.Platform
	app *account.App
	dir string
	log *bytes.Buffer
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	o := platform.DefaultOptions("")
	o.Store = storetest.Config(t)
	o.Dev = true
	p, err := platform.Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	dir := copyFixture(t)
	info := devloop.ReadProject(dir)
	app, err := devloop.EnsureApp(ctx, p, info.AppID, info.Name)
	if err != nil {
		t.Fatal(err)
	}
	return &world{p: p, app: app, dir: dir, log: &bytes.Buffer{}}
}

func (w *world) loop() *devloop.Loop {
	return devloop.New(devloop.Options{Dir: w.dir, AppID: w.app.AppID, Registry: w.p.MiniPrograms, Log: w.log})
}

func TestBuildPublishesAndAFailureKeepsTheLastGoodBuild(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	hub := w.p.MiniPrograms.DevHub()
	wake, cancel := hub.Subscribe(w.app.AppID)
	defer cancel()
	l := w.loop()

	first := l.Build(ctx, nil)
	if first.Build == nil || !first.Changed || len(first.Errors) != 0 {
		t.Fatalf("first build: %+v", first)
	}
	b, _, err := w.p.MiniPrograms.DevBuild(ctx, w.app.AppID)
	if err != nil || b.ManifestHash != first.Build.ManifestHash || b.SourceDir != w.dir {
		t.Fatalf("published: %+v %v", b, err)
	}
	<-wake
	if e, _ := hub.Latest(w.app.AppID); e.Type != "build" || e.Hash != first.Build.ManifestHash {
		t.Fatalf("event: %+v", e)
	}
	if !regexp.MustCompile(`^built in \d+ ms \(main \d+ (B|KB), 1 package\)\n$`).MatchString(w.log.String()) {
		t.Fatalf("log: %q", w.log.String())
	}

	// Break the page: two problems, each with file, line and column.
	write(t, w.dir, "pages/index/index.wxml", "<view>\n  <text>{{name</text>\n")
	w.log.Reset()
	broken := l.Build(ctx, []string{"pages/index/index.wxml"})
	if broken.Build != nil || len(broken.Errors) == 0 {
		t.Fatalf("broken build: %+v", broken)
	}
	<-wake
	e, _ := hub.Latest(w.app.AppID)
	if e.Type != "error" || len(e.Errors) != len(broken.Errors) || e.Errors[0].File != "pages/index/index.wxml" || e.Errors[0].Line == 0 || e.Errors[0].Col == 0 {
		t.Fatalf("error event: %+v", e)
	}
	lines := strings.Split(strings.TrimSpace(w.log.String()), "\n")
	if len(lines) != 1+len(broken.Errors) || !strings.HasPrefix(lines[1], "pages/index/index.wxml:") || strings.Contains(w.log.String(), "\x1b[") {
		t.Fatalf("error log: %q", w.log.String())
	}
	if b, _, _ := w.p.MiniPrograms.DevBuild(ctx, w.app.AppID); b.ManifestHash != first.Build.ManifestHash {
		t.Fatalf("a failed build replaced the good one: %s", b.ManifestHash)
	}

	// Fixed back to the very same source: the same build, but the pages
	// must hear of it to drop their errors.
	src, _ := os.ReadFile(filepath.Join(fixture, "pages", "index", "index.wxml"))
	write(t, w.dir, "pages/index/index.wxml", string(src))
	fixed := l.Build(ctx, []string{"pages/index/index.wxml"})
	if fixed.Build == nil || fixed.Changed || fixed.Build.ManifestHash != first.Build.ManifestHash {
		t.Fatalf("fixed: %+v", fixed)
	}
	<-wake
	if e, _ := hub.Latest(w.app.AppID); e.Type != "build" || e.Hash != first.Build.ManifestHash {
		t.Fatalf("event after the fix: %+v", e)
	}

	// An edit that changes the build announces the new hash.
	write(t, w.dir, "pages/index/index.wxml", "<view>Edited</view>")
	edited := l.Build(ctx, []string{"pages/index/index.wxml"})
	if edited.Build == nil || !edited.Changed || edited.Build.ManifestHash == first.Build.ManifestHash {
		t.Fatalf("edited: %+v", edited)
	}
	<-wake
	if e, _ := hub.Latest(w.app.AppID); e.Hash != edited.Build.ManifestHash {
		t.Fatalf("event after the edit: %+v", e)
	}
	// Nothing new: no event (the pages keep running), a short log line.
	w.log.Reset()
	again := l.Build(ctx, []string{"README.md"})
	select {
	case <-wake:
		t.Fatal("an unchanged build woke the pages")
	default:
	}
	if again.Changed || !strings.Contains(w.log.String(), "no change") {
		t.Fatalf("unchanged: %+v %q", again, w.log.String())
	}
}

func TestAFirstBuildThatFailsIsReportedAndRunPicksUpTheFix(t *testing.T) {
	w := newWorld(t)
	write(t, w.dir, "pages/index/index.js", "Page({ data: { a: 1 }\n")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hub := w.p.MiniPrograms.DevHub()
	wake, unsubscribe := hub.Subscribe(w.app.AppID)
	defer unsubscribe()
	l := devloop.New(devloop.Options{Dir: w.dir, AppID: w.app.AppID, Registry: w.p.MiniPrograms, Log: &bytes.Buffer{},
		Interval: 10 * time.Millisecond, Debounce: 10 * time.Millisecond})
	if r := l.Build(ctx, nil); r.Build != nil || r.Errors[0].File != "pages/index/index.js" || r.Errors[0].Line != 2 {
		t.Fatalf("first build: %+v", r)
	}
	<-wake
	if _, _, err := w.p.MiniPrograms.DevBuild(ctx, w.app.AppID); err != host.ErrNoBuild {
		t.Fatalf("a failed first build published something: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	write(t, w.dir, "pages/index/index.js", "Page({ data: { a: 1 } })\n")
	touch(t, w.dir, "pages/index/index.js", time.Now().Add(time.Hour))
	for {
		<-wake
		if e, _ := hub.Latest(w.app.AppID); e.Type == "build" {
			break
		}
	}
	b, _, err := w.p.MiniPrograms.DevBuild(ctx, w.app.AppID)
	if e, _ := hub.Latest(w.app.AppID); err != nil || b.ManifestHash != e.Hash {
		t.Fatalf("after the fix: %+v %v", b, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestEnsureAppAndTestUserAreMadeOnceAndReused(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	info := devloop.ReadProject(w.dir)
	if info.AppID != "touristappid" || info.Name != "hello-mp" {
		t.Fatalf("project: %+v", info)
	}
	again, err := devloop.EnsureApp(ctx, w.p, info.AppID, info.Name)
	if err != nil || again.AppID != w.app.AppID || again.Kind != account.MiniProgram || again.Name != "hello-mp" {
		t.Fatalf("second EnsureApp: %+v %v", again, err)
	}
	// A platform appid is used as it is; an official account's is refused.
	mp, _, _ := w.p.Accounts.CreateApp(ctx, account.MiniProgram, "Mine", "")
	if got, err := devloop.EnsureApp(ctx, w.p, mp.AppID, "x"); err != nil || got.AppID != mp.AppID {
		t.Fatalf("platform appid: %+v %v", got, err)
	}
	oa, _, _ := w.p.Accounts.CreateApp(ctx, account.ServiceAccount, "News", "")
	if _, err := devloop.EnsureApp(ctx, w.p, oa.AppID, "x"); err == nil || !strings.Contains(err.Error(), "not a mini program") {
		t.Fatalf("official account appid: %v", err)
	}

	u, err := devloop.EnsureTestUser(ctx, w.p, "Developer")
	if err != nil || !u.User.TestUser || u.User.Name != "Developer" {
		t.Fatalf("test user: %+v %v", u, err)
	}
	signedIn, err := w.p.Identity.Authenticate(ctx, u.Phone, u.Password)
	if err != nil || signedIn.ID != u.User.ID {
		t.Fatalf("sign in with the printed credentials: %v", err)
	}
	// The settings keep the user's id and phone, never its password.
	saved, err := w.p.DB.Setting(ctx, "devloop.user.Developer", func() string { return "" })
	if err != nil || !strings.Contains(saved, u.Phone) || strings.Contains(saved, u.Password) || strings.Contains(saved, "password") {
		t.Fatalf("saved setting %q (%v)", saved, err)
	}
	// The next run is the same user with a new password; the old one stops working.
	u2, err := devloop.EnsureTestUser(ctx, w.p, "Developer")
	if err != nil || u2.User.ID != u.User.ID || u2.Phone != u.Phone || u2.Password == u.Password {
		t.Fatalf("second EnsureTestUser: %+v %v", u2, err)
	}
	if _, err := w.p.Identity.Authenticate(ctx, u2.Phone, u2.Password); err != nil {
		t.Fatalf("sign in with the new password: %v", err)
	}
	if _, err := w.p.Identity.Authenticate(ctx, u.Phone, u.Password); err == nil {
		t.Fatal("the previous run's password still signs in")
	}
}

func TestSizesDescribeTheMainPackageAndTheCount(t *testing.T) {
	two := []pack.PackageSize{{Root: "sub/", Bytes: 5000}, {Root: "", Bytes: 120*1024 + 100}}
	if got := devloop.Sizes(two); got != "main 120 KB, 2 packages" {
		t.Fatal(got)
	}
	if got := devloop.Sizes(two[1:]); got != "main 120 KB, 1 package" {
		t.Fatal(got)
	}
	if got := devloop.Sizes([]pack.PackageSize{{Bytes: 900}}); got != "main 900 B, 1 package" {
		t.Fatal(got)
	}
}

func TestErrorsAreRedOnlyWhenColorIsWanted(t *testing.T) {
	w := newWorld(t)
	write(t, w.dir, "app.json", "{\n  \"pages\": [\"pages/missing/missing\"]\n}\n")
	l := devloop.New(devloop.Options{Dir: w.dir, AppID: w.app.AppID, Registry: w.p.MiniPrograms, Log: w.log, Color: true})
	r := l.Build(context.Background(), nil)
	lines := strings.Split(strings.TrimSuffix(w.log.String(), "\n"), "\n")
	if r.Build != nil || len(lines) != 1+len(r.Errors) {
		t.Fatalf("log: %q", w.log.String())
	}
	for i, e := range r.Errors {
		if lines[i+1] != "\x1b[31m"+e.Error()+"\x1b[0m" || !strings.HasPrefix(e.Error(), "app.json:2:") {
			t.Fatalf("line %d: %q", i+1, lines[i+1])
		}
	}
}
