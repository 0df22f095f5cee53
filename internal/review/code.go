package review

import (
	"regexp"
	"strings"

	"superapp/internal/miniprogram/wxml"
)

// Code rules (platform-rules.md §3.3: payment outside WeChat Pay and
// virtual payment are rejection causes; code must not load or build code at
// run time, which WeChat's runtime forbids — eval and new Function throw
// there).

// paymentModules: a require/import specifier holding one of these names is
// a payment SDK other than WeChat Pay.
var paymentModules = []wordEntry{
	{Word: "alipay", Why: "Alipay SDK"},
	{Word: "unionpay", Why: "UnionPay SDK"},
	{Word: "pingpp", Why: "Ping++ aggregated payment SDK"},
	{Word: "pingxx", Why: "Ping++ aggregated payment SDK"},
	{Word: "beecloud", Why: "BeeCloud aggregated payment SDK"},
	{Word: "paypal", Why: "PayPal SDK"},
	{Word: "stripe", Why: "Stripe SDK"},
	{Word: "yeepay", Why: "YeePay SDK"},
	{Word: "lianlianpay", Why: "LianLian Pay SDK"},
	{Word: "jdpay", Why: "JD Pay SDK"},
	{Word: "payjs", Why: "PAYJS aggregated payment"},
}

// paymentURLs: a string holding one of these is a payment page or gateway
// other than WeChat Pay.
var paymentURLs = []wordEntry{
	{Word: "alipays://", Why: "Alipay app scheme"},
	{Word: "alipay://", Why: "Alipay app scheme"},
	{Word: "alipay.com", Why: "Alipay gateway or cashier"},
	{Word: "alipaydev.com", Why: "Alipay sandbox gateway"},
	{Word: "95516.com", Why: "UnionPay gateway"},
	{Word: "unionpay.com", Why: "UnionPay gateway"},
	{Word: "paypal.com", Why: "PayPal checkout"},
	{Word: "stripe.com", Why: "Stripe checkout"},
	{Word: "pingxx.com", Why: "Ping++ gateway"},
	{Word: "beecloud.cn", Why: "BeeCloud gateway"},
	{Word: "yeepay.com", Why: "YeePay gateway"},
	{Word: "payjs.cn", Why: "PAYJS gateway"},
}

// payPagePath: a web-view URL whose path looks like a cashier.
var payPagePath = regexp.MustCompile(`(?i)(^|[/._=-])(pay|payment|cashier|checkout|收银台)([/._?#=-]|$)`)

// virtualGoods are words of virtual goods sold through wx.requestPayment.
// Virtual goods must go through WeChat's virtual payment (and Apple's IAP
// on iOS), so selling them with requestPayment is refused. Words that only
// virtual goods use reject; words with real-world senses (钻石 jewellery,
// 会员 a gym's membership, 充值 a prepaid card) warn: a reviewer decides.
var virtualGoods = []struct {
	wordEntry
	Severity Severity
}{
	{wordEntry{Word: "虚拟币", Why: "virtual currency"}, Reject},
	{wordEntry{Word: "虚拟货币", Why: "virtual currency"}, Reject},
	{wordEntry{Word: "游戏币", Why: "game currency"}, Reject},
	{wordEntry{Word: "代币", Why: "tokens"}, Reject},
	{wordEntry{Word: "点券", Why: "game points"}, Reject},
	{wordEntry{Word: "会员充值", Why: "membership top-up"}, Reject},
	{wordEntry{Word: "充值会员", Why: "membership top-up"}, Reject},
	{wordEntry{Word: "钻石充值", Why: "in-app diamonds"}, Reject},
	{wordEntry{Word: "充值钻石", Why: "in-app diamonds"}, Reject},
	{wordEntry{Word: "购买钻石", Why: "in-app diamonds"}, Reject},
	{wordEntry{Word: "充值", Why: "top-up (virtual unless it is a real prepaid service)"}, Warn},
	{wordEntry{Word: "钻石", Why: "diamonds (in-app currency, or jewellery)"}, Warn},
	{wordEntry{Word: "金币", Why: "coins (in-app currency, or collectibles)"}, Warn},
	{wordEntry{Word: "开通会员", Why: "membership (virtual service, or a real one)"}, Warn},
	{wordEntry{Word: "VIP", Why: "VIP membership"}, Warn},
}

// virtualPaymentLines: a word counts as near a payment call within this
// many lines of it in the same script.
const virtualPaymentLines = 30

