package wire

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"

	"superapp/internal/account"
	"superapp/internal/identity"
	"superapp/internal/officialaccount"
)

// Custom menus (reference §3.1) and the auto-reply configuration read-out.
func (a *API) registerOAMenus(mux *http.ServeMux) {
	mux.HandleFunc("/cgi-bin/menu/create", a.authed(a.menuCreate))
	mux.HandleFunc("/cgi-bin/menu/get", a.authed(a.menuGet))
	mux.HandleFunc("/cgi-bin/menu/delete", a.authed(a.menuDelete))
	mux.HandleFunc("/cgi-bin/menu/addconditional", a.authed(a.menuAddConditional))
	mux.HandleFunc("/cgi-bin/menu/delconditional", a.authed(a.menuDelConditional))
	mux.HandleFunc("/cgi-bin/menu/trymatch", a.authed(a.menuTryMatch))
	mux.HandleFunc("/cgi-bin/get_current_selfmenu_info", a.authed(a.currentSelfMenu))
	mux.HandleFunc("/cgi-bin/get_current_autoreply_info", a.authed(a.currentAutoReply))
}

// Menu errcodes. The 400xx messages are WeChat's (global return-code
// table); 45064 and 65304 were seen in WeChat's answers; the other
// messages are our wording for WeChat's documented codes.
var (
	errMenuNoData         = &Error{44002, "empty post data"}
	errMenuNotExist       = &Error{46003, "menu no exist"}
	errMenuNoSuchMenuID   = &Error{65301, "menuid not exist"}
	errMenuNoDefault      = &Error{65303, "default menu not exist"}
	errMenuRuleEmpty      = &Error{65304, "match rule empty"}
	errMenuTooMany        = &Error{65305, "conditional menu count out of limit"}
	errMenuEmpty          = &Error{65307, "conditional menu empty"}
	errMenuNoType         = &Error{65308, "button without response type"}
	errMenuNoCountry      = &Error{65310, "country is empty"}
	errMenuNoProvince     = &Error{65311, "province is empty"}
	errMenuCountry        = &Error{65312, "invalid country"}
	errMenuProvince       = &Error{65313, "invalid province"}
	errMenuCity           = &Error{65314, "invalid city"}
	errMenuDomains        = &Error{65316, "menu domain count out of limit"}
	errMenuMiniProgram    = &Error{45064, "no permission to use weapp in menu"}
	errMenuMediaID        = &Error{40007, "invalid media_id"}
	errMenuArticleID      = &Error{53600, "invalid article_id"}
	errMenuPagePath       = &Error{40165, "invalid weapp pagepath"}
	errMenuTagID          = &Error{45159, "invalid tag id"}
	errMenuSubButtonLevel = &Error{40022, "invalid sub button level"}
)

