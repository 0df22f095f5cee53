package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is the command's stdout, read while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitFor polls cond until it holds; the deadline only keeps a broken
// build from hanging the test.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(20 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("gave up waiting for %s", what)
		}
	}
}

func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

type devEvent struct {
	Type   string `json:"type"`
	Hash   string `json:"hash"`
	Errors []struct {
		File string `json:"file"`
		Line int    `json:"line"`
		Col  int    `json:"col"`
		Msg  string `json:"message"`
	} `json:"errors"`
}

func TestDevServesAProjectAndRebuildsOnSave(t *testing.T) {
	dir := copyDir(t, helloMP)
	page := filepath.Join(dir, "pages", "index", "index.wxml")
	original, _ := os.ReadFile(page)
	out := &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- runDevProject(ctx, []string{dir, "--addr", "127.0.0.1:0", "--user", "Dev Tester", "--allowed-host", "devbox.test"}, out)
	}()

	urlRe := regexp.MustCompile(`open +(http://127\.0\.0\.1:\d+)/miniprogram/(wx[0-9a-f]{16})\n`)
	waitFor(t, "the URL and the first build", func() bool { return urlRe.MatchString(out.String()) && strings.Contains(out.String(), "watching ") })
	m := urlRe.FindStringSubmatch(out.String())
	base, appid := m[1], m[2]
	if !regexp.MustCompile(`(?m)^built in \d+ ms \(main \d+ (B|KB), 1 package\)$`).MatchString(out.String()) ||
		!strings.Contains(out.String(), "for project appid touristappid") {
		t.Fatalf("banner: %s", out.String())
	}
	// Not a terminal: the URL only, no QR code.
	if strings.Contains(out.String(), "▀") {
		t.Fatalf("QR code printed to a non-terminal: %s", out.String())
	}

	// Sign in with the printed credentials, as a developer would.
	cred := regexp.MustCompile(`sign in as "Dev Tester": phone (\d+), password (\w+)`).FindStringSubmatch(out.String())
	if cred == nil {
		t.Fatalf("no sign-in hint: %s", out.String())
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	body, _ := json.Marshal(map[string]string{"phone": cred[1], "password": cred[2]})
	resp, err := client.Post(base+"/shell/api/signin", "application/json", bytes.NewReader(body))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("sign in: %v %v", resp, err)
	}
	resp.Body.Close()
	// Another site's name pointed at the server (DNS rebinding) is refused;
	// a name given with --allowed-host is not.
	for host, want := range map[string]int{"evil.example": http.StatusForbidden, "devbox.test:8080": http.StatusOK} {
		req, _ := http.NewRequest("GET", base+"/shell/api/config", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != want {
			t.Fatalf("Host %s: %v %v, want %d", host, resp, err, want)
		}
		resp.Body.Close()
	}
	launchHash := func() string {
		t.Helper()
		resp, err := client.Get(base + "/shell/api/mp/" + appid + "/launch")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var l struct {
			Build struct {
				Hash string `json:"manifest_hash"`
			} `json:"build"`
			Manifest map[string]any `json:"manifest"`
		}
		if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&l) != nil {
			t.Fatalf("launch: %s", resp.Status)
		}
		return l.Build.Hash
	}
	first := launchHash()

	// Follow the build events as the page does.
	resp, err = client.Get(base + "/shell/api/mp/" + appid + "/dev/events")
	if err != nil || resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("events: %v %v", resp, err)
	}
	defer resp.Body.Close()
	events := make(chan devEvent, 16)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var e devEvent
				json.Unmarshal([]byte(data), &e)
				events <- e
			}
		}
		close(events)
	}()
	next := func() devEvent {
		t.Helper()
		select {
		case e, ok := <-events:
			if !ok {
				t.Fatal("the event stream ended")
			}
			return e
		case <-time.After(20 * time.Second):
			t.Fatalf("no event; output:\n%s", out.String())
		}
		return devEvent{}
	}
	if e := next(); e.Type != "build" || e.Hash != first {
		t.Fatalf("the stream starts with the current build %s: %+v", first, e)
	}

	// Save an edit: a new build, announced and launched.
	os.WriteFile(page, bytes.Replace(original, []byte("Hello,"), []byte("Hi there,"), 1), 0o644)
	e := next()
	if e.Type != "build" || e.Hash == first || e.Hash != launchHash() {
		t.Fatalf("after the edit: %+v (first %s)", e, first)
	}
	edited := e.Hash
	waitFor(t, "the rebuild line", func() bool { return strings.Contains(out.String(), "rebuilt in ") })

	// Break it: the errors name file, line and column, in the stream and
	// in the terminal, and the last good build stays.
	os.WriteFile(page, []byte("<view>\n  <text>{{name</text>\n"), 0o644)
	e = next()
	if e.Type != "error" || len(e.Errors) == 0 || e.Errors[0].File != "pages/index/index.wxml" || e.Errors[0].Line == 0 || e.Errors[0].Col == 0 {
		t.Fatalf("after breaking the page: %+v", e)
	}
	waitFor(t, "the errors in the terminal", func() bool {
		return regexp.MustCompile(`(?m)^pages/index/index\.wxml:\d+:\d+: `).MatchString(out.String())
	})
	if launchHash() != edited {
		t.Fatal("a failed build replaced the running one")
	}

	// Fix it again.
	os.WriteFile(page, original, 0o644)
	if e := next(); e.Type != "build" || e.Hash != first || launchHash() != first {
		t.Fatalf("after the fix: %+v", e)
	}

	// Ctrl-C: the server stops, the open stream ends with it.
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("dev did not stop")
	}
	for range events {
	}
}

