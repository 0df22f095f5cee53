// Package libcompat holds compatibility tests that compile real, published
// mini program component libraries (tdesign-miniprogram, @vant/weapp,
// weui-miniprogram) with the platform's WXML, WXS and WXSS compilers, and
// check that the fixture projects in testdata/miniprograms build.
//
// The libraries are pinned in npm/package-lock.json and are not committed:
// install them with
//
//	cd internal/miniprogram/libcompat/npm && npm ci --ignore-scripts
//
// Without them the library tests skip.
package libcompat
