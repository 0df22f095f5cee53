// Package wxml compiles WXML templates and WXS modules into the JavaScript
// the mini program runtime evaluates (docs/miniprogram.md, "WXML render ABI").
package wxml

// Compile compiles the WXML file at path (package-root-relative, with its
// ".wxml" extension) into one JavaScript statement `__R.wxml(path, …);`.
// deps are the package paths (with extension) the file refers to through
// <import src>, <include src> and <wxs src>, resolved against path. The error,
// if any, is a diag.List naming file, line and column of every problem.
func Compile(path string, src []byte) (js string, deps []string, err error) {
	panic("wxml.Compile: not written yet")
}

// CompileWXS compiles the WXS module at path (with its ".wxs" extension) into
// one statement `__R.wxs(path, function (require, module, exports) {…});`.
// deps are the .wxs files it require()s, resolved against path.
func CompileWXS(path string, src []byte) (js string, deps []string, err error) {
	panic("wxml.CompileWXS: not written yet")
}
