package wxml

import (
	"strings"

	"superapp/internal/miniprogram/diag"
)

// Pos is a 1-based line and column (in runes) inside one file.
type Pos struct{ Line, Col int }

// Node is one node of a parsed WXML file: an *Element or a *Text.
type Node interface{ pos() Pos }

// Element is a tag with its attributes and children.
type Element struct {
	Tag      string
	Attrs    []*Attr
	Children []Node
	Pos      Pos // of the '<'
	// Body is the raw text of an inline <wxs> module (its children are
	// never parsed: a WXS body may contain '<' and "//" comments).
	Body    string
	BodyPos Pos
}

// Attr is one attribute as written. A valueless attribute (`<view hidden>`)
// has HasValue false.
type Attr struct {
	Name     string
	Value    string
	HasValue bool
	Pos      Pos // of the name
	ValuePos Pos // of the first character inside the quotes
}

// Text is character data between tags, exactly as written (wcc decodes no
// entities).
type Text struct {
	Value string
	Pos   Pos
}

func (e *Element) pos() Pos { return e.Pos }
func (t *Text) pos() Pos    { return t.Pos }

// Attr returns the attribute called name, the last one if it is repeated
// (wcc keeps the last).
func (e *Element) Attr(name string) *Attr {
	for i := len(e.Attrs) - 1; i >= 0; i-- {
		if e.Attrs[i].Name == name {
			return e.Attrs[i]
		}
	}
	return nil
}

// parser walks the source once, tracking line and column incrementally so
// positions cost nothing extra.
type parser struct {
	file string
	src  string
	i    int
	line int
	col  int
	errs diag.List
	// slabs: nodes and attributes are carved out of chunks, not allocated
	// one by one (the compiler is hot in pack).
	attrs []Attr
	elems []Element
	texts []Text
}

func (p *parser) newAttr() *Attr {
	if len(p.attrs) == cap(p.attrs) {
		p.attrs = make([]Attr, 0, 128)
	}
	p.attrs = p.attrs[:len(p.attrs)+1]
	return &p.attrs[len(p.attrs)-1]
}

func (p *parser) newElement() *Element {
	if len(p.elems) == cap(p.elems) {
		p.elems = make([]Element, 0, 64)
	}
	p.elems = p.elems[:len(p.elems)+1]
	return &p.elems[len(p.elems)-1]
}

func (p *parser) newText() *Text {
	if len(p.texts) == cap(p.texts) {
		p.texts = make([]Text, 0, 64)
	}
	p.texts = p.texts[:len(p.texts)+1]
	return &p.texts[len(p.texts)-1]
}

// Parse parses a WXML file into its top-level nodes. Comments are dropped.
// CRLF becomes LF first, as in wcc; a lone CR stays (in text it is kept,
// between tags it is blank). A leading byte order mark is kept as text, as
// wcc keeps it.
func Parse(file string, src []byte) ([]Node, error) {
	s := string(src)
	if strings.Contains(s, "\r\n") {
		s = strings.ReplaceAll(s, "\r\n", "\n")
	}
	p := &parser{file: file, src: s, line: 1, col: 1}
	if i := strings.IndexByte(s, 0); i >= 0 {
		// wcc stops at a NUL byte and then misses every close tag.
		line, col := lineColAt(s, i)
		p.errAt(Pos{line, col}, "NUL byte in the file")
		return nil, p.errs.Err()
	}
	nodes := p.parseNodes(nil)
	return nodes, p.errs.Err()
}

// lineColAt is the 1-based line and column (in runes) of byte offset i.
func lineColAt(s string, i int) (int, int) {
	line, col := 1, 1
	for j := 0; j < i; j++ {
		if s[j] == '\n' {
			line++
			col = 1
		} else if s[j] < 0x80 || s[j] >= 0xC0 {
			col++
		}
	}
	return line, col
}

func (p *parser) here() Pos { return Pos{p.line, p.col} }

func (p *parser) errAt(at Pos, format string, a ...any) {
	p.errs = append(p.errs, diag.Errorf(p.file, at.Line, at.Col, format, a...))
}

