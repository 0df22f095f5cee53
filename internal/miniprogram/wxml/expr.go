package wxml

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Expr is a parsed {{ }} expression.
type Expr interface{ exprNode() }

type (
	// Lit is a literal; Val is nil (null), bool, float64, string or
	// undefinedVal.
	Lit    struct{ Val any }
	Name   struct{ Name string }
	Member struct{ Obj, Key Expr }
	Call   struct {
		Fn   Expr
		Args []Expr
	}
	Unary struct {
		Op string
		X  Expr
	}
	Binary struct {
		Op   string
		L, R Expr
	}
	Cond   struct{ C, T, F Expr }
	Paren  struct{ X Expr }
	ArrLit struct{ Elems []ArrElem }
	ObjLit struct{ Props []ObjProp }
)

type ArrElem struct {
	Spread bool
	X      Expr
}

// ObjProp is `key: value`, shorthand `key` (Value is a Name) or `...value`.
type ObjProp struct {
	Spread bool
	Key    string
	Value  Expr
}

type undefinedType struct{}

var undefinedVal = undefinedType{}

func (Lit) exprNode()    {}
func (Name) exprNode()   {}
func (Member) exprNode() {}
func (Call) exprNode()   {}
func (Unary) exprNode()  {}
func (Binary) exprNode() {}
func (Cond) exprNode()   {}
func (Paren) exprNode()  {}
func (ArrLit) exprNode() {}
func (ObjLit) exprNode() {}

// exprError is a problem at a byte offset inside the expression text.
type exprError struct {
	Off int
	Msg string
}

func (e *exprError) Error() string { return e.Msg }

type tokKind int

const (
	tEOF tokKind = iota
	tNum
	tStr
	tIdent
	tPunct
)

type token struct {
	kind tokKind
	text string // punct or identifier text; raw text for numbers
	str  string // decoded string value
	num  float64
	off  int
}

type exprParser struct {
	src string
	i   int
	tok token
}

// ParseExpr parses the text between {{ and }}. An empty (or blank)
// expression yields nil: wcc renders it as nothing.
func ParseExpr(src string) (Expr, error) {
	p := &exprParser{src: src}
	if err := p.next(); err != nil {
		return nil, err
	}
	if p.tok.kind == tEOF {
		return nil, nil
	}
	x, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tEOF {
		return nil, p.unexpected()
	}
	return x, nil
}

// ParseObjectBody parses the content of a <template data="{{…}}">: an object
// literal without its braces (`...item, idx: i`).
func ParseObjectBody(src string) (Expr, error) {
	p := &exprParser{src: src}
	if err := p.next(); err != nil {
		return nil, err
	}
	if p.tok.kind == tEOF {
		return nil, nil
	}
	obj, err := p.parseObjProps(tEOF, "")
	if err != nil {
		return nil, err
	}
	return obj, nil
}

func (p *exprParser) unexpected() error {
	if p.tok.kind == tEOF {
		return &exprError{p.tok.off, "unexpected end of expression"}
	}
	t := p.tok.text
	if p.tok.kind == tStr {
		t = strconv.Quote(p.tok.str)
	}
	return &exprError{p.tok.off, fmt.Sprintf("unexpected token %s", t)}
}

// punctLen is the length of the punctuator s starts with (longest match),
// or 0.
func punctLen(s string) int {
	two := func(c byte) bool { return len(s) > 1 && s[1] == c }
	switch s[0] {
	case '=', '!':
		if two('=') {
			if len(s) > 2 && s[2] == '=' {
				return 3
			}
			return 2
		}
		if s[0] == '=' {
			return 0
		}
		return 1
	case '.':
		if strings.HasPrefix(s, "...") {
			return 3
		}
		return 1
	case '<', '>':
		if two('=') || two(s[0]) {
			return 2
		}
		return 1
	case '&', '|', '?':
		if two(s[0]) {
			return 2
		}
		return 1
	case '+', '-', '*', '/', '%', '~', '^', ':', ',', '(', ')', '[', ']', '{', '}':
		return 1
	}
	return 0
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '$' || c >= 0x80
}
func isIdentPart(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }
func isDigit(c byte) bool     { return c >= '0' && c <= '9' }

