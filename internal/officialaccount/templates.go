package officialaccount

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"superapp/internal/input"
	"superapp/internal/live"
	"superapp/internal/random"
	"superapp/internal/store"
)

// Errors of template messages (reference §3.5).
var (
	ErrIndustryInvalid    = errors.New("invalid industry id")
	ErrTemplateNotFound   = errors.New("invalid template_id")
	ErrTooManyTemplates   = errors.New("template num exceeds limit")
	ErrTemplateIndustry   = errors.New("template conflict with industry")
	ErrTemplateDailyLimit = errors.New("template messages reached the daily limit")
	ErrInvalidURL         = errors.New("invalid url")
)

// Template send statuses as TEMPLATESENDJOBFINISH reports them.
const (
	TemplateSuccess   = "success"
	TemplateUserBlock = "failed:user block"
)

// clientMsgIDWindow is how long a template send's client_msg_id is
// remembered: WeChat promises 10 minutes; a day costs little more.
const clientMsgIDWindow = 24 * 3600

// cst is WeChat's day and month boundary (Beijing time), where daily and
// monthly limits reset.
var cst = time.FixedZone("CST", 8*3600)

// SetIndustry sets the account's two template industries (ids of
// Industries).
func (s *Service) SetIndustry(ctx context.Context, appid string, primary, secondary int64) error {
	for _, id := range []int64{primary, secondary} {
		if _, ok := Industries[id]; !ok {
			return fmt.Errorf("%w: %d is not an industry id (1–%d)", ErrIndustryInvalid, id, len(Industries))
		}
	}
	if _, err := s.officialAccount(ctx, appid); err != nil {
		return err
	}
	_, err := s.db.Exec(ctx, `INSERT INTO oa_template_industries(appid, primary_id, secondary_id, set_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (appid) DO UPDATE SET primary_id = excluded.primary_id, secondary_id = excluded.secondary_id, set_at = excluded.set_at`,
		appid, primary, secondary, s.now().Unix())
	return err
}

// TemplateIndustry returns the account's industries; nil, nil when none
// were set.
func (s *Service) TemplateIndustry(ctx context.Context, appid string) (primary, secondary *Industry, err error) {
	var p, q int64
	err = s.db.QueryRow(ctx, "SELECT primary_id, secondary_id FROM oa_template_industries WHERE appid = ?", appid).Scan(&p, &q)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	a, b := Industries[p], Industries[q]
	return &a, &b, nil
}

// Template is one of an account's templates.
type Template struct {
	TemplateID      string `json:"template_id"`
	ShortID         string `json:"-"`
	Title           string `json:"title"`
	PrimaryIndustry string `json:"primary_industry"`
	DeputyIndustry  string `json:"deputy_industry"`
	Content         string `json:"content"`
	Example         string `json:"example"`
}

const templateColumns = "template_id, short_id, title, primary_industry, deputy_industry, content, example"

func scanTemplate(row interface{ Scan(...any) error }) (*Template, error) {
	var t Template
	err := row.Scan(&t.TemplateID, &t.ShortID, &t.Title, &t.PrimaryIndustry, &t.DeputyIndustry, &t.Content, &t.Example)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrTemplateNotFound
	}
	return &t, err
}

