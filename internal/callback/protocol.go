package callback

import (
	"bytes"
	"crypto/subtle"
	"encoding/xml"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"time"

	"superapp/internal/wxcrypto"
)

// target is an account's developer server prepared for sending: the
// settings, the envelope of its EncodingAESKey, and its URL ready for the
// per-attempt query to be appended.
type target struct {
	cfg *Config
	env *wxcrypto.Envelope // nil in plain mode
	// base is the URL with its own query (if any) and the separator the
	// attempt's parameters follow.
	base string
}

// pushParams are the query parameters every push sets; a configured URL
// that carries one of them gets them replaced rather than repeated.
var pushParams = []string{"signature", "timestamp", "nonce", "openid", "encrypt_type", "msg_signature"}

func newTarget(cfg *Config) (*target, error) {
	t := &target{cfg: cfg}
	if cfg.Mode != ModePlain {
		env, err := wxcrypto.NewEnvelope(cfg.AESKey, cfg.AppID)
		if err != nil {
			return nil, errors.New("the stored EncodingAESKey is not usable")
		}
		t.env = env
	}
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, errors.New("the stored URL does not parse")
	}
	q := u.Query()
	for _, k := range pushParams {
		q.Del(k)
	}
	u.RawQuery = q.Encode()
	t.base = u.String()
	if u.RawQuery == "" {
		t.base += "?"
	} else {
		t.base += "&"
	}
	return t, nil
}

// request is one attempt's POST, built from the stored payload: the URL
// with its query (signatures, timestamp, nonce, openid, encrypt_type) and
// the body in the account's mode (reference §2.2, §2.5).
type request struct {
	url  string
	body []byte
}

// pushHead is what a push's plain XML says about itself.
type pushHead struct {
	ToUserName, FromUserName, MsgType, Event string
}

// headOf reads the push's header fields. Payloads are the XML that
// Inbound.XML renders (CDATA text, fields in a fixed order), so a scan is
// enough and much cheaper than encoding/xml; anything else falls back to it.
func headOf(payload string) pushHead {
	h := pushHead{
		ToUserName:   cdataField(payload, "ToUserName"),
		FromUserName: cdataField(payload, "FromUserName"),
		MsgType:      cdataField(payload, "MsgType"),
		Event:        cdataField(payload, "Event"),
	}
	if h.MsgType == "" {
		var x struct {
			ToUserName, FromUserName, MsgType, Event string
		}
		if xml.Unmarshal([]byte(payload), &x) == nil {
			h = pushHead(x)
		}
	}
	return h
}

// cdataField returns the CDATA text of the first <name> element, "" when
// there is none or it is not written as a single CDATA section.
func cdataField(doc, name string) string {
	open := "<" + name + "><![CDATA["
	i := strings.Index(doc, open)
	if i < 0 {
		return ""
	}
	rest := doc[i+len(open):]
	j := strings.Index(rest, "]]></"+name+">")
	if j < 0 {
		return ""
	}
	return rest[:j]
}

// buildRequest signs (and in compatible and safe mode encrypts) payload for
// t's server. openid is the user's ("" for platform events).
func (t *target) buildRequest(payload, toUserName, openid string, now time.Time) request {
	timestamp := strconv.FormatInt(now.Unix(), 10)
	// The nonce only varies the signature; it is no secret.
	nonce := strconv.FormatUint(rand.Uint64N(10_000_000_000), 10)
	var u strings.Builder
	u.Grow(len(t.base) + 200)
	u.WriteString(t.base)
	u.WriteString("signature=")
	u.WriteString(wxcrypto.Signature(t.cfg.Token, timestamp, nonce))
	u.WriteString("&timestamp=")
	u.WriteString(timestamp)
	u.WriteString("&nonce=")
	u.WriteString(nonce)
	if openid != "" {
		u.WriteString("&openid=")
		u.WriteString(url.QueryEscape(openid))
	}
	if t.env == nil {
		return request{url: u.String(), body: []byte(payload)}
	}
	encrypted := t.env.Seal([]byte(payload))
	u.WriteString("&encrypt_type=aes&msg_signature=")
	u.WriteString(wxcrypto.Signature(t.cfg.Token, timestamp, nonce, encrypted))
	var b bytes.Buffer
	b.Grow(len(payload) + len(encrypted) + 96)
	if t.cfg.Mode == ModeCompatible {
		// The plain fields and <Encrypt> in one document.
		b.WriteString(strings.TrimSuffix(payload, "</xml>"))
	} else {
		b.WriteString("<xml><ToUserName><![CDATA[")
		b.WriteString(toUserName)
		b.WriteString("]]></ToUserName>")
	}
	b.WriteString("<Encrypt><![CDATA[")
	b.WriteString(encrypted)
	b.WriteString("]]></Encrypt></xml>")
	return request{url: u.String(), body: b.Bytes()}
}

