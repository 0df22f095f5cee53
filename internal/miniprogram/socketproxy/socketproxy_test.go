package socketproxy

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// The opening handshake example of RFC 6455 §1.3.
func TestAcceptKeyMatchesRFCExample(t *testing.T) {
	if got := acceptKey("dGhlIHNhbXBsZSBub25jZQ=="); got != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatalf("acceptKey = %q", got)
	}
}

// The frame examples of RFC 6455 §5.7: a masked "Hello" from a client and
// a fragmented unmasked one from a server.
func TestReadsRFCFrameExamples(t *testing.T) {
	read := func(client bool, raw []byte) (byte, string, error) {
		a, b := net.Pipe()
		defer a.Close()
		go func() {
			b.Write(raw)
			b.Close()
		}()
		c := &conn{nc: a, br: newReader(a), client: client, max: 1 << 10}
		op, msg, err := c.readMessage(nil)
		return op, string(msg), err
	}
	op, msg, err := read(false, []byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58})
	if err != nil || op != opText || msg != "Hello" {
		t.Fatalf("masked Hello: %v %q %v", op, msg, err)
	}
	op, msg, err = read(true, []byte{0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f})
	if err != nil || op != opText || msg != "Hello" {
		t.Fatalf("fragmented Hello: %v %q %v", op, msg, err)
	}
	// An unmasked frame from a client is a protocol error.
	_, _, err = read(false, []byte{0x81, 0x05, 'H', 'e', 'l', 'l', 'o'})
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != CloseProtocolError {
		t.Fatalf("unmasked client frame: %v", err)
	}
}

// echoServer is a developer's WebSocket server: it echoes every message,
// closes with 3001 on "close-me", and records what it saw.
type echoServer struct {
	*httptest.Server
	mu       sync.Mutex
	headers  []http.Header
	closes   []CloseError
	accepted int
}

func newEchoServer(t *testing.T) *echoServer {
	e := &echoServer{}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proto := ""
		if offered := r.Header.Get("Sec-WebSocket-Protocol"); offered != "" {
			proto = strings.TrimSpace(strings.Split(offered, ",")[0])
		}
		c, err := upgrade(w, r, 1<<20, proto)
		if err != nil {
			return
		}
		defer c.nc.Close()
		e.mu.Lock()
		e.headers = append(e.headers, r.Header.Clone())
		e.accepted++
		e.mu.Unlock()
		for {
			op, msg, err := c.readMessage(nil)
			var ce *CloseError
			if errors.As(err, &ce) {
				e.mu.Lock()
				e.closes = append(e.closes, *ce)
				e.mu.Unlock()
				c.writeClose(ce.Code, ce.Reason)
				return
			}
			if err != nil {
				return
			}
			if string(msg) == "close-me" {
				c.writeClose(3001, "done")
				c.readMessage(nil)
				return
			}
			c.writeFrame(op, msg)
		}
	}))
	t.Cleanup(e.Close)
	return e
}

func (e *echoServer) wsURL() string { return "ws" + strings.TrimPrefix(e.URL, "http") + "/chat?room=1" }

func (e *echoServer) seen() (int, []http.Header, []CloseError) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.accepted, append([]http.Header(nil), e.headers...), append([]CloseError(nil), e.closes...)
}

type allowCall struct {
	appid  string
	target string
}

// newRelay mounts the handler as the host will and records Allow's calls.
func newRelay(t *testing.T, o Options) (*httptest.Server, *[]allowCall) {
	var mu sync.Mutex
	calls := &[]allowCall{}
	inner := o.Allow
	o.Allow = func(r *http.Request, appid string, target *url.URL) error {
		mu.Lock()
		*calls = append(*calls, allowCall{appid, target.String()})
		mu.Unlock()
		if inner != nil {
			return inner(r, appid, target)
		}
		return nil
	}
	mux := http.NewServeMux()
	mux.Handle("GET /shell/api/mp/{appid}/socket", New(o))
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s, calls
}

