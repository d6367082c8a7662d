package main

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/rtnl"
)

// linkSet is a link dump with the lookups output needs: names by index
// (for "master br0" and "veth0@veth1") and flags by index (for M-DOWN).
// A set made from decoded links has them in byIdx; a streamed listing
// keeps only each link's name and flags, in refs.
type linkSet struct {
	links  []*rtnl.LinkMessage
	byIdx  map[int32]*rtnl.LinkMessage
	refs   map[int32]linkRef
	nsName func(nsid int32) string // names a peer namespace by its id, or ""
}

// linkRef is what printing a link needs to know of another link.
type linkRef struct {
	name  string
	flags uint32
}

func newLinkSet(links []*rtnl.LinkMessage) *linkSet {
	s := &linkSet{links: links, byIdx: make(map[int32]*rtnl.LinkMessage, len(links))}
	for _, l := range links {
		s.byIdx[l.Index] = l
	}
	return s
}

// ref returns the name and flags of the link with index idx.
func (s *linkSet) ref(idx int32) (linkRef, bool) {
	if l, ok := s.byIdx[idx]; ok {
		return linkRef{l.Attrs.Name, l.Flags}, true
	}
	r, ok := s.refs[idx]
	return r, ok
}

func (s *linkSet) name(idx int32) string {
	if r, ok := s.ref(idx); ok {
		return r.name
	}
	return fmt.Sprintf("if%d", idx)
}

// ifFlagNames are the IFF_* flags in the order iproute2 prints them.
var ifFlagNames = []struct {
	flag uint32
	name string
}{
	{unix.IFF_LOOPBACK, "LOOPBACK"}, {unix.IFF_BROADCAST, "BROADCAST"},
	{unix.IFF_POINTOPOINT, "POINTOPOINT"}, {unix.IFF_MULTICAST, "MULTICAST"},
	{unix.IFF_NOARP, "NOARP"}, {unix.IFF_ALLMULTI, "ALLMULTI"},
	{unix.IFF_PROMISC, "PROMISC"}, {unix.IFF_MASTER, "MASTER"},
	{unix.IFF_SLAVE, "SLAVE"}, {unix.IFF_DEBUG, "DEBUG"},
	{unix.IFF_DYNAMIC, "DYNAMIC"}, {unix.IFF_AUTOMEDIA, "AUTOMEDIA"},
	{unix.IFF_PORTSEL, "PORTSEL"}, {unix.IFF_NOTRAILERS, "NOTRAILERS"},
	{unix.IFF_UP, "UP"}, {unix.IFF_LOWER_UP, "LOWER_UP"},
	{unix.IFF_DORMANT, "DORMANT"}, {unix.IFF_ECHO, "ECHO"},
}

// linkFlags names ifi_flags as iproute2 does: NO-CARRIER for a link that
// is up without carrier, then the flags in order, then M-DOWN when the
// link's lower (peer) link is down.
func linkFlags(flags uint32, mdown bool) []string {
	var out []string
	if flags&unix.IFF_UP != 0 && flags&unix.IFF_RUNNING == 0 {
		out = append(out, "NO-CARRIER")
	}
	flags &^= unix.IFF_RUNNING
	for _, f := range ifFlagNames {
		if flags&f.flag != 0 {
			flags &^= f.flag
			out = append(out, f.name)
		}
	}
	if flags != 0 {
		out = append(out, strconv.FormatUint(uint64(flags), 16))
	}
	if mdown {
		out = append(out, "M-DOWN")
	}
	return out
}

var operStates = []string{"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"}

func operState(s uint8) string {
	if int(s) < len(operStates) {
		return operStates[s]
	}
	return fmt.Sprintf("%#x", s)
}

func linkMode(m uint8) string {
	switch m {
	case 0:
		return "DEFAULT"
	case 1:
		return "DORMANT"
	}
	return "unknown"
}

func groupName(g uint32) string {
	if g == 0 {
		return "default"
	}
	return strconv.FormatUint(uint64(g), 10)
}

