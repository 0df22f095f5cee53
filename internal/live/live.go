// Package live tells the shell's open pages that something changed, so they
// update without reloading: a message arrived in a conversation, a follow
// changed. Events carry no content (pages refetch what they show), so a
// missed event costs a stale view until the next one, never data.
//
// The hub is in-process: with several servers behind one database, a page
// hears about changes made by its own server and by background work there.
package live

import "sync"

// Event is a change a page may care about.
type Event struct {
	// Type is "message" (new messages in a conversation), "follow" (the
	// user's follows changed), "read" (a conversation was read on another
	// page) or "typing" (the account is typing).
	Type  string `json:"type"`
	AppID string `json:"appid,omitempty"`
}

// Hub fans events out to subscribers.
type Hub struct {
	mu   sync.Mutex
	subs map[string]map[chan Event]struct{} // by user id; "" = every user
}

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{subs: map[string]map[chan Event]struct{}{}} }

// Subscribe returns the events for userID (and broadcasts) until cancel.
// Slow readers lose events rather than block publishers.
func (h *Hub) Subscribe(userID string) (<-chan Event, func()) {
	ch := make(chan Event, 64)
	h.mu.Lock()
	if h.subs[userID] == nil {
		h.subs[userID] = map[chan Event]struct{}{}
	}
	h.subs[userID][ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.subs[userID], ch)
		if len(h.subs[userID]) == 0 {
			delete(h.subs, userID)
		}
		h.mu.Unlock()
	}
}

// Publish sends e to userID's pages.
func (h *Hub) Publish(userID string, e Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs[userID] {
		select {
		case ch <- e:
		default:
		}
	}
}

// Broadcast sends e to every subscribed page (a mass message: each page
// checks whether it follows e.AppID).
func (h *Hub) Broadcast(e Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, set := range h.subs {
		for ch := range set {
			select {
			case ch <- e:
			default:
			}
		}
	}
}

// Subscribers is how many pages are listening (for metrics and tests).
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, set := range h.subs {
		n += len(set)
	}
	return n
}