// dialRelay is the shell's browser: it opens the relay for target.
func dialRelay(t *testing.T, relay *httptest.Server, target string, extra url.Values, hdr http.Header) *conn {
	t.Helper()
	q := url.Values{"url": {target}}
	for k, v := range extra {
		q[k] = v
	}
	u, _ := url.Parse(relay.URL)
	nc, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	c, _, _, err := clientHandshake(nc, relay.URL, u.Host, "/shell/api/mp/wxapp/socket?"+q.Encode(), nil, hdr, 1<<22, time.Now().Add(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	return c
}

func readOpen(t *testing.T, c *conn) map[string]any {
	t.Helper()
	op, msg, err := c.readMessage(nil)
	if err != nil || op != opText {
		t.Fatalf("first message: op %d err %v", op, err)
	}
	var open map[string]any
	if err := json.Unmarshal(msg, &open); err != nil || open["type"] != "open" {
		t.Fatalf("first message %s is not the open message", msg)
	}
	return open
}

func readClose(t *testing.T, c *conn) *CloseError {
	t.Helper()
	for {
		_, msg, err := c.readMessage(nil)
		var ce *CloseError
		if errors.As(err, &ce) {
			return ce
		}
		if err != nil {
			t.Fatalf("expected a close frame, got %v", err)
		}
		if !bytes.HasPrefix(msg, []byte(`{"type":"open"`)) {
			t.Fatalf("expected a close frame, got message %q", msg)
		}
	}
}

func TestRelayEchoesTextAndBinary(t *testing.T) {
	echo := newEchoServer(t)
	relay, calls := newRelay(t, Options{AllowPrivate: true})
	hdr := http.Header{"Origin": {relay.URL}}
	c := dialRelay(t, relay, echo.wsURL(), url.Values{
		"protocols": {"chat.v1, chat.v0"},
		"header":    {`{"X-Token":"abc","Origin":"https://evil.example","Sec-WebSocket-Key":"x","Host":"other"}`},
	}, hdr)
	open := readOpen(t, c)
	if open["protocol"] != "chat.v1" {
		t.Errorf("open.protocol = %v, want chat.v1", open["protocol"])
	}
	if h, _ := open["header"].(map[string]any); h["Upgrade"] != "websocket" {
		t.Errorf("open.header = %v", open["header"])
	}
	if c.writeFrame(opText, []byte("你好")) != nil {
		t.Fatal("write")
	}
	big := bytes.Repeat([]byte{0, 1, 2, 250}, 70000/4) // past the 16-bit length form
	c.writeFrame(opBinary, big)
	if op, msg, err := c.readMessage(nil); err != nil || op != opText || string(msg) != "你好" {
		t.Fatalf("text echo: %d %q %v", op, msg, err)
	}
	if op, msg, err := c.readMessage(nil); err != nil || op != opBinary || !bytes.Equal(msg, big) {
		t.Fatalf("binary echo: %d len %d %v", op, len(msg), err)
	}
	// A ping is answered by the relay.
	c.writeFrame(opPing, []byte("p"))
	if f, err := c.readFrame(1 << 20); err != nil || f.op != opPong || string(f.payload) != "p" {
		t.Fatalf("pong: %+v %v", f, err)
	}
	if len(*calls) != 1 || (*calls)[0].appid != "wxapp" || (*calls)[0].target != echo.wsURL() {
		t.Errorf("Allow calls = %+v", *calls)
	}
	_, headers, _ := echo.seen()
	if len(headers) != 1 {
		t.Fatalf("echo server saw %d connections", len(headers))
	}
	got := headers[0]
	if got.Get("X-Token") != "abc" || got.Get("Origin") != "" || !strings.Contains(got.Get("Referer"), "/wxapp/") {
		t.Errorf("forwarded headers: X-Token %q Origin %q Referer %q", got.Get("X-Token"), got.Get("Origin"), got.Get("Referer"))
	}
}

func TestCloseIsPassedOnBothWays(t *testing.T) {
	echo := newEchoServer(t)
	relay, _ := newRelay(t, Options{AllowPrivate: true})

	c := dialRelay(t, relay, echo.wsURL(), nil, nil)
	readOpen(t, c)
	c.writeClose(4000, "bye")
	if ce := readClose(t, c); ce.Code != 4000 || ce.Reason != "bye" {
		t.Errorf("browser got close %+v, want 4000 bye", ce)
	}
	waitFor(t, func() bool { _, _, cl := echo.seen(); return len(cl) == 1 })
	if _, _, cl := echo.seen(); cl[0].Code != 4000 || cl[0].Reason != "bye" {
		t.Errorf("server got close %+v", cl[0])
	}

	c2 := dialRelay(t, relay, echo.wsURL(), nil, nil)
	readOpen(t, c2)
	c2.writeFrame(opText, []byte("close-me"))
	if ce := readClose(t, c2); ce.Code != 3001 || ce.Reason != "done" {
		t.Errorf("browser got close %+v, want the server's 3001 done", ce)
	}
}

func TestAllowRefusalClosesWithReason(t *testing.T) {
	echo := newEchoServer(t)
	relay, _ := newRelay(t, Options{AllowPrivate: true, Allow: func(r *http.Request, appid string, target *url.URL) error {
		return errors.New("url not in domain list")
	}})
	c := dialRelay(t, relay, echo.wsURL(), nil, nil)
	if ce := readClose(t, c); ce.Code != CloseRefused || ce.Reason != "url not in domain list" {
		t.Errorf("close %+v", ce)
	}
	if n, _, _ := echo.seen(); n != 0 {
		t.Errorf("the refused target was contacted %d times", n)
	}
}

func TestLoopbackRefusedUnlessAllowed(t *testing.T) {
	echo := newEchoServer(t)
	relay, _ := newRelay(t, Options{})
	c := dialRelay(t, relay, echo.wsURL(), nil, nil)
	ce := readClose(t, c)
	if ce.Code != CloseRefused || !strings.Contains(ce.Reason, "loopback") {
		t.Errorf("close %+v, want 4403 naming the loopback address", ce)
	}
	if n, _, _ := echo.seen(); n != 0 {
		t.Errorf("the loopback target was contacted %d times", n)
	}
}

func TestBadTargetsAreRefused(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("not a websocket")) }))
	t.Cleanup(plain.Close)
	relay, calls := newRelay(t, Options{AllowPrivate: true})
	for _, target := range []string{"http://example.com/", "wss://user:pw@example.com/", "ws:///nohost"} {
		c := dialRelay(t, relay, target, nil, nil)
		if ce := readClose(t, c); ce.Code != CloseRefused {
			t.Errorf("%s: close %+v, want 4403", target, ce)
		}
	}
	if len(*calls) != 0 {
		t.Errorf("Allow was asked about invalid URLs: %+v", *calls)
	}
	c := dialRelay(t, relay, "ws"+strings.TrimPrefix(plain.URL, "http"), nil, nil)
	if ce := readClose(t, c); ce.Code != CloseUpstreamFailed || !strings.Contains(ce.Reason, "200") {
		t.Errorf("plain HTTP server: close %+v, want 4502 naming its status", ce)
	}
}

