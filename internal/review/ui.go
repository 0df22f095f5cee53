package review

import (
	"regexp"
	"strings"

	"superapp/internal/miniprogram/wxml"
)

// UI rules: pages must not pass themselves off as WeChat (system notices,
// red packets, customer service) nor make sharing the price of something
// (运营规范 5.1 滥用分享; platform-rules.md §3.2, §3.3).

// impersonation: text naming WeChat itself as the speaker; rejects wherever
// it shows.
var impersonation = []wordEntry{
	{Word: "微信团队", Why: "speaks as the WeChat team"},
	{Word: "微信官方", Why: "speaks as WeChat"},
	{Word: "腾讯官方", Why: "speaks as Tencent"},
	{Word: "微信安全中心", Why: "speaks as WeChat's security centre"},
}

// systemNotice: wording of system notifications; rejects inside a
// notification-like element (an overlay, a toast, a banner), warns
// elsewhere (a settings page may legitimately say 系统通知).
var systemNotice = []wordEntry{
	{Word: "系统通知", Why: "system notification"},
	{Word: "系统消息", Why: "system message"},
	{Word: "服务通知", Why: "WeChat's service-notification inbox"},
	{Word: "您有一条新消息", Why: "new-message notification"},
	{Word: "你有一条新消息", Why: "new-message notification"},
	{Word: "您有新消息", Why: "new-message notification"},
	{Word: "新消息提醒", Why: "new-message notification"},
}

// overlayWords: an element whose class or id holds one of these is drawn
// over the page (a popup, a toast, a notification bar).
var overlayWords = []string{"mask", "modal", "popup", "pop-up", "overlay", "dialog", "layer", "notify",
	"notice", "notification", "toast", "alert", "float", "banner-msg", "message-bar"}

// overlayTags are components drawn over the page by themselves.
var overlayTags = map[string]bool{"page-container": true, "root-portal": true, "cover-view": true}

// redPacketOpen: words of opening a red packet (拆, 开, 開).
var redPacketOpen = []string{"拆", "開", "开"}

// inducedShare: sharing or inviting made the condition of a reward.
var inducedShare = []*regexp.Regexp{
	regexp.MustCompile(`(分享|转发|邀请)[^。！!？?\n]{0,12}?(群|好友|朋友|朋友圈)[^。！!？?\n]{0,12}?(才能|才可|即可|就能|就可|可领|解锁|领取|获得|得到|免费|助力)`),
	regexp.MustCompile(`(分享|转发)(后|之后|成功)[^。！!？?\n]{0,8}?(才能|才可|即可|就能|解锁|领取|获得|查看)`),
}

// modalAPIs: strings passed to these show in WeChat's own dialogs.
var modalAPIs = map[string]bool{"showModal": true, "showToast": true, "showActionSheet": true, "showLoading": true}

func (c *checker) checkUI() {
	for _, f := range c.wxmlFiles() {
		c.checkPageUI(f)
	}
	for _, t := range c.contentTexts() {
		if t.atKey { // titles: WXML text is checked with its element below
			c.inducedShare(t.file, t.text, t.at)
		}
	}
	for _, f := range c.jsFiles() {
		c.checkModalStrings(f)
	}
}

func (c *checker) inducedShare(file, text string, at func(int) wxml.Pos) bool {
	for _, re := range inducedShare {
		if loc := re.FindStringIndex(text); loc != nil {
			p := at(loc[0])
			c.at(file, p.Line, p.Col, "ui.induced_share", Reject, "%q makes sharing the condition of a reward (运营规范 5.1 滥用分享)", text[loc[0]:loc[1]])
			return true
		}
	}
	return false
}

