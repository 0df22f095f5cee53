package main

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"superapp/internal/testserver"
)

func TestMiniProgramMembersCommands(t *testing.T) {
	s := testserver.New(t)
	t.Setenv("SUPERAPP_OPERATOR_KEY", testserver.OperatorKey)
	app := s.CreateApp(t, "miniprogram", "Shop")
	alice := s.CreateUser(t, "alice", "13800138000")

	if code, out, errs := cli(t, s, "mp", "members", "list", "--appid", app.AppID); code != 0 || !strings.Contains(out, "has no members") {
		t.Fatalf("empty list: %d %s %s", code, out, errs)
	}
	code, out, errs := cli(t, s, "mp", "members", "add", "--appid", app.AppID, "--user", "13800138000", "--role", "trial")
	if code != 0 || !strings.Contains(out, "alice ("+alice.ID+") is a trial member") {
		t.Fatalf("add: %d %s %s", code, out, errs)
	}
	if code, _, errs := cli(t, s, "mp", "members", "add", "--appid", app.AppID, "--user", "alice", "--role", "project"); code != 0 {
		t.Fatalf("add project: %s", errs)
	}
	code, out, _ = cli(t, s, "mp", "members", "list", "--appid", app.AppID)
	if code != 0 || !strings.Contains(out, "USER") || strings.Count(out, alice.ID) != 2 || !strings.Contains(out, "project") {
		t.Fatalf("list: %d %s", code, out)
	}
	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"--appid", app.AppID, "--user", "alice", "--role", "owner"}, "--role must be trial or project"},
		{[]string{"--appid", app.AppID, "--role", "trial"}, "--user is required"},
		{[]string{"--user", "alice", "--role", "trial"}, "--appid is required"},
	} {
		if code, _, errs := cli(t, s, append([]string{"mp", "members", "add"}, bad.args...)...); code != 2 || !strings.Contains(errs, bad.want) {
			t.Fatalf("add %v: %d %s", bad.args, code, errs)
		}
	}
	if code, _, errs := cli(t, s, "mp", "members", "add", "--appid", app.AppID, "--user", "nobody", "--role", "trial"); code != 2 || !strings.Contains(errs, "user: no user") {
		t.Fatalf("add nobody: %d %s", code, errs)
	}
	if code, out, errs := cli(t, s, "mp", "members", "remove", "--appid", app.AppID, "--user", "alice", "--role", "project"); code != 0 || !strings.Contains(out, "no longer a project member") {
		t.Fatalf("remove: %d %s %s", code, out, errs)
	}
	if code, _, errs := cli(t, s, "mp", "members", "remove", "--appid", app.AppID, "--user", "alice", "--role", "project"); code != 1 || !strings.Contains(errs, "not a project member") {
		t.Fatalf("remove again: %d %s", code, errs)
	}
	members, _ := s.Server.P.Releases.Members(context.Background(), app.AppID)
	if len(members) != 1 || members[0].Role != "trial" {
		t.Fatalf("members = %+v", members)
	}
}

func TestMiniProgramVersionsCommand(t *testing.T) {
	s := testserver.New(t)
	t.Setenv("SUPERAPP_OPERATOR_KEY", testserver.OperatorKey)
	app := s.CreateApp(t, "miniprogram", "Shop")
	bob := s.CreateUser(t, "bob", "13900139000")

	code, out, errs := cli(t, s, "mp", "versions", "--appid", app.AppID)
	if code != 0 || !strings.Contains(out, "online:       none") || !strings.Contains(out, "dev versions (0)") {
		t.Fatalf("fresh versions: %d %s %s", code, out, errs)
	}
	v1 := cliDevVersion(t, s, app.AppID, "1.0.0")
	a1 := submitForReview(t, s, app, v1)
	if code, _, errs := cli(t, s, "review", "approve", a1); code != 0 {
		t.Fatal(errs)
	}
	tok := s.AccessToken(t, app)
	if m := s.Post(t, "/wxa/release?access_token="+tok, ``); testserver.Errcode(m) != 0 {
		t.Fatalf("release: %v", m)
	}
	v2 := cliDevVersion(t, s, app.AppID, "1.1.0")
	if code, _, errs := cli(t, s, "mp", "trial", "set", "--appid", app.AppID, "--version", "x"); code != 2 || !strings.Contains(errs, "--version must be") {
		t.Fatalf("trial set x: %d %s", code, errs)
	}
	code, out, errs = cli(t, s, "mp", "trial", "set", "--appid", app.AppID, "--version", strconv.FormatInt(v2, 10), "--ext-json", `{"shop":1}`)
	if code != 0 || !strings.Contains(out, `#2 "1.1.0"`) {
		t.Fatalf("trial set: %d %s %s", code, out, errs)
	}
	m := s.Post(t, "/wxa/submit_audit?access_token="+tok, `{}`)
	if code, _, errs := cli(t, s, "review", "approve", strconv.FormatFloat(m["auditid"].(float64), 'f', 0, 64)); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := cli(t, s, "mp", "gray", "--appid", app.AppID, "--percentage", "101"); code != 2 || !strings.Contains(errs, "0 to 100") {
		t.Fatalf("gray 101: %d %s", code, errs)
	}
	code, out, errs = cli(t, s, "mp", "gray", "--appid", app.AppID, "--percentage", "10", "--trial-first", "--user", "bob")
	if code != 0 || !strings.Contains(out, `gray:         #2 "1.1.0" at 10%`) || !strings.Contains(out, "trial members first, 1 named users") {
		t.Fatalf("gray: %d %s %s", code, out, errs)
	}
	if r, err := s.Server.P.Releases.Resolve(app.AppID, bob.ID, s.Server.P.Identity.OpenID(app.AppID, bob.ID), ""); err != nil || r.VersionID != v2 {
		t.Fatalf("bob resolves to %+v %v", r, err)
	}

	code, out, errs = cli(t, s, "mp", "versions", "--appid", app.AppID)
	for _, want := range []string{`online:       #1 "1.0.0"`, `trial:        #2 "1.1.0"`, "latest audit: audit 2 of #2", "approved, in gray release", "dev versions (2):", "history (1", "ID  VERSION", "release"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("versions lacks %q: %d %s %s", want, code, out, errs)
		}
	}
	code, out, _ = cli(t, s, "mp", "versions", "--appid", app.AppID, "--json")
	var v map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil || len(v["dev_versions"].([]any)) != 2 || v["gray"] == nil {
		t.Fatalf("versions --json: %d %s", code, out)
	}
	oa := s.CreateApp(t, "service", "News")
	if code, _, errs := cli(t, s, "mp", "versions", "--appid", oa.AppID); code != 2 || !strings.Contains(errs, "only mini programs") {
		t.Fatalf("versions of an official account: %d %s", code, errs)
	}
}
