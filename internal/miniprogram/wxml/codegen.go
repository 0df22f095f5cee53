package wxml

import (
	"path"
	"strconv"
	"strings"

	"superapp/internal/miniprogram/diag"
)

// compiler turns one parsed WXML file into the descriptor the runtime
// registry understands:
//
//	__R.wxml("p.wxml", function ($, F) {  // F: the registry's short name for the file
//	  var t = {}, b = $.B(F, n);           // b[k]: id of the file's k-th wx:if/elif/else/for block
//	  t["name"] = function (c, o) {…};
//	  return {m: function (c, o) {…},      // the file's own content
//	          t: t, i: [imports], c: [includes],
//	          w: [["mod", "x.wxs" | function (require, module, exports) {…}]]};
//	});
//
// Render functions take the context c ({e: data, s: scope, f: WXS modules,
// ap, r: render state, b: current block id, B: its prefix, p: loop item
// data paths}) and the array o they append their nodes to. Every element
// gets c.b as its `branch`: entering a block sets c.b = c.B + b[k] (B is
// the block id of a <template is>/<include> call site plus ">", so a
// template reused in two branches yields distinct ids) and restores it
// after.
type compiler struct {
	file     string
	src      []byte
	errs     diag.List
	deps     []string
	seenDeps map[string]bool
	imports  []string
	includes []string
	wxs      []string // JS for each [name, module] pair
	tmpls    []string // JS for each template
	vars     int
	blocks   int // directive elements seen by collect: an upper bound of the block ids used
	nextBlk  int
	parts    []part // splitParts' result, reused: each is consumed at once
}

func (c *compiler) errAt(p Pos, format string, a ...any) {
	c.errs = append(c.errs, diag.Errorf(c.file, p.Line, p.Col, format, a...))
}

func (c *compiler) addDep(p string) {
	if c.seenDeps == nil {
		c.seenDeps = map[string]bool{}
	}
	if !c.seenDeps[p] {
		c.seenDeps[p] = true
		c.deps = append(c.deps, p)
	}
}

// resolvePath resolves a src attribute against the directory of from, as
// wcc does: "/x" is package-root-absolute, anything else relative.
func resolvePath(from, src string) string {
	if strings.HasPrefix(src, "/") {
		return strings.TrimPrefix(path.Clean(src), "/")
	}
	p := path.Join(path.Dir(from), src)
	for strings.HasPrefix(p, "../") {
		p = p[3:]
	}
	if p == ".." || p == "." {
		return ""
	}
	return p
}

func wxmlDep(p string) string {
	if strings.HasSuffix(p, ".wxml") {
		return p
	}
	return p + ".wxml"
}

// ws writes the pieces one after another (no temporary string).
func ws(b *strings.Builder, parts ...string) {
	for _, p := range parts {
		b.WriteString(p)
	}
}

func (c *compiler) newVar() string {
	c.vars++
	return "n" + strconv.Itoa(c.vars)
}

// compileFile produces the statement for the whole file.
func (c *compiler) compileFile(nodes []Node) string {
	c.collect(nodes)
	var b strings.Builder
	size := len(c.src)*5 + 256 // generated code is a few times the source
	for _, t := range c.tmpls {
		size += len(t)
	}
	b.Grow(size)
	b.WriteString("__R.wxml(")
	jsString(&b, c.file)
	if c.blocks > 0 {
		b.WriteString(",function($,F){var t={},b=$.B(F,")
		b.WriteString(strconv.Itoa(c.blocks))
		b.WriteString(");\n")
	} else {
		b.WriteString(",function($){var t={};\n")
	}
	for _, t := range c.tmpls {
		b.WriteString(t)
	}
	b.WriteString("return {m:function(c,o){")
	c.genNodes(&b, nodes, "o")
	b.WriteString("},t:t,i:[")
	for i, p := range c.imports {
		if i > 0 {
			b.WriteByte(',')
		}
		jsString(&b, p)
	}
	b.WriteString("],c:[")
	for i, p := range c.includes {
		if i > 0 {
			b.WriteByte(',')
		}
		jsString(&b, p)
	}
	b.WriteString("],w:[")
	b.WriteString(strings.Join(c.wxs, ","))
	b.WriteString("]};});\n")
	return b.String()
}

