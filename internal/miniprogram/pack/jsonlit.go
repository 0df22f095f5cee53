package pack

import (
	"bytes"
	"regexp"
	"strconv"
	"unicode/utf8"
)

// Large data literals become JSON.parse calls.
//
// Mini programs ship data in code: catalogues, region tables, dictionaries,
// often a megabyte or more of `const data = [{…}, …]`. V8 parses such a
// literal twice — pre-parsing the module function when the script compiles,
// then again when the module first runs — and builds it through the full
// JavaScript grammar. The same value as JSON.parse('…') costs one scan of a
// string token at compile time and JSON.parse's much faster parser at run
// time (V8's own advice for literals of 10 kB and up; webpack does the same
// for JSON modules). On the 2 MB benchmark package this is the largest
// single cost of a cold start (docs/benchmarks.md).
//
// Only a literal that JSON can express exactly is rewritten: strings,
// finite decimal numbers, true/false/null, arrays without holes, objects
// with plain keys (no __proto__, whose meaning differs between the two),
// and only in a declaration at the top level of the module
// (`const|let|var NAME = [` or `{`). The scanner below tracks strings,
// template literals, comments, regular expressions and bracket depth of
// esbuild's output; if it ends anywhere but at depth 0 outside a string,
// the module is left as it was.

// minJSONLiteral is the size from which a literal is rewritten; smaller ones
// gain nothing measurable.
const minJSONLiteral = 8 << 10

// shadowsJSON finds a module binding called JSON, under which JSON.parse
// would not be the built-in.
var shadowsJSON = regexp.MustCompile(`\b(?:var|let|const|function|class)\s+JSON\b|[,{(]\s*JSON\s*[,})=]`)

// literalsToJSON returns code with every large JSON-expressible top-level
// declaration literal replaced by JSON.parse(…) and true, or code itself
// and false when there is none (or the scan is unsure). external decides
// where each literal's JSON text goes: the expression it returns stands for
// the text (a data file, see pack.go), or, when it returns "", the text is
// inlined as a '…' string.
func literalsToJSON(code []byte, external func(json []byte) string) ([]byte, bool) {
	if len(code) < minJSONLiteral || shadowsJSON.Match(code) {
		return code, false
	}
	type edit struct {
		start, end int
		json       []byte
	}
	var edits []edit
	s := scanner{src: code, regexOK: true}
	for s.i < len(code) {
		start, end, ok := s.next()
		if !ok {
			return code, false
		}
		if start < 0 {
			continue
		}
		if end-start < minJSONLiteral {
			continue
		}
		p := literalParser{src: code[start:end]}
		if js, ok := p.convert(); ok {
			edits = append(edits, edit{start, end, js})
		}
	}
	if !s.clean() || len(edits) == 0 {
		return code, false
	}
	var out bytes.Buffer
	out.Grow(len(code))
	last := 0
	for _, e := range edits {
		out.Write(code[last:e.start])
		if expr := external(e.json); expr != "" {
			out.WriteString("JSON.parse(" + expr + ")")
		} else {
			out.WriteString("JSON.parse('")
			writeSingleQuoted(&out, e.json)
			out.WriteString("')")
		}
		last = e.end
	}
	out.Write(code[last:])
	return out.Bytes(), true
}

// writeSingleQuoted writes JSON text as the body of a '…' JavaScript string.
// JSON has no raw line terminators (U+2028/2029 are escaped by the
// converter), so only the backslash and the quote need escaping.
func writeSingleQuoted(out *bytes.Buffer, text []byte) {
	for _, c := range text {
		switch c {
		case '\\':
			out.WriteString(`\\`)
		case '\'':
			out.WriteString(`\'`)
		default:
			out.WriteByte(c)
		}
	}
}

// scanner walks JavaScript source token by token, enough to know where
// strings, templates, comments and regular expressions are and how deep
// in brackets it is.
type scanner struct {
	src []byte
	i   int
	// stack holds, for each open bracket, whether it is a template
	// substitution `${`, whose `}` returns into the template.
	stack []bool
	// regexOK says a `/` here starts a regular expression (the previous
	// token cannot end an expression).
	regexOK bool
	// decl counts the tokens of `const NAME =` seen at depth 0.
	decl int
}

