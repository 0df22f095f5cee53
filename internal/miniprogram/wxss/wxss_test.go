package wxss

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"superapp/internal/miniprogram/diag"
)

func loader(files map[string]string) func(string) ([]byte, error) {
	return func(p string) ([]byte, error) {
		src, ok := files[p]
		if !ok {
			return nil, os.ErrNotExist
		}
		return []byte(src), nil
	}
}

func mustCompile(t *testing.T, path, src string, opts Options) Sheet {
	t.Helper()
	s, err := Compile(path, []byte(src), opts)
	if err != nil {
		t.Fatalf("Compile(%q): %v", src, err)
	}
	return s
}

func TestRPXToPx(t *testing.T) {
	for _, tc := range []struct{ rpx, width, want float64 }{
		{0, 375, 0},
		{750, 375, 375},
		{1, 375, 1},       // 0.5 floors to 0 → hairline 1px
		{3, 375, 1},       // 1.5
		{4, 375, 2},       // exactly 2
		{0.5, 768, 1},     // 0.512
		{-1, 375, -1},     // floor(-0.5 + 1e-4)
		{-10, 375, -5},    // floor(-4.9999)
		{-0.001, 375, -1}, // floor(-0.0004): not 0, so no hairline rule
		{-0.0001, 375, 1}, // floor(+0.00005) = 0 → 1px
		{100, 320, 42},    // 42.666…
		{93.75, 320, 40},  // exactly 40
		{1.9999, 375, 1},  // 0.99995 + 1e-4 = 1.00005 → 1
		{125, 414, 69},    // 69 exactly
		{7500000, 375, 3750000},
	} {
		if got := RPXToPx(tc.rpx, tc.width); got != tc.want {
			t.Errorf("RPXToPx(%v, %v) = %v, want %v", tc.rpx, tc.width, got, tc.want)
		}
	}
}

func TestSheetIsStringsAndNumbers(t *testing.T) {
	s := mustCompile(t, "a.wxss", ".a { width: 10rpx; margin: 0 -2.5rpx; }", Options{})
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if want := `[".a { width: ",10,"; margin: 0 ",-2.5,"; }\n"]`; string(data) != want {
		t.Fatalf("sheet JSON = %s, want %s", data, want)
	}
	if got, want := s.CSS(375), ".a { width: 5px; margin: 0 -2px; }\n"; got != want {
		t.Fatalf("CSS(375) = %q, want %q", got, want)
	}
	if got, want := s.CSS(768), ".a { width: 10px; margin: 0 -3px; }\n"; got != want {
		t.Fatalf("CSS(768) = %q, want %q", got, want)
	}
}

