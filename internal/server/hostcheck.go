package server

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
)

// hostCheck is dev mode's answer to DNS rebinding: a dev server has
// one-click test users, a request proxy and a socket relay that reach
// loopback and the LAN, so a page of another site must not reach it by
// pointing its own name at 127.0.0.1, nor other machines by its LAN
// address. It answers only requests whose Host is a loopback name, the
// address it listens on, or one the operator allowed (--allowed-host).
type hostCheck struct {
	mu      sync.RWMutex
	allowed map[string]bool // lowercase host names and IP literals, without port
}

func newHostCheck(extra []string) *hostCheck {
	c := &hostCheck{allowed: map[string]bool{"localhost": true}}
	for _, h := range extra {
		if h = hostOnly(h); h != "" {
			c.allowed[h] = true
		}
	}
	return c
}

// listening adds the address the server is bound to (unless it binds
// every address, which names no host).
func (c *hostCheck) listening(addr net.Addr) {
	ap, err := netip.ParseAddrPort(addr.String())
	if err != nil || ap.Addr().IsUnspecified() {
		return
	}
	c.mu.Lock()
	c.allowed[ap.Addr().Unmap().String()] = true
	c.mu.Unlock()
}

// hostOnly is a Host header's or an --allowed-host entry's name, lowercase,
// without port or IPv6 brackets.
func hostOnly(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	if name, _, err := net.SplitHostPort(h); err == nil {
		h = name
	}
	return strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
}

func (c *hostCheck) allows(host string) bool {
	h := hostOnly(host)
	if ip, err := netip.ParseAddr(h); err == nil {
		if ip.Unmap().IsLoopback() {
			return true
		}
		h = ip.Unmap().String()
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.allowed[h]
}

func (c *hostCheck) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !c.allows(r.Host) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("X-Content-Type-Options", "nosniff")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, "This superapp runs in dev mode and answers only requests for localhost, 127.0.0.1, [::1] or the address it listens on, not for %q: "+
				"this keeps other web sites (through DNS rebinding) and other machines from using its test users and request proxy. "+
				"To open it under this name, start it with --allowed-host %s (repeatable or comma-separated; or SUPERAPP_ALLOWED_HOSTS).\n",
				r.Host, hostOnly(r.Host))
			return
		}
		next.ServeHTTP(w, r)
	})
}