func (s *scanner) clean() bool { return len(s.stack) == 0 }

// next advances over one token. It returns the span of a top-level
// declaration's array or object literal when it has just seen
// `const|let|var NAME = ` followed by `[` or `{` and the literal parses;
// (-1, -1, true) otherwise; ok is false when the source cannot be scanned.
func (s *scanner) next() (start, end int, ok bool) {
	src := s.src
	c := src[s.i]
	switch {
	case c == ' ' || c == '\t' || c == '\r' || c == '\n':
		s.i++
		return -1, -1, true
	case c == '/' && s.i+1 < len(src) && src[s.i+1] == '/':
		for s.i < len(src) && src[s.i] != '\n' {
			s.i++
		}
		return -1, -1, true
	case c == '/' && s.i+1 < len(src) && src[s.i+1] == '*':
		j := bytes.Index(src[s.i+2:], []byte("*/"))
		if j < 0 {
			return -1, -1, false
		}
		s.i += j + 4
		return -1, -1, true
	case c == '"' || c == '\'':
		if !s.skipString(c) {
			return -1, -1, false
		}
		s.after()
		return -1, -1, true
	case c == '`':
		s.i++
		if !s.skipTemplate() {
			return -1, -1, false
		}
		s.after()
		return -1, -1, true
	case c == '/' && s.regexOK:
		if !s.skipRegex() {
			return -1, -1, false
		}
		s.after()
		return -1, -1, true
	case isIdentStart(c):
		j := s.i
		for j < len(src) && isIdentPart(src[j]) {
			j++
		}
		word := string(src[s.i:j])
		s.i = j
		if len(s.stack) == 0 && (word == "const" || word == "let" || word == "var") {
			s.decl = 1
			s.regexOK = true
			return -1, -1, true
		}
		if s.decl == 1 {
			s.decl = 2
		} else {
			s.decl = 0
		}
		s.regexOK = regexAfterWord[word]
		return -1, -1, true
	case c >= '0' && c <= '9' || c == '.' && s.i+1 < len(src) && src[s.i+1] >= '0' && src[s.i+1] <= '9':
		for s.i < len(src) && (isIdentPart(src[s.i]) || src[s.i] == '.' ||
			(src[s.i] == '+' || src[s.i] == '-') && (src[s.i-1] == 'e' || src[s.i-1] == 'E')) {
			s.i++
		}
		s.after()
		return -1, -1, true
	case c == '=' && s.decl == 2 && (s.i+1 >= len(src) || src[s.i+1] != '=' && src[s.i+1] != '>'):
		s.i++
		s.decl = 3
		s.regexOK = true
		return -1, -1, true
	case (c == '[' || c == '{') && s.decl == 3:
		s.decl = 0
		p := literalParser{src: src[s.i:]}
		if n, ok := p.skipValue(); ok {
			start, end = s.i, s.i+n
			s.i = end
			s.after()
			return start, end, true
		}
		fallthrough
	case c == '(' || c == '[' || c == '{':
		s.decl = 0
		s.stack = append(s.stack, false)
		s.i++
		s.regexOK = true
		return -1, -1, true
	case c == ')' || c == ']' || c == '}':
		s.decl = 0
		if len(s.stack) == 0 {
			return -1, -1, false
		}
		template := s.stack[len(s.stack)-1]
		s.stack = s.stack[:len(s.stack)-1]
		s.i++
		if template {
			if !s.skipTemplate() {
				return -1, -1, false
			}
		}
		// After `}` a block may have ended and a `/` start a regex; esbuild
		// ends such statements with a newline and starts the next with a
		// keyword, so division is the safe guess.
		s.after()
		return -1, -1, true
	default:
		// Punctuators.
		s.decl = 0
		s.i++
		s.regexOK = true
		if c == '+' || c == '-' {
			// ++/-- after an operand end an expression.
			if s.i < len(src) && src[s.i] == c {
				s.i++
				s.regexOK = false
			}
		}
		return -1, -1, true
	}
}

