package main

import (
	"encoding/json"
	"strings"
	"testing"

	"superapp/internal/review"
)

func TestCheckCommand(t *testing.T) {
	// A clean app: exit 0, a summary line, the name from projectname.
	code, out, errs := cli(t, nil, "check", "../../testdata/miniprograms/todo")
	if code != 0 || errs != "" || out != "0 reject, 0 warn: todo passes the automated review\n" {
		t.Errorf("clean: %d %q %q", code, out, errs)
	}

	// Rejects: exit 1, one line per finding as file:line:col: severity: rule: message.
	code, out, errs = cli(t, nil, "check", "../../testdata/review/ui", "--name", "趣味答题")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 1 || !strings.Contains(errs, "7 findings reject the version") {
		t.Errorf("ui: %d %q", code, errs)
	}
	if len(lines) != 9 || lines[1] != `pages/index/index.wxml:2:11: reject: ui.fake_system_notice: "微信团队" speaks as the WeChat team: pages must not pass for WeChat's own messages` ||
		lines[8] != "7 reject, 1 warn: 趣味答题 would be rejected" {
		t.Errorf("ui output:\n%s", out)
	}

	// App metadata findings print as app: …; flags after DIR or before it.
	code, out, _ = cli(t, nil, "check", "--name", "微信小程序", "--subject", "某某公司", "../../testdata/miniprograms/todo")
	if code != 1 || !strings.Contains(out, "app: reject: name.miniprogram: ") || !strings.Contains(out, "app: reject: name.brand: ") {
		t.Errorf("name: %d %q", code, out)
	}

	// Categories and qualifications; --json prints the findings array.
	code, out, _ = cli(t, nil, "check", "../../testdata/review/category", "--json", "--name", "健康生活馆",
		"--category", "医疗服务/互联网医院", "--category", "金融业/保险",
		"--qualification", "医疗机构执业许可证", "--qualification", "经营保险业务许可证")
	var findings []review.Finding
	if err := json.Unmarshal([]byte(out), &findings); err != nil || code != 0 || len(findings) != 0 {
		t.Errorf("declared and qualified: %d %v %q", code, err, out)
	}
	code, out, _ = cli(t, nil, "check", "../../testdata/review/category", "--json", "--name", "健康生活馆", "--category", "医疗服务/互联网医院")
	findings = nil
	json.Unmarshal([]byte(out), &findings)
	if code != 1 || len(findings) != 2 || findings[0].Rule != "category.qualification" || findings[1].File != "pages/index/index.wxml" || findings[1].Line != 8 {
		t.Errorf("unqualified: %d %+v", code, findings)
	}

	// Warnings alone pass.
	code, out, _ = cli(t, nil, "check", "../../testdata/review/clean", "--name", "社区便利店")
	if code != 0 || !strings.HasSuffix(out, "0 reject, 1 warn: 社区便利店 passes the automated review\n") {
		t.Errorf("warn only: %d %q", code, out)
	}
}

func TestCheckCommandErrors(t *testing.T) {
	cases := []struct {
		args []string
		msg  string
	}{
		{[]string{"check"}, "the project directory is required"},
		{[]string{"check", "a", "b"}, `unexpected argument "b"`},
		{[]string{"check", t.TempDir() + "/none"}, "is not a directory"},
		{[]string{"check", t.TempDir()}, "does not load as a mini program project"},
		{[]string{"check", "../../testdata/review/ui", "--category", "医疗服务"}, `--category "医疗服务": want`},
	}
	for _, c := range cases {
		code, out, errs := cli(t, nil, c.args...)
		if code != 2 || !strings.Contains(errs, c.msg) || out != "" {
			t.Errorf("%v: %d %q %q", c.args, code, out, errs)
		}
	}
	if code, out, _ := cli(t, nil, "check", "--help"); code != 0 || !strings.Contains(out, "Usage: superapp check DIR") {
		t.Errorf("--help: %d %q", code, out)
	}
}
