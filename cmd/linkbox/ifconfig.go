package main

import (
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/rtnl"
)

const ifconfigUsage = "ifconfig [-a] [IFACE [ADDR[/LEN]] [add|del ADDR/LEN] [netmask M] [broadcast B] [mtu N] [hw ether MAC] [up|down]]"

// ifconfig does, over netlink, what net-tools' ifconfig does with ioctls,
// and leaves the same kernel state: setting an IPv4 address replaces the
// link's primary one (label = link name), with a classful netmask unless
// one is given, a broadcast address computed from it, and the link
// brought up.
func ifconfigMain(e *env, argv []string) int {
	all := false
	if len(argv) > 0 && argv[0] == "-a" {
		all = true
		argv = argv[1:]
	}
	conn, err := e.conn()
	if err != nil {
		return e.report("ifconfig", err)
	}
	if len(argv) == 0 {
		return e.report("ifconfig", e.ifconfigShow(conn, "", all))
	}
	if len(argv) == 1 {
		return e.report("ifconfig", e.ifconfigShow(conn, argv[0], true))
	}
	return e.report("ifconfig", e.ifconfigSet(conn, argv[0], argv[1:]))
}

// ifconfigReq is what an ifconfig command line asks for.
type ifconfigReq struct {
	addr      netip.Addr
	prefixLen int // -1: not given
	netmask   int // -1: not given
	broadcast netip.Addr
	add, del  []netip.Prefix
	link      rtnl.LinkMessage
	setLink   bool
}

func (e *env) ifconfigSet(conn *rtnl.Conn, name string, argv []string) error {
	l, err := conn.LinkByName(name)
	if errors.Is(err, unix.ENODEV) || (err != nil && rtnl.CheckLinkName(name) != nil) {
		msg := fmt.Sprintf("%s: ERROR while getting interface flags: No such device", name)
		if len(argv) > 0 {
			if _, perr := parsePrefixDefault(argv[0], -1); perr == nil {
				msg = "SIOCSIFADDR: No such device\n" + msg
			}
		}
		return &cliError{code: 255, msg: msg}
	}
	if err != nil {
		return err
	}
	r := ifconfigReq{prefixLen: -1, netmask: -1}
	r.link.Index = l.Index
	a := newArgs(argv)
	val := func(what string) (string, error) {
		if !a.more() {
			return "", &cliError{code: 1, msg: fmt.Sprintf("ifconfig: %s needs an argument", what)}
		}
		return a.next(), nil
	}
	for a.more() {
		w := a.next()
		switch w {
		case "up":
			r.link.Flags |= unix.IFF_UP
			r.link.Change |= unix.IFF_UP
			r.setLink = true
		case "down":
			r.link.Flags &^= unix.IFF_UP
			r.link.Change |= unix.IFF_UP
			r.setLink = true
		case "netmask":
			s, err := val(w)
			if err != nil {
				return err
			}
			m, err := netip.ParseAddr(s)
			if err != nil || !m.Is4() {
				return &cliError{code: 1, msg: fmt.Sprintf("ifconfig: %s: Unknown host", s)}
			}
			ones, ok := maskLen(m)
			if !ok {
				return &cliError{code: 1, msg: fmt.Sprintf("ifconfig: %s is not a contiguous netmask", s)}
			}
			r.netmask = ones
		case "broadcast":
			s, err := val(w)
			if err != nil {
				return err
			}
			b, err := netip.ParseAddr(s)
			if err != nil || !b.Is4() {
				return &cliError{code: 1, msg: fmt.Sprintf("ifconfig: %s: Unknown host", s)}
			}
			r.broadcast = b
		case "mtu":
			s, err := val(w)
			if err != nil {
				return err
			}
			n, err := strconv.ParseUint(s, 10, 32)
			if err != nil {
				return &cliError{code: 1, msg: fmt.Sprintf("ifconfig: bad mtu %q", s)}
			}
			r.link.Attrs.MTU = uint32(n)
			r.setLink = true
		case "hw":
			class, err := val(w)
			if err != nil {
				return err
			}
			if class != "ether" {
				return &cliError{code: 1, msg: fmt.Sprintf("ifconfig: hardware class %q is not supported", class)}
			}
			s, err := val(w)
			if err != nil {
				return err
			}
			mac, err := parseLLAddr(s)
			if err != nil || len(mac) != 6 {
				return &cliError{code: 1, msg: fmt.Sprintf("%s: invalid ether address.", s)}
			}
			r.link.Attrs.Address = mac
			r.setLink = true
		case "add", "del":
			s, err := val(w)
			if err != nil {
				return err
			}
			p, err := parsePrefixDefault(s, 64)
			if err != nil {
				return &cliError{code: 1, msg: fmt.Sprintf("ifconfig: %s: Unknown host", s)}
			}
			if w == "add" {
				r.add = append(r.add, p)
			} else {
				r.del = append(r.del, p)
			}
		default:
			if r.addr.IsValid() {
				return &cliError{code: 1, msg: fmt.Sprintf("ifconfig: unknown argument %q", w)}
			}
			p, err := parsePrefixDefault(w, -1)
			if err != nil {
				return &cliError{code: 1, msg: fmt.Sprintf("%s: Unknown host\nifconfig: `--help' gives usage information.", w)}
			}
			if p.Addr().Is6() {
				r.add = append(r.add, p)
				continue
			}
			r.addr = p.Addr()
			if p.Bits() != 32 || strings.Contains(w, "/") {
				r.prefixLen = p.Bits()
			}
		}
	}
	return e.ifconfigApply(conn, l, &r)
}