// collect finds, anywhere in the file, what wcc hoists out of the render
// order: <import>, <include> targets, <wxs> modules and <template name>.
func (c *compiler) collect(nodes []Node) {
	for _, n := range nodes {
		e, ok := n.(*Element)
		if !ok {
			continue
		}
		if opensBlock(e) {
			c.blocks++
		}
		switch e.Tag {
		case "import":
			if a := e.Attr("src"); a != nil && a.Value != "" {
				p := resolvePath(c.file, a.Value)
				c.imports = append(c.imports, p)
				c.addDep(wxmlDep(p))
			} else {
				c.errAt(e.Pos, "<import> needs a src attribute")
			}
			continue
		case "include":
			if a := e.Attr("src"); a != nil && a.Value != "" {
				p := resolvePath(c.file, a.Value)
				c.includes = append(c.includes, p)
				c.addDep(wxmlDep(p))
			} else {
				c.errAt(e.Pos, "<include> needs a src attribute")
			}
			continue
		case "wxs":
			c.collectWXS(e)
			continue
		case "template":
			if a := e.Attr("name"); a != nil {
				c.genTemplate(e, a.Value)
			}
		}
		c.collect(e.Children)
	}
}

func (c *compiler) collectWXS(e *Element) {
	mod := e.Attr("module")
	if mod == nil || mod.Value == "" {
		c.errAt(e.Pos, "<wxs> needs a module attribute")
		return
	}
	if !isIdentStart(mod.Value[0]) || strings.IndexFunc(mod.Value, func(r rune) bool {
		return !(r < 0x80 && isIdentPart(byte(r)))
	}) >= 0 {
		c.errAt(mod.ValuePos, "<wxs> module name %q is not an identifier", mod.Value)
		return
	}
	var b strings.Builder
	b.WriteByte('[')
	jsString(&b, mod.Value)
	b.WriteByte(',')
	if src := e.Attr("src"); src != nil {
		p := resolvePath(c.file, src.Value)
		c.addDep(p)
		jsString(&b, p)
	} else {
		js, deps, errs := translateWXS(c.file, e.Body, e.BodyPos)
		c.errs = append(c.errs, errs...)
		for _, d := range deps {
			c.addDep(d)
		}
		b.WriteString(js)
	}
	b.WriteByte(']')
	c.wxs = append(c.wxs, b.String())
}

func (c *compiler) genTemplate(e *Element, name string) {
	var b strings.Builder
	b.WriteString("t[")
	jsString(&b, name)
	b.WriteString("]=function(c,o){")
	c.genNodes(&b, e.Children, "o")
	b.WriteString("};\n")
	c.tmpls = append(c.tmpls, b.String())
}

// controlAttr reports attributes that steer rendering and never reach the
// node.
func controlAttr(name string) bool {
	return strings.HasPrefix(name, "wx:")
}

// opensBlock reports an element whose content belongs to a block of its
// own (a wx:if/elif/else branch or a wx:for body).
func opensBlock(e *Element) bool {
	for _, a := range e.Attrs {
		switch a.Name {
		case "wx:if", "wx:elif", "wx:else", "wx:for", "wx:for-items":
			return true
		}
	}
	return false
}

// enterBlock emits the statement making the next block id current.
func (c *compiler) enterBlock(b *strings.Builder) {
	ws(b, "c.b=c.B+b[", strconv.Itoa(c.nextBlk), "];")
	c.nextBlk++
}