// arphrdNames are the link types iproute2 names (ll_types.c).
var arphrdNames = map[uint16]string{
	unix.ARPHRD_NETROM: "netrom", unix.ARPHRD_ETHER: "ether", unix.ARPHRD_EETHER: "eether",
	unix.ARPHRD_AX25: "ax25", unix.ARPHRD_PRONET: "pronet", unix.ARPHRD_CHAOS: "chaos",
	unix.ARPHRD_IEEE802: "ieee802", unix.ARPHRD_ARCNET: "arcnet", unix.ARPHRD_APPLETLK: "atalk",
	unix.ARPHRD_DLCI: "dlci", unix.ARPHRD_ATM: "atm", unix.ARPHRD_METRICOM: "metricom",
	unix.ARPHRD_IEEE1394: "ieee1394", unix.ARPHRD_INFINIBAND: "infiniband",
	unix.ARPHRD_SLIP: "slip", unix.ARPHRD_CSLIP: "cslip", unix.ARPHRD_PPP: "ppp",
	unix.ARPHRD_TUNNEL: "ipip", unix.ARPHRD_TUNNEL6: "tunnel6", unix.ARPHRD_SIT: "sit",
	unix.ARPHRD_IPGRE: "gre", unix.ARPHRD_LOOPBACK: "loopback", unix.ARPHRD_FDDI: "fddi",
	unix.ARPHRD_IEEE80211: "ieee802.11", unix.ARPHRD_IEEE80211_RADIOTAP: "ieee802.11/radiotap",
	unix.ARPHRD_IP6GRE: "gre6", unix.ARPHRD_NETLINK: "netlink", unix.ARPHRD_6LOWPAN: "6lowpan",
	unix.ARPHRD_NONE: "none", unix.ARPHRD_VOID: "void",
}

func linkType(t uint16) string {
	if n, ok := arphrdNames[t]; ok {
		return n
	}
	return fmt.Sprintf("[%d]", t)
}

// peerName is what iproute2 prints after '@': the lower or peer link, by
// name in this namespace, ifN when it lives in another one (even when N
// is the link's own index, as for a veth whose peer has the same index
// in its namespace: the kernel sends IFLA_LINK then), NONE for IFLA_LINK
// 0.
func (s *linkSet) peerName(l *rtnl.LinkMessage) (string, bool) {
	switch {
	case !l.Attrs.Has(unix.IFLA_LINK):
		return "", false
	case l.Attrs.Link == 0:
		return "NONE", true
	case l.Attrs.LinkNetNSID != nil:
		return fmt.Sprintf("if%d", l.Attrs.Link), true
	}
	return s.name(int32(l.Attrs.Link)), true
}

// mdown reports whether a link's lower link is in this namespace and down.
func (s *linkSet) mdown(l *rtnl.LinkMessage) bool {
	if l.Attrs.Link == 0 || l.Attrs.LinkNetNSID != nil {
		return false
	}
	p, ok := s.ref(int32(l.Attrs.Link))
	return ok && p.flags&unix.IFF_UP == 0
}