// advance moves n bytes forward, keeping line and column (in runes) right.
func (p *parser) advance(n int) {
	end := p.i + n
	if end > len(p.src) {
		end = len(p.src)
	}
	for ; p.i < end; p.i++ {
		c := p.src[p.i]
		if c == '\n' {
			p.line++
			p.col = 1
		} else if c < 0x80 || c >= 0xC0 { // count rune starts only
			p.col++
		}
	}
}

func (p *parser) eof() bool { return p.i >= len(p.src) }

func (p *parser) peekStr(s string) bool { return strings.HasPrefix(p.src[p.i:], s) }

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// isBlankByte is whitespace in text as wcc sees it: form feed and vertical
// tab are text there.
func isBlankByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (p *parser) skipSpace() {
	for p.i < len(p.src) && isSpace(p.src[p.i]) {
		p.advance(1)
	}
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '_' || c == ':' || c == '.' || c >= 0x80
}

// parseNodes parses siblings until the close tag of parent (or EOF at top
// level) and consumes that close tag.
func (p *parser) parseNodes(parent *Element) []Node {
	var nodes []Node
	for !p.eof() {
		if p.src[p.i] != '<' {
			if t := p.parseText(); t != nil {
				nodes = append(nodes, t)
			}
			continue
		}
		switch {
		case p.peekStr("<!--"):
			end := strings.Index(p.src[p.i+4:], "-->")
			if end < 0 {
				// wcc accepts an unclosed comment and drops the rest of
				// the file; open tags before it are still unclosed.
				p.advance(len(p.src))
				continue
			}
			p.advance(4 + end + 3)
		case p.peekStr("</"):
			start := p.here()
			p.advance(2)
			nameStart := p.i
			for p.i < len(p.src) && isNameByte(p.src[p.i]) {
				p.advance(1)
			}
			name := p.src[nameStart:p.i]
			p.skipSpace()
			if p.eof() || p.src[p.i] != '>' {
				p.errAt(start, "close tag </%s> is not terminated by '>'", name)
			} else {
				p.advance(1)
			}
			if parent == nil {
				p.errAt(start, "close tag </%s> has no matching open tag", name)
				continue
			}
			if name != parent.Tag {
				p.errAt(start, "close tag </%s> does not match <%s> opened at %d:%d", name, parent.Tag, parent.Pos.Line, parent.Pos.Col)
			}
			return nodes
		case p.peekStr("<!"):
			p.errAt(p.here(), "unexpected \"<!\" (only <!-- comments --> are allowed; wcc rejects CDATA and doctype)")
			p.advance(2)
		default:
			if e := p.parseElement(); e != nil {
				nodes = append(nodes, e)
			}
		}
	}
	if parent != nil {
		p.errAt(parent.Pos, "<%s> is not closed", parent.Tag)
	}
	return nodes
}

// parseText reads character data up to the next '<' that is not inside a
// {{ }} (wcc scans expressions in text to their closing braces, so
// `{{a<b}}` is text).
func (p *parser) parseText() *Text {
	start := p.here()
	from := p.i
	for p.i < len(p.src) {
		c := p.src[p.i]
		if c == '<' {
			break
		}
		if c == '{' && p.peekStr("{{") {
			open := p.here()
			p.advance(2)
			if !p.skipExpr() {
				p.errAt(open, "\"{{\" is not closed by \"}}\"")
				return nil
			}
			continue
		}
		p.advance(1)
	}
	t := p.newText()
	t.Value, t.Pos = p.src[from:p.i], start
	return t
}

// skipExpr moves past an expression and its closing "}}", honouring string
// literals; it reports whether the braces were closed.
func (p *parser) skipExpr() bool {
	end := scanExprEnd(p.src, p.i)
	if end < 0 {
		p.advance(len(p.src))
		return false
	}
	p.advance(end + 2 - p.i)
	return true
}

// scanExprEnd returns the offset of the "}}" closing an expression that
// starts at from, skipping quoted strings, or -1.
func scanExprEnd(s string, from int) int {
	for i := from; i < len(s); i++ {
		switch s[i] {
		case '"', '\'':
			q := s[i]
			for i++; i < len(s) && s[i] != q; i++ {
				if s[i] == '\\' {
					i++
				}
			}
		case '}':
			if i+1 < len(s) && s[i+1] == '}' {
				return i
			}
		}
	}
	return -1
}