// menuProblems maps a domain menu problem to its errcode for a top-level
// button and for a sub-button.
var menuProblems = map[officialaccount.MenuProblem][2]*Error{
	officialaccount.ProblemButtonCount:        {{40016, "invalid button size"}, {40023, "invalid sub button size"}},
	officialaccount.ProblemButtonType:         {{40017, "invalid button type"}, {40024, "invalid sub button type"}},
	officialaccount.ProblemButtonName:         {{40018, "invalid button name size"}, {40025, "invalid sub button name size"}},
	officialaccount.ProblemButtonKey:          {{40019, "invalid button key size"}, {40026, "invalid sub button key size"}},
	officialaccount.ProblemButtonURL:          {{40020, "invalid button url size"}, {40027, "invalid sub button url size"}},
	officialaccount.ProblemButtonURLDomain:    {{40055, "invalid button url domain"}, {40054, "invalid sub button url domain"}},
	officialaccount.ProblemSubButtonLevel:     {errMenuSubButtonLevel, errMenuSubButtonLevel},
	officialaccount.ProblemMediaID:            {errMenuMediaID, errMenuMediaID},
	officialaccount.ProblemArticleID:          {errMenuArticleID, errMenuArticleID},
	officialaccount.ProblemMiniProgram:        {errMenuMiniProgram, errMenuMiniProgram},
	officialaccount.ProblemMiniProgramPage:    {errMenuPagePath, errMenuPagePath},
	officialaccount.ProblemNoResponseType:     {errMenuNoType, errMenuNoType},
	officialaccount.ProblemEmptyMenu:          {errMenuEmpty, errMenuEmpty},
	officialaccount.ProblemNoDefaultMenu:      {errMenuNoDefault, errMenuNoDefault},
	officialaccount.ProblemNoSuchMenu:         {errMenuNoSuchMenuID, errMenuNoSuchMenuID},
	officialaccount.ProblemMatchRuleEmpty:     {errMenuRuleEmpty, errMenuRuleEmpty},
	officialaccount.ProblemTooManyConditional: {errMenuTooMany, errMenuTooMany},
	officialaccount.ProblemMissingCountry:     {errMenuNoCountry, errMenuNoCountry},
	officialaccount.ProblemMissingProvince:    {errMenuNoProvince, errMenuNoProvince},
	officialaccount.ProblemCountry:            {errMenuCountry, errMenuCountry},
	officialaccount.ProblemProvince:           {errMenuProvince, errMenuProvince},
	officialaccount.ProblemCity:               {errMenuCity, errMenuCity},
	officialaccount.ProblemTooManyDomains:     {errMenuDomains, errMenuDomains},
	officialaccount.ProblemTagID:              {errMenuTagID, errMenuTagID},
	officialaccount.ProblemMatchValue:         {ErrInvalidParameter, ErrInvalidParameter},
}

// menuError maps domain errors of the menu endpoints to errcodes; WeChat
// appends a "hint" to its messages, and ours says which field and why.
func menuError(err error) error {
	var me *officialaccount.MenuError
	if errors.As(err, &me) {
		if codes, ok := menuProblems[me.Problem]; ok {
			we := codes[0]
			if me.Sub {
				we = codes[1]
			}
			return we.With(" hint: [" + me.Error() + "]")
		}
	}
	return err
}

// menuBody reads a POST body into v; an empty body is WeChat's 44002.
func menuBody(r *http.Request, v any) error {
	if r.Method != http.MethodPost {
		return ErrMethodNotAllowed
	}
	body, err := ReadBody(r, MaxJSONBody)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return errMenuNoData
	}
	return UnmarshalJSON(body, v)
}

func (a *API) menuCreate(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := requireKind(app, account.SubscriptionAccount, account.ServiceAccount); err != nil {
		return nil, err
	}
	var req struct {
		Button []officialaccount.Button `json:"button"`
	}
	if err := menuBody(r, &req); err != nil {
		return nil, err
	}
	if _, err := a.p.OA.CreateMenu(ctx(r), app.AppID, req.Button); err != nil {
		return nil, menuError(err)
	}
	return OK(), nil
}

func (a *API) menuAddConditional(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := requireKind(app, account.SubscriptionAccount, account.ServiceAccount); err != nil {
		return nil, err
	}
	var req struct {
		Button    []officialaccount.Button `json:"button"`
		MatchRule struct {
			TagID              flexString `json:"tag_id"`
			GroupID            flexString `json:"group_id"` // the name before tags replaced groups
			Sex                flexString `json:"sex"`
			Country            flexString `json:"country"`
			Province           flexString `json:"province"`
			City               flexString `json:"city"`
			ClientPlatformType flexString `json:"client_platform_type"`
			Language           flexString `json:"language"`
		} `json:"matchrule"`
	}
	if err := menuBody(r, &req); err != nil {
		return nil, err
	}
	mr := req.MatchRule
	if mr.TagID == "" {
		mr.TagID = mr.GroupID
	}
	rule := officialaccount.MatchRule{TagID: string(mr.TagID), Sex: string(mr.Sex), Country: string(mr.Country), Province: string(mr.Province),
		City: string(mr.City), ClientPlatformType: string(mr.ClientPlatformType), Language: string(mr.Language)}
	m, err := a.p.OA.AddConditionalMenu(ctx(r), app.AppID, req.Button, rule)
	if err != nil {
		return nil, menuError(err)
	}
	// WeChat answers the id as a string (PowerWeChat parses it as one).
	return map[string]string{"menuid": strconv.FormatInt(m.MenuID, 10)}, nil
}

