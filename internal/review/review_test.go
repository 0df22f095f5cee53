package review

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// want is one expected finding: rule, severity, file, line (col when not 0).
type want struct {
	Rule     string
	Severity Severity
	File     string
	Line     int
	Col      int
}

func (w want) matches(f Finding) bool {
	return w.Rule == f.Rule && w.Severity == f.Severity && w.File == f.File && w.Line == f.Line && (w.Col == 0 || w.Col == f.Col)
}

// expect checks that got holds exactly the wanted findings (in any order)
// among those whose rule starts with prefix.
func expect(t *testing.T, got []Finding, prefix string, wants ...want) {
	t.Helper()
	var rest []Finding
	for _, f := range got {
		if strings.HasPrefix(f.Rule, prefix) {
			rest = append(rest, f)
		}
	}
	for _, w := range wants {
		i := slices.IndexFunc(rest, w.matches)
		if i < 0 {
			t.Errorf("missing finding %+v", w)
			continue
		}
		rest = slices.Delete(rest, i, i+1)
	}
	for _, f := range rest {
		t.Errorf("unexpected finding: %s", f)
	}
}

func check(t *testing.T, dir string, meta AppMeta) []Finding {
	t.Helper()
	got, err := CheckDir(filepath.Join("../../testdata", dir), meta)
	if err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	return got
}

func TestNameRules(t *testing.T) {
	const other = "某某网络科技有限公司"
	cases := []struct {
		name, subject string
		wants         []want
	}{
		{"社区便利店", other, nil},
		{"ab", other, []want{{"name.length", Reject, "", 0, 0}}},
		{"", other, []want{{"name.length", Reject, "", 0, 0}}},
		{"abc", other, []want{{"name.length", Reject, "", 0, 0}}},
		{"好店", other, nil},                                                                // 2 CJK = 4
		{strings.Repeat("店", 15), other, nil},                                             // 30
		{strings.Repeat("店", 15) + "a", other, []want{{"name.length", Reject, "", 0, 0}}}, // 31
		{"本地第一品牌奶茶", other, []want{{"name.superlative", Reject, "", 0, 0}}},
		{"国家级非遗手作", other, []want{{"name.superlative", Reject, "", 0, 0}}},
		{"最佳美食推荐", other, []want{{"name.superlative", Reject, "", 0, 0}}},
		{"最美风景相册", other, []want{{"name.superlative", Reject, "", 0, 0}}},
		{"全网最低价商城", other, []want{{"name.superlative", Reject, "", 0, 0}}},
		{"我最爱的火锅", other, []want{{"name.superlative", Warn, "", 0, 0}}},
		{"最近的菜谱", other, nil},
		{"第一次做饭", other, nil},
		{"好物小程序", other, []want{{"name.miniprogram", Reject, "", 0, 0}}},
		{"速看新闻合集", other, []want{{"name.inducing", Reject, "", 0, 0}}},
		{"震惊了朋友们", other, []want{{"name.inducing", Reject, "", 0, 0}}},
		{"计算器", other, []want{{"name.generic", Reject, "", 0, 0}}},
		{"斗地主", other, []want{{"name.generic", Reject, "", 0, 0}}},
		{"斗地主欢乐赛·杭州", other, nil},
		{"微信红包助手", other, []want{{"name.brand", Reject, "", 0, 0}}},
		{"微信红包助手", "", []want{{"name.brand", Reject, "", 0, 0}}},
		{"微信红包助手", "深圳市腾讯计算机系统有限公司", nil},
		{"京东到家优选", "北京京东世纪贸易有限公司", nil},
		{"京东到家优选", other, []want{{"name.brand", Reject, "", 0, 0}}},
		{"苹果水果店", other, nil}, // a fruit, not a brand
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cc := &checker{meta: AppMeta{Name: c.name, SubjectName: c.subject}}
			cc.checkName()
			expect(t, cc.findings, "name.", c.wants...)
			for _, f := range cc.findings {
				if f.File != "" || f.Line != 0 {
					t.Errorf("a name finding has a place: %s", f)
				}
			}
		})
	}
}

func TestNameWidth(t *testing.T) {
	for s, n := range map[string]int{"abcd": 4, "好店": 4, "好店ab": 6, "Ｗ店": 4, "店，好": 6} {
		if got := nameWidth(s); got != n {
			t.Errorf("nameWidth(%q) = %d, want %d", s, got, n)
		}
	}
}

