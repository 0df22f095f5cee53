// Package subscribemsg is mini program subscribe messages (订阅消息): the
// public template library, each app's templates, the users' one-time
// subscriptions (credits) and standing choices, sends, and each user's
// service-notification inbox (docs/miniprogram-platform.md, "Subscribe
// messages"; platform-rules.md §3.7; wechat-api.md §4.1).
package subscribemsg

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"superapp/internal/identity"
	"superapp/internal/input"
	"superapp/internal/live"
	"superapp/internal/random"
	"superapp/internal/store"
)

// Errors; the wire layer maps them to WeChat's errcodes.
var (
	ErrTID              = errors.New("invalid tid")                   // 200014
	ErrKidList          = errors.New("invalid kidList")               // 200020
	ErrSceneDesc        = errors.New("invalid sceneDesc")             // 200021
	ErrTooManyTemplates = errors.New("template num exceeds limit")    // 200012
	ErrTemplateNotFound = errors.New("invalid template_id")           // 40037
	ErrOpenID           = errors.New("invalid openid")                // 40003
	ErrNoCredit         = errors.New("user refuse to accept the msg") // 43101
	ErrPage             = errors.New("invalid page")                  // 41030
	ErrState            = errors.New("invalid miniprogram_state")     // 47003
	ErrLang             = errors.New("invalid lang")                  // 47003
	ErrStart            = errors.New("invalid start")                 // 200016
	ErrLimit            = errors.New("invalid limit")                 // 200017
	ErrIDsMissing       = errors.New("category ids missing")          // 200018
	ErrIDsInvalid       = errors.New("invalid category ids")          // 200019
	ErrAnswer           = errors.New("invalid answer")
)

// Answers of the consent sheet, as wx.requestSubscribeMessage reports them.
const (
	Accept = "accept"
	Reject = "reject"
)

// Policy is the per-deployment limits, WeChat's by default.
type Policy struct {
	// TemplatesPerApp caps an app's templates (WeChat: 50; older documents
	// say 25).
	TemplatesPerApp int `json:"templates_per_app"`
	// TitlesPageMax is the largest limit of getpubtemplatetitles (30).
	TitlesPageMax int `json:"titles_page_max"`
}

// DefaultPolicy is WeChat's.
func DefaultPolicy() Policy { return Policy{TemplatesPerApp: 50, TitlesPageMax: 30} }

// Pages lists the pages of an app's version env ("develop", "trial" or
// "release"); ok is false when that cannot be told, and the send's page is
// then not checked.
type Pages func(ctx context.Context, appid, env string) (pages []string, ok bool)

// Service is the subscribe-message domain over one database.
type Service struct {
	db     *store.DB
	ident  *identity.Service
	hub    *live.Hub
	pages  Pages
	policy Policy
	now    func() time.Time
}

