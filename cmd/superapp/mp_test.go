package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"superapp/internal/testserver"
)

// helloMP is the fixture mini program the shell's browser test opens.
var helloMP = filepath.Join("..", "..", "web", "shell", "e2e", "fixtures", "hello-mp")

func TestMiniProgramPublishUploadsOnlyNewFiles(t *testing.T) {
	s := testserver.New(t)
	t.Setenv("SUPERAPP_OPERATOR_KEY", testserver.OperatorKey)
	app := s.CreateApp(t, "miniprogram", "Hello")

	code, out, errs := cli(t, s, "mp", "publish", "--appid", app.AppID, helloMP)
	if code != 0 || !strings.Contains(out, "published "+app.AppID) || strings.Contains(out, " 0 uploaded") {
		t.Fatalf("first publish: %d %s %s", code, out, errs)
	}
	// Nothing changed: the server already has every file.
	code, out, errs = cli(t, s, "mp", "publish", helloMP, "--appid", app.AppID, "--json")
	var again map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &again) != nil || again["uploaded_files"] != float64(0) || again["new_files"] != float64(0) {
		t.Fatalf("second publish: %d %s %s", code, out, errs)
	}
	code, out, errs = cli(t, s, "mp", "show", "--appid", app.AppID)
	var shown map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &shown) != nil || shown["manifest_hash"] != again["manifest_hash"] {
		t.Fatalf("show: %d %s %s", code, out, errs)
	}
	_, manifest, v, err := s.Server.P.MiniPrograms.Launch(context.Background(), app.AppID, "", "")
	if err != nil || !strings.Contains(string(manifest), "pages/index/index") || v.Channel != "dev-build" {
		t.Fatalf("launch after publish: %s %v", manifest, err)
	}

	oa := s.CreateApp(t, "service", "News")
	if code, _, errs := cli(t, s, "mp", "publish", "--appid", oa.AppID, helloMP); code == 0 || !strings.Contains(errs, "only mini programs") {
		t.Fatalf("publish to an official account: %d %s", code, errs)
	}
	if code, _, errs := cli(t, s, "mp", "publish", "--appid", app.AppID); code != 2 || !strings.Contains(errs, "project directory is required") {
		t.Fatalf("publish without a directory: %d %s", code, errs)
	}
}

func TestMiniProgramDomainsCommands(t *testing.T) {
	s := testserver.New(t)
	t.Setenv("SUPERAPP_OPERATOR_KEY", testserver.OperatorKey)
	app := s.CreateApp(t, "miniprogram", "Hello")

	code, out, errs := cli(t, s, "mp", "domains", "set", "--appid", app.AppID, "--request", "https://api.example.com, https://pay.example.com:8443", "--socket", "wss://ws.example.com")
	var d map[string][]string
	if code != 0 || json.Unmarshal([]byte(out), &d) != nil || strings.Join(d["request"], ",") != "api.example.com,pay.example.com:8443" || d["socket"][0] != "ws.example.com" {
		t.Fatalf("set: %d %s %s", code, out, errs)
	}
	// Only the lists given change; an empty value clears one.
	code, out, _ = cli(t, s, "mp", "domains", "set", "--appid", app.AppID, "--request", "")
	if code != 0 || json.Unmarshal([]byte(out), &d) != nil || len(d["request"]) != 0 || len(d["socket"]) != 1 {
		t.Fatalf("clear request: %d %s", code, out)
	}
	if code, _, errs := cli(t, s, "mp", "domains", "set", "--appid", app.AppID, "--request", "http://api.example.com"); code != 2 || !strings.Contains(errs, "https://") {
		t.Fatalf("http domain: %d %s", code, errs)
	}
	if code, _, errs := cli(t, s, "mp", "domains", "set", "--appid", app.AppID); code != 2 || !strings.Contains(errs, "at least one") {
		t.Fatalf("no list: %d %s", code, errs)
	}
	code, out, _ = cli(t, s, "mp", "domains", "show", "--appid", app.AppID)
	if code != 0 || !strings.Contains(out, "ws.example.com") {
		t.Fatalf("show: %d %s", code, out)
	}
}