func TestOversizedMessageClosesBothSides(t *testing.T) {
	echo := newEchoServer(t)
	relay, _ := newRelay(t, Options{AllowPrivate: true, MaxMessage: 1024})
	c := dialRelay(t, relay, echo.wsURL(), nil, nil)
	readOpen(t, c)
	c.writeFrame(opText, bytes.Repeat([]byte("a"), 1024))
	if _, msg, err := c.readMessage(nil); err != nil || len(msg) != 1024 {
		t.Fatalf("a message at the limit: len %d err %v", len(msg), err)
	}
	c.writeFrame(opText, bytes.Repeat([]byte("a"), 1025))
	if ce := readClose(t, c); ce.Code != CloseTooBig {
		t.Errorf("browser close %+v, want 1009", ce)
	}
	waitFor(t, func() bool { _, _, cl := echo.seen(); return len(cl) == 1 })
	if _, _, cl := echo.seen(); cl[0].Code != CloseTooBig {
		t.Errorf("server close %+v, want 1009", cl[0])
	}
}

func TestCrossOriginAndNonWebSocketRequests(t *testing.T) {
	relay, _ := newRelay(t, Options{AllowPrivate: true})
	u := relay.URL + "/shell/api/mp/wxapp/socket?url=ws://example.com/"
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Sec-WebSocket-Version", "13")
	req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin: status %d, want 403", resp.StatusCode)
	}
	resp, err = http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("plain GET: status %d, want 400", resp.StatusCode)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for i := 0; i < 500; i++ {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("condition not reached")
}

