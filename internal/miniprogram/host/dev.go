package host

// The developer loop's side of the host (`superapp dev DIR`,
// internal/miniprogram/devloop): the loop publishes each build in-process
// with Registry.Publish and reports it to the registry's DevHub; open shell
// pages follow the hub through GET /shell/api/mp/{appid}/dev/events (dev
// mode only, Server-Sent Events) and reload the mini program on a new build
// or show the compile errors of a failed one over the last good build.

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"superapp/internal/input"
	"superapp/internal/miniprogram/diag"
)

// DevEvent is the state of a mini program's latest dev build attempt.
type DevEvent struct {
	// Type is "build" (a good build is published) or "error" (the latest
	// attempt failed; the previous good build, if any, keeps running).
	Type  string `json:"type"`
	AppID string `json:"appid"`
	// Hash is the published build's manifest_hash, as launch answers it.
	Hash string `json:"hash,omitempty"`
	// Errors are every problem of a failed build, file:line:col.
	Errors []diag.Error `json:"errors,omitempty"`
	// Seq counts the attempts, so a page can tell a new one from a repeat.
	Seq int64 `json:"seq"`
}

// DevHub holds each mini program's latest dev build state and wakes the
// pages that follow it. Only the latest state matters (a page reloads to
// the newest build), so a slow page skips states rather than queueing them.
type DevHub struct {
	mu     sync.Mutex
	seq    int64
	latest map[string]DevEvent
	subs   map[string]map[chan struct{}]struct{}
	done   chan struct{}
	closed bool
}

var devHubs = struct {
	sync.Mutex
	m map[*Registry]*DevHub
}{m: map[*Registry]*DevHub{}}

// DevHub returns the registry's hub, made on first use. It hangs off the
// registry because both the dev loop and the handler already share it.
func (r *Registry) DevHub() *DevHub {
	devHubs.Lock()
	defer devHubs.Unlock()
	h, ok := devHubs.m[r]
	if !ok {
		h = &DevHub{latest: map[string]DevEvent{}, subs: map[string]map[chan struct{}]struct{}{}, done: make(chan struct{})}
		devHubs.m[r] = h
	}
	return h
}

// Publish records e as e.AppID's latest state and wakes its pages.
func (h *DevHub) Publish(e DevEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	e.Seq = h.seq
	h.latest[e.AppID] = e
	for ch := range h.subs[e.AppID] {
		select {
		case ch <- struct{}{}:
		default: // already woken; it will read the latest state
		}
	}
}

// Latest returns appid's latest state, if any build was attempted.
func (h *DevHub) Latest(appid string) (DevEvent, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	e, ok := h.latest[appid]
	return e, ok
}

// Subscribe returns a channel that receives a value whenever appid's state
// changes, until cancel.
func (h *DevHub) Subscribe(appid string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if h.subs[appid] == nil {
		h.subs[appid] = map[chan struct{}]struct{}{}
	}
	h.subs[appid][ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.subs[appid], ch)
		if len(h.subs[appid]) == 0 {
			delete(h.subs, appid)
		}
		h.mu.Unlock()
	}
}

// Close ends every stream: the server's graceful shutdown waits for open
// requests, and a stream would otherwise never end.
func (h *DevHub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		close(h.done)
	}
}

// Done is closed by Close.
func (h *DevHub) Done() <-chan struct{} { return h.done }

const (
	// devKeepalive is how often an idle stream carries a comment, so
	// proxies and browsers do not drop it as dead.
	devKeepalive = 15 * time.Second
	// devRetryMillis is how long a browser waits before reconnecting.
	devRetryMillis = 1000
)

// registerDev adds the dev routes in dev mode.
func (h *Handler) registerDev(mux *http.ServeMux) {
	if !h.cfg.Dev || h.cfg.Registry == nil {
		return
	}
	mux.HandleFunc("GET /shell/api/mp/{appid}/dev/events", h.devEvents)
}

// devEvents streams appid's dev build states to a signed-in page: the
// latest one at once (if any), then each new one.
func (h *Handler) devEvents(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if _, err := h.currentUser(r); err != nil {
		writeAPIError(w, r, err)
		return
	}
	appid := r.PathValue("appid")
	if !input.Storable(appid) {
		writeAPIError(w, r, apiErrorf(http.StatusNotFound, "not_found", "No such mini program."))
		return
	}
	if _, err := h.cfg.Registry.MiniProgram(r.Context(), appid); err != nil {
		writeAPIError(w, r, err)
		return
	}
	hub := h.cfg.Registry.DevHub()
	wake, cancel := hub.Subscribe(appid)
	defer cancel()

	rc := http.NewResponseController(w)
	// The server's read and write timeouts are for ordinary requests: a
	// stream has no read deadline and each write gets its own.
	if err := rc.SetReadDeadline(time.Time{}); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return
	}
	send := func(chunk string) bool {
		if err := rc.SetWriteDeadline(time.Now().Add(2 * devKeepalive)); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return false
		}
		if _, err := fmt.Fprint(w, chunk); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	var sent int64
	sendLatest := func() bool {
		e, ok := hub.Latest(appid)
		if !ok || e.Seq == sent {
			return true
		}
		sent = e.Seq
		data, err := json.Marshal(e)
		return err == nil && send("data: "+string(data)+"\n\n")
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream; charset=utf-8")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if !send(fmt.Sprintf("retry: %d\n: connected\n\n", devRetryMillis)) || !sendLatest() {
		return
	}
	keepalive := time.NewTicker(devKeepalive)
	defer keepalive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-hub.Done():
			return
		case <-wake:
			if !sendLatest() {
				return
			}
		case <-keepalive.C:
			if !send(": keepalive\n\n") {
				return
			}
		}
	}
}