// AddTemplate adds the library template shortID to the account and returns
// its template_id (the existing one when it was added before). The
// template's industry must be one of the account's; an account holds at
// most Policy.TemplatesMax templates.
func (s *Service) AddTemplate(ctx context.Context, appid, shortID string) (string, error) {
	lib, ok := TemplateLibrary[shortID]
	if !ok {
		return "", fmt.Errorf("%w: %q is not a template of the library", ErrTemplateNotFound, shortID)
	}
	if _, err := s.officialAccount(ctx, appid); err != nil {
		return "", err
	}
	var id string
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.Lock(ctx, "oa_templates:"+appid); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, "SELECT template_id FROM oa_templates WHERE appid = ? AND short_id = ?", appid, shortID).Scan(&id)
		if err == nil || !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var p, q int64
		err = tx.QueryRow(ctx, "SELECT primary_id, secondary_id FROM oa_template_industries WHERE appid = ?", appid).Scan(&p, &q)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: set the account's industries first (api_set_industry)", ErrTemplateIndustry)
		}
		if err != nil {
			return err
		}
		ind := Industries[lib.IndustryID]
		if lib.IndustryID != p && lib.IndustryID != q {
			return fmt.Errorf("%w: %s belongs to %s/%s", ErrTemplateIndustry, shortID, ind.FirstClass, ind.SecondClass)
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM oa_templates WHERE appid = ?", appid).Scan(&n); err != nil {
			return err
		}
		if n >= s.policy.TemplatesMax {
			return fmt.Errorf("%w: the account has %d templates, at most %d", ErrTooManyTemplates, n, s.policy.TemplatesMax)
		}
		id = random.Token(32)
		_, err = tx.Exec(ctx, `INSERT INTO oa_templates(template_id, appid, short_id, title, content, example, primary_industry, deputy_industry, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, appid, shortID, lib.Title, lib.Content, lib.Example, ind.FirstClass, ind.SecondClass, s.now().Unix())
		return err
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// Templates lists the account's templates, oldest first.
func (s *Service) Templates(ctx context.Context, appid string) ([]*Template, error) {
	rows, err := s.db.Query(ctx, "SELECT "+templateColumns+" FROM oa_templates WHERE appid = ? ORDER BY created_at, template_id", appid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Template{}
	for rows.Next() {
		t, err := scanTemplate(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// DeleteTemplate removes one of the account's templates.
func (s *Service) DeleteTemplate(ctx context.Context, appid, templateID string) error {
	res, err := s.db.Exec(ctx, "DELETE FROM oa_templates WHERE appid = ? AND template_id = ?", appid, templateID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err == nil {
			err = fmt.Errorf("%w: the account has no template %q", ErrTemplateNotFound, templateID)
		}
		return err
	}
	return nil
}

// TemplateValue is one data item of a template message.
type TemplateValue struct {
	Value string
	Color string
}

// TemplateSend is a template message to send.
type TemplateSend struct {
	OpenID      string
	TemplateID  string
	URL         string
	MiniProgram *MiniProgramLink // appid and pagepath; nil for none
	ClientMsgID string
	Data        map[string]TemplateValue
}

// placeholder is a template field: {{key.DATA}}.
var placeholder = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_]+)\.DATA\s*\}\}`)

// renderTemplate fills the template's fields with data, each field labelled
// with its line's text before the placeholder ("订单编号：").
func renderTemplate(t *Template, send TemplateSend) *TemplateCard {
	card := &TemplateCard{TemplateID: t.TemplateID, Title: t.Title, URL: send.URL, MiniProgram: send.MiniProgram, Fields: []TemplateField{}}
	for _, line := range strings.Split(t.Content, "\n") {
		for _, loc := range placeholder.FindAllStringSubmatchIndex(line, -1) {
			key := line[loc[2]:loc[3]]
			label := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(placeholder.ReplaceAllString(line[:loc[0]], "")), "：:"))
			v := send.Data[key]
			card.Fields = append(card.Fields, TemplateField{Key: key, Label: label, Value: v.Value, Color: v.Color})
		}
	}
	return card
}

func checkTemplateSend(send *TemplateSend) error {
	if send.URL != "" {
		u, err := url.Parse(send.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%w: url must be an http or https address", ErrInvalidURL)
		}
	}
	if mp := send.MiniProgram; mp != nil && mp.AppID == "" && mp.PagePath == "" {
		// SDKs send an empty miniprogram object when there is none.
		send.MiniProgram = nil
	}
	text := send.OpenID + send.TemplateID + send.URL + send.ClientMsgID
	if send.MiniProgram != nil {
		text += send.MiniProgram.AppID + send.MiniProgram.PagePath
	}
	for k, v := range send.Data {
		text += k + v.Value + v.Color
	}
	if !input.Storable(text) {
		return fmt.Errorf("%w: the message is not valid UTF-8 text", ErrMessageArgs)
	}
	if send.ClientMsgID != "" && len(send.ClientMsgID) > 64 {
		return fmt.Errorf("%w: client_msg_id is longer than 64 bytes", ErrMessageArgs)
	}
	return nil
}

