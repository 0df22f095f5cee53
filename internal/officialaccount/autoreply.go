package officialaccount

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"superapp/internal/account"
	"superapp/internal/input"
	"superapp/internal/store"
)

// AutoReplies are an account's automatic answers, given when it has no
// developer server: one document per account (oa_autoreplies).
type AutoReplies struct {
	// FollowReply answers a new follower.
	FollowReply ReplySwitch `json:"follow_reply"`
	// DefaultReply answers a text message no keyword rule matched.
	DefaultReply ReplySwitch `json:"default_reply"`
	// KeywordRules are tried in order; the first with a matching keyword
	// answers.
	KeywordRules []KeywordRule `json:"keyword_rules"`
	// UpdatedAt is when the document was last stored (set by the server).
	UpdatedAt int64 `json:"updated_at"`
}

// ReplySwitch is a reply that can be turned off without losing it.
type ReplySwitch struct {
	Enabled bool       `json:"enabled"`
	Reply   *AutoReply `json:"reply,omitempty"`
}

// KeywordRule answers text messages containing or equal to a keyword.
type KeywordRule struct {
	RuleName  string      `json:"rule_name"`
	Keywords  []Keyword   `json:"keywords"`
	ReplyMode string      `json:"reply_mode"` // reply_all (default) or random_one
	Replies   []AutoReply `json:"replies"`
	// CreateTime is set when the rule is first stored; a document read and
	// written back keeps it.
	CreateTime int64 `json:"create_time"`
}

// Keyword is one keyword of a rule.
type Keyword struct {
	MatchMode string `json:"match_mode"` // equal (the whole text) or contain
	Content   string `json:"content"`
}

// AutoReply is one automatic answer.
type AutoReply struct {
	// Type: text, img, voice, video (Content is the media_id) or news
	// (keyword rules only, as on WeChat).
	Type    string    `json:"type"`
	Content string    `json:"content,omitempty"`
	News    []Article `json:"news,omitempty"`
}

// Match and reply modes.
const (
	MatchEqual     = "equal"
	MatchContain   = "contain"
	ReplyAll       = "reply_all"
	ReplyRandomOne = "random_one"
)

// Auto-reply limits. WeChat's console bounds these but documents no
// numbers for most: these are our choice, of the console's order.
const (
	maxKeywordRules   = 200
	maxRuleNameChars  = 60
	maxRuleKeywords   = 10
	maxKeywordChars   = 30
	maxRuleReplies    = 5
	maxReplyTextChars = 600
	maxNewsArticles   = 8
	maxNewsTitleChars = 64
	maxNewsDescChars  = 120
	maxMediaIDBytes   = 128
)

// replyKinds maps a reply type to the kind of message the user receives.
var replyKinds = map[string]string{"text": "text", "img": "image", "voice": "voice", "video": "video", "news": "news"}

// AutoReplies returns appid's auto-reply document (empty when never set).
func (s *Service) AutoReplies(ctx context.Context, appid string) (*AutoReplies, error) {
	if _, err := s.officialAccount(ctx, appid); err != nil {
		return nil, err
	}
	return loadAutoReplies(ctx, s.db, appid)
}

// SetAutoReplies replaces appid's auto-reply document.
func (s *Service) SetAutoReplies(ctx context.Context, appid string, doc AutoReplies) (*AutoReplies, error) {
	// normalize fills in rules in place: work on a copy of the caller's.
	doc.KeywordRules = slices.Clone(doc.KeywordRules)
	return s.UpdateAutoReplies(ctx, appid, func(d *AutoReplies) error {
		*d = doc
		return nil
	})
}

