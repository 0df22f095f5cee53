package officialaccount

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"superapp/internal/account"
	"superapp/internal/identity"
	"superapp/internal/input"
	"superapp/internal/store"
)

// Menu is a custom menu as WeChat's menu/create takes it.
type Menu struct {
	MenuID  int64    `json:"menuid,omitempty"`
	Buttons []Button `json:"button"`
	// MatchRule is set on conditional menus: who sees them.
	MatchRule *MatchRule `json:"matchrule,omitempty"`
}

// Button is one menu button (reference §3.1).
type Button struct {
	Type       string   `json:"type,omitempty"`
	Name       string   `json:"name"`
	Key        string   `json:"key,omitempty"`
	URL        string   `json:"url,omitempty"`
	MediaID    string   `json:"media_id,omitempty"`
	ArticleID  string   `json:"article_id,omitempty"`
	AppID      string   `json:"appid,omitempty"`
	PagePath   string   `json:"pagepath,omitempty"`
	SubButtons []Button `json:"sub_button,omitempty"`
}

// MatchRule selects the users a conditional menu is for: every field that
// is set must match. Values are strings as addconditional takes them.
type MatchRule struct {
	TagID              string `json:"tag_id,omitempty"`
	Sex                string `json:"sex,omitempty"` // 1 male, 2 female
	Country            string `json:"country,omitempty"`
	Province           string `json:"province,omitempty"`
	City               string `json:"city,omitempty"`
	ClientPlatformType string `json:"client_platform_type,omitempty"` // 1 iOS, 2 Android, 3 others
	Language           string `json:"language,omitempty"`
}

// Menus are an account's default menu and its conditional menus, newest
// first.
type Menus struct {
	Default     *Menu   `json:"menu"`
	Conditional []*Menu `json:"conditionalmenu"`
}

// Tap is a user's tap on a menu button: Top is the top-level index, Sub the
// sub-button's (-1 for a top-level button without sub-buttons). The other
// fields carry what the button type asks the user for.
type Tap struct {
	Top        int       `json:"top"`
	Sub        int       `json:"sub"`
	ScanResult string    `json:"scan_result,omitempty"` // scancode_*
	PicMD5s    []string  `json:"pic_md5s,omitempty"`    // pic_*
	Location   *Location `json:"location,omitempty"`    // location_select
}

// TapResult is what the shell does after a tap.
type TapResult struct {
	*ActResult
	OpenURL     string           `json:"open_url,omitempty"`    // view
	MiniProgram *MiniProgramLink `json:"miniprogram,omitempty"` // miniprogram
}

// ErrNoSuchButton means the user's menu has no such button.
var ErrNoSuchButton = errors.New("the menu has no such button")

// SourceMenu marks what a menu button delivers itself (a material).
const SourceMenu = "menu"

// Menu limits (reference §3.1).
const (
	maxTopButtons   = 3
	maxSubButtons   = 5
	maxTopNameBytes = 16
	maxSubNameBytes = 60
	maxKeyBytes     = 128
	maxURLBytes     = 1024
	// maxMenuDomains is how many hosts all conditional menus of an account
	// may link to together.
	maxMenuDomains = 3
	// maxConditionalMenus is our choice: WeChat documents a limit (65305)
	// but not its number.
	maxConditionalMenus = 100
	// maxRegionBytes bounds country/province/city: we hold no region table,
	// so a region name is valid when it is short, storable text.
	maxRegionBytes = 64
)

// keyButtons push their key with the event they raise.
var keyButtons = map[string]bool{"click": true, "scancode_push": true, "scancode_waitmsg": true,
	"pic_sysphoto": true, "pic_photo_or_album": true, "pic_weixin": true, "location_select": true}

// matchLanguages are the language codes a match rule may name.
var matchLanguages = []string{"zh_CN", "zh_TW", "zh_HK", "en", "id", "ms", "es", "ko", "it", "ja", "pl", "pt", "ru", "th", "vi", "ar", "hi", "he", "tr", "de", "fr"}

// MenuProblem names what makes a menu unacceptable; the wire layer maps
// each to WeChat's errcode.
type MenuProblem string