func (p *exprParser) next() error {
	s := p.src
	for p.i < len(s) && isSpace(s[p.i]) {
		p.i++
	}
	start := p.i
	if p.i >= len(s) {
		p.tok = token{kind: tEOF, off: start}
		return nil
	}
	c := s[p.i]
	switch {
	case isDigit(c) || c == '.' && p.i+1 < len(s) && isDigit(s[p.i+1]):
		return p.lexNumber()
	case c == '"' || c == '\'':
		v, end, err := decodeJSString(s, p.i)
		if err != nil {
			return err
		}
		p.i = end
		p.tok = token{kind: tStr, str: v, text: s[start:end], off: start}
		return nil
	case isIdentStart(c):
		for p.i < len(s) && isIdentPart(s[p.i]) {
			p.i++
		}
		p.tok = token{kind: tIdent, text: s[start:p.i], off: start}
		return nil
	}
	if n := punctLen(s[p.i:]); n > 0 {
		p.i += n
		p.tok = token{kind: tPunct, text: s[start:p.i], off: start}
		return nil
	}
	r, _ := utf8.DecodeRuneInString(s[p.i:])
	return &exprError{start, fmt.Sprintf("unexpected character %q", r)}
}

func (p *exprParser) lexNumber() error {
	s := p.src
	start := p.i
	if s[p.i] == '0' && p.i+1 < len(s) && (s[p.i+1] == 'x' || s[p.i+1] == 'X') {
		p.i += 2
		for p.i < len(s) && (isDigit(s[p.i]) || s[p.i]|0x20 >= 'a' && s[p.i]|0x20 <= 'f') {
			p.i++
		}
		v, err := strconv.ParseUint(s[start+2:p.i], 16, 64)
		if err != nil {
			return &exprError{start, "bad number " + s[start:p.i]}
		}
		p.tok = token{kind: tNum, num: float64(v), text: s[start:p.i], off: start}
		return nil
	}
	for p.i < len(s) && isDigit(s[p.i]) {
		p.i++
	}
	if p.i < len(s) && s[p.i] == '.' {
		p.i++
		for p.i < len(s) && isDigit(s[p.i]) {
			p.i++
		}
	}
	if intEnd := p.i; intEnd-start > 1 && s[start] == '0' && (intEnd == len(s) || s[intEnd] != '.') {
		// wcc reads a leading 0 as octal (010 is 8), like sloppy JavaScript.
		if v, err := strconv.ParseUint(s[start+1:intEnd], 8, 64); err == nil {
			if intEnd < len(s) && isIdentStart(s[intEnd]) {
				return &exprError{intEnd, "identifier directly after number " + s[start:intEnd]}
			}
			p.tok = token{kind: tNum, num: float64(v), text: s[start:intEnd], off: start}
			return nil
		}
	}
	// Only a lower-case exponent: WeChat's current compiler rejects 1E3 (and
	// wcc rejects every exponent).
	if p.i < len(s) && s[p.i] == 'e' {
		j := p.i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			p.i = j
		}
	}
	if p.i < len(s) && isIdentStart(s[p.i]) {
		return &exprError{p.i, "identifier directly after number " + s[start:p.i]}
	}
	v, err := strconv.ParseFloat(s[start:p.i], 64)
	if err != nil {
		return &exprError{start, "bad number " + s[start:p.i]}
	}
	p.tok = token{kind: tNum, num: v, text: s[start:p.i], off: start}
	return nil
}

