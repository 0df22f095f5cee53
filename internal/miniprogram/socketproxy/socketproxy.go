// Package socketproxy relays a mini program's wx.connectSocket. The frame
// has connect-src 'none'; the shell opens a WebSocket to this handler
// (mounted at /shell/api/mp/{appid}/socket) and the handler opens the
// developer's ws/wss URL, then relays messages both ways.
//
// The browser side:
//
//	GET /shell/api/mp/{appid}/socket?url=<ws(s) URL>&protocols=<a,b>&header=<JSON object>
//
// The handler answers the opening handshake first, so every later refusal
// reaches the shell as a close frame with a reason it can show:
//
//   - 4403: the target is refused (Options.Allow said no, not ws/wss, a
//     non-public address without AllowPrivate);
//   - 4502: the developer's server is unreachable or refused the handshake;
//   - 4504: its handshake did not complete within HandshakeTimeout;
//   - 4429: the user already has MaxPerUser sockets open;
//   - 1009: a message over MaxMessage (either direction; both sides are closed);
//   - otherwise the code and reason the other side closed with (1001 when it
//     vanished without a close frame; 4502 to the browser when the server did).
//
// Once the developer's server has accepted, the first message the browser
// receives is a text frame {"type":"open","protocol":"<chosen>","header":{…}}
// (its response headers, for SocketTask.onOpen); every later frame is
// relayed verbatim. Pings are answered on each side, never relayed; the
// handler pings both sides every PingInterval and drops a side silent for
// two intervals.
package socketproxy

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"superapp/internal/inflight"
	"superapp/internal/miniprogram/wxhttp"
	"superapp/internal/netguard"
)

// Defaults of Options.
const (
	DefaultHandshakeTimeout = 10 * time.Second
	// DefaultMaxMessage bounds one message either way (WeChat documents no
	// limit; a mini program's messages are small, and this caps memory).
	DefaultMaxMessage   = 1 << 20
	DefaultPingInterval = 30 * time.Second
	// writeTimeout bounds one frame write to a slow peer.
	writeTimeout = 10 * time.Second
	// closeGrace is how long the relay waits for the close handshake.
	closeGrace = 5 * time.Second
	// DefaultMaxPerUser bounds one user's open sockets (the shell allows a
	// mini program 5, as WeChat does; a user may run a few at once).
	DefaultMaxPerUser = 20
)

// Options configure the relay.
type Options struct {
	// Allow decides whether the request's user may open target for appid:
	// the caller finds the user from r (its session), checks the app exists
	// and target's host is in the app's socket domain list. A non-nil error
	// refuses; its message is the reason the mini program sees.
	Allow func(r *http.Request, appid string, target *url.URL) error
	// AppID gives the request's appid; default r.PathValue("appid").
	AppID func(r *http.Request) string
	// CheckOrigin accepts the browser's Origin; default: no Origin, or one
	// whose host is the request's Host (a page of another site must not
	// open sockets with the user's cookies).
	CheckOrigin func(r *http.Request) bool
	// User names the request's user for the MaxPerUser cap ("" is not
	// counted; Allow refuses it). Default: no cap.
	User func(r *http.Request) string
	// MaxPerUser is how many relays one user may have open; default
	// DefaultMaxPerUser.
	MaxPerUser int
	// AllowPrivate lets targets resolve to loopback and private addresses
	// (dev mode, tests), never link-local or cloud metadata ones. Off, they
	// are refused when the name is checked and again at dial time.
	AllowPrivate     bool
	HandshakeTimeout time.Duration
	MaxMessage       int64
	PingInterval     time.Duration
	// TLSConfig for wss targets (nil: system roots); ServerName is set per target.
	TLSConfig *tls.Config
}

type handler struct {
	o     Options
	users *inflight.Counter
	grace time.Duration // closeGrace; tests shorten it
}

