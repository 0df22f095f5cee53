package callback

import (
	"bufio"
	"bytes"
	"context"
	"crypto/subtle"
	"crypto/tls"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"superapp/internal/netguard"
	"superapp/internal/wxcrypto"
)

// target is an account's developer server prepared for sending: the
// settings, the envelope of its EncodingAESKey, and where its pushes go.
type target struct {
	cfg *Config
	env *wxcrypto.Envelope // nil in plain mode
	// uri is the request target: the URL's path with its own query (if
	// any) and the separator the attempt's parameters follow.
	uri string
	// host is the Host header; addr the host:port dialled; key names the
	// connections to it (scheme and addr).
	host, addr, key string
	tls             *tls.Config // nil for http
}

// pushParams are the query parameters every push sets; a configured URL
// that carries one of them gets them replaced rather than repeated.
var pushParams = []string{"signature", "timestamp", "nonce", "openid", "encrypt_type", "msg_signature"}

// withoutParams returns rawQuery without the parameters named in drop,
// keeping every other piece byte for byte.
func withoutParams(rawQuery string, drop []string) string {
	var kept []string
	for piece := range strings.SplitSeq(rawQuery, "&") {
		if piece == "" {
			continue
		}
		key, _, _ := strings.Cut(piece, "=")
		if k, err := url.QueryUnescape(key); err == nil && slices.Contains(drop, k) {
			continue
		}
		kept = append(kept, piece)
	}
	return strings.Join(kept, "&")
}

