package wxss

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"superapp/internal/miniprogram/diag"
)

// parser compiles one file in a single pass: it reads the source once and
// writes the output text as it goes. Like wcsc it keeps the author's text
// and only normalises whitespace between tokens (docs/wxss-fidelity.md).
type parser struct {
	b    *build
	path string
	src  []byte
	pos  int
	out  []byte // the file's output text; segments index into it
	mark int    // where the text not yet in a segment starts
	segs []segment
}

// stop unwinds the parser after the first syntax error: wcsc reports one per
// file, and what follows a broken brace cannot be read reliably.
type stop struct{}

func (p *parser) fail(offset int, format string, a ...any) {
	line, col := diag.Pos(p.src, offset)
	p.b.errs = append(p.b.errs, diag.Errorf(p.path, line, col, format, a...))
	panic(stop{})
}

func (p *parser) emit(s string)      { p.out = append(p.out, s...) }
func (p *parser) emitBytes(s []byte) { p.out = append(p.out, s...) }
func (p *parser) emitByte(c byte)    { p.out = append(p.out, c) }
func (p *parser) eof() bool          { return p.pos >= len(p.src) }
func (p *parser) peek(off int) byte {
	if p.pos+off < len(p.src) {
		return p.src[p.pos+off]
	}
	return 0
}

// flush returns the segments written so far, text included.
func (p *parser) flush() []segment {
	if len(p.out) > p.mark {
		p.segs = append(p.segs, segment{kind: segText, lo: p.mark, hi: len(p.out)})
		p.mark = len(p.out)
	}
	return p.segs
}

func (p *parser) emitRPX(v float64) {
	p.flush()
	p.segs = append(p.segs, segment{kind: segRPX, rpx: v})
}

func (p *parser) emitImport(path string) {
	p.flush()
	p.segs = append(p.segs, segment{kind: segImport, path: path})
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// isValueBlank: in a value wcsc collapses runs of these at either end, but
// keeps a tab as text.
func isValueBlank(c byte) bool { return c == ' ' || c == '\n' || c == '\r' }
func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isLetter(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}
func isWordChar(c byte) bool  { return isLetter(c) || isDigit(c) }
func isIdentChar(c byte) bool { return isWordChar(c) || c == '-' }

// describe names a byte for an error message.
func describe(c byte) string {
	if c >= 0x80 {
		return "non-ASCII character"
	}
	return fmt.Sprintf("%q", string(c))
}

// skipSpace skips whitespace and comments and says whether there were any.
// An unterminated comment runs to the end of the file, which wcsc accepts.
func (p *parser) skipSpace() bool {
	start := p.pos
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if isSpace(c) {
			p.pos++
			continue
		}
		if c == '/' && p.peek(1) == '*' {
			end := bytes.Index(p.src[p.pos+2:], []byte("*/"))
			if end < 0 {
				p.pos = len(p.src)
			} else {
				p.pos += 2 + end + 2
			}
			continue
		}
		break
	}
	return p.pos > start
}

// skipBlanks skips whitespace only.
func (p *parser) skipBlanks() bool {
	start := p.pos
	for p.pos < len(p.src) && isSpace(p.src[p.pos]) {
		p.pos++
	}
	return p.pos > start
}

func (p *parser) ident() []byte {
	start := p.pos
	for p.pos < len(p.src) && isIdentChar(p.src[p.pos]) {
		p.pos++
	}
	return p.src[start:p.pos]
}

// stringEnd returns the offset just past the string starting at i. wcsc has
// no escapes in strings: a string ends at the next quote of its kind.
func (p *parser) stringEnd(i int) int {
	end := bytes.IndexByte(p.src[i+1:], p.src[i])
	if end < 0 {
		p.fail(i, "unterminated string")
	}
	return i + 1 + end + 1
}

// sheet reads the whole file.
func (p *parser) sheet() {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(stop); !ok {
				panic(r)
			}
		}
	}()
	p.items(false, 0)
}

