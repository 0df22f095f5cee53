package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"superapp/internal/miniprogram/upload"
	"superapp/internal/testserver"
)

func countStoredFiles(t *testing.T, s *testserver.Server) int {
	t.Helper()
	var n int
	if err := s.Server.P.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM mp_files").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestUploadAndPreviewEndToEnd(t *testing.T) {
	s := testserver.New(t)
	t.Setenv("SUPERAPP_OPERATOR_KEY", testserver.OperatorKey)
	app := s.CreateApp(t, "miniprogram", "Hello")
	keyFile := filepath.Join(t.TempDir(), "hello.key")

	code, out, errs := cli(t, s, "mp", "key", "create", "--appid", app.AppID, "-o", keyFile)
	if code != 0 || !strings.Contains(out, "key id uk_") {
		t.Fatalf("key create: %d %s %s", code, out, errs)
	}
	raw, _ := os.ReadFile(keyFile)
	kf, err := upload.ParseKeyFile(raw)
	if st, _ := os.Stat(keyFile); err != nil || st.Mode().Perm() != 0o600 || kf.AppID != app.AppID {
		t.Fatalf("key file: %v %v %+v", err, st.Mode(), kf)
	}

	up := func(args ...string) (int, string, string) {
		return cli(t, s, append([]string{"upload", "--key-file", keyFile, "--project", helloMP}, args...)...)
	}
	code, out, errs = up("--version", "1.2.3", "--desc", "first")
	m := regexp.MustCompile(`dev version 1 \(user_version 1\.2\.3\), (\d+) files, (\d+) new, (\d+) bytes`).FindStringSubmatch(out)
	if code != 0 || m == nil || m[1] != m[2] || m[3] == "0" || !strings.Contains(out, "uploading 0 of "+m[2]+" files") || strings.Contains(out, "\r") {
		t.Fatalf("first upload: %d %q %s", code, out, errs)
	}
	stored := countStoredFiles(t, s)
	// The same bytes again: nothing sent, nothing stored, a new dev version.
	code, out, errs = up("--version", "1.2.3")
	if code != 0 || !strings.Contains(out, "the server already has every file") ||
		!strings.Contains(out, "dev version 2 (user_version 1.2.3), "+m[1]+" files, 0 new, 0 bytes") || countStoredFiles(t, s) != stored {
		t.Fatalf("second upload: %d %s %s", code, out, errs)
	}
	versions, err := s.Server.P.Releases.DevVersions(context.Background(), app.AppID)
	if err != nil || len(versions) != 2 || versions[0].Uploader != "key:"+kf.KeyID || versions[0].SourceHash == "" {
		t.Fatalf("dev versions: %+v %v", versions, err)
	}

	code, out, errs = cli(t, s, "preview", "--key-file", keyFile, "--project", helloMP, "--version", "1.2.4", "--appid", app.AppID)
	wantURL := s.URL + "/miniprogram/" + app.AppID + "?env_version=develop&version=3"
	if code != 0 || !strings.Contains(out, wantURL) || !strings.Contains(out, "█") {
		t.Fatalf("preview: %d %s %s", code, out, errs)
	}

	code, out, _ = cli(t, s, "mp", "key", "show", "--appid", app.AppID)
	if code != 0 || !strings.Contains(out, kf.KeyID) || strings.Contains(out, "last used     never") || strings.Contains(out, "PRIVATE") {
		t.Fatalf("key show: %d %s", code, out)
	}

	// Bad input is refused before anything is packed or sent.
	if code, _, errs := up("--version", strings.Repeat("1", 65)); code != 2 || !strings.Contains(errs, "at most 64") {
		t.Fatalf("long version: %d %s", code, errs)
	}
	if code, _, errs := up("--version", "1", "--appid", "wx0000000000000000"); code != 2 || !strings.Contains(errs, "does not match the key file") {
		t.Fatalf("other appid: %d %s", code, errs)
	}

	// The IP whitelist: the test client calls from loopback.
	if code, _, errs := cli(t, s, "mp", "key", "ip", "--appid", app.AppID, "--ip", "10.0.0.0/8"); code != 0 {
		t.Fatalf("key ip: %d %s", code, errs)
	}
	if code, _, errs := up("--version", "1"); code != 1 || !strings.Contains(errs, "not in upload key") {
		t.Fatalf("outside the whitelist: %d %s", code, errs)
	}
	if code, _, errs := cli(t, s, "mp", "key", "ip", "--appid", app.AppID, "--ip", "127.0.0.1,::1"); code != 0 {
		t.Fatalf("key ip: %d %s", code, errs)
	}

	// A second key cannot be created; rotation replaces the file and the
	// old key stops working at once.
	if code, _, errs := cli(t, s, "mp", "key", "create", "--appid", app.AppID, "-o", keyFile); code != 2 || !strings.Contains(errs, "already exists") {
		t.Fatalf("create over the key file: %d %s", code, errs)
	}
	if code, _, errs := cli(t, s, "mp", "key", "create", "--appid", app.AppID, "-o", keyFile+"2"); code != 1 || !strings.Contains(errs, "already has an upload key") {
		t.Fatalf("second key: %d %s", code, errs)
	}
	oldKey := filepath.Join(t.TempDir(), "old.key")
	os.WriteFile(oldKey, raw, 0o600)
	if code, out, errs := cli(t, s, "mp", "key", "rotate", "--appid", app.AppID, "-o", keyFile); code != 0 || !strings.Contains(out, "127.0.0.1, ::1") {
		t.Fatalf("rotate: %d %s %s", code, out, errs)
	}
	if code, _, errs := cli(t, s, "upload", "--key-file", oldKey, "--project", helloMP, "--version", "1"); code != 1 || !strings.Contains(errs, "was rotated") {
		t.Fatalf("old key after rotation: %d %s", code, errs)
	}
	if code, out, errs := up("--version", "1.3.0"); code != 0 || !strings.Contains(out, "dev version 4 ") {
		t.Fatalf("new key: %d %s %s", code, out, errs)
	}
	if code, _, errs := cli(t, s, "mp", "key", "revoke", "--appid", app.AppID); code != 0 {
		t.Fatalf("revoke: %d %s", code, errs)
	}
	if code, _, errs := up("--version", "1"); code != 1 || !strings.Contains(errs, "was revoked") {
		t.Fatalf("revoked key: %d %s", code, errs)
	}
	if code, _, errs := cli(t, s, "mp", "key", "show", "--appid", app.AppID); code != 1 || !strings.Contains(errs, "no upload key") {
		t.Fatalf("show after revoke: %d %s", code, errs)
	}
}

