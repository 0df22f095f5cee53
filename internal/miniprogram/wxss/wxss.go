// Package wxss compiles WXSS into stylesheet segments (docs/miniprogram.md,
// "Stylesheets"): CSS text with rpx values kept as numbers for the view layer
// to turn into pixels for the window it renders in.
package wxss

// Sheet is a compiled stylesheet: each element is a string (CSS text) or a
// float64 (a length in rpx). It marshals to the JSON array the view reads.
type Sheet []any

// Options tune one compilation.
type Options struct {
	// Scope, when set, isolates a component's styles: class selectors .x
	// become .Scope--x and :host becomes [wx-host="Scope"].
	Scope string
	// Load reads an @import target, given its package path (resolved against
	// the importing file, with its extension).
	Load func(path string) ([]byte, error)
}

// Compile compiles the WXSS file at path (package-root-relative, with its
// extension). The error, if any, is a diag.List.
func Compile(path string, src []byte, opts Options) (Sheet, error) {
	panic("wxss.Compile: not written yet")
}

// CSS joins the sheet for a window windowWidth CSS pixels wide, with WeChat's
// rpx rule: floor(rpx/750*width + 1e-4), and a non-zero length that floors to
// 0 becomes 1px.
func (s Sheet) CSS(windowWidth float64) string {
	panic("wxss.Sheet.CSS: not written yet")
}
