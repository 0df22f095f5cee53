package socketproxy

// A minimal RFC 6455 WebSocket: the opening handshake on both sides and
// whole-message reads and writes. Messages are reassembled before they are
// relayed, so the size limit holds for a fragmented message too.

import (
	"bufio"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Opcodes (RFC 6455 §5.2).
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xA
)

// Close codes (RFC 6455 §7.4.1) and the relay's own (4000–4999 are private use).
const (
	CloseGoingAway     = 1001
	CloseProtocolError = 1002
	CloseNoStatus      = 1005
	CloseAbnormal      = 1006
	CloseInvalidData   = 1007
	CloseTooBig        = 1009
	// CloseRefused: the target is not allowed (domain list, private address, bad URL).
	CloseRefused = 4403
	// CloseUpstreamFailed: the developer's server could not be reached or refused the handshake.
	CloseUpstreamFailed = 4502
	// CloseUpstreamTimeout: the developer's server did not complete the handshake in time.
	CloseUpstreamTimeout = 4504
	// CloseTooMany: the user already has Options.MaxPerUser sockets open.
	CloseTooMany = 4429
)

const acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

func acceptKey(key string) string {
	h := sha1.Sum([]byte(key + acceptGUID))
	return base64.StdEncoding.EncodeToString(h[:])
}

// CloseError is a close frame received from the peer, or one this side sends.
type CloseError struct {
	Code   int
	Reason string
}

func (e *CloseError) Error() string { return fmt.Sprintf("websocket closed: %d %s", e.Code, e.Reason) }

// errTooBig is a message over the limit.
var errTooBig = errors.New("message too big")

// conn is one side of a WebSocket. client is true when this process is the
// client (its frames are masked, the peer's must not be).
type conn struct {
	nc     net.Conn
	br     *bufio.Reader
	client bool
	max    int64

	wmu     sync.Mutex
	closing bool
}

func (c *conn) writeFrame(op byte, payload []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closing {
		return net.ErrClosed
	}
	if op == opClose {
		c.closing = true
	}
	var hdr [14]byte
	hdr[0] = 0x80 | op
	n := 2
	switch l := len(payload); {
	case l < 126:
		hdr[1] = byte(l)
	case l <= 0xFFFF:
		hdr[1] = 126
		binary.BigEndian.PutUint16(hdr[2:], uint16(l))
		n = 4
	default:
		hdr[1] = 127
		binary.BigEndian.PutUint64(hdr[2:], uint64(l))
		n = 10
	}
	buf := payload
	if c.client {
		hdr[1] |= 0x80
		var key [4]byte
		if _, err := rand.Read(key[:]); err != nil {
			return err
		}
		copy(hdr[n:], key[:])
		n += 4
		buf = make([]byte, len(payload))
		for i, b := range payload {
			buf[i] = b ^ key[i%4]
		}
	}
	c.nc.SetWriteDeadline(time.Now().Add(writeTimeout))
	if _, err := c.nc.Write(append(hdr[:n:n], buf...)); err != nil {
		return err
	}
	return nil
}

// writeClose sends a close frame; a reason longer than a control frame
// allows is cut.
func (c *conn) writeClose(code int, reason string) error {
	if code == CloseNoStatus || code == CloseAbnormal || code == 0 {
		return c.writeFrame(opClose, nil)
	}
	if len(reason) > 123 {
		reason = reason[:123]
		for !utf8.ValidString(reason) {
			reason = reason[:len(reason)-1]
		}
	}
	p := make([]byte, 2+len(reason))
	binary.BigEndian.PutUint16(p, uint16(code))
	copy(p[2:], reason)
	return c.writeFrame(opClose, p)
}

type frame struct {
	fin     bool
	op      byte
	payload []byte
}

func (c *conn) readFrame(budget int64) (frame, error) {
	var h [2]byte
	if _, err := io.ReadFull(c.br, h[:]); err != nil {
		return frame{}, err
	}
	f := frame{fin: h[0]&0x80 != 0, op: h[0] & 0x0F}
	if h[0]&0x70 != 0 {
		return f, &CloseError{CloseProtocolError, "reserved bits set"}
	}
	masked := h[1]&0x80 != 0
	if masked == c.client {
		if c.client {
			return f, &CloseError{CloseProtocolError, "masked frame from server"}
		}
		return f, &CloseError{CloseProtocolError, "unmasked frame from client"}
	}
	length := int64(h[1] & 0x7F)
	switch length {
	case 126:
		var b [2]byte
		if _, err := io.ReadFull(c.br, b[:]); err != nil {
			return f, err
		}
		length = int64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err := io.ReadFull(c.br, b[:]); err != nil {
			return f, err
		}
		u := binary.BigEndian.Uint64(b[:])
		if u > 1<<62 {
			return f, &CloseError{CloseProtocolError, "invalid length"}
		}
		length = int64(u)
	}
	control := f.op >= 0x8
	if control && (length > 125 || !f.fin) {
		return f, &CloseError{CloseProtocolError, "invalid control frame"}
	}
	if !control && length > budget {
		return f, errTooBig
	}
	var key [4]byte
	if masked {
		if _, err := io.ReadFull(c.br, key[:]); err != nil {
			return f, err
		}
	}
	f.payload = make([]byte, length)
	if _, err := io.ReadFull(c.br, f.payload); err != nil {
		return f, err
	}
	if masked {
		for i := range f.payload {
			f.payload[i] ^= key[i%4]
		}
	}
	return f, nil
}