// Menu problems. ProblemButton* apply to top-level or sub-buttons
// (MenuError.Sub says which).
const (
	ProblemButtonCount        MenuProblem = "button count"
	ProblemButtonType         MenuProblem = "button type"
	ProblemButtonName         MenuProblem = "button name size"
	ProblemButtonKey          MenuProblem = "button key size"
	ProblemButtonURL          MenuProblem = "button url size"
	ProblemButtonURLDomain    MenuProblem = "button url domain"
	ProblemSubButtonLevel     MenuProblem = "sub button level"
	ProblemMediaID            MenuProblem = "media_id"
	ProblemArticleID          MenuProblem = "article_id"
	ProblemMiniProgram        MenuProblem = "miniprogram appid"
	ProblemMiniProgramPage    MenuProblem = "miniprogram pagepath"
	ProblemNoResponseType     MenuProblem = "button without a type"
	ProblemEmptyMenu          MenuProblem = "empty menu"
	ProblemNoDefaultMenu      MenuProblem = "no default menu"
	ProblemNoSuchMenu         MenuProblem = "no such menuid"
	ProblemMatchRuleEmpty     MenuProblem = "match rule empty"
	ProblemTooManyConditional MenuProblem = "conditional menu count"
	ProblemMissingCountry     MenuProblem = "province or city without country"
	ProblemMissingProvince    MenuProblem = "city without province"
	ProblemCountry            MenuProblem = "country"
	ProblemProvince           MenuProblem = "province"
	ProblemCity               MenuProblem = "city"
	ProblemTooManyDomains     MenuProblem = "menu domain count"
	ProblemTagID              MenuProblem = "tag_id"
	ProblemMatchValue         MenuProblem = "match rule value"
)

// MenuError is a menu request WeChat would refuse.
type MenuError struct {
	Problem MenuProblem
	Sub     bool   // the problem is in a sub-button
	Field   string // e.g. button[1].sub_button[0].name
	Detail  string
}

func (e *MenuError) Error() string {
	if e.Field == "" {
		return e.Detail
	}
	return e.Field + ": " + e.Detail
}

func menuErr(p MenuProblem, sub bool, field, format string, a ...any) *MenuError {
	return &MenuError{Problem: p, Sub: sub, Field: field, Detail: fmt.Sprintf(format, a...)}
}

// CreateMenu replaces appid's default menu (conditional menus stay).
func (s *Service) CreateMenu(ctx context.Context, appid string, buttons []Button) (*Menu, error) {
	if _, err := s.officialAccount(ctx, appid); err != nil {
		return nil, err
	}
	clean, err := s.checkButtons(ctx, buttons, false)
	if err != nil {
		return nil, err
	}
	if err := s.checkMenuLinks(ctx, appid, clean); err != nil {
		return nil, err
	}
	m := &Menu{Buttons: clean}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.Lock(ctx, "menus:"+appid); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM oa_menus WHERE appid = ? AND conditional = 0", appid); err != nil {
			return err
		}
		return s.insertMenuTx(ctx, tx, appid, m)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// AddConditionalMenu adds a menu for the users rule matches. The account
