package wxml

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"superapp/internal/miniprogram/diag"
)

func TestParsePositions(t *testing.T) {
	src := "<view a=\"1\">\n  héllo <text\n    b c='{{x}}'/>\n</view>"
	nodes, err := Parse("p.wxml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	view := nodes[0].(*Element)
	if view.Pos != (Pos{1, 1}) || view.Attrs[0].Pos != (Pos{1, 7}) || view.Attrs[0].ValuePos != (Pos{1, 10}) {
		t.Errorf("view at %v, attr at %v value at %v", view.Pos, view.Attrs[0].Pos, view.Attrs[0].ValuePos)
	}
	text := view.Children[0].(*Text)
	if text.Pos != (Pos{1, 13}) || text.Value != "\n  héllo " {
		t.Errorf("text %q at %v", text.Value, text.Pos)
	}
	inner := view.Children[1].(*Element)
	// columns count runes: "  héllo " is 8 characters
	if inner.Tag != "text" || inner.Pos != (Pos{2, 9}) {
		t.Errorf("<%s> at %v", inner.Tag, inner.Pos)
	}
	b, c := inner.Attrs[0], inner.Attrs[1]
	if b.Name != "b" || b.HasValue || b.Pos != (Pos{3, 5}) {
		t.Errorf("attr b: %+v", b)
	}
	if c.Name != "c" || c.Value != "{{x}}" || c.Pos != (Pos{3, 7}) || c.ValuePos != (Pos{3, 10}) {
		t.Errorf("attr c: %+v", c)
	}
}

func TestParseToleratesWhatWccDoes(t *testing.T) {
	src := "<my-comp/><view\n  a = \"1\"  b='2' hidden>a > b {{a<b}}<!-- <c> --></view ><wxs module=\"m\">var x = 1 < 2; // <view>\n</wxs>"
	nodes, err := Parse("p.wxml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 3 {
		t.Fatalf("%d top-level nodes", len(nodes))
	}
	view := nodes[1].(*Element)
	if got := view.Children[0].(*Text).Value; got != "a > b {{a<b}}" || len(view.Children) != 1 {
		t.Errorf("view children: %q, %d", got, len(view.Children))
	}
	if a := view.Attr("hidden"); a == nil || a.HasValue {
		t.Errorf("valueless hidden: %+v", a)
	}
	if w := nodes[2].(*Element); w.Body != "var x = 1 < 2; // <view>\n" {
		t.Errorf("wxs body %q", w.Body)
	}
}

func TestCompileErrorsNamePlaces(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want string // "line:col: message prefix"
	}{
		{"<view>", "1:1: <view> is not closed"},
		{"<view>\n</text>", "2:1: close tag </text> does not match <view>"},
		{"</view>", "1:1: close tag </view> has no matching open tag"},
		{`<view a="{{x"/>`, `1:10: "{{" is not closed`},
		{"<view>\n ab {{x</view>", `2:5: "{{" is not closed`},
		{"<view>a < b</view>", "1:9: a '<' must start a tag name"},
		{"<view c=3/>", `1:9: value of attribute "c" must be quoted`},
		{"<view a=\"x\ny\"/>", `1:11: line break inside the value of attribute "a"`},
		{`<view a="{{1 +}}"/>`, "1:15: bad expression {{1 +}}: unexpected end"},
		{"<view>\n  <text>{{ a.b( }}</text></view>", "2:17: bad expression"},
		{`<view a="{{ a ? b }}"/>`, `1:19: bad expression {{ a ? b }}: expected ":"`},
		{"<view wx:else>x</view>", "1:7: wx:else without a preceding wx:if"},
		{"<view><![CDATA[x]]></view>", `1:7: unexpected "<!"`},
		{"<wxs module=\"m\">\nvar x = ;\n</wxs>", "2:9: WXS: unexpected token `;`"},
		{"<wxs module=\"m\">\nlet x = 1;\n</wxs>", "2:1: WXS: `let` is not supported"},
		{"<wxs module=\"m\">var f = (x) => x;</wxs>", "1:29: WXS: arrow functions are not supported"},
		{"<wxs module=\"m\">var o = {}; for (var k in o) {}</wxs>", "1:40: WXS: for…in is not supported"},
		{"<wxs module=\"m\">var r = /a/g;</wxs>", "1:25: WXS: regular expression literals"},
		{"<wxs module=\"m\">var s = `a`;</wxs>", "1:25: WXS: template literals"},
		{"<wxs module=\"m\">var d = new Date();</wxs>", "1:25: WXS: `new` is not supported"},
		{"<wxs module=\"m\">var n = 1e3;</wxs>", "1:26: WXS: number 1e3 is not supported"},
		{"<wxs module=\"m\">throw 1;</wxs>", "1:17: WXS: throw is accepted only inside a function"},
		{"<wxs module=\"m\">var m = require('./a.js');</wxs>", "1:33: WXS: require() takes a .wxs file"},
		{"<view wx:if>x</view>", "1:7: wx:if needs a value"},
		{"<view wx:for>x</view>", "1:7: wx:for needs a value"},
		{`<template name="t"/><template is="t" data="x"/>`, "1:44: <template> data must be an expression"},
		{"<view>a\x00b</view>", "1:8: NUL byte"},
		{"<wxs>1</wxs>", "1:1: <wxs> needs a module attribute"},
		{`<import/>`, "1:1: <import> needs a src attribute"},
	} {
		_, _, err := Compile("p/index.wxml", []byte(tc.src))
		var list diag.List
		if !errors.As(err, &list) {
			t.Errorf("%q: error %v is not a diag.List", tc.src, err)
			continue
		}
		found := false
		for _, e := range list {
			found = found || strings.HasPrefix(e.Error(), "p/index.wxml:"+tc.want)
		}
		if !found {
			t.Errorf("%q:\n got  %s\n want p/index.wxml:%s…", tc.src, list, tc.want)
		}
	}
}

func TestCompileReportsEveryError(t *testing.T) {
	_, _, err := Compile("a.wxml", []byte("<view a=\"{{1+}}\">\n<text b=\"{{)}}\"/></view>"))
	var list diag.List
	if !errors.As(err, &list) || len(list) != 2 || list[0].Line != 1 || list[1].Line != 2 {
		t.Fatalf("errors: %v", err)
	}
}

func TestDeps(t *testing.T) {
	_, deps, err := Compile("pages/a/index.wxml", []byte(`<import src="../../t/x"/><include src="./part.wxml"/><include src="/common/h"/><wxs module="u" src="../../u.wxs"/><import src="../../t/x.wxml"/>`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"t/x.wxml", "pages/a/part.wxml", "common/h.wxml", "u.wxs"}
	if !reflect.DeepEqual(deps, want) {
		t.Errorf("deps %v, want %v", deps, want)
	}
	_, deps, err = CompileWXS("lib/a.wxs", []byte(`var b = require("./b.wxs"); var c = require('../c.wxs'); module.exports = {b: b, c: c};`))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"lib/b.wxs", "c.wxs"}; !reflect.DeepEqual(deps, want) {
		t.Errorf("wxs deps %v, want %v", deps, want)
	}
}