// New returns the relay handler.
func New(o Options) http.Handler {
	if o.Allow == nil {
		panic("socketproxy: Options.Allow is required")
	}
	if o.AppID == nil {
		o.AppID = func(r *http.Request) string { return r.PathValue("appid") }
	}
	if o.CheckOrigin == nil {
		o.CheckOrigin = sameOrigin
	}
	if o.HandshakeTimeout <= 0 {
		o.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if o.MaxMessage <= 0 {
		o.MaxMessage = DefaultMaxMessage
	}
	if o.PingInterval <= 0 {
		o.PingInterval = DefaultPingInterval
	}
	if o.MaxPerUser <= 0 {
		o.MaxPerUser = DefaultMaxPerUser
	}
	return &handler{o: o, users: inflight.NewCounter(o.MaxPerUser), grace: closeGrace}
}

func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

// refusal is a failure reported to the browser as a close frame.
type refusal struct {
	code   int
	reason string
}

func (e *refusal) Error() string { return e.reason }

func refuse(code int, format string, args ...any) *refusal {
	return &refusal{code, fmt.Sprintf(format, args...)}
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.o.CheckOrigin(r) {
		http.Error(w, "cross-origin WebSocket refused", http.StatusForbidden)
		return
	}
	appid := h.o.AppID(r)
	browser, err := upgrade(w, r, h.o.MaxMessage, "")
	if err != nil {
		var he handshakeError
		if errors.As(err, &he) {
			w.Header().Set("Sec-WebSocket-Version", "13")
			http.Error(w, he.msg, http.StatusBadRequest)
		}
		return
	}
	defer browser.nc.Close()
	if h.o.User != nil {
		if user := h.o.User(r); user != "" {
			if !h.users.Open(user) {
				browser.writeClose(CloseTooMany, fmt.Sprintf("exceed max task count: at most %d sockets per user are open at a time", h.o.MaxPerUser))
				h.awaitClose(browser)
				return
			}
			defer h.users.Close(user)
		}
	}

	ctx, cancel := context.WithTimeout(r.Context(), h.o.HandshakeTimeout)
	upstream, open, err := h.connect(ctx, r, appid)
	cancel()
	if err != nil {
		var rf *refusal
		if !errors.As(err, &rf) {
			rf = refuse(CloseUpstreamFailed, "%v", err)
		}
		browser.writeClose(rf.code, rf.reason)
		h.awaitClose(browser)
		return
	}
	defer upstream.nc.Close()
	if err := browser.writeFrame(opText, open); err != nil {
		upstream.writeClose(CloseGoingAway, "")
		return
	}
	h.relay(browser, upstream)
}

// connect checks and opens the target; the returned bytes are the "open" message.
func (h *handler) connect(ctx context.Context, r *http.Request, appid string) (*conn, []byte, error) {
	q := r.URL.Query()
	target, err := url.Parse(q.Get("url"))
	if err != nil || (target.Scheme != "ws" && target.Scheme != "wss") || target.Hostname() == "" {
		return nil, nil, refuse(CloseRefused, "invalid url %q: it must be ws:// or wss://", q.Get("url"))
	}
	if target.User != nil {
		return nil, nil, refuse(CloseRefused, "invalid url: user info is not allowed")
	}
	target.Fragment = ""
	if appid == "" {
		return nil, nil, refuse(CloseRefused, "no appid")
	}
	if err := h.o.Allow(r, appid, target); err != nil {
		return nil, nil, refuse(CloseRefused, "%s", err.Error())
	}
	var protocols []string
	for _, p := range strings.Split(q.Get("protocols"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			if !token(p) {
				return nil, nil, refuse(CloseRefused, "invalid protocol %q", p)
			}
			protocols = append(protocols, p)
		}
	}
	header := http.Header{}
	if raw := q.Get("header"); raw != "" {
		var m map[string]any
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			return nil, nil, refuse(CloseRefused, "header must be a JSON object")
		}
		for name, v := range m {
			ck := http.CanonicalHeaderKey(strings.TrimSpace(name))
			if !token(ck) || wxhttp.Forbidden(ck) {
				continue
			}
			s := wxhttp.Value(v)
			if strings.ContainsAny(s, "\r\n") {
				continue
			}
			header.Set(ck, s)
		}
	}
	header.Set("Referer", wxhttp.Referer(appid))
	if header.Get("User-Agent") == "" {
		header.Set("User-Agent", wxhttp.UserAgent)
	}

	hostname := target.Hostname()
	bad, why, err := netguard.ResolveAllowing(ctx, hostname, h.o.AllowPrivate)
	if err != nil {
		return nil, nil, timeoutOr(ctx, refuse(CloseUpstreamFailed, "cannot resolve %s", hostname))
	}
	if why != "" {
		return nil, nil, refuse(CloseRefused, "%s resolves to %s, which is %s", hostname, bad, why)
	}
	port := target.Port()
	if port == "" {
		port = map[string]string{"ws": "80", "wss": "443"}[target.Scheme]
	}
	d := net.Dialer{Control: netguard.DialControl(h.o.AllowPrivate)}
	nc, err := d.DialContext(ctx, "tcp", net.JoinHostPort(hostname, port))
	if err != nil {
		if errors.Is(err, netguard.ErrRefusedAddress) {
			return nil, nil, refuse(CloseRefused, "%s: %v", hostname, err)
		}
		return nil, nil, timeoutOr(ctx, refuse(CloseUpstreamFailed, "cannot connect to %s", target.Host))
	}
	if target.Scheme == "wss" {
		cfg := &tls.Config{MinVersion: tls.VersionTLS12}
		if h.o.TLSConfig != nil {
			cfg = h.o.TLSConfig.Clone()
		}
		cfg.ServerName = hostname
		cfg.NextProtos = []string{"http/1.1"}
		tc := tls.Client(nc, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			nc.Close()
			return nil, nil, timeoutOr(ctx, refuse(CloseUpstreamFailed, "TLS handshake with %s failed: %v", target.Host, err))
		}
		nc = tc
	}
	deadline, _ := ctx.Deadline()
	path := target.RequestURI()
	up, proto, respHeader, err := clientHandshake(nc, target.String(), target.Host, path, protocols, header, h.o.MaxMessage, deadline)
	if err != nil {
		nc.Close()
		return nil, nil, timeoutOr(ctx, refuse(CloseUpstreamFailed, "%s: %v", target.Host, err))
	}
	hdr := map[string]string{}
	for k, vs := range respHeader {
		hdr[k] = strings.Join(vs, ", ")
	}
	open, _ := json.Marshal(map[string]any{"type": "open", "protocol": proto, "header": hdr})
	return up, open, nil
}

