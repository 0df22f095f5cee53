package review

import (
	"strings"
	"unicode/utf8"
)

// Name rules (platform-rules.md §3.2). The word tables below are the whole
// of what the rules know; docs/review-rules.md lists them with their sources.

const (
	nameMinWidth = 4
	nameMaxWidth = 30
)

// superlativeWords are Advertising Law (广告法 Art. 9(3)) absolute terms
// that WeChat names among the reasons to refuse a name.
var superlativeWords = []wordEntry{
	{Word: "国家级", Why: "Advertising Law: 国家级 is an absolute term"},
	{Word: "世界级", Why: "Advertising Law: absolute term"},
	{Word: "最高级", Why: "Advertising Law: absolute term"},
	{Word: "第一", Why: "Advertising Law: ranking claim (第一, 第一品牌…)", Except: []string{"第一次", "第一课", "第一章", "第一季", "第一集"}},
	{Word: "唯一", Why: "Advertising Law: exclusivity claim"},
	{Word: "首个", Why: "Advertising Law: exclusivity claim"},
	{Word: "首家", Why: "Advertising Law: exclusivity claim"},
	{Word: "顶级", Why: "Advertising Law: absolute term"},
	{Word: "极品", Why: "Advertising Law: absolute term"},
	{Word: "独一无二", Why: "Advertising Law: exclusivity claim"},
	{Word: "全网最", Why: "Advertising Law: superlative"},
	{Word: "史上最", Why: "Advertising Law: superlative"},
	{Word: "No.1", Why: "Advertising Law: ranking claim"},
}

// superlativeAfterZui: 最 followed by one of these is a superlative claim
// (最佳, 最好, 最强…) and rejects the name. 最 followed by anything else
// (最近 recent, 最后 last, 最初, 最终 — time and order words) is left to the
// reviewer: a warn finding unless it is one of zuiNeutral.
var superlativeAfterZui = []string{
	"佳", "好", "优", "强", "大", "高", "低", "全", "快", "便宜", "先进", "专业", "权威", "热", "火", "红",
	"牛", "美", "惠", "省", "靠谱", "正宗", "具", "新", "棒", "赞", "准", "多", "受欢迎", "安全", "实惠", "划算",
}

// zuiNeutral are words starting with 最 that claim nothing.
var zuiNeutral = []string{"最近", "最后", "最初", "最终", "最末"}

// miniProgramWords may not be in a name (setnickname: the nickname must not
// contain 小程序).
var miniProgramWords = []wordEntry{
	{Word: "小程序", Why: "names must not contain 小程序 (setnickname)"},
	{Word: "mini program", Why: "names must not name the platform"},
	{Word: "miniprogram", Why: "names must not name the platform"},
}

// inducingWords: WeChat's notice on inducing names (运营规范 2.2).
var inducingWords = []wordEntry{
	{Word: "转发", Why: "induces sharing (转发)"},
	{Word: "分享", Why: "induces sharing (分享)"},
	{Word: "速看", Why: "clickbait (速看)"},
	{Word: "在看", Why: "induces interaction (在看)"},
	{Word: "震惊", Why: "shock word (震惊…)"},
	{Word: "必看", Why: "clickbait (必看)"},
}

// genericNames are single common words a name may not be by itself
// (§3.2: 电话, 邮件, 日历; common game names like 斗地主).
var genericNames = []string{
	"电话", "邮件", "邮箱", "日历", "计算器", "天气", "地图", "相机", "相册", "闹钟", "时钟", "手电筒",
	"备忘录", "笔记", "通讯录", "短信", "音乐", "视频", "新闻", "翻译", "浏览器", "游戏", "商城",
	"斗地主", "麻将", "象棋", "围棋", "五子棋", "跳棋", "军棋", "扑克", "消消乐", "俄罗斯方块", "贪吃蛇",
}

// brand is a well-known brand and words one of its owners' legal names
// holds. A name with the brand passes only when the subject's name holds
// one of Owners.
type brand struct {
	Word   string
	Owners []string
}

