// Package wxss compiles WXSS into stylesheet segments (docs/miniprogram.md,
// "Stylesheets"): CSS text with rpx values kept as numbers for the view layer
// to turn into pixels for the window it renders in.
//
// The grammar and the output text follow WeChat's own compiler, wcsc (npm
// miniprogram-compiler@0.2.3), byte for byte where docs/wxss-fidelity.md does
// not say otherwise: the differential suite in this package checks that.
package wxss

import (
	"bytes"
	"math"
	"strconv"
	"strings"

	"superapp/internal/miniprogram/diag"
)

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
	path = strings.TrimPrefix(path, "/")
	b := &build{opts: opts, files: map[string]*unit{}}
	if opts.Scope != "" {
		b.classPrefix = opts.Scope + "--"
	}
	root := b.compile(path, src)
	if err := b.errs.Err(); err != nil {
		return nil, err
	}
	return b.flatten(root), nil
}

// CSS joins the sheet for a window windowWidth CSS pixels wide, with WeChat's
// rpx rule: floor(rpx/750*width + 1e-4), and a non-zero length that floors to
// 0 becomes 1px.
func (s Sheet) CSS(windowWidth float64) string {
	var sb strings.Builder
	for _, seg := range s {
		switch v := seg.(type) {
		case string:
			sb.WriteString(v)
		case float64:
			sb.WriteString(strconv.FormatFloat(RPXToPx(v, windowWidth), 'f', -1, 64))
			sb.WriteString("px")
		}
	}
	return sb.String()
}

// RPXToPx is wcsc's transformRPX on a non-iOS device (where a hairline is
// 1px, never 0.5px): 0 stays 0, anything else floors after a 1e-4 nudge, and
// a result of 0 becomes 1 — so negative lengths floor away from zero, and
// one within 1e-4px of zero becomes +1, as in WeChat.
func RPXToPx(rpx, windowWidth float64) float64 {
	if rpx == 0 {
		return 0
	}
	// The conversion to float64 rounds the product before the addition, so the
	// compiler cannot fuse them: JS computes them as two roundings.
	px := math.Floor(float64(rpx/750*windowWidth) + 1e-4)
	if px == 0 {
		return 1
	}
	return px
}

// segment kinds of a compiled file before its imports are inlined.
const (
	segText = iota
	segRPX
	segImport
)

type segment struct {
	kind   int
	lo, hi int     // segText: the text is the file's out[lo:hi]
	rpx    float64 // segRPX
	path   string  // segImport: the imported package path
}

// unit is one compiled file.
type unit struct {
	path string
	out  []byte
	segs []segment
}

// build is one Compile call: the files it compiled, keyed by package path.
type build struct {
	opts        Options
	classPrefix string
	files       map[string]*unit
	active      []string // the import chain being compiled, to find cycles
	errs        diag.List
}

func (b *build) compile(path string, src []byte) *unit {
	u := &unit{path: path}
	b.files[path] = u
	b.active = append(b.active, path)
	// Sized up front so that the single pass does not regrow them: the output
	// is about the input's size, and each rpx splits the text once more.
	p := parser{b: b, path: path, src: src, out: make([]byte, 0, len(src)+len(src)/8+64)}
	p.segs = make([]segment, 0, 2*bytes.Count(src, []byte("rpx"))+2)
	p.sheet()
	u.segs = p.flush()
	u.out = p.out
	b.active = b.active[:len(b.active)-1]
	return u
}

// importFile resolves and compiles the target of an @import at offset in
// the importing file; it returns the target's package path, or "" after
// reporting an error.
func (b *build) importFile(from string, src []byte, offset int, target string) string {
	line, col := diag.Pos(src, offset)
	path, ok := resolve(from, target)
	if !ok {
		b.errs = append(b.errs, diag.Errorf(from, line, col, "@import %q leaves the package", target))
		return ""
	}
	for i, a := range b.active {
		if a == path {
			chain := append(append([]string{}, b.active[i:]...), path)
			b.errs = append(b.errs, diag.Errorf(from, line, col, "@import cycle: %s", strings.Join(chain, " → ")))
			return ""
		}
	}
	if _, done := b.files[path]; done {
		return path
	}
	if b.opts.Load == nil {
		b.errs = append(b.errs, diag.Errorf(from, line, col, "@import %q: no loader to read %s", target, path))
		return ""
	}
	data, err := b.opts.Load(path)
	if err != nil {
		b.errs = append(b.errs, diag.Errorf(from, line, col, "@import %q: cannot read %s: %v", target, path, err))
		return ""
	}
	b.compile(path, data)
	return path
}

// resolve turns an @import target into a package path: "/x" from the package
// root, anything else from the importing file's directory; a target without
// an extension gets ".wxss", as wcsc does.
func resolve(from, target string) (string, bool) {
	var parts []string
	if !strings.HasPrefix(target, "/") {
		if i := strings.LastIndexByte(from, '/'); i >= 0 {
			parts = strings.Split(from[:i], "/")
		}
	}
	for _, seg := range strings.Split(target, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(parts) == 0 {
				return "", false
			}
			parts = parts[:len(parts)-1]
		default:
			parts = append(parts, seg)
		}
	}
	if len(parts) == 0 {
		return "", false
	}
	if last := parts[len(parts)-1]; !strings.Contains(last, ".") {
		parts[len(parts)-1] = last + ".wxss"
	}
	return strings.Join(parts, "/"), true
}

// flatten inlines imports the way wcsc's runtime (makeup) does: it walks the
// segments from the last to the first and inlines each imported file only
// the first time it meets it, so of repeated imports the last one counts.
func (b *build) flatten(root *unit) Sheet {
	type piece struct {
		u *unit
		s segment
	}
	seen := map[string]bool{}
	n := 0
	for _, u := range b.files {
		n += len(u.segs)
	}
	rev := make([]piece, 0, n)
	var walk func(u *unit)
	walk = func(u *unit) {
		for i := len(u.segs) - 1; i >= 0; i-- {
			s := u.segs[i]
			if s.kind != segImport {
				rev = append(rev, piece{u, s})
				continue
			}
			if seen[s.path] {
				continue
			}
			seen[s.path] = true
			if target := b.files[s.path]; target != nil {
				walk(target)
			}
		}
	}
	walk(root)
	// All text goes into one string; the sheet's strings are slices of it.
	size := 0
	for _, pc := range rev {
		size += pc.s.hi - pc.s.lo
	}
	all := make([]byte, 0, size)
	type span struct {
		lo, hi int
		rpx    float64
		isRPX  bool
	}
	spans := make([]span, 0, len(rev))
	for i := len(rev) - 1; i >= 0; i-- {
		pc := rev[i]
		if pc.s.kind == segRPX {
			spans = append(spans, span{rpx: pc.s.rpx, isRPX: true})
			continue
		}
		lo := len(all)
		all = append(all, pc.u.out[pc.s.lo:pc.s.hi]...)
		if n := len(spans); n > 0 && !spans[n-1].isRPX {
			spans[n-1].hi = len(all) // text right after text (across an import)
			continue
		}
		spans = append(spans, span{lo: lo, hi: len(all)})
	}
	text := string(all)
	out := make(Sheet, len(spans))
	for i, sp := range spans {
		if sp.isRPX {
			out[i] = sp.rpx
		} else {
			out[i] = text[sp.lo:sp.hi]
		}
	}
	return out
}