func TestCategoryRules(t *testing.T) {
	meta := AppMeta{Name: "健康生活馆", SubjectName: "某某健康管理有限公司", SubjectKind: "enterprise"}
	got := check(t, "review/category", meta)
	expect(t, got, "category.",
		want{"category.content", Reject, "pages/index/index.json", 2, 3},  // title 预约挂号 (medical; once per file)
		want{"category.content", Reject, "pages/index/index.wxml", 5, 16}, // 在线问诊
		want{"category.content", Reject, "pages/index/index.wxml", 8, 11}, // 理财
	)

	// Declared: the content is fine; each sensitive category needs its
	// qualification.
	meta.Categories = []Category{{First: "医疗服务", Second: "互联网医院"}, {First: "金融业", Second: "保险"}}
	meta.Qualifications = []string{"《医疗机构执业许可证》"}
	got = check(t, "review/category", meta)
	expect(t, got, "category.", want{"category.qualification", Reject, "", 0, 0})
	if i := slices.IndexFunc(got, func(f Finding) bool { return f.Rule == "category.qualification" }); i >= 0 && !strings.Contains(got[i].Message, "金融业") {
		t.Errorf("qualification finding names the wrong category: %s", got[i])
	}
	meta.Qualifications = append(meta.Qualifications, "经营保险业务许可证")
	expect(t, check(t, "review/category", meta), "category.")

	// Qualifications are per category: an insurance licence does not admit
	// a bank; a sensitive category without content keywords still needs its own.
	meta.Categories = append(meta.Categories, Category{First: "金融业", Second: "银行"}, Category{First: "社交", Second: "社区/论坛"})
	got = check(t, "review/category", meta)
	expect(t, got, "category.", want{"category.qualification", Reject, "", 0, 0}, want{"category.qualification", Reject, "", 0, 0})
	for _, f := range got {
		if !strings.Contains(f.Message, "金融业/银行") && !strings.Contains(f.Message, "社交/社区/论坛") {
			t.Errorf("finding about the wrong category: %s", f)
		}
	}
	meta.Categories = meta.Categories[:2]

	// Individual subjects cannot hold sensitive categories at all.
	meta.SubjectKind = "individual"
	expect(t, check(t, "review/category", meta), "category.",
		want{"category.subject_kind", Reject, "", 0, 0}, want{"category.subject_kind", Reject, "", 0, 0})
}

func TestCodeRules(t *testing.T) {
	got := check(t, "review/code", AppMeta{Name: "工具箱示例"})
	const js = "pages/index/index.js"
	expect(t, got, "code.",
		want{"code.payment_sdk", Reject, js, 1, 23},     // import 'alipay-sdk'
		want{"code.remote_script", Reject, js, 2, 21},   // require('https://…')
		want{"code.payment_sdk", Reject, js, 5, 34},     // 'https://openapi.alipay.com/…'
		want{"code.eval", Reject, js, 9, 15},            // eval(expr)
		want{"code.eval", Reject, js, 10, 15},           // new Function
		want{"code.eval", Reject, js, 11, 5},            // setTimeout('…')
		want{"code.remote_script", Reject, js, 12, 5},   // importScripts
		want{"code.unknown_api", Warn, js, 13, 16},      // wx.getFileSystemManager
		want{"code.virtual_payment", Reject, js, 18, 5}, // 钻石充值 near requestPayment
		want{"code.virtual_payment", Warn, "pages/jewel/jewel.js", 3, 5},
		want{"code.webview_payment", Reject, "pages/pay/pay.wxml", 1, 32},
		want{"code.webview_payment", Warn, "pages/h5/h5.wxml", 1, 16},
	)
}

func TestUIRules(t *testing.T) {
	got := check(t, "review/ui", AppMeta{Name: "趣味答题"})
	expect(t, got, "ui.",
		want{"ui.fake_system_notice", Reject, "pages/index/index.wxml", 2, 11}, // 微信团队
		want{"ui.fake_system_notice", Reject, "pages/index/index.wxml", 5, 9},  // 系统通知 in .notify-bar
		want{"ui.fake_system_notice", Reject, "pages/index/index.wxml", 5, 14}, // 您有一条新消息
		want{"ui.induced_share", Reject, "pages/index/index.wxml", 8, 9},
		want{"ui.fake_customer_service", Warn, "pages/index/index.wxml", 11, 11}, // tappable 客服 without contact
		want{"ui.induced_share", Reject, "pages/index/index.js", 5, 17},          // showModal content
		want{"ui.fake_red_packet", Reject, "pages/popup/popup.wxml", 3, 26},      // position: fixed via popup.wxss
		want{"ui.fake_customer_service", Reject, "pages/popup/popup.wxml", 7, 29},
	)
	if Rejected(got) != true {
		t.Error("Rejected = false")
	}
}

// Near misses (最近, 第一次, 基金会, 保险柜, 钻石 without payment, 红包 outside
// a popup, open-type=contact, obj.eval, eval in comments, strings and
// regexps, typeof wx.x) must not reject.
func TestCleanProject(t *testing.T) {
	got := check(t, "review/clean", AppMeta{Name: "社区便利店", SubjectName: "某某便利店"})
	expect(t, got, "", want{"ui.fake_system_notice", Warn, "pages/mine/mine.wxml", 4, 28}) // 系统通知设置: warn only
}