// items reads rules and at-rules up to the end of the file (top level) or
// the '}' closing the block opened at open. At top level whitespace between
// items is dropped; inside a block it stays as one space except after a rule
// or a statement, which end with a newline — wcsc's layout.
func (p *parser) items(inBlock bool, open int) int {
	n := 0
	afterRule := false
	for {
		if p.skipSpace() && inBlock && !afterRule {
			p.emitByte(' ')
		}
		if p.eof() {
			if inBlock {
				p.fail(open, "unterminated block: no '}' for this '{'")
			}
			return n
		}
		c := p.src[p.pos]
		if c == '}' {
			if inBlock {
				return n
			}
			p.fail(p.pos, "unexpected '}' with no block open")
		}
		n++
		afterRule = true
		if c != '@' {
			p.rule()
			continue
		}
		start := p.pos
		p.pos++
		name := p.ident()
		switch string(name) {
		case "import":
			p.importRule(inBlock)
		case "charset":
			p.charset(start)
		case "media", "supports", "keyframes", "-webkit-keyframes":
			p.blockAtRule(start, string(name))
			afterRule = false
		default:
			// @font-face, @page, … : a rule whose selector starts with the
			// at-keyword, as wcsc reads them. Unknown statements fail there.
			p.pos = start
			p.rule()
		}
	}
}

// rule reads selector { declarations }.
func (p *parser) rule() {
	p.selector(false)
	open := p.pos
	p.pos++ // '{'
	p.emitByte('{')
	p.declarations(open)
	p.emitByte('\n')
}

// importRule reads @import "path" [;]. At top level the target is inlined;
// inside a block wcsc keeps the statement as text, and so do we.
func (p *parser) importRule(inBlock bool) {
	ws := p.skipBlanks()
	if p.eof() || (p.src[p.pos] != '"' && p.src[p.pos] != '\'') {
		p.fail(p.pos, "@import needs a quoted path")
	}
	strStart := p.pos
	p.pos = p.stringEnd(p.pos)
	quoted := p.src[strStart:p.pos]
	ws2 := p.skipBlanks()
	semi := !p.eof() && p.src[p.pos] == ';'
	if !semi && !p.eof() && inBlock && p.src[p.pos] != '}' {
		p.fail(p.pos, "unexpected %s after @import path", describe(p.src[p.pos]))
	}
	if semi {
		p.pos++
	}
	if inBlock {
		p.emit("@import")
		if ws {
			p.emitByte(' ')
		}
		p.emitBytes(quoted)
		if ws2 {
			p.emitByte(' ')
		}
		p.emit(";\n")
		return
	}
	target := string(quoted[1 : len(quoted)-1])
	if path := p.b.importFile(p.path, p.src, strStart, target); path != "" {
		p.emitImport(path)
	}
}

// charset reads @charset "x"; and keeps it.
func (p *parser) charset(start int) {
	p.emit("@charset")
	if p.skipBlanks() {
		p.emitByte(' ')
	}
	if p.eof() || (p.src[p.pos] != '"' && p.src[p.pos] != '\'') {
		p.fail(p.pos, "@charset needs a quoted name")
	}
	end := p.stringEnd(p.pos)
	p.emitBytes(p.src[p.pos:end])
	p.pos = end
	if p.skipBlanks() {
		p.emitByte(' ')
	}
	if p.eof() || p.src[p.pos] != ';' {
		p.fail(start, "@charset needs a ';'")
	}
	p.pos++
	p.emit(";\n")
}

// blockAtRule reads @media/@supports/@keyframes prelude { items }: the
// prelude is kept as written (rpx in a media query stays rpx, as in wcsc).
func (p *parser) blockAtRule(start int, name string) {
	p.emitByte('@')
	p.emit(name)
	blanks := p.skipBlanks()
	if blanks {
		p.emitByte(' ')
	}
	// The prelude runs to the first '{' outside strings; a comment in it is
	// kept as text, as wcsc keeps it.
	preludeStart := p.pos
	for {
		if p.eof() {
			p.fail(start, "@%s has no block", name)
		}
		c := p.src[p.pos]
		if c == '{' {
			break
		}
		if c == '"' || c == '\'' {
			p.pos = p.stringEnd(p.pos)
			continue
		}
		if c == ';' || c == '}' {
			p.fail(p.pos, "unexpected %s in @%s", describe(c), name)
		}
		p.pos++
	}
	prelude := p.src[preludeStart:p.pos]
	trimmed := bytes.TrimRight(prelude, " \t\n\r\f")
	if len(prelude) == 0 && !blanks {
		p.fail(p.pos, "@%s needs a space or a condition before '{'", name)
	}
	p.emitBytes(trimmed)
	if len(trimmed) < len(prelude) {
		p.emitByte(' ')
	}
	open := p.pos
	p.pos++
	p.emitByte('{')
	if p.items(true, open) == 0 {
		p.fail(p.pos, "empty @%s block", name)
	}
	p.pos++
	p.emitByte('}')
}

