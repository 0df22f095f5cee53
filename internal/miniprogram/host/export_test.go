package host

import (
	"context"
	"crypto/tls"
	"net"
	"net/netip"
)

// SetNetwork points the proxy's name checks and dials at test servers:
// resolve answers for names, dial replaces the dialer (nil keeps the
// guarded one), tlsConfig trusts a test certificate.
func (h *Handler) SetNetwork(resolve func(ctx context.Context, host string) (netip.Addr, string, error),
	dial func(ctx context.Context, network, addr string) (net.Conn, error), tlsConfig *tls.Config) {
	if resolve != nil {
		h.proxy.resolve = resolve
	}
	if dial != nil {
		h.proxy.dial = dial
	}
	h.proxy.tlsConfig = tlsConfig
}

// SetFileCacheBytes replaces r's package-file cache with an empty one of max bytes.
func SetFileCacheBytes(r *Registry, max int64) { r.files = newFileCache(max) }

// OwnPagePath is ownPagePath, for scan tests.
var OwnPagePath = ownPagePath
