// Package netguard keeps server-side requests the platform makes on behalf
// of accounts and mini programs (callbacks, wx.request proxying) away from
// the platform's own network: loopback, private, link-local and other
// non-public addresses, checked when a target is configured and again at
// dial time.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
)

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
	{netip.MustParsePrefix("192.88.99.0/24"), "a 6to4 relay anycast address"},
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
	// siit is the IPv4-translated range of SIIT (RFC 6145), ::ffff:0:a.b.c.d,
	// which netip does not unmap.
	siit = netip.MustParsePrefix("::ffff:0:0:0/96")
)

// metadata are cloud instance-metadata endpoints outside link-local
// ranges: they hand out the host's credentials, so even AllowPrivate
// (dev mode, a LAN test server) never reaches them.
var metadata = map[netip.Addr]string{
	netip.MustParseAddr("fd00:ec2::254"):   "a cloud metadata address (AWS)",
	netip.MustParseAddr("100.100.100.200"): "a cloud metadata address (Alibaba Cloud)",
}

// RefusedBecause says why ip is not a public address ("" when it is).
func RefusedBecause(ip netip.Addr) string { return Refused(ip, false) }

// Refused says why ip may not be reached ("" when it may). With
// allowPrivate, loopback and private LAN addresses may be (dev mode,
// tests), but link-local ones and cloud metadata endpoints still may not:
// they expose the machine's own credentials, not a developer's server.
func Refused(ip netip.Addr, allowPrivate bool) string {
	ip = ip.WithZone("").Unmap()
	if why, ok := metadata[ip]; ok {
		return why
	}
	if ip.IsLinkLocalUnicast() {
		return "a link-local address"
	}
	// IPv4 embedded in NAT64 (64:ff9b::/96), SIIT (::ffff:0:0:0/96) and
	// 6to4 (2002::/16) addresses reaches that IPv4 address: judge it instead.
	if b := ip.As16(); ip.Is6() {
		for _, e := range []struct {
			prefix netip.Prefix
			v4     [4]byte
			what   string
		}{
			{nat64, [4]byte(b[12:16]), "NAT64"},
			{siit, [4]byte(b[12:16]), "SIIT"},
			{sixToFour, [4]byte(b[2:6]), "6to4"},
		} {
			if e.prefix.Contains(ip) {
				if why := Refused(netip.AddrFrom4(e.v4), allowPrivate); why != "" {
					return why + " (inside " + e.what + ")"
				}
			}
		}
	}
	if allowPrivate {
		return ""
	}
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
	return ""
}

// ErrRefusedAddress is a dial refused by the guard.
var ErrRefusedAddress = errors.New("refused address")

// Resolve resolves host (a name or an IP literal) and returns the first
// address that is not public with the reason, or ok when all are public.
// An error means the host does not resolve.
func Resolve(ctx context.Context, host string) (bad netip.Addr, why string, err error) {
	return ResolveAllowing(ctx, host, false)
}

// ResolveAllowing is Resolve judging addresses as Refused(ip, allowPrivate).
func ResolveAllowing(ctx context.Context, host string, allowPrivate bool) (bad netip.Addr, why string, err error) {
	var addrs []netip.Addr
	if ip, perr := netip.ParseAddr(host); perr == nil {
		addrs = []netip.Addr{ip}
	} else {
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		addrs, err = net.DefaultResolver.LookupNetIP(rctx, "ip", host)
		if err != nil {
			return netip.Addr{}, "", err
		}
		if len(addrs) == 0 {
			return netip.Addr{}, "", fmt.Errorf("%s: no addresses", host)
		}
	}
	for _, ip := range addrs {
		if why := Refused(ip, allowPrivate); why != "" {
			return ip.Unmap(), why, nil
		}
	}
	return netip.Addr{}, "", nil
}

// DialControl is a net.Dialer Control that refuses connections to
// addresses Refused(ip, allowPrivate) names at dial time, so a name that
// resolved to an allowed address when checked cannot later reach a
// refused one (DNS rebinding).
func DialControl(allowPrivate bool) func(network, address string, c syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: %s", ErrRefusedAddress, address)
		}
		if why := Refused(ap.Addr(), allowPrivate); why != "" {
			return fmt.Errorf("%w: %s is %s", ErrRefusedAddress, ap.Addr().Unmap(), why)
		}
		return nil
	}
}