// needs a default menu.
func (s *Service) AddConditionalMenu(ctx context.Context, appid string, buttons []Button, rule MatchRule) (*Menu, error) {
	if _, err := s.officialAccount(ctx, appid); err != nil {
		return nil, err
	}
	clean, err := s.checkButtons(ctx, buttons, true)
	if err != nil {
		return nil, err
	}
	if err := s.checkMenuLinks(ctx, appid, clean); err != nil {
		return nil, err
	}
	m := &Menu{Buttons: clean}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.Lock(ctx, "menus:"+appid); err != nil {
			return err
		}
		menus, err := loadMenus(ctx, tx, appid)
		if err != nil {
			return err
		}
		if menus.Default == nil {
			return menuErr(ProblemNoDefaultMenu, false, "", "create a default menu (menu/create) before conditional menus")
		}
		checked, err := checkMatchRule(ctx, tx, appid, rule)
		if err != nil {
			return err
		}
		m.MatchRule = &checked
		if len(menus.Conditional) >= maxConditionalMenus {
			return menuErr(ProblemTooManyConditional, false, "", "the account already has %d conditional menus, the most allowed", maxConditionalMenus)
		}
		hosts := map[string]bool{}
		for _, c := range append(menus.Conditional, m) {
			for h := range menuHosts(c.Buttons) {
				hosts[h] = true
			}
		}
		if len(hosts) > maxMenuDomains {
			names := make([]string, 0, len(hosts))
			for h := range hosts {
				names = append(names, h)
			}
			slices.Sort(names)
			return menuErr(ProblemTooManyDomains, false, "button", "conditional menus would link to %d domains (%s); at most %d are allowed", len(hosts), strings.Join(names, ", "), maxMenuDomains)
		}
		return s.insertMenuTx(ctx, tx, appid, m)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// DeleteConditionalMenu removes one conditional menu.
func (s *Service) DeleteConditionalMenu(ctx context.Context, appid string, menuID int64) error {
	if _, err := s.officialAccount(ctx, appid); err != nil {
		return err
	}
	res, err := s.db.Exec(ctx, "DELETE FROM oa_menus WHERE appid = ? AND menu_id = ? AND conditional = 1", appid, menuID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return menuErr(ProblemNoSuchMenu, false, "menuid", "the account has no conditional menu %d", menuID)
	}
	return nil
}

// DeleteMenus removes the default menu and every conditional menu.
func (s *Service) DeleteMenus(ctx context.Context, appid string) error {
	if _, err := s.officialAccount(ctx, appid); err != nil {
		return err
	}
	_, err := s.db.Exec(ctx, "DELETE FROM oa_menus WHERE appid = ?", appid)
	return err
}

// Menus returns appid's menus (Default nil when it has none).
func (s *Service) Menus(ctx context.Context, appid string) (*Menus, error) {
	if _, err := s.officialAccount(ctx, appid); err != nil {
		return nil, err
	}
	return loadMenus(ctx, s.db, appid)
}

// MenuFor returns the menu userID sees (a matching conditional menu, else
// the default menu; nil when the account has none).
func (s *Service) MenuFor(ctx context.Context, appid, userID string) (*Menu, error) {
	menus, err := s.Menus(ctx, appid)
	if err != nil {
		return nil, err
	}
	if len(menus.Conditional) == 0 {
		return menus.Default, nil
	}
	u, err := s.ident.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	tags, err := s.userTags(ctx, appid, userID)
	if err != nil {
		return nil, err
	}
	for _, c := range menus.Conditional {
		if c.MatchRule.matches(u, tags) {
			// The user sees the menu, not whom it targets.
			return &Menu{MenuID: c.MenuID, Buttons: c.Buttons}, nil
		}
	}
	return menus.Default, nil
}

// TapButton raises the event of the tapped button.
func (s *Service) TapButton(ctx context.Context, appid, userID string, t Tap) (*TapResult, error) {
	m, err := s.MenuFor(ctx, appid, userID)
	if err != nil {
		return nil, err
	}
	if m == nil || t.Top < 0 || t.Top >= len(m.Buttons) {
		return nil, ErrNoSuchButton
	}
	b := m.Buttons[t.Top]
	switch {
	case len(b.SubButtons) == 0 && t.Sub != -1:
		return nil, ErrNoSuchButton
	case len(b.SubButtons) > 0:
		// A parent only opens its sub-menu: tapping it raises nothing.
		if t.Sub < 0 || t.Sub >= len(b.SubButtons) {
			return nil, ErrNoSuchButton
		}
		b = b.SubButtons[t.Sub]
	}
	return s.tap(ctx, appid, userID, m, b, t)
}

// Click raises the CLICK event of the button with key in the menu userID
// sees.
func (s *Service) Click(ctx context.Context, appid, userID, key string) (*ActResult, error) {
	m, err := s.MenuFor(ctx, appid, userID)
	if err != nil {
		return nil, err
	}
	if m != nil {
		for _, top := range m.Buttons {
			for _, b := range append([]Button{top}, top.SubButtons...) {
				if b.Type == "click" && b.Key == key {
					res, err := s.tap(ctx, appid, userID, m, b, Tap{})
					if err != nil {
						return nil, err
					}
					return res.ActResult, nil
				}
			}
		}
	}
	return nil, ErrNoSuchButton
}

// tap raises b's event (or delivers its material) for userID.
func (s *Service) tap(ctx context.Context, appid, userID string, m *Menu, b Button, t Tap) (*TapResult, error) {
	in := Inbound{Event: b.Type, EventKey: b.Key}
	out := &TapResult{}
	switch b.Type {
	case "click":
		in.Event = "CLICK"
	case "view":
		in.Event, in.EventKey, in.MenuID = "VIEW", b.URL, m.MenuID
		out.OpenURL = b.URL
	case "miniprogram":
		in.Event, in.EventKey, in.MenuID = "view_miniprogram", b.PagePath, m.MenuID
		out.MiniProgram = &MiniProgramLink{AppID: b.AppID, PagePath: b.PagePath}
	case "scancode_push", "scancode_waitmsg":
		if t.ScanResult == "" {
			return nil, input.Errorf("scan_result", "a scan button needs what the user scanned")
		}
		if len(t.ScanResult) > 4096 || !input.Storable(t.ScanResult) {
			return nil, input.Errorf("scan_result", "must be text of at most 4096 bytes")
		}
		in.ScanType, in.ScanResult = "qrcode", t.ScanResult
	case "pic_sysphoto", "pic_photo_or_album", "pic_weixin":
		if len(t.PicMD5s) == 0 || len(t.PicMD5s) > 9 {
			return nil, input.Errorf("pic_md5s", "a photo button needs the MD5 sums of 1 to 9 pictures")
		}
		for _, sum := range t.PicMD5s {
			if len(sum) != 32 || strings.Trim(strings.ToLower(sum), "0123456789abcdef") != "" {
				return nil, input.Errorf("pic_md5s", "each entry must be 32 hexadecimal digits")
			}
		}
		in.PicMD5s = t.PicMD5s
	case "location_select":
		// The same checks as a location message.
		loc, _, err := UserMessage{Kind: "location", Location: t.Location}.inbound()
		if err != nil {
			return nil, err
		}
		in.LocationX, in.LocationY, in.Scale, in.Label = loc.LocationX, loc.LocationY, loc.Scale, loc.Label
	case "media_id", "view_limited", "article_id", "article_view_limited":
		res, err := s.deliverMaterial(ctx, appid, userID, b)
		if err != nil {
			return nil, err
		}
		out.ActResult = res
		return out, nil
	default:
		return nil, ErrNoSuchButton
	}
	res, err := s.Event(ctx, appid, userID, in)
	if err != nil {
		return nil, err
	}
	out.ActResult = res
	return out, nil
}

// MaterialCard is how a material-type button's material reaches the user.
// There are no permanent materials yet, so the card names the media or
// article id instead of showing its content.
func MaterialCard(b Button) Article {
	switch b.Type {
	case "article_id", "article_view_limited":
		return Article{Title: b.Name, Description: "Published article " + b.ArticleID}
	}
	return Article{Title: b.Name, Description: "Material " + b.MediaID}
}

// deliverMaterial puts a material-type button's material into the
// conversation: no event is pushed for these buttons.
func (s *Service) deliverMaterial(ctx context.Context, appid, userID string, b Button) (*ActResult, error) {
	res := &ActResult{}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		f, err := s.followerTx(ctx, tx, appid, userID)
		if err != nil {
			return err
		}
		if f == nil || !f.Subscribed {
			return ErrNotFollowing
		}
		if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(message_id), 0) FROM oa_inbox WHERE user_id = ? AND appid = ?", userID, appid).Scan(&res.After); err != nil {
			return err
		}
		m := &Message{AppID: appid, Direction: Out, Kind: "news", Source: SourceMenu, Body: Body{Articles: []Article{MaterialCard(b)}}}
		res.delivered = true
		return s.deliverTx(ctx, tx, userID, m)
	})
	if err != nil {
		return nil, err
	}
	s.settled(userID, appid, res)
	return res, nil
}