// selector reads a selector list up to '{' (or, inside :not(…), up to ')'),
// writing it with tag names as wx-<tag> and class names scoped.
func (p *parser) selector(inNot bool) {
	// What wcsc's selector grammar wants next: a compound selector (at the
	// start and after ','), or, after '>', '+' or '~', one that starts with a
	// tag or a class; '~' only as the first of those combinators.
	const (
		anything = iota
		compound
		tagOrClass
	)
	need, combined, pendingSpace, afterComma := compound, false, false, false
	// tildeOK: wcsc takes '~' only right after a class or a tag name.
	tildeOK := false
	for {
		if p.skipSpace() {
			pendingSpace = true
		}
		if p.eof() {
			p.fail(p.pos, "unexpected end of file in a selector")
		}
		c := p.src[p.pos]
		end := (c == '{' && !inNot) || (c == ')' && inNot)
		// wcsc lets a list end with a comma: ".a, {"
		// a selector may start with '>' or '+', and a list end with ','
		leadingCombinator := need == compound && !afterComma && (c == '>' || c == '+')
		if need != anything && !(end && afterComma) && !leadingCombinator && (end || c == ',' || c == '>' || c == '+' || c == '~') {
			p.fail(p.pos, "unexpected %s: a selector is missing", describe(c))
		}
		if need == tagOrClass && (c == ':' || c == '[' || c == '#') {
			p.fail(p.pos, "unexpected %s right after a combinator", describe(c))
		}
		if pendingSpace {
			p.emitByte(' ')
			pendingSpace = false
		}
		if end {
			return
		}
		need, afterComma = anything, false
		wasTildeOK := tildeOK
		tildeOK = false
		switch {
		case c == '.':
			p.pos++
			n := p.peek(0)
			switch {
			case isLetter(n) || n == '-':
				p.emitByte('.')
				p.emit(p.b.classPrefix)
				p.emitBytes(p.ident())
				tildeOK = true
			case isDigit(n):
				// ".5" in a keyframe selector or ".1a": wcsc leaves it unscoped.
				p.emitByte('.')
				p.emitBytes(p.ident())
			default:
				p.fail(p.pos-1, "'.' without a class name")
			}
		case c == '#':
			p.pos++
			p.emitByte('#')
			p.emitBytes(p.ident())
		case c == ':':
			p.pseudo()
		case c == '[':
			p.attribute()
		case c == '>' || c == '+' || c == '~':
			if c == '~' && (combined || !wasTildeOK) {
				p.fail(p.pos, "'~' here (wcsc takes it only after a class or tag, as the first combinator)")
			}
			combined, need = true, tagOrClass
			p.pos++
			p.emitByte(c)
		case c == ',':
			if inNot {
				p.fail(p.pos, "unexpected ',' in :not()")
			}
			combined, need, afterComma = false, compound, true
			p.pos++
			p.emitByte(c)
		case isDigit(c):
			// keyframe selectors: 50%, 12.5%
			s := p.pos
			for !p.eof() && isDigit(p.src[p.pos]) {
				p.pos++
			}
			if p.peek(0) == '.' && isDigit(p.peek(1)) {
				p.pos++
				for !p.eof() && isDigit(p.src[p.pos]) {
					p.pos++
				}
			}
			if p.peek(0) == '%' {
				p.pos++
			}
			p.emitBytes(p.src[s:p.pos])
		case c == '@':
			p.pos++
			p.emitByte('@')
			p.emitBytes(p.ident())
		case isLetter(c) && c != '_':
			p.tag(p.ident())
			tildeOK = true
		case c == '_' || (c == '-' && (isLetter(p.peek(1)) || p.peek(1) == '-')):
			// wcsc keeps names that do not start with a letter as written
			p.emitBytes(p.ident())
			tildeOK = true
		default:
			p.fail(p.pos, "unexpected %s in selector", describe(c))
		}
	}
}

// tag writes a type selector: every tag becomes wx-<tag>, keyframe selectors
// from and to stay (unless a class follows them, where wcsc prefixes them
// too). page becomes wx-page (the contract; wcsc writes "body").
func (p *parser) tag(name []byte) {
	if (string(name) == "from" || string(name) == "to") && p.peek(0) != '.' {
		p.emitBytes(name)
		return
	}
	p.emit("wx-")
	p.emitBytes(name)
}