func newReader(nc net.Conn) *bufio.Reader { return bufio.NewReader(nc) }

// A server that ignores our close and keeps pinging cannot hold the relay
// open: once the browser has closed, only the close grace counts.
func TestRelayEndsAfterTheGraceWhenTheServerIgnoresTheClose(t *testing.T) {
	h := &handler{o: Options{PingInterval: time.Hour, MaxMessage: 1 << 10}, grace: 100 * time.Millisecond}
	bSide, bPeer := net.Pipe()
	uSide, uPeer := net.Pipe()
	browser := &conn{nc: bSide, br: newReader(bSide), max: 1 << 10}
	upstream := &conn{nc: uSide, br: newReader(uSide), client: true, max: 1 << 10}
	go io.Copy(io.Discard, bPeer) // the browser reads what it gets
	go io.Copy(io.Discard, uPeer) // the server reads, and ignores, our close
	stop := make(chan struct{})
	defer close(stop)
	go func() { // and pings faster than the grace
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				uPeer.Write([]byte{0x89, 0x00})
			}
		}
	}()
	done := make(chan struct{})
	go func() { h.relay(browser, upstream); close(done) }()
	// The browser closes (a masked close 1000).
	k := []byte{1, 2, 3, 4}
	bPeer.Write([]byte{0x88, 0x82, k[0], k[1], k[2], k[3], 0x03 ^ k[0], 0xe8 ^ k[1]})
	select {
	case <-done:
	case <-time.After(10 * time.Second): // a hundred graces
		t.Fatal("the relay is still running long after the browser closed")
	}
}

// One user's sockets are capped; the next one closes with 4429 and the
// mini program reads why.
func TestSocketsPerUserAreCapped(t *testing.T) {
	echo := newEchoServer(t)
	relay, _ := newRelay(t, Options{AllowPrivate: true, MaxPerUser: 2, User: func(r *http.Request) string { return r.URL.Query().Get("user") }})
	ann := url.Values{"user": {"ann"}}
	first := dialRelay(t, relay, echo.wsURL(), ann, nil)
	readOpen(t, first)
	readOpen(t, dialRelay(t, relay, echo.wsURL(), ann, nil))
	if ce := readClose(t, dialRelay(t, relay, echo.wsURL(), ann, nil)); ce.Code != CloseTooMany || !strings.Contains(ce.Reason, "exceed max task count") {
		t.Fatalf("the third socket: %+v", ce)
	}
	readOpen(t, dialRelay(t, relay, echo.wsURL(), url.Values{"user": {"bob"}}, nil))
	// Closing one gives its place back.
	first.writeClose(1000, "")
	readClose(t, first)
	waitFor(t, func() bool {
		c := dialRelay(t, relay, echo.wsURL(), ann, nil)
		defer c.nc.Close()
		op, _, err := c.readMessage(nil)
		return err == nil && op == opText
	})
}

// AllowPrivate (dev mode) still never reaches link-local or cloud
// metadata addresses.
func TestMetadataRefusedEvenWithPrivateAllowed(t *testing.T) {
	relay, _ := newRelay(t, Options{AllowPrivate: true})
	for _, target := range []string{"ws://169.254.169.254/", "ws://[fd00:ec2::254]/"} {
		ce := readClose(t, dialRelay(t, relay, target, nil, nil))
		if ce.Code != CloseRefused || !(strings.Contains(ce.Reason, "link-local") || strings.Contains(ce.Reason, "metadata")) {
			t.Errorf("%s: close %+v, want 4403", target, ce)
		}
	}
}