// genNodes emits code appending nodes to the array named out. wx:if /
// wx:elif / wx:else siblings form one chain; whitespace-only text and
// comments between them do not break it. Each branch is a block: the
// chain saves the current block id and restores it when it ends.
func (c *compiler) genNodes(b *strings.Builder, nodes []Node, out string) {
	inChain := false
	saved := ""
	endChain := func() {
		ws(b, "}c.b=", saved, ";")
		inChain = false
	}
	for _, n := range nodes {
		switch n := n.(type) {
		case *Text:
			if isBlank(n.Value) {
				continue
			}
			if inChain {
				endChain()
			}
			c.genText(b, n, out)
		case *Element:
			switch n.Tag {
			case "import", "wxs":
				continue
			case "template":
				if n.Attr("name") != nil {
					continue
				}
			}
			elif, els := n.Attr("wx:elif"), n.Attr("wx:else")
			switch {
			case elif != nil || els != nil:
				if !inChain {
					a := elif
					if a == nil {
						a = els
					}
					c.errAt(a.Pos, "%s without a preceding wx:if or wx:elif sibling", a.Name)
					continue
				}
				if elif != nil {
					c.needValue(elif)
					b.WriteString("}else if($.t(")
					c.genValue(b, elif)
					b.WriteString(")){")
				} else {
					b.WriteString("}else{")
				}
				c.enterBlock(b)
				c.genLoop(b, n, out)
				if els != nil {
					endChain()
				}
			case n.Attr("wx:if") != nil && n.Attr("wx:for") == nil && n.Attr("wx:for-items") == nil:
				if inChain {
					endChain()
				}
				c.needValue(n.Attr("wx:if"))
				saved = c.newVar()
				ws(b, "var ", saved, "=c.b;if($.t(")
				c.genValue(b, n.Attr("wx:if"))
				b.WriteString(")){")
				inChain = true
				c.enterBlock(b)
				c.genLoop(b, n, out)
			default:
				if inChain {
					endChain()
				}
				c.genLoop(b, n, out)
			}
		}
	}
	if inChain {
		endChain()
	}
}

func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isBlankByte(s[i]) {
			return false
		}
	}
	return true
}

// genLoop emits the element, inside a wx:for loop if it has one (the loop
// applies before wx:if on the same element: wcc's order).
func (c *compiler) genLoop(b *strings.Builder, e *Element, out string) {
	// wx:for-items wins over wx:for, whatever their order (wcc).
	forAttr := e.Attr("wx:for-items")
	if forAttr == nil {
		forAttr = e.Attr("wx:for")
	}
	if forAttr == nil {
		c.genElement(b, e, out)
		return
	}
	c.needValue(forAttr)
	item, index, key := "item", "index", ""
	if a := e.Attr("wx:for-item"); a != nil && a.Value != "" {
		item = a.Value
	}
	if a := e.Attr("wx:for-index"); a != nil && a.Value != "" {
		index = a.Value
	}
	if a := e.Attr("wx:key"); a != nil {
		key = a.Value
	}
	b.WriteString("$.f(c,")
	c.genValue(b, forAttr)
	b.WriteByte(',')
	jsString(b, item)
	b.WriteByte(',')
	jsString(b, index)
	b.WriteByte(',')
	jsString(b, key)
	ws(b, ",", out, ",b[", strconv.Itoa(c.nextBlk), "],function(){")
	c.nextBlk++
	// A wx:if on the looped element is tested once per item.
	if cond := e.Attr("wx:if"); cond != nil {
		c.needValue(cond)
		b.WriteString("if($.t(")
		c.genValue(b, cond)
		b.WriteString(")){")
		c.genElement(b, e, out)
		b.WriteString("}")
	} else {
		c.genElement(b, e, out)
	}
	b.WriteString("}")
	// The list's data path lets model: bindings on the item write back
	// (list[3].name); computed only when the body has a binding to resolve.
	if needsItemPaths(e) {
		b.WriteByte(',')
		if !c.genDataPath(b, "$.mp(c,", false, forAttr) {
			b.WriteString("null")
		}
	}
	b.WriteString(");")
}