// pseudo reads :x, ::x, :x(…). Only :not takes a selector (where tags are
// rewritten, as wcsc does); other arguments are kept as written.
func (p *parser) pseudo() {
	colons := 1
	p.pos++
	if p.peek(0) == ':' {
		colons = 2
		p.pos++
	}
	name := p.ident()
	if len(name) == 0 {
		p.fail(p.pos, "':' without a pseudo-class name")
	}
	if colons == 1 && string(name) == "host" && p.b.opts.Scope != "" {
		p.emit(`[wx-host="`)
		p.emit(p.b.opts.Scope)
		p.emit(`"]`)
		if p.peek(0) == '(' {
			// :host(.a): the host's own classes come from its owner's
			// template, unscoped here.
			open := p.pos
			p.pos++
			saved := p.b.classPrefix
			p.b.classPrefix = ""
			p.selector(true)
			p.b.classPrefix = saved
			if p.eof() {
				p.fail(open, "unterminated :host(")
			}
			p.pos++
		}
		return
	}
	p.emitByte(':')
	if colons == 2 {
		p.emitByte(':')
	}
	p.emitBytes(name)
	if p.peek(0) != '(' {
		return
	}
	open := p.pos
	p.pos++
	p.emitByte('(')
	if string(name) == "not" && colons == 1 {
		p.selector(true)
	} else {
		depth := 1
		s := p.pos
		for depth > 0 {
			if p.eof() {
				p.fail(open, "unterminated '('")
			}
			switch p.src[p.pos] {
			case '(':
				depth++
			case ')':
				depth--
			case '"', '\'':
				p.pos = p.stringEnd(p.pos)
				continue
			case '{', '}', ';':
				p.fail(p.pos, "unexpected %s in :%s()", describe(p.src[p.pos]), string(name))
			}
			p.pos++
		}
		p.emitBytes(p.src[s : p.pos-1])
		p.pos--
	}
	p.pos++
	p.emitByte(')')
}

// attribute copies [name op value] as written.
func (p *parser) attribute() {
	open := p.pos
	for p.pos++; ; {
		if p.eof() {
			p.fail(open, "unterminated '['")
		}
		c := p.src[p.pos]
		if c == ']' {
			p.pos++
			break
		}
		if c == '"' || c == '\'' {
			p.pos = p.stringEnd(p.pos)
			continue
		}
		if c == '{' || c == '}' || c == ';' {
			p.fail(p.pos, "unexpected %s in attribute selector", describe(c))
		}
		p.pos++
	}
	p.emitBytes(p.src[open:p.pos])
}

// declarations reads the body of a rule after its '{' (at open), through
// the closing '}'.
func (p *parser) declarations(open int) {
	pendingSpace := false
	for {
		if p.skipSpace() {
			pendingSpace = true
			continue
		}
		if p.eof() {
			p.fail(open, "unterminated block: no '}' for this '{'")
		}
		c := p.src[p.pos]
		if pendingSpace {
			p.emitByte(' ')
			pendingSpace = false
		}
		if c == '}' {
			p.pos++
			p.emitByte('}')
			return
		}
		if !(isLetter(c) || c == '-') {
			if c == ';' {
				p.fail(p.pos, "empty declaration (unexpected ';')")
			}
			p.fail(p.pos, "unexpected %s where a property name should be", describe(c))
		}
		p.emitBytes(p.ident())
		// A comment may follow the name only after whitespace (wcsc).
		if !p.eof() && isSpace(p.src[p.pos]) {
			p.skipSpace()
			p.emitByte(' ')
		}
		if p.eof() {
			p.fail(open, "unterminated block: no '}' for this '{'")
		}
		switch p.src[p.pos] {
		case ':':
			p.pos++
			p.emitByte(':')
			p.value(open)
		case ';':
			// a bare name is let through by wcsc
			p.pos++
			p.emitByte(';')
		case '}':
		default:
			p.fail(p.pos, "unexpected %s after a property name (want ':')", describe(p.src[p.pos]))
		}
	}
}

