package wxml

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The generated code evaluates expressions against a context `c`
// ({e: data, s: scope, f: WXS modules, ap}) with helpers from the runtime
// object `$` (web/miniprogram/src/wxml/runtime.ts). c.ap mirrors wcc's
// "access path" flag: it is true while the value at hand was reached from a
// WXS module, the only way a function value can be read or called. wcc resets
// it before evaluating most sub-expressions; "reset" marks those places.

// jsExpr appends the JavaScript for x to b.
func jsExpr(b *strings.Builder, x Expr, reset bool) {
	if reset && hasName(x) {
		b.WriteString("(c.ap=false,")
		jsExpr(b, x, false)
		b.WriteByte(')')
		return
	}
	switch x := x.(type) {
	case nil:
		b.WriteString("void 0")
	case Lit:
		jsLit(b, x.Val)
	case Name:
		b.WriteString("$.n(c,")
		jsString(b, x.Name)
		b.WriteByte(')')
	case Member:
		b.WriteString("$.m(c,")
		jsExpr(b, x.Obj, false)
		b.WriteString(",c.ap,")
		jsExpr(b, x.Key, true)
		b.WriteByte(')')
	case Call:
		b.WriteString("$.c(c,")
		jsExpr(b, x.Fn, false)
		b.WriteString(",c.ap,[")
		for i, a := range x.Args {
			if i > 0 {
				b.WriteByte(',')
			}
			jsExpr(b, a, true)
		}
		b.WriteString("])")
	case Unary:
		switch x.Op {
		case "-": // wcc computes 0 - x
			b.WriteString("(0-")
		case "typeof":
			b.WriteString("(typeof ")
		case "void":
			b.WriteString("(void ")
		default:
			b.WriteString("(" + x.Op)
		}
		jsExpr(b, x.X, true)
		b.WriteByte(')')
	case Binary:
		b.WriteByte('(')
		jsExpr(b, x.L, true)
		b.WriteString(x.Op)
		jsExpr(b, x.R, true)
		b.WriteByte(')')
	case Cond:
		b.WriteByte('(')
		jsExpr(b, x.C, true)
		b.WriteByte('?')
		jsExpr(b, x.T, true)
		b.WriteByte(':')
		jsExpr(b, x.F, true)
		b.WriteByte(')')
	case Paren:
		jsExpr(b, x.X, true)
	case ArrLit:
		b.WriteByte('[')
		for i, e := range x.Elems {
			if i > 0 {
				b.WriteByte(',')
			}
			if e.Spread {
				b.WriteString("...$.sp(")
				jsExpr(b, e.X, true)
				b.WriteByte(')')
			} else {
				jsExpr(b, e.X, true)
			}
		}
		b.WriteByte(']')
	case ObjLit:
		jsObject(b, x)
	}
}

// jsObject builds an object literal the way wcc does: left to right
// pairwise merges, except that a leading spread is merged last without
// overwriting ({...o, x: 1} lists x first and keeps it).
func jsObject(b *strings.Builder, x ObjLit) {
	if len(x.Props) == 0 {
		b.WriteString("{}")
		return
	}
	one := func(p ObjProp) string {
		var s strings.Builder
		if p.Spread {
			jsExpr(&s, p.Value, true)
		} else {
			s.WriteString("$.o1(")
			jsString(&s, p.Key)
			s.WriteByte(',')
			jsExpr(&s, p.Value, true)
			s.WriteByte(')')
		}
		return s.String()
	}
	acc := one(x.Props[0])
	for i := 1; i < len(x.Props); i++ {
		if i == 1 && x.Props[0].Spread {
			acc = "$.ms(" + acc + "," + one(x.Props[1]) + ")"
		} else {
			acc = "$.mg(" + acc + "," + one(x.Props[i]) + ")"
		}
	}
	b.WriteString(acc)
}

func hasName(x Expr) bool {
	switch x := x.(type) {
	case Lit, nil:
		return false
	case Name:
		return true
	case Member:
		return hasName(x.Obj) || hasName(x.Key)
	case Call:
		return true
	case Unary:
		return hasName(x.X)
	case Binary:
		return hasName(x.L) || hasName(x.R)
	case Cond:
		return hasName(x.C) || hasName(x.T) || hasName(x.F)
	case Paren:
		return hasName(x.X)
	case ArrLit:
		for _, e := range x.Elems {
			if hasName(e.X) {
				return true
			}
		}
		return false
	case ObjLit:
		for _, p := range x.Props {
			if hasName(p.Value) {
				return true
			}
		}
		return false
	}
	return true
}

func jsLit(b *strings.Builder, v any) {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case undefinedType:
		b.WriteString("void 0")
	case bool:
		if v {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case float64:
		switch {
		case math.IsInf(v, 1):
			b.WriteString("Infinity")
		case v == math.Trunc(v) && math.Abs(v) < 1e21:
			b.WriteString(strconv.FormatFloat(v, 'f', -1, 64))
		default:
			b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		}
	case string:
		jsString(b, v)
	}
}

// jsString writes s as a double-quoted JavaScript string literal that is
// safe anywhere in a script (no raw line terminators, no "</script").
func jsString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c == '\n':
				b.WriteString(`\n`)
			case c == '\r':
				b.WriteString(`\r`)
			case c == '\t':
				b.WriteString(`\t`)
			case c == '<':
				b.WriteString(`\x3c`)
			case c < 0x20 || c == 0x7f:
				b.WriteString(`\x`)
				b.WriteByte("0123456789abcdef"[c>>4])
				b.WriteByte("0123456789abcdef"[c&15])
			default:
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == 0x2028 || r == 0x2029 || r == utf8.RuneError && n == 1 {
			b.WriteString(`\u`)
			b.WriteString(strconv.FormatInt(int64(r)+0x10000, 16)[1:])
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	b.WriteByte('"')
}