func (c *checker) checkPageUI(f wxmlFile) {
	fixed := c.fixedClasses(f.path)
	overlay := func(e *wxml.Element) bool { return isOverlay(e, fixed) }
	// Each outermost overlay is judged as a whole (a red packet is a 红包
	// text and an 开 button somewhere inside one popup).
	walk(f.nodes, nil, func(n wxml.Node, parents []*wxml.Element) {
		if e, ok := n.(*wxml.Element); ok && overlay(e) && !anyOf(parents, overlay) {
			c.checkOverlay(f, e)
		}
		t, ok := n.(*wxml.Text)
		if !ok {
			return
		}
		at := func(off int) wxml.Pos { return advance(t.Pos, t.Value[:off]) }
		for _, h := range findWords(t.Value, impersonation) {
			p := at(h.off)
			c.at(f.path, p.Line, p.Col, "ui.fake_system_notice", Reject, "%q %s: pages must not pass for WeChat's own messages", h.entry.Word, h.entry.Why)
		}
		inOverlay := anyOf(parents, overlay)
		for _, h := range findWords(t.Value, systemNotice) {
			p := at(h.off)
			if inOverlay {
				c.at(f.path, p.Line, p.Col, "ui.fake_system_notice", Reject, "%q (%s) in a popup or notification bar imitates WeChat's system notifications", h.entry.Word, h.entry.Why)
			} else {
				c.at(f.path, p.Line, p.Col, "ui.fake_system_notice", Warn, "%q (%s): a reviewer checks it is not styled as a system notification", h.entry.Word, h.entry.Why)
			}
		}
		c.inducedShare(f.path, t.Value, at)
		// A tappable 客服 entry outside a popup that is not WeChat's
		// customer service (open-type="contact") may open a home-made chat.
		if i := strings.Index(t.Value, "客服"); i >= 0 && !inOverlay {
			tap := tappable(parents)
			if tap != nil && !anyOf(parents, isContact) {
				p := at(i)
				c.at(f.path, p.Line, p.Col, "ui.fake_customer_service", Warn, "<%s> with 客服 does not use open-type=\"contact\": customer service in a mini program is WeChat's (a phone call is fine)", tap.Tag)
			}
		}
	})
}

// checkOverlay judges one popup: a red packet to open, or a customer
// service chat drawn by the page.
func (c *checker) checkOverlay(f wxmlFile, e *wxml.Element) {
	ts := texts(e)
	var packet *wxml.Text
	packetOff := 0
	opens := false
	service := -1
	var serviceText *wxml.Text
	for _, t := range ts {
		if i := strings.Index(t.Value, "红包"); i >= 0 && packet == nil {
			packet, packetOff = t, i
		}
		// An opening word counts outside the word 红包 itself.
		rest := strings.ReplaceAll(t.Value, "红包", "")
		for _, w := range redPacketOpen {
			if strings.Contains(rest, w) {
				opens = true
			}
		}
		if i := strings.Index(t.Value, "客服"); i >= 0 && serviceText == nil {
			serviceText, service = t, i
		}
	}
	if packet != nil && opens {
		p := advance(packet.Pos, packet.Value[:packetOff])
		c.at(f.path, p.Line, p.Col, "ui.fake_red_packet", Reject, "a popup with a red packet to open (红包 + 拆/开) imitates WeChat's red packets")
	}
	if serviceText != nil && !contains(e, isContact) {
		p := advance(serviceText.Pos, serviceText.Value[:service])
		c.at(f.path, p.Line, p.Col, "ui.fake_customer_service", Reject, "a popup presenting 客服 without WeChat's customer service (open-type=\"contact\") imitates a customer-service dialog")
	}
}