// value reads a declaration's value up to ';' (consumed) or '}' (left)
// outside strings and parentheses — a comment does not hide them from wcsc,
// keeping it as written except that the whitespace at both ends becomes one
// space, and rpx lengths become segments.
func (p *parser) value(open int) {
	start := p.pos
	for !p.eof() && isValueBlank(p.src[p.pos]) {
		p.pos++
	}
	lead := p.pos > start
	vs := p.pos
	// wcsc does not count parentheses: inside any '(' up to the next ')',
	// neither ';' nor '}' ends the value.
	inParens := false
scan:
	for {
		if p.eof() {
			p.fail(open, "unterminated block: no '}' for this '{'")
		}
		c := p.src[p.pos]
		switch {
		case c == '"' || c == '\'':
			p.pos = p.stringEnd(p.pos)
			continue
		case c == '(':
			inParens = true
		case c == ')':
			inParens = false
		case (c == ';' || c == '}') && !inParens:
			break scan
		}
		p.pos++
	}
	raw := p.src[vs:p.pos]
	trimmed := bytes.TrimRight(raw, " \n\r")
	if len(trimmed) == 0 {
		// wcsc keeps a blank value as written, and wants one before '}'.
		if !lead && p.src[p.pos] == '}' {
			p.fail(p.pos, "missing value before '}'")
		}
		p.emitBytes(p.src[start:p.pos])
		if p.src[p.pos] == ';' {
			p.pos++
			p.emitByte(';')
		}
		return
	}
	if lead {
		p.emitByte(' ')
	}
	p.rpxText(trimmed)
	if len(trimmed) > 0 && len(trimmed) < len(raw) {
		p.emitByte(' ')
	}
	if p.src[p.pos] == ';' {
		p.pos++
		p.emitByte(';')
	}
}

// rpxText writes a value, turning each <number>rpx into an rpx segment. It
// reads the value as wcsc's tokenizer does: strings and url(…) are copied
// whole (but not comments: wcsc converts rpx in them too); a number starts after a non-word character, may be
// signed and may lack digits on one side of its point; "rpx" must end the
// unit (10rpx_ and 1e2rpx are not lengths for wcsc).
func (p *parser) rpxText(v []byte) {
	i, copied := 0, 0
	for i < len(v) {
		c := v[i]
		switch {
		case c == '"' || c == '\'':
			end := bytes.IndexByte(v[i+1:], c)
			i += 1 + end + 1 // the scan in value saw it terminated
		case isLetter(c):
			s := i
			for i < len(v) && isWordChar(v[i]) {
				i++
			}
			if string(v[s:i]) == "url" && i < len(v) && v[i] == '(' {
				i = urlEnd(v, i+1)
			}
		case isDigit(c) || numberAfterSign(v, i):
			s := i
			if c == '+' || c == '-' {
				i++
			}
			ds := i
			for i < len(v) && isDigit(v[i]) {
				i++
			}
			intEnd := i
			if i < len(v) && v[i] == '.' && (i > ds || (i+1 < len(v) && isDigit(v[i+1]))) {
				i++
				for i < len(v) && isDigit(v[i]) {
					i++
				}
			}
			if i+3 <= len(v) && string(v[i:i+3]) == "rpx" && (i+3 == len(v) || !isWordChar(v[i+3])) {
				p.emitBytes(v[copied:s])
				p.emitRPX(jsNumber(v[s:i], v[ds:intEnd], i == intEnd))
				i += 3
				copied = i
				continue
			}
			for i < len(v) && isWordChar(v[i]) {
				i++
			}
		default:
			i++
		}
	}
	p.emitBytes(v[copied:])
}

// numberAfterSign: at i, '.', '+' or '-' begins a number.
func numberAfterSign(v []byte, i int) bool {
	c := v[i]
	digitAt := func(j int) bool { return j < len(v) && isDigit(v[j]) }
	switch c {
	case '.':
		return digitAt(i + 1)
	case '+', '-':
		return digitAt(i+1) || (i+1 < len(v) && v[i+1] == '.' && digitAt(i+2))
	}
	return false
}

// urlEnd returns the offset past the ')' closing a url( opened before i.
func urlEnd(v []byte, i int) int {
	for i < len(v) {
		switch v[i] {
		case '"', '\'':
			end := bytes.IndexByte(v[i+1:], v[i])
			i += 1 + end + 1
			continue
		case ')':
			return i + 1
		}
		i++
	}
	return i
}

// jsNumber reads the literal as the JS runtime does when it evaluates wcsc's
// output: sloppy-mode JS reads 0-led integers of octal digits (010) as octal.
func jsNumber(lit, intDigits []byte, integer bool) float64 {
	if integer && len(intDigits) > 1 && intDigits[0] == '0' && bytes.IndexFunc(intDigits, func(r rune) bool { return r > '7' }) < 0 {
		n, _ := strconv.ParseUint(string(intDigits), 8, 64)
		if lit[0] == '-' {
			return -float64(n)
		}
		return float64(n)
	}
	s := string(lit)
	if strings.HasSuffix(s, ".") {
		s = s[:len(s)-1]
	}
	f, _ := strconv.ParseFloat(s, 64)
	return f
}