// replyXML is WeChat's passive reply document (§2.4), and the encrypted
// reply's fields (§2.5).
type replyXML struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   string   `xml:"ToUserName"`
	FromUserName string   `xml:"FromUserName"`
	MsgType      string   `xml:"MsgType"`
	Content      string   `xml:"Content"`
	Image        struct {
		MediaID string `xml:"MediaId"`
	} `xml:"Image"`
	Voice struct {
		MediaID string `xml:"MediaId"`
	} `xml:"Voice"`
	Video struct {
		MediaID     string `xml:"MediaId"`
		Title       string `xml:"Title"`
		Description string `xml:"Description"`
	} `xml:"Video"`
	Music struct {
		Title        string `xml:"Title"`
		Description  string `xml:"Description"`
		MusicURL     string `xml:"MusicUrl"`
		HQMusicURL   string `xml:"HQMusicUrl"`
		ThumbMediaID string `xml:"ThumbMediaId"`
	} `xml:"Music"`
	ArticleCount int `xml:"ArticleCount"`
	Articles     []struct {
		Title       string `xml:"Title"`
		Description string `xml:"Description"`
		PicURL      string `xml:"PicUrl"`
		URL         string `xml:"Url"`
	} `xml:"Articles>item"`

	Encrypt      string `xml:"Encrypt"`
	MsgSignature string `xml:"MsgSignature"`
	TimeStamp    string `xml:"TimeStamp"`
	Nonce        string `xml:"Nonce"`
}

// maxReplyArticles is how many news items a passive reply may carry; WeChat
// once allowed 8 and now shows 1 — we keep 8 so older backends still work.
const maxReplyArticles = 8

// parseReply turns a developer server's answer into a Reply: nil for
// "success" or an empty body. An encrypted reply must carry a valid
// MsgSignature and decrypt with the current or the previous key. Plain
// replies are accepted in every mode (WeChat does not reject them in safe
// mode either).
func parseReply(cfg *Config, body []byte) (*Reply, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || string(trimmed) == "success" {
		return nil, nil
	}
	var x replyXML
	if err := xml.Unmarshal(trimmed, &x); err != nil {
		return nil, errors.New("the answer is neither \"success\", empty, nor reply XML")
	}
	if x.Encrypt != "" {
		plain, err := openReply(cfg, &x)
		if err != nil {
			return nil, err
		}
		// SDKs in safe mode answer "no reply" with an encrypted empty
		// message (silenceper does).
		if p := bytes.TrimSpace(plain); len(p) == 0 || string(p) == "success" {
			return nil, nil
		}
		x = replyXML{}
		if err := xml.Unmarshal(plain, &x); err != nil {
			return nil, errors.New("the decrypted reply is not XML")
		}
		if x.Encrypt != "" {
			return nil, errors.New("the decrypted reply is encrypted again")
		}
	}
	r := &Reply{MsgType: x.MsgType}
	switch x.MsgType {
	case "text":
		if x.Content == "" {
			return nil, errors.New("a text reply has no Content")
		}
		r.Content = x.Content
	case "image":
		r.MediaID = x.Image.MediaID
	case "voice":
		r.MediaID = x.Voice.MediaID
	case "video":
		r.MediaID, r.Title, r.Description = x.Video.MediaID, x.Video.Title, x.Video.Description
	case "music":
		m := x.Music
		if m.MusicURL == "" && m.HQMusicURL == "" {
			return nil, errors.New("a music reply has no MusicUrl")
		}
		r.Title, r.Description, r.MusicURL, r.HQMusicURL, r.ThumbMediaID = m.Title, m.Description, m.MusicURL, m.HQMusicURL, m.ThumbMediaID
	case "news":
		if len(x.Articles) == 0 || len(x.Articles) > maxReplyArticles {
			return nil, fmt.Errorf("a news reply has %d articles (1–%d allowed)", len(x.Articles), maxReplyArticles)
		}
		for _, a := range x.Articles {
			r.Articles = append(r.Articles, Article{Title: a.Title, Description: a.Description, PicURL: a.PicURL, URL: a.URL})
		}
	case "transfer_customer_service":
	case "":
		return nil, errors.New("the reply has no MsgType")
	default:
		return nil, fmt.Errorf("the reply's MsgType %q is not one WeChat accepts", truncate(x.MsgType, 40))
	}
	if (r.MsgType == "image" || r.MsgType == "voice" || r.MsgType == "video") && r.MediaID == "" {
		return nil, fmt.Errorf("a %s reply has no MediaId", r.MsgType)
	}
	return r, nil
}

// openReply checks an encrypted reply's signature and decrypts it with the
// current EncodingAESKey or, after a change, the previous one.
func openReply(cfg *Config, x *replyXML) ([]byte, error) {
	if cfg.AESKey == "" && cfg.PreviousAESKey == "" {
		return nil, errors.New("the reply is encrypted but no EncodingAESKey is configured")
	}
	want := wxcrypto.Signature(cfg.Token, x.TimeStamp, x.Nonce, x.Encrypt)
	if subtle.ConstantTimeCompare([]byte(want), []byte(x.MsgSignature)) != 1 {
		return nil, errors.New("the encrypted reply's MsgSignature does not match")
	}
	for _, key := range []string{cfg.AESKey, cfg.PreviousAESKey} {
		if key == "" {
			continue
		}
		env, err := wxcrypto.NewEnvelope(key, cfg.AppID)
		if err != nil {
			continue
		}
		if plain, err := env.Open(x.Encrypt); err == nil {
			return plain, nil
		}
	}
	return nil, errors.New("the encrypted reply does not decrypt with the current or previous EncodingAESKey for this appid")
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
