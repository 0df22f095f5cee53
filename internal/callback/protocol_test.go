package callback

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// rawServer is a developer server written by hand, so a test decides every
// byte it answers. handle serves one connection (n counts from 1).
type rawServer struct {
	ln    net.Listener
	mu    sync.Mutex
	conns int
	reqs  []*http.Request // as received, bodies read
	open  []net.Conn
}

func newRawServer(t *testing.T, network, addr string, handle func(n int, c net.Conn, br *bufio.Reader, s *rawServer)) *rawServer {
	t.Helper()
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Skipf("listen %s %s: %v", network, addr, err)
	}
	s := &rawServer{ln: ln}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		s.mu.Lock()
		for _, c := range s.open {
			c.Close()
		}
		s.mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns++
			s.open = append(s.open, c)
			n := s.conns
			s.mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				handle(n, c, bufio.NewReader(c), s)
			}()
		}
	}()
	return s
}

// read reads one request (with its body) and records it; nil at the
// connection's end.
func (s *rawServer) read(br *bufio.Reader) *http.Request {
	r, err := http.ReadRequest(br)
	if err != nil {
		return nil
	}
	io.Copy(io.Discard, r.Body)
	s.mu.Lock()
	s.reqs = append(s.reqs, r)
	s.mu.Unlock()
	return r
}

func (s *rawServer) requests() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.reqs...)
}

func (s *rawServer) connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

func (s *rawServer) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// answerAll answers every request on the connection with answer.
func answerAll(answer string) func(int, net.Conn, *bufio.Reader, *rawServer) {
	return func(_ int, c net.Conn, br *bufio.Reader, s *rawServer) {
		for s.read(br) != nil {
			if _, err := io.WriteString(c, answer); err != nil {
				return
			}
		}
	}
}

func testSender(t *testing.T, rawURL string) (*sender, *worker, *target) {
	t.Helper()
	tg, err := newTarget(&Config{AppID: "wx1", URL: rawURL, Token: "Tok3n", Mode: ModePlain})
	if err != nil {
		t.Fatal(err)
	}
	return newSender(Options{Timeout: 5 * time.Second, Workers: 2, AllowPrivate: true}), &worker{}, tg
}

var pushReq = request{query: "signature=s&timestamp=1&nonce=2", body: []byte("<xml/>")}

// The request line and Host header for the URL shapes a console accepts:
// the configured path and query kept byte for byte (percent-encoding,
// pieces url.Values cannot parse), stale push parameters replaced, IPv6
// literals, an empty query marker.
func TestRequestTarget(t *testing.T) {
	for _, c := range []struct {
		network, listen, url string // %d: the port
		uri, host            string
	}{
		{"tcp4", "127.0.0.1:0", "http://127.0.0.1:%d", "/?signature=s&timestamp=1&nonce=2", "127.0.0.1:%d"},
		{"tcp4", "127.0.0.1:0", "http://127.0.0.1:%d/wx?", "/wx?signature=s&timestamp=1&nonce=2", "127.0.0.1:%d"},
		{"tcp4", "127.0.0.1:0", "http://127.0.0.1:%d/a%%2Fb/c%%20d?x=%%7E&k=a;b&flag&signature=old&nonce=9", "/a%2Fb/c%20d?x=%7E&k=a;b&flag&signature=s&timestamp=1&nonce=2", "127.0.0.1:%d"},
		{"tcp4", "127.0.0.1:0", "http://127.0.0.1:%d?signature=old", "/?signature=s&timestamp=1&nonce=2", "127.0.0.1:%d"},
		{"tcp6", "[::1]:0", "http://[::1]:%d/wx?id=1", "/wx?id=1&signature=s&timestamp=1&nonce=2", "[::1]:%d"},
	} {
		srv := newRawServer(t, c.network, c.listen, answerAll("HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nsuccess"))
		u := fmt.Sprintf(c.url, srv.port())
		s, w, tg := testSender(t, u)
		if _, _, err := s.post(context.Background(), w, tg, pushReq); err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		r := srv.requests()[0]
		if r.RequestURI != c.uri || r.Host != fmt.Sprintf(c.host, srv.port()) || r.Method != "POST" {
			t.Errorf("%s: %s %s, Host %q; want %s, Host %q", u, r.Method, r.RequestURI, r.Host, c.uri, fmt.Sprintf(c.host, srv.port()))
		}
		s.closeIdle(0)
	}
	// Default and explicit ports, and a zone, without dialling.
	for _, c := range []struct{ url, host, addr string }{
		{"http://example.com/wx", "example.com", "example.com:80"},
		{"https://example.com/wx", "example.com", "example.com:443"},
		{"https://example.com:8443/wx", "example.com:8443", "example.com:8443"},
		{"http://[2001:db8::1]/", "[2001:db8::1]", "[2001:db8::1]:80"},
		{"http://[fe80::1%25eth0]:8080/", "[fe80::1]:8080", "[fe80::1%eth0]:8080"},
	} {
		tg, err := newTarget(&Config{URL: c.url, Mode: ModePlain})
		if err != nil {
			t.Fatal(err)
		}
		if tg.host != c.host || tg.addr != c.addr {
			t.Errorf("%s: Host %q addr %q, want %q %q", c.url, tg.host, tg.addr, c.host, c.addr)
		}
	}
}

