package wxml

import (
	"strconv"
	"strings"

	"superapp/internal/miniprogram/diag"
)

// WXS runs sandboxed the way wcc sandboxes it: every identifier and
// property name of the module gets the prefix "nv_", so a module reaches
// only what the runtime defines under that prefix (nv_getDate,
// nv_getRegExp, nv_JSON, nv_console, nv_parseInt…, and the nv_ methods the
// runtime adds to the built-in prototypes) and never the worker's globals.
// Computed keys get the prefix at run time (nk_), numbers excepted.
// Values cross the boundary through deep copies that add (arguments) or
// strip (results, module exports) the prefix.

// wxsKeywords are left as they are; everything else that looks like an
// identifier is renamed.
var wxsKeywords = map[string]bool{
	"var": true, "function": true, "return": true, "if": true, "else": true, "for": true,
	"while": true, "do": true, "break": true, "continue": true, "switch": true, "case": true,
	"default": true, "typeof": true, "delete": true, "new": true, "in": true, "instanceof": true,
	"void": true, "true": true, "false": true, "null": true, "this": true, "try": true,
	"catch": true, "finally": true, "throw": true, "let": true, "const": true,
	// wcc leaves these global names alone (Math.PI becomes Math.nv_PI).
	"undefined": true, "NaN": true, "Infinity": true, "Math": true, "Date": true, "Number": true,
}

// wxsBuiltins are the nv_ names the runtime provides; a module gets a local
// binding for those it uses.
var wxsBuiltins = map[string]bool{
	"getDate": true, "getRegExp": true, "console": true, "JSON": true, "parseInt": true,
	"parseFloat": true, "isNaN": true, "isFinite": true, "decodeURI": true,
	"decodeURIComponent": true, "encodeURI": true, "encodeURIComponent": true,
}

type wxsTok struct {
	kind byte // 'i' identifier, 'n' number, 's' string, 'p' punctuator, 'r' regexp, 't' template
	text string
	off  int
	nl   bool // a line break precedes it (kept for automatic semicolons)
}

// exprEnds reports whether a token ends an operand, so that a following
// '/' divides and '[' indexes.
func (t wxsTok) exprEnds() bool {
	switch t.kind {
	case 'i':
		return !wxsKeywords[t.text] || t.text == "this" || t.text == "true" || t.text == "false" ||
			t.text == "null" || t.text == "undefined" || t.text == "NaN" || t.text == "Infinity" ||
			t.text == "Math" || t.text == "Date" || t.text == "Number"
	case 'n', 's', 'r', 't':
		return true
	case 'p':
		return t.text == ")" || t.text == "]" || t.text == "}"
	}
	return false
}

var wxsPuncts = []string{">>>=", "===", "!==", ">>>", "<<=", ">>=", "...", "==", "!=", "<=", ">=", "&&", "||",
	"++", "--", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<", ">>", "=>", "??",
	"+", "-", "*", "/", "%", "!", "~", "<", ">", "&", "|", "^", "?", ":", ".", ",", ";", "=",
	"(", ")", "[", "]", "{", "}"}

