package officialaccount

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"superapp/internal/account"
	"superapp/internal/callback"
	"superapp/internal/input"
	"superapp/internal/live"
	"superapp/internal/store"
)

// Errors of messages an account sends (customer-service, template, mass).
var (
	ErrMessageType     = errors.New("invalid message type")
	ErrEmptyContent    = errors.New("empty content")
	ErrContentTooLong  = errors.New("content size out of limit")
	ErrMediaIDMissing  = errors.New("media_id missing")
	ErrEmptyNews       = errors.New("empty news data")
	ErrTooManyArticles = errors.New("article size out of limit")
	ErrMessageArgs     = errors.New("invalid message arguments")
	// ErrOutOfWindow: the user has not interacted recently enough (or no
	// longer follows, or is blacklisted) for a customer-service message.
	ErrOutOfWindow = errors.New("response out of time limit or subscription is canceled")
	// ErrWindowCount: the customer-service window's messages are used up.
	ErrWindowCount = errors.New("out of response count limit")
)

// Sizes WeChat documents for pushed messages.
const (
	// MaxTextBytes: "文本消息内容最长不超过2048个字节".
	MaxTextBytes = 2048
	// MaxCustomArticles: a customer-service news message carries one
	// article since 2018 (more is 45008).
	MaxCustomArticles = 1
	// MaxMsgMenuItems is our bound on a msgmenu's choices (WeChat names none).
	MaxMsgMenuItems = 10
	// MaxMassImages: a mass image message shows at most 20 pictures.
	MaxMassImages = 20
)

// Outgoing is a message an account sends, as the API describes it; Kind is
// the API's msgtype.
type Outgoing struct {
	Kind         string
	Text         string
	MediaID      string
	MediaIDs     []string // a mass image message's pictures
	ThumbMediaID string
	Title        string
	Description  string
	MusicURL     string
	HQMusicURL   string
	Articles     []Article
	ArticleID    string // mpnewsarticle
	Menu         *MsgMenu
	MiniProgram  *MiniProgramLink // miniprogrampage: appid, pagepath, title
	CardID       string           // wxcard
}