// SendTemplate sends a template message to a follower and returns its
// msgid. The TEMPLATESENDJOBFINISH report is queued in the same
// transaction; a follower the account blacklisted gets nothing and the
// report says "failed:user block". A repeated client_msg_id to the same
// follower answers the first msgid and sends nothing.
func (s *Service) SendTemplate(ctx context.Context, appid string, send TemplateSend) (int64, error) {
	if err := checkTemplateSend(&send); err != nil {
		return 0, err
	}
	if send.MiniProgram != nil {
		if err := s.requireLinked(ctx, appid, send.MiniProgram.AppID); err != nil {
			return 0, err
		}
	}
	app, f, err := s.recipient(ctx, appid, send.OpenID)
	if err != nil {
		return 0, err
	}
	var msgid, pushID int64
	delivered := false
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		now := s.now()
		if send.ClientMsgID != "" {
			if err := tx.Lock(ctx, "oa_template_sends:"+appid+":"+send.OpenID+":"+send.ClientMsgID); err != nil {
				return err
			}
			err := tx.QueryRow(ctx, "SELECT msgid FROM oa_template_sends WHERE appid = ? AND openid = ? AND client_msg_id = ? AND created_at > ?",
				appid, send.OpenID, send.ClientMsgID, now.Unix()-clientMsgIDWindow).Scan(&msgid)
			if err == nil || !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		t, err := scanTemplate(tx.QueryRow(ctx, "SELECT "+templateColumns+" FROM oa_templates WHERE appid = ? AND template_id = ?", appid, send.TemplateID))
		if errors.Is(err, ErrTemplateNotFound) {
			return fmt.Errorf("%w: the account has no template %q", ErrTemplateNotFound, send.TemplateID)
		}
		if err != nil {
			return err
		}
		rel, err := s.followerTx(ctx, tx, appid, f.UserID)
		if err != nil {
			return err
		}
		if rel == nil || !rel.Subscribed {
			return ErrNotFollowing
		}
		var sent int64
		if err := tx.QueryRow(ctx, `INSERT INTO oa_template_daily(appid, day, sent) VALUES (?, ?, 1)
			ON CONFLICT (appid, day) DO UPDATE SET sent = oa_template_daily.sent + 1 RETURNING sent`,
			appid, now.In(cst).Format("2006-01-02")).Scan(&sent); err != nil {
			return err
		}
		if sent > int64(s.policy.TemplateDailySend) {
			return fmt.Errorf("%w: %d per day", ErrTemplateDailyLimit, s.policy.TemplateDailySend)
		}
		m := &Message{AppID: appid, Direction: Out, Kind: "template", Source: SourceTemplate, Body: Body{Template: renderTemplate(t, send)}}
		status := TemplateSuccess
		if rel.Blacklisted {
			// Kept (the msgid names it) but in nobody's conversation.
			status = TemplateUserBlock
			err = s.insertMessage(ctx, tx, m)
		} else {
			err = s.deliverTx(ctx, tx, rel.UserID, m)
			delivered = true
		}
		if err != nil {
			return err
		}
		msgid = m.ID
		if send.ClientMsgID != "" {
			if _, err := tx.Exec(ctx, `INSERT INTO oa_template_sends(appid, openid, client_msg_id, msgid, created_at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (appid, openid, client_msg_id) DO UPDATE SET msgid = excluded.msgid, created_at = excluded.created_at`,
				appid, send.OpenID, send.ClientMsgID, msgid, now.Unix()); err != nil {
				return err
			}
		}
		pushID, err = s.pushEventTx(ctx, tx, app, rel, &Inbound{Event: "TEMPLATESENDJOBFINISH", JobMsgID: msgid, Status: status})
		return err
	})
	if err != nil {
		return 0, err
	}
	if pushID != 0 {
		s.dispatcher.Wake()
	}
	if delivered {
		s.hub.Publish(f.UserID, live.Event{Type: "message", AppID: appid})
	}
	return msgid, nil
}