// linkText writes a link as ip link show does; addrs, if not nil, adds the
// address lines of ip addr show.
func (c *ipCmd) linkText(b *strings.Builder, s *linkSet, l *rtnl.LinkMessage, isLink bool) {
	// Written with appends rather than fmt: ip link show on thousands of
	// links spends its time here.
	a := &l.Attrs
	var scratch [64]byte
	num := func(v uint64) { b.Write(strconv.AppendUint(scratch[:0], v, 10)) }
	b.Write(strconv.AppendInt(scratch[:0], int64(l.Index), 10))
	b.WriteString(": ")
	b.WriteString(a.Name)
	if p, ok := s.peerName(l); ok {
		b.WriteByte('@')
		b.WriteString(p)
	}
	b.WriteString(": <")
	writeLinkFlags(b, l.Flags, s.mdown(l))
	b.WriteString("> ")
	if a.MTU != 0 {
		b.WriteString("mtu ")
		num(uint64(a.MTU))
		b.WriteByte(' ')
	}
	if a.Qdisc != "" {
		b.WriteString("qdisc ")
		b.WriteString(a.Qdisc)
		b.WriteByte(' ')
	}
	if a.Master != nil {
		b.WriteString("master ")
		b.WriteString(s.name(int32(*a.Master)))
		b.WriteByte(' ')
	}
	b.WriteString("state ")
	b.WriteString(operState(a.OperState))
	b.WriteByte(' ')
	if isLink {
		b.WriteString("mode ")
		b.WriteString(linkMode(a.LinkMode))
		b.WriteByte(' ')
	}
	if a.Group != nil {
		b.WriteString("group ")
		b.WriteString(groupName(*a.Group))
		b.WriteByte(' ')
	}
	// iproute2 6.1 leaves out a queue length of 0.
	if a.TxQLen != nil && *a.TxQLen != 0 {
		b.WriteString("qlen ")
		num(uint64(*a.TxQLen))
	}
	// "link/TYPE " keeps its space when no address follows.
	b.WriteString("\n    link/")
	b.WriteString(linkType(l.Type))
	b.WriteByte(' ')
	if a.Address != nil {
		b.Write(appendLLAddr(scratch[:0], a.Address, l.Type))
	}
	if a.Broadcast != nil {
		if l.Flags&unix.IFF_POINTOPOINT != 0 {
			b.WriteString(" peer ")
		} else {
			b.WriteString(" brd ")
		}
		b.Write(appendLLAddr(scratch[:0], a.Broadcast, l.Type))
	}
	if a.LinkNetNSID != nil {
		if n := s.nsNameOf(*a.LinkNetNSID); n != "" {
			b.WriteString(" link-netns ")
			b.WriteString(n)
		} else {
			b.WriteString(" link-netnsid ")
			b.Write(strconv.AppendInt(scratch[:0], int64(*a.LinkNetNSID), 10))
		}
	}
	if c.opts.details > 0 {
		c.linkDetailsText(b, l)
	}
	if a.Alias != nil {
		b.WriteString("\n    alias ")
		b.WriteString(*a.Alias)
	}
	if isLink && c.opts.stats > 0 {
		linkStatsText(b, l)
	}
	b.WriteByte('\n')
}

// writeLinkFlags writes linkFlags joined by commas, without allocating.
func writeLinkFlags(b *strings.Builder, flags uint32, mdown bool) {
	sep := false
	put := func(s string) {
		if sep {
			b.WriteByte(',')
		}
		b.WriteString(s)
		sep = true
	}
	if flags&unix.IFF_UP != 0 && flags&unix.IFF_RUNNING == 0 {
		put("NO-CARRIER")
	}
	flags &^= unix.IFF_RUNNING
	for _, f := range ifFlagNames {
		if flags&f.flag != 0 {
			flags &^= f.flag
			put(f.name)
		}
	}
	if flags != 0 {
		put(strconv.FormatUint(uint64(flags), 16))
	}
	if mdown {
		put("M-DOWN")
	}
}

// appendLLAddr appends a link-layer address as llAddrString writes it:
// an IP address for the tunnels whose addresses are, otherwise as
// appendMAC does.
func appendLLAddr(b []byte, addr []byte, typ uint16) []byte {
	switch {
	case len(addr) == 4 && (typ == unix.ARPHRD_TUNNEL || typ == unix.ARPHRD_SIT || typ == unix.ARPHRD_IPGRE),
		len(addr) == 16 && (typ == unix.ARPHRD_TUNNEL6 || typ == unix.ARPHRD_IP6GRE):
		return append(b, llAddrString(addr, typ)...)
	}
	return appendMAC(b, addr)
}

// appendMAC appends a link-layer address as net.HardwareAddr.String does.
func appendMAC(b []byte, mac []byte) []byte {
	const hex = "0123456789abcdef"
	for i, x := range mac {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, hex[x>>4], hex[x&0xf])
	}
	return b
}

func (s *linkSet) nsNameOf(id int32) string {
	if s.nsName == nil {
		return ""
	}
	return s.nsName(id)
}