// ifconfigApply changes the link: address first, then link settings, so
// that a failed address leaves the link as it was.
func (e *env) ifconfigApply(conn *rtnl.Conn, l *rtnl.LinkMessage, r *ifconfigReq) error {
	if r.addr.IsValid() || r.netmask >= 0 || r.broadcast.IsValid() {
		if err := ifconfigSetInet(conn, l, r); err != nil {
			return err
		}
	}
	for _, p := range r.del {
		if err := conn.DeleteAddr(l.Index, p, nil); err != nil {
			return err
		}
	}
	for _, p := range r.add {
		if err := conn.AddAddr(l.Index, p, nil); err != nil {
			return err
		}
	}
	// Setting an address brings the link up, as SIOCSIFADDR does.
	if r.addr.IsValid() && r.link.Change&unix.IFF_UP == 0 {
		r.link.Flags |= unix.IFF_UP
		r.link.Change |= unix.IFF_UP
		r.setLink = true
	}
	if r.setLink {
		return conn.SetLink(&r.link)
	}
	return nil
}

// ifconfigSetInet replaces the primary IPv4 address (the one labelled
// with the link's name), keeping what the command line does not change.
func ifconfigSetInet(conn *rtnl.Conn, l *rtnl.LinkMessage, r *ifconfigReq) error {
	addrs, err := conn.Addrs(unix.AF_INET, l.Index)
	if err != nil {
		return err
	}
	var old *rtnl.AddressMessage
	for _, a := range addrs {
		if (a.Attrs.Label == "" || a.Attrs.Label == l.Attrs.Name) && a.Flags&unix.IFA_F_SECONDARY == 0 {
			old = a
			break
		}
	}
	addr := r.addr
	bits := r.prefixLen
	if !addr.IsValid() {
		if old == nil {
			return &cliError{code: 1, msg: "SIOCSIFNETMASK: Cannot assign requested address"}
		}
		addr = old.Attrs.Local
		if bits < 0 {
			bits = int(old.PrefixLen)
		}
	}
	if r.netmask >= 0 {
		bits = r.netmask
	}
	if bits < 0 {
		bits = classfulLen(addr)
	}
	p := netip.PrefixFrom(addr, bits)
	o := &rtnl.AddrOptions{Broadcast: r.broadcast}
	if !o.Broadcast.IsValid() && old != nil && !r.addr.IsValid() && old.Attrs.Broadcast.IsValid() {
		// A broadcast address set by hand before is kept; the computed
		// one follows the new netmask, as SIOCSIFNETMASK does.
		if auto, _ := rtnl.BroadcastAddr(netip.PrefixFrom(old.Attrs.Local, int(old.PrefixLen))); auto != old.Attrs.Broadcast {
			o.Broadcast = old.Attrs.Broadcast
		}
	}
	if !o.Broadcast.IsValid() && l.Flags&unix.IFF_BROADCAST != 0 && bits < 31 {
		o.AutoBroadcast = true
	}
	if old != nil {
		if err := conn.DeleteAddrMessage(old); err != nil && !errors.Is(err, unix.EADDRNOTAVAIL) {
			return err
		}
	}
	return conn.AddAddr(l.Index, p, o)
}

