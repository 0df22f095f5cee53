package wxml

import "testing"

// What real component libraries write in WXS and wcc accepts (tdesign's
// default parameters and `return Number(…)`, vant's shorthand properties),
// beside what wcc rejects.
func TestWXSCheckAcceptsWhatLibrariesUse(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		ok        bool
	}{
		{"default parameter", "function g(a, b = 2) { return a + b }\nmodule.exports.g = g;", true},
		{"shorthand property", "function s(color) { return { color } }\nmodule.exports.s = s;", true},
		{"return Number", "module.exports.f = function (x) { return Number(x) > 1; };", true},
		{"var = Number", "var y = Number('3');\nmodule.exports.y = y;", false},
		{"Number in array", "module.exports.a = [Number('3')];", false},
	} {
		_, _, err := CompileWXS("m.wxs", []byte(tc.src))
		if (err == nil) != tc.ok {
			t.Errorf("%s: err = %v, want ok=%v (as wcc)", tc.name, err, tc.ok)
		}
	}
}
