package wxml

// WXS is the ES5 subset wcc accepts, checked here over the tokens of
// lexWXS so that a module that would not load is a compile error at its
// place in the source. What wcc (and WeChat's documentation for WXS today)
// refuses is refused: let/const, arrow functions, template and regular
// expression literals, new, throw, for…in, the in and instanceof operators,
// labels, with, class, hex and exponent number literals. wcc compiles `try`
// but the module then fails when it reaches it ("try is not defined"); the
// checker records those statements so the translation reproduces that.

// wxsReserved may not be used as identifiers (property names are free).
var wxsReserved = map[string]bool{
	"var": true, "function": true, "return": true, "if": true, "else": true, "for": true,
	"while": true, "do": true, "break": true, "continue": true, "switch": true, "case": true,
	"default": true, "typeof": true, "delete": true, "void": true, "new": true, "in": true,
	"instanceof": true, "throw": true, "try": true, "catch": true, "finally": true, "let": true,
	"const": true, "class": true, "with": true, "import": true, "export": true, "extends": true,
	"super": true, "yield": true, "enum": true,
}

// wxsUnsupported are statements and operators WXS does not have.
var wxsUnsupported = map[string]bool{
	"new": true, "let": true, "const": true, "class": true, "with": true,
	"import": true, "export": true, "in": true, "instanceof": true, "yield": true,
	"super": true, "extends": true, "enum": true,
}

var wxsAssignOps = map[string]bool{
	"=": true, "+=": true, "-=": true, "*=": true, "/=": true, "%=": true, "<<=": true,
	">>=": true, ">>>=": true, "&=": true, "|=": true, "^=": true,
}

var wxsBinaryPrec = map[string]int{
	"||": 1, "&&": 2, "|": 3, "^": 4, "&": 5, "==": 6, "!=": 6, "===": 6, "!==": 6,
	"<": 7, ">": 7, "<=": 7, ">=": 7, "<<": 8, ">>": 8, ">>>": 8,
	"+": 9, "-": 9, "*": 10, "/": 10, "%": 10,
}

type wxsChecker struct {
	toks []wxsTok
	i    int
	// numberCallOK is true right after a binary or assignment operator or
	// `return`: the only places wcc accepts a call of Number (`x = 1 + Number(s)`;
	// `[Number(s)]` and `var x = Number(s)` are compile errors in wcc).
	numberCallOK bool
	// tries maps the token index of each `try` to the index just past its
	// statement.
	tries map[int]int
	// depth counts the functions being parsed: wcc accepts throw and try
	// only inside a function.
	depth int
}

type wxsSyntaxError struct{ err *exprError }

// checkWXS parses toks as a WXS program. It returns the try statements
// found, or the first syntax error.
func checkWXS(toks []wxsTok, srcLen int) (tries map[int]int, err *exprError) {
	p := &wxsChecker{toks: toks}
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(wxsSyntaxError)
			if !ok {
				panic(r)
			}
			if se.err.Off < 0 {
				se.err.Off = srcLen
			}
			tries, err = nil, se.err
		}
	}()
	for p.i < len(p.toks) {
		p.statement()
	}
	return p.tries, nil
}

func (p *wxsChecker) peek() wxsTok {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return wxsTok{off: -1}
}

func (p *wxsChecker) peekAt(k int) wxsTok {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k]
	}
	return wxsTok{off: -1}
}

func (p *wxsChecker) next() {
	p.i++
	p.numberCallOK = false
}

// is reports whether the current token is the punctuator or word s.
func (p *wxsChecker) is(s string) bool {
	t := p.peek()
	return (t.kind == 'p' || t.kind == 'i') && t.text == s
}

func (p *wxsChecker) fail(t wxsTok, msg string) {
	panic(wxsSyntaxError{&exprError{t.off, msg}})
}

func (p *wxsChecker) unexpected() {
	t := p.peek()
	if t.kind == 0 {
		p.fail(t, "unexpected end of the module")
	}
	if t.kind == 'i' && wxsUnsupported[t.text] {
		p.fail(t, "`"+t.text+"` is not supported in WXS (ES5 subset)")
	}
	p.fail(t, "unexpected token `"+t.text+"`")
}

func (p *wxsChecker) expect(s string) {
	if !p.is(s) {
		t := p.peek()
		if t.kind == 0 {
			p.fail(t, "expected `"+s+"`, found the end of the module")
		}
		p.fail(t, "expected `"+s+"`, found `"+t.text+"`")
	}
	p.next()
}