func (a *API) menuDelConditional(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := requireKind(app, account.SubscriptionAccount, account.ServiceAccount); err != nil {
		return nil, err
	}
	var req struct {
		MenuID flexString `json:"menuid"`
	}
	if err := menuBody(r, &req); err != nil {
		return nil, err
	}
	id, err := strconv.ParseInt(string(req.MenuID), 10, 64)
	if err != nil {
		return nil, errMenuNoSuchMenuID.With(" hint: [menuid " + strconv.Quote(string(req.MenuID)) + " is not a menu id]")
	}
	if err := a.p.OA.DeleteConditionalMenu(ctx(r), app.AppID, id); err != nil {
		return nil, menuError(err)
	}
	return OK(), nil
}

func (a *API) menuDelete(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := requireKind(app, account.SubscriptionAccount, account.ServiceAccount); err != nil {
		return nil, err
	}
	if err := a.p.OA.DeleteMenus(ctx(r), app.AppID); err != nil {
		return nil, err
	}
	return OK(), nil
}

// menuButton is a button as menu/get and trymatch show it: every button
// carries sub_button, empty for a leaf.
type menuButton struct {
	Type      string       `json:"type,omitempty"`
	Name      string       `json:"name"`
	Key       string       `json:"key,omitempty"`
	URL       string       `json:"url,omitempty"`
	MediaID   string       `json:"media_id,omitempty"`
	ArticleID string       `json:"article_id,omitempty"`
	AppID     string       `json:"appid,omitempty"`
	PagePath  string       `json:"pagepath,omitempty"`
	SubButton []menuButton `json:"sub_button"`
}

func menuButtons(bs []officialaccount.Button) []menuButton {
	out := make([]menuButton, len(bs))
	for i, b := range bs {
		out[i] = menuButton{Type: b.Type, Name: b.Name, Key: b.Key, URL: b.URL, MediaID: b.MediaID, ArticleID: b.ArticleID,
			AppID: b.AppID, PagePath: b.PagePath, SubButton: menuButtons(b.SubButtons)}
	}
	return out
}

// matchRuleJSON is a match rule as menu/get shows it: the tag still named
// group_id, every value a string (WeChat's answers as SDK maintainers
// captured them, e.g. "matchrule":{"group_id":"102"}; the documented example
// with numbers is not what the server sends); unset fields left out.
type matchRuleJSON struct {
	GroupID            string `json:"group_id,omitempty"`
	Sex                string `json:"sex,omitempty"`
	Country            string `json:"country,omitempty"`
	Province           string `json:"province,omitempty"`
	City               string `json:"city,omitempty"`
	ClientPlatformType string `json:"client_platform_type,omitempty"`
	Language           string `json:"language,omitempty"`
}

func (a *API) menuGet(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := requireKind(app, account.SubscriptionAccount, account.ServiceAccount); err != nil {
		return nil, err
	}
	menus, err := a.p.OA.Menus(ctx(r), app.AppID)
	if err != nil {
		return nil, err
	}
	if menus.Default == nil {
		return nil, errMenuNotExist
	}
	type menuJSON struct {
		Button []menuButton `json:"button"`
		MenuID int64        `json:"menuid"`
	}
	type conditionalJSON struct {
		Button    []menuButton  `json:"button"`
		MatchRule matchRuleJSON `json:"matchrule"`
		MenuID    int64         `json:"menuid"`
	}
	out := struct {
		Menu            menuJSON          `json:"menu"`
		ConditionalMenu []conditionalJSON `json:"conditionalmenu,omitempty"`
	}{Menu: menuJSON{Button: menuButtons(menus.Default.Buttons), MenuID: menus.Default.MenuID}}
	// Oldest first, in the order they were published.
	for i := len(menus.Conditional) - 1; i >= 0; i-- {
		c := menus.Conditional[i]
		mr := c.MatchRule
		out.ConditionalMenu = append(out.ConditionalMenu, conditionalJSON{Button: menuButtons(c.Buttons), MenuID: c.MenuID,
			MatchRule: matchRuleJSON{GroupID: mr.TagID, Sex: mr.Sex, Country: mr.Country, Province: mr.Province,
				City: mr.City, ClientPlatformType: mr.ClientPlatformType, Language: mr.Language}})
	}
	return out, nil
}