// querier is the database or a transaction.
type querier interface {
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// loadMenus reads appid's menus; conditional menus newest first (menu ids
// only grow, see insertMenuTx).
func loadMenus(ctx context.Context, q querier, appid string) (*Menus, error) {
	rows, err := q.Query(ctx, "SELECT menu_id, conditional, matchrule, buttons FROM oa_menus WHERE appid = ? ORDER BY menu_id DESC", appid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := &Menus{Conditional: []*Menu{}}
	for rows.Next() {
		var m Menu
		var conditional int
		var rule, buttons string
		if err := rows.Scan(&m.MenuID, &conditional, &rule, &buttons); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(buttons), &m.Buttons); err != nil {
			return nil, fmt.Errorf("menu %d: %w", m.MenuID, err)
		}
		if conditional == 0 {
			out.Default = &m
			continue
		}
		m.MatchRule = &MatchRule{}
		if err := json.Unmarshal([]byte(rule), m.MatchRule); err != nil {
			return nil, fmt.Errorf("menu %d: %w", m.MenuID, err)
		}
		out.Conditional = append(out.Conditional, &m)
	}
	return out, rows.Err()
}

// menuIDBase makes menu ids WeChat-shaped (nine digits, like 208396938):
// seconds since this base, or one more than the account's last id
// (oa_menu_ids), so ids only grow and the newest menu has the largest.
const menuIDBase = 1_500_000_000

// insertMenuTx stores m under a new id (set in m.MenuID). The caller holds
// the account's menus lock.
func (s *Service) insertMenuTx(ctx context.Context, tx *store.Tx, appid string, m *Menu) error {
	var last int64
	err := tx.QueryRow(ctx, "SELECT last_id FROM oa_menu_ids WHERE appid = ?", appid).Scan(&last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	m.MenuID = max(last+1, s.now().Unix()-menuIDBase)
	if _, err := tx.Exec(ctx, `INSERT INTO oa_menu_ids(appid, last_id) VALUES (?, ?)
		ON CONFLICT (appid) DO UPDATE SET last_id = excluded.last_id`, appid, m.MenuID); err != nil {
		return err
	}
	buttons, err := json.Marshal(m.Buttons)
	if err != nil {
		return err
	}
	conditional, rule := 0, ""
	if m.MatchRule != nil {
		b, err := json.Marshal(m.MatchRule)
		if err != nil {
			return err
		}
		conditional, rule = 1, string(b)
	}
	_, err = tx.Exec(ctx, "INSERT INTO oa_menus(appid, menu_id, conditional, matchrule, buttons, created_at) VALUES (?, ?, ?, ?, ?, ?)",
		appid, m.MenuID, conditional, rule, string(buttons), s.now().Unix())
	return err
}

// menuHosts returns the hosts a menu's buttons link to.
func menuHosts(buttons []Button) map[string]bool {
	hosts := map[string]bool{}
	for _, top := range buttons {
		for _, b := range append([]Button{top}, top.SubButtons...) {
			if b.URL == "" {
				continue
			}
			if u, err := url.Parse(b.URL); err == nil {
				hosts[strings.ToLower(u.Hostname())] = true
			}
		}
	}
	return hosts
}

// checkButtons applies WeChat's limits to a menu and returns it with only
// the fields each button type uses. conditional selects the
// conditional-menu codes for an empty menu and a button without a type.
func (s *Service) checkButtons(ctx context.Context, buttons []Button, conditional bool) ([]Button, error) {
	if len(buttons) == 0 && conditional {
		return nil, menuErr(ProblemEmptyMenu, false, "button", "a conditional menu needs 1 to %d buttons", maxTopButtons)
	}
	if len(buttons) == 0 || len(buttons) > maxTopButtons {
		return nil, menuErr(ProblemButtonCount, false, "button", "has %d buttons; a menu has 1 to %d", len(buttons), maxTopButtons)
	}
	out := make([]Button, len(buttons))
	for i, b := range buttons {
		field := fmt.Sprintf("button[%d]", i)
		if err := checkSize(ProblemButtonName, false, field+".name", b.Name, maxTopNameBytes); err != nil {
			return nil, err
		}
		if len(b.SubButtons) == 0 {
			leaf, err := s.checkLeaf(ctx, b, false, field, conditional)
			if err != nil {
				return nil, err
			}
			out[i] = leaf
			continue
		}
		if len(b.SubButtons) > maxSubButtons {
			return nil, menuErr(ProblemButtonCount, true, field+".sub_button", "has %d sub-buttons; at most %d are allowed", len(b.SubButtons), maxSubButtons)
		}
		parent := Button{Name: b.Name, SubButtons: make([]Button, len(b.SubButtons))}
		for j, sb := range b.SubButtons {
			subField := fmt.Sprintf("%s.sub_button[%d]", field, j)
			if len(sb.SubButtons) > 0 {
				return nil, menuErr(ProblemSubButtonLevel, true, subField+".sub_button", "menus have two levels; a sub-button cannot have sub-buttons")
			}
			if err := checkSize(ProblemButtonName, true, subField+".name", sb.Name, maxSubNameBytes); err != nil {
				return nil, err
			}
			leaf, err := s.checkLeaf(ctx, sb, true, subField, conditional)
			if err != nil {
				return nil, err
			}
			parent.SubButtons[j] = leaf
		}
		out[i] = parent
	}
	return out, nil
}

// checkLeaf checks a button without sub-buttons against its type.
func (s *Service) checkLeaf(ctx context.Context, b Button, sub bool, field string, conditional bool) (Button, error) {
	clean := Button{Type: b.Type, Name: b.Name}
	switch {
	case b.Type == "" && conditional:
		return clean, menuErr(ProblemNoResponseType, sub, field+".type", "a button without sub-buttons needs a type")
	case b.Type == "":
		return clean, menuErr(ProblemButtonType, sub, field+".type", "a button without sub-buttons needs a type")
	case keyButtons[b.Type]:
		clean.Key = b.Key
		return clean, checkSize(ProblemButtonKey, sub, field+".key", b.Key, maxKeyBytes)
	case b.Type == "view" || b.Type == "miniprogram":
		clean.URL = b.URL
		if err := checkURL(b.URL, sub, field+".url"); err != nil {
			return clean, err
		}
		if b.Type == "view" {
			return clean, nil
		}
		clean.AppID, clean.PagePath = b.AppID, b.PagePath
		if err := s.checkMiniProgram(ctx, b.AppID, field+".appid"); err != nil {
			return clean, err
		}
		if b.PagePath == "" || len(b.PagePath) > maxURLBytes || !input.Storable(b.PagePath) {
			return clean, menuErr(ProblemMiniProgramPage, sub, field+".pagepath", "a miniprogram button needs the page path (at most %d bytes)", maxURLBytes)
		}
		return clean, nil
	case b.Type == "media_id" || b.Type == "view_limited":
		clean.MediaID = b.MediaID
		if b.MediaID == "" || len(b.MediaID) > maxKeyBytes || !input.Storable(b.MediaID) {
			return clean, menuErr(ProblemMediaID, sub, field+".media_id", "a %s button needs the material's media_id (at most %d bytes)", b.Type, maxKeyBytes)
		}
		return clean, nil
	case b.Type == "article_id" || b.Type == "article_view_limited":
		clean.ArticleID = b.ArticleID
		if b.ArticleID == "" || len(b.ArticleID) > maxKeyBytes || !input.Storable(b.ArticleID) {
			return clean, menuErr(ProblemArticleID, sub, field+".article_id", "a %s button needs the article_id (at most %d bytes)", b.Type, maxKeyBytes)
		}
		return clean, nil
	}
	return clean, menuErr(ProblemButtonType, sub, field+".type", "%q is not a button type", b.Type)
}

// checkSize checks that v is storable text of 1 to limit bytes.
func checkSize(p MenuProblem, sub bool, field, v string, limit int) error {
	switch {
	case v == "":
		return menuErr(p, sub, field, "must not be empty")
	case len(v) > limit:
		return menuErr(p, sub, field, "is %d bytes; at most %d are allowed", len(v), limit)
	case !input.Storable(v):
		return menuErr(p, sub, field, "must be UTF-8 text without NUL")
	}
	return nil
}

// checkURL checks a button's link: an absolute http(s) URL of at most
// maxURLBytes.
func checkURL(v string, sub bool, field string) error {
	if err := checkSize(ProblemButtonURL, sub, field, v, maxURLBytes); err != nil {
		return err
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return menuErr(ProblemButtonURLDomain, sub, field, "must be an http or https address with a host")
	}
	return nil
}

// checkMiniProgram accepts the mini programs of this server: the only ones
// a menu can open.
func (s *Service) checkMiniProgram(ctx context.Context, appid, field string) error {
	if appid != "" && input.Storable(appid) {
		app, err := s.accounts.App(ctx, appid)
		switch {
		case err == nil && app.Kind == account.MiniProgram:
			return nil
		case err != nil && !errors.Is(err, account.ErrAppNotFound):
			return err
		}
	}
	return menuErr(ProblemMiniProgram, false, field, "%q is not a mini program on this server", appid)
}

// checkMatchRule validates a conditional menu's rule and returns it
// trimmed.
func checkMatchRule(ctx context.Context, q querier, appid string, r MatchRule) (MatchRule, error) {
	for _, f := range []*string{&r.TagID, &r.Sex, &r.Country, &r.Province, &r.City, &r.ClientPlatformType, &r.Language} {
		*f = strings.TrimSpace(*f)
	}
	if r == (MatchRule{}) {
		return r, menuErr(ProblemMatchRuleEmpty, false, "matchrule", "set at least one of tag_id, sex, country, province, city, client_platform_type, language")
	}
	if r.TagID != "" {
		id, err := strconv.ParseInt(r.TagID, 10, 64)
		if err != nil {
			return r, menuErr(ProblemTagID, false, "matchrule.tag_id", "%q is not a tag id", r.TagID)
		}
		var n int
		if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM oa_tags WHERE appid = ? AND id = ?", appid, id).Scan(&n); err != nil {
			return r, err
		}
		if n == 0 {
			return r, menuErr(ProblemTagID, false, "matchrule.tag_id", "the account has no tag %d", id)
		}
		r.TagID = strconv.FormatInt(id, 10)
	}
	if r.Sex != "" && r.Sex != "1" && r.Sex != "2" {
		return r, menuErr(ProblemMatchValue, false, "matchrule.sex", "must be 1 (male) or 2 (female)")
	}
	if r.ClientPlatformType != "" && r.ClientPlatformType != "1" && r.ClientPlatformType != "2" && r.ClientPlatformType != "3" {
		return r, menuErr(ProblemMatchValue, false, "matchrule.client_platform_type", "must be 1 (iOS), 2 (Android) or 3 (others)")
	}
	if r.Language != "" && !slices.Contains(matchLanguages, r.Language) {
		return r, menuErr(ProblemMatchValue, false, "matchrule.language", "must be one of %s", strings.Join(matchLanguages, ", "))
	}
	switch {
	case (r.Province != "" || r.City != "") && r.Country == "":
		return r, menuErr(ProblemMissingCountry, false, "matchrule.country", "a province or city needs its country")
	case r.City != "" && r.Province == "":
		return r, menuErr(ProblemMissingProvince, false, "matchrule.province", "a city needs its province")
	}
	for _, f := range []struct {
		p     MenuProblem
		field string
		v     string
	}{{ProblemCountry, "country", r.Country}, {ProblemProvince, "province", r.Province}, {ProblemCity, "city", r.City}} {
		if f.v != "" && (len(f.v) > maxRegionBytes || !input.Storable(f.v)) {
			return r, menuErr(f.p, false, "matchrule."+f.field, "must be a region name of at most %d bytes", maxRegionBytes)
		}
	}
	return r, nil
}

// matches reports whether the user with these tags meets every set field.
// The shell runs in a browser whose platform WeChat's numbering does not
// cover, so a rule naming client_platform_type never matches it.
func (r *MatchRule) matches(u *identity.User, tags map[string]bool) bool {
	switch {
	case r.TagID != "" && !tags[r.TagID],
		r.Sex != "" && r.Sex != strconv.Itoa(u.Gender),
		r.Country != "" && !strings.EqualFold(r.Country, u.Country),
		r.Province != "" && !strings.EqualFold(r.Province, u.Province),
		r.City != "" && !strings.EqualFold(r.City, u.City),
		r.Language != "" && r.Language != u.Language,
		r.ClientPlatformType != "":
		return false
	}
	return true
}

// userTags returns the ids of the account's tags on userID.
func (s *Service) userTags(ctx context.Context, appid, userID string) (map[string]bool, error) {
	ids, err := s.userTagIDs(ctx, appid, userID)
	if err != nil {
		return nil, err
	}
	tags := make(map[string]bool, len(ids))
	for _, id := range ids {
		tags[strconv.FormatInt(id, 10)] = true
	}
	return tags, nil
}