// semicolon ends a statement: `;`, or automatically before `}`, at the end
// or at a line break.
func (p *wxsChecker) semicolon() {
	t := p.peek()
	switch {
	case p.is(";"):
		p.next()
	case t.kind == 0 || p.is("}") || t.nl:
	default:
		p.fail(t, "expected `;` or a line break before `"+t.text+"`")
	}
}

func (p *wxsChecker) ident() {
	t := p.peek()
	if t.kind != 'i' || wxsReserved[t.text] {
		p.unexpected()
	}
	p.next()
}

func (p *wxsChecker) block() {
	p.expect("{")
	for !p.is("}") {
		if p.peek().kind == 0 {
			p.expect("}")
		}
		p.statement()
	}
	p.next()
}

func (p *wxsChecker) statement() {
	t := p.peek()
	if t.kind == 'i' && !wxsReserved[t.text] && p.peekAt(1).kind == 'p' && p.peekAt(1).text == ":" {
		p.fail(t, "labels are not supported in WXS")
	}
	switch {
	case p.is("{"):
		p.block()
	case p.is(";"):
		p.next()
	case p.is("var"):
		p.next()
		p.varDecls()
		p.semicolon()
	case p.is("if"):
		p.next()
		p.parenExpr()
		p.statement()
		if p.is("else") {
			p.next()
			p.statement()
		}
	case p.is("for"):
		p.forStatement()
	case p.is("while"):
		p.next()
		p.parenExpr()
		p.statement()
	case p.is("do"):
		p.next()
		p.statement()
		p.expect("while")
		p.parenExpr()
		if p.is(";") {
			p.next()
		}
	case p.is("break"), p.is("continue"):
		p.next()
		if n := p.peek(); n.kind == 'i' && !n.nl {
			p.fail(n, "labels are not supported in WXS")
		}
		p.semicolon()
	case p.is("return"):
		p.next()
		if n := p.peek(); !(n.kind == 0 || n.nl || p.is(";") || p.is("}")) {
			p.numberCallOK = true // wcc accepts `return Number(x)`
			p.expr()
		}
		p.semicolon()
	case p.is("switch"):
		p.next()
		p.parenExpr()
		p.expect("{")
		for !p.is("}") {
			switch {
			case p.is("case"):
				p.next()
				p.expr()
				p.expect(":")
			case p.is("default"):
				p.next()
				p.expect(":")
			default:
				p.unexpected()
			}
			for !p.is("case") && !p.is("default") && !p.is("}") {
				if p.peek().kind == 0 {
					p.expect("}")
				}
				p.statement()
			}
		}
		p.next()
	case p.is("function"):
		p.next()
		p.ident()
		p.functionRest()
	case p.is("throw"):
		if p.depth == 0 {
			p.fail(t, "throw is accepted only inside a function in WXS")
		}
		p.next()
		if n := p.peek(); n.nl || n.kind == 0 {
			p.fail(n, "throw needs an expression on the same line")
		}
		p.expr()
		p.semicolon()
	case p.is("try"):
		if p.depth == 0 {
			p.fail(t, "try is accepted only inside a function in WXS")
		}
		start := p.i
		p.next()
		p.block()
		handled := false
		if p.is("catch") {
			p.next()
			p.expect("(")
			p.ident()
			p.expect(")")
			p.block()
			handled = true
		}
		if p.is("finally") {
			p.next()
			p.block()
			handled = true
		}
		if !handled {
			p.expect("catch")
		}
		if p.tries == nil {
			p.tries = map[int]int{}
		}
		p.tries[start] = p.i
	case t.kind == 'i' && wxsReserved[t.text] && t.text != "typeof" && t.text != "void" && t.text != "delete":
		p.unexpected()
	default:
		p.expr()
		p.semicolon()
	}
}

func (p *wxsChecker) parenExpr() {
	p.expect("(")
	p.expr()
	p.expect(")")
}

func (p *wxsChecker) varDecls() {
	for {
		p.ident()
		if p.is("=") {
			p.next()
			p.assign()
		}
		if !p.is(",") {
			return
		}
		p.next()
	}
}

