package fetch

import (
	"fmt"
	"net/netip"
)

// class is why an address may not be fetched from. The zero value is a
// public address.
type class int

const (
	public class = iota
	// Lifted by AllowPrivate: a team's intranet wiki is a legitimate
	// source when the operator says so.
	loopback
	private
	linkLocal
	sharedCGNAT
	// Never lifted: no document lives there, and the metadata service
	// hands out cloud credentials, which allowing an intranet must not
	// expose.
	metadata
	unspecified
	multicast
	broadcast
	reserved
)

func (c class) String() string {
	switch c {
	case loopback:
		return "a loopback address"
	case private:
		return "a private address"
	case linkLocal:
		return "a link-local address"
	case sharedCGNAT:
		return "a carrier-grade NAT (shared) address"
	case metadata:
		return "a cloud metadata address"
	case unspecified:
		return "an unspecified address"
	case multicast:
		return "a multicast address"
	case broadcast:
		return "a broadcast address"
	case reserved:
		return "a reserved address"
	}
	return "a public address"
}

// liftable reports whether AllowPrivate permits c.
func (c class) liftable() bool {
	switch c {
	case loopback, private, linkLocal, sharedCGNAT:
		return true
	}
	return false
}

var (
	// Cloud metadata services: AWS, GCP, Azure, OpenStack and others use
	// 169.254.169.254 (metadata.google.internal resolves to it); AWS's
	// IPv6 endpoint is fd00:ec2::254; Alibaba uses 100.100.100.200.
	metadataAddrs = []netip.Addr{
		netip.MustParseAddr("169.254.169.254"),
		netip.MustParseAddr("fd00:ec2::254"),
		netip.MustParseAddr("100.100.100.200"),
	}
	v4Ranges = []struct {
		p netip.Prefix
		c class
	}{
		{netip.MustParsePrefix("0.0.0.0/8"), unspecified}, // "this network": 0.0.0.0 reaches the local host on Linux
		{netip.MustParsePrefix("127.0.0.0/8"), loopback},
		{netip.MustParsePrefix("10.0.0.0/8"), private},
		{netip.MustParsePrefix("172.16.0.0/12"), private},
		{netip.MustParsePrefix("192.168.0.0/16"), private},
		{netip.MustParsePrefix("169.254.0.0/16"), linkLocal},
		{netip.MustParsePrefix("100.64.0.0/10"), sharedCGNAT},
		{netip.MustParsePrefix("192.0.0.0/24"), reserved},  // IETF protocol assignments
		{netip.MustParsePrefix("198.18.0.0/15"), reserved}, // benchmarking; often internal in practice
		{netip.MustParsePrefix("224.0.0.0/4"), multicast},
		{netip.MustParsePrefix("255.255.255.255/32"), broadcast},
		{netip.MustParsePrefix("240.0.0.0/4"), reserved},
	}
	v6Ranges = []struct {
		p netip.Prefix
		c class
	}{
		{netip.MustParsePrefix("fc00::/7"), private},    // unique local (RFC 4193)
		{netip.MustParsePrefix("fec0::/10"), private},   // deprecated site-local, still routed internally by some
		{netip.MustParsePrefix("fe80::/10"), linkLocal}, // includes every zone
		{netip.MustParsePrefix("ff00::/8"), multicast},
		{netip.MustParsePrefix("100::/64"), reserved}, // discard-only
	}
	// IPv6 forms that carry an IPv4 address a translator or relay may
	// deliver to: NAT64 (RFC 6052, RFC 8215), 6to4 (RFC 3056) and the
	// deprecated IPv4-compatible form. Each is judged by the IPv4 address
	// inside, so that 64:ff9b::10.0.0.1 is as private as 10.0.0.1.
	nat64      = netip.MustParsePrefix("64:ff9b::/96")
	nat64Local = netip.MustParsePrefix("64:ff9b:1::/48")
	sixToFour  = netip.MustParsePrefix("2002::/16")
	v4Compat   = netip.MustParsePrefix("::/96")
	v4Transl   = netip.MustParsePrefix("::ffff:0:0:0/96") // SIIT (RFC 2765)
)

// classify says what kind of address ip is.
func classify(ip netip.Addr) class {
	ip = ip.WithZone("")
	// ::ffff:127.0.0.1 is dialed as 127.0.0.1.
	ip = ip.Unmap()
	for _, m := range metadataAddrs {
		if ip == m {
			return metadata
		}
	}
	if ip.Is4() {
		for _, r := range v4Ranges {
			if r.p.Contains(ip) {
				return r.c
			}
		}
		return public
	}
	switch {
	case !ip.IsValid(), ip.IsUnspecified():
		return unspecified
	case ip.IsLoopback():
		return loopback
	}
	for _, r := range v6Ranges {
		if r.p.Contains(ip) {
			return r.c
		}
	}
	b := ip.As16()
	switch {
	case nat64.Contains(ip), nat64Local.Contains(ip), v4Compat.Contains(ip), v4Transl.Contains(ip):
		return embedded(netip.AddrFrom4([4]byte(b[12:16])))
	case sixToFour.Contains(ip):
		return embedded(netip.AddrFrom4([4]byte(b[2:6])))
	}
	return public
}

// embedded classifies the IPv4 address carried inside an IPv6 one; a public
// one leaves the IPv6 address public.
func embedded(v4 netip.Addr) class {
	return classify(v4)
}

// checkAddr returns a refusal when ip may not be fetched from. name is
// the host as written in the URL ("" when it is ip itself), so that the
// message says which name led where.
func checkAddr(ip netip.Addr, name string, allowPrivate bool) error {
	c := classify(ip)
	if c == public || (allowPrivate && c.liftable()) {
		return nil
	}
	shown := ip.WithZone("").Unmap().String()
	var msg string
	if name != "" && name != shown {
		msg = fmt.Sprintf("refused: %s resolves to %s, %s", name, shown, c)
	} else {
		msg = fmt.Sprintf("refused: %s is %s", shown, c)
	}
	if c.liftable() {
		msg += "; set corpus.allow_private_urls to fetch from private networks"
	}
	return &Error{kind: ErrRefused, msg: msg}
}