func (a *API) menuTryMatch(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := requireKind(app, account.SubscriptionAccount, account.ServiceAccount); err != nil {
		return nil, err
	}
	var req struct {
		UserID string `json:"user_id"`
	}
	if err := menuBody(r, &req); err != nil {
		return nil, err
	}
	if req.UserID == "" {
		return nil, ErrOpenIDMissing
	}
	u, err := a.p.Identity.ByOpenID(ctx(r), app.AppID, req.UserID)
	if errors.Is(err, identity.ErrOpenIDNotFound) {
		return nil, ErrInvalidOpenID
	}
	if err != nil {
		return nil, err
	}
	m, err := a.p.OA.MenuFor(ctx(r), app.AppID, u.ID)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errMenuNotExist
	}
	return map[string]any{"button": menuButtons(m.Buttons)}, nil
}

// selfMenuButton is a button as get_current_selfmenu_info shows it:
// sub-buttons under {"list": […]}, a material's id as value.
type selfMenuButton struct {
	Type      string          `json:"type,omitempty"`
	Name      string          `json:"name"`
	Key       string          `json:"key,omitempty"`
	URL       string          `json:"url,omitempty"`
	Value     string          `json:"value,omitempty"`
	AppID     string          `json:"appid,omitempty"`
	PagePath  string          `json:"pagepath,omitempty"`
	NewsInfo  *newsReadout    `json:"news_info,omitempty"`
	SubButton *selfMenuSubset `json:"sub_button,omitempty"`
}

type selfMenuSubset struct {
	List []selfMenuButton `json:"list"`
}

// newsReadout is a news material as WeChat's read-outs show it.
type newsReadout struct {
	List []newsReadoutItem `json:"list"`
}

type newsReadoutItem struct {
	Title      string `json:"title"`
	Author     string `json:"author"`
	Digest     string `json:"digest"`
	ShowCover  int    `json:"show_cover"`
	CoverURL   string `json:"cover_url"`
	ContentURL string `json:"content_url"`
	SourceURL  string `json:"source_url"`
}

func newsReadoutOf(articles []officialaccount.Article) *newsReadout {
	n := &newsReadout{List: make([]newsReadoutItem, len(articles))}
	for i, art := range articles {
		n.List[i] = newsReadoutItem{Title: art.Title, Digest: art.Description, CoverURL: art.PicURL, ContentURL: art.URL}
		if art.PicURL != "" {
			n.List[i].ShowCover = 1
		}
	}
	return n
}

func selfMenuButtons(bs []officialaccount.Button) []selfMenuButton {
	out := make([]selfMenuButton, len(bs))
	for i, b := range bs {
		sb := selfMenuButton{Type: b.Type, Name: b.Name, Key: b.Key, URL: b.URL, AppID: b.AppID, PagePath: b.PagePath}
		switch {
		case len(b.SubButtons) > 0:
			sb.SubButton = &selfMenuSubset{List: selfMenuButtons(b.SubButtons)}
		case b.MediaID != "" || b.ArticleID != "":
			sb.Value = b.MediaID + b.ArticleID
			sb.NewsInfo = newsReadoutOf([]officialaccount.Article{officialaccount.MaterialCard(b)})
		}
		out[i] = sb
	}
	return out
}