func (p *parser) parseElement() *Element {
	start := p.here()
	p.advance(1) // '<'
	nameStart := p.i
	for p.i < len(p.src) && isNameByte(p.src[p.i]) {
		p.advance(1)
	}
	e := p.newElement()
	e.Tag, e.Pos = p.src[nameStart:p.i], start
	if e.Tag == "" {
		p.errAt(start, "a '<' must start a tag name (write &lt; for a literal '<')")
		p.advance(1)
		return nil
	}
	for {
		p.skipSpace()
		if p.eof() {
			p.errAt(start, "tag <%s> is not terminated by '>'", e.Tag)
			return e
		}
		c := p.src[p.i]
		if c == '>' {
			p.advance(1)
			break
		}
		if c == '/' {
			if p.peekStr("/>") {
				p.advance(2)
				return e
			}
			p.errAt(p.here(), "unexpected '/' in tag <%s>", e.Tag)
			p.advance(1)
			continue
		}
		if !p.parseAttr(e) {
			// skip the bad character so parsing goes on
			p.advance(1)
		}
	}
	if e.Tag == "wxs" {
		p.parseWXSBody(e)
		return e
	}
	e.Children = p.parseNodes(e)
	return e
}

// parseWXSBody takes everything up to the first "</wxs" as raw source, as
// wcc does.
func (p *parser) parseWXSBody(e *Element) {
	e.BodyPos = p.here()
	end := strings.Index(p.src[p.i:], "</wxs")
	if end < 0 {
		p.errAt(e.Pos, "<wxs> is not closed")
		e.Body = p.src[p.i:]
		p.advance(len(p.src))
		return
	}
	e.Body = p.src[p.i : p.i+end]
	p.advance(end + len("</wxs"))
	p.skipSpace()
	if !p.eof() && p.src[p.i] == '>' {
		p.advance(1)
	} else {
		p.errAt(p.here(), "close tag </wxs> is not terminated by '>'")
	}
}

func (p *parser) parseAttr(e *Element) bool {
	at := p.here()
	nameStart := p.i
	for p.i < len(p.src) {
		c := p.src[p.i]
		if isSpace(c) || c == '=' || c == '>' || c == '/' || c == '"' || c == '\'' || c == '<' {
			break
		}
		p.advance(1)
	}
	if p.i == nameStart {
		p.errAt(at, "unexpected character %q in tag <%s>", p.src[p.i], e.Tag)
		return false
	}
	a := p.newAttr()
	a.Name, a.Pos = p.src[nameStart:p.i], at
	save, saveLine, saveCol := p.i, p.line, p.col
	p.skipSpace()
	if p.eof() || p.src[p.i] != '=' {
		p.i, p.line, p.col = save, saveLine, saveCol
		e.Attrs = append(e.Attrs, a)
		return true
	}
	p.advance(1)
	p.skipSpace()
	if p.eof() || (p.src[p.i] != '"' && p.src[p.i] != '\'') {
		p.errAt(p.here(), "value of attribute %q must be quoted", a.Name)
		for p.i < len(p.src) && !isSpace(p.src[p.i]) && p.src[p.i] != '>' && !p.peekStr("/>") {
			p.advance(1)
		}
		return true
	}
	q := p.src[p.i]
	p.advance(1)
	a.ValuePos = p.here()
	from := p.i
	for p.i < len(p.src) && p.src[p.i] != q {
		if p.src[p.i] == '\n' {
			// wcc rejects a line break inside an attribute value
			p.errAt(p.here(), "line break inside the value of attribute %q", a.Name)
		}
		p.advance(1)
	}
	if p.eof() {
		p.errAt(at, "value of attribute %q is not closed by %c", a.Name, q)
		return true
	}
	a.Value = p.src[from:p.i]
	a.HasValue = true
	p.advance(1)
	e.Attrs = append(e.Attrs, a)
	return true
}
