package main

import (
	"fmt"
	"math"
	"net/netip"
	"strings"

	"golang.org/x/sys/unix"
)

// Reading addresses and numbers the way iproute2 does (lib/utils.c), so
// that what it accepts, linkbox accepts, and what it refuses, linkbox
// refuses with the same words.

// inetPrefix is an address or prefix as iproute2's get_addr and get_prefix
// read it: "198.18.0.1", "198.18.0.0/24", "198.18.0.0/255.255.255.0",
// "2001:db8::/32", "default", "any", "all".
type inetPrefix struct {
	family int        // AF_INET or AF_INET6; for the words, the family asked for (maybe 0)
	addr   netip.Addr // the address; invalid when no bytes are sent ("any", "default" of no family)
	bits   int        // the prefix length: written, or the family's full length
	// specified is iproute2's PREFIXLEN_SPECIFIED: a length was written,
	// or the word was "default".
	specified bool
	word      string // "default", "any" or "all", when the address was one of them
}

// prefix returns the address with its length, or the zero Prefix when
// there is no address.
func (p inetPrefix) prefix() netip.Prefix {
	if !p.addr.IsValid() {
		return netip.Prefix{}
	}
	return netip.PrefixFrom(p.addr, p.bits)
}

// afBits is the bit length of an address of the family (af_bit_len).
func afBits(family int) int {
	switch family {
	case unix.AF_INET:
		return 32
	case unix.AF_INET6:
		return 128
	case unix.AF_MPLS:
		return 20
	}
	return 0
}

// familyName is iproute2's family_name.
func familyName(family int) string {
	switch family {
	case unix.AF_INET:
		return "inet"
	case unix.AF_INET6:
		return "inet6"
	case unix.AF_PACKET:
		return "link"
	case unix.AF_MPLS:
		return "mpls"
	case unix.AF_BRIDGE:
		return "bridge"
	}
	return "???"
}

// readFamily is iproute2's read_family: a family word, or 0.
func readFamily(s string) int {
	switch s {
	case "inet":
		return unix.AF_INET
	case "inet6":
		return unix.AF_INET6
	case "link":
		return unix.AF_PACKET
	case "mpls":
		return unix.AF_MPLS
	case "bridge":
		return unix.AF_BRIDGE
	}
	return 0
}

func familyVerbose(family int) string {
	if family == unix.AF_UNSPEC {
		return "any valid"
	}
	return familyName(family)
}

// parseInetAddr reads an address as get_addr_1 does, for the family
// asked for (0 for either).
func parseInetAddr(s string, family int) (inetPrefix, bool) {
	switch s {
	case "default":
		if family == unix.AF_MPLS {
			return inetPrefix{}, false
		}
		p := inetPrefix{family: family, specified: true, word: s}
		switch family {
		case unix.AF_INET:
			p.addr = netip.IPv4Unspecified()
		case unix.AF_INET6:
			p.addr = netip.IPv6Unspecified()
		}
		return p, true
	case "all", "any":
		if family == unix.AF_MPLS {
			return inetPrefix{}, false
		}
		return inetPrefix{family: family, word: s}, true
	}
	if family == unix.AF_PACKET || family == unix.AF_MPLS {
		return inetPrefix{}, false // not addresses linkbox reads
	}
	if strings.Contains(s, ":") {
		if family != unix.AF_UNSPEC && family != unix.AF_INET6 {
			return inetPrefix{}, false
		}
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is6() || a.Zone() != "" {
			return inetPrefix{}, false
		}
		return inetPrefix{family: unix.AF_INET6, addr: a, bits: 128}, true
	}
	if family != unix.AF_UNSPEC && family != unix.AF_INET {
		return inetPrefix{}, false
	}
	a, ok := parseIPv4Loose(s)
	if !ok {
		return inetPrefix{}, false
	}
	return inetPrefix{family: unix.AF_INET, addr: a, bits: 32}, true
}

// parseIPv4Loose reads an IPv4 address as iproute2's get_addr_ipv4: one to
// four parts separated by dots, each a C number (decimal, 0x hex or 0
// octal) up to 255; missing parts are zero ("198.18" is 198.18.0.0).
func parseIPv4Loose(s string) (netip.Addr, bool) {
	var b [4]byte
	for i := 0; i < 4; i++ {
		v, rest, ok := cStrtoul(s, 0)
		if !ok || v > 255 {
			return netip.Addr{}, false
		}
		b[i] = byte(v)
		if rest == "" {
			return netip.AddrFrom4(b), true
		}
		if i == 3 || rest[0] != '.' {
			return netip.Addr{}, false
		}
		s = rest[1:]
	}
	return netip.Addr{}, false
}