// classfulLen is the netmask SIOCSIFADDR gives an IPv4 address: 8, 16 or
// 24 bits by its class, 32 for class D and E.
func classfulLen(a netip.Addr) int {
	b := a.As4()[0]
	switch {
	case b < 128:
		return 8
	case b < 192:
		return 16
	case b < 224:
		return 24
	}
	return 32
}

// maskLen turns a dotted netmask into a prefix length.
func maskLen(m netip.Addr) (int, bool) {
	b := m.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	ones := 0
	for v&0x80000000 != 0 {
		ones++
		v <<= 1
	}
	return ones, v == 0
}

// parsePrefixDefault parses ADDR or ADDR/LEN; without a length the prefix
// is def bits, or the full address when def is -1.
func parsePrefixDefault(s string, def int) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		return netip.ParsePrefix(s)
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if def < 0 {
		def = a.BitLen()
	}
	return netip.PrefixFrom(a, def), nil
}

// ifconfigFlagNames are the flags net-tools prints, in its order.
var ifconfigFlagNames = []struct {
	flag uint32
	name string
}{
	{unix.IFF_UP, "UP"}, {unix.IFF_BROADCAST, "BROADCAST"}, {unix.IFF_DEBUG, "DEBUG"},
	{unix.IFF_LOOPBACK, "LOOPBACK"}, {unix.IFF_POINTOPOINT, "POINTOPOINT"},
	{unix.IFF_NOTRAILERS, "NOTRAILERS"}, {unix.IFF_RUNNING, "RUNNING"}, {unix.IFF_NOARP, "NOARP"},
	{unix.IFF_PROMISC, "PROMISC"}, {unix.IFF_ALLMULTI, "ALLMULTI"}, {unix.IFF_MASTER, "MASTER"},
	{unix.IFF_SLAVE, "SLAVE"}, {unix.IFF_MULTICAST, "MULTICAST"}, {unix.IFF_PORTSEL, "PORTSEL"},
	{unix.IFF_AUTOMEDIA, "AUTOMEDIA"}, {unix.IFF_DYNAMIC, "DYNAMIC"},
}

// ifconfigShow lists links as net-tools' ifconfig does: the up ones, all
// with -a, or one by name.
func (e *env) ifconfigShow(conn *rtnl.Conn, name string, all bool) error {
	links, err := conn.Links()
	if err != nil && !errors.Is(err, rtnl.ErrDumpInterrupted) {
		return err
	}
	addrs, err := conn.Addrs(0, 0)
	if err != nil && !errors.Is(err, rtnl.ErrDumpInterrupted) {
		return err
	}
	// net-tools lists links by name, numbers compared as numbers.
	sort.SliceStable(links, func(i, j int) bool { return naturalLess(links[i].Attrs.Name, links[j].Attrs.Name) })
	var b strings.Builder
	found := false
	for _, l := range links {
		if name != "" && l.Attrs.Name != name {
			continue
		}
		if name == "" && !all && l.Flags&unix.IFF_UP == 0 {
			continue
		}
		found = true
		ifconfigLink(&b, l, addrs)
	}
	if name != "" && !found {
		return &cliError{code: 1, msg: fmt.Sprintf("%s: error fetching interface information: Device not found", name)}
	}
	_, err = fmt.Fprint(e.stdout, b.String())
	return err
}