// checkModalStrings reads the strings passed to wx.showModal and friends:
// they show in WeChat's own dialogs, so WeChat's voice or a red packet
// there rejects, and so does induced sharing.
func (c *checker) checkModalStrings(f jsFile) {
	toks := f.toks
	for i := 0; i+3 < len(toks); i++ {
		if toks[i].Kind != tokIdent || toks[i].Value != "wx" || toks[i+1].Value != "." || !modalAPIs[toks[i+2].Value] {
			continue
		}
		args := callArgs(toks, i+3)
		all := ""
		for _, t := range args {
			if t.Kind == tokString {
				all += t.Value + "\n"
			}
		}
		for _, t := range args {
			if t.Kind != tokString {
				continue
			}
			at := func(off int) wxml.Pos {
				l, col := f.pos(t.ValueOff + off)
				return wxml.Pos{Line: l, Col: col}
			}
			for _, h := range findWords(t.Value, impersonation) {
				p := at(h.off)
				c.at(f.path, p.Line, p.Col, "ui.fake_system_notice", Reject, "wx.%s shows %q (%s): pages must not pass for WeChat's own messages", toks[i+2].Value, h.entry.Word, h.entry.Why)
			}
			for _, h := range findWords(t.Value, systemNotice) {
				p := at(h.off)
				c.at(f.path, p.Line, p.Col, "ui.fake_system_notice", Warn, "wx.%s shows %q (%s): a reviewer checks it does not imitate a system notification", toks[i+2].Value, h.entry.Word, h.entry.Why)
			}
			if j := strings.Index(t.Value, "红包"); j >= 0 {
				rest := strings.ReplaceAll(all, "红包", "")
				for _, w := range redPacketOpen {
					if strings.Contains(rest, w) {
						p := at(j)
						c.at(f.path, p.Line, p.Col, "ui.fake_red_packet", Reject, "wx.%s offers a red packet to open (红包 + 拆/开): it imitates WeChat's red packets", toks[i+2].Value)
						break
					}
				}
			}
			c.inducedShare(f.path, t.Value, at)
		}
	}
}

// isOverlay reports whether e is drawn over the page: an overlay
// component, a class or id naming a popup, or position: fixed (inline or
// through a class the page's or app's WXSS fixes).
func isOverlay(e *wxml.Element, fixed map[string]bool) bool {
	if overlayTags[e.Tag] {
		return true
	}
	for _, name := range []string{"class", "id"} {
		a := e.Attr(name)
		if a == nil {
			continue
		}
		v := strings.ToLower(a.Value)
		for _, w := range overlayWords {
			if strings.Contains(v, w) {
				return true
			}
		}
		if name == "class" {
			for _, cls := range strings.Fields(a.Value) {
				if fixed[cls] {
					return true
				}
			}
		}
	}
	if s := e.Attr("style"); s != nil && fixedPosition.MatchString(s.Value) {
		return true
	}
	return false
}

var (
	fixedPosition = regexp.MustCompile(`position\s*:\s*fixed`)
	wxssRule      = regexp.MustCompile(`([^{}]+)\{([^{}]*)\}`)
	wxssClass     = regexp.MustCompile(`\.([A-Za-z_][A-Za-z0-9_-]*)`)
)

// fixedClasses are the classes that app.wxss or the WXML file's own WXSS
// position fixed.
func (c *checker) fixedClasses(wxmlPath string) map[string]bool {
	out := map[string]bool{}
	for _, f := range []string{"app.wxss", strings.TrimSuffix(wxmlPath, ".wxml") + ".wxss"} {
		if !c.p.Has(f) {
			continue
		}
		src, err := c.p.Read(f)
		if err != nil {
			continue
		}
		for _, m := range wxssRule.FindAllStringSubmatch(string(src), -1) {
			if fixedPosition.MatchString(m[2]) {
				for _, cm := range wxssClass.FindAllStringSubmatch(m[1], -1) {
					out[cm[1]] = true
				}
			}
		}
	}
	return out
}

func isContact(e *wxml.Element) bool {
	a := e.Attr("open-type")
	return a != nil && a.Value == "contact"
}

// tappable is the innermost enclosing element a tap acts on, or nil.
func tappable(parents []*wxml.Element) *wxml.Element {
	for i := len(parents) - 1; i >= 0; i-- {
		e := parents[i]
		if e.Tag == "button" || e.Tag == "navigator" {
			return e
		}
		for _, a := range e.Attrs {
			switch a.Name {
			case "bindtap", "catchtap", "bind:tap", "catch:tap", "mut-bind:tap", "capture-bind:tap":
				return e
			}
		}
	}
	return nil
}

func anyOf(es []*wxml.Element, pred func(*wxml.Element) bool) bool {
	for _, e := range es {
		if pred(e) {
			return true
		}
	}
	return false
}

// contains reports whether e or an element under it satisfies pred.
func contains(e *wxml.Element, pred func(*wxml.Element) bool) bool {
	if pred(e) {
		return true
	}
	found := false
	walk(e.Children, nil, func(n wxml.Node, _ []*wxml.Element) {
		if el, ok := n.(*wxml.Element); ok && pred(el) {
			found = true
		}
	})
	return found
}