// parseInetPrefix reads a prefix as get_prefix_1 does: an address, then
// optionally "/" and a length or a dotted netmask.
func parseInetPrefix(s string, family int) (inetPrefix, bool) {
	addr, plen, slash := strings.Cut(s, "/")
	p, ok := parseInetAddr(addr, family)
	if !ok {
		return p, false
	}
	bits := afBits(p.family)
	if slash {
		if p.word != "" {
			return p, false
		}
		n, ok := parseNetmask(plen)
		if !ok || n > bits {
			return p, false
		}
		p.specified = true
		bits = n
	} else if p.word != "" {
		bits = 0
	}
	p.bits = bits
	return p, true
}

// parseNetmask reads a prefix length, or a dotted netmask such as
// 255.255.255.0, as get_netmask does.
func parseNetmask(s string) (int, bool) {
	if v, ok := getUnsigned(s, 0, math.MaxUint32); ok {
		return int(min(v, math.MaxInt32)), true
	}
	a, ok := parseInetAddr(s, unix.AF_INET)
	if !ok || a.family != unix.AF_INET || !a.addr.IsValid() {
		return 0, false
	}
	b := a.addr.As4()
	mask := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	host := ^mask
	if host&(host+1) != 0 {
		return 0, false
	}
	n := 0
	for ; mask != 0; mask <<= 1 {
		n++
	}
	return n, true
}

// getUnsigned reads a whole C number (get_u32, get_unsigned) no larger
// than max.
func getUnsigned(s string, base int, max uint64) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	v, rest, ok := cStrtoul(s, base)
	if !ok || rest != "" || v > max {
		return 0, false
	}
	return v, true
}

// cStrtoul is C's strtoul on a 64-bit system: leading blanks, a sign, a
// base prefix when base is 0 or 16; it reports the text after the digits
// and whether there were any. Overflow gives the largest value, and a
// minus sign negates, as in C.
func cStrtoul(s string, base int) (uint64, string, bool) {
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	hasHex := i+2 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') &&
		hexDigit(s[i+2]) >= 0 && hexDigit(s[i+2]) < 16
	switch {
	case (base == 0 || base == 16) && hasHex:
		base = 16
		i += 2
	case base == 0 && i < len(s) && s[i] == '0':
		base = 8
	case base == 0:
		base = 10
	}
	start := i
	var v uint64
	over := false
	for i < len(s) {
		d := hexDigit(s[i])
		if d < 0 || d >= base {
			break
		}
		if v > (math.MaxUint64-uint64(d))/uint64(base) {
			over = true
		}
		v = v*uint64(base) + uint64(d)
		i++
	}
	if i == start {
		return 0, s, false
	}
	if over {
		v = math.MaxUint64
	} else if neg {
		v = -v
	}
	return v, s[i:], true
}

func hexDigit(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return -1
}

// getPrefix reads a prefix or fails as iproute2's get_prefix does, with
// its message and exit status 1.
func getPrefix(s string, family int) (inetPrefix, error) {
	if family == unix.AF_PACKET {
		return inetPrefix{}, &cliError{code: 1, msg: fmt.Sprintf("Error: \"%s\" may be inet prefix, but it is not allowed in this context.", s)}
	}
	p, ok := parseInetPrefix(s, family)
	if !ok {
		return p, &cliError{code: 1, msg: fmt.Sprintf("Error: %s prefix is expected rather than \"%s\".", familyVerbose(family), s)}
	}
	return p, nil
}

// getAddr reads an address or fails as iproute2's get_addr does.
func getAddr(s string, family int) (inetPrefix, error) {
	p, ok := parseInetAddr(s, family)
	if !ok {
		return p, &cliError{code: 1, msg: fmt.Sprintf("Error: %s address is expected rather than \"%s\".", familyVerbose(family), s)}
	}
	return p, nil
}

// errDuplicate is iproute2's duparg: a keyword given twice.
func errDuplicate(key, value string) error {
	return usagef("Error: duplicate \"%s\": \"%s\" is the second value.", key, value)
}

// invArg is iproute2's invarg: the message as iproute2 writes it, with
// its trailing newline when it has one.
func invArg(msg, value string) error {
	return usagef("Error: argument \"%s\" is wrong: %s", value, msg)
}

// matchPrefix reports whether addr lies in the filter prefix p, as
// inet_addr_match does; a filter without a family matches everything.
func matchPrefix(p inetPrefix, addr netip.Addr) bool {
	if p.family == 0 {
		return true
	}
	if !addr.IsValid() || familyOfAddr(addr) != p.family {
		return false
	}
	if !p.addr.IsValid() || p.bits == 0 {
		return true
	}
	pfx, err := addr.Prefix(p.bits)
	if err != nil {
		return false
	}
	want, _ := p.addr.Prefix(p.bits)
	return pfx == want
}

func familyOfAddr(a netip.Addr) int {
	if a.Is4() {
		return unix.AF_INET
	}
	return unix.AF_INET6
}
