// Package wxml compiles WXML templates and WXS modules into the JavaScript
// the mini program runtime evaluates (docs/miniprogram.md, "WXML render ABI").
//
// The semantics follow WeChat's own compiler, wcc (checked against
// miniprogram-compiler's wcc v0.5vv_20200413): what text is dropped, how
// values are typed, how templates, imports and includes resolve, how WXS is
// sandboxed. The generated code is evaluated by the registry in
// web/miniprogram/src/wxml/runtime.ts.
package wxml

import (
	"strings"

	"superapp/internal/miniprogram/diag"
)

// Compile compiles the WXML file at path (package-root-relative, with its
// ".wxml" extension) into one JavaScript statement `__R.wxml(path, …);`.
// deps are the package paths (with extension) the file refers to through
// <import src>, <include src> and <wxs src>, resolved against path. The error,
// if any, is a diag.List naming file, line and column of every problem.
func Compile(path string, src []byte) (js string, deps []string, err error) {
	nodes, perr := Parse(path, src)
	c := &compiler{file: path, src: src}
	if perr != nil {
		c.errs = append(c.errs, perr.(diag.List)...)
	}
	js = c.compileFile(nodes)
	if err := c.errs.Err(); err != nil {
		return "", c.deps, err
	}
	return js, c.deps, nil
}

// CompileWXS compiles the WXS module at path (with its ".wxs" extension) into
// one statement `__R.wxs(path, function (require, module, exports) {…});`.
// deps are the .wxs files it require()s, resolved against path.
func CompileWXS(path string, src []byte) (js string, deps []string, err error) {
	s := strings.TrimPrefix(strings.ReplaceAll(string(src), "\r", ""), "\ufeff")
	fn, deps, errs := translateWXS(path, s, Pos{1, 1})
	if err := errs.Err(); err != nil {
		return "", deps, err
	}
	var b strings.Builder
	b.WriteString("__R.wxs(")
	jsString(&b, path)
	b.WriteByte(',')
	b.WriteString(fn)
	b.WriteString(");\n")
	return b.String(), deps, nil
}