func ifconfigLink(b *strings.Builder, l *rtnl.LinkMessage, addrs []*rtnl.AddressMessage) {
	var names []string
	flags := l.Flags & 0xffff
	for _, f := range ifconfigFlagNames {
		if flags&f.flag != 0 {
			names = append(names, f.name)
		}
	}
	fmt.Fprintf(b, "%s: flags=%d<%s>  mtu %d\n", l.Attrs.Name, flags, strings.Join(names, ","), l.Attrs.MTU)
	for _, a := range addrs {
		if a.Index != l.Index || a.Family != unix.AF_INET || (a.Attrs.Label != "" && a.Attrs.Label != l.Attrs.Name) {
			continue
		}
		fmt.Fprintf(b, "        inet %s  netmask %s", a.Attrs.Local, maskString(int(a.PrefixLen)))
		if a.Attrs.Broadcast.IsValid() {
			fmt.Fprintf(b, "  broadcast %s", a.Attrs.Broadcast)
		} else if a.Attrs.Address.IsValid() && a.Attrs.Address != a.Attrs.Local {
			fmt.Fprintf(b, "  destination %s", a.Attrs.Address)
		}
		b.WriteByte('\n')
		break
	}
	for _, a := range addrs {
		if a.Index != l.Index || a.Family != unix.AF_INET6 {
			continue
		}
		scope := map[uint8]string{unix.RT_SCOPE_UNIVERSE: "0x0<global>", unix.RT_SCOPE_LINK: "0x20<link>",
			unix.RT_SCOPE_HOST: "0x10<host>", unix.RT_SCOPE_SITE: "0x40<site>"}[a.Scope]
		fmt.Fprintf(b, "        inet6 %s  prefixlen %d  scopeid %s\n", a.Attrs.Address, a.PrefixLen, scope)
	}
	txq := uint32(0)
	if l.Attrs.TxQLen != nil {
		txq = *l.Attrs.TxQLen
	}
	switch l.Type {
	case unix.ARPHRD_LOOPBACK:
		fmt.Fprintf(b, "        loop  txqueuelen %d  (Local Loopback)\n", txq)
	case unix.ARPHRD_ETHER:
		fmt.Fprintf(b, "        ether %s  txqueuelen %d  (Ethernet)\n", l.Attrs.Address, txq)
	default:
		fmt.Fprintf(b, "        unspec  txqueuelen %d  (UNSPEC)\n", txq)
	}
	st, _ := l.Attrs.Stats64()
	fmt.Fprintf(b, "        RX packets %d  bytes %d (%s)\n", st.RxPackets, st.RxBytes, humanBytes(st.RxBytes))
	fmt.Fprintf(b, "        RX errors %d  dropped %d  overruns %d  frame %d\n", st.RxErrors, st.RxDropped, st.RxFIFOErrors, st.RxFrameErrors)
	fmt.Fprintf(b, "        TX packets %d  bytes %d (%s)\n", st.TxPackets, st.TxBytes, humanBytes(st.TxBytes))
	fmt.Fprintf(b, "        TX errors %d  dropped %d overruns %d  carrier %d  collisions %d\n\n", st.TxErrors, st.TxDropped, st.TxFIFOErrors, st.TxCarrierErrors, st.Collisions)
}

// maskString writes a prefix length as a dotted IPv4 netmask.
func maskString(bits int) string {
	v := ^uint32(0) << (32 - bits)
	if bits == 0 {
		v = 0
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}).String()
}

// humanBytes scales a byte count as net-tools prints it: 1000-based
// units with one decimal, "656.0 B", "1.2 KB".
func humanBytes(n uint64) string {
	units := []string{"B", "KB", "MB", "GB", "TB", "PB", "EB"}
	v := float64(n)
	i := 0
	for v >= 1000 && i < len(units)-1 {
		v /= 1000
		i++
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + " " + units[i]
}

// naturalLess orders names as net-tools' nstrcmp does: runs of digits
// compare as numbers, so eth2 comes before eth10.
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		if isDigit(a[0]) && isDigit(b[0]) {
			i, j := digits(a), digits(b)
			x, _ := strconv.ParseUint(a[:i], 10, 64)
			y, _ := strconv.ParseUint(b[:j], 10, 64)
			if x != y {
				return x < y
			}
			a, b = a[i:], b[j:]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func digits(s string) int {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}
