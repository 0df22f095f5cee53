package review

import "strings"

// A small JavaScript/TypeScript tokenizer: enough to tell code from
// comments and string contents, so rules see `wx.foo(` and `eval(` only
// where they are code and read string literals with their positions. It
// does not parse; a regular expression literal is recognised by what
// precedes the slash (the usual heuristic), which is right for code as
// people write it.

type tokKind int

const (
	tokIdent  tokKind = iota // identifiers and keywords
	tokPunct                 // one punctuation character
	tokString                // '…', "…", or a template literal's text (Value is its raw content)
	tokNumber
	tokRegexp
)

type jsToken struct {
	Kind  tokKind
	Value string // identifier, punctuation char, or string content (without quotes)
	Off   int    // byte offset of the token's first character
	// ValueOff is the byte offset of Value's first byte in the source
	// (after the quote for strings), for positions inside a string.
	ValueOff int
}

// jsTokens splits src into tokens, dropping comments and blanks. Template
// literals become one tokString per literal part; the code inside ${…} is
// tokenized as code.
func jsTokens(src string) []jsToken {
	var toks []jsToken
	// Template nesting: each entry counts open braces inside one ${…}.
	var tmpl []int
	i := 0
	n := len(src)
	regexAllowed := func() bool {
		if len(toks) == 0 {
			return true
		}
		t := toks[len(toks)-1]
		switch t.Kind {
		case tokNumber, tokString, tokRegexp:
			return false
		case tokIdent:
			switch t.Value {
			case "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await":
				return true
			}
			return false
		case tokPunct:
			return !strings.Contains(")]}", t.Value)
		}
		return true
	}
	// template scans a template literal's text from i (just after ` or }),
	// emitting it, and returns where code resumes; inExpr reports whether it
	// stopped at "${".
	template := func(i int) (int, bool) {
		start := i
		for i < n {
			switch src[i] {
			case '\\':
				i += 2
				continue
			case '`':
				toks = append(toks, jsToken{Kind: tokString, Value: src[start:i], Off: start, ValueOff: start})
				return i + 1, false
			case '$':
				if i+1 < n && src[i+1] == '{' {
					toks = append(toks, jsToken{Kind: tokString, Value: src[start:i], Off: start, ValueOff: start})
					return i + 2, true
				}
			}
			i++
		}
		toks = append(toks, jsToken{Kind: tokString, Value: src[start:min(i, n)], Off: start, ValueOff: start})
		return n, false
	}
	for i < n {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '/' && i+1 < n && src[i+1] == '/':
			for i < n && src[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < n && src[i+1] == '*':
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				i = n
			} else {
				i += end + 4
			}
		case c == '\'' || c == '"':
			j := i + 1
			for j < n && src[j] != c && src[j] != '\n' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			end := min(j, n)
			toks = append(toks, jsToken{Kind: tokString, Value: src[i+1 : end], Off: i, ValueOff: i + 1})
			i = end + 1
		case c == '`':
			var inExpr bool
			i, inExpr = template(i + 1)
			if inExpr {
				tmpl = append(tmpl, 0)
			}
		case c == '/' && regexAllowed():
			j := i + 1
			inClass := false
			for j < n && src[j] != '\n' {
				if src[j] == '\\' {
					j += 2
					continue
				}
				if src[j] == '[' {
					inClass = true
				} else if src[j] == ']' {
					inClass = false
				} else if src[j] == '/' && !inClass {
					break
				}
				j++
			}
			j++
			for j < n && isIdentByte(src[j]) {
				j++ // flags
			}
			end := min(j, n)
			toks = append(toks, jsToken{Kind: tokRegexp, Value: src[i:end], Off: i, ValueOff: i})
			i = end
		case isIdentStart(c):
			j := i
			for j < n && isIdentByte(src[j]) {
				j++
			}
			toks = append(toks, jsToken{Kind: tokIdent, Value: src[i:j], Off: i, ValueOff: i})
			i = j
		case c >= '0' && c <= '9' || c == '.' && i+1 < n && src[i+1] >= '0' && src[i+1] <= '9':
			j := i
			for j < n && (isIdentByte(src[j]) || src[j] == '.') {
				j++
			}
			toks = append(toks, jsToken{Kind: tokNumber, Value: src[i:j], Off: i, ValueOff: i})
			i = j
		case c == '{' && len(tmpl) > 0:
			tmpl[len(tmpl)-1]++
			toks = append(toks, jsToken{Kind: tokPunct, Value: "{", Off: i, ValueOff: i})
			i++
		case c == '}' && len(tmpl) > 0 && tmpl[len(tmpl)-1] == 0:
			// The end of a ${…}: the template's text resumes.
			tmpl = tmpl[:len(tmpl)-1]
			var inExpr bool
			i, inExpr = template(i + 1)
			if inExpr {
				tmpl = append(tmpl, 0)
			}
		case c == '}' && len(tmpl) > 0:
			tmpl[len(tmpl)-1]--
			toks = append(toks, jsToken{Kind: tokPunct, Value: "}", Off: i, ValueOff: i})
			i++
		case c >= 0x80:
			// Non-ASCII outside strings: identifiers in other scripts; keep
			// them as identifier bytes.
			j := i
			for j < n && (src[j] >= 0x80 || isIdentByte(src[j])) {
				j++
			}
			toks = append(toks, jsToken{Kind: tokIdent, Value: src[i:j], Off: i, ValueOff: i})
			i = j
		default:
			toks = append(toks, jsToken{Kind: tokPunct, Value: src[i : i+1], Off: i, ValueOff: i})
			i++
		}
	}
	return toks
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentByte(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9'
}

// callArgs returns the tokens between the parenthesis at toks[open] and its
// match (exclusive), or nil when toks[open] is not "(".
func callArgs(toks []jsToken, open int) []jsToken {
	if open >= len(toks) || toks[open].Value != "(" || toks[open].Kind != tokPunct {
		return nil
	}
	depth := 0
	for j := open; j < len(toks); j++ {
		if toks[j].Kind != tokPunct {
			continue
		}
		switch toks[j].Value {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
			if depth == 0 {
				return toks[open+1 : j]
			}
		}
	}
	return toks[open+1:]
}
