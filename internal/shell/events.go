package shell

// GET /shell/api/events: the signed-in user's live events (internal/live)
// as Server-Sent Events, so pages update without reloading.

import (
	"encoding/json"
	"net/http"
	"time"

	"superapp/internal/inflight"
)

const (
	// sessionCheckEvery is how often a stream checks that its session is
	// still valid: signing out elsewhere ends it within this long.
	sessionCheckEvery = time.Minute
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
	if !s.oa.streams.Open(u.ID) {
		writeError(w, r, errorf(http.StatusTooManyRequests, "too_many_streams", "", "Too many pages are open; close some and reload."))
		return
	}
	defer s.oa.streams.Close(u.ID)

	events, cancel := s.p.Live.Subscribe(u.ID)
	defer cancel()
	shutdown := s.oa.shutdowns.Signal(r)

	send := inflight.StartEvents(w, reconnectMillis)
	if send == nil {
		return
	}

	keepalive := time.NewTicker(inflight.KeepaliveEvery)
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

// The per-user stream cap and the shutdown signal are shared with the
// mini program host's dev-events stream (internal/inflight).
type (
	streamCounter = inflight.Counter
	shutdowns     = inflight.Shutdowns
)

func newStreamCounter() *streamCounter { return inflight.NewCounter(inflight.StreamsPerUser) }

func newShutdowns() *shutdowns { return inflight.NewShutdowns() }