// compose validates o and renders it as the message users see. Media must
// be appid's live temporary media of the right type.
func (s *Service) compose(ctx context.Context, q rowQuerier, appid string, o Outgoing) (*Message, error) {
	for field, v := range map[string]string{"content": o.Text, "title": o.Title, "description": o.Description, "musicurl": o.MusicURL,
		"hqmusicurl": o.HQMusicURL, "article_id": o.ArticleID, "card_id": o.CardID, "media_id": o.MediaID, "thumb_media_id": o.ThumbMediaID} {
		if !input.Storable(v) {
			return nil, fmt.Errorf("%w: %s is not valid UTF-8 text", ErrMessageArgs, field)
		}
	}
	m := &Message{AppID: appid, Direction: Out, Kind: o.Kind}
	b := &m.Body
	media := func(id string, types ...string) error {
		_, err := s.liveMedia(ctx, q, appid, id, types...)
		return err
	}
	thumb := func() error {
		if o.ThumbMediaID == "" {
			return nil
		}
		b.ThumbURL = mediaPath(o.ThumbMediaID)
		return media(o.ThumbMediaID, MediaThumb, MediaImage)
	}
	switch o.Kind {
	case "text":
		if o.Text == "" {
			return nil, fmt.Errorf("%w: text.content is empty", ErrEmptyContent)
		}
		if len(o.Text) > MaxTextBytes {
			return nil, fmt.Errorf("%w: text.content is %d bytes, at most %d", ErrContentTooLong, len(o.Text), MaxTextBytes)
		}
		b.Text = o.Text
	case "image", "voice":
		if o.Kind == "image" && len(o.MediaIDs) > 0 { // a mass image message: images.media_ids
			return s.composeImages(ctx, q, m, o.MediaIDs)
		}
		if err := media(o.MediaID, o.Kind); err != nil {
			return nil, err
		}
		b.MediaID, b.URL = o.MediaID, mediaPath(o.MediaID)
	case "video", "mpvideo":
		// A mass video's media_id comes from media/uploadvideo on WeChat;
		// here the temporary video itself serves.
		m.Kind = "video"
		if err := media(o.MediaID, MediaVideo); err != nil {
			return nil, err
		}
		b.MediaID, b.URL, b.Title, b.Description = o.MediaID, mediaPath(o.MediaID), o.Title, o.Description
		if err := thumb(); err != nil {
			return nil, err
		}
	case "music":
		if o.MusicURL == "" && o.HQMusicURL == "" {
			return nil, fmt.Errorf("%w: music needs musicurl or hqmusicurl", ErrMessageArgs)
		}
		b.Title, b.Description, b.MusicURL, b.HQMusicURL = o.Title, o.Description, o.MusicURL, o.HQMusicURL
		if err := thumb(); err != nil {
			return nil, err
		}
	case "news":
		switch {
		case len(o.Articles) == 0:
			return nil, fmt.Errorf("%w: news.articles is empty", ErrEmptyNews)
		case len(o.Articles) > MaxCustomArticles:
			return nil, fmt.Errorf("%w: %d articles, at most %d", ErrTooManyArticles, len(o.Articles), MaxCustomArticles)
		}
		for i, a := range o.Articles {
			if a.Title == "" {
				return nil, fmt.Errorf("%w: articles[%d].title is empty", ErrMessageArgs, i)
			}
			if !input.Storable(a.Title + a.Description + a.URL + a.PicURL) {
				return nil, fmt.Errorf("%w: articles[%d] is not valid UTF-8 text", ErrMessageArgs, i)
			}
		}
		b.Articles = o.Articles
	case "mpnews", "mpnewsarticle":
		// Permanent materials and published articles do not exist here yet,
		// so the card can only name what the account referred to.
		m.Kind = "mpnews"
		id := o.MediaID
		if o.Kind == "mpnewsarticle" {
			id = o.ArticleID
		}
		if id == "" {
			return nil, fmt.Errorf("%w: %s needs its id", ErrMediaIDMissing, o.Kind)
		}
		b.MediaID, b.Title = id, "Article "+id
		b.Description = "superapp keeps no permanent materials yet; this card stands for the article " + id + "."
	case "msgmenu":
		if o.Menu == nil || len(o.Menu.Items) == 0 {
			return nil, fmt.Errorf("%w: msgmenu.list is empty", ErrMessageArgs)
		}
		if len(o.Menu.Items) > MaxMsgMenuItems {
			return nil, fmt.Errorf("%w: msgmenu.list has %d choices, at most %d", ErrMessageArgs, len(o.Menu.Items), MaxMsgMenuItems)
		}
		for i, it := range o.Menu.Items {
			if it.ID == "" || it.Content == "" || !input.Storable(it.ID+it.Content) {
				return nil, fmt.Errorf("%w: msgmenu.list[%d] needs an id and content", ErrMessageArgs, i)
			}
		}
		if !input.Storable(o.Menu.Head + o.Menu.Tail) {
			return nil, fmt.Errorf("%w: msgmenu is not valid UTF-8 text", ErrMessageArgs)
		}
		b.Menu = o.Menu
	case "miniprogrampage":
		mp := o.MiniProgram
		if mp == nil || mp.AppID == "" || mp.PagePath == "" || !input.Storable(mp.AppID+mp.PagePath+mp.Title) {
			return nil, fmt.Errorf("%w: miniprogrampage needs appid and pagepath", ErrMessageArgs)
		}
		link := *mp
		if err := thumb(); err != nil {
			return nil, err
		}
		link.ThumbURL = b.ThumbURL
		b.MiniProgram, b.Title = &link, mp.Title
	case "wxcard":
		// Cards do not exist here; the message names the card.
		if o.CardID == "" {
			return nil, fmt.Errorf("%w: wxcard.card_id is empty", ErrMessageArgs)
		}
		m.Kind = "news"
		b.Title, b.Description = "Card "+o.CardID, "superapp has no cards; this stands for the card "+o.CardID+"."
	default:
		return nil, fmt.Errorf("%w: %q", ErrMessageType, o.Kind)
	}
	return m, nil
}

// composeImages renders a mass image message: one picture as an image, more
// as a stack of cards (one message either way).
func (s *Service) composeImages(ctx context.Context, q rowQuerier, m *Message, ids []string) (*Message, error) {
	if len(ids) > MaxMassImages {
		return nil, fmt.Errorf("%w: %d pictures, at most %d", ErrMessageArgs, len(ids), MaxMassImages)
	}
	for _, id := range ids {
		if !input.Storable(id) {
			return nil, fmt.Errorf("%w: media_ids is not valid UTF-8 text", ErrMessageArgs)
		}
		if _, err := s.liveMedia(ctx, q, m.AppID, id, MediaImage); err != nil {
			return nil, err
		}
	}
	m.Kind = "image"
	if len(ids) == 1 {
		m.Body.MediaID, m.Body.URL = ids[0], mediaPath(ids[0])
		return m, nil
	}
	m.Kind = "news"
	for i, id := range ids {
		m.Body.Articles = append(m.Body.Articles, Article{
			Title: "Picture " + strconv.Itoa(i+1) + " of " + strconv.Itoa(len(ids)), PicURL: mediaPath(id), URL: mediaPath(id),
		})
	}
	return m, nil
}

// customKinds are the msgtypes of message/custom/send.
var customKinds = map[string]bool{"text": true, "image": true, "voice": true, "video": true, "music": true, "news": true,
	"mpnews": true, "mpnewsarticle": true, "msgmenu": true, "miniprogrampage": true, "wxcard": true}