// decodeJSString decodes the JS string literal starting at s[i] (a quote)
// and returns its value and the offset after the closing quote.
func decodeJSString(s string, i int) (string, int, error) {
	q := s[i]
	var b strings.Builder
	start := i
	for i++; i < len(s); i++ {
		c := s[i]
		if c == q {
			return b.String(), i + 1, nil
		}
		if c == '\n' {
			break
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(s) {
			break
		}
		switch e := s[i]; e {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case '0':
			b.WriteByte(0)
		case 'x', 'u':
			n := 2
			if e == 'u' {
				n = 4
			}
			if i+n < len(s) {
				if v, err := strconv.ParseUint(s[i+1:i+1+n], 16, 32); err == nil {
					b.WriteRune(rune(v))
					i += n
					continue
				}
			}
			b.WriteByte(e)
		case '\n':
			// line continuation
		default:
			b.WriteByte(e)
		}
	}
	return "", 0, &exprError{start, "string literal is not closed"}
}

func (p *exprParser) isPunct(s string) bool { return p.tok.kind == tPunct && p.tok.text == s }

func (p *exprParser) expect(s string) error {
	if !p.isPunct(s) {
		if p.tok.kind == tEOF {
			return &exprError{p.tok.off, fmt.Sprintf("expected %q, found the end of the expression", s)}
		}
		return &exprError{p.tok.off, fmt.Sprintf("expected %q, found %s", s, p.tok.text)}
	}
	return p.next()
}

func (p *exprParser) parseExpr() (Expr, error) {
	c, err := p.parseBinary(0)
	if err != nil {
		return nil, err
	}
	if !p.isPunct("?") {
		return c, nil
	}
	if err := p.next(); err != nil {
		return nil, err
	}
	t, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if err := p.expect(":"); err != nil {
		return nil, err
	}
	f, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	return Cond{c, t, f}, nil
}

// binaryPrec is JavaScript's precedence (higher binds tighter), 0 for a
// token that is not a binary operator.
func binaryPrec(op string) int {
	switch op {
	case "??", "||":
		return 1
	case "&&":
		return 2
	case "|":
		return 3
	case "^":
		return 4
	case "&":
		return 5
	case "==", "!=", "===", "!==":
		return 6
	case "<", ">", "<=", ">=":
		return 7
	case "<<", ">>":
		return 8
	case "+", "-":
		return 9
	case "*", "/", "%":
		return 10
	}
	return 0
}

func (p *exprParser) parseBinary(minPrec int) (Expr, error) {
	l, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tPunct {
		op := p.tok.text
		prec := binaryPrec(op)
		if prec == 0 || prec <= minPrec {
			break
		}
		if err := p.next(); err != nil {
			return nil, err
		}
		r, err := p.parseBinary(prec)
		if err != nil {
			return nil, err
		}
		l = Binary{op, l, r}
	}
	return l, nil
}

func (p *exprParser) parseUnary() (Expr, error) {
	if p.tok.kind == tPunct {
		switch op := p.tok.text; op {
		case "!", "-", "~", "+":
			if err := p.next(); err != nil {
				return nil, err
			}
			x, err := p.parseUnary()
			if err != nil {
				return nil, err
			}
			return Unary{op, x}, nil
		}
	}
	if p.tok.kind == tIdent && (p.tok.text == "typeof" || p.tok.text == "void") {
		op := p.tok.text
		if err := p.next(); err != nil {
			return nil, err
		}
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return Unary{op, x}, nil
	}
	return p.parsePostfix()
}

func (p *exprParser) parsePostfix() (Expr, error) {
	x, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	for {
		switch {
		case p.isPunct("."):
			if err := p.next(); err != nil {
				return nil, err
			}
			if p.tok.kind != tIdent {
				return nil, &exprError{p.tok.off, "expected a property name after '.'"}
			}
			x = Member{x, Lit{p.tok.text}}
			if err := p.next(); err != nil {
				return nil, err
			}
		case p.isPunct("["):
			if err := p.next(); err != nil {
				return nil, err
			}
			k, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			if err := p.expect("]"); err != nil {
				return nil, err
			}
			x = Member{x, k}
		case p.isPunct("("):
			if err := p.next(); err != nil {
				return nil, err
			}
			var args []Expr
			for !p.isPunct(")") {
				a, err := p.parseExpr()
				if err != nil {
					return nil, err
				}
				args = append(args, a)
				if !p.isPunct(",") {
					break
				}
				if err := p.next(); err != nil {
					return nil, err
				}
			}
			if err := p.expect(")"); err != nil {
				return nil, err
			}
			x = Call{x, args}
		default:
			return x, nil
		}
	}
}

func (p *exprParser) parsePrimary() (Expr, error) {
	t := p.tok
	switch t.kind {
	case tNum:
		return Lit{t.num}, p.next()
	case tStr:
		return Lit{t.str}, p.next()
	case tIdent:
		var x Expr
		switch t.text {
		case "true":
			x = Lit{true}
		case "false":
			x = Lit{false}
		case "null":
			x = Lit{nil}
		case "undefined":
			x = Lit{undefinedVal}
		default:
			x = Name{t.text}
		}
		return x, p.next()
	case tPunct:
		switch t.text {
		case "(":
			if err := p.next(); err != nil {
				return nil, err
			}
			x, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			return Paren{x}, p.expect(")")
		case "[":
			if err := p.next(); err != nil {
				return nil, err
			}
			var elems []ArrElem
			for !p.isPunct("]") {
				spread := p.isPunct("...")
				if spread {
					if err := p.next(); err != nil {
						return nil, err
					}
				}
				x, err := p.parseExpr()
				if err != nil {
					return nil, err
				}
				elems = append(elems, ArrElem{spread, x})
				if !p.isPunct(",") {
					break
				}
				if err := p.next(); err != nil {
					return nil, err
				}
			}
			return ArrLit{elems}, p.expect("]")
		case "{":
			if err := p.next(); err != nil {
				return nil, err
			}
			return p.parseObjProps(tPunct, "}")
		}
	}
	return nil, p.unexpected()
}

// parseObjProps parses `key: v, key, ...v` up to the closing token (which
// it consumes).
func (p *exprParser) parseObjProps(endKind tokKind, end string) (Expr, error) {
	atEnd := func() bool { return p.tok.kind == endKind && (end == "" || p.tok.text == end) }
	var props []ObjProp
	for !atEnd() {
		if p.isPunct("...") {
			if err := p.next(); err != nil {
				return nil, err
			}
			x, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			props = append(props, ObjProp{Spread: true, Value: x})
		} else {
			var key string
			switch p.tok.kind {
			case tIdent:
				key = p.tok.text
			case tStr:
				if endKind == tEOF {
					// wcc and WeChat's current compiler reject a quoted
					// key in <template data>.
					return nil, p.unexpected()
				}
				key = p.tok.str
			case tNum:
				key = p.tok.text
			default:
				return nil, p.unexpected()
			}
			keyTok := p.tok
			if err := p.next(); err != nil {
				return nil, err
			}
			if p.isPunct(":") {
				if err := p.next(); err != nil {
					return nil, err
				}
				v, err := p.parseExpr()
				if err != nil {
					return nil, err
				}
				props = append(props, ObjProp{Key: key, Value: v})
			} else {
				if keyTok.kind != tIdent {
					return nil, &exprError{keyTok.off, "expected ':' after object key"}
				}
				props = append(props, ObjProp{Key: key, Value: Name{key}})
			}
		}
		if !p.isPunct(",") {
			break
		}
		if err := p.next(); err != nil {
			return nil, err
		}
	}
	if !atEnd() {
		return nil, p.unexpected()
	}
	if endKind == tPunct {
		if err := p.next(); err != nil {
			return nil, err
		}
	}
	return ObjLit{props}, nil
}
