package wxml

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// renderSeqInNode renders path once per data with ONE registry (as the
// logic layer does on every setData) and returns the trees.
func renderSeqInNode(t *testing.T, files map[string]string, path string, datas ...any) [][]any {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	js, err := compileCase(t, files)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	var script strings.Builder
	script.WriteString(bundledRuntime(t))
	script.WriteString("\nconsole.warn = () => {};\nconst __R = new SuperappWXML.Registry();\n")
	script.WriteString(js)
	script.WriteString("const __out = [];\n")
	p, _ := json.Marshal(path)
	for _, d := range datas {
		data, _ := json.Marshal(d)
		script.WriteString("__out.push(__R.render(" + string(p) + ", " + string(data) + "));\n")
	}
	script.WriteString("process.stdout.write(JSON.stringify(__out));\n")
	file := filepath.Join(t.TempDir(), "render.js")
	if err := os.WriteFile(file, []byte(script.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, file).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("node: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("node: %v", err)
	}
	var trees [][]any
	if err := json.Unmarshal(out, &trees); err != nil {
		t.Fatalf("node output: %v\n%s", err, out)
	}
	return trees
}

// branchOf is the branch of an element (nil when it has none).
func branchOf(n any) any {
	return n.(map[string]any)["branch"]
}

func childrenOf(n any) []any {
	return n.(map[string]any)["children"].([]any)
}

// Each of wx:if, wx:elif, wx:else is its own block; the ids are the same
// on every render; elements outside any block have none.
func TestBranchIDsPerIfBranch(t *testing.T) {
	trees := renderSeqInNode(t, map[string]string{
		"index.wxml": `<counter wx:if="{{a}}"/><counter wx:elif="{{b}}"/><counter wx:else/><view/>`,
	}, "index.wxml",
		map[string]any{"a": true}, map[string]any{"b": true}, map[string]any{}, map[string]any{"a": true})
	ifID, elifID, elseID := branchOf(trees[0][0]), branchOf(trees[1][0]), branchOf(trees[2][0])
	for _, id := range []any{ifID, elifID, elseID} {
		if s, ok := id.(string); !ok || s == "" {
			t.Fatalf("branch ids %v %v %v: want non-empty strings", ifID, elifID, elseID)
		}
	}
	if ifID == elifID || ifID == elseID || elifID == elseID {
		t.Errorf("branch ids not distinct: if %v, elif %v, else %v", ifID, elifID, elseID)
	}
	if again := branchOf(trees[3][0]); again != ifID {
		t.Errorf("if branch id changed between renders: %v then %v", ifID, again)
	}
	for i, tree := range trees {
		if b := branchOf(tree[1]); b != nil {
			t.Errorf("render %d: top-level <view> has branch %v", i, b)
		}
	}
}

// A wx:for body is a block: its items share an id that static siblings of
// the same shape and other loops do not have.
func TestBranchIDsForBodies(t *testing.T) {
	tree := renderSeqInNode(t, map[string]string{
		"index.wxml": `<c/><c wx:for="{{[1, 2]}}"/><block wx:for="{{[1]}}"><c/></block>`,
	}, "index.wxml", map[string]any{})[0]
	if len(tree) != 4 {
		t.Fatalf("tree %s", jsonOf(tree))
	}
	static, loop1a, loop1b, loop2 := branchOf(tree[0]), branchOf(tree[1]), branchOf(tree[2]), branchOf(tree[3])
	if static != nil || loop1a == nil || loop1a != loop1b || loop2 == nil || loop2 == loop1a {
		t.Errorf("branches: static %v, first loop %v %v, second loop %v", static, loop1a, loop1b, loop2)
	}
}

// Through <block>, <template is> and <include>, elements get the block of
// the call site; a block inside a template or included file gets an id
// qualified by the call site's, so a template used in both branches of an
// if/else gives different ids.
func TestBranchIDsThroughTemplatesAndIncludes(t *testing.T) {
	files := map[string]string{
		"index.wxml": `<import src="t.wxml"/>` +
			`<block wx:if="{{a}}"><view><text>v</text></view><template is="t"/><include src="inc.wxml"/></block>` +
			`<block wx:else><template is="t"/></block>`,
		"t.wxml":   `<template name="t"><text>t</text><c wx:if="{{true}}"/></template>`,
		"inc.wxml": `<text>i</text><c wx:if="{{true}}"/>`,
	}
	trees := renderSeqInNode(t, files, "index.wxml", map[string]any{"a": true}, map[string]any{"a": false})
	a := trees[0]
	if len(a) != 5 {
		t.Fatalf("tree %s", jsonOf(a))
	}
	site := branchOf(a[0])
	if site == nil {
		t.Fatalf("element in a wx:if block has no branch: %s", jsonOf(a))
	}
	if got := branchOf(childrenOf(a[0])[0]); got != site {
		t.Errorf("descendant of the branch's element: %v, want %v", got, site)
	}
	if got := branchOf(a[1]); got != site {
		t.Errorf("template's top-level element: %v, want the call site's %v", got, site)
	}
	if got := branchOf(a[3]); got != site {
		t.Errorf("included top-level element: %v, want the call site's %v", got, site)
	}
	inTemplate, inInclude := branchOf(a[2]), branchOf(a[4])
	for _, id := range []any{inTemplate, inInclude} {
		if s, _ := id.(string); !strings.HasPrefix(s, site.(string)+">") {
			t.Errorf("block inside a template/include: %v, want it qualified by %v", id, site)
		}
	}
	if inTemplate == inInclude {
		t.Errorf("blocks of two files share the id %v", inTemplate)
	}
	b := trees[1]
	if len(b) != 2 {
		t.Fatalf("tree %s", jsonOf(b))
	}
	if branchOf(b[0]) == site || branchOf(b[1]) == inTemplate {
		t.Errorf("the template in the else branch gives the if branch's ids: %v %v", branchOf(b[0]), branchOf(b[1]))
	}
}

// model: on a wx:for item is given the item's data path when the list is
// a data path (as glass-easel writes it back); elsewhere the source stays.
func TestModelPathsInLoops(t *testing.T) {
	files := map[string]string{
		"index.wxml": `<input wx:for="{{list}}" model:value="{{item.name}}"/>` +
			`<block wx:for="{{groups}}" wx:for-item="g"><input wx:for="{{g.items}}" model:value="{{ item }}"/></block>` +
			`<input wx:for="{{list || []}}" model:value="{{item.name}}"/>` +
			`<input wx:for="{{o}}" model:value="{{item.name}}"/>` +
			`<block wx:for="{{list}}"><include src="inc.wxml"/></block>` +
			`<block wx:for="{{list}}" wx:if="{{index == 0}}"><template is="t" data="{{item}}"/></block>` +
			`<input model:value="{{a.b[c]}}"/><input model:value="{{ s }}"/><input model:value="{{index}}" wx:for="{{[1]}}"/>`,
		"inc.wxml": `<input model:value="{{item.name}}"/>`,
		"t.wxml":   `<template name="t"><input model:value="{{name}}"/></template>`,
	}
	files["index.wxml"] = `<import src="t.wxml"/>` + files["index.wxml"]
	tree := renderSeqInNode(t, files, "index.wxml", map[string]any{
		"list":   []any{map[string]any{"name": "x"}, map[string]any{"name": "y"}},
		"groups": []any{map[string]any{"items": []any{"p"}}, map[string]any{"items": []any{"q", "r"}}},
		"o":      map[string]any{"k": map[string]any{"name": "z"}},
		"a":      map[string]any{"b": []any{1, 2}},
		"c":      1,
		"s":      "S",
	})[0]
	var got []string
	for _, n := range tree {
		raw, _ := n.(map[string]any)["rawAttr"].(map[string]any)
		got = append(got, raw["model:value"].(string))
	}
	want := []string{
		"{{list[0].name}}", "{{list[1].name}}",
		"{{groups[0].items[0]}}", "{{groups[1].items[0]}}", "{{groups[1].items[1]}}",
		"{{item.name}}", "{{item.name}}",
		"{{o.k.name}}",
		"{{list[0].name}}", "{{list[1].name}}",
		"{{name}}",
		"{{a.b[1]}}", "{{ s }}", "{{index}}",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("model sources\n got  %v\n want %v", got, want)
	}
}