// The fixture apps look like real ones: no rule may reject them.
func TestFixtureAppsPass(t *testing.T) {
	for _, d := range []string{"todo", "shop", "components", "form", "news", "apitour"} {
		t.Run(d, func(t *testing.T) {
			got := check(t, "miniprograms/"+d, AppMeta{Name: d, SubjectName: "superapp fixtures"})
			for _, f := range got {
				if f.Severity == Reject {
					t.Errorf("reject finding: %s", f)
				} else {
					t.Logf("warn: %s", f)
				}
			}
		})
	}
	// The isolation probe does what the rules forbid.
	got := check(t, "miniprograms/malicious", AppMeta{Name: "malicious"})
	expect(t, got, "code.",
		want{"code.remote_script", Reject, "pages/index/attacks.js", 147, 0},
		want{"code.eval", Reject, "pages/index/attacks.js", 246, 0},
		want{"code.eval", Reject, "pages/index/attacks.js", 257, 0},
	)
}

func TestFindingsSortedAndPrinted(t *testing.T) {
	got := check(t, "review/ui", AppMeta{Name: "ab"})
	if got[0].File != "" || got[0].Rule != "name.length" {
		t.Errorf("app findings come first: %s", got[0])
	}
	if !sort.SliceIsSorted(got, func(i, j int) bool {
		a, b := got[i], got[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	}) {
		t.Errorf("not sorted: %v", got)
	}
	if s := got[0].String(); !strings.HasPrefix(s, "app: reject: name.length: ") {
		t.Errorf("app finding prints %q", s)
	}
	f := Finding{Rule: "ui.x", Severity: Warn, File: "a.wxml", Line: 3, Col: 7, Message: "m"}
	if s := f.String(); s != "a.wxml:3:7: warn: ui.x: m" {
		t.Errorf("finding prints %q", s)
	}
}

func TestMiniprogramRootPaths(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join("../../testdata/review/ui")
	os.WriteFile(filepath.Join(dir, "project.config.json"), []byte(`{"appid":"wxreview0000009","miniprogramRoot":"mp/"}`), 0o644)
	filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || info.Name() == "project.config.json" {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		b, _ := os.ReadFile(p)
		os.MkdirAll(filepath.Join(dir, "mp", filepath.Dir(rel)), 0o755)
		return os.WriteFile(filepath.Join(dir, "mp", rel), b, 0o644)
	})
	got, err := CheckDir(dir, AppMeta{Name: "趣味答题"})
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(got, func(f Finding) bool { return f.Rule == "ui.fake_red_packet" }); i < 0 || got[i].File != "mp/pages/popup/popup.wxml" {
		t.Errorf("findings are not relative to the project directory: %v", got)
	}
}

func TestCheckDirNotAProject(t *testing.T) {
	if _, err := CheckDir(t.TempDir(), AppMeta{Name: "abcd"}); err == nil || !strings.Contains(err.Error(), "app.json") {
		t.Errorf("err = %v", err)
	}
}

// supportedAPIs must be what the runtime defines: every literal name given
// to defineApi/defineAsync/defineNavigation is listed, and every listed
// name appears in the runtime's source.
func TestAPIListMatchesRuntime(t *testing.T) {
	files, _ := filepath.Glob("../../web/miniprogram/src/logic/api/*.ts")
	files = append(files, "../../web/miniprogram/src/logic/api.ts")
	var src strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src.Write(b)
	}
	s := src.String()
	defined := regexp.MustCompile(`define(?:Api|Async|Navigation)\(\s*'([A-Za-z]+)'\s*,`)
	for _, m := range defined.FindAllStringSubmatch(s, -1) {
		if !supportedAPIs[m[1]] {
			t.Errorf("the runtime defines wx.%s; add it to supportedAPIs", m[1])
		}
	}
	for name := range supportedAPIs {
		quoted := "'" + name + "'"
		listener := strings.TrimPrefix(strings.TrimPrefix(name, "on"), "off")
		if !strings.Contains(s, quoted) && !strings.Contains(s, "'"+listener+"'") {
			t.Errorf("supportedAPIs has %s, which the runtime does not define", name)
		}
	}
}

func TestJSTokens(t *testing.T) {
	src := "a = 'x\\'y' // c\n/* eval() */ b = /re\\/[/]x/g.test(`t${ {k: `in${1}`}.k }u`) / 2"
	var got []string
	for _, tk := range jsTokens(src) {
		got = append(got, fmt.Sprintf("%d:%s", tk.Kind, tk.Value))
	}
	wantToks := []string{"0:a", "1:=", "2:x\\'y", "0:b", "1:=", "4:/re\\/[/]x/g", "1:.", "0:test", "1:(",
		"2:t", "1:{", "0:k", "1::", "2:in", "3:1", "2:", "1:}", "1:.", "0:k", "2:u", "1:)", "1:/", "3:2"}
	if strings.Join(got, " ") != strings.Join(wantToks, " ") {
		t.Errorf("tokens\n got %v\nwant %v", got, wantToks)
	}
}