var paymentCalls = map[string]bool{"requestPayment": true, "requestOrderPayment": true}

func (c *checker) checkCode() {
	for _, f := range c.jsFiles() {
		c.checkScript(f)
	}
	c.checkWebViews()
}

func (c *checker) checkScript(f jsFile) {
	toks := f.toks
	pos := func(off int) (int, int) { return f.pos(off) }
	report := func(off int, rule string, sev Severity, format string, a ...any) {
		l, col := pos(off)
		c.at(f.path, l, col, rule, sev, format, a...)
	}
	is := func(i int, kind tokKind, v string) bool {
		return i >= 0 && i < len(toks) && toks[i].Kind == kind && toks[i].Value == v
	}
	member := func(i int) bool { return is(i-1, tokPunct, ".") }
	unknown := map[string]bool{}
	var payments []int // token indexes of wx.requestPayment-like calls
	for i, t := range toks {
		switch t.Kind {
		case tokIdent:
			switch {
			case t.Value == "wx" && !member(i) && is(i+1, tokPunct, ".") && i+2 < len(toks) && toks[i+2].Kind == tokIdent:
				name := toks[i+2].Value
				if paymentCalls[name] {
					payments = append(payments, i)
				}
				// A feature test (typeof wx.x) or a polyfill (wx.x = …) is not a use.
				if !supportedAPIs[name] && !unknown[name] && !is(i+3, tokPunct, "=") && !is(i-1, tokIdent, "typeof") {
					unknown[name] = true
					report(t.Off, "code.unknown_api", Warn, "wx.%s is not in the API list of this platform's runtime (docs/miniprogram-support.md): it is undefined here", name)
				}
			case t.Value == "eval" && (!member(i) || globalObject(toks, i-2)) && !is(i-1, tokIdent, "typeof") && !is(i+1, tokPunct, ":"):
				// Any use but a feature test: (0, eval)(s) and aliases run code too.
				report(t.Off, "code.eval", Reject, "eval runs code built at run time; mini programs may not (WeChat's runtime refuses it)")
			case t.Value == "Function" && is(i+1, tokPunct, "(") && !member(i):
				what := "Function()"
				if is(i-1, tokIdent, "new") {
					what = "new Function()"
					t = toks[i-1]
				}
				report(t.Off, "code.eval", Reject, "%s compiles code from a string at run time; mini programs may not", what)
			case (t.Value == "setTimeout" || t.Value == "setInterval") && !member(i) && is(i+1, tokPunct, "(") && i+2 < len(toks) && toks[i+2].Kind == tokString:
				report(t.Off, "code.eval", Reject, "%s with a string runs that string as code; pass a function", t.Value)
			case t.Value == "importScripts" && is(i+1, tokPunct, "("):
				report(t.Off, "code.remote_script", Reject, "importScripts() loads code at run time; every script must ship in the package")
			case t.Value == "createElement" && member(i) && is(i+1, tokPunct, "(") && i+2 < len(toks) && toks[i+2].Kind == tokString && strings.EqualFold(toks[i+2].Value, "script"):
				report(t.Off, "code.remote_script", Reject, "creating a <script> element loads code at run time; every script must ship in the package")
			case (t.Value == "require" || t.Value == "import") && !member(i):
				c.checkModule(f, toks, i, report)
			}
		case tokString:
			for _, h := range findWords(t.Value, paymentURLs) {
				report(t.ValueOff+h.off, "code.payment_sdk", Reject, "%q: %s; payment in a mini program goes through wx.requestPayment (WeChat Pay) only", h.entry.Word, h.entry.Why)
				break
			}
		}
	}
	for _, p := range payments {
		c.checkVirtualPayment(f, p)
	}
}

// globalObject reports whether toks[i] names the global object (window.eval).
func globalObject(toks []jsToken, i int) bool {
	if i < 0 || toks[i].Kind != tokIdent {
		return false
	}
	switch toks[i].Value {
	case "window", "globalThis", "self", "global":
		return true
	}
	return false
}

