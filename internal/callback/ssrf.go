package callback

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"
	"unicode/utf8"

	"superapp/internal/input"
)

// Callback targets are operator-configured URLs the platform then calls on
// its own: without a check, an account could aim them at the platform's
// network (metadata services, databases, admin ports). The URL's host is
// resolved and checked when it is set, and every connection is checked
// again at dial time, so a name that later resolves elsewhere (DNS
// rebinding) cannot reach a refused address either.

// nonPublic are ranges that are not the public internet, beyond what
// netip.Addr's predicates cover.
var nonPublic = []struct {
	prefix netip.Prefix
	what   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), `a "this network" address`},
	{netip.MustParsePrefix("100.64.0.0/10"), "a carrier-grade NAT (CGNAT) address"},
	{netip.MustParsePrefix("192.0.0.0/24"), "an IETF protocol assignment address"},
	{netip.MustParsePrefix("192.0.2.0/24"), "a documentation address"},
	{netip.MustParsePrefix("198.18.0.0/15"), "a benchmarking address"},
	{netip.MustParsePrefix("198.51.100.0/24"), "a documentation address"},
	{netip.MustParsePrefix("203.0.113.0/24"), "a documentation address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved address"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "a local-use NAT64 address"},
	// Deprecated, but still routed inside some networks.
	{netip.MustParsePrefix("fec0::/10"), "a site-local address"},
	{netip.MustParsePrefix("::/96"), "an IPv4-compatible address"},
	{netip.MustParsePrefix("100::/64"), "a discard-only address"},
	{netip.MustParsePrefix("2001:db8::/32"), "a documentation address"},
}

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// refusedBecause says why ip is not a public address ("" when it is).
func refusedBecause(ip netip.Addr) string {
	ip = ip.Unmap()
	switch {
	case ip.IsLoopback():
		return "a loopback address"
	case ip.IsUnspecified():
		return "an unspecified address"
	case ip.IsPrivate():
		if ip.Is4() {
			return "a private address"
		}
		return "a unique local (ULA) address"
	case ip.IsLinkLocalUnicast():
		return "a link-local address"
	case ip.IsMulticast(), ip.IsLinkLocalMulticast(), ip.IsInterfaceLocalMulticast():
		return "a multicast address"
	case ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return "the broadcast address"
	}
	for _, r := range nonPublic {
		if r.prefix.Contains(ip) {
			return r.what
		}
	}
	// IPv4 embedded in NAT64 (64:ff9b::/96) and 6to4 (2002::/16) addresses
	// reaches that IPv4 address: judge it instead.
	if b := ip.As16(); ip.Is6() {
		switch {
		case nat64.Contains(ip):
			if why := refusedBecause(netip.AddrFrom4([4]byte(b[12:16]))); why != "" {
				return why + " (inside NAT64)"
			}
		case sixToFour.Contains(ip):
			if why := refusedBecause(netip.AddrFrom4([4]byte(b[2:6]))); why != "" {
				return why + " (inside 6to4)"
			}
		}
	}
	return ""
}

// errRefusedAddress is a dial refused by the SSRF guard.
var errRefusedAddress = errors.New("refused address")

// parseTarget checks a callback URL's form: absolute http(s), a host, no
// credentials.
func parseTarget(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, input.Errorf("url", "is required")
	}
	if len(raw) > maxURL {
		return nil, input.Errorf("url", fmt.Sprintf("must be at most %d characters", maxURL))
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return nil, input.Errorf("url", "must be an absolute http:// or https:// URL")
	}
	if u.User != nil {
		return nil, input.Errorf("url", "must not carry credentials (user:password@)")
	}
	if u.Fragment != "" {
		return nil, input.Errorf("url", "must not have a #fragment")
	}
	for _, c := range []byte(u.Host) {
		if c >= utf8.RuneSelf {
			// Pushes name the host as given (Host header, DNS).
			return nil, input.Errorf("url", "must name its host in ASCII (an internationalized name in its xn-- form)")
		}
	}
	return u, nil
}

// maxURL is our limit on a callback URL's length (WeChat's console takes
// well under this).
const maxURL = 1024

// checkTarget resolves u's host and refuses non-public addresses unless
// allowPrivate.
func checkTarget(ctx context.Context, u *url.URL, allowPrivate bool) error {
	if allowPrivate {
		return nil
	}
	host := u.Hostname()
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{ip}
	} else {
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		addrs, err = net.DefaultResolver.LookupNetIP(rctx, "ip", host)
		if err != nil || len(addrs) == 0 {
			return input.Errorf("url", fmt.Sprintf("the host %q does not resolve", host))
		}
	}
	for _, ip := range addrs {
		if why := refusedBecause(ip); why != "" {
			return input.Errorf("url", fmt.Sprintf("the host %q resolves to %s, %s; callbacks to loopback, private and other non-public addresses are refused unless the operator allows them (policy official_accounts.callbacks.allow_private; allowed by default only in dev mode)", host, ip.Unmap(), why))
		}
	}
	return nil
}

// dialGuard refuses connections to non-public addresses at dial time.
func dialGuard(allowPrivate bool) func(network, address string, c syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		if allowPrivate {
			return nil
		}
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: %s", errRefusedAddress, address)
		}
		if why := refusedBecause(ap.Addr()); why != "" {
			return fmt.Errorf("%w: %s is %s", errRefusedAddress, ap.Addr().Unmap(), why)
		}
		return nil
	}
}

// newClient is the HTTP client of URL verification (pushes go through
// sender): its own connection pool, no proxy from the environment, no
// redirects (a redirect could point anywhere), and the dial-time SSRF
// guard.
func newClient(opts Options) *http.Client {
	dialer := &net.Dialer{Timeout: opts.Timeout, KeepAlive: 30 * time.Second, Control: dialGuard(opts.AllowPrivate)}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		MaxIdleConns:          4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   opts.Timeout,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
