package host

// The developer loop's side of the host (`superapp dev DIR`,
// internal/miniprogram/devloop): the loop publishes each build in-process
// with Registry.Publish and reports it to the registry's DevHub; open shell
// pages follow the hub through GET /shell/api/mp/{appid}/dev/events (dev
// mode only, Server-Sent Events) and reload the mini program on a new build
// or show the compile errors of a failed one over the last good build.

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"superapp/internal/inflight"
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
	// streams caps each user's open pages and shutdowns ends them when the
	// server stops, as the shell's own event stream does.
	streams   *inflight.Counter
	shutdowns *inflight.Shutdowns
}

// DevHub returns the registry's hub, made on first use. It hangs off the
// registry because both the dev loop and the handler already share it.
func (r *Registry) DevHub() *DevHub {
	r.devHubOnce.Do(func() {
		r.devHub = &DevHub{latest: map[string]DevEvent{}, subs: map[string]map[chan struct{}]struct{}{},
			streams: inflight.NewCounter(inflight.StreamsPerUser), shutdowns: inflight.NewShutdowns()}
	})
	return r.devHub
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

// devRetryMillis is how long a browser waits before reconnecting.
const devRetryMillis = 1000

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
	u, err := h.currentUser(r)
	if err != nil {
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
	if !hub.streams.Open(u.ID) {
		writeAPIError(w, r, apiErrorf(http.StatusTooManyRequests, "too_many_streams", "Too many pages are open; close some and reload."))
		return
	}
	defer hub.streams.Close(u.ID)
	wake, cancel := hub.Subscribe(appid)
	defer cancel()
	shutdown := hub.shutdowns.Signal(r)

	send := inflight.StartEvents(w, devRetryMillis)
	if send == nil {
		return
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
	if !sendLatest() {
		return
	}
	keepalive := time.NewTicker(inflight.KeepaliveEvery)
	defer keepalive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-shutdown:
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
