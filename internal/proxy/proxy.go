// Package proxy answers "who is calling, and over what" for a server that
// may sit behind a reverse proxy: the client's address (for IP whitelists
// and rate limits) and whether the client's connection is HTTPS (for Secure
// cookies). Headers are believed only when the deployment says every request
// comes through its own proxy, and then only the entry that proxy appended.
package proxy

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Trust is whether requests arrive through a trusted reverse proxy.
type Trust bool

// ClientIP is the caller's address: the TCP peer, or behind a trusted proxy
// the last X-Forwarded-For entry — the one the proxy appended; entries to
// its left come from the client and prove nothing.
func (t Trust) ClientIP(r *http.Request) netip.Addr {
	if t {
		if ip, ok := last(r, "X-Forwarded-For"); ok {
			if a, err := netip.ParseAddr(ip); err == nil {
				return a.Unmap()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}

// HTTPS reports whether the client's connection is HTTPS: TLS ended here,
// or behind a trusted proxy its X-Forwarded-Proto says https.
func (t Trust) HTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	if t {
		p, ok := last(r, "X-Forwarded-Proto")
		return ok && strings.EqualFold(p, "https")
	}
	return false
}

// last returns the last comma-separated entry of the last line of header h.
func last(r *http.Request, h string) (string, bool) {
	vs := r.Header.Values(h)
	if len(vs) == 0 {
		return "", false
	}
	v := vs[len(vs)-1]
	if i := strings.LastIndexByte(v, ','); i >= 0 {
		v = v[i+1:]
	}
	v = strings.TrimSpace(v)
	return v, v != ""
}