// after records that an expression-ending token was read.
func (s *scanner) after() {
	s.decl = 0
	s.regexOK = false
}

// regexAfterWord lists the keywords after which a `/` starts a regex.
var regexAfterWord = map[string]bool{
	"return": true, "typeof": true, "instanceof": true, "in": true, "of": true, "new": true,
	"delete": true, "void": true, "throw": true, "case": true, "do": true, "else": true,
	"yield": true, "await": true,
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdentPart(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

func (s *scanner) skipString(q byte) bool {
	for s.i++; s.i < len(s.src); s.i++ {
		switch s.src[s.i] {
		case '\\':
			s.i++
		case q:
			s.i++
			return true
		case '\n':
			return false
		}
	}
	return false
}

// skipTemplate reads template text up to the closing backtick, or up to
// `${`, where it pushes a substitution bracket.
func (s *scanner) skipTemplate() bool {
	for ; s.i < len(s.src); s.i++ {
		switch s.src[s.i] {
		case '\\':
			s.i++
		case '`':
			s.i++
			return true
		case '$':
			if s.i+1 < len(s.src) && s.src[s.i+1] == '{' {
				s.i += 2
				s.stack = append(s.stack, true)
				s.regexOK = true
				return true
			}
		}
	}
	return false
}

func (s *scanner) skipRegex() bool {
	inClass := false
	for s.i++; s.i < len(s.src); s.i++ {
		switch s.src[s.i] {
		case '\\':
			s.i++
		case '[':
			inClass = true
		case ']':
			inClass = false
		case '\n':
			return false
		case '/':
			if !inClass {
				s.i++
				for s.i < len(s.src) && isIdentPart(s.src[s.i]) {
					s.i++
				}
				return true
			}
		}
	}
	return false
}

// literalParser reads the JSON-expressible subset of JavaScript literals.
type literalParser struct {
	src []byte
	i   int
	out bytes.Buffer
	// emit is false while only measuring (skipValue).
	emit bool
}

// skipValue reports the length of the literal at the start of src if it is
// JSON-expressible.
func (p *literalParser) skipValue() (int, bool) {
	p.emit = false
	if !p.value(0) {
		return 0, false
	}
	return p.i, true
}

// convert returns the whole of src as JSON text.
func (p *literalParser) convert() ([]byte, bool) {
	p.emit = true
	p.out.Grow(len(p.src))
	if !p.value(0) || p.i != len(p.src) {
		return nil, false
	}
	return p.out.Bytes(), true
}

func (p *literalParser) write(b ...byte) {
	if p.emit {
		p.out.Write(b)
	}
}

func (p *literalParser) ws() {
	for p.i < len(p.src) {
		switch p.src[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// maxLiteralDepth bounds nesting, so hostile input cannot exhaust the stack.
const maxLiteralDepth = 200

func (p *literalParser) value(depth int) bool {
	if depth > maxLiteralDepth || p.i >= len(p.src) {
		return false
	}
	switch c := p.src[p.i]; {
	case c == '[':
		return p.array(depth)
	case c == '{':
		return p.object(depth)
	case c == '"' || c == '\'':
		return p.str()
	case c == '-' || c == '.' || c >= '0' && c <= '9':
		return p.number()
	default:
		for _, w := range []string{"true", "false", "null"} {
			if bytes.HasPrefix(p.src[p.i:], []byte(w)) && (p.i+len(w) == len(p.src) || !isIdentPart(p.src[p.i+len(w)])) {
				p.write([]byte(w)...)
				p.i += len(w)
				return true
			}
		}
		return false
	}
}

func (p *literalParser) array(depth int) bool {
	return p.sequence('[', ']', func() bool { return p.value(depth + 1) })
}

func (p *literalParser) object(depth int) bool {
	return p.sequence('{', '}', func() bool {
		if !p.key() {
			return false
		}
		p.ws()
		if p.i >= len(p.src) || p.src[p.i] != ':' {
			return false // shorthand, method, getter, computed key…
		}
		p.i++
		p.write(':')
		p.ws()
		return p.value(depth + 1)
	})
}

// sequence copies an array or object literal from its open to its close
// bracket: items separated by commas, a trailing comma allowed (dropped:
// JSON has none); item copies one. A hole ([1,,2]) fails in item.
func (p *literalParser) sequence(open, close byte, item func() bool) bool {
	p.i++
	p.write(open)
	p.ws()
	for first := true; ; first = false {
		if p.i >= len(p.src) {
			return false
		}
		if p.src[p.i] == close {
			p.i++
			p.write(close)
			return true
		}
		if !first {
			p.write(',')
		}
		if !item() {
			return false
		}
		p.ws()
		if p.i < len(p.src) && p.src[p.i] == ',' {
			p.i++
			p.ws()
		} else if p.i >= len(p.src) || p.src[p.i] != close {
			return false
		}
	}
}

func (p *literalParser) key() bool {
	c := p.src[p.i]
	if c == '"' || c == '\'' {
		start, outStart := p.i, p.out.Len()
		if !p.str() {
			return false
		}
		raw := string(p.src[start+1 : p.i-1])
		return raw != "__proto__" && !(p.emit && p.out.String()[outStart:] == `"__proto__"`)
	}
	if c >= '0' && c <= '9' {
		// A canonical integer key names the same property as its string.
		j := p.i
		for j < len(p.src) && p.src[j] >= '0' && p.src[j] <= '9' {
			j++
		}
		if j-p.i > 15 || c == '0' && j-p.i > 1 || j < len(p.src) && (isIdentPart(p.src[j]) || p.src[j] == '.') {
			return false
		}
		p.write('"')
		p.write(p.src[p.i:j]...)
		p.write('"')
		p.i = j
		return true
	}
	if !isIdentStart(c) || c >= 0x80 {
		return false
	}
	j := p.i
	for j < len(p.src) && isIdentPart(p.src[j]) && p.src[j] < 0x80 {
		j++
	}
	if j < len(p.src) && p.src[j] >= 0x80 {
		return false
	}
	name := p.src[p.i:j]
	if string(name) == "__proto__" {
		return false
	}
	p.write('"')
	p.write(name...)
	p.write('"')
	p.i = j
	return true
}

// number accepts a finite decimal literal (with an optional minus) and
// writes it in JSON's grammar; hex, octal, binary, BigInt and separators
// are refused.
func (p *literalParser) number() bool {
	neg := false
	if p.src[p.i] == '-' {
		neg = true
		p.i++
		for p.i < len(p.src) && (p.src[p.i] == ' ') {
			p.i++
		}
	}
	j := p.i
	for j < len(p.src) && (p.src[j] >= '0' && p.src[j] <= '9' || p.src[j] == '.' || p.src[j] == 'e' || p.src[j] == 'E' ||
		(p.src[j] == '+' || p.src[j] == '-') && j > p.i && (p.src[j-1] == 'e' || p.src[j-1] == 'E')) {
		j++
	}
	if j < len(p.src) && isIdentPart(p.src[j]) { // 0x…, 1n, 1_000
		return false
	}
	lit := string(p.src[p.i:j])
	if lit == "" || len(lit) > 1 && lit[0] == '0' && lit[1] >= '0' && lit[1] <= '9' { // legacy octal
		return false
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil || f != f {
		return false
	}
	p.i = j
	if neg {
		p.write('-')
	}
	// JSON wants a digit on both sides of the point: ".5" and "5." are
	// JavaScript only.
	if lit[0] == '.' {
		p.write('0')
	}
	if e := bytes.IndexAny([]byte(lit), "eE"); e > 0 && lit[e-1] == '.' {
		p.write([]byte(lit[:e])...)
		p.write('0')
		p.write([]byte(lit[e:])...)
	} else {
		p.write([]byte(lit)...)
		if lit[len(lit)-1] == '.' {
			p.write('0')
		}
	}
	return true
}

// str reads a '…' or "…" string and writes it as a JSON string.
func (p *literalParser) str() bool {
	q := p.src[p.i]
	p.i++
	p.write('"')
	var pendingHigh rune = -1
	flushLone := func() bool { return pendingHigh < 0 }
	for p.i < len(p.src) {
		c := p.src[p.i]
		switch {
		case c == q:
			p.i++
			if !flushLone() {
				return false
			}
			p.write('"')
			return true
		case c == '\n' || c == '\r':
			return false
		case c == '\\':
			r, ok := p.escape()
			if !ok {
				return false
			}
			if r == -2 { // line continuation: nothing
				continue
			}
			if r >= 0xD800 && r <= 0xDBFF {
				if pendingHigh >= 0 {
					return false
				}
				pendingHigh = r
				continue
			}
			if r >= 0xDC00 && r <= 0xDFFF {
				if pendingHigh < 0 {
					return false
				}
				r = 0x10000 + (pendingHigh-0xD800)<<10 + (r - 0xDC00)
				pendingHigh = -1
			}
			if pendingHigh >= 0 {
				return false
			}
			p.writeRune(r)
		default:
			if pendingHigh >= 0 {
				return false
			}
			r, size := utf8.DecodeRune(p.src[p.i:])
			if r == utf8.RuneError && size == 1 {
				return false
			}
			p.i += size
			p.writeRune(r)
		}
	}
	return false
}

// escape reads one escape sequence at p.i (the backslash) and returns the
// code point it stands for, -2 for a line continuation.
func (p *literalParser) escape() (rune, bool) {
	p.i++
	if p.i >= len(p.src) {
		return 0, false
	}
	c := p.src[p.i]
	p.i++
	switch c {
	case 'n':
		return '\n', true
	case 't':
		return '\t', true
	case 'r':
		return '\r', true
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case 'v':
		return '\v', true
	case '0':
		if p.i < len(p.src) && p.src[p.i] >= '0' && p.src[p.i] <= '9' {
			return 0, false // legacy octal
		}
		return 0, true
	case 'x':
		return p.hex(2)
	case 'u':
		if p.i < len(p.src) && p.src[p.i] == '{' {
			end := bytes.IndexByte(p.src[p.i:], '}')
			if end < 2 || end > 7 {
				return 0, false
			}
			v, err := strconv.ParseUint(string(p.src[p.i+1:p.i+end]), 16, 32)
			if err != nil || v > utf8.MaxRune {
				return 0, false
			}
			p.i += end + 1
			return rune(v), true
		}
		return p.hex(4)
	case '\n':
		return -2, true
	case '\r':
		if p.i < len(p.src) && p.src[p.i] == '\n' {
			p.i++
		}
		return -2, true
	default:
		if c >= '1' && c <= '9' {
			return 0, false
		}
		if c >= 0x80 {
			p.i--
			r, size := utf8.DecodeRune(p.src[p.i:])
			p.i += size
			if r == 0x2028 || r == 0x2029 {
				return -2, true
			}
			return r, r != utf8.RuneError
		}
		return rune(c), true
	}
}

func (p *literalParser) hex(n int) (rune, bool) {
	if p.i+n > len(p.src) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(p.src[p.i:p.i+n]), 16, 32)
	if err != nil {
		return 0, false
	}
	p.i += n
	return rune(v), true
}

func (p *literalParser) writeRune(r rune) {
	if !p.emit {
		return
	}
	switch {
	case r == '"':
		p.out.WriteString(`\"`)
	case r == '\\':
		p.out.WriteString(`\\`)
	case r == '\n':
		p.out.WriteString(`\n`)
	case r == '\r':
		p.out.WriteString(`\r`)
	case r == '\t':
		p.out.WriteString(`\t`)
	case r < 0x20 || r == 0x2028 || r == 0x2029:
		p.out.WriteString(`\u`)
		h := strconv.FormatInt(int64(r), 16)
		for i := len(h); i < 4; i++ {
			p.out.WriteByte('0')
		}
		p.out.WriteString(h)
	default:
		p.out.WriteRune(r)
	}
}
