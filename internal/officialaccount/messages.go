package officialaccount

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"superapp/internal/live"
	"superapp/internal/store"
)

// Message directions.
const (
	In     = "in"     // the user to the account
	Out    = "out"    // the account to the user
	Notice = "notice" // the platform to the user, about the account
)

// Message sources: what produced an outgoing message.
const (
	SourceUser      = "user"
	SourceReply     = "reply"     // a developer server's passive reply
	SourceAutoReply = "autoreply" // the account's keyword/follow/default reply
	SourceCustom    = "custom"    // customer-service message
	SourceTemplate  = "template"
	SourceMass      = "mass"
	SourcePlatform  = "platform"
)

// Message is one message of a conversation.
type Message struct {
	ID        int64  `json:"id"`
	AppID     string `json:"appid"`
	Direction string `json:"direction"`
	// Kind: text, image, voice, video, music, news, mpnews, msgmenu,
	// miniprogrampage, template, location, link, event (a menu tap shown
	// to nobody), notice.
	Kind      string `json:"kind"`
	Source    string `json:"source"`
	Body      Body   `json:"body"`
	CreatedAt int64  `json:"created_at"`
}

// Body is a message's content; which fields are set depends on Kind.
type Body struct {
	Text        string           `json:"text,omitempty"`
	MediaID     string           `json:"media_id,omitempty"`
	URL         string           `json:"url,omitempty"` // image/voice/video address the shell loads; link target
	Title       string           `json:"title,omitempty"`
	Description string           `json:"description,omitempty"`
	MusicURL    string           `json:"music_url,omitempty"`
	HQMusicURL  string           `json:"hq_music_url,omitempty"`
	ThumbURL    string           `json:"thumb_url,omitempty"`
	Articles    []Article        `json:"articles,omitempty"`
	Menu        *MsgMenu         `json:"menu,omitempty"`
	MiniProgram *MiniProgramLink `json:"miniprogram,omitempty"`
	Template    *TemplateCard    `json:"template,omitempty"`
	Location    *Location        `json:"location,omitempty"`
}

// Article is a news card item.
type Article struct {
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	PicURL      string `json:"picurl,omitempty"`
	URL         string `json:"url,omitempty"`
}

// MsgMenu is a customer-service message with reply choices.
type MsgMenu struct {
	Head  string       `json:"head_content,omitempty"`
	Items []MsgMenuRow `json:"list"`
	Tail  string       `json:"tail_content,omitempty"`
}

// MsgMenuRow is one choice; tapping it sends Content as a text message
// with bizmsgmenuid = ID.
type MsgMenuRow struct {
	ID      string `json:"id"`
	Content string `json:"content"`
}

// MiniProgramLink points into a mini program (a card, a menu button, a
// template jump).
type MiniProgramLink struct {
	AppID    string `json:"appid"`
	PagePath string `json:"pagepath"`
	Title    string `json:"title,omitempty"`
	ThumbURL string `json:"thumb_url,omitempty"`
}

// TemplateCard is a rendered template message.
type TemplateCard struct {
	TemplateID  string           `json:"template_id"`
	Title       string           `json:"title"`
	URL         string           `json:"url,omitempty"`
	MiniProgram *MiniProgramLink `json:"miniprogram,omitempty"`
	Fields      []TemplateField  `json:"fields"`
}

// TemplateField is one line of a template message.
type TemplateField struct {
	Key   string `json:"key"`
	Label string `json:"label,omitempty"`
	Value string `json:"value"`
	Color string `json:"color,omitempty"`
}

// Location is a location message.
type Location struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Scale     int     `json:"scale"`
	Label     string  `json:"label"`
}

