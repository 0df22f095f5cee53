package host_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"superapp/internal/miniprogram/host"
)

// A minimal RFC 6455 peer for the tests: the browser's side (masked
// frames) and a developer's echo server (unmasked frames).

const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

func wsAccept(key string) string {
	s := sha1.Sum([]byte(key + wsGUID))
	return base64.StdEncoding.EncodeToString(s[:])
}

type wsPeer struct {
	nc     net.Conn
	br     *bufio.Reader
	masked bool
}

func (p *wsPeer) write(op byte, payload []byte) error {
	hdr := []byte{0x80 | op}
	maskBit := byte(0)
	if p.masked {
		maskBit = 0x80
	}
	switch n := len(payload); {
	case n < 126:
		hdr = append(hdr, maskBit|byte(n))
	case n < 1<<16:
		hdr = append(hdr, maskBit|126, byte(n>>8), byte(n))
	default:
		hdr = binary.BigEndian.AppendUint64(append(hdr, maskBit|127), uint64(n))
	}
	body := append([]byte(nil), payload...)
	if p.masked {
		var key [4]byte
		rand.Read(key[:])
		hdr = append(hdr, key[:]...)
		for i := range body {
			body[i] ^= key[i%4]
		}
	}
	_, err := p.nc.Write(append(hdr, body...))
	return err
}