// lexWXS splits src into tokens, dropping comments and whitespace.
func lexWXS(src string) ([]wxsTok, *exprError) {
	var toks []wxsTok
	i := 0
	nl := false
	add := func(t wxsTok) {
		t.nl = nl
		nl = false
		toks = append(toks, t)
	}
	prevEnds := func() bool { return len(toks) > 0 && toks[len(toks)-1].exprEnds() }
	for i < len(src) {
		c := src[i]
		switch {
		case isSpace(c) || c == '\v':
			if c == '\n' {
				nl = true
			}
			i++
		case strings.HasPrefix(src[i:], "//"):
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return nil, &exprError{i, "comment is not closed"}
			}
			if strings.IndexByte(src[i:i+end+4], '\n') >= 0 {
				nl = true
			}
			i += end + 4
		case c == '"' || c == '\'':
			_, end, err := decodeJSString(src, i)
			if err != nil {
				return nil, err.(*exprError)
			}
			add(wxsTok{kind: 's', text: src[i:end], off: i})
			i = end
		case c == '`':
			return nil, &exprError{i, "template literals are not allowed in WXS"}
		case isDigit(c) || c == '.' && i+1 < len(src) && isDigit(src[i+1]):
			j := i
			for j < len(src) && (isIdentPart(src[j]) || src[j] == '.' ||
				(src[j] == '+' || src[j] == '-') && (src[j-1] == 'e' || src[j-1] == 'E') && !strings.HasPrefix(src[i:], "0x")) {
				j++
			}
			if c == '.' {
				return nil, &exprError{i, "a number cannot start with '.' in WXS (write 0" + src[i:j] + ")"}
			}
			for k := i; k < j; k++ {
				if src[k] != '.' && !isDigit(src[k]) {
					// wcc has no hex (0x10) or exponent (1e3) literals
					return nil, &exprError{k, "number " + src[i:j] + " is not supported in WXS (decimal digits only)"}
				}
			}
			add(wxsTok{kind: 'n', text: src[i:j], off: i})
			i = j
		case isIdentStart(c):
			j := i
			for j < len(src) && isIdentPart(src[j]) {
				j++
			}
			add(wxsTok{kind: 'i', text: src[i:j], off: i})
			i = j
		case c == '/' && !prevEnds():
			return nil, &exprError{i, "regular expression literals are not supported in WXS (use getRegExp)"}
		default:
			matched := false
			for _, p := range wxsPuncts {
				if strings.HasPrefix(src[i:], p) {
					add(wxsTok{kind: 'p', text: p, off: i})
					i += len(p)
					matched = true
					break
				}
			}
			if !matched {
				return nil, &exprError{i, "unexpected character " + string(rune(c))}
			}
		}
	}
	return toks, nil
}