// How answers are read, and whether their connection carries the next
// push: chunked bodies, Connection: close, HTTP/1.0, interim answers,
// bodiless statuses, answers over the cap, and bytes beyond the answer
// (which would otherwise be read as the next push's answer).
func TestAnswerFraming(t *testing.T) {
	big := strings.Repeat("x", maxAnswer+10)
	for _, c := range []struct {
		name, answer string
		status       int
		body         string
		reused       bool
	}{
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nsuc\r\n4\r\ncess\r\n0\r\nX-T: 1\r\n\r\n", 200, "success", true},
		{"close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 7\r\n\r\nsuccess", 200, "success", false},
		{"http/1.0", "HTTP/1.0 200 OK\r\nContent-Length: 7\r\n\r\nsuccess", 200, "success", false},
		{"interim", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nsuccess", 200, "success", true},
		{"204", "HTTP/1.1 204 No Content\r\n\r\n", 204, "", true},
		{"304", "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n", 304, "", true},
		{"over the cap", "HTTP/1.1 200 OK\r\nContent-Length: " + fmt.Sprint(len(big)) + "\r\n\r\n" + big, 200, big[:maxAnswer+1], false},
		{"bytes beyond the answer", "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nsuccessHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstale", 200, "success", false},
	} {
		srv := newRawServer(t, "tcp4", "127.0.0.1:0", answerAll(c.answer))
		s, w, tg := testSender(t, fmt.Sprintf("http://127.0.0.1:%d/", srv.port()))
		for i := range 2 {
			status, body, err := s.post(context.Background(), w, tg, pushReq)
			if err != nil || status != c.status || string(body) != c.body {
				t.Fatalf("%s, push %d: %d %.40q %v", c.name, i+1, status, body, err)
			}
		}
		if want := map[bool]int{true: 1, false: 2}[c.reused]; srv.connections() != want || len(srv.requests()) != 2 {
			t.Errorf("%s: %d connections for %d requests, want %d", c.name, srv.connections(), len(srv.requests()), want)
		}
		s.closeIdle(0)
	}
}

// scriptedConn is a kept-alive connection whose server behaves as a test
// says: what writing the request does, then what reading gives.
// Until the request is written the connection is quiet (a read times out),
// so what the script does happens after the sender chose to reuse it.
type scriptedConn struct {
	net.Conn // nil: only what the sender calls is implemented
	writeErr error
	answer   io.Reader
	readErr  error
	written  bool
}

func (c *scriptedConn) Write(p []byte) (int, error) {
	c.written = true
	if c.writeErr != nil {
		return 0, c.writeErr
	}
	return len(p), nil
}

func (c *scriptedConn) Read(p []byte) (int, error) {
	if !c.written {
		return 0, os.ErrDeadlineExceeded
	}
	if n, _ := c.answer.Read(p); n > 0 {
		return n, nil
	}
	return 0, c.readErr
}

func (c *scriptedConn) SetDeadline(time.Time) error     { return nil }
func (c *scriptedConn) SetReadDeadline(time.Time) error { return nil }
func (c *scriptedConn) Close() error                    { return nil }

func opErr(op string, errno syscall.Errno) error {
	return &net.OpError{Op: op, Net: "tcp", Err: os.NewSyscallError(op, errno)}
}

// A kept-alive connection that fails is retried on a new connection only
// when the server answered nothing; an answer that was cut, or one sent
// before the server read the whole request, is never sent twice.
func TestReusedConnectionFailures(t *testing.T) {
	for _, c := range []struct {
		name      string
		conn      *scriptedConn
		status    int
		retried   bool
		wantError bool
	}{
		{"closed while idle", &scriptedConn{answer: strings.NewReader(""), readErr: io.EOF}, 200, true, false},
		{"reset while idle", &scriptedConn{answer: strings.NewReader(""), readErr: opErr("read", syscall.ECONNRESET)}, 200, true, false},
		{"write refused, nothing answered", &scriptedConn{writeErr: opErr("write", syscall.EPIPE), answer: strings.NewReader(""), readErr: io.EOF}, 200, true, false},
		{"reset mid-answer", &scriptedConn{answer: strings.NewReader("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nsucc"), readErr: opErr("read", syscall.ECONNRESET)}, 0, false, true},
		{"reset mid-header", &scriptedConn{answer: strings.NewReader("HTTP/1.1 200 OK\r\nContent-Le"), readErr: opErr("read", syscall.ECONNRESET)}, 0, false, true},
		{"answered before reading the request", &scriptedConn{writeErr: opErr("write", syscall.ECONNRESET), answer: strings.NewReader("HTTP/1.1 413 Too Large\r\nContent-Length: 7\r\n\r\ntoo big"), readErr: opErr("read", syscall.ECONNRESET)}, 413, false, false},
	} {
		srv := newRawServer(t, "tcp4", "127.0.0.1:0", answerAll("HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nsuccess"))
		s, w, tg := testSender(t, fmt.Sprintf("http://127.0.0.1:%d/", srv.port()))
		s.put(&hconn{key: tg.key, c: c.conn, br: bufio.NewReader(c.conn)})
		status, _, err := s.post(context.Background(), w, tg, pushReq)
		if (err != nil) != c.wantError || status != c.status {
			t.Errorf("%s: status %d, err %v", c.name, status, err)
		}
		if retried := len(srv.requests()) == 1; retried != c.retried {
			t.Errorf("%s: sent again on a new connection: %v, want %v", c.name, retried, c.retried)
		}
		s.closeIdle(0)
	}
}

// A server that accepts and never answers, or answers a byte at a time,
// cannot hold a worker beyond the timeout; stopping interrupts at once.
func TestStalledServer(t *testing.T) {
	release := make(chan struct{})
	srv := newRawServer(t, "tcp4", "127.0.0.1:0", func(n int, c net.Conn, br *bufio.Reader, s *rawServer) {
		s.read(br)
		if n == 1 {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
			for {
				select {
				case <-release:
					return
				case <-time.After(10 * time.Millisecond):
				}
				if _, err := io.WriteString(c, "x"); err != nil {
					return
				}
			}
		}
		<-release
	})
	defer close(release)
	tg, _ := newTarget(&Config{URL: fmt.Sprintf("http://127.0.0.1:%d/", srv.port()), Mode: ModePlain})
	s := newSender(Options{Timeout: 200 * time.Millisecond, Workers: 1, AllowPrivate: true})
	for range 2 {
		_, _, err := s.post(context.Background(), &worker{}, tg, pushReq)
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("stalled server: %v", err)
		}
	}
	// Stopping: the worker's connection is interrupted.
	w := &worker{}
	ctx, cancel := context.WithCancel(context.Background())
	s.timeout = time.Hour
	done := make(chan error)
	go func() { _, _, err := s.post(ctx, w, tg, pushReq); done <- err }()
	for {
		w.mu.Lock()
		inUse := w.inUse != nil
		w.mu.Unlock()
		if inUse {
			break
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	w.interrupt()
	if err := <-done; err == nil {
		t.Fatal("an interrupted exchange succeeded")
	}
	if n := s.idleCount; n != 0 {
		t.Fatalf("%d connections kept after failures", n)
	}
}

// https targets: the certificate is verified against the URL's host name,
// which is also sent as SNI.
func TestTLSTarget(t *testing.T) {
	var mu sync.Mutex
	var sni []string
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "success")
	}))
	srv.TLS = &tls.Config{GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
		mu.Lock()
		sni = append(sni, h.ServerName)
		mu.Unlock()
		return nil, nil
	}}
	srv.StartTLS()
	defer srv.Close()
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	trusted := x509.NewCertPool()
	trusted.AddCert(srv.Certificate())
	post := func(rawURL string, roots *x509.CertPool) (int, error) {
		s, w, tg := testSender(t, rawURL)
		defer s.closeIdle(0)
		if tg.tls.InsecureSkipVerify {
			t.Fatal("certificates are not verified")
		}
		tg.tls.RootCAs = roots
		status, _, err := s.post(context.Background(), w, tg, pushReq)
		return status, err
	}
	var unknown x509.UnknownAuthorityError
	if _, err := post(fmt.Sprintf("https://127.0.0.1:%d/", port), nil); !errors.As(err, &unknown) {
		t.Fatalf("untrusted certificate: %v", err)
	}
	var wrongName x509.HostnameError
	if _, err := post(fmt.Sprintf("https://localhost:%d/", port), trusted); !errors.As(err, &wrongName) || wrongName.Host != "localhost" {
		t.Fatalf("certificate for another name: %v", err)
	}
	if status, err := post(fmt.Sprintf("https://127.0.0.1:%d/", port), trusted); err != nil || status != 200 {
		t.Fatalf("trusted certificate: %d %v", status, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(sni) < 2 || sni[1] != "localhost" || sni[len(sni)-1] != "" {
		t.Fatalf("SNI sent: %q (a name, never an IP address)", sni)
	}
}

// Bytes a server sends while its connection idles in the pool (here, a
// second answer 20 ms after the first) are never taken for the next push's
// answer: the connection is dropped before it is reused.
func TestStrayBytesOnIdleConnection(t *testing.T) {
	srv := newRawServer(t, "tcp4", "127.0.0.1:0", func(_ int, c net.Conn, br *bufio.Reader, s *rawServer) {
		for s.read(br) != nil {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nsuccess")
			time.Sleep(20 * time.Millisecond)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstale")
		}
	})
	s, w, tg := testSender(t, fmt.Sprintf("http://127.0.0.1:%d/", srv.port()))
	if status, body, err := s.post(context.Background(), w, tg, pushReq); err != nil || status != 200 || string(body) != "success" {
		t.Fatalf("first push: %d %q %v", status, body, err)
	}
	// Wait until the stray answer has arrived.
	deadline := time.Now().Add(5 * time.Second)
	for {
		s.mu.Lock()
		hc := s.idle[tg.key]
		s.mu.Unlock()
		if len(hc) == 1 {
			if conn, ok := hc[0].c.(*net.TCPConn); ok {
				if raw, err := conn.SyscallConn(); err == nil {
					var n int
					raw.Control(func(fd uintptr) {
						buf := make([]byte, 1)
						n, _, _ = syscall.Recvfrom(int(fd), buf, syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
					})
					if n > 0 {
						break
					}
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the stray answer never arrived")
		}
		time.Sleep(5 * time.Millisecond)
	}
	status, body, err := s.post(context.Background(), w, tg, pushReq)
	if err != nil || status != 200 || string(body) != "success" {
		t.Fatalf("second push: %d %q %v — the stray bytes were read as its answer", status, body, err)
	}
	if srv.connections() != 2 {
		t.Fatalf("%d connections, want 2 (the one with stray bytes dropped)", srv.connections())
	}
	s.closeIdle(0)
}