// read returns the next data or close frame (pings are answered).
func (p *wsPeer) read() (byte, []byte, error) {
	for {
		var h [2]byte
		if _, err := io.ReadFull(p.br, h[:]); err != nil {
			return 0, nil, err
		}
		n := uint64(h[1] & 0x7f)
		switch n {
		case 126:
			var b [2]byte
			if _, err := io.ReadFull(p.br, b[:]); err != nil {
				return 0, nil, err
			}
			n = uint64(binary.BigEndian.Uint16(b[:]))
		case 127:
			var b [8]byte
			if _, err := io.ReadFull(p.br, b[:]); err != nil {
				return 0, nil, err
			}
			n = binary.BigEndian.Uint64(b[:])
		}
		var key [4]byte
		if h[1]&0x80 != 0 {
			if _, err := io.ReadFull(p.br, key[:]); err != nil {
				return 0, nil, err
			}
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(p.br, body); err != nil {
			return 0, nil, err
		}
		if h[1]&0x80 != 0 {
			for i := range body {
				body[i] ^= key[i%4]
			}
		}
		op := h[0] & 0x0f
		if op == 0x9 {
			p.write(0xA, body)
			continue
		}
		if op == 0xA {
			continue
		}
		return op, body, nil
	}
}

// closeOf reads frames until a close and returns its code and reason.
func (p *wsPeer) closeOf(t *testing.T) (int, string) {
	t.Helper()
	p.nc.SetReadDeadline(time.Now().Add(20 * time.Second))
	for {
		op, body, err := p.read()
		if err != nil {
			t.Fatalf("no close frame: %v", err)
		}
		if op == 0x8 {
			if len(body) < 2 {
				return 1005, ""
			}
			return int(binary.BigEndian.Uint16(body)), string(body[2:])
		}
	}
}

// echoServer is a developer's WebSocket server echoing every message.
func echoServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			http.Error(w, "websocket only", http.StatusBadRequest)
			return
		}
		nc, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer nc.Close()
		resp := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
			"Sec-WebSocket-Accept: " + wsAccept(r.Header.Get("Sec-WebSocket-Key")) + "\r\nX-Echo: yes\r\n"
		if p := r.Header.Get("Sec-WebSocket-Protocol"); p != "" {
			resp += "Sec-WebSocket-Protocol: " + strings.TrimSpace(strings.Split(p, ",")[0]) + "\r\n"
		}
		nc.Write([]byte(resp + "\r\n"))
		peer := &wsPeer{nc: nc, br: brw.Reader}
		for {
			op, body, err := peer.read()
			if err != nil {
				return
			}
			if op == 0x8 {
				peer.write(0x8, body)
				return
			}
			peer.write(op, append([]byte("echo: "), body...))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// dialSocket opens the relay as the shell's page does; cookie "" sends none.
func (w *world) dialSocket(t *testing.T, appid, target, cookie string, protocols ...string) *wsPeer {
	t.Helper()
	u, _ := url.Parse(w.srv.URL)
	nc, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	q := url.Values{"url": {target}, "header": {`{"X-Token":"t1"}`}}
	if len(protocols) > 0 {
		q.Set("protocols", strings.Join(protocols, ","))
	}
	key := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef"))
	req := "GET /shell/api/mp/" + appid + "/socket?" + q.Encode() + " HTTP/1.1\r\nHost: " + u.Host +
		"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + key +
		"\r\nOrigin: " + w.srv.URL + "\r\n"
	if cookie != "" {
		req += "Cookie: " + cookieName + "=" + cookie + "\r\n"
	}
	if _, err := nc.Write([]byte(req + "\r\n")); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols || resp.Header.Get("Sec-WebSocket-Accept") != wsAccept(key) {
		t.Fatalf("handshake: %d %v", resp.StatusCode, resp.Header)
	}
	return &wsPeer{nc: nc, br: br, masked: true}
}

func TestSocketRelayEchoesForTheSignedInUserInDevMode(t *testing.T) {
	w := newWorld(t, dev)
	echo := echoServer(t)
	target := "ws" + strings.TrimPrefix(echo.URL, "http") + "/chat?room=1"
	c := w.dialSocket(t, w.app.AppID, target, w.session, "chat.v1", "chat.v2")
	c.nc.SetReadDeadline(time.Now().Add(20 * time.Second))
	op, body, err := c.read()
	if err != nil || op != 0x1 {
		t.Fatalf("first frame: %d %q %v", op, body, err)
	}
	var open struct {
		Type     string            `json:"type"`
		Protocol string            `json:"protocol"`
		Header   map[string]string `json:"header"`
	}
	if err := json.Unmarshal(body, &open); err != nil || open.Type != "open" || open.Protocol != "chat.v1" || open.Header["X-Echo"] != "yes" {
		t.Fatalf("open message: %s (%v)", body, err)
	}
	if err := c.write(0x1, []byte("hello")); err != nil {
		t.Fatal(err)
	}
	op, body, err = c.read()
	if err != nil || op != 0x1 || string(body) != "echo: hello" {
		t.Fatalf("text echo: %d %q %v", op, body, err)
	}
	if err := c.write(0x2, []byte{0, 1, 2, 255}); err != nil {
		t.Fatal(err)
	}
	op, body, err = c.read()
	if err != nil || op != 0x2 || string(body) != "echo: \x00\x01\x02\xff" {
		t.Fatalf("binary echo: %d %q %v", op, body, err)
	}
	c.write(0x8, append(binary.BigEndian.AppendUint16(nil, 3001), "bye"...))
	if code, reason := c.closeOf(t); code != 3001 || reason != "bye" {
		t.Fatalf("close: %d %q", code, reason)
	}
}

func TestSocketRelayRefusals(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	if _, err := w.p.MiniPrograms.SetDomains(ctx, w.app.AppID, host.Domains{host.DomainSocket: {"wss://chat.example.test"}}); err != nil {
		t.Fatal(err)
	}
	refused := func(name, appid, target, cookie, wantReason string) {
		t.Helper()
		c := w.dialSocket(t, appid, target, cookie)
		code, reason := c.closeOf(t)
		if code != 4403 || !strings.Contains(reason, wantReason) {
			t.Errorf("%s: close %d %q, want 4403 with %q", name, code, reason, wantReason)
		}
	}
	refused("not signed in", w.app.AppID, "wss://chat.example.test/", "", "not signed in")
	refused("unknown session", w.app.AppID, "wss://chat.example.test/", "nosuchsession", "not signed in")
	refused("domain not listed", w.app.AppID, "wss://other.example.test/", w.session, "url not in domain list")
	refused("ws outside dev mode", w.app.AppID, "ws://chat.example.test/", w.session, "wss://")
	refused("another port", w.app.AppID, "wss://chat.example.test:8443/", w.session, "url not in domain list")
	refused("not a mini program", "wx0000000000000000", "wss://chat.example.test/", w.session, "no such mini program")

	// The listed domain passes the check: what follows is the dial (the
	// name does not resolve), not a refusal.
	c := w.dialSocket(t, w.app.AppID, "wss://chat.example.test/live", w.session)
	if code, reason := c.closeOf(t); code == 4403 {
		t.Fatalf("listed domain refused: %q", reason)
	}

	// Dev mode allows any host, but a private address still needs the
	// relay's AllowPrivate, which dev mode gives.
	d := newWorld(t, dev)
	echo := echoServer(t)
	c = d.dialSocket(t, "wx0000000000000000", "ws"+strings.TrimPrefix(echo.URL, "http"), d.session)
	if code, reason := c.closeOf(t); code != 4403 || !strings.Contains(reason, "no such mini program") {
		t.Fatalf("dev mode, unknown app: %d %q", code, reason)
	}
}
