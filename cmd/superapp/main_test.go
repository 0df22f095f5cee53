package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"superapp/internal/testserver"
)

// cli runs the CLI in-process against the test server.
func cli(t *testing.T, s *testserver.Server, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	if s != nil {
		args = append(args, "--server", s.URL)
	}
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestOperatorCommands(t *testing.T) {
	s := testserver.New(t)
	t.Setenv("SUPERAPP_OPERATOR_KEY", testserver.OperatorKey)

	code, out, errs := cli(t, s, "subject", "create", "--kind", "enterprise", "--name", "Acme")
	if code != 0 {
		t.Fatalf("subject create: %d %s", code, errs)
	}
	var sub struct{ ID, Kind, Name string }
	json.Unmarshal([]byte(out), &sub)
	if !strings.HasPrefix(sub.ID, "sub_") || sub.Name != "Acme" {
		t.Fatalf("subject create printed %s", out)
	}

	code, out, errs = cli(t, s, "app", "create", "--kind", "miniprogram", "--name", "Acme Shop", "--subject", sub.ID)
	var app map[string]string
	if code != 0 || json.Unmarshal([]byte(out), &app) != nil || len(app) != 2 || len(app["appid"]) != 18 || len(app["secret"]) != 32 {
		t.Fatalf("app create: %d %q %s", code, out, errs)
	}
	if strings.Count(strings.TrimSpace(out), "\n") != 0 {
		t.Fatalf("app create should print one line of JSON: %q", out)
	}

	code, out, _ = cli(t, s, "app", "list")
	if code != 0 || !strings.Contains(out, app["appid"]) || !strings.HasPrefix(out, "APPID") {
		t.Fatalf("app list: %d %s", code, out)
	}
	code, out, _ = cli(t, s, "app", "list", "--json")
	var apps []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &apps) != nil || len(apps) != 1 || apps[0]["appid"] != app["appid"] {
		t.Fatalf("app list --json: %d %s", code, out)
	}
	if strings.Contains(out, app["secret"]) {
		t.Fatal("app list shows the secret")
	}

	code, out, _ = cli(t, s, "app", "reset-secret", "--appid", app["appid"])
	var reset map[string]string
	json.Unmarshal([]byte(out), &reset)
	if code != 0 || reset["appid"] != app["appid"] || len(reset["secret"]) != 32 || reset["secret"] == app["secret"] {
		t.Fatalf("reset-secret: %d %s", code, out)
	}

	code, out, _ = cli(t, s, "openplatform", "create", "--name", "Acme OP", "--subject", sub.ID, "--json")
	var op struct{ ID string }
	json.Unmarshal([]byte(out), &op)
	if code != 0 || !strings.HasPrefix(op.ID, "op_") {
		t.Fatalf("openplatform create: %d %s", code, out)
	}
	if code, out, errs = cli(t, s, "openplatform", "bind", "--id", op.ID, "--appid", app["appid"]); code != 0 || !strings.Contains(out, op.ID) {
		t.Fatalf("bind: %d %s %s", code, out, errs)
	}

	// The simulated user logs in; a backend exchanges the code.
	code, out, errs = cli(t, s, "sim", "user", "create", "--name", "grace")
	var u struct{ ID string }
	json.Unmarshal([]byte(out), &u)
	if code != 0 || !strings.HasPrefix(u.ID, "u_") {
		t.Fatalf("sim user create: %d %s %s", code, out, errs)
	}
	code, out, errs = cli(t, s, "sim", "code", "--appid", app["appid"], "--user", "grace")
	var c map[string]string
	json.Unmarshal([]byte(out), &c)
	if code != 0 || c["code"] == "" {
		t.Fatalf("sim code: %d %s %s", code, out, errs)
	}
	m := s.Get(t, "/sns/jscode2session?grant_type=authorization_code&appid="+app["appid"]+"&secret="+reset["secret"]+"&js_code="+c["code"])
	if m["openid"] != c["openid"] || m["unionid"] == nil {
		t.Fatalf("jscode2session with the CLI's code: %v", m)
	}
	if code, _, errs = cli(t, s, "openplatform", "unbind", "--id", op.ID, "--appid", app["appid"]); code != 0 {
		t.Fatalf("unbind: %s", errs)
	}
}

func TestBadInputAndHelp(t *testing.T) {
	s := testserver.New(t)
	t.Setenv("SUPERAPP_OPERATOR_KEY", testserver.OperatorKey)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"app", "create", "--kind", "robot", "--name", "x"}, 2, `kind: "robot" is not an app kind`},
		{[]string{"app", "create", "--kind", "miniprogram"}, 2, "--name is required"},
		{[]string{"app", "create", "--kind", "miniprogram", "--name", strings.Repeat("n", 31)}, 2, "at most 30"},
		{[]string{"app", "create", "--bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"subject", "create", "--kind", "club", "--name", "x"}, 2, "not a subject kind"},
		{[]string{"app", "reset-secret", "--appid", "wx0000000000000000"}, 1, "app not found"},
		{[]string{"sim", "code", "--appid", "wx0000000000000000", "--user", "nobody"}, 1, "app not found"},
		{[]string{"app", "list", "extra"}, 2, `unexpected argument "extra"`},
	} {
		code, _, errs := cli(t, s, tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tc.args, code, errs, tc.code, tc.want)
		}
	}
	// Every command has --help, exits 0 and names its flags.
	for name := range commands {
		args := append(strings.Fields(name), "--help")
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 0 || !strings.Contains(out.String(), "Usage: superapp "+name) {
			t.Errorf("%s --help: exit %d, %q %q", name, code, out.String(), errb.String())
		}
	}
	if code, _, errs := cli(t, nil, "frobnicate"); code != 2 || !strings.Contains(errs, "unknown command") {
		t.Errorf("unknown command: %d %q", code, errs)
	}
}

func TestOperatorKeyFromDataDir(t *testing.T) {
	s := testserver.New(t)
	t.Setenv("SUPERAPP_OPERATOR_KEY", "")
	dir := t.TempDir()
	if code, _, errs := cli(t, s, "app", "list", "--data", dir); code != 1 || !strings.Contains(errs, "no operator key") {
		t.Fatalf("without a key: %d %q", code, errs)
	}
	os.WriteFile(filepath.Join(dir, "operator.key"), []byte(testserver.OperatorKey+"\n"), 0o600)
	if code, _, errs := cli(t, s, "app", "list", "--data", dir); code != 0 {
		t.Fatalf("with the key file: %d %q", code, errs)
	}
	os.WriteFile(filepath.Join(dir, "operator.key"), []byte("wrong"), 0o600)
	if code, _, errs := cli(t, s, "app", "list", "--data", dir); code != 1 || !strings.Contains(errs, "operator key") {
		t.Fatalf("with a wrong key: %d %q", code, errs)
	}
}