func newTarget(cfg *Config) (*target, error) {
	t := &target{cfg: cfg}
	if cfg.Mode != ModePlain {
		env, err := wxcrypto.NewEnvelope(cfg.AESKey, cfg.AppID)
		if err != nil {
			return nil, errors.New("the stored EncodingAESKey is not usable")
		}
		t.env = env
	}
	u, err := parseTarget(cfg.URL)
	if err != nil {
		return nil, errors.New("the stored URL is not usable")
	}
	// The configured path and query are sent as written (WeChat appends
	// its parameters to the URL): re-encoding the query would reorder it
	// and drop what url.Values cannot parse (a;b, %zz).
	t.uri = u.EscapedPath()
	if t.uri == "" {
		t.uri = "/"
	}
	if q := withoutParams(u.RawQuery, pushParams); q != "" {
		t.uri += "?" + q + "&"
	} else {
		t.uri += "?"
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	// The Host header names the host without an IPv6 zone (RFC 6874 zones
	// are local to this machine; net/http drops them as well).
	t.host, t.addr = u.Host, net.JoinHostPort(u.Hostname(), port)
	if i := strings.IndexByte(t.host, '%'); i >= 0 && strings.HasPrefix(t.host, "[") {
		t.host = t.host[:i] + t.host[strings.IndexByte(t.host, ']'):]
	}
	t.key = u.Scheme + "://" + t.addr
	if u.Scheme == "https" {
		t.tls = &tls.Config{ServerName: u.Hostname(), NextProtos: []string{"http/1.1"}, ClientSessionCache: tls.NewLRUClientSessionCache(8)}
	}
	return t, nil
}

// request is one attempt's POST, built from the stored payload: the
// query (signatures, timestamp, nonce, openid, encrypt_type) that follows
// the target's uri, and the body in the account's mode (reference §2.2,
// §2.5).
type request struct {
	query string
	body  []byte
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
	u.Grow(200)
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
		return request{query: u.String(), body: []byte(payload)}
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
	return request{query: u.String(), body: b.Bytes()}
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

// sender POSTs pushes over keep-alive HTTP/1.1 connections that the
// delivering worker writes and reads itself. net/http's Transport hands
// each request to two goroutines of its connection and back, which cost a
// push about as much CPU as the rest of the exchange; here a push is one
// write and the reads of its answer on the worker's goroutine. The
// connection's deadline, set once per attempt, bounds the attempt (dial,
// TLS, request, answer), so no timer or context is made per push.
type sender struct {
	dialer  *net.Dialer // with the SSRF guard
	timeout time.Duration

	mu        sync.Mutex
	idle      map[string][]*hconn // by target key, most recently used last
	idleCount int
	maxIdle   int // per key
	maxTotal  int
}

// idleTimeout is how long an unused connection is kept.
const idleTimeout = 90 * time.Second

// hconn is a connection to a developer server.
type hconn struct {
	key       string
	c         net.Conn
	br        *bufio.Reader
	idleSince time.Time
}

func newSender(opts Options) *sender {
	return &sender{
		dialer:  &net.Dialer{Timeout: opts.Timeout, KeepAlive: 30 * time.Second, Control: netguard.DialControl(opts.AllowPrivate)},
		timeout: opts.Timeout, idle: map[string][]*hconn{}, maxIdle: opts.Workers, maxTotal: 4 * opts.Workers,
	}
}

// worker is one delivering goroutine's state: its buffers, and the
// connection it is using, which stop interrupts.
type worker struct {
	mu     sync.Mutex
	inUse  net.Conn
	out    []byte       // the request being written
	answer bytes.Buffer // the answer being read
	limit  io.LimitedReader
}

// use records the connection the worker is using (nil: none).
func (w *worker) use(c net.Conn) {
	w.mu.Lock()
	w.inUse = c
	w.mu.Unlock()
}

// interrupt ends the worker's exchange at once (the dispatcher stops).
func (w *worker) interrupt() {
	w.mu.Lock()
	if w.inUse != nil {
		w.inUse.SetDeadline(time.Unix(1, 0))
	}
	w.mu.Unlock()
}

// post sends one attempt and returns the answer's status and body (valid
// until the worker's next post). ctx ends only when the dispatcher stops.
func (s *sender) post(ctx context.Context, w *worker, t *target, r request) (int, []byte, error) {
	deadline := time.Now().Add(s.timeout)
	for retried := false; ; retried = true {
		hc := s.take(t.key)
		reused := hc != nil
		if !reused {
			var err error
			if hc, err = s.dial(ctx, t, deadline); err != nil {
				return 0, nil, err
			}
		}
		status, answer, keep, answered, err := s.exchange(ctx, w, hc, t, r, deadline)
		if err == nil && keep {
			s.put(hc)
		} else {
			hc.c.Close()
		}
		// A kept-alive connection the server closed while it was idle
		// fails before any answer: the request was not taken, so it goes
		// once more on a new connection (within the same attempt). Once
		// the server answered anything, it did take the request, and a
		// resend would deliver the push twice.
		if err != nil && reused && !retried && !answered && ctx.Err() == nil && closedByServer(err) {
			continue
		}
		return status, answer, err
	}
}

// closedByServer reports whether err is a connection closed by its peer.
func closedByServer(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

func (s *sender) dial(ctx context.Context, t *target, deadline time.Time) (*hconn, error) {
	d := *s.dialer
	d.Deadline = deadline
	c, err := d.DialContext(ctx, "tcp", t.addr)
	if err != nil {
		return nil, err
	}
	if t.tls != nil {
		tc := tls.Client(c, t.tls)
		c.SetDeadline(deadline)
		if err := tc.HandshakeContext(ctx); err != nil {
			c.Close()
			return nil, err
		}
		c = tc
	}
	return &hconn{key: t.key, c: c, br: bufio.NewReaderSize(c, 4096)}, nil
}

// exchange writes the request on hc and reads the answer; keep says
// whether hc can carry another request, answered whether any of an answer
// arrived.
func (s *sender) exchange(ctx context.Context, w *worker, hc *hconn, t *target, r request, deadline time.Time) (status int, answer []byte, keep, answered bool, err error) {
	// The deadline is set before the worker shows the connection to
	// interrupt, which then overrides it; a stop before that shows in ctx.
	if err := hc.c.SetDeadline(deadline); err != nil {
		return 0, nil, false, false, err
	}
	w.use(hc.c)
	defer w.use(nil)
	if err := ctx.Err(); err != nil {
		return 0, nil, false, false, err
	}
	out := append(w.out[:0], "POST "...)
	out = append(out, t.uri...)
	out = append(out, r.query...)
	out = append(out, " HTTP/1.1\r\nHost: "...)
	out = append(out, t.host...)
	out = append(out, "\r\nUser-Agent: "+userAgent+"\r\nContent-Type: text/xml\r\nContent-Length: "...)
	out = strconv.AppendInt(out, int64(len(r.body)), 10)
	out = append(out, "\r\n\r\n"...)
	out = append(out, r.body...)
	if cap(out) <= 64<<10 {
		w.out = out
	}
	if _, werr := hc.c.Write(out); werr != nil {
		// A server may answer and close before reading the whole
		// request (an error status, or even its reply): that answer
		// stands, as net/http's client keeps it too. Without one, the
		// write's error says what happened.
		status, answer, _, answered, err := s.readAnswer(w, hc)
		if err != nil {
			if answered {
				return 0, nil, false, true, err
			}
			return 0, nil, false, false, werr
		}
		return status, answer, false, true, nil
	}
	return s.readAnswer(w, hc)
}

// readAnswer reads the answer to the request written on hc.
func (s *sender) readAnswer(w *worker, hc *hconn) (status int, answer []byte, keep, answered bool, err error) {
	// Waiting for the answer's first byte tells a connection closed
	// before answering (io.EOF here) from a cut answer.
	if _, err := hc.br.Peek(1); err != nil {
		return 0, nil, false, false, err
	}
	var resp *http.Response
	for {
		if resp, err = http.ReadResponse(hc.br, nil); err != nil {
			return 0, nil, false, true, err
		}
		// Interim answers (100 Continue, 103 Early Hints) precede the
		// real one.
		if resp.StatusCode >= 200 || resp.StatusCode == http.StatusSwitchingProtocols {
			break
		}
	}
	w.answer.Reset()
	w.limit = io.LimitedReader{R: resp.Body, N: maxAnswer + 1}
	if _, err := w.answer.ReadFrom(&w.limit); err != nil {
		return 0, nil, false, true, err
	}
	// Read to its end, the answer leaves the connection ready for the
	// next request; a longer one is abandoned with the connection. Bytes
	// already there beyond the answer were not asked for: kept, they
	// would be read as the next push's answer.
	keep = w.answer.Len() <= maxAnswer && !resp.Close && resp.StatusCode != http.StatusSwitchingProtocols
	if keep {
		resp.Body.Close()
		keep = hc.br.Buffered() == 0
	}
	answer = w.answer.Bytes()
	if cap(answer) > 64<<10 {
		w.answer = bytes.Buffer{}
	}
	return resp.StatusCode, answer, keep, true, nil
}

// take returns an idle connection for key, nil when there is none.
func (s *sender) take(key string) *hconn {
	for {
		hc := s.pop(key)
		if hc == nil || quiet(hc) {
			return hc
		}
		hc.c.Close()
	}
}

// pop removes the newest idle connection for key that has not idled too
// long (closing those that have); nil when there is none.
func (s *sender) pop(key string) *hconn {
	s.mu.Lock()
	defer s.mu.Unlock()
	for list := s.idle[key]; len(list) > 0; list = s.idle[key] {
		hc := list[len(list)-1]
		s.idle[key] = list[:len(list)-1]
		s.idleCount--
		if time.Since(hc.idleSince) < idleTimeout {
			return hc
		}
		hc.c.Close()
	}
	return nil
}

// quiet reports whether an idle connection is still fit for a request: the
// server has neither closed it nor sent anything since its last answer —
// bytes that arrived unasked would otherwise be read as the next push's
// answer.
func quiet(hc *hconn) bool {
	if hc.br.Buffered() > 0 {
		return false
	}
	c := hc.c
	if tc, ok := c.(*tls.Conn); ok {
		// Any byte on the socket (a record, an alert, a close) disqualifies
		// it as much as plain bytes do.
		c = tc.NetConn()
	}
	return socketQuiet(c)
}

// put keeps hc for the next request to its server.
func (s *sender) put(hc *hconn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.idle[hc.key]) >= s.maxIdle || s.idleCount >= s.maxTotal {
		hc.c.Close()
		return
	}
	hc.idleSince = time.Now()
	s.idle[hc.key] = append(s.idle[hc.key], hc)
	s.idleCount++
}

// closeIdle closes the connections unused for longer than maxIdle.
func (s *sender) closeIdle(maxIdle time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for key, list := range s.idle {
		kept := list[:0]
		for _, hc := range list {
			if time.Since(hc.idleSince) < maxIdle {
				kept = append(kept, hc)
			} else {
				hc.c.Close()
				s.idleCount--
			}
		}
		if len(kept) == 0 {
			delete(s.idle, key)
		} else {
			s.idle[key] = kept
		}
	}
}
