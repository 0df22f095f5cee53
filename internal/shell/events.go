package shell

// GET /shell/api/events: the signed-in user's live events (internal/live)
// as Server-Sent Events, so pages update without reloading.

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

const (
	// keepaliveEvery is how often an idle stream carries a comment, so
	// proxies and browsers do not drop it as dead.
	keepaliveEvery = 15 * time.Second
	// sessionCheckEvery is how often a stream checks that its session is
	// still valid: signing out elsewhere ends it within this long.
	sessionCheckEvery = time.Minute
	// streamsPerUser bounds the open streams of one user (tabs, devices);
	// each holds a connection and a subscription.
	streamsPerUser = 16
	// reconnectMillis is how long a browser waits before reconnecting a
	// stream that ended.
	reconnectMillis = 2000
)

func (s *Shell) events(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		writeError(w, r, errorf(http.StatusMethodNotAllowed, "method_not_allowed", "", "%s is not allowed here.", r.Method))
		return
	}
	u, err := s.currentUser(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	if !s.oa.streams.open(u.ID) {
		writeError(w, r, errorf(http.StatusTooManyRequests, "too_many_streams", "", "Too many pages are open; close some and reload."))
		return
	}
	defer s.oa.streams.close(u.ID)

	events, cancel := s.p.Live.Subscribe(u.ID)
	defer cancel()
	shutdown := s.oa.shutdowns.signal(r)

	rc := http.NewResponseController(w)
	// The server's read and write timeouts are for ordinary requests (its
	// write timeout would cut a stream after a minute): a stream has no
	// read deadline, and each write gets its own.
	if err := rc.SetReadDeadline(time.Time{}); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return
	}
	send := func(chunk string) bool {
		if err := rc.SetWriteDeadline(time.Now().Add(2 * keepaliveEvery)); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return false
		}
		if _, err := fmt.Fprint(w, chunk); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Accel-Buffering", "no") // nginx: pass events on at once
	w.WriteHeader(http.StatusOK)
	if !send(fmt.Sprintf("retry: %d\n: connected\n\n", reconnectMillis)) {
		return
	}

	keepalive := time.NewTicker(keepaliveEvery)
	defer keepalive.Stop()
	lastCheck := time.Now()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-shutdown:
			return
		case e := <-events:
			data, err := json.Marshal(e)
			if err != nil || !send("data: "+string(data)+"\n\n") {
				return
			}
		case now := <-keepalive.C:
			if now.Sub(lastCheck) >= sessionCheckEvery {
				lastCheck = now
				if _, err := s.currentUser(r); err != nil {
					return
				}
			}
			if !send(": keepalive\n\n") {
				return
			}
		}
	}
}

// streamCounter counts the open streams of each user.
type streamCounter struct {
	mu     sync.Mutex
	byUser map[string]int
}

func newStreamCounter() *streamCounter { return &streamCounter{byUser: map[string]int{}} }

func (c *streamCounter) open(userID string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byUser[userID] >= streamsPerUser {
		return false
	}
	c.byUser[userID]++
	return true
}

func (c *streamCounter) close(userID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byUser[userID]--; c.byUser[userID] <= 0 {
		delete(c.byUser, userID)
	}
}

// shutdowns tells streams that their http.Server is shutting down.
// Shutdown waits for every request to end and a stream never ends by
// itself, so without this a graceful shutdown would wait out its timeout.
type shutdowns struct {
	mu       sync.Mutex
	byServer map[*http.Server]chan struct{}
}

func newShutdowns() *shutdowns { return &shutdowns{byServer: map[*http.Server]chan struct{}{}} }

// signal returns a channel closed when the server serving r starts
// shutting down (nil, which never fires, if r names no server).
func (d *shutdowns) signal(r *http.Request) <-chan struct{} {
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