func TestDevWithoutAProjectIsTheDevServerAndArgumentsAreFound(t *testing.T) {
	dataDir := t.TempDir()
	for _, c := range []struct {
		args []string
		want bool
	}{
		{[]string{}, false},
		{[]string{"--data", dataDir}, false},
		{[]string{"--data=" + dataDir, "--dev"}, false},
		{[]string{"--addr", "127.0.0.1:0", helloMP}, true},
		{[]string{helloMP, "--appid", "wx0123456789abcdef"}, true},
		{[]string{"--qr", helloMP}, true},
		{[]string{"--allowed-host", "devbox.test", helloMP}, true},
		{[]string{"no-such-dir"}, false},
	} {
		if _, got := projectDirArg(c.args); got != c.want {
			t.Errorf("projectDirArg(%q) = %v, want %v", c.args, got, c.want)
		}
	}
	code, out, _ := cli(t, nil, "dev", helloMP, "--help")
	if code != 0 || !strings.Contains(out, "--user") || !strings.Contains(out, "--qr") {
		t.Fatalf("dev DIR --help: %d %s", code, out)
	}
}

func TestTerminalQRIsTheURLsCodeInHalfBlocks(t *testing.T) {
	plain := terminalQR("http://127.0.0.1:8080/miniprogram/wx0123456789abcdef", false)
	lines := strings.Split(strings.TrimSuffix(plain, "\n"), "\n")
	// Version 4 at level M: 33 modules and a 4-module border each side,
	// two rows per line.
	if len(lines) != (33+8+1)/2 || len([]rune(lines[0])) != 33+8 || strings.Contains(plain, "\x1b") {
		t.Fatalf("plain QR: %d lines of %d", len(lines), len([]rune(lines[0])))
	}
	// The top-left finder pattern: a 7-module dark ring, starting after the border.
	if !strings.HasPrefix(lines[2], "    █▀▀▀▀▀█") {
		t.Fatalf("finder pattern: %q", lines[2])
	}
	colored := terminalQR("http://127.0.0.1:8080/miniprogram/wx0123456789abcdef", true)
	if !strings.HasPrefix(colored, "\x1b[30;47m") || strings.Count(colored, "\x1b[0m") != len(lines) {
		t.Fatalf("colored QR: %q", colored[:40])
	}
}