// checkModule looks at a require("…"), import("…") or import … from "…".
func (c *checker) checkModule(f jsFile, toks []jsToken, i int, report func(int, string, Severity, string, ...any)) {
	var spec *jsToken
	switch {
	case i+2 < len(toks) && toks[i+1].Value == "(" && toks[i+2].Kind == tokString:
		spec = &toks[i+2]
	case toks[i].Value == "import":
		// import x from "m" / import {a} from "m" / import "m": the first
		// string before a semicolon or the next import.
		for j := i + 1; j < len(toks) && j < i+64; j++ {
			if toks[j].Kind == tokString {
				spec = &toks[j]
				break
			}
			if toks[j].Value == ";" || toks[j].Value == "import" || toks[j].Value == "(" {
				break
			}
		}
	}
	if spec == nil {
		return
	}
	s := strings.ToLower(spec.Value)
	if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "//") {
		report(spec.Off, "code.remote_script", Reject, "%s of %q loads code from the network; every script must ship in the package", toks[i].Value, spec.Value)
		return
	}
	for _, h := range findWords(s, paymentModules) {
		report(spec.Off, "code.payment_sdk", Reject, "%s of %q: %s; payment in a mini program goes through wx.requestPayment (WeChat Pay) only", toks[i].Value, spec.Value, h.entry.Why)
		return
	}
}

// checkVirtualPayment looks for virtual-goods words near the payment call
// at toks[p] (wx.requestPayment): in the script's strings within
// virtualPaymentLines lines, and in the text of the page or component the
// script belongs to.
func (c *checker) checkVirtualPayment(f jsFile, p int) {
	call := f.toks[p]
	line, col := f.pos(call.Off)
	type hit struct {
		word, why, where string
		sev              Severity
	}
	var best *hit
	consider := func(text, where string) {
		for _, v := range virtualGoods {
			if indexExcept(strings.ToLower(text), strings.ToLower(v.Word), v.Except) >= 0 {
				if best == nil || v.Severity == Reject && best.sev != Reject {
					best = &hit{v.Word, v.Why, where, v.Severity}
				}
			}
		}
	}
	for _, t := range f.toks {
		if t.Kind != tokString {
			continue
		}
		if l, _ := f.pos(t.Off); l >= line-virtualPaymentLines && l <= line+virtualPaymentLines {
			consider(t.Value, f.path+":"+itoa(l))
		}
	}
	base := strings.TrimSuffix(strings.TrimSuffix(f.path, ".js"), ".ts")
	for _, wf := range c.wxmlFiles() {
		if wf.path != base+".wxml" {
			continue
		}
		walk(wf.nodes, nil, func(n wxml.Node, _ []*wxml.Element) {
			if t, ok := n.(*wxml.Text); ok {
				consider(t.Value, c.display(wf.path)+":"+itoa(t.Pos.Line))
			}
		})
	}
	if best == nil {
		return
	}
	name := f.toks[p+2].Value
	msg := "wx.%s sells %q (%s, at %s): virtual goods must use WeChat's virtual payment, not wx.%s"
	if best.sev == Warn {
		msg = "wx.%s near %q (%s, at %s): if this sells virtual goods it must use WeChat's virtual payment, not wx.%s"
	}
	c.at(f.path, line, col, "code.virtual_payment", best.sev, msg, name, best.word, best.why, best.where, name)
}

// checkWebViews looks at each <web-view src>: a payment gateway rejects,
// a cashier-looking page warns (paying in a web page bypasses
// wx.requestPayment).
func (c *checker) checkWebViews() {
	for _, f := range c.wxmlFiles() {
		walk(f.nodes, nil, func(n wxml.Node, _ []*wxml.Element) {
			e, ok := n.(*wxml.Element)
			if !ok || e.Tag != "web-view" {
				return
			}
			src := e.Attr("src")
			if src == nil || src.Value == "" {
				return
			}
			for _, h := range findWords(src.Value, paymentURLs) {
				p := advance(src.ValuePos, src.Value[:h.off])
				c.at(f.path, p.Line, p.Col, "code.webview_payment", Reject, "<web-view> opens %q (%s): paying in a web page bypasses wx.requestPayment", src.Value, h.entry.Why)
				return
			}
			u := src.Value
			if i := strings.Index(u, "://"); i >= 0 {
				u = u[i+3:]
				if j := strings.IndexByte(u, '/'); j >= 0 {
					u = u[j:]
				} else {
					u = ""
				}
			}
			if payPagePath.MatchString(u) {
				c.at(f.path, src.ValuePos.Line, src.ValuePos.Col, "code.webview_payment", Warn, "<web-view> opens %q, which looks like a payment page: payment in a mini program goes through wx.requestPayment", src.Value)
			}
		})
	}
}
