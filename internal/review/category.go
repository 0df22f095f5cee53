package review

import (
	"strings"

	"superapp/internal/miniprogram/wxml"
)

// Category rules (platform-rules.md §3.3 "5.7 类目不符", §3.4 sensitive
// categories and their qualifications).

// regulatedKind is a kind of service WeChat allows only under its own
// categories: content with one of Keywords needs a declared category
// matching Match; Sensitive kinds also need one of Qualifications filed.
type regulatedKind struct {
	Kind     string // "medical", "finance", …
	Label    string // what reviewers call the category
	Keywords []wordEntry
	// Match lists words one of the declared category's levels must hold.
	Match          []string
	Sensitive      bool
	Qualifications []string
}

var regulatedKinds = []regulatedKind{
	{
		Kind: "medical", Label: "医疗服务 (medical)",
		Keywords: []wordEntry{
			{Word: "挂号", Why: "hospital registration"},
			{Word: "问诊", Why: "consultation with a doctor"},
			{Word: "处方", Why: "prescriptions"},
			{Word: "药品", Why: "sale of medicines"},
			{Word: "购药", Why: "sale of medicines"},
		},
		Match:     []string{"医疗", "医药"},
		Sensitive: true,
		Qualifications: []string{"医疗机构执业许可证", "互联网医院执业许可证", "药品经营许可证",
			"互联网药品信息服务资格证书", "医疗器械经营许可证"},
	},
	{
		Kind: "finance", Label: "金融业 (finance)",
		Keywords: []wordEntry{
			{Word: "理财", Why: "wealth management"},
			{Word: "贷款", Why: "loans"},
			{Word: "保险", Why: "insurance", Except: []string{"保险柜", "保险箱", "保险丝", "保险杠"}},
			{Word: "股票", Why: "securities"},
			{Word: "证券", Why: "securities"},
			{Word: "期货", Why: "futures"},
			{Word: "基金", Why: "funds", Except: []string{"基金会"}},
		},
		Match:     []string{"金融"},
		Sensitive: true,
		Qualifications: []string{"金融许可证", "经营证券期货业务许可证", "基金销售业务资格证书",
			"保险公司法人许可证", "经营保险业务许可证", "经营保险代理业务许可证", "经营保险经纪业务许可证",
			"保险兼业代理业务许可证", "网络小额贷款业务许可", "支付业务许可证"},
	},
	{
		// §3.3: 时政信息 is a category WeChat names (CAC filing); news on
		// current politics needs it and a news licence.
		Kind: "politics", Label: "时政信息 (current-affairs news)",
		Keywords:       []wordEntry{{Word: "时政", Why: "current-affairs news"}},
		Match:          []string{"时政"},
		Sensitive:      true,
		Qualifications: []string{"互联网新闻信息服务许可证"},
	},
	{
		// §3.3: 社交 categories need CAC filing; a live room is 社交-直播.
		Kind: "live", Label: "社交-直播 (live streaming)",
		Keywords: []wordEntry{{Word: "直播间", Why: "live streaming room"}},
		Match:    []string{"直播"},
	},
}

func (k *regulatedKind) declared(cats []Category) bool {
	for _, c := range cats {
		for _, m := range k.Match {
			if strings.Contains(c.First, m) || strings.Contains(c.Second, m) || strings.Contains(c.Third, m) {
				return true
			}
		}
	}
	return false
}

// categoryQualifications: the qualifications (any one) of sensitive
// categories by "一级/二级", as the platform's category list
// (internal/account/categories.go) has them; a sensitive category not listed
// here takes its kind's list.
var categoryQualifications = map[string][]string{
	"医疗服务/公立医疗机构": {"医疗机构执业许可证"},
	"医疗服务/私立医疗机构": {"医疗机构执业许可证"},
	"医疗服务/互联网医院":  {"医疗机构执业许可证", "互联网诊疗许可"},
	"金融业/保险":      {"保险公司法人许可证", "经营保险业务许可证", "保险代理业务许可证", "保险经纪业务许可证", "经营保险代理业务许可证", "经营保险经纪业务许可证", "保险兼业代理业务许可证"},
	"金融业/银行":      {"金融许可证"},
	"金融业/证券/期货":   {"经营证券期货业务许可证"},
	"金融业/基金":      {"经营证券期货业务许可证", "基金销售业务资格证书"},
	"社交/社区/论坛":    {"互联网信息服务备案"},
}