// needsItemPaths reports a model: binding, or an <include> (whose file may
// hold one), anywhere in e.
func needsItemPaths(e *Element) bool {
	if e.Tag == "include" {
		return true
	}
	for _, a := range e.Attrs {
		if strings.HasPrefix(a.Name, "model:") {
			return true
		}
	}
	for _, n := range e.Children {
		if ch, ok := n.(*Element); ok && needsItemPaths(ch) {
			return true
		}
	}
	return false
}

// genDataPath emits, for an attribute holding one {{name.a[i]…}}, a call
// computing its data path at render time: call + `root, piece…)`, where a
// piece is ".a" or "[0]" or $.pk(key) for a computed key; with flag, call
// is followed by 1 or 0: whether there is a computed key. It emits nothing
// and returns false for any other value (not a place that can be written).
func (c *compiler) genDataPath(b *strings.Builder, call string, flag bool, a *Attr) bool {
	v := strings.TrimSpace(a.Value)
	if !a.HasValue || !strings.HasPrefix(v, "{{") || !strings.HasSuffix(v, "}}") || strings.Count(v, "{{") != 1 {
		return false
	}
	x, err := ParseExpr(v[2 : len(v)-2])
	if err != nil {
		return false
	}
	var chain []Expr // keys, innermost first
	for {
		m, ok := x.(Member)
		if !ok {
			break
		}
		chain = append(chain, m.Key)
		x = m.Obj
	}
	root, ok := x.(Name)
	if !ok {
		return false
	}
	computed := "0,"
	for _, k := range chain {
		l, isLit := k.(Lit)
		if !isLit {
			computed = "1,"
		} else if staticPiece(l) == "" {
			return false
		}
	}
	b.WriteString(call)
	if flag {
		b.WriteString(computed)
	}
	jsString(b, root.Name)
	for i := len(chain) - 1; i >= 0; i-- {
		b.WriteByte(',')
		if l, isLit := chain[i].(Lit); isLit {
			jsString(b, staticPiece(l))
			continue
		}
		b.WriteString("$.pk(")
		jsExpr(b, chain[i], true)
		b.WriteByte(')')
	}
	b.WriteByte(')')
	return true
}

// staticPiece is the data path piece of a literal key (".name", "[3]"), or
// "" when setData's path syntax cannot spell it.
func staticPiece(l Lit) string {
	switch v := l.Val.(type) {
	case float64:
		if v >= 0 && v == float64(int64(v)) && v < 1<<53 {
			return "[" + strconv.FormatInt(int64(v), 10) + "]"
		}
	case string:
		if v != "" && isIdentStart(v[0]) && strings.IndexFunc(v, func(r rune) bool { return !(r < 0x80 && isIdentPart(byte(r))) }) < 0 {
			return "." + v
		}
	}
	return ""
}