var brands = []brand{
	{"微信", []string{"腾讯"}},
	{"腾讯", []string{"腾讯"}},
	{"QQ", []string{"腾讯"}},
	{"支付宝", []string{"支付宝", "蚂蚁"}},
	{"淘宝", []string{"淘宝", "阿里巴巴"}},
	{"天猫", []string{"天猫", "阿里巴巴"}},
	{"阿里巴巴", []string{"阿里巴巴"}},
	{"京东", []string{"京东"}},
	{"美团", []string{"美团", "三快"}},
	{"拼多多", []string{"拼多多", "寻梦"}},
	{"抖音", []string{"抖音", "字节跳动"}},
	{"百度", []string{"百度"}},
	{"华为", []string{"华为"}},
	{"小米", []string{"小米"}},
	{"滴滴", []string{"滴滴"}},
	{"饿了么", []string{"拉扎斯", "饿了么"}},
	{"携程", []string{"携程"}},
	{"网易", []string{"网易"}},
	{"微博", []string{"微梦", "新浪"}},
	{"星巴克", []string{"星巴克"}},
	{"肯德基", []string{"肯德基", "百胜"}},
	{"麦当劳", []string{"麦当劳", "金拱门"}},
	{"中国移动", []string{"中国移动"}},
	{"中国银行", []string{"中国银行"}},
}

func (c *checker) checkName() {
	name := strings.TrimSpace(c.meta.Name)
	if name == "" {
		c.app("name.length", Reject, "the app has no name: a mini program needs a name of %d–%d characters (a Chinese character counts 2)", nameMinWidth, nameMaxWidth)
		return
	}
	if w := nameWidth(name); w < nameMinWidth || w > nameMaxWidth {
		c.app("name.length", Reject, "name %q is %d characters long (a Chinese character counts 2); it must be %d–%d", name, w, nameMinWidth, nameMaxWidth)
	}
	for _, h := range findWords(name, superlativeWords) {
		c.app("name.superlative", Reject, "name %q contains %q: %s", name, h.entry.Word, h.entry.Why)
	}
	c.checkZui(name)
	for _, h := range findWords(name, miniProgramWords) {
		c.app("name.miniprogram", Reject, "name %q contains %q: %s", name, h.entry.Word, h.entry.Why)
	}
	for _, h := range findWords(name, inducingWords) {
		c.app("name.inducing", Reject, "name %q contains %q: %s; names must not induce sharing or clicks", name, h.entry.Word, h.entry.Why)
	}
	for _, g := range genericNames {
		if name == g {
			c.app("name.generic", Reject, "name %q is a generic word; add what makes the service yours (e.g. a brand or a place)", name)
		}
	}
	subject := c.meta.SubjectName
	for _, b := range brands {
		if !strings.Contains(strings.ToLower(name), strings.ToLower(b.Word)) {
			continue
		}
		owned := false
		for _, o := range b.Owners {
			if strings.Contains(subject, o) {
				owned = true
			}
		}
		if !owned {
			who := "the subject"
			if subject != "" {
				who = "the subject " + quote(subject)
			}
			c.app("name.brand", Reject, "name %q contains the brand %q and %s is not its owner (a name may use a brand only with proof of the right to it)", name, b.Word, who)
		}
	}
}

// checkZui flags 最 + adjective (reject) and other 最 words (warn).
func (c *checker) checkZui(name string) {
	for i := 0; i < len(name); {
		j := strings.Index(name[i:], "最")
		if j < 0 {
			return
		}
		i += j
		rest := name[i+len("最"):]
		if strings.HasPrefix(name[max(0, i-len("全网")):], "全网最") || strings.HasPrefix(name[max(0, i-len("史上")):], "史上最") || strings.HasPrefix(rest, "高级") {
			// Reported by the superlative word table already.
			i += len("最")
			continue
		}
		neutral := false
		for _, w := range zuiNeutral {
			if strings.HasPrefix(name[i:], w) {
				neutral = true
			}
		}
		adjective := ""
		for _, a := range superlativeAfterZui {
			if strings.HasPrefix(rest, a) {
				adjective = a
			}
		}
		switch {
		case neutral:
		case adjective != "":
			c.app("name.superlative", Reject, "name %q contains %q: 最 + adjective is a superlative the Advertising Law forbids", name, "最"+adjective)
		case rest != "":
			r, _ := utf8.DecodeRuneInString(rest)
			c.app("name.superlative", Warn, "name %q contains %q: a reviewer checks whether it is a superlative claim", name, "最"+string(r))
		}
		i += len("最")
	}
}

func quote(s string) string { return "\u201c" + s + "\u201d" }