// linkStatsText writes the counters ip -s link prints.
func linkStatsText(b *strings.Builder, l *rtnl.LinkMessage) {
	st, ok := l.Attrs.Stats64()
	if !ok {
		return
	}
	fmt.Fprintf(b, "\n    RX:  bytes packets errors dropped  missed   mcast           \n")
	fmt.Fprintf(b, "    %10d %7d %6d %7d %7d %7d ", st.RxBytes, st.RxPackets, st.RxErrors, st.RxDropped, st.RxMissedErrors, st.Multicast)
	fmt.Fprintf(b, "\n    TX:  bytes packets errors dropped carrier collsns           \n")
	fmt.Fprintf(b, "    %10d %7d %6d %7d %7d %7d ", st.TxBytes, st.TxPackets, st.TxErrors, st.TxDropped, st.TxCarrierErrors, st.Collisions)
}

// linkJSON is a link as ip -j link show prints it.
func (c *ipCmd) linkJSON(s *linkSet, l *rtnl.LinkMessage, isLink bool) *jobj {
	a := &l.Attrs
	o := &jobj{}
	o.add("ifindex", l.Index)
	addLinkRef(o, s, l)
	o.add("ifname", a.Name)
	o.add("flags", linkFlags(l.Flags, s.mdown(l)))
	if a.MTU != 0 {
		o.add("mtu", a.MTU)
	}
	if a.Qdisc != "" {
		o.add("qdisc", a.Qdisc)
	}
	if a.Master != nil {
		o.add("master", s.name(int32(*a.Master)))
	}
	o.add("operstate", operState(a.OperState))
	if isLink {
		o.add("linkmode", linkMode(a.LinkMode))
	}
	if a.Group != nil {
		o.add("group", groupName(*a.Group))
	}
	if a.TxQLen != nil && *a.TxQLen != 0 {
		o.add("txqlen", *a.TxQLen)
	}
	o.add("link_type", linkType(l.Type))
	if a.Address != nil {
		o.add("address", llAddrString(a.Address, l.Type))
	}
	if a.Broadcast != nil {
		if l.Flags&unix.IFF_POINTOPOINT != 0 {
			o.add("link_pointtopoint", true)
		}
		o.add("broadcast", llAddrString(a.Broadcast, l.Type))
	}
	if a.LinkNetNSID != nil {
		o.add("link_netnsid", *a.LinkNetNSID)
	}
	if c.opts.details > 0 {
		c.linkDetailsJSON(o, l)
	}
	if a.Alias != nil {
		o.add("ifalias", *a.Alias)
	}
	if isLink && c.opts.stats > 0 {
		if st, ok := a.Stats64(); ok {
			o.add("stats64", &jobj{
				{"rx", &jobj{{"bytes", st.RxBytes}, {"packets", st.RxPackets}, {"errors", st.RxErrors},
					{"dropped", st.RxDropped}, {"over_errors", st.RxOverErrors}, {"multicast", st.Multicast}}},
				{"tx", &jobj{{"bytes", st.TxBytes}, {"packets", st.TxPackets}, {"errors", st.TxErrors},
					{"dropped", st.TxDropped}, {"carrier_errors", st.TxCarrierErrors}, {"collisions", st.Collisions}}},
			})
		}
	}
	return o
}

// linkBrief writes a link as ip -br link does.
func (c *ipCmd) linkBrief(b *strings.Builder, s *linkSet, l *rtnl.LinkMessage) {
	name := l.Attrs.Name
	if p, ok := s.peerName(l); ok {
		name += "@" + p
	}
	fmt.Fprintf(b, "%-16s %-14s ", name, operState(l.Attrs.OperState))
	if l.Attrs.Address != nil {
		fmt.Fprintf(b, "%s ", llAddrString(l.Attrs.Address, l.Type))
	}
	fmt.Fprintf(b, "<%s> \n", strings.Join(linkFlags(l.Flags, s.mdown(l)), ","))
}

// linkBriefJSON is a link as ip -j -br link prints it: ip -br address's
// link part, then the address and the flags.
func (c *ipCmd) linkBriefJSON(s *linkSet, l *rtnl.LinkMessage) *jobj {
	o := addrLinkBriefJSON(s, l)
	if l.Attrs.Address != nil {
		o.add("address", llAddrString(l.Attrs.Address, l.Type))
	}
	o.add("flags", linkFlags(l.Flags, s.mdown(l)))
	return o
}