// recipient resolves one of appid's OpenIDs to its follow relation.
func (s *Service) recipient(ctx context.Context, appid, openid string) (*account.App, *Follower, error) {
	app, err := s.officialAccount(ctx, appid)
	if err != nil {
		return nil, nil, err
	}
	if openid == "" || !input.Storable(openid) {
		return nil, nil, ErrOpenIDNotFound
	}
	f, err := s.FollowerByOpenID(ctx, appid, openid)
	if err != nil {
		return nil, nil, err
	}
	return app, f, nil
}

// windowTx checks, on the locked relation, that a customer-service message
// may reach the user now (platform-rules §3.5): a message window allows
// WindowMessageCount within WindowMessageHours of the user's message, an
// event window WindowEventCount within WindowEventSeconds of the click,
// follow or scan.
func (s *Service) windowTx(ctx context.Context, tx *store.Tx, f *Follower) (*Follower, error) {
	f, err := s.followerTx(ctx, tx, f.AppID, f.UserID)
	if err != nil {
		return nil, err
	}
	if f == nil || !f.Subscribed {
		return nil, fmt.Errorf("%w: the user does not follow the account", ErrOutOfWindow)
	}
	if f.Blacklisted {
		return nil, fmt.Errorf("%w: the user is on the account's blacklist", ErrOutOfWindow)
	}
	age := s.now().Unix() - f.windowOpenedAt
	var limit int
	switch f.windowKind {
	case "message":
		if age >= int64(s.policy.WindowMessageHours)*3600 {
			return nil, fmt.Errorf("%w: the user's last message was more than %d hours ago", ErrOutOfWindow, s.policy.WindowMessageHours)
		}
		limit = s.policy.WindowMessageCount
	case "event":
		if age >= int64(s.policy.WindowEventSeconds) {
			return nil, fmt.Errorf("%w: the user's last click, follow or scan was more than %d seconds ago", ErrOutOfWindow, s.policy.WindowEventSeconds)
		}
		limit = s.policy.WindowEventCount
	default:
		return nil, fmt.Errorf("%w: the user has not interacted with the account", ErrOutOfWindow)
	}
	if f.windowSent >= limit {
		return nil, fmt.Errorf("%w: %d messages already sent since the user's last interaction", ErrWindowCount, f.windowSent)
	}
	return f, nil
}

// SendCustom sends a customer-service message to the follower behind
// openid, within the window the user's latest interaction opened.
func (s *Service) SendCustom(ctx context.Context, appid, openid string, o Outgoing) (*Message, error) {
	if !customKinds[o.Kind] {
		return nil, fmt.Errorf("%w: %q is not a customer-service message type", ErrMessageType, o.Kind)
	}
	_, f, err := s.recipient(ctx, appid, openid)
	if err != nil {
		return nil, err
	}
	m, err := s.compose(ctx, s.db, appid, o)
	if err != nil {
		return nil, err
	}
	m.Source = SourceCustom
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := s.windowTx(ctx, tx, f); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE oa_followers SET window_sent = window_sent + 1 WHERE appid = ? AND user_id = ?", appid, f.UserID); err != nil {
			return err
		}
		return s.deliverTx(ctx, tx, f.UserID, m)
	})
	if err != nil {
		return nil, err
	}
	s.hub.Publish(f.UserID, live.Event{Type: "message", AppID: appid})
	return m, nil
}

// Typing shows (or hides) "typing…" in the user's conversation; like a
// customer-service message it needs an open window, but uses none of it.
func (s *Service) Typing(ctx context.Context, appid, openid string, typing bool) error {
	_, f, err := s.recipient(ctx, appid, openid)
	if err != nil {
		return err
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		_, err := s.windowTx(ctx, tx, f)
		return err
	})
	if err != nil {
		return err
	}
	ev := "typing"
	if !typing {
		ev = "typing_cancel"
	}
	s.hub.Publish(f.UserID, live.Event{Type: ev, AppID: appid})
	return nil
}

// pushEventTx queues an event about a user for the account's developer
// server, stamped as a user's own events are (stampEventTx). It returns the
// push's id, 0 when no server is configured.
func (s *Service) pushEventTx(ctx context.Context, tx *store.Tx, app *account.App, f *Follower, in *Inbound) (int64, error) {
	if server, err := callback.Configured(ctx, tx, app.AppID); err != nil || !server {
		return 0, err
	}
	if err := s.stampEventTx(ctx, tx, app, f, in); err != nil {
		return 0, err
	}
	// UserID stays empty: the developer's answer to a job report is not a
	// reply anyone sees.
	return callback.Enqueue(ctx, tx, callback.Push{AppID: app.AppID, DedupKey: in.DedupKey(), XML: in.XML()})
}
