// Package inflight bounds and ends long-lived work of HTTP handlers: a
// per-key cap on concurrent streams, relays or calls (one user's tabs
// cannot hold unbounded connections), and a signal that the server is
// shutting down (a stream never ends by itself, and a graceful shutdown
// waits for every request).
package inflight

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// StreamsPerUser bounds the open event streams of one user (tabs,
// devices); each holds a connection and a subscription.
const StreamsPerUser = 16

// Counter caps how many things each key (a user id) has open at once.
type Counter struct {
	limit int
	mu    sync.Mutex
	byKey map[string]int
}

// NewCounter returns a counter allowing limit open things per key.
func NewCounter(limit int) *Counter { return &Counter{limit: limit, byKey: map[string]int{}} }

// Limit is the cap per key.
func (c *Counter) Limit() int { return c.limit }

// Open takes one of key's places; false when all are taken.
func (c *Counter) Open(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byKey[key] >= c.limit {
		return false
	}
	c.byKey[key]++
	return true
}

// Close gives back a place Open took.
func (c *Counter) Close(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byKey[key]--; c.byKey[key] <= 0 {
		delete(c.byKey, key)
	}
}

// Shutdowns tells long requests that their http.Server is shutting down.
type Shutdowns struct {
	mu       sync.Mutex
	byServer map[*http.Server]chan struct{}
}

// NewShutdowns returns an empty set.
func NewShutdowns() *Shutdowns { return &Shutdowns{byServer: map[*http.Server]chan struct{}{}} }

// Signal returns a channel closed when the server serving r starts
// shutting down (nil, which never fires, if r names no server).
func (d *Shutdowns) Signal(r *http.Request) <-chan struct{} {
	srv, _ := r.Context().Value(http.ServerContextKey).(*http.Server)
	if srv == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	ch, ok := d.byServer[srv]
	if !ok {
		ch = make(chan struct{})
		d.byServer[srv] = ch
		srv.RegisterOnShutdown(func() {
			d.mu.Lock()
			delete(d.byServer, srv)
			d.mu.Unlock()
			close(ch)
		})
	}
	return ch
}

// KeepaliveEvery is how often an idle event stream carries a comment, so
// proxies and browsers do not drop it as dead.
const KeepaliveEvery = 15 * time.Second

// StartEvents answers with a Server-Sent Events stream whose first chunk
// tells the browser to reconnect after retryMillis, and returns the
// function that sends each further chunk ("data: …\n\n", ": keepalive\n\n");
// a false from it, or a nil send, means the stream is over. The server's
// read and write timeouts are for ordinary requests (its write timeout
// would cut a stream after a minute): a stream has no read deadline, and
// each write gets its own.
func StartEvents(w http.ResponseWriter, retryMillis int) (send func(chunk string) bool) {
	rc := http.NewResponseController(w)
	if err := rc.SetReadDeadline(time.Time{}); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return nil
	}
	send = func(chunk string) bool {
		if err := rc.SetWriteDeadline(time.Now().Add(2 * KeepaliveEvery)); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return false
		}
		if _, err := io.WriteString(w, chunk); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Accel-Buffering", "no") // nginx: pass events on at once
	w.WriteHeader(http.StatusOK)
	if !send(fmt.Sprintf("retry: %d\n: connected\n\n", retryMillis)) {
		return nil
	}
	return send
}