// insertMessage stores a message's content and returns its id.
func (s *Service) insertMessage(ctx context.Context, tx *store.Tx, m *Message) error {
	body, err := json.Marshal(m.Body)
	if err != nil {
		return err
	}
	if m.CreatedAt == 0 {
		m.CreatedAt = s.now().Unix()
	}
	return tx.QueryRow(ctx, `INSERT INTO oa_messages(appid, direction, kind, source, body, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, m.AppID, m.Direction, m.Kind, m.Source, string(body), m.CreatedAt).Scan(&m.ID)
}

// deliverTx stores m and puts it in userID's conversation with m.AppID.
// Publish a live event for the user after the transaction commits.
func (s *Service) deliverTx(ctx context.Context, tx *store.Tx, userID string, m *Message) error {
	if err := s.insertMessage(ctx, tx, m); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, "INSERT INTO oa_inbox(user_id, appid, message_id) VALUES (?, ?, ?)", userID, m.AppID, m.ID)
	return err
}

// Deliver puts one message into a user's conversation and tells the
// user's open pages.
func (s *Service) Deliver(ctx context.Context, userID string, m *Message) error {
	if err := s.db.InTx(ctx, func(tx *store.Tx) error { return s.deliverTx(ctx, tx, userID, m) }); err != nil {
		return err
	}
	s.hub.Publish(userID, live.Event{Type: "message", AppID: m.AppID})
	return nil
}

const messageColumns = "m.id, m.appid, m.direction, m.kind, m.source, m.body, m.created_at"

func scanMessage(row interface{ Scan(...any) error }) (*Message, error) {
	var m Message
	var body string
	if err := row.Scan(&m.ID, &m.AppID, &m.Direction, &m.Kind, &m.Source, &body, &m.CreatedAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(body), &m.Body); err != nil {
		return nil, fmt.Errorf("message %d: %w", m.ID, err)
	}
	return &m, nil
}

// Conversation returns up to limit messages between userID and appid, oldest
// first: the newest ones, or with before > 0 those older than message before;
// with after > 0, those newer than message after.
func (s *Service) Conversation(ctx context.Context, userID, appid string, before, after int64, limit int) ([]*Message, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	q := "SELECT " + messageColumns + " FROM oa_inbox i JOIN oa_messages m ON m.id = i.message_id WHERE i.user_id = ? AND i.appid = ?"
	args := []any{userID, appid}
	order := " ORDER BY i.message_id DESC"
	switch {
	case after > 0:
		q += " AND i.message_id > ?"
		args = append(args, after)
		order = " ORDER BY i.message_id ASC"
	case before > 0:
		q += " AND i.message_id < ?"
		args = append(args, before)
	}
	rows, err := s.db.Query(ctx, q+order+fmt.Sprintf(" LIMIT %d", limit), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Message{}
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if after <= 0 {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out, nil
}

// Chat is one entry of a user's chat list.
type Chat struct {
	AppID      string   `json:"appid"`
	Name       string   `json:"name"`
	Kind       string   `json:"kind"`
	Subscribed bool     `json:"subscribed"`
	Last       *Message `json:"last,omitempty"`
	Unread     int      `json:"unread"`
	// At orders the list: the newest message, else the follow time.
	At int64 `json:"at"`
}

// Chats lists the accounts userID follows (and unfollowed accounts whose
// conversation has messages), newest first, with unread counts.
func (s *Service) Chats(ctx context.Context, userID string) ([]*Chat, error) {
	rows, err := s.db.Query(ctx, `SELECT f.appid, a.name, a.kind, f.subscribed, f.subscribe_time, f.last_read_id
		FROM oa_followers f JOIN apps a ON a.appid = f.appid WHERE f.user_id = ?`, userID)
	if err != nil {
		return nil, err
	}
	type row struct {
		chat     Chat
		lastRead int64
	}
	var list []*row
	for rows.Next() {
		var r row
		var sub int
		if err := rows.Scan(&r.chat.AppID, &r.chat.Name, &r.chat.Kind, &sub, &r.chat.At, &r.lastRead); err != nil {
			rows.Close()
			return nil, err
		}
		r.chat.Subscribed = sub == 1
		list = append(list, &r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []*Chat{}
	for _, r := range list {
		last, err := scanMessage(s.db.QueryRow(ctx, "SELECT "+messageColumns+` FROM oa_inbox i JOIN oa_messages m ON m.id = i.message_id
			WHERE i.user_id = ? AND i.appid = ? ORDER BY i.message_id DESC LIMIT 1`, userID, r.chat.AppID))
		if err == nil {
			r.chat.Last = last
			r.chat.At = max(r.chat.At, last.CreatedAt)
		}
		if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM oa_inbox i JOIN oa_messages m ON m.id = i.message_id
			WHERE i.user_id = ? AND i.appid = ? AND i.message_id > ? AND m.direction <> 'in' AND m.kind <> 'event'`,
			userID, r.chat.AppID, r.lastRead).Scan(&r.chat.Unread); err != nil {
			return nil, err
		}
		if !r.chat.Subscribed && r.chat.Last == nil {
			continue
		}
		out = append(out, &r.chat)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At > out[j].At })
	return out, nil
}

// MarkRead records that userID has read the conversation with appid up to
// message upTo (0: everything so far).
func (s *Service) MarkRead(ctx context.Context, userID, appid string, upTo int64) error {
	if upTo <= 0 {
		if err := s.db.QueryRow(ctx, "SELECT COALESCE(MAX(message_id), 0) FROM oa_inbox WHERE user_id = ? AND appid = ?", userID, appid).Scan(&upTo); err != nil {
			return err
		}
	}
	_, err := s.db.Exec(ctx, "UPDATE oa_followers SET last_read_id = ? WHERE appid = ? AND user_id = ? AND last_read_id < ?", upTo, appid, userID, upTo)
	return err
}