// UpdateAutoReplies changes appid's auto-reply document with change,
// validates the result and stores it, in one transaction.
func (s *Service) UpdateAutoReplies(ctx context.Context, appid string, change func(*AutoReplies) error) (*AutoReplies, error) {
	if _, err := s.officialAccount(ctx, appid); err != nil {
		return nil, err
	}
	var doc *AutoReplies
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.Lock(ctx, "autoreplies:"+appid); err != nil {
			return err
		}
		var err error
		if doc, err = loadAutoReplies(ctx, tx, appid); err != nil {
			return err
		}
		if err := change(doc); err != nil {
			return err
		}
		now := s.now().Unix()
		if err := doc.normalize(now); err != nil {
			return err
		}
		doc.UpdatedAt = now
		b, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO oa_autoreplies(appid, config, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (appid) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at`, appid, string(b), now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return doc, nil
}

// ClearAutoReplies removes every auto-reply of appid.
func (s *Service) ClearAutoReplies(ctx context.Context, appid string) error {
	if _, err := s.officialAccount(ctx, appid); err != nil {
		return err
	}
	_, err := s.db.Exec(ctx, "DELETE FROM oa_autoreplies WHERE appid = ?", appid)
	return err
}

func loadAutoReplies(ctx context.Context, q querier, appid string) (*AutoReplies, error) {
	doc := &AutoReplies{KeywordRules: []KeywordRule{}}
	var config string
	err := q.QueryRow(ctx, "SELECT config FROM oa_autoreplies WHERE appid = ?", appid).Scan(&config)
	if errors.Is(err, sql.ErrNoRows) {
		return doc, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(config), doc); err != nil {
		return nil, fmt.Errorf("auto-replies of %s: %w", appid, err)
	}
	return doc, nil
}

// normalize validates the document, fills defaults (reply mode, rule
// names, creation times) and errs naming the first bad field.
func (d *AutoReplies) normalize(now int64) error {
	for _, sw := range []struct {
		field string
		s     *ReplySwitch
	}{{"follow_reply", &d.FollowReply}, {"default_reply", &d.DefaultReply}} {
		if sw.s.Reply == nil {
			if sw.s.Enabled {
				return input.Errorf(sw.field+".reply", "an enabled reply needs its reply")
			}
			continue
		}
		if sw.s.Reply.Type == "news" {
			return input.Errorf(sw.field+".reply.type", "must be text, img, voice or video (news replies are for keyword rules)")
		}
		if err := sw.s.Reply.check(sw.field + ".reply"); err != nil {
			return err
		}
	}
	if d.KeywordRules == nil {
		d.KeywordRules = []KeywordRule{}
	}
	if len(d.KeywordRules) > maxKeywordRules {
		return input.Errorf("keyword_rules", fmt.Sprintf("has %d rules; at most %d are allowed", len(d.KeywordRules), maxKeywordRules))
	}
	for i := range d.KeywordRules {
		if err := d.KeywordRules[i].normalize(fmt.Sprintf("keyword_rules[%d]", i), now); err != nil {
			return err
		}
	}
	return nil
}

func (r *KeywordRule) normalize(field string, now int64) error {
	if len(r.Keywords) == 0 || len(r.Keywords) > maxRuleKeywords {
		return input.Errorf(field+".keywords", fmt.Sprintf("has %d keywords; a rule has 1 to %d", len(r.Keywords), maxRuleKeywords))
	}
	for j, k := range r.Keywords {
		kf := fmt.Sprintf("%s.keywords[%d]", field, j)
		if k.MatchMode != MatchEqual && k.MatchMode != MatchContain {
			return input.Errorf(kf+".match_mode", `must be "equal" (the whole message) or "contain"`)
		}
		if err := checkText(kf+".content", k.Content, maxKeywordChars); err != nil {
			return err
		}
	}
	r.RuleName = strings.TrimSpace(r.RuleName)
	if r.RuleName == "" {
		r.RuleName = string([]rune(r.Keywords[0].Content)[:min(utf8.RuneCountInString(r.Keywords[0].Content), maxRuleNameChars)])
	}
	if err := checkText(field+".rule_name", r.RuleName, maxRuleNameChars); err != nil {
		return err
	}
	switch r.ReplyMode {
	case "":
		r.ReplyMode = ReplyAll
	case ReplyAll, ReplyRandomOne:
	default:
		return input.Errorf(field+".reply_mode", `must be "reply_all" or "random_one"`)
	}
	if len(r.Replies) == 0 || len(r.Replies) > maxRuleReplies {
		return input.Errorf(field+".replies", fmt.Sprintf("has %d replies; a rule has 1 to %d", len(r.Replies), maxRuleReplies))
	}
	for j := range r.Replies {
		if err := r.Replies[j].check(fmt.Sprintf("%s.replies[%d]", field, j)); err != nil {
			return err
		}
	}
	switch {
	case r.CreateTime < 0 || r.CreateTime > now:
		return input.Errorf(field+".create_time", "must be a past unix time, or 0 for now")
	case r.CreateTime == 0:
		r.CreateTime = now
	}
	return nil
}

func (a *AutoReply) check(field string) error {
	switch a.Type {
	case "text":
		return checkText(field+".content", a.Content, maxReplyTextChars)
	case "img", "voice", "video":
		if a.Content == "" || len(a.Content) > maxMediaIDBytes || !input.Storable(a.Content) {
			return input.Errorf(field+".content", fmt.Sprintf("must be the media_id (1 to %d bytes) of the %s", maxMediaIDBytes, a.Type))
		}
		return nil
	case "news":
		if len(a.News) == 0 || len(a.News) > maxNewsArticles {
			return input.Errorf(field+".news", fmt.Sprintf("has %d articles; a news reply has 1 to %d", len(a.News), maxNewsArticles))
		}
		for k, art := range a.News {
			af := fmt.Sprintf("%s.news[%d]", field, k)
			if err := checkText(af+".title", art.Title, maxNewsTitleChars); err != nil {
				return err
			}
			if art.Description != "" {
				if err := checkText(af+".description", art.Description, maxNewsDescChars); err != nil {
					return err
				}
			}
			for _, l := range []struct{ name, v string }{{"url", art.URL}, {"picurl", art.PicURL}} {
				if l.v == "" {
					continue
				}
				u, err := url.Parse(l.v)
				if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(l.v) > maxURLBytes || !input.Storable(l.v) {
					return input.Errorf(af+"."+l.name, fmt.Sprintf("must be an http or https address of at most %d bytes", maxURLBytes))
				}
			}
		}
		return nil
	}
	return input.Errorf(field+".type", `must be "text", "img", "voice", "video" or "news"`)
}

// checkText checks v is 1 to limit characters of storable text.
func checkText(field, v string, limit int) error {
	n := utf8.RuneCountInString(v)
	switch {
	case strings.TrimSpace(v) == "":
		return input.Errorf(field, "must not be empty")
	case n > limit:
		return input.Errorf(field, fmt.Sprintf("is %d characters; at most %d are allowed", n, limit))
	case !input.Storable(v):
		return input.Errorf(field, "must be UTF-8 text without NUL")
	}
	return nil
}

// message is what the user receives for this reply.
func (a AutoReply) message() *Message {
	m := &Message{Kind: replyKinds[a.Type]}
	switch a.Type {
	case "text":
		m.Body.Text = a.Content
	case "news":
		m.Body.Articles = a.News
	default:
		m.Body.MediaID = a.Content
	}
	return m
}

// matches reports whether text triggers the rule.
func (r *KeywordRule) matches(text string) bool {
	for _, k := range r.Keywords {
		if (k.MatchMode == MatchEqual && text == k.Content) || (k.MatchMode == MatchContain && strings.Contains(text, k.Content)) {
			return true
		}
	}
	return false
}

// autoReplies returns the account's automatic answer to in (reply on follow,
// keyword, default), used when no developer server is configured.
func (s *Service) autoReplies(ctx context.Context, tx *store.Tx, app *account.App, in *Inbound) ([]*Message, error) {
	if in.MsgType != "text" && (in.MsgType != "event" || in.Event != "subscribe") {
		return nil, nil
	}
	doc, err := loadAutoReplies(ctx, tx, app.AppID)
	if err != nil {
		return nil, err
	}
	if in.MsgType == "event" {
		return doc.FollowReply.messages(), nil
	}
	for _, r := range doc.KeywordRules {
		if !r.matches(in.Content) {
			continue
		}
		replies := r.Replies
		if r.ReplyMode == ReplyRandomOne {
			replies = []AutoReply{replies[rand.IntN(len(replies))]}
		}
		out := make([]*Message, len(replies))
		for i, a := range replies {
			out[i] = a.message()
		}
		return out, nil
	}
	return doc.DefaultReply.messages(), nil
}

func (sw ReplySwitch) messages() []*Message {
	if !sw.Enabled || sw.Reply == nil {
		return nil
	}
	return []*Message{sw.Reply.message()}
}
