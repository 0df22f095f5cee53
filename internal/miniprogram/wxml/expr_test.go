package wxml

import (
	"strings"
	"testing"
)

// show prints an expression fully parenthesised, to check structure.
func show(x Expr) string {
	switch x := x.(type) {
	case nil:
		return "<empty>"
	case Lit:
		var b strings.Builder
		jsLit(&b, x.Val)
		return b.String()
	case Name:
		return x.Name
	case Member:
		return show(x.Obj) + "[" + show(x.Key) + "]"
	case Call:
		args := make([]string, len(x.Args))
		for i, a := range x.Args {
			args[i] = show(a)
		}
		return show(x.Fn) + "(" + strings.Join(args, ",") + ")"
	case Unary:
		return "(" + x.Op + " " + show(x.X) + ")"
	case Binary:
		return "(" + show(x.L) + " " + x.Op + " " + show(x.R) + ")"
	case Cond:
		return "(" + show(x.C) + " ? " + show(x.T) + " : " + show(x.F) + ")"
	case Paren:
		return show(x.X)
	case ArrLit:
		parts := make([]string, len(x.Elems))
		for i, e := range x.Elems {
			parts[i] = show(e.X)
			if e.Spread {
				parts[i] = "..." + parts[i]
			}
		}
		return "[" + strings.Join(parts, ",") + "]"
	case ObjLit:
		parts := make([]string, len(x.Props))
		for i, p := range x.Props {
			if p.Spread {
				parts[i] = "..." + show(p.Value)
			} else {
				parts[i] = p.Key + ":" + show(p.Value)
			}
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	return "?"
}

func TestParseExprStructure(t *testing.T) {
	for src, want := range map[string]string{
		"1 + 2 * 3 - 4":             "((1 + (2 * 3)) - 4)",
		"a || b && c":               "(a || (b && c))",
		"a ? b : c ? d : e":         "(a ? b : (c ? d : e))",
		"a == b < c":                "(a == (b < c))",
		"1 << 2 + 3":                "(1 << (2 + 3))",
		"a & b | c ^ d":             "((a & b) | (c ^ d))",
		"!a.b[c].d":                 "(! a[\"b\"][c][\"d\"])",
		"- -x":                      "(- (- x))",
		"m.f(a, b.c)(1)":            "m[\"f\"](a,b[\"c\"])(1)",
		"(1 + 2) * 3":               "((1 + 2) * 3)",
		"[1, ...xs, 'a']":           "[1,...xs,\"a\"]",
		"{a, b: 1, ...c}":           "{a:a,b:1,...c}",
		"true && null || undefined": "((true && null) || void 0)",
		"'it\\'s' + \"q\\\"\"":      "(\"it's\" + \"q\\\"\")",
		".5 + 1.25 + 0x10 + 2e3":    "(((0.5 + 1.25) + 16) + 2000)",
		"a ?? b":                    "(a ?? b)",
		"typeof a === 'string'":     "((typeof a) === \"string\")",
		"   ":                       "<empty>",
	} {
		x, err := ParseExpr(src)
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		if got := show(x); got != want {
			t.Errorf("%s:\n got  %s\n want %s", src, got, want)
		}
	}
}

func TestParseObjectBody(t *testing.T) {
	x, err := ParseObjectBody("...item, idx: i, name")
	if err != nil {
		t.Fatal(err)
	}
	if got := show(x); got != "{...item,idx:i,name:name}" {
		t.Errorf("got %s", got)
	}
}

func TestParseExprErrors(t *testing.T) {
	for src, want := range map[string]int{ // offset of the error
		"1 +":    3,
		"a b":    2,
		"(1":     2,
		"a.":     2,
		"'abc":   0,
		"a # b":  2,
		"{a: }":  4,
		"[1,,2]": 3,
		"1a":     1,
	} {
		_, err := ParseExpr(src)
		ee, ok := err.(*exprError)
		if !ok {
			t.Errorf("%q: error %v", src, err)
			continue
		}
		if ee.Off != want {
			t.Errorf("%q: error at %d (%s), want %d", src, ee.Off, ee.Msg, want)
		}
	}
}