// genElement emits one element (or what a <block>, <include> or
// <template is> expands to), assuming its loop and condition are handled.
func (c *compiler) genElement(b *strings.Builder, e *Element, out string) {
	switch e.Tag {
	case "block":
		c.genNodes(b, e.Children, out)
		return
	case "include":
		if a := e.Attr("src"); a != nil && a.Value != "" {
			b.WriteString("$.I(c,")
			jsString(b, c.file)
			b.WriteByte(',')
			jsString(b, resolvePath(c.file, a.Value))
			ws(b, ",", out, ");")
		}
		return
	case "template":
		is := e.Attr("is")
		if is == nil {
			return // wcc renders a <template> with neither name nor is as nothing
		}
		b.WriteString("$.T(c,")
		jsString(b, c.file)
		b.WriteByte(',')
		c.genValue(b, is)
		b.WriteByte(',')
		if d := e.Attr("data"); d != nil {
			if !strings.Contains(d.Value, "{{") {
				c.errAt(d.ValuePos, "<template> data must be an expression in {{ }}")
			}
			c.genData(b, d)
		} else {
			b.WriteString("void 0")
		}
		ws(b, ",", out, ");")
		return
	}
	v := c.newVar()
	ws(b, "var ", v, "=$.el(c,", out, ",")
	jsString(b, e.Tag)
	b.WriteString(");")
	var raw, generics []*Attr
	var buf [16]*Attr
	for _, a := range sortedAttrs(e.Attrs, buf[:]) {
		if controlAttr(a.Name) {
			continue
		}
		if strings.HasPrefix(a.Name, "generic:") {
			generics = append(generics, a)
			continue
		}
		if strings.HasPrefix(a.Name, "model:") {
			raw = append(raw, a)
		}
		name := attrName(a.Name)
		if !a.HasValue {
			ws(b, v, ".attr[")
			jsString(b, name)
			b.WriteString("]=true;")
			continue
		}
		ws(b, "$.a(c,", v, ",")
		jsString(b, name)
		b.WriteByte(',')
		c.genValue(b, a)
		b.WriteString(");")
	}
	// As wcc: model:x keeps its source text in rawAttr (the logic layer
	// binds the path back); generic:x="y" becomes generics["wx-x"] = "wx-y".
	if len(raw) > 0 {
		ws(b, v, ".rawAttr={")
		for i, a := range raw {
			if i > 0 {
				b.WriteByte(',')
			}
			jsString(b, a.Name)
			b.WriteByte(':')
			if !a.HasValue {
				b.WriteString("true")
				continue
			}
			// A binding whose path goes through a wx:for item or a
			// computed key is given as the data path it resolves to
			// ({{item.name}} → {{list[3].name}}): see $.mr.
			var call strings.Builder
			call.WriteString("$.mr(c,")
			jsString(&call, a.Value)
			call.WriteByte(',')
			if !c.genDataPath(b, call.String(), true, a) {
				jsString(b, a.Value)
			}
		}
		b.WriteString("};")
	}
	if len(generics) > 0 {
		ws(b, v, ".generics={")
		for i, a := range generics {
			if i > 0 {
				b.WriteByte(',')
			}
			jsString(b, "wx-"+strings.TrimPrefix(a.Name, "generic:"))
			b.WriteByte(':')
			jsString(b, "wx-"+a.Value)
		}
		b.WriteString("};")
	}
	if len(e.Children) > 0 {
		c.genNodes(b, e.Children, v+".children")
	}
}

// needValue reports a wx:if, wx:elif or wx:for written without a value,
// which wcc refuses ("value not set").
func (c *compiler) needValue(a *Attr) {
	if !a.HasValue {
		c.errAt(a.Pos, "%s needs a value", a.Name)
	}
}