func TestRPXOnlyInValues(t *testing.T) {
	src := `.w10rpx::after { content: "10rpx"; background: url("https://a.com/10rpx.png"), url(https://a.com/5rpx.png); width: calc(100% - 20rpx) }
@media (min-width: 300rpx) { .b { height: 2rpx } }`
	got := mustCompile(t, "a.wxss", src, Options{}).CSS(750)
	want := `.w10rpx::after { content: "10rpx"; background: url("https://a.com/10rpx.png"), url(https://a.com/5rpx.png); width: calc(100% - 20px) }
@media (min-width: 300rpx) { .b { height: 2px }
}`
	if got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

func TestTags(t *testing.T) {
	got := mustCompile(t, "a.wxss", "page view > text, my-card .x, from, to.a{x:1}", Options{}).CSS(375)
	if want := "wx-page wx-view > wx-text, wx-my-card .x, from, wx-to.a{x:1}\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestScope(t *testing.T) {
	src := ".a .b:not(.c), view.d, #e { x: 1 } :host { display: block } :host(.on) .f { y: 2 } @keyframes k { from { z: 0 } }"
	scoped := mustCompile(t, "c/c.wxss", src, Options{Scope: "c1"}).CSS(375)
	want := ".c1--a .c1--b:not(.c1--c), wx-view.c1--d, #e { x: 1 }\n" +
		`[wx-host="c1"] { display: block }` + "\n" +
		`[wx-host="c1"].on .c1--f { y: 2 }` + "\n" +
		"@keyframes k { from { z: 0 }\n}"
	if scoped != want {
		t.Fatalf("scoped:\n got %q\nwant %q", scoped, want)
	}
	plain := mustCompile(t, "p.wxss", src, Options{}).CSS(375)
	if !strings.HasPrefix(plain, ".a .b:not(.c), wx-view.d, #e { x: 1 }\n:host { display: block }\n:host(.on) .f") {
		t.Fatalf("unscoped sheet changed classes or :host: %q", plain)
	}
}

func TestImports(t *testing.T) {
	files := map[string]string{
		"common/base.wxss":  `@import "./reset.wxss"; .base { w: 2rpx }`,
		"common/reset.wxss": `.reset { m: 0 }`,
		"theme.wxss":        `.theme { c: red }`,
	}
	src := `@import "../common/base.wxss";
@import "/theme.wxss";
.page { h: 4rpx }
@import "../common/reset";`
	got := mustCompile(t, "pages/index.wxss", src, Options{Load: loader(files), Scope: "s"}).CSS(750)
	// reset.wxss is imported twice: as in wcsc, only its last occurrence counts.
	want := ".s--base { w: 2px }\n.s--theme { c: red }\n.s--page { h: 4px }\n.s--reset { m: 0 }\n"
	if got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

func diagOf(t *testing.T, err error) diag.List {
	t.Helper()
	var list diag.List
	if !errors.As(err, &list) || len(list) == 0 {
		t.Fatalf("error %v is not a diag.List", err)
	}
	return list
}

func TestImportErrors(t *testing.T) {
	files := map[string]string{
		"a.wxss": ".a{}\n@import \"b.wxss\";",
		"b.wxss": "@import 'a.wxss';",
		"c.wxss": ".c {\n  x: 1",
	}
	for _, tc := range []struct {
		name, path, src string
		want            diag.Error
		msg             string
	}{
		{"cycle", "a.wxss", files["a.wxss"], diag.Error{File: "b.wxss", Line: 1, Col: 9}, "a.wxss → b.wxss → a.wxss"},
		{"self", "s.wxss", "@import \"s.wxss\";", diag.Error{File: "s.wxss", Line: 1, Col: 9}, "cycle"},
		{"missing", "p/x.wxss", "\n  @import \"nope.wxss\";", diag.Error{File: "p/x.wxss", Line: 2, Col: 11}, "p/nope.wxss"},
		{"outside", "x.wxss", "@import \"../up.wxss\";", diag.Error{File: "x.wxss", Line: 1, Col: 9}, "leaves the package"},
		{"error in imported file", "i.wxss", "@import \"c.wxss\";", diag.Error{File: "c.wxss", Line: 1, Col: 4}, "unterminated block"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(tc.path, []byte(tc.src), Options{Load: loader(files)})
			if err == nil {
				t.Fatal("no error")
			}
			e := diagOf(t, err)[0]
			if e.File != tc.want.File || e.Line != tc.want.Line || e.Col != tc.want.Col || !strings.Contains(e.Msg, tc.msg) {
				t.Fatalf("error %q, want at %s:%d:%d containing %q", e.Error(), tc.want.File, tc.want.Line, tc.want.Col, tc.msg)
			}
		})
	}
}

func TestSyntaxErrors(t *testing.T) {
	for _, tc := range []struct {
		src       string
		line, col int
		msg       string
	}{
		{".a {\n  content: \"open;\n}", 2, 12, "unterminated string"},
		{"\n.a { x: 1", 2, 4, "unterminated block"},
		{".a { x: 1 }\n}", 2, 1, "unexpected '}'"},
		{".a { x: 1;; }", 1, 11, "empty declaration"},
		{"* { x: 1 }", 1, 1, `unexpected "*"`},
		{"@media print {}", 1, 15, "empty @media block"},
		{"@layer base;", 1, 12, `unexpected ";"`},
		{".a { x: (1rpx; }", 1, 4, "unterminated block"},
		{"视图 { x: 1 }", 1, 1, "non-ASCII"},
	} {
		_, err := Compile("s.wxss", []byte(tc.src), Options{})
		if err == nil {
			t.Errorf("%q: no error", tc.src)
			continue
		}
		e := diagOf(t, err)[0]
		if e.File != "s.wxss" || e.Line != tc.line || e.Col != tc.col || !strings.Contains(e.Msg, tc.msg) {
			t.Errorf("%q: error %q, want at %d:%d containing %q", tc.src, e.Error(), tc.line, tc.col, tc.msg)
		}
	}
}

func TestUnterminatedCommentAtEndIsAccepted(t *testing.T) {
	// wcsc accepts it (the comment runs to the end of the file), so do we.
	s := mustCompile(t, "a.wxss", ".a { x: 1 }\n/* open", Options{})
	if !reflect.DeepEqual(s, Sheet{".a { x: 1 }\n"}) {
		t.Fatalf("sheet = %#v", s)
	}
}

func BenchmarkCompile(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < 500; i++ {
		sb.WriteString(".card-")
		sb.WriteString(strings.Repeat("x", i%7+1))
		sb.WriteString(" view > text, .title:not(.off) { margin: 10rpx 20rpx; padding: calc(100% - 8rpx); content: \"a 5rpx\"; border: 1rpx solid #eee; }\n")
		if i%50 == 0 {
			sb.WriteString("@media (min-width: 400px) { .wide { width: 750rpx } }\n@keyframes k { from { top: 0 } to { top: -20rpx } }\n")
		}
	}
	src := []byte(sb.String())
	b.SetBytes(int64(len(src)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Compile("a.wxss", src, Options{Scope: "c1"}); err != nil {
			b.Fatal(err)
		}
	}
}