func (a *API) currentSelfMenu(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := requireKind(app, account.SubscriptionAccount, account.ServiceAccount); err != nil {
		return nil, err
	}
	menus, err := a.p.OA.Menus(ctx(r), app.AppID)
	if err != nil {
		return nil, err
	}
	type selfMenuInfo struct {
		Button []selfMenuButton `json:"button"`
	}
	out := struct {
		IsMenuOpen   int          `json:"is_menu_open"`
		SelfMenuInfo selfMenuInfo `json:"selfmenu_info"`
	}{SelfMenuInfo: selfMenuInfo{Button: []selfMenuButton{}}}
	if menus.Default != nil {
		out.IsMenuOpen = 1
		out.SelfMenuInfo.Button = selfMenuButtons(menus.Default.Buttons)
	}
	return out, nil
}

// autoReplyInfo is a reply as get_current_autoreply_info shows it.
type autoReplyInfo struct {
	Type     string       `json:"type"`
	Content  string       `json:"content,omitempty"`
	NewsInfo *newsReadout `json:"news_info,omitempty"`
}

func replyInfo(a officialaccount.AutoReply) autoReplyInfo {
	if a.Type == "news" {
		return autoReplyInfo{Type: a.Type, NewsInfo: newsReadoutOf(a.News)}
	}
	return autoReplyInfo{Type: a.Type, Content: a.Content}
}

func (a *API) currentAutoReply(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := requireKind(app, account.SubscriptionAccount, account.ServiceAccount); err != nil {
		return nil, err
	}
	doc, err := a.p.OA.AutoReplies(ctx(r), app.AppID)
	if err != nil {
		return nil, err
	}
	type keywordInfo struct {
		Type      string `json:"type"`
		MatchMode string `json:"match_mode"`
		Content   string `json:"content"`
	}
	type ruleInfo struct {
		RuleName        string          `json:"rule_name"`
		CreateTime      int64           `json:"create_time"`
		ReplyMode       string          `json:"reply_mode"`
		KeywordListInfo []keywordInfo   `json:"keyword_list_info"`
		ReplyListInfo   []autoReplyInfo `json:"reply_list_info"`
	}
	type ruleList struct {
		List []ruleInfo `json:"list"`
	}
	out := struct {
		IsAddFriendReplyOpen        int            `json:"is_add_friend_reply_open"`
		IsAutoreplyOpen             int            `json:"is_autoreply_open"`
		AddFriendAutoreplyInfo      *autoReplyInfo `json:"add_friend_autoreply_info,omitempty"`
		MessageDefaultAutoreplyInfo *autoReplyInfo `json:"message_default_autoreply_info,omitempty"`
		KeywordAutoreplyInfo        ruleList       `json:"keyword_autoreply_info"`
	}{KeywordAutoreplyInfo: ruleList{List: []ruleInfo{}}}
	if doc.FollowReply.Reply != nil {
		info := replyInfo(*doc.FollowReply.Reply)
		out.AddFriendAutoreplyInfo = &info
	}
	if doc.FollowReply.Enabled {
		out.IsAddFriendReplyOpen = 1
	}
	if doc.DefaultReply.Reply != nil {
		info := replyInfo(*doc.DefaultReply.Reply)
		out.MessageDefaultAutoreplyInfo = &info
	}
	// Message auto-replies are on when anything answers a message.
	if doc.DefaultReply.Enabled || len(doc.KeywordRules) > 0 {
		out.IsAutoreplyOpen = 1
	}
	for _, rule := range doc.KeywordRules {
		ri := ruleInfo{RuleName: rule.RuleName, CreateTime: rule.CreateTime, ReplyMode: rule.ReplyMode}
		for _, k := range rule.Keywords {
			ri.KeywordListInfo = append(ri.KeywordListInfo, keywordInfo{Type: "text", MatchMode: k.MatchMode, Content: k.Content})
		}
		for _, rep := range rule.Replies {
			ri.ReplyListInfo = append(ri.ReplyListInfo, replyInfo(rep))
		}
		out.KeywordAutoreplyInfo.List = append(out.KeywordAutoreplyInfo.List, ri)
	}
	return out, nil
}