func (p *wxsChecker) forStatement() {
	p.next()
	p.expect("(")
	if !p.is(";") {
		if p.is("var") {
			p.next()
			p.varDecls()
		} else {
			p.expr()
		}
	}
	if p.is("in") {
		p.fail(p.peek(), "for…in is not supported in WXS")
	}
	p.expect(";")
	if !p.is(";") {
		p.expr()
	}
	p.expect(";")
	if !p.is(")") {
		p.expr()
	}
	p.expect(")")
	p.statement()
}

func (p *wxsChecker) functionRest() {
	p.expect("(")
	for !p.is(")") {
		p.ident()
		if p.is("=") { // default parameters: wcc accepts them
			p.next()
			p.assign()
		}
		if !p.is(",") {
			break
		}
		p.next()
	}
	p.expect(")")
	p.depth++
	p.block()
	p.depth--
}

func (p *wxsChecker) expr() {
	p.assign()
	for p.is(",") {
		p.next()
		p.assign()
	}
}

func (p *wxsChecker) assign() {
	p.conditional()
	if t := p.peek(); t.kind == 'p' && wxsAssignOps[t.text] {
		p.next()
		p.numberCallOK = true
		p.assign()
	}
	if p.is("=>") {
		p.fail(p.peek(), "arrow functions are not supported in WXS")
	}
}

func (p *wxsChecker) conditional() {
	p.binary(0)
	if p.is("?") {
		p.next()
		p.assign()
		p.expect(":")
		p.assign()
	}
}

func (p *wxsChecker) binary(minPrec int) {
	p.unary()
	for {
		t := p.peek()
		if t.kind == 'i' && (t.text == "in" || t.text == "instanceof") {
			p.fail(t, "the "+t.text+" operator is not supported in WXS")
		}
		prec, ok := wxsBinaryPrec[t.text]
		if t.kind != 'p' || !ok || prec <= minPrec {
			return
		}
		p.next()
		p.numberCallOK = true
		p.binary(prec)
	}
}

func (p *wxsChecker) unary() {
	t := p.peek()
	switch {
	case t.kind == 'p' && (t.text == "!" || t.text == "~" || t.text == "+" || t.text == "-" || t.text == "++" || t.text == "--"),
		t.kind == 'i' && (t.text == "typeof" || t.text == "void" || t.text == "delete"):
		ok := p.numberCallOK
		p.next()
		p.numberCallOK = ok
		p.unary()
		return
	}
	p.postfix()
}

func (p *wxsChecker) postfix() {
	p.member()
	if t := p.peek(); t.kind == 'p' && (t.text == "++" || t.text == "--") && !t.nl {
		p.next()
	}
}

func (p *wxsChecker) member() {
	p.primary()
	for {
		switch {
		case p.is("."):
			p.next()
			if p.peek().kind != 'i' {
				p.unexpected()
			}
			p.next()
		case p.is("["):
			p.next()
			p.expr()
			p.expect("]")
		case p.is("("):
			p.next()
			for !p.is(")") {
				p.assign()
				if !p.is(",") {
					break
				}
				p.next()
			}
			p.expect(")")
		default:
			return
		}
	}
}

func (p *wxsChecker) primary() {
	t := p.peek()
	switch t.kind {
	case 'n', 's':
		p.next()
		return
	case 'i':
		switch t.text {
		case "function":
			p.next()
			if !p.is("(") {
				p.ident()
			}
			p.functionRest()
			return
		case "this", "true", "false", "null":
			p.next()
			return
		case "Number":
			if n := p.peekAt(1); n.kind == 'p' && n.text == "(" && !p.numberCallOK {
				p.fail(n, "wcc accepts a call of Number only after an operator")
			}
		}
		p.ident()
		return
	case 'p':
		switch t.text {
		case "(":
			p.next()
			p.expr()
			p.expect(")")
			return
		case "[":
			p.next()
			for !p.is("]") {
				if p.is(",") { // elision
					p.next()
					continue
				}
				p.assign()
				if !p.is(",") {
					break
				}
				p.next()
			}
			p.expect("]")
			return
		case "{":
			p.next()
			for !p.is("}") {
				k := p.peek()
				if k.kind != 'i' && k.kind != 's' && k.kind != 'n' {
					p.unexpected()
				}
				p.next()
				if k.kind == 'i' && (p.is(",") || p.is("}")) {
					// shorthand property ({ color }): wcc accepts it
				} else {
					p.expect(":")
					p.assign()
				}
				if !p.is(",") {
					break
				}
				p.next()
			}
			p.expect("}")
			return
		}
	}
	p.unexpected()
}