func timeoutOr(ctx context.Context, r *refusal) *refusal {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return refuse(CloseUpstreamTimeout, "the server did not complete the WebSocket handshake in time")
	}
	return r
}

// token: an HTTP token (RFC 7230), for header names and subprotocols.
func token(s string) bool {
	for _, c := range []byte(s) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return false
		}
	}
	return s != ""
}

// awaitClose reads until the peer answers the close (or the grace ends).
func (h *handler) awaitClose(c *conn) {
	c.nc.SetReadDeadline(time.Now().Add(h.grace))
	for {
		if _, _, err := c.readMessage(nil); err != nil {
			return
		}
	}
}

// relay copies messages both ways until either side closes.
func (h *handler) relay(browser, upstream *conn) {
	idle := 2*h.o.PingInterval + writeTimeout
	// Activity keeps a side's read deadline ahead until one side ends;
	// from then on only the close handshake's grace counts, or a peer
	// that ignores our close and keeps pinging would hold the relay open.
	var mu sync.Mutex
	ending := false
	alive := func(c *conn) func() {
		return func() {
			mu.Lock()
			defer mu.Unlock()
			if !ending {
				c.nc.SetReadDeadline(time.Now().Add(idle))
			}
		}
	}
	alive(browser)()
	alive(upstream)()

	done := make(chan struct{})
	var once sync.Once
	finish := func() { once.Do(func() { close(done) }) }
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		h.pump(browser, upstream, alive(browser), false)
		finish()
	}()
	go func() {
		defer wg.Done()
		h.pump(upstream, browser, alive(upstream), true)
		finish()
	}()
	go func() {
		t := time.NewTicker(h.o.PingInterval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				browser.writeFrame(opPing, nil)
				upstream.writeFrame(opPing, nil)
			}
		}
	}()
	<-done
	// One side ended: give the close handshake a moment, then drop both
	// (closing also ends a pump blocked writing to a stalled peer).
	mu.Lock()
	ending = true
	grace := time.Now().Add(h.grace)
	browser.nc.SetReadDeadline(grace)
	upstream.nc.SetReadDeadline(grace)
	mu.Unlock()
	drop := time.AfterFunc(h.grace, func() {
		browser.nc.Close()
		upstream.nc.Close()
	})
	defer drop.Stop()
	wg.Wait()
}

// pump forwards src's messages to dst. When src ends it closes dst with
// the matching code; fromServer says src is the developer's server.
func (h *handler) pump(src, dst *conn, onActivity func(), fromServer bool) {
	for {
		op, msg, err := src.readMessage(onActivity)
		if err == nil {
			if werr := dst.writeFrame(op, msg); werr != nil {
				if !errors.Is(werr, net.ErrClosed) {
					src.writeClose(CloseGoingAway, "the other side is gone")
				}
				return
			}
			continue
		}
		var ce *CloseError
		switch {
		case errors.Is(err, errTooBig):
			reason := fmt.Sprintf("message over %d bytes", h.o.MaxMessage)
			src.writeClose(CloseTooBig, reason)
			dst.writeClose(CloseTooBig, reason)
		case errors.As(err, &ce) && ce.Code != CloseProtocolError && ce.Code != CloseInvalidData:
			// The peer closed: answer it and pass its close on.
			src.writeClose(ce.Code, ce.Reason)
			dst.writeClose(ce.Code, ce.Reason)
		case errors.As(err, &ce):
			// A protocol violation by src.
			src.writeClose(ce.Code, ce.Reason)
			dst.writeClose(CloseGoingAway, "the other side broke the protocol: "+ce.Reason)
		case errors.Is(err, net.ErrClosed):
			// This side already closed (the other pump ended first).
		default:
			if fromServer {
				dst.writeClose(CloseUpstreamFailed, "connection to the server lost")
			} else {
				dst.writeClose(CloseGoingAway, "")
			}
		}
		return
	}
}
