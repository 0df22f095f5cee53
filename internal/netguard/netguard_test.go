package netguard

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestRefusedAddresses(t *testing.T) {
	for addr, refused := range map[string]bool{
		"127.0.0.1": true, "10.1.2.3": true, "172.16.0.1": true, "192.168.1.1": true, "169.254.169.254": true,
		"100.64.0.1": true, "0.0.0.0": true, "224.0.0.1": true, "255.255.255.255": true, "198.18.0.1": true,
		"::1": true, "::": true, "fd00::1": true, "fe80::1": true, "fe80::1%eth0": true, "ff02::1": true, "::ffff:127.0.0.1": true,
		"::ffff:10.0.0.1": true, "64:ff9b::7f00:1": true, "2002:c0a8:101::1": true,
		"fec0::1": true, "::7f00:1": true,
		// SIIT's IPv4-translated addresses reach the IPv4 address inside.
		"::ffff:0:7f00:1": true, "::ffff:0:a00:1": true, "::ffff:0:a9fe:a9fe": true,
		// The 6to4 relay anycast range.
		"192.88.99.1": true,
		"8.8.8.8":     false, "1.1.1.1": false, "2606:4700:4700::1111": false, "64:ff9b::808:808": false,
		"::ffff:0:808:808": false, "2002:808:808::1": false,
	} {
		if got := RefusedBecause(netip.MustParseAddr(addr)) != ""; got != refused {
			t.Errorf("%s: refused = %v, want %v", addr, got, refused)
		}
	}
}

func TestRefusedBecauseNamesTheEmbeddedAddress(t *testing.T) {
	if why := RefusedBecause(netip.MustParseAddr("::ffff:0:7f00:1")); why != "a loopback address (inside SIIT)" {
		t.Fatalf("SIIT loopback: %q", why)
	}
	if why := RefusedBecause(netip.MustParseAddr("192.88.99.1")); !strings.Contains(why, "6to4 relay") {
		t.Fatalf("6to4 relay anycast: %q", why)
	}
}

// AllowPrivate (dev mode, tests) reaches loopback and the LAN, never the
// link-local range or cloud metadata endpoints, however they are written.
func TestRefusedAllowingPrivate(t *testing.T) {
	for addr, refused := range map[string]bool{
		"127.0.0.1": false, "10.1.2.3": false, "192.168.1.1": false, "::1": false, "fd00::1": false,
		"169.254.169.254": true, "169.254.0.1": true, "fe80::1": true, "fd00:ec2::254": true, "100.100.100.200": true,
		"::ffff:169.254.169.254": true, "64:ff9b::a9fe:a9fe": true, "2002:a9fe:a9fe::": true, "::ffff:0:a9fe:a9fe": true,
		"8.8.8.8": false,
	} {
		if got := Refused(netip.MustParseAddr(addr), true) != ""; got != refused {
			t.Errorf("%s with private allowed: refused = %v, want %v", addr, got, refused)
		}
	}
}

func TestDialControlAllowingPrivate(t *testing.T) {
	ctl := DialControl(true)
	if err := ctl("tcp", "127.0.0.1:80", nil); err != nil {
		t.Fatalf("loopback with private allowed: %v", err)
	}
	for _, a := range []string{"169.254.169.254:80", "[fd00:ec2::254]:80"} {
		if err := ctl("tcp", a, nil); !errors.Is(err, ErrRefusedAddress) {
			t.Errorf("%s with private allowed: %v, want refused", a, err)
		}
	}
	if err := DialControl(false)("tcp", "10.0.0.1:80", nil); !errors.Is(err, ErrRefusedAddress) {
		t.Fatalf("private without allowing: %v", err)
	}
}

func TestResolveAllowing(t *testing.T) {
	ctx := context.Background()
	if _, why, err := ResolveAllowing(ctx, "127.0.0.1", true); err != nil || why != "" {
		t.Fatalf("loopback allowed: %q %v", why, err)
	}
	if bad, why, err := ResolveAllowing(ctx, "169.254.169.254", true); err != nil || why == "" || bad.String() != "169.254.169.254" {
		t.Fatalf("metadata: %v %q %v", bad, why, err)
	}
	if _, why, _ := Resolve(ctx, "127.0.0.1"); why == "" {
		t.Fatal("Resolve allowed loopback")
	}
}