// translateWXS turns WXS source (from file, starting at position at) into
// `function(require,module,exports){…}`.
func translateWXS(file, src string, at Pos) (string, []string, diag.List) {
	fail := func(e *exprError) (string, []string, diag.List) {
		p := posAfter(at, src[:e.Off])
		return "function(){}", nil, diag.List{diag.Errorf(file, p.Line, p.Col, "WXS: %s", e.Msg)}
	}
	toks, lerr := lexWXS(src)
	if lerr != nil {
		return fail(lerr)
	}
	tries, serr := checkWXS(toks, len(src))
	if serr != nil {
		return fail(serr)
	}
	var deps []string
	used := map[string]bool{}
	var b strings.Builder

	// Bracket stack: '{' object literal, 'b' block, '[' member access,
	// 'a' array literal, '(' parenthesis.
	var stack []byte
	top := func() byte {
		if len(stack) == 0 {
			return 0
		}
		return stack[len(stack)-1]
	}
	// ternaries counts open "?" per bracket depth, to tell `a ? {…} : {…}`
	// (objects) from `case x: {…}` (a block).
	ternaries := []int{0}
	prev := wxsTok{}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		var next wxsTok
		if i+1 < len(toks) {
			next = toks[i+1]
		}
		if t.nl {
			b.WriteByte('\n')
		} else if needsSpace(prev, t) {
			b.WriteByte(' ')
		}
		if end, ok := tries[i]; ok {
			// wcc compiles try but the module fails when it gets there.
			b.WriteString(`throw new ReferenceError("try is not defined");`)
			i = end - 1
			prev = wxsTok{kind: 'p', text: ";"}
			continue
		}
		switch t.kind {
		case 'i':
			switch {
			case prev.kind == 'p' && prev.text == ".":
				b.WriteString("nv_" + t.text)
			case top() == '{' && next.kind == 'p' && next.text == ":" && (prev.text == "{" || prev.text == ","):
				b.WriteString("nv_" + t.text) // object key
			case t.text == "arguments":
				b.WriteString("(arguments.nv_length=arguments.length,arguments)")
			case t.text == "require" && next.text == "(" && i+3 < len(toks) && toks[i+2].kind == 's' && toks[i+3].text == ")":
				v, _, _ := decodeJSString(toks[i+2].text, 0)
				if !strings.HasSuffix(v, ".wxs") {
					return fail(&exprError{toks[i+2].off, "require() takes a .wxs file"})
				}
				p := resolvePath(file, v)
				deps = append(deps, p)
				b.WriteString("require(")
				var q strings.Builder
				jsString(&q, p)
				b.WriteString(q.String() + ")")
				i += 3
				t = toks[i]
			case wxsKeywords[t.text]:
				b.WriteString(t.text)
			default:
				if wxsBuiltins[t.text] {
					used[t.text] = true
				}
				b.WriteString("nv_" + t.text)
			}
		case 's':
			if top() == '{' && next.kind == 'p' && next.text == ":" && (prev.text == "{" || prev.text == ",") {
				v, _, _ := decodeJSString(t.text, 0)
				jsString(&b, "nv_"+v)
			} else {
				b.WriteString(t.text)
			}
		case 'n':
			text := t.text
			if len(text) > 1 && text[0] == '0' && isDigit(text[1]) {
				// a leading 0 is octal, as in wcc (010 is 8); written out in
				// decimal so strict mode accepts it
				if v, err := strconv.ParseUint(text[1:], 8, 64); err == nil {
					text = strconv.FormatUint(v, 10)
				}
			}
			if top() == '{' && next.kind == 'p' && next.text == ":" && (prev.text == "{" || prev.text == ",") {
				jsString(&b, "nv_"+text)
			} else {
				b.WriteString(text)
			}
		case 'r':
			b.WriteString(t.text)
		case 'p':
			switch t.text {
			case "{":
				kind := byte('b')
				if prev.kind == 'p' && prev.text != ")" && prev.text != "]" && prev.text != "}" && prev.text != ";" && prev.text != "{" && prev.text != ":" && prev.text != "=>" ||
					prev.kind == 'i' && (prev.text == "return" || prev.text == "typeof" || prev.text == "case" || prev.text == "in" || prev.text == "delete" || prev.text == "void") {
					kind = '{'
				}
				if prev.kind == 'p' && prev.text == ":" && (top() == '{' || ternaries[len(ternaries)-1] > 0) {
					kind = '{'
				}
				if prev.kind == 'p' && prev.text == ":" && ternaries[len(ternaries)-1] > 0 {
					ternaries[len(ternaries)-1]--
				}
				stack = append(stack, kind)
				ternaries = append(ternaries, 0)
				b.WriteByte('{')
			case "[":
				if prev.exprEnds() {
					stack = append(stack, '[')
					b.WriteString("[nk_(")
				} else {
					stack = append(stack, 'a')
					b.WriteByte('[')
				}
				ternaries = append(ternaries, 0)
			case "(":
				stack = append(stack, '(')
				ternaries = append(ternaries, 0)
				b.WriteByte('(')
			case "}", "]", ")":
				if len(stack) > 0 {
					if top() == '[' {
						b.WriteByte(')')
					}
					stack = stack[:len(stack)-1]
					ternaries = ternaries[:len(ternaries)-1]
				}
				b.WriteString(t.text)
			case "?":
				ternaries[len(ternaries)-1]++
				b.WriteByte('?')
			case ":":
				if ternaries[len(ternaries)-1] > 0 && next.text != "{" {
					ternaries[len(ternaries)-1]--
				}
				b.WriteByte(':')
			default:
				b.WriteString(t.text)
			}
		}
		prev = t
	}

	var out strings.Builder
	out.WriteString("(function(require,module,exports){var nv_module={nv_exports:{}};")
	out.WriteString("var nk_=require.$k;")
	for _, name := range []string{"getDate", "getRegExp", "console", "JSON", "parseInt", "parseFloat", "isNaN",
		"isFinite", "decodeURI", "decodeURIComponent", "encodeURI", "encodeURIComponent"} {
		if used[name] {
			out.WriteString("var nv_" + name + "=require.$b." + name + ";")
		}
	}
	out.WriteString("\n")
	out.WriteString(b.String())
	out.WriteString("\n;module.exports=nv_module.nv_exports;})")
	js := out.String()
	return js[1 : len(js)-1], deps, nil
}

// needsSpace keeps tokens that would otherwise merge apart.
func needsSpace(prev, t wxsTok) bool {
	if prev.text == "" {
		return false
	}
	word := func(k byte) bool { return k == 'i' || k == 'n' }
	if word(prev.kind) && (word(t.kind) || t.kind == 'r') {
		return true
	}
	if prev.kind == 'p' && t.kind == 'p' {
		// `a + +b`, `a - -b`, `a / /re/`
		l, r := prev.text[len(prev.text)-1], t.text[0]
		return (l == '+' || l == '-') && l == r
	}
	if prev.kind == 'p' && t.kind == 'r' && prev.text[len(prev.text)-1] == '/' {
		return true
	}
	// keep statements on separate lines where a newline ended them (ASI)
	return false
}