// readMessage returns the next data message (text or binary), answering
// pings on the way. A close from the peer is returned as *CloseError; a
// message over the limit as errTooBig.
func (c *conn) readMessage(onActivity func()) (byte, []byte, error) {
	var op byte
	var msg []byte
	for {
		f, err := c.readFrame(c.max - int64(len(msg)))
		if err != nil {
			return 0, nil, err
		}
		if onActivity != nil {
			onActivity()
		}
		switch f.op {
		case opPing:
			if err := c.writeFrame(opPong, f.payload); err != nil && !errors.Is(err, net.ErrClosed) {
				return 0, nil, err
			}
			continue
		case opPong:
			continue
		case opClose:
			ce := &CloseError{Code: CloseNoStatus}
			if len(f.payload) == 1 {
				return 0, nil, &CloseError{CloseProtocolError, "invalid close payload"}
			}
			if len(f.payload) >= 2 {
				ce.Code = int(binary.BigEndian.Uint16(f.payload))
				ce.Reason = string(f.payload[2:])
				if !validReceivedCode(ce.Code) || !utf8.ValidString(ce.Reason) {
					return 0, nil, &CloseError{CloseProtocolError, "invalid close code"}
				}
			}
			return 0, nil, ce
		case opText, opBinary:
			if op != 0 {
				return 0, nil, &CloseError{CloseProtocolError, "new message inside a fragmented one"}
			}
			op = f.op
			msg = f.payload
		case opContinuation:
			if op == 0 {
				return 0, nil, &CloseError{CloseProtocolError, "continuation without a message"}
			}
			msg = append(msg, f.payload...)
		default:
			return 0, nil, &CloseError{CloseProtocolError, "unknown opcode"}
		}
		if f.fin {
			if op == opText && !utf8.Valid(msg) {
				return 0, nil, &CloseError{CloseInvalidData, "text message is not UTF-8"}
			}
			return op, msg, nil
		}
	}
}

// validReceivedCode: codes a peer may send (RFC 6455 §7.4).
func validReceivedCode(code int) bool {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1014:
		return true
	case code >= 3000 && code <= 4999:
		return true
	}
	return false
}

// ---- server side ----

// handshakeError is an upgrade request that is not a valid WebSocket opening.
type handshakeError struct{ msg string }

func (e handshakeError) Error() string { return e.msg }

func headerHas(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// upgrade answers an opening handshake (choosing protocol, if any) and takes the connection.
func upgrade(w http.ResponseWriter, r *http.Request, max int64, protocol string) (*conn, error) {
	if r.Method != http.MethodGet {
		return nil, handshakeError{"method must be GET"}
	}
	if !headerHas(r.Header, "Connection", "upgrade") || !headerHas(r.Header, "Upgrade", "websocket") {
		return nil, handshakeError{"not a WebSocket upgrade request"}
	}
	if r.Header.Get("Sec-WebSocket-Version") != "13" {
		return nil, handshakeError{"Sec-WebSocket-Version must be 13"}
	}
	key := r.Header.Get("Sec-WebSocket-Key")
	if b, err := base64.StdEncoding.DecodeString(key); err != nil || len(b) != 16 {
		return nil, handshakeError{"invalid Sec-WebSocket-Key"}
	}
	nc, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return nil, err
	}
	nc.SetDeadline(time.Time{})
	resp := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + acceptKey(key) + "\r\n"
	if protocol != "" {
		resp += "Sec-WebSocket-Protocol: " + protocol + "\r\n"
	}
	resp += "\r\n"
	nc.SetWriteDeadline(time.Now().Add(writeTimeout))
	if _, err := nc.Write([]byte(resp)); err != nil {
		nc.Close()
		return nil, err
	}
	return &conn{nc: nc, br: brw.Reader, max: max}, nil
}

// ---- client side ----

// clientHandshake performs the opening handshake over nc (already TLS for
// wss) and returns the connection, the chosen subprotocol and the server's
// response headers.
func clientHandshake(nc net.Conn, target string, host, path string, protocols []string, header http.Header, max int64, deadline time.Time) (*conn, string, http.Header, error) {
	nc.SetDeadline(deadline)
	var kb [16]byte
	if _, err := rand.Read(kb[:]); err != nil {
		return nil, "", nil, err
	}
	key := base64.StdEncoding.EncodeToString(kb[:])
	var b strings.Builder
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n", path, host, key)
	if len(protocols) > 0 {
		fmt.Fprintf(&b, "Sec-WebSocket-Protocol: %s\r\n", strings.Join(protocols, ", "))
	}
	for name, vs := range header {
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\r\n", name, v)
		}
	}
	b.WriteString("\r\n")
	if _, err := io.WriteString(nc, b.String()); err != nil {
		return nil, "", nil, err
	}
	br := bufio.NewReader(nc)
	req, _ := http.NewRequest(http.MethodGet, target, nil)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		return nil, "", nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSwitchingProtocols {
		return nil, "", nil, fmt.Errorf("the server answered %s instead of switching to WebSocket", resp.Status)
	}
	if !headerHas(resp.Header, "Upgrade", "websocket") || !headerHas(resp.Header, "Connection", "upgrade") {
		return nil, "", nil, errors.New("the server's answer is not a WebSocket upgrade")
	}
	if resp.Header.Get("Sec-WebSocket-Accept") != acceptKey(key) {
		return nil, "", nil, errors.New("the server's Sec-WebSocket-Accept is wrong")
	}
	proto := resp.Header.Get("Sec-WebSocket-Protocol")
	if proto != "" {
		offered := false
		for _, p := range protocols {
			offered = offered || p == proto
		}
		if !offered {
			return nil, "", nil, fmt.Errorf("the server chose subprotocol %q, which was not offered", proto)
		}
	}
	if resp.Header.Get("Sec-WebSocket-Extensions") != "" {
		return nil, "", nil, errors.New("the server chose an extension, which was not offered")
	}
	nc.SetDeadline(time.Time{})
	return &conn{nc: nc, br: br, client: true, max: max}, proto, resp.Header, nil
}