// requiredQualifications is what a declared category needs filed (any
// one), or nil when it is not sensitive.
func requiredQualifications(cat Category) (label string, quals []string) {
	key := cat.First + "/" + cat.Second
	if q, ok := categoryQualifications[key]; ok {
		return key, q
	}
	for i := range regulatedKinds {
		k := &regulatedKinds[i]
		if k.Sensitive && k.declared([]Category{cat}) {
			return key, k.Qualifications
		}
	}
	return key, nil
}

func hasAny(filed, wanted []string) bool {
	for _, q := range filed {
		q = strings.Trim(strings.TrimSpace(q), "《》")
		for _, w := range wanted {
			if q == w {
				return true
			}
		}
	}
	return false
}

func (c *checker) checkCategory() {
	individual := c.meta.SubjectKind == "individual" || c.meta.SubjectKind == "personal"
	for _, cat := range c.meta.Categories {
		label, quals := requiredQualifications(cat)
		if quals == nil {
			continue
		}
		if individual {
			c.app("category.subject_kind", Reject, "category %s is sensitive and not open to individual subjects", label)
		}
		if !hasAny(c.meta.Qualifications, quals) {
			c.app("category.qualification", Reject, "category %s needs one of these qualifications, none is filed: %s",
				label, strings.Join(quals, ", "))
		}
	}
	for i := range regulatedKinds {
		k := &regulatedKinds[i]
		if k.declared(c.meta.Categories) {
			continue
		}
		// Not declared: content that needs it rejects. One finding per file
		// and kind (the first place), so a page full of 理财 is one line.
		reported := map[string]bool{}
		for _, t := range c.contentTexts() {
			if reported[t.file] {
				continue
			}
			for _, h := range findWords(t.text, k.Keywords) {
				reported[t.file] = true
				p := t.at(h.off)
				c.at(t.file, p.Line, p.Col, "category.content", Reject,
					"%q (%s) needs the category %s, which the app has not declared", h.entry.Word, h.entry.Why, k.Label)
				break
			}
		}
	}
}

// contentText is text a user sees: WXML text, page titles, tab texts.
type contentText struct {
	file  string
	pos   wxml.Pos
	text  string
	atKey bool // pos is a JSON key's: findings point at it, not inside the text
}

// contentTexts lists the visible texts of the project, once per Check.
func (c *checker) contentTexts() []contentText {
	if c.texts != nil {
		return c.texts
	}
	c.texts = []contentText{}
	for _, f := range c.wxmlFiles() {
		walk(f.nodes, nil, func(n wxml.Node, _ []*wxml.Element) {
			if t, ok := n.(*wxml.Text); ok && strings.TrimSpace(t.Value) != "" {
				c.texts = append(c.texts, contentText{f.path, t.Pos, t.Value, false})
			}
		})
	}
	// Titles: app.json's window, each page's own JSON, tab texts.
	title := func(file string, line, col int, v any) {
		if s, ok := v.(string); ok && s != "" {
			// Pos is the key's; the finding points there.
			c.texts = append(c.texts, contentText{file, wxml.Pos{Line: line, Col: col}, s, true})
		}
	}
	if app := c.p.App; app != nil {
		if w, ok := app.Value["window"].(map[string]any); ok {
			l, col := app.Pos("window", "navigationBarTitleText")
			title(app.Path, l, col, w["navigationBarTitleText"])
		}
		if tb, ok := app.Value["tabBar"].(map[string]any); ok {
			if list, ok := tb["list"].([]any); ok {
				for i, it := range list {
					if m, ok := it.(map[string]any); ok {
						l, col := app.Pos("tabBar", "list", itoa(i), "text")
						title(app.Path, l, col, m["text"])
					}
				}
			}
		}
	}
	for _, page := range sortedKeys(c.p.Pages) {
		u := c.p.Pages[page]
		if u.JSON != nil {
			l, col := u.JSON.Pos("navigationBarTitleText")
			title(u.JSON.Path, l, col, u.JSON.Value["navigationBarTitleText"])
		}
	}
	return c.texts
}

// at is the position of byte offset off of the text.
func (t contentText) at(off int) wxml.Pos {
	if t.atKey {
		return t.pos
	}
	return advance(t.pos, t.text[:off])
}