func TestUploadOfABrokenProjectSendsNothing(t *testing.T) {
	s := testserver.New(t)
	t.Setenv("SUPERAPP_OPERATOR_KEY", testserver.OperatorKey)
	app := s.CreateApp(t, "miniprogram", "Hello")
	keyFile := filepath.Join(t.TempDir(), "hello.key")
	if code, _, errs := cli(t, s, "mp", "key", "create", "--appid", app.AppID, "-o", keyFile); code != 0 {
		t.Fatal(errs)
	}
	dir := t.TempDir()
	for name, content := range map[string]string{
		"app.json":               `{"pages":["pages/index/index"]}`,
		"pages/index/index.js":   `Page({})`,
		"app.js":                 `App({})`,
		"pages/index/index.wxml": `<view>{{a}}</view>`,
		"images/huge.png":        strings.Repeat("x", 2<<20+1),
	} {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644)
	}
	code, packOut, packErrs := cli(t, nil, "pack", dir)
	if code != 1 {
		t.Fatalf("pack of the broken project: %d %s %s", code, packOut, packErrs)
	}
	before := countStoredFiles(t, s)
	code, out, errs := cli(t, s, "upload", "--key-file", keyFile, "--project", dir, "--version", "1")
	if code != 1 || out != "" || strings.TrimPrefix(errs, "superapp upload: ") != strings.TrimPrefix(packErrs, "superapp pack: ") ||
		!strings.Contains(errs, "exceeds the 2 MB limit") {
		t.Fatalf("upload of the broken project: %d %q\n%s\nwant as pack:\n%s", code, out, errs, packErrs)
	}
	if countStoredFiles(t, s) != before {
		t.Fatal("a failed build sent files")
	}
	if vs, _ := s.Server.P.Releases.DevVersions(context.Background(), app.AppID); len(vs) != 0 {
		t.Fatalf("a failed build made versions: %+v", vs)
	}
}

func TestUploadProgressOutput(t *testing.T) {
	var plain bytes.Buffer
	show := progressPrinter(&plain, false)
	const files, size = 40, 40 * 1000
	for i := 0; i <= files; i++ {
		show(upload.Progress{Files: i, TotalFiles: files, Bytes: int64(i * 1000), TotalBytes: size})
	}
	lines := strings.Split(strings.TrimSpace(plain.String()), "\n")
	if strings.Contains(plain.String(), "\r") || len(lines) != 11 || lines[0] != "uploading 0 of 40 files, 0 B of 39.1 KB…" ||
		lines[10] != "uploading 40 of 40 files, 39.1 KB of 39.1 KB…" {
		t.Fatalf("plain progress (%d lines):\n%s", len(lines), plain.String())
	}
	var tty bytes.Buffer
	show = progressPrinter(&tty, true)
	show(upload.Progress{Files: 0, TotalFiles: 2, TotalBytes: 2048})
	show(upload.Progress{Files: 1, TotalFiles: 2, Bytes: 1024, TotalBytes: 2048})
	show(upload.Progress{Files: 2, TotalFiles: 2, Bytes: 2048, TotalBytes: 2048})
	if got := tty.String(); strings.Count(got, "\r") != 3 || strings.Count(got, "\n") != 1 || !strings.Contains(got, " 50%  1 KB of 2 KB  1/2 files") {
		t.Fatalf("terminal progress: %q", got)
	}
}