// sortedAttrs orders attributes as wcc emits them: valueless ones first,
// then by name; a repeated name keeps its last value. Elements have few
// attributes, so quadratic loops beat a map and sort.Slice here.
func sortedAttrs(attrs []*Attr, buf []*Attr) []*Attr {
	out := buf[:0]
next:
	for i, a := range attrs {
		for _, later := range attrs[i+1:] {
			if later.Name == a.Name {
				continue next
			}
		}
		out = append(out, a)
	}
	less := func(x, y *Attr) bool {
		if x.HasValue != y.HasValue {
			return !x.HasValue
		}
		return x.Name < y.Name
	}
	for i := 1; i < len(out); i++ { // insertion sort: stable
		for j := i; j > 0 && less(out[j], out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// attrName is the name an attribute gets on the node. wcc camel-cases
// hyphenated names (`hover-class` → `hoverClass`, `Data-a` → `DataA`) except
// "data-…" and names with a colon (`bind:tap`, `mark:x`); `model:x` gives
// the attribute x. After a hyphen wcc keeps upper-casing until it changes a
// letter (`bind-Tap` → `bindTAp`), which we reproduce.
func attrName(name string) string {
	if rest, ok := strings.CutPrefix(name, "model:"); ok {
		return camelAttr(rest)
	}
	if strings.IndexByte(name, ':') >= 0 {
		return name
	}
	return camelAttr(name)
}

func camelAttr(name string) string {
	if strings.IndexByte(name, '-') < 0 || strings.HasPrefix(name, "data-") {
		return name
	}
	var b strings.Builder
	upper := false
	for i := 0; i < len(name); i++ {
		ch := name[i]
		if ch == '-' {
			upper = true
			continue
		}
		if upper {
			if ch >= 'a' && ch <= 'z' {
				ch -= 'a' - 'A'
				upper = false
			}
		}
		b.WriteByte(ch)
	}
	return b.String()
}

// part is a piece of an attribute value or text: literal text or an
// expression.
type part struct {
	lit  string
	expr Expr
	isEx bool
}

// splitParts cuts s at {{ }}; parse parses each expression. Errors are
// reported at their position inside the file.
func (c *compiler) splitParts(s string, at Pos, parse func(string) (Expr, error)) ([]part, bool) {
	parts := c.parts[:0]
	defer func() { c.parts = parts[:0] }()
	ok := true
	i := 0
	for i < len(s) {
		j := strings.Index(s[i:], "{{")
		if j < 0 {
			parts = append(parts, part{lit: s[i:]})
			break
		}
		if j > 0 {
			parts = append(parts, part{lit: s[i : i+j]})
		}
		start := i + j + 2
		end := scanExprEnd(s, start)
		if end < 0 {
			c.errAt(posAfter(at, s[:i+j]), "\"{{\" is not closed by \"}}\"")
			return nil, false
		}
		x, err := parse(s[start:end])
		if err != nil {
			off := start
			if ee, isEE := err.(*exprError); isEE {
				off += ee.Off
			}
			c.errAt(posAfter(at, s[:off]), "bad expression {{%s}}: %v", s[start:end], err)
			ok = false
		}
		parts = append(parts, part{expr: x, isEx: true})
		i = end + 2
	}
	return parts, ok
}

// posAfter is the position reached from at after the text s.
func posAfter(at Pos, s string) Pos {
	for _, r := range s {
		if r == '\n' {
			at.Line++
			at.Col = 1
		} else {
			at.Col++
		}
	}
	return at
}

// genValue emits the value of an attribute: a lone {{expr}} keeps its JS
// type, anything else is a string.
func (c *compiler) genValue(b *strings.Builder, a *Attr) {
	if !a.HasValue {
		b.WriteString("true")
		return
	}
	parts, _ := c.splitParts(a.Value, a.ValuePos, ParseExpr)
	c.genParts(b, parts, false)
}

// genData emits <template data>: each {{ }} holds an object literal without
// its braces.
func (c *compiler) genData(b *strings.Builder, a *Attr) {
	parts, _ := c.splitParts(a.Value, a.ValuePos, ParseObjectBody)
	c.genParts(b, parts, false)
}

func (c *compiler) genParts(b *strings.Builder, parts []part, text bool) {
	if !text && len(parts) == 1 && parts[0].isEx && parts[0].expr != nil {
		b.WriteString("(c.ap=void 0,")
		jsExpr(b, parts[0].expr, false)
		b.WriteByte(')')
		return
	}
	allLit := true
	for _, p := range parts {
		if p.isEx {
			allLit = false
		}
	}
	if allLit {
		var s strings.Builder
		for _, p := range parts {
			s.WriteString(p.lit)
		}
		jsString(b, s.String())
		return
	}
	b.WriteString(`(""`)
	for _, p := range parts {
		b.WriteByte('+')
		if !p.isEx {
			jsString(b, p.lit)
			continue
		}
		if p.expr == nil {
			b.WriteString(`""`)
			continue
		}
		b.WriteString("$.u(")
		jsExpr(b, p.expr, true)
		b.WriteByte(')')
	}
	b.WriteByte(')')
}

func (c *compiler) genText(b *strings.Builder, t *Text, out string) {
	parts, _ := c.splitParts(t.Value, t.Pos, ParseExpr)
	b.WriteString(out + ".push(")
	c.genParts(b, parts, true)
	b.WriteString(");")
}