// NewService returns the service; hub and pages may be nil.
func NewService(db *store.DB, ident *identity.Service, hub *live.Hub, pages Pages, policy Policy) *Service {
	return &Service{db: db, ident: ident, hub: hub, pages: pages, policy: policy, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// ---- the library ----

// TitleList is getpubtemplatetitles: the library's templates in the
// categories ids ("2,616"), from start, at most limit; count is the total.
func (s *Service) TitleList(ids string, start, limit int) (int, []LibraryTemplate, error) {
	ids = strings.Trim(strings.TrimSpace(ids), `"`)
	if ids == "" {
		return 0, nil, ErrIDsMissing
	}
	want := map[int64]bool{}
	for _, f := range strings.Split(ids, ",") {
		id, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
		if err != nil || id <= 0 {
			return 0, nil, fmt.Errorf("%w: %q is not a category id", ErrIDsInvalid, f)
		}
		want[id] = true
	}
	if start < 0 {
		return 0, nil, ErrStart
	}
	if limit <= 0 || limit > s.policy.TitlesPageMax {
		return 0, nil, fmt.Errorf("%w: limit must be 1–%d", ErrLimit, s.policy.TitlesPageMax)
	}
	var all []LibraryTemplate
	for _, t := range Library {
		if want[t.CategoryID] {
			all = append(all, t)
		}
	}
	if start >= len(all) {
		return len(all), nil, nil
	}
	return len(all), all[start:min(start+limit, len(all))], nil
}

// ---- the app's templates ----

// Template is one of an app's templates: a library title with the keywords
// the app chose, in its order.
type Template struct {
	PriTmplID string
	AppID     string
	TID       int64
	Title     string
	Type      int
	Keywords  []Keyword
	SceneDesc string
	CreatedAt int64
}

// Content is WeChat's template content: "name:{{key.DATA}}\n" per keyword.
func (t *Template) Content() string {
	var b strings.Builder
	for _, k := range t.Keywords {
		b.WriteString(k.Name + ":{{" + k.Key() + ".DATA}}\n")
	}
	return b.String()
}

// Example is the content filled with the keywords' examples.
func (t *Template) Example() string {
	var b strings.Builder
	for _, k := range t.Keywords {
		b.WriteString(k.Name + ":" + k.Example + "\n")
	}
	return b.String()
}

// AddTemplate is addtemplate: the library's template tid with the keywords
// kids (2–5, distinct, in the app's order) becomes one of the app's.
func (s *Service) AddTemplate(ctx context.Context, appid string, tid int64, kids []int64, sceneDesc string) (*Template, error) {
	lib, ok := LibraryTemplateByTID(tid)
	if !ok {
		return nil, fmt.Errorf("%w: %d is not a template of the library", ErrTID, tid)
	}
	if len(kids) < 2 || len(kids) > 5 {
		return nil, fmt.Errorf("%w: choose 2 to 5 keywords, not %d", ErrKidList, len(kids))
	}
	seen := map[int64]bool{}
	t := &Template{AppID: appid, TID: tid, Title: lib.Title, Type: lib.Type, SceneDesc: sceneDesc}
	for _, kid := range kids {
		k, ok := lib.Keyword(kid)
		if !ok || seen[kid] {
			return nil, fmt.Errorf("%w: %d is not a keyword of template %d, or is listed twice", ErrKidList, kid, tid)
		}
		seen[kid] = true
		t.Keywords = append(t.Keywords, k)
	}
	if utf8.RuneCountInString(sceneDesc) > 15 || strings.ContainsRune(sceneDesc, 0) || !utf8.ValidString(sceneDesc) {
		return nil, fmt.Errorf("%w: at most 15 characters", ErrSceneDesc)
	}
	t.PriTmplID = random.Token(32)
	t.CreatedAt = s.now().Unix()
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		// Two adds racing for the last place must not both get it.
		if err := tx.Lock(ctx, "subscribemsg:templates:"+appid); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM mp_sub_templates WHERE appid = ?", appid).Scan(&n); err != nil {
			return err
		}
		if n >= s.policy.TemplatesPerApp {
			return fmt.Errorf("%w: an app has at most %d templates", ErrTooManyTemplates, s.policy.TemplatesPerApp)
		}
		_, err := tx.Exec(ctx, "INSERT INTO mp_sub_templates(pri_tmpl_id, appid, tid, kids, scene_desc, created_at) VALUES (?, ?, ?, ?, ?, ?)",
			t.PriTmplID, appid, tid, joinKids(kids), sceneDesc, t.CreatedAt)
		return err
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// DeleteTemplate is deltemplate; the users' subscriptions to it go with it.
func (s *Service) DeleteTemplate(ctx context.Context, appid, id string) error {
	if !input.Storable(id) {
		return ErrTemplateNotFound
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, "DELETE FROM mp_sub_templates WHERE appid = ? AND pri_tmpl_id = ?", appid, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrTemplateNotFound
		}
		for _, table := range []string{"mp_sub_credits", "mp_sub_choices"} {
			if _, err := tx.Exec(ctx, "DELETE FROM "+table+" WHERE appid = ? AND pri_tmpl_id = ?", appid, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// Templates is gettemplate: the app's templates, oldest first.
func (s *Service) Templates(ctx context.Context, appid string) ([]*Template, error) {
	rows, err := s.db.Query(ctx, "SELECT pri_tmpl_id, tid, kids, scene_desc, created_at FROM mp_sub_templates WHERE appid = ? ORDER BY created_at, pri_tmpl_id", appid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Template
	for rows.Next() {
		t, err := scanTemplate(rows, appid)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Template returns the app's template id; ErrTemplateNotFound when the app
// has none by that id (another app's included).
func (s *Service) Template(ctx context.Context, appid, id string) (*Template, error) {
	if !input.Storable(id) {
		return nil, ErrTemplateNotFound
	}
	t, err := scanTemplate(s.db.QueryRow(ctx, "SELECT pri_tmpl_id, tid, kids, scene_desc, created_at FROM mp_sub_templates WHERE appid = ? AND pri_tmpl_id = ?", appid, id), appid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrTemplateNotFound
	}
	return t, err
}

func scanTemplate(row interface{ Scan(...any) error }, appid string) (*Template, error) {
	t := &Template{AppID: appid}
	var kids string
	if err := row.Scan(&t.PriTmplID, &t.TID, &kids, &t.SceneDesc, &t.CreatedAt); err != nil {
		return nil, err
	}
	lib, ok := LibraryTemplateByTID(t.TID)
	if !ok {
		return nil, fmt.Errorf("subscribemsg: template %s names library template %d, which is gone", t.PriTmplID, t.TID)
	}
	t.Title, t.Type = lib.Title, lib.Type
	for _, f := range strings.Split(kids, ",") {
		kid, _ := strconv.ParseInt(f, 10, 64)
		if k, ok := lib.Keyword(kid); ok {
			t.Keywords = append(t.Keywords, k)
		}
	}
	return t, nil
}

func joinKids(kids []int64) string {
	parts := make([]string, len(kids))
	for i, k := range kids {
		parts[i] = strconv.FormatInt(k, 10)
	}
	return strings.Join(parts, ",")
}

// ---- consent ----

// Prompt is what the consent sheet of one wx.requestSubscribeMessage
// shows: the app's templates among the asked ids (one per title, as WeChat
// filters duplicates), the ids that are not the app's, and the standing
// choices the user keeps for some of them (those are answered without
// asking).
type Prompt struct {
	Templates []*Template
	Unknown   []string
	Kept      map[string]string
}

// Prompt looks up ids for the consent sheet.
func (s *Service) Prompt(ctx context.Context, appid, userID string, ids []string) (*Prompt, error) {
	p := &Prompt{Kept: map[string]string{}}
	titles := map[string]bool{}
	for _, id := range ids {
		t, err := s.Template(ctx, appid, id)
		if errors.Is(err, ErrTemplateNotFound) {
			p.Unknown = append(p.Unknown, id)
			continue
		}
		if err != nil {
			return nil, err
		}
		if titles[t.Title] {
			continue
		}
		titles[t.Title] = true
		p.Templates = append(p.Templates, t)
		var choice string
		err = s.db.QueryRow(ctx, "SELECT choice FROM mp_sub_choices WHERE appid = ? AND user_id = ? AND pri_tmpl_id = ?", appid, userID, id).Scan(&choice)
		if err == nil {
			p.Kept[id] = choice
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	return p, nil
}

// Decide records the user's answers to a consent sheet: one credit (one
// send) per accepted template. A kept choice stands over the answer given
// (the sheet did not ask about it). keep stores the answers as standing
// choices: later requests for those templates are answered the same way
// without a sheet — WeChat's "always keep this choice" (总是保持以上选择,
// 不再询问), where a kept accept still gives one credit per request.
// Returns the answer per template.
func (s *Service) Decide(ctx context.Context, appid, userID string, answers map[string]string, keep bool) (map[string]string, error) {
	out := map[string]string{}
	now := s.now().Unix()
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		for id, answer := range answers {
			if answer != Accept && answer != Reject {
				return fmt.Errorf("%w: %q for %s (accept or reject)", ErrAnswer, answer, id)
			}
			if !input.Storable(id) {
				return fmt.Errorf("%w: %q", ErrTemplateNotFound, id)
			}
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM mp_sub_templates WHERE appid = ? AND pri_tmpl_id = ?", appid, id).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return fmt.Errorf("%w: %s", ErrTemplateNotFound, id)
			}
			var kept string
			err := tx.QueryRow(ctx, "SELECT choice FROM mp_sub_choices WHERE appid = ? AND user_id = ? AND pri_tmpl_id = ?", appid, userID, id).Scan(&kept)
			switch {
			case err == nil:
				answer = kept
			case !errors.Is(err, sql.ErrNoRows):
				return err
			case keep:
				if _, err := tx.Exec(ctx, "INSERT INTO mp_sub_choices(appid, user_id, pri_tmpl_id, choice, updated_at) VALUES (?, ?, ?, ?, ?)",
					appid, userID, id, answer, now); err != nil {
					return err
				}
			}
			if answer == Accept {
				if _, err := tx.Exec(ctx, `INSERT INTO mp_sub_credits(appid, user_id, pri_tmpl_id, credits, updated_at) VALUES (?, ?, ?, 1, ?)
					ON CONFLICT (appid, user_id, pri_tmpl_id) DO UPDATE SET credits = mp_sub_credits.credits + 1, updated_at = excluded.updated_at`,
					appid, userID, id, now); err != nil {
					return err
				}
			}
			out[id] = answer
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Credits is how many sends of template id to userID app may still make.
func (s *Service) Credits(ctx context.Context, appid, userID, id string) (int64, error) {
	var n int64
	err := s.db.QueryRow(ctx, "SELECT credits FROM mp_sub_credits WHERE appid = ? AND user_id = ? AND pri_tmpl_id = ?", appid, userID, id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

// ForgetChoice removes a standing choice (the user's settings page).
func (s *Service) ForgetChoice(ctx context.Context, appid, userID, id string) error {
	_, err := s.db.Exec(ctx, "DELETE FROM mp_sub_choices WHERE appid = ? AND user_id = ? AND pri_tmpl_id = ?", appid, userID, id)
	return err
}

// ---- sending ----

// SendInput is /cgi-bin/message/subscribe/send.
type SendInput struct {
	ToUser     string
	TemplateID string
	Page       string
	// State is miniprogram_state: developer, trial or formal ("" = formal).
	State string
	Lang  string
	Data  map[string]string
}

// States of miniprogram_state and the launch env_version each opens.
var stateEnv = map[string]string{"developer": "develop", "trial": "trial", "formal": "release"}

var langs = map[string]bool{"zh_CN": true, "en_US": true, "zh_HK": true, "zh_TW": true}

// Field is a keyword of a notification: its name and the value sent.
type Field struct {
	Key   string `json:"key"`
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Notification is one service notification in a user's inbox.
type Notification struct {
	ID         int64   `json:"id"`
	AppID      string  `json:"appid"`
	AppName    string  `json:"app_name"`
	TemplateID string  `json:"template_id"`
	Title      string  `json:"title"`
	Fields     []Field `json:"fields"`
	Page       string  `json:"page"`
	EnvVersion string  `json:"env_version"`
	Lang       string  `json:"lang"`
	CreatedAt  int64   `json:"created_at"`
	Read       bool    `json:"read"`
}

// Send spends one of the user's credits for the template and puts the
// notification in the user's inbox, in one transaction: a credit is spent
// exactly once however many sends race for it. Checks come first so a
// refused send spends nothing.
func (s *Service) Send(ctx context.Context, appid string, in SendInput) (*Notification, error) {
	if !input.Storable(in.ToUser) {
		return nil, ErrOpenID
	}
	user, err := s.ident.ByOpenID(ctx, appid, in.ToUser)
	if errors.Is(err, identity.ErrOpenIDNotFound) || errors.Is(err, identity.ErrUserNotFound) {
		return nil, ErrOpenID
	}
	if err != nil {
		return nil, err
	}
	t, err := s.Template(ctx, appid, in.TemplateID)
	if err != nil {
		return nil, err
	}
	state := in.State
	if state == "" {
		state = "formal"
	}
	env, ok := stateEnv[state]
	if !ok {
		return nil, fmt.Errorf("%w: %q (developer, trial or formal)", ErrState, in.State)
	}
	lang := in.Lang
	if lang == "" {
		lang = "zh_CN"
	}
	if !langs[lang] {
		return nil, fmt.Errorf("%w: %q (zh_CN, en_US, zh_HK or zh_TW)", ErrLang, in.Lang)
	}
	n := &Notification{AppID: appid, TemplateID: t.PriTmplID, Title: t.Title, Page: in.Page, EnvVersion: env, Lang: lang, CreatedAt: s.now().Unix()}
	for _, k := range t.Keywords {
		v := in.Data[k.Key()]
		if err := checkValue(k.Key(), k.Rule, v); err != nil {
			return nil, err
		}
		n.Fields = append(n.Fields, Field{Key: k.Key(), Name: k.Name, Value: v})
	}
	if err := s.checkPage(ctx, appid, env, in.Page); err != nil {
		return nil, err
	}
	fields, _ := json.Marshal(n.Fields)
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		// One conditional statement: of concurrent sends for the last
		// credit, only one sees credits > 0 (PostgreSQL re-checks the
		// condition after the row lock; SQLite has one writer).
		res, err := tx.Exec(ctx, "UPDATE mp_sub_credits SET credits = credits - 1, updated_at = ? WHERE appid = ? AND user_id = ? AND pri_tmpl_id = ? AND credits > 0",
			n.CreatedAt, appid, user.ID, t.PriTmplID)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return ErrNoCredit
		}
		return tx.QueryRow(ctx, `INSERT INTO mp_notifications(user_id, appid, pri_tmpl_id, title, fields, page, env_version, lang, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			user.ID, appid, t.PriTmplID, t.Title, string(fields), in.Page, env, lang, n.CreatedAt).Scan(&n.ID)
	})
	if err != nil {
		return nil, err
	}
	if s.hub != nil {
		s.hub.Publish(user.ID, live.Event{Type: "notification", AppID: appid})
	}
	return n, nil
}

// checkPage: a page, when given, must be one of the target version's
// pages, where that version is known.
func (s *Service) checkPage(ctx context.Context, appid, env, page string) error {
	if page == "" {
		return nil
	}
	path, _, _ := strings.Cut(page, "?")
	path = strings.TrimPrefix(path, "/")
	if path == "" || len(page) > 1024 || !input.Storable(page) {
		return fmt.Errorf("%w: %q", ErrPage, page)
	}
	if s.pages == nil {
		return nil
	}
	pages, ok := s.pages(ctx, appid, env)
	if !ok {
		return nil
	}
	for _, p := range pages {
		if strings.TrimPrefix(p, "/") == path {
			return nil
		}
	}
	return fmt.Errorf("%w: %s is not a page of the %s version", ErrPage, path, env)
}

// ---- the inbox ----

// Inbox returns userID's service notifications, newest first: at most
// limit, older than before (0: the newest); unread counts them all.
func (s *Service) Inbox(ctx context.Context, userID string, before int64, limit int) (list []Notification, unread int, err error) {
	if before <= 0 {
		before = 1<<62 - 1
	}
	rows, err := s.db.Query(ctx, `SELECT n.id, n.appid, COALESCE(a.name, ''), n.pri_tmpl_id, n.title, n.fields, n.page, n.env_version, n.lang, n.created_at, n.read_at
		FROM mp_notifications n LEFT JOIN apps a ON a.appid = n.appid
		WHERE n.user_id = ? AND n.id < ? ORDER BY n.id DESC LIMIT ?`, userID, before, limit)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	list = []Notification{}
	for rows.Next() {
		var n Notification
		var fields string
		var readAt int64
		if err := rows.Scan(&n.ID, &n.AppID, &n.AppName, &n.TemplateID, &n.Title, &fields, &n.Page, &n.EnvVersion, &n.Lang, &n.CreatedAt, &readAt); err != nil {
			return nil, 0, err
		}
		n.Read = readAt != 0
		if err := json.Unmarshal([]byte(fields), &n.Fields); err != nil {
			return nil, 0, err
		}
		list = append(list, n)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	unread, err = s.Unread(ctx, userID)
	return list, unread, err
}

// Unread counts userID's unread notifications.
func (s *Service) Unread(ctx context.Context, userID string) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM mp_notifications WHERE user_id = ? AND read_at = 0", userID).Scan(&n)
	return n, err
}

// MarkRead marks userID's notifications up to id as read (all when id is 0).
func (s *Service) MarkRead(ctx context.Context, userID string, upTo int64) error {
	if upTo <= 0 {
		upTo = 1<<62 - 1
	}
	res, err := s.db.Exec(ctx, "UPDATE mp_notifications SET read_at = ? WHERE user_id = ? AND id <= ? AND read_at = 0", s.now().Unix(), userID, upTo)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n > 0 && s.hub != nil {
		s.hub.Publish(userID, live.Event{Type: "notification"})
	}
	return nil
}
