package wxml

import (
	"encoding/json"
	"testing"
)

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Keys are ours (wcc keeps them on virtual nodes it then drops): every
// element an iteration produces carries the item's key.
func TestForKeys(t *testing.T) {
	tree := renderInNode(t, map[string]string{
		"index.wxml": `<view wx:for="{{list}}" wx:key="id">{{item.id}}</view>` +
			`<block wx:for="{{[3, 4]}}" wx:key="*this"><text>a</text><text>b</text></block>` +
			`<view wx:for="{{[1]}}">nokey</view>`,
	}, "index.wxml", map[string]any{"list": []any{map[string]any{"id": "x"}, map[string]any{"id": 7}}})
	var keys []any
	for _, n := range tree {
		keys = append(keys, n.(map[string]any)["key"])
	}
	if got := jsonOf(keys); got != `["x",7,3,3,4,4,null]` {
		t.Errorf("keys %s", got)
	}
}

// As wcc: model:value gives attr value plus rawAttr, generic:x gives
// generics, names with a colon are kept, others camelCased.
func TestPrefixedAttributes(t *testing.T) {
	tree := renderInNode(t, map[string]string{
		"index.wxml": `<input model:value="{{v}}" bind:input="h" hover-class="x" data-a-b="1"/><c generic:item="x-item"/>`,
	}, "index.wxml", map[string]any{"v": "V"})
	if got := jsonOf(tree); got != `[{"attr":{"bind:input":"h","data-a-b":"1","hoverClass":"x","value":"V"},"children":[],"rawAttr":{"model:value":"{{v}}"},"tag":"input"},{"attr":{},"children":[],"generics":{"wx-item":"wx-x-item"},"tag":"c"}]` {
		t.Errorf("tree %s", got)
	}
}

// WXS sees only its sandbox: worker globals are out of reach, as in wcc
// where every identifier is renamed.
func TestWXSSandbox(t *testing.T) {
	tree := renderInNode(t, map[string]string{
		"index.wxml": `<wxs module="m">
module.exports = {
  g: typeof setTimeout,
  p: typeof process,
  r: typeof require,
  f: function () { return typeof globalThis; }
}
</wxs><view g="{{m.g}}" p="{{m.p}}" r="{{m.r}}" f="{{m.f()}}"/>`,
	}, "index.wxml", map[string]any{})
	if got := jsonOf(tree); got != `[{"attr":{"f":"undefined","g":"undefined","p":"undefined","r":"undefined"},"children":[],"tag":"view"}]` {
		t.Errorf("tree %s", got)
	}
}

func TestCompileWXSStatement(t *testing.T) {
	js, _, err := CompileWXS("u.wxs", []byte("var a = {k: 1, 'q': 2}\nmodule.exports = {v: a.k + a['q'] + [5][0]}"))
	if err != nil {
		t.Fatal(err)
	}
	tree := renderInNode(t, map[string]string{
		"index.wxml": `<wxs module="u" src="u.wxs"/><view v="{{u.v}}"/>`,
		"u.wxs":      "var a = {k: 1, 'q': 2}\nmodule.exports = {v: a.k + a['q'] + [5][0]}",
	}, "index.wxml", map[string]any{})
	if got := jsonOf(tree); got != `[{"attr":{"v":8},"children":[],"tag":"view"}]` {
		t.Errorf("tree %s\n%s", got, js)
	}
}
